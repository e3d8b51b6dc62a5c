"""Approving and superseding factors: only curators, approver recorded, periods never overlap."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from emissions.models import EmissionFactor, Source
from emissions.services.factors import FactorInput, factor_approve, factor_create_draft, factor_supersede
from vendors.models import GridZone, Region

pytestmark = pytest.mark.django_db


def draft(zone="FRA", value=40.0, valid_from=dt.date(2025, 1, 1), valid_to=None, **kwargs) -> EmissionFactor:
    data = FactorInput(
        kind=kwargs.pop("kind", "grid_intensity_location"),
        subject=kwargs.pop("subject", None) or GridZone.objects.get(code=zone),
        value=value,
        unit=kwargs.pop("unit", "gCO2e/kWh"),
        valid_from=valid_from,
        valid_to=valid_to,
        source=Source.objects.get(key="ember-test"),
        **kwargs,
    )
    return factor_create_draft(data=data)


def approved_fra() -> list[EmissionFactor]:
    return list(
        EmissionFactor.objects.filter(
            zone__code="FRA", kind="grid_intensity_location", status=EmissionFactor.Status.APPROVED
        ).order_by("valid_from")
    )


def test_curator_approval_records_who_and_when(small_catalogue, curator):
    factor = draft()
    factor_approve(factor=factor, user=curator)
    factor.refresh_from_db()
    assert factor.status == EmissionFactor.Status.APPROVED
    assert factor.approved_by == curator
    assert factor.approved_at is not None


def test_a_non_curator_cannot_approve(small_catalogue, editor):
    factor = draft()
    with pytest.raises(PermissionDenied):
        factor_approve(factor=factor, user=editor)
    factor.refresh_from_db()
    assert factor.status == EmissionFactor.Status.DRAFT


def test_a_new_year_closes_the_previous_open_ended_value(small_catalogue, curator):
    factor_approve(factor=draft(valid_from=dt.date(2025, 1, 1)), user=curator)
    periods = [(f.valid_from, f.valid_to) for f in approved_fra()]
    assert periods == [
        (dt.date(2023, 1, 1), dt.date(2024, 1, 1)),
        (dt.date(2024, 1, 1), dt.date(2025, 1, 1)),
        (dt.date(2025, 1, 1), None),
    ]


def test_an_overlap_that_cannot_be_closed_is_refused_naming_the_factor(small_catalogue, curator):
    closed_2023 = approved_fra()[0]
    factor = draft(valid_from=dt.date(2023, 6, 1), valid_to=dt.date(2023, 9, 1))
    with pytest.raises(ValidationError) as excinfo:
        factor_approve(factor=factor, user=curator)
    assert f"#{closed_2023.pk}" in str(excinfo.value)
    assert approved_fra()[0].pk == closed_2023.pk


def test_a_correction_supersedes_the_factor_it_names(small_catalogue, curator):
    old = approved_fra()[0]
    correction = factor_create_draft(
        data=FactorInput(
            kind=old.kind,
            subject=old.zone,
            value=58.0,
            unit=old.unit,
            valid_from=old.valid_from,
            valid_to=old.valid_to,
            source=old.source,
        ),
        supersedes=old,
    )
    factor_approve(factor=correction, user=curator)
    old.refresh_from_db()
    assert old.status == EmissionFactor.Status.SUPERSEDED
    assert approved_fra()[0].value == 58.0
    assert old.history.first().history_change_reason == f"Superseded by factor #{correction.pk}"


def test_supersede_retires_an_approved_factor_for_curators_only(small_catalogue, curator, editor):
    factor = approved_fra()[-1]
    with pytest.raises(PermissionDenied):
        factor_supersede(factor=factor, user=editor)
    factor_supersede(factor=factor, user=curator)
    factor.refresh_from_db()
    assert factor.status == EmissionFactor.Status.SUPERSEDED


def test_only_drafts_can_be_approved(small_catalogue, curator):
    with pytest.raises(ValidationError, match="Only drafts"):
        factor_approve(factor=approved_fra()[0], user=curator)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"value": -3.0}, "value"),
        ({"value": float("nan")}, "value"),
        ({"unit": "kgCO2e/kWh"}, "unit"),
        ({"value_low": 50.0}, "value_low"),
        ({"value_high": 10.0}, "value_high"),
        ({"valid_to": dt.date(2024, 1, 1)}, "valid_to"),
    ],
)
def test_bad_drafts_are_refused_naming_the_field(small_catalogue, overrides, field):
    before = EmissionFactor.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        draft(**overrides)
    assert field in excinfo.value.message_dict
    assert EmissionFactor.objects.count() == before


def test_pue_below_one_is_refused_by_validation(small_catalogue):
    region = Region.objects.get(slug="gcp/europe-west4")
    with pytest.raises(ValidationError) as excinfo:
        draft(kind="pue", subject=region, value=0.9, unit="ratio")
    assert "at least 1" in excinfo.value.message_dict["value"][0]


def test_approval_history_is_kept(small_catalogue, curator):
    factor = draft()
    factor_approve(factor=factor, user=curator)
    reasons = list(factor.history.values_list("history_change_reason", flat=True))
    assert reasons[0] == "Approved"
    assert len(reasons) == 2
