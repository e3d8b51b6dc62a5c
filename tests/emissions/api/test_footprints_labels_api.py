"""Stored model footprints (/api/v1/footprints/, /api/v1/models/<vendor>/<model>/footprints/) and carbon labels
(/api/v1/labels/): figures as stored, on both bases with ranges; grades checked against the documented scale."""

from __future__ import annotations

import statistics

import pytest
from django.utils import timezone

from emissions.models import FootprintRate, ModelFootprint
from tests.emissions.api.api_helpers import contract_renewables, counted_queries, problems, results
from vendors.models import AIModel

pytestmark = pytest.mark.django_db

# docs/methodology.md, "Carbon labels": model / task median, A ≤ 0.25 < B ≤ 0.5 < C ≤ 0.8 < D ≤ 1.25 < E ≤ 2 < F ≤ 4 < G
DOCUMENTED_SCALE = [(0.25, "A"), (0.5, "B"), (0.8, "C"), (1.25, "D"), (2.0, "E"), (4.0, "F")]


def documented_grade(ratio: float) -> str:
    return next((grade for bound, grade in DOCUMENTED_SCALE if ratio <= bound), "G")


def place_of(row: dict) -> tuple[str, str | None]:
    return row["model"]["slug"], row["region"]


# -- footprints ----------------------------------------------------------------------------------------------------


def test_every_footprint_reads_as_stored_with_both_bases_and_ranges(api, catalogue, curator):
    contract_renewables(region="gcp/us-east4", share=0.5, curator=curator)
    rows = results(api.get("/api/v1/footprints/"))
    east = [row for row in rows if row["region"] == "gcp/us-east4"]
    assert east and all(row["co2e_kg"]["market"]["central"] < row["co2e_kg"]["location"]["central"] for row in east)
    stored = {(f.ai_model.slug, f.region.slug if f.region else None): f
              for f in ModelFootprint.objects.select_related("ai_model", "region")}  # fmt: skip
    assert {place_of(row) for row in rows} == set(stored)
    for row in rows:
        footprint = stored[place_of(row)]
        for side, suffix in (("low", "_low"), ("central", ""), ("high", "_high")):
            operational = getattr(footprint, f"operational_co2e_kg{suffix}")
            market = getattr(footprint, f"operational_co2e_market_kg{suffix}")
            embodied = getattr(footprint, f"embodied_co2e_kg{suffix}")
            assert row["co2e_kg"]["location"][side] == pytest.approx(operational + embodied)
            assert row["co2e_kg"]["market"][side] == pytest.approx(market + embodied)
            assert row["operational_co2e_kg"]["market"][side] == pytest.approx(market)
            assert row["energy_kwh"][side] == pytest.approx(getattr(footprint, f"energy_kwh{suffix}"))
            assert row["water_l"][side] == pytest.approx(getattr(footprint, f"water_l{suffix}"))
        assert row["energy_kwh"]["low"] <= row["energy_kwh"]["central"] <= row["energy_kwh"]["high"]
        assert row["typical_request"]["output_tokens"] == footprint.output_tokens
        assert row["place"] == (row["region"] or "world average") and row["is_stale"] is False


@pytest.mark.parametrize("query, expected", [
    ("model=google/gemini-test", {"ai_model__slug": "google/gemini-test"}),
    ("vendor=google", {"ai_model__vendor__slug": "google"}),
    ("task=image-generation", {"ai_model__task": "image-generation"}),
    ("region=gcp/europe-west4", {"region__slug": "gcp/europe-west4"}),
    ("zone=US-MIDA-PJM", {"region__zone__code": "US-MIDA-PJM"}),
    ("open_weights=true", {"ai_model__open_weights": True}),
    ("stale=false", {}),
])  # fmt: skip
def test_footprints_filter_by_each_parameter(api, catalogue, query, expected):
    found = {place_of(row) for row in results(api.get(f"/api/v1/footprints/?{query}"))}
    assert found == {
        (f.ai_model.slug, f.region.slug if f.region else None)
        for f in ModelFootprint.objects.filter(**expected).select_related("ai_model", "region")
    }
    assert found


def test_a_footprint_being_recomputed_says_so(api, catalogue):
    llama = ModelFootprint.objects.get(ai_model__slug="meta/llama-3.1-8b")
    FootprintRate.objects.filter(pk=llama.rate_id).update(stale_since=timezone.now())
    rows = results(api.get("/api/v1/footprints/?stale=true"))
    assert [(place_of(row), row["is_stale"]) for row in rows] == [(("meta/llama-3.1-8b", "gcp/us-east4"), True)]


def test_footprints_order_by_total_co2e_descending(api, catalogue):
    totals = [row["co2e_kg"]["location"]["central"] for row in results(api.get("/api/v1/footprints/?ordering=-co2e"))]
    assert totals == sorted(totals, reverse=True) and len(totals) == ModelFootprint.objects.count()


