"""/compare/: the figures of each model equal its stored footprint, the sentences say the right ratio, the quality
scatter names its benchmark and its Pareto frontier, the form works without JavaScript, every bad selection is a
400 naming the problem, and the page reads a handful of queries."""

from __future__ import annotations

import json
import re

import pytest

from emissions.models import ModelFootprint
from emissions.rankings import format_value
from tests.vendors.dashboard_catalogue import load_dashboard_catalogue
from vendors.models import AIModel, QualityScore

pytestmark = pytest.mark.django_db

LLAMA, GEMINI, SMALL, SD = "meta/llama-3.1-8b", "google/gemini-test", "google/gemini-small-test", "stability/sd-test"
TEXT_TRIO = f"/compare/?models={LLAMA},{GEMINI},{SMALL}"


@pytest.fixture
def catalogue(catalogue_dir):
    load_dashboard_catalogue(catalogue_dir)


def chart(page: str) -> dict:
    found = re.search(r'<script id="compare-data" type="application/json">(.*?)</script>', page, re.S)
    assert found, "the chart data are missing"
    return json.loads(found.group(1))


def panel(page: str, key: str) -> dict:
    return next(p for p in chart(page)["panels"] if p["key"] == key)


def default_footprint(slug: str) -> ModelFootprint:
    """The footprint that stands for a model: its first serving region by slug, else the world average."""
    footprints = ModelFootprint.objects.filter(ai_model__slug=slug).select_related("region", "rate")
    return sorted(footprints, key=lambda f: (f.region is not None, f.region.slug if f.region else ""))[0]


def co2e_g(slug: str, side: str = "", market: bool = False) -> float:
    f = default_footprint(slug)
    operational = getattr(f, ("operational_co2e_market_kg" if market else "operational_co2e_kg") + side)
    return (operational + getattr(f, "embodied_co2e_kg" + side)) * 1000


def test_the_figures_are_each_models_stored_footprint_in_its_default_place(client, catalogue):
    response = client.get(TEXT_TRIO)
    page = response.content.decode()
    assert response.status_code == 200
    co2e = panel(page, "co2e_per_request")
    assert co2e["names"] == ["Llama 3.1 8B", "Gemini Test", "Gemini Small Test"]
    location, market = co2e["series"]
    assert (location["name"], market["name"]) == ("location-based", "market-based")
    for i, slug in enumerate((LLAMA, GEMINI, SMALL)):
        assert location["central"][i] == pytest.approx(co2e_g(slug))
        assert location["low"][i] == pytest.approx(co2e_g(slug, "_low"))
        assert location["high"][i] == pytest.approx(co2e_g(slug, "_high"))
        assert market["central"][i] == pytest.approx(co2e_g(slug, market=True))
        f = default_footprint(slug)
        assert panel(page, "energy_per_request")["series"][0]["central"][i] == pytest.approx(f.energy_kwh * 1000)
        assert panel(page, "water_per_request")["series"][0]["central"][i] == pytest.approx(f.water_l * 1000)
        per_1k = (f.rate.operational_co2e_kg_per_output_token + f.rate.embodied_co2e_kg_per_output_token) * 1e6
        assert panel(page, "co2e_per_1k_output_tokens")["series"][0]["central"][i] == pytest.approx(per_1k)
    assert "gcp/europe-west4" in page  # Gemini Test in its first serving region by slug
    assert f"{format_value(co2e_g(LLAMA))} <small>({format_value(co2e_g(LLAMA, '_low'))}–" in page  # table fallback


def test_the_sentences_give_the_ratio_of_central_figures_lowest_first(client, catalogue):
    page = client.get(TEXT_TRIO).content.decode()
    energy = {slug: default_footprint(slug).energy_kwh for slug in (LLAMA, GEMINI, SMALL)}
    lowest = min(energy, key=energy.get)
    names = {LLAMA: "Llama 3.1 8B", GEMINI: "Gemini Test", SMALL: "Gemini Small Test"}
    for slug in energy:
        if slug != lowest:
            ratio = format_value(energy[slug] / energy[lowest], 2)
            assert f"{names[lowest]} uses {ratio}× less energy per request than {names[slug]}" in page
    ratio = format_value(co2e_g(GEMINI) / co2e_g(LLAMA), 2)
    assert f"Llama 3.1 8B emits {ratio}× less CO₂e per request (location-based) than Gemini Test" in page


def test_metrics_that_do_not_apply_leave_a_model_out_and_mixed_tasks_are_flagged(client, catalogue):
    page = client.get(f"/compare/?models={LLAMA},{SD}").content.decode()
    assert panel(page, "co2e_per_1k_output_tokens")["names"] == ["Llama 3.1 8B"]  # text models only
    assert panel(page, "co2e_per_request")["names"] == ["Llama 3.1 8B", "SD Test"]
    assert "world average" in page and "one image" in page
    assert "These models do different tasks" in page


