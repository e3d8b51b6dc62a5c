"""Public factor reads (/api/v1/factors/, /sources/): every filter, drafts hidden from the public, each factor's
history as django-simple-history recorded it, and bad parameters as 400s naming them."""

from __future__ import annotations

import datetime as dt

import pytest

from emissions.models import EmissionFactor, Source
from emissions.services.factors import FactorInput, factor_approve, factor_create_draft
from tests.emissions.api.api_helpers import problems, results
from vendors.models import GridZone

pytestmark = pytest.mark.django_db


def fra_draft(value: float = 41.0) -> EmissionFactor:
    return factor_create_draft(data=FactorInput(
        kind="grid_intensity_location", subject=GridZone.objects.get(code="FRA"), value=value, unit="gCO2e/kWh",
        valid_from=dt.date(2025, 1, 1), source=Source.objects.get(key="ember-test"),
    ))  # fmt: skip


def ids(response) -> set[int]:
    return {row["id"] for row in results(response)}


def test_the_public_sees_every_approved_and_superseded_factor_but_no_draft(api, catalogue):
    draft = fra_draft()
    response = api.get("/api/v1/factors/")
    public = set(EmissionFactor.objects.exclude(status="draft").values_list("pk", flat=True))
    assert response.json()["count"] == len(public) and ids(response) <= public
    assert draft.pk not in ids(api.get("/api/v1/factors/?zone=FRA&status=draft"))
    assert api.get(f"/api/v1/factors/{draft.pk}/").status_code == 404


def test_users_who_may_view_factors_in_the_admin_also_see_drafts(api, catalogue, editor):
    draft = fra_draft()
    api.force_authenticate(editor)
    assert ids(api.get("/api/v1/factors/?status=draft")) == {draft.pk}
    assert api.get(f"/api/v1/factors/{draft.pk}/").json()["status"] == "draft"


def test_a_factor_reads_with_its_subject_unit_period_and_source(api, catalogue):
    factor = EmissionFactor.objects.get(zone__code="FRA", kind="grid_intensity_location", valid_from="2023-01-01")
    body = api.get(f"/api/v1/factors/{factor.pk}/").json()
    assert (body["kind"], body["subject_type"], body["subject"]) == ("grid_intensity_location", "zone", "FRA")
    assert (body["value"], body["unit"], body["valid_from"], body["valid_to"]) == (56.0, "gCO2e/kWh", "2023-01-01",
                                                                                   "2024-01-01")  # fmt: skip
    assert body["source"]["key"] == "ember-test" and body["source"]["publisher"] == "Ember"
    assert api.get(body["source"]["url"]).json()["licence"] == "CC BY 4.0"


@pytest.mark.parametrize("query, expected", [
    ("zone=FRA", {"zone__code": "FRA"}),
    ("kind=pue", {"kind": "pue"}),
    ("region=gcp/europe-west4", {"region__slug": "gcp/europe-west4"}),
    ("accelerator=nvidia-h100-sxm", {"accelerator__slug": "nvidia-h100-sxm"}),
    ("model=meta/llama-3.1-8b", {"ai_model__slug": "meta/llama-3.1-8b"}),
    ("subject_type=region", {"region__isnull": False}),
    ("source=google-test", {"source__key": "google-test"}),
    ("zone=FRA&kind=grid_intensity_location", {"zone__code": "FRA", "kind": "grid_intensity_location"}),
])  # fmt: skip
def test_factors_filter_by_each_parameter(api, catalogue, query, expected):
    found = ids(api.get(f"/api/v1/factors/?{query}"))
    assert found == set(EmissionFactor.objects.filter(**expected).values_list("pk", flat=True))
    assert found, "every filter of the test selects something"


def test_in_force_on_gives_the_approved_factor_of_that_day(api, catalogue):
    rows = results(api.get("/api/v1/factors/?zone=FRA&kind=grid_intensity_location&in_force_on=2023-06-30"))
    assert [row["value"] for row in rows] == [56.0]
    rows = results(api.get("/api/v1/factors/?zone=FRA&kind=grid_intensity_location&in_force_on=2024-01-01"))
    assert [row["value"] for row in rows] == [44.0]  # the 2023 value ends where 2024 starts


def test_factors_order_by_value_descending(api, catalogue):
    values = [row["value"] for row in results(api.get("/api/v1/factors/?kind=grid_intensity_location&ordering=-value"))]
    assert values == sorted(EmissionFactor.objects.filter(kind="grid_intensity_location").values_list("value",
                                                                                                    flat=True),
                            reverse=True)  # fmt: skip


@pytest.mark.parametrize("query, field, says", [
    ("zone=ATL", "zone", "Unknown grid zone “ATL”"),
    ("kind=happiness", "kind", "Unknown kind “happiness”"),
    ("status=pending", "status", "Unknown status “pending”"),
    ("subject_type=planet", "subject_type", "Unknown subject type “planet”"),
    ("in_force_on=2023-13-01", "in_force_on", "date"),
    ("model=meta", "model", "Unknown model “meta”"),
    ("source=wikipedia", "source", "Unknown source “wikipedia”"),
])  # fmt: skip
def test_a_bad_factor_filter_is_a_400_naming_it(api, catalogue, query, field, says):
    response = api.get(f"/api/v1/factors/?{query}")
    assert response.status_code == 400
    assert says in problems(response)[field]


def test_a_factor_history_lists_each_change_newest_first(api, catalogue, curator):
    draft = fra_draft(39.0)
    factor_approve(factor=draft, user=curator)
    rows = results(api.get(f"/api/v1/factors/{draft.pk}/history/"))
    assert [(row["change"], row["status"], row["reason"]) for row in rows] == [
        ("changed", "approved", "Approved"),
        ("created", "draft", None),
    ]
    assert rows[0]["version"] == EmissionFactor.history.filter(id=draft.pk).latest("history_id").history_id
    assert rows[0]["version"] > rows[1]["version"] and rows[0]["value"] == 39.0


def test_the_history_of_a_draft_is_not_public_and_of_nothing_is_a_404(api, catalogue):
    assert api.get(f"/api/v1/factors/{fra_draft().pk}/history/").status_code == 404
    response = api.get("/api/v1/factors/999999/history/")
    assert response.status_code == 404 and "999999" in problems(response)["id"]


def test_sources_list_filter_and_detail(api, catalogue):
    assert [row["key"] for row in results(api.get("/api/v1/sources/"))] == sorted(
        Source.objects.values_list("key", flat=True)
    )
    assert [row["key"] for row in results(api.get("/api/v1/sources/?publisher=embe"))] == ["ember-test"]
    assert api.get("/api/v1/sources/meta-test/").json()["publisher"] == "Meta"
    assert "wikipedia" in problems(api.get("/api/v1/sources/wikipedia/"))["key"]


@pytest.mark.parametrize("url, queries", [("/api/v1/factors/", 2), ("/api/v1/sources/", 2),
                                          ("/api/v1/factors/{id}/history/", 3)])  # fmt: skip
def test_factor_lists_read_a_fixed_number_of_queries(api, catalogue, django_assert_max_num_queries, url, queries):
    """Factors: count + page, subjects and sources joined (18 rows here); history: the factor, count, page."""
    url = url.format(id=EmissionFactor.objects.first().pk)
    with django_assert_max_num_queries(queries):
        assert api.get(url).status_code == 200