def test_a_footprint_not_computed_yet_has_no_figures(api, catalogue):
    ModelFootprint.objects.filter(ai_model__slug="stability/sd-test").update(energy_kwh=None)
    row = results(api.get("/api/v1/footprints/?model=stability/sd-test"))[0]
    assert row["energy_kwh"] is None and row["co2e_kg"]["location"]["central"] > 0  # the other metrics were stored


@pytest.mark.parametrize("query, field", [("model=meta", "model"), ("zone=XX", "zone"), ("stale=perhaps", "stale"),
                                          ("ordering=cost", "ordering"), ("task=chess", "task")])  # fmt: skip
def test_a_bad_footprint_filter_is_a_400_naming_it(api, catalogue, query, field):
    response = api.get(f"/api/v1/footprints/?{query}")
    assert response.status_code == 400 and field in problems(response)


def test_a_models_footprints_come_default_place_first(api, catalogue):
    response = api.get("/api/v1/models/google/gemini-test/footprints/")
    assert [row["region"] for row in response.json()] == ["gcp/europe-west4", "gcp/us-east4"]
    unplaced = api.get("/api/v1/models/stability/sd-test/footprints/").json()
    assert [(row["region"], row["place"]) for row in unplaced] == [(None, "world average")]
    missing = api.get("/api/v1/models/stability/sd-99/footprints/")
    assert missing.status_code == 404 and "stability/sd-99" in problems(missing)["model"]


@pytest.mark.parametrize("url, queries", [("/api/v1/footprints/", 3),
                                          ("/api/v1/models/google/gemini-test/footprints/", 3)])  # fmt: skip
def test_footprints_read_a_fixed_number_of_queries(api, catalogue, django_assert_max_num_queries, url, queries):
    """The catalogue version (emissions.catalogue_version), then two reads."""
    with django_assert_max_num_queries(queries):
        assert api.get(url).status_code == 200


# -- labels --------------------------------------------------------------------------------------------------------


def test_every_label_grades_its_model_against_the_median_of_its_task(api, catalogue):
    labels = {row["model"]: row for row in results(api.get("/api/v1/labels/"))}
    assert set(labels) == set(AIModel.objects.values_list("slug", flat=True))
    for task in ("text-generation", "image-generation"):
        graded = {slug: row for slug, row in labels.items() if row["task"] == task}
        centrals = {slug: sum_g(slug) for slug in graded}
        median = statistics.median(centrals.values())
        for slug, row in graded.items():
            assert row["central"] == pytest.approx(centrals[slug])
            assert row["ratio"] == pytest.approx(centrals[slug] / median)
            assert row["grade"] == documented_grade(centrals[slug] / median), slug
            assert (row["task_models"], row["unit"]) == (len(graded), "g CO₂e")


def sum_g(slug: str) -> float:
    """Central location-based g CO₂e per request in the model's default place (first region by slug)."""
    footprints = sorted(ModelFootprint.objects.filter(ai_model__slug=slug), key=lambda f: f.region.slug if f.region
                        else "")  # fmt: skip
    return (footprints[0].operational_co2e_kg + footprints[0].embodied_co2e_kg) * 1000


def test_the_label_list_filters_like_the_model_list(api, catalogue):
    assert [row["model"] for row in results(api.get("/api/v1/labels/?task=image-generation"))] == [
        "google/imagen-test",
        "stability/sd-test",
    ]
    assert [row["model"] for row in results(api.get("/api/v1/labels/?vendor=meta"))] == ["meta/llama-3.1-8b"]
    assert "vendor" in problems(api.get("/api/v1/labels/?vendor=nobody"))


def test_a_label_links_its_svg_and_page(api, catalogue):
    body = api.get("/api/v1/labels/meta/llama-3.1-8b/").json()
    svg = api.get(body["svg_url"])
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert f">{body['grade']}<" in svg.content.decode()
    assert api.get(body["page_url"]).status_code == 200
    assert body["summary"].startswith(f"Llama 3.1 8B: carbon label {body['grade']}")


def test_a_model_without_a_footprint_has_a_label_without_a_grade(api, catalogue):
    llama = AIModel.objects.get(slug="meta/llama-3.1-8b")
    AIModel.objects.create(vendor=llama.vendor, slug="meta/new-model", name="New", task=llama.task,
                           architecture="dense", source=llama.source)  # fmt: skip
    body = api.get("/api/v1/labels/meta/new-model/").json()
    assert (body["grade"], body["central"], body["ratio"]) == (None, None, None)
    assert "no carbon label yet" in body["summary"]
    assert api.get("/api/v1/labels/meta/nothing/").status_code == 404


def test_labels_read_one_query_per_task_on_the_page(api, catalogue):
    with counted_queries() as one_task:
        api.get("/api/v1/labels/?task=text-generation")
    with counted_queries() as two_tasks:
        api.get("/api/v1/labels/")
    assert len(two_tasks) == len(one_task) + 1 <= 5  # the catalogue version, count, page, the grades of each task
