"""/: what the product measures, headline comparisons and per-task extremes computed from stored footprints,
freshness, and the vendor list linking to vendor pages."""

from __future__ import annotations

import re

import pytest
from django.db.models import Max
from django.utils import timezone

from emissions.models import EmissionFactor, ModelFootprint
from emissions.rankings import format_value
from emissions.vendor_profile import Standing, energy_headlines, extremes
from tests.vendors.dashboard_catalogue import load_dashboard_catalogue
from vendors.models import AIModel

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(catalogue_dir):
    load_dashboard_catalogue(catalogue_dir)


def energy_wh(slug: str, region: str | None) -> float:
    return ModelFootprint.objects.get(ai_model__slug=slug, region__slug=region).energy_kwh * 1000


def extremes_of(page: str, task: str) -> dict[str, list[str]]:
    """Model names in the Lowest and Highest lists of a task's card."""
    card = page.split(f">{task}</a>", 1)[1].split("</article>", 1)[0]
    lists = dict(re.findall(r'<ol class="(best|worst)">(.*?)</ol>', card, re.S))
    return {key: re.findall(r'<a href="/models/[^"]+">([^<]+)</a>', html) for key, html in lists.items()}


def test_home_shows_catalogue_coverage_and_freshness(client, small_catalogue, django_assert_max_num_queries):
    with django_assert_max_num_queries(15):
        response = client.get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<dd>2 <small>over 1 tasks</small></dd>" in page
    assert "Factors as of" in page and "catalogue not loaded" not in page
    assert "Meta" in page and "2030" in page


def test_home_on_an_empty_database_explains_what_to_do(client):
    page = client.get("/").content.decode()
    assert "load_catalogue" in page
    assert "No vendors yet." in page
    assert "How far apart" not in page and "footprints computed" not in page


def test_the_headline_ratio_is_the_spread_of_stored_energy_per_request(client, catalogue):
    page = client.get("/").content.decode()
    # text: Llama 3.1 8B (us-east4) is the most efficient, Gemini Test (its default place europe-west4) the least
    ratio = energy_wh("google/gemini-test", "gcp/europe-west4") / energy_wh("meta/llama-3.1-8b", "gcp/us-east4")
    headline = re.search(r"The most efficient text generation model, (.*?)</li>", page, re.S).group(1)
    assert ">Llama 3.1 8B</a>" in headline and ">Gemini Test</a>" in headline
    assert f"uses <strong>{format_value(ratio, 2)}× less energy per request</strong>" in headline
    assert ratio > 1
    assert "The most efficient image generation model" in page  # SD Test and Imagen Test


def test_each_task_lists_its_lowest_and_highest_models_without_repeating_one(client, catalogue):
    page = client.get("/").content.decode()
    # three text models: all three are among the lowest three, so the highest list adds none
    assert extremes_of(page, "Text generation") == {"best": ["Llama 3.1 8B", "Gemini Small Test", "Gemini Test"]}
    image = extremes_of(page, "Image generation")
    assert len(image["best"]) == 2 and "worst" not in image
    assert '<a href="/models/meta/llama-3.1-8b/">Llama 3.1 8B</a>' in page
    assert '<span class="grade grade-C">C</span> <a href="/models/meta/llama-3.1-8b/">' in page  # its label


def test_with_more_than_six_models_the_highest_three_come_highest_first():
    rows = [Standing(model=None, region_label="", co2e=(i, i, i), energy=(i, i, i)) for i in range(8)]
    best, worst = extremes(rows)
    assert [r.co2e[1] for r in best] == [0, 1, 2] and [r.co2e[1] for r in worst] == [7, 6, 5]


def test_freshness_names_the_latest_approval_and_the_latest_computation(client, catalogue):
    page = client.get("/").content.decode()
    approved = EmissionFactor.objects.aggregate(latest=Max("approved_at"))["latest"]
    computed = max(footprint.rate.computed_at for footprint in ModelFootprint.objects.select_related("rate"))
    assert f"Factors as of {timezone.localtime(approved):%-d %B %Y}" in page
    assert f"footprints computed {timezone.localtime(computed):%-d %B %Y, %H:%M}" in page


def test_vendors_link_to_their_pages(client, catalogue):
    page = client.get("/").content.decode()
    assert '<a href="/vendors/google/">Google</a>' in page
    assert client.get("/vendors/google/").status_code == 200


def test_models_that_cannot_be_told_apart_are_called_a_tie_not_one_times_less():
    def standing(energy: float) -> Standing:
        model = AIModel(name=f"M{energy}", task="speech-to-text")
        return Standing(model=model, region_label="", co2e=(1, 1, 1), energy=(energy, energy, energy))

    (same,) = energy_headlines({"speech-to-text": [standing(0.141), standing(0.141)]})
    (apart,) = energy_headlines({"speech-to-text": [standing(0.1), standing(0.3)]})
    assert same.is_tie and not apart.is_tie and apart.ratio == pytest.approx(3)
