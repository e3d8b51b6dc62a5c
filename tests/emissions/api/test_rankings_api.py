"""GET /api/v1/rankings/: the /rankings/ page as data. Same filter set, so the same rows, ranks, grades and error
messages as the page for the same query string; figures checked against the stored footprints."""

from __future__ import annotations

import html
import re
import statistics

import pytest

from emissions.models import ModelFootprint
from emissions.rankings import format_value
from tests.emissions.api.api_helpers import contract_renewables, counted_queries, problems, results
from tests.vendors.dashboard_catalogue import ranking_table_text
from vendors.models import AIModel

pytestmark = pytest.mark.django_db
RANKINGS = "/api/v1/rankings/"


def default_place_g(model: AIModel, basis: str = "location") -> float:
    """Central g CO₂e per typical request in the model's first serving region by slug (world average if none)."""
    footprints = sorted(ModelFootprint.objects.filter(ai_model=model), key=lambda f: f.region.slug if f.region else "")
    operational = "operational_co2e_market_kg" if basis == "market" else "operational_co2e_kg"
    return (getattr(footprints[0], operational) + footprints[0].embodied_co2e_kg) * 1000


def test_the_default_ranks_text_models_by_central_g_co2e_per_request_lowest_first(api, catalogue):
    response = api.get(RANKINGS)
    rows = results(response)
    expected = sorted((default_place_g(m), m.slug) for m in AIModel.objects.filter(task="text-generation"))
    assert [row["model"]["slug"] for row in rows] == [slug for _, slug in expected]
    assert [row["central"] for row in rows] == pytest.approx([g for g, _ in expected])
    assert [row["rank"] for row in rows] == [1, 2, 3]
    assert all(row["low"] <= row["central"] <= row["high"] for row in rows)
    assert response.json()["selection"] == {
        "task": "text-generation", "metric": "co2e_per_request", "basis": "location", "region": None, "zone": None,
        "open_weights": False, "group": "model", "sort": "rank", "unit": "g CO₂e", "per": "per typical request",
        "typical_request": "1,000 input + 400 output tokens",
    }  # fmt: skip


def test_market_basis_ranks_by_market_based_figures(api, catalogue, curator):
    contract_renewables(region="gcp/us-east4", share=0.5, curator=curator)
    rows = results(api.get(f"{RANKINGS}?basis=market"))
    by_slug = {row["model"]["slug"]: row["central"] for row in rows}
    location = {row["model"]["slug"]: row["central"] for row in results(api.get(RANKINGS))}
    assert by_slug["meta/llama-3.1-8b"] < location["meta/llama-3.1-8b"]  # served from us-east4
    assert by_slug == pytest.approx({slug: default_place_g(AIModel.objects.get(slug=slug), "market")
                                     for slug in by_slug})  # fmt: skip


@pytest.mark.parametrize("query", [
    "", "sort=-central", "sort=model", "task=image-generation&metric=co2e_per_image", "metric=energy_per_request",
    "task=image-generation&metric=water_per_request", "metric=co2e_per_1k_output_tokens&basis=market",
    "region=gcp/us-east4", "zone=NLD", "open_weights=on", "group=vendor", "group=vendor&sort=-models",
])  # fmt: skip
def test_the_api_and_the_page_show_the_same_rows_for_the_same_query(api, client, catalogue, query):
    table = ranking_table_text(client.get(f"/rankings/?{query}").content.decode())[1:]
    rows = results(api.get(f"{RANKINGS}?{query}"))
    figures = [[format_value(row[side]) for side in ("low", "central", "high")] for row in rows]
    if "group=vendor" in query:
        api_rows = [[str(row["rank"]), row["vendor"]["name"], str(row["models"])] for row in rows]
        assert [cells[:3] for cells in table] == api_rows
    else:
        api_rows = [[str(row["rank"]), row["model"]["name"], row["vendor"]["name"], row["place"], row["grade"] or "—"]
                    for row in rows]  # fmt: skip
        assert [cells[:5] for cells in table] == api_rows
    assert [cells[-3:] for cells in table] == figures
    assert rows, "every query of the test ranks something"


