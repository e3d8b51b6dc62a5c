"""/models/<vendor>/<model>/: the label, figures on both bases with ranges, breakdown, places, factors with their
sources, training reported versus estimated, history; 404 for unknown models and 400 for an unknown place."""

from __future__ import annotations

import json
import re

import pytest

from emissions.models import ModelFootprint
from emissions.rankings import format_count, format_value
from tests.vendors.dashboard_catalogue import load_dashboard_catalogue, run_pending_jobs
from vendors.models import AIModel

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(catalogue_dir):
    load_dashboard_catalogue(catalogue_dir)


def page_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def grams(kg: float) -> str:
    return format_value(kg * 1000)


def test_a_text_model_page_shows_its_label_and_figures_on_both_bases(client, catalogue):
    page = page_of(client, "/models/google/gemini-test/")
    stored = ModelFootprint.objects.get(ai_model__slug="google/gemini-test", region__slug="gcp/europe-west4")
    assert "<h1>Gemini Test" in page
    assert 'role="img"' in page and "Carbon label G: Gemini Test" in page  # the label, inline
    assert "served from <strong>gcp/europe-west4</strong>" in page
    location = grams(stored.operational_co2e_kg + stored.embodied_co2e_kg)
    market = grams(stored.operational_co2e_market_kg + stored.embodied_co2e_kg)
    low = grams(stored.operational_co2e_kg_low + stored.embodied_co2e_kg_low)
    high = grams(stored.operational_co2e_kg_high + stored.embodied_co2e_kg_high)
    assert f"<strong>{location} g CO₂e</strong> ({low}–{high})" in page
    assert f"<strong>{market} g CO₂e</strong>" in page
    assert "CO₂e per 1,000 output tokens" in page
    assert f"<strong>{format_value(stored.energy_kwh * 1000)} Wh</strong>" in page
    assert f"<strong>{format_value(stored.water_l * 1000)} mL</strong>" in page
    assert "CO₂e per image" not in page


def test_the_breadcrumb_leads_to_the_rankings_of_the_task_and_to_the_vendor(client, catalogue):
    page = page_of(client, "/models/google/gemini-test/")
    assert '<a href="/rankings/?task=text-generation">Rankings</a>' in page
    assert '<a href="/vendors/google/">Google</a>' in page


def test_the_breakdown_splits_energy_and_co2e_and_keeps_training_apart(client, catalogue):
    page = page_of(client, "/models/meta/llama-3.1-8b/")
    stored = ModelFootprint.objects.get(ai_model__slug="meta/llama-3.1-8b")
    parts = stored.breakdown["breakdown"]
    for label, key in (("Accelerators", "accelerator_kwh"), ("Host", "host_kwh"),
                       ("Cooling and power", "facility_overhead_kwh")):  # fmt: skip
        assert re.search(rf"{label}[^<]*</th><td class=\"num\">{re.escape(format_value(parts[key] * 1000))} Wh", page)
    assert f"{grams(stored.embodied_co2e_kg)} g CO₂e" in page
    assert "Training is not in these figures." in page


def test_every_factor_is_listed_with_its_source_and_version(client, catalogue):
    page = page_of(client, "/models/meta/llama-3.1-8b/")
    stored = ModelFootprint.objects.get(ai_model__slug="meta/llama-3.1-8b")
    factors = stored.breakdown["factors"]
    assert factors
    for ref in factors:
        assert ref["source"].replace("'", "&#x27;") in page
        if ref.get("id"):
            assert f"factor #{ref['id']}, version {ref['version']}" in page


def test_a_source_link_that_is_not_http_is_shown_as_text_only(client, catalogue):
    stored = ModelFootprint.objects.get(ai_model__slug="meta/llama-3.1-8b")
    stored.breakdown["factors"][0]["source_url"] = "javascript:alert(1)"
    stored.save(update_fields=["breakdown"])
    page = page_of(client, "/models/meta/llama-3.1-8b/")
    assert "javascript:" not in page


def test_training_shows_what_the_maker_reported_beside_our_estimate(client, catalogue):
    page = page_of(client, "/models/meta/llama-3.1-8b/")
    run = AIModel.objects.get(slug="meta/llama-3.1-8b").training_runs.select_related("footprint").get()
    assert "reported by its maker versus our estimate" in page
    assert re.search(r"CO₂e location-based, t</th><td class=\"num\">420</td>", page)
    estimate = format_value(run.footprint.operational_co2e_kg / 1000)
    assert re.search(rf"<td class=\"num\">{re.escape(estimate)} \(", page)
    assert 'Energy, MWh</th><td class="num">not disclosed</td>' in page
    gemini = page_of(client, "/models/google/gemini-test/")
    assert "Google has disclosed no training run of this model." in gemini