@pytest.fixture
def scores(catalogue):
    source = AIModel.objects.get(slug=LLAMA).source
    for slug, value in ((GEMINI, 80.0), (SMALL, 60.0)):
        QualityScore.objects.create(model=AIModel.objects.get(slug=slug), benchmark="MMLU", value=value, source=source)
    QualityScore.objects.create(model=AIModel.objects.get(slug=SMALL), benchmark="GPQA", value=30.0, source=source)


def test_the_quality_scatter_uses_the_most_shared_benchmark_and_marks_the_pareto_frontier(client, scores):
    page = client.get(TEXT_TRIO).content.decode()
    quality = chart(page)["quality"]
    assert quality["benchmark"] == "MMLU" and "Score on <strong>MMLU</strong>" in page
    points = dict(zip(quality["names"], zip(quality["central"], quality["score"], quality["frontier"],
                                            strict=True), strict=True))  # fmt: skip
    assert points["Llama 3.1 8B"][:2] == (pytest.approx(co2e_g(LLAMA)), 69.4)
    for name, (x, y, on_frontier) in points.items():
        beaten = any(ox <= x and oy >= y and (ox, oy) != (x, y) for ox, oy, _ in points.values())
        assert on_frontier == (not beaten), name
    assert quality["frontier_x"] == sorted(quality["frontier_x"])
    assert len(quality["frontier_x"]) == sum(quality["frontier"])


def test_models_without_a_score_are_named_and_no_shared_benchmark_is_an_empty_state(client, catalogue):
    page = client.get(TEXT_TRIO).content.decode()  # only Llama has a score
    assert chart(page)["quality"]["benchmark"] is None
    assert "no benchmark has scores for at least two of these" in page
    source = AIModel.objects.get(slug=LLAMA).source
    QualityScore.objects.create(model=AIModel.objects.get(slug=GEMINI), benchmark="MMLU", value=80.0, source=source)
    page = client.get(TEXT_TRIO).content.decode()
    assert "(no MMLU score or no footprint): Gemini Small Test." in page


def test_the_form_works_without_javascript_and_redirects_to_the_address_to_share(client, catalogue):
    response = client.get(f"/compare/?models={LLAMA}&models={GEMINI}&models={SMALL}&models=")
    assert response.status_code == 302
    assert response["Location"] == TEXT_TRIO
    page = client.get(f"/compare/?models={LLAMA},{GEMINI}").content.decode()
    assert f'<input type="checkbox" name="models" value="{LLAMA}" checked>' in page
    select = page.split('id="c-add"', 1)[1].split("</select>", 1)[0]
    assert f'value="{SMALL}"' in select and f'value="{LLAMA}"' not in select  # only models not chosen yet
    assert f'href="/compare/?models={GEMINI}"' in page  # Llama's remove link keeps the others


def test_the_landing_page_invites_a_choice(client, catalogue):
    response = client.get("/compare/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose 2 to 6 models" in page and "compare-data" not in page and "plotly" not in page
    assert '<a href="/compare/" aria-current="page">Compare</a>' in page


@pytest.mark.parametrize("query, words", [
    (f"models={LLAMA}", "choose at least 2 models to compare (got 1)"),
    ("models=", "choose at least 2 models"),
    (f"models={LLAMA},{GEMINI},{SMALL},{SD},google/imagen-test,{LLAMA}x,a/b", "compare at most 6 models"),
    (f"models={LLAMA},{LLAMA}", "each model only once; repeated: meta/llama-3.1-8b"),
    (f"models={LLAMA},meta/llama-3.1-8", "unknown model “meta/llama-3.1-8”. Did you mean meta/llama-3.1-8b?"),
    (f"models={LLAMA},%3Cscript%3Ealert(1)%3C/script%3E", "unknown model “&lt;script&gt;alert(1)&lt;/script&gt;”"),
])  # fmt: skip
def test_a_bad_selection_is_a_400_that_says_what_is_wrong(client, catalogue, query, words):
    response = client.get(f"/compare/?{query}")
    page = response.content.decode()
    assert response.status_code == 400
    assert re.search(r"<li>models: [^<]*" + re.escape(words), page), page.split("errors", 1)[-1][:600]
    assert "<script>alert" not in page
    assert 'id="c-add"' in page  # the form is still there to fix the list


def test_plotly_and_the_chart_code_come_from_our_static_files(client, catalogue):
    page = client.get(TEXT_TRIO).content.decode()
    assert re.findall(r'<script src="([^"]+)"', page) == ["/static/plotly/plotly.min.js", "/static/js/compare.js"]
    assert "cdn" not in page.lower()


@pytest.mark.parametrize("query", ["", f"models={LLAMA},{GEMINI},{SMALL},{SD}", f"models={LLAMA}",
                                   f"models={LLAMA},nope/nope"])  # fmt: skip
def test_the_page_reads_a_handful_of_queries(client, scores, django_assert_max_num_queries, query):
    with django_assert_max_num_queries(15):
        assert client.get(f"/compare/?{query}").status_code in (200, 400)