def test_vendors_rank_by_the_median_of_their_models(api, catalogue):
    rows = results(api.get(f"{RANKINGS}?group=vendor"))
    expected = {}
    for model in AIModel.objects.filter(task="text-generation").select_related("vendor"):
        expected.setdefault(model.vendor.slug, []).append(default_place_g(model))
    assert {row["vendor"]["slug"]: row["central"] for row in rows} == pytest.approx(
        {vendor: statistics.median(values) for vendor, values in expected.items()}
    )
    assert {row["vendor"]["slug"]: row["models"] for row in rows} == {v: len(g) for v, g in expected.items()}
    assert all(row["model"] is None and row["grade"] is None for row in rows)


def test_sorting_reorders_rows_but_keeps_their_ranks(api, catalogue):
    ranked = results(api.get(RANKINGS))
    reversed_rows = results(api.get(f"{RANKINGS}?sort=-central"))
    assert reversed_rows == list(reversed(ranked))


PAGE_ERRORS = [
    ("task=poetry", "task"), ("metric=vibes", "metric"), ("basis=hope", "basis"), ("region=gcp/mars-1", "region"),
    ("zone=ATLANTIS", "zone"), ("sort=colour", "sort"), ("group=family", "group"),
    ("metric=co2e_per_image", "metric"), ("region=gcp/us-east4&zone=USA", "zone"), ("group=vendor&sort=region", "sort"),
]  # fmt: skip


@pytest.mark.parametrize("query, parameter", PAGE_ERRORS)
def test_a_bad_parameter_is_a_400_with_the_pages_own_message(api, client, catalogue, query, parameter):
    response = api.get(f"{RANKINGS}?{query}")
    assert response.status_code == 400
    page = client.get(f"/rankings/?{query}").content.decode()
    on_page = re.search(rf"<li>{parameter}: ([^<]+)</li>", page).group(1)
    assert problems(response)[parameter] == html.unescape(on_page)


def test_a_page_past_the_end_is_a_404_naming_the_page(api, catalogue):
    response = api.get(f"{RANKINGS}?page=2")
    assert response.status_code == 404 and "“2”" in problems(response)["page"]


def test_an_empty_selection_is_an_empty_ranking_not_an_error(api, catalogue):
    body = api.get(f"{RANKINGS}?zone=NLD&open_weights=on").json()
    assert (body["count"], body["results"]) == (0, [])


@pytest.mark.parametrize("query, queries", [("", 2), ("group=vendor", 2), ("region=gcp/us-east4", 4),
                                            ("zone=USA", 4)])  # fmt: skip
def test_a_ranking_reads_at_most_three_queries(api, catalogue, django_assert_max_num_queries, query, queries):
    """The ranking; the grades when it is not the one labels grade by; one lookup per region or zone given; and
    the catalogue version, read first (emissions.catalogue_version)."""
    with django_assert_max_num_queries(queries):
        assert api.get(f"{RANKINGS}?{query}").status_code == 200


def test_queries_do_not_grow_with_the_models_ranked(api, catalogue):
    with counted_queries() as few:
        api.get(RANKINGS)
    llama = AIModel.objects.get(slug="meta/llama-3.1-8b")
    footprint = llama.footprints.get()
    for i in range(60):
        clone = AIModel.objects.create(vendor=llama.vendor, slug=f"meta/clone-{i}", name=f"Clone {i}",
                                       task=llama.task, architecture="dense", source=llama.source)  # fmt: skip
        footprint.pk, footprint.ai_model = None, clone
        footprint.save()
    with counted_queries() as many:
        body = api.get(RANKINGS).json()
    assert body["count"] == 63 and len(body["results"]) == 50 and len(many) == len(few)