def test_training_is_spread_per_request_at_illustrative_lifetimes_with_its_break_even(client, catalogue):
    page = page_of(client, "/models/meta/llama-3.1-8b/")
    run = AIModel.objects.get(slug="meta/llama-3.1-8b").training_runs.select_related("footprint").get().footprint
    request = ModelFootprint.objects.get(ai_model__slug="meta/llama-3.1-8b")
    training_kg = run.operational_co2e_kg + run.embodied_co2e_kg
    per_request_kg = request.operational_co2e_kg + request.embodied_co2e_kg
    assert f"inference of <strong>{format_count(training_kg / per_request_kg)}</strong> typical requests" in page
    for requests, words in ((1e9, "1 billion"), (1e10, "10 billion"), (1e11, "100 billion")):
        share = format_value(training_kg * 1000 / requests)
        assert re.search(rf"{words}</th><td class=\"num\">{re.escape(share)} g CO₂e \(", page), words
    assert "illustrations, not estimates" in page


def test_the_history_chart_has_one_point_per_version(client, catalogue):
    page = page_of(client, "/models/meta/llama-3.1-8b/")
    found = re.search(r'<script id="history-data" type="application/json">(.*?)</script>', page, re.S)
    history = json.loads(found.group(1))
    stored = ModelFootprint.objects.get(ai_model__slug="meta/llama-3.1-8b")
    versions = list(stored.versions.all())
    assert len(history) == len(versions) >= 1
    assert history[-1]["central"] == pytest.approx(versions[-1].total_co2e_kg * 1000)
    assert history[-1]["low"] <= history[-1]["central"] <= history[-1]["high"]
    assert '<script src="/static/plotly/plotly.min.js" defer></script>' in page


def test_another_serving_region_can_be_chosen_and_all_places_are_compared(client, catalogue):
    page = page_of(client, "/models/google/gemini-test/?region=gcp/us-east4")
    stored = ModelFootprint.objects.get(ai_model__slug="google/gemini-test", region__slug="gcp/us-east4")
    assert "served from <strong>gcp/us-east4</strong>" in page
    assert f"<strong>{grams(stored.operational_co2e_kg + stored.embodied_co2e_kg)} g CO₂e</strong>" in page
    assert page.count('href="?region=gcp/') == 2  # the places table links both


def test_an_image_model_without_a_region_shows_per_image_figures_on_the_world_average(client, catalogue):
    page = page_of(client, "/models/stability/sd-test/")
    assert "CO₂e per image" in page and "CO₂e per 1,000 output tokens" not in page
    assert "served from <strong>world average</strong>" in page
    assert "one image" in page


def test_a_model_whose_footprint_is_not_computed_yet_says_so(client, small_catalogue):
    page = page_of(client, "/models/meta/llama-3.1-8b/")
    assert "Not rated yet" in page  # the label
    assert "No footprint has been computed for this model yet." in page
    assert "history-data" not in page and "Factors used" not in page
    run_pending_jobs()
    page = page_of(client, "/models/meta/llama-3.1-8b/")
    assert "Not rated yet" not in page and "No footprint has been computed" not in page


@pytest.mark.parametrize("url", ["/models/meta/llama-9/", "/models/nobody/llama-3.1-8b/", "/models/META/llama-3.1-8b/",
                                 "/models/meta/llama-3.1-8b/extra/"])  # fmt: skip
def test_an_unknown_model_is_a_404(client, catalogue, url):
    assert client.get(url).status_code == 404


def test_an_unknown_place_is_a_400_naming_the_parameter(client, catalogue):
    response = client.get("/models/google/gemini-test/?region=gcp/mars-1")
    assert response.status_code == 400
    assert "region: “gcp/mars-1” is not a place" in response.content.decode()


@pytest.mark.parametrize("url", ["/models/meta/llama-3.1-8b/", "/models/google/gemini-test/?region=gcp/us-east4",
                                 "/models/stability/sd-test/"])  # fmt: skip
def test_the_model_page_reads_a_handful_of_queries(client, catalogue, django_assert_max_num_queries, url):
    with django_assert_max_num_queries(15):
        assert client.get(url).status_code == 200
