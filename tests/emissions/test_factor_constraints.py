"""The database itself refuses impossible factors (check constraints, and the exclusion on PostgreSQL)."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from emissions.models import EmissionFactor, Source
from vendors.models import GridZone, Region


def make_factor(**overrides) -> EmissionFactor:
    values = {
        "kind": "grid_intensity_location",
        "zone": GridZone.objects.get(code="FRA"),
        "value": 50.0,
        "unit": "gCO2e/kWh",
        "valid_from": dt.date(2030, 1, 1),
        "source": Source.objects.first(),
        "status": EmissionFactor.Status.DRAFT,
    }
    values.update(overrides)
    return EmissionFactor(**values)


def assert_refused(factor: EmissionFactor) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        factor.save()


@pytest.mark.django_db
class TestCheckConstraints:
    def test_pue_below_one_is_refused(self, small_catalogue):
        region = Region.objects.get(slug="gcp/europe-west4")
        assert_refused(make_factor(kind="pue", zone=None, region=region, value=0.95, unit="ratio"))

    def test_pue_of_exactly_one_is_accepted(self, small_catalogue):
        region = Region.objects.get(slug="gcp/europe-west4")
        make_factor(kind="pue", zone=None, region=region, value=1.0, unit="ratio").save()

    def test_negative_intensity_is_refused(self, small_catalogue):
        assert_refused(make_factor(value=-1.0))

    def test_valid_to_must_be_after_valid_from(self, small_catalogue):
        assert_refused(make_factor(valid_from=dt.date(2030, 1, 1), valid_to=dt.date(2030, 1, 1)))

    def test_subject_must_match_the_kind(self, small_catalogue):
        region = Region.objects.get(slug="gcp/europe-west4")
        assert_refused(make_factor(zone=None, region=region))  # a grid intensity belongs to a zone

    def test_two_subjects_at_once_are_refused(self, small_catalogue):
        region = Region.objects.get(slug="gcp/europe-west4")
        assert_refused(make_factor(region=region))

    def test_range_must_contain_the_value(self, small_catalogue):
        assert_refused(make_factor(value_low=60.0))
        assert_refused(make_factor(value_high=40.0))

    def test_share_above_one_is_refused(self, small_catalogue):
        region = Region.objects.get(slug="gcp/europe-west4")
        assert_refused(make_factor(kind="carbon_free_share", zone=None, region=region, value=1.2, unit="fraction"))

    def test_approved_factor_needs_an_approval_time(self, small_catalogue):
        assert_refused(make_factor(status=EmissionFactor.Status.APPROVED, approved_at=None))


@pytest.mark.django_db
class TestExclusionConstraint:
    """Market-based intensities: the small catalogue has none, so every period here is new."""

    def test_overlapping_approved_periods_are_refused_by_postgresql(self, postgres, small_catalogue):
        approved = {"status": "approved", "approved_at": timezone.now(), "kind": "grid_intensity_market"}
        make_factor(valid_from=dt.date(2030, 1, 1), valid_to=dt.date(2031, 1, 1), **approved).save()
        assert_refused(make_factor(valid_from=dt.date(2030, 6, 1), valid_to=None, **approved))

    def test_adjacent_periods_and_drafts_may_coexist(self, postgres, small_catalogue):
        approved = {"status": "approved", "approved_at": timezone.now(), "kind": "grid_intensity_market"}
        make_factor(valid_from=dt.date(2030, 1, 1), valid_to=dt.date(2031, 1, 1), **approved).save()
        make_factor(valid_from=dt.date(2031, 1, 1), valid_to=dt.date(2032, 1, 1), **approved).save()
        make_factor(
            kind="grid_intensity_market", valid_from=dt.date(2030, 6, 1)
        ).save()  # a draft may overlap: it is not yet in force
        assert EmissionFactor.objects.filter(zone__code="FRA", kind="grid_intensity_market").count() == 3

    def test_same_period_for_another_zone_is_fine(self, postgres, small_catalogue):
        approved = {"status": "approved", "approved_at": timezone.now(), "kind": "grid_intensity_market"}
        make_factor(valid_from=dt.date(2030, 1, 1), **approved).save()
        make_factor(zone=GridZone.objects.get(code="NLD"), valid_from=dt.date(2030, 1, 1), **approved).save()
