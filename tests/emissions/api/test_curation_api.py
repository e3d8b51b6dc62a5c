"""Curation over the API: drafts (add permission), impact previews, approval and supersession (curators), with
the admin's rules and recompute: anonymous 401, signed-in without the permission 403, bad input 400 naming the
field and writing nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission

from emissions.models import EmissionFactor, FootprintRate, ModelFootprint, RecomputeJob, Source
from emissions.services.factors import FactorInput, factor_create_draft
from reports.services.tokens import api_token_create
from tests.emissions.api.api_helpers import problems
from vendors.models import GridZone

pytestmark = pytest.mark.django_db
FACTORS = "/api/v1/factors/"
PJM_NOW = 380.0  # gCO2e/kWh, US-MIDA-PJM in tests/fixtures/catalogue/zone_factors.csv
PJM_NEW = 300.0


@pytest.fixture
def reader(django_user_model):
    """Signed in, no permission at all."""
    return django_user_model.objects.create_user("reader", "reader@example.org", "pw")


def draft_body(**changes) -> dict:
    return {"kind": "grid_intensity_location", "zone": "FRA", "value": 41.0, "unit": "gCO2e/kWh",
            "valid_from": "2025-01-01", "source": "ember-test", "note": "Ember 2025"} | changes  # fmt: skip


def pjm_draft(value: float = PJM_NEW) -> EmissionFactor:
    """A new PJM grid intensity from 2025: it reaches every footprint served from gcp/us-east4 since then."""
    return factor_create_draft(data=FactorInput(
        kind="grid_intensity_location", subject=GridZone.objects.get(code="US-MIDA-PJM"), value=value,
        unit="gCO2e/kWh", valid_from=dt.date(2025, 1, 1), source=Source.objects.get(key="ember-test"),
    ))  # fmt: skip


def pjm_current() -> EmissionFactor:
    return EmissionFactor.objects.get(zone__code="US-MIDA-PJM", kind="grid_intensity_location", status="approved")


# -- who may do what -----------------------------------------------------------------------------------------------


def test_anonymous_curation_is_a_401_that_asks_for_a_token(api, catalogue):
    draft = pjm_draft()
    for method, url in (
        ("post", FACTORS),
        ("get", f"{FACTORS}{draft.pk}/impact/"),
        ("post", f"{FACTORS}{draft.pk}/approve/"),
        ("post", f"{FACTORS}{draft.pk}/supersede/"),
    ):
        response = getattr(api, method)(url, draft_body(), format="json")
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert problems(response)[None]
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_signed_in_without_the_permission_is_a_403(api, catalogue, reader, editor):
    draft = pjm_draft()
    api.force_authenticate(reader)
    assert api.post(FACTORS, draft_body(), format="json").status_code == 403
    api.force_authenticate(editor)  # may draft, may not approve
    for method, url in (
        ("get", f"{FACTORS}{draft.pk}/impact/"),
        ("post", f"{FACTORS}{draft.pk}/approve/"),
        ("post", f"{FACTORS}{draft.pk}/supersede/"),
    ):
        response = getattr(api, method)(url)
        assert response.status_code == 403, url
        assert "emissions.approve_emissionfactor" in problems(response)[None]
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_reading_factors_stays_public(api, catalogue):
    assert api.get(FACTORS).status_code == 200


# -- drafts --------------------------------------------------------------------------------------------------------


def test_an_editor_creates_a_draft_that_feeds_nothing_yet(api, catalogue, editor):
    api.force_authenticate(editor)
    response = api.post(FACTORS, draft_body(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    factor = EmissionFactor.objects.get(pk=body["id"])
    assert (factor.status, factor.zone.code, factor.value, factor.created_by) == ("draft", "FRA", 41.0, editor)
    assert (body["status"], body["subject"], body["source"]["key"]) == ("draft", "FRA", "ember-test")
    assert not any(factor.pk in job.factor_ids for job in RecomputeJob.objects.all())


def test_a_bearer_token_acts_as_its_user(api, catalogue, editor):
    _, raw = api_token_create(user=editor, name="curation script")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = api.post(FACTORS, draft_body(), format="json")
    assert response.status_code == 201
    assert EmissionFactor.objects.get(pk=response.json()["id"]).created_by == editor


def test_a_draft_can_supersede_an_approved_factor_of_its_subject(api, catalogue, editor):
    api.force_authenticate(editor)
    current = pjm_current()
    body = draft_body(zone="US-MIDA-PJM", valid_from="2023-01-01", value=371.0, supersedes=current.pk)
    response = api.post(FACTORS, body, format="json")
    assert response.status_code == 201 and response.json()["supersedes"] == current.pk


@pytest.mark.parametrize("changes, field, says", [
    ({"value": "NaN"}, "value", "finite number"),
    ({"value": "Infinity"}, "value", "finite number"),
    ({"value": True}, "value", "not true or false"),
    ({"value": "forty"}, "value", "finite number"),
    ({"value": -5}, "value", "at least 0"),
    ({"value": "1e309"}, "value", "finite number"),
    ({"kind": "pue", "zone": None, "region": "gcp/us-east4", "unit": "ratio", "value": 9.0}, "value", "at most 5"),
    ({"value_low": 50}, "value_low", "above value"),
    ({"zone": "ATL"}, "zone", "Unknown grid zone “ATL”"),
    ({"zone": None}, "zone", "A zone is required"),
    ({"kind": "pue", "unit": "ratio", "value": 1.2}, "zone", "leave zone out"),
    ({"unit": "kg"}, "unit", "not a valid choice"),
    ({"kind": "sunshine"}, "kind", "not a valid choice"),
    ({"valid_from": "2025-02-30"}, "valid_from", "Date has wrong format"),
    ({"valid_to": "2024-01-01"}, "valid_to", "must be after valid_from"),
    ({"source": "wikipedia"}, "source", "Unknown source “wikipedia”"),
    ({"supersedes": 999999}, "supersedes", "No factor with id 999999"),
])  # fmt: skip
def test_a_bad_draft_is_a_400_naming_the_field_and_writes_nothing(api, catalogue, editor, changes, field, says):
    api.force_authenticate(editor)
    before = EmissionFactor.objects.count()
    response = api.post(FACTORS, draft_body(**changes), format="json")
    assert response.status_code == 400, response.content
    assert says in problems(response)[field]
    assert EmissionFactor.objects.count() == before


def test_a_draft_cannot_supersede_a_factor_of_another_subject(api, catalogue, editor):
    api.force_authenticate(editor)
    response = api.post(FACTORS, draft_body(supersedes=pjm_current().pk), format="json")  # an FRA draft
    assert response.status_code == 400
    assert "own kind and subject" in problems(response)["supersedes"]


def test_a_body_that_is_not_json_is_a_400_without_a_field(api, catalogue, editor):
    api.force_authenticate(editor)
    response = api.post(FACTORS, '{"value": NaN}', content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in problems(response)[None]


def test_a_json_number_too_large_for_a_float_is_a_400_naming_the_field(api, catalogue, editor):
    api.force_authenticate(editor)
    body = (
        '{"kind": "grid_intensity_location", "zone": "FRA", "value": 1e309, "unit": "gCO2e/kWh", '
        '"valid_from": "2025-01-01", "source": "ember-test"}'
    )
    response = api.post(FACTORS, body, content_type="application/json")
    assert response.status_code == 400 and "finite number" in problems(response)["value"]


# -- impact --------------------------------------------------------------------------------------------------------


def test_a_curator_previews_what_approving_would_change(api, catalogue, curator):
    draft = pjm_draft()
    api.force_authenticate(curator)
    response = api.get(f"{FACTORS}{draft.pk}/impact/")
    assert response.status_code == 200, response.content
    body = response.json()
    affected = FootprintRate.objects.filter(region__zone__code="US-MIDA-PJM", month__gte=dt.date(2025, 1, 1))
    assert (body["factor"], body["action"], body["rates"]) == (draft.pk, "approve", affected.count())
    assert body["model_footprints"] == ModelFootprint.objects.filter(rate__in=affected).count() > 0
    assert all(line["after_kg"] < line["before_kg"] for line in body["per_request"])  # 300 < 380 g/kWh
    draft.refresh_from_db()
    assert draft.status == "draft", "a preview changes nothing"


def test_the_preview_of_an_approved_factor_is_of_superseding_it(api, catalogue, curator):
    api.force_authenticate(curator)
    body = api.get(f"{FACTORS}{pjm_current().pk}/impact/").json()
    assert body["action"] == "supersede" and body["rates"] > 0


@pytest.mark.parametrize("action, says", [("supersede", "only approved factors superseded"),
                                          ("delete", "Use approve or supersede")])  # fmt: skip
def test_an_impossible_preview_is_a_400_naming_the_action(api, catalogue, curator, action, says):
    api.force_authenticate(curator)
    response = api.get(f"{FACTORS}{pjm_draft().pk}/impact/?action={action}")
    assert response.status_code == 400 and says in problems(response)["action"]


# -- approve and supersede -----------------------------------------------------------------------------------------


def test_approving_records_the_curator_and_enqueues_the_recompute_as_the_admin_does(
    api, catalogue, curator, django_capture_on_commit_callbacks
):
    draft, previous = pjm_draft(), pjm_current()
    llama = ModelFootprint.objects.get(ai_model__slug="meta/llama-3.1-8b", region__slug="gcp/us-east4")
    api.force_authenticate(curator)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api.post(f"{FACTORS}{draft.pk}/approve/")
    assert response.status_code == 200, response.content
    body = response.json()
    draft.refresh_from_db()
    assert (draft.status, draft.approved_by) == ("approved", curator)
    # The open-ended 2023 value is closed where the draft starts; both changes are reported.
    changed = {f["id"]: (f["status"], f["valid_to"]) for f in body["changed"]}
    assert changed == {previous.pk: ("approved", "2025-01-01"), draft.pk: ("approved", None)}
    job = RecomputeJob.objects.get(pk=body["jobs"][0]["id"])
    assert (job.trigger, job.triggered_by, draft.pk in job.factor_ids) == ("factor_approved", curator, True)
    assert len(callbacks) == 1 and job.enqueued_at is not None  # sent to the workers once the approval committed
    job.refresh_from_db()
    assert job.status == "succeeded"  # the workers run in-process in tests
    old, new = llama.operational_co2e_kg, ModelFootprint.objects.get(pk=llama.pk).operational_co2e_kg
    assert new / old == pytest.approx(PJM_NEW / PJM_NOW)  # operational CO2e is energy x grid intensity


def test_approving_an_overlapping_draft_is_a_400_naming_valid_from(api, catalogue, curator):
    overlapping = factor_create_draft(data=FactorInput(
        kind="grid_intensity_location", subject=GridZone.objects.get(code="FRA"), value=50.0, unit="gCO2e/kWh",
        valid_from=dt.date(2022, 1, 1), valid_to=dt.date(2023, 6, 1), source=Source.objects.get(key="ember-test"),
    ))  # fmt: skip
    api.force_authenticate(curator)
    response = api.post(f"{FACTORS}{overlapping.pk}/approve/")
    assert response.status_code == 400
    assert "overlaps approved factor" in problems(response)["valid_from"]
    overlapping.refresh_from_db()
    assert overlapping.status == "draft"


def test_only_drafts_are_approved_and_only_approved_factors_superseded(api, catalogue, curator):
    api.force_authenticate(curator)
    response = api.post(f"{FACTORS}{pjm_current().pk}/approve/")
    assert response.status_code == 400 and "Only drafts" in problems(response)["status"]
    response = api.post(f"{FACTORS}{pjm_draft().pk}/supersede/")
    assert response.status_code == 400 and "Only approved factors" in problems(response)["status"]


def test_superseding_retires_the_factor_and_recomputes_what_used_it(api, catalogue, curator):
    current = pjm_current()
    api.force_authenticate(curator)
    response = api.post(f"{FACTORS}{current.pk}/supersede/")
    assert response.status_code == 200, response.content
    current.refresh_from_db()
    assert current.status == "superseded"
    assert [f["status"] for f in response.json()["changed"]] == ["superseded"]
    job = RecomputeJob.objects.get(pk=response.json()["jobs"][0]["id"])
    assert job.trigger == "factor_superseded" and job.affected_rates > 0


def test_acting_on_an_unknown_factor_is_a_404_naming_the_id(api, catalogue, curator):
    api.force_authenticate(curator)
    response = api.post(f"{FACTORS}999999/approve/")
    assert response.status_code == 404 and "999999" in problems(response)["id"]


def test_the_approve_permission_alone_is_what_curation_checks(api, catalogue, django_user_model):
    user = django_user_model.objects.create_user("approver", "a@example.org", "pw")
    user.user_permissions.add(Permission.objects.get(codename="approve_emissionfactor"))
    api.force_authenticate(django_user_model.objects.get(pk=user.pk))
    draft = pjm_draft()
    assert api.post(f"{FACTORS}{draft.pk}/approve/").status_code == 200
