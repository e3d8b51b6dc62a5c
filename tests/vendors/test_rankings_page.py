"""/rankings/: every filter, sorting, the chart data, the CSV (exactly the table, formulas neutralised), bad
parameters (400 with a message, never 500), empty states, and queries that do not grow with the catalogue."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.contrib.staticfiles import finders

from tests.vendors.dashboard_catalogue import load_dashboard_catalogue, ranking_table_text
from vendors.models import AIModel, Vendor

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(catalogue_dir):
    load_dashboard_catalogue(catalogue_dir)


def chart_data(page: str) -> dict:
    found = re.search(r'<script id="ranking-data" type="application/json">(.*?)</script>', page, re.S)
    assert found, "the chart data are missing"
    return json.loads(found.group(1))


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_default_ranking_lists_text_models_lowest_first_with_units_and_a_chart(client, catalogue):
    response = client.get("/rankings/")
    page = response.content.decode()
    assert response.status_code == 200
    table = ranking_table_text(page)
    assert table[0] == ["Rank", "Model", "Vendor", "Region", "Label", "Low, g CO₂e", "Central, g CO₂e",
                        "High, g CO₂e"]  # fmt: skip
    assert [row[1] for row in table[1:]] == ["Llama 3.1 8B", "Gemini Small Test", "Gemini Test"]
    assert [row[4] for row in table[1:]] == ["C", "D", "G"]
    assert table[3][3] == "gcp/europe-west4"  # Gemini Test in its first serving region by slug
    assert "g CO₂e per typical request" in page and "1,000 input + 400 output tokens" in page
    data = chart_data(page)
    assert data["labels"] == ["Llama 3.1 8B", "Gemini Small Test", "Gemini Test"]
    assert all(low <= central <= high for low, central, high in zip(data["low"], data["central"], data["high"],
                                                                    strict=True))  # fmt: skip
    assert data["axis"] == "g CO₂e per typical request (location-based)"


def test_plotly_comes_from_our_static_files_never_a_cdn(client, catalogue):
    page = client.get("/rankings/").content.decode()
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert scripts == ["/static/plotly/plotly.min.js", "/static/js/charts.js"]
    assert finders.find("plotly/plotly.min.js") and finders.find("js/charts.js")
    assert "cdn" not in page.lower()


def test_the_navigation_links_the_new_pages(client, catalogue):
    page = client.get("/rankings/").content.decode()
    assert '<a href="/rankings/" aria-current="page">Rankings</a>' in page
    assert '<a href="/methodology/"' in page


@pytest.mark.parametrize("query, names, heading", [
    ("task=image-generation&metric=co2e_per_image", ["Imagen Test", "SD Test"], "g CO₂e per image"),
    ("task=image-generation&metric=water_per_request", ["Imagen Test", "SD Test"], "mL per typical request"),
    ("metric=energy_per_request", ["Llama 3.1 8B", "Gemini Small Test", "Gemini Test"], "Wh per typical request"),
    ("metric=co2e_per_1k_output_tokens&basis=market", ["Llama 3.1 8B", "Gemini Small Test", "Gemini Test"],
     "per 1,000 output tokens"),
    ("region=gcp/us-east4", ["Llama 3.1 8B", "Gemini Small Test", "Gemini Test"], "served from gcp/us-east4"),
    ("zone=NLD", ["Gemini Test"], "served from grid zone NLD"),
    ("open_weights=on", ["Llama 3.1 8B"], "open-weights models only"),
    ("group=vendor", ["Meta", "Google"], "the median of its models"),
])  # fmt: skip
def test_every_filter_narrows_or_changes_the_ranking(client, catalogue, query, names, heading):
    response = client.get(f"/rankings/?{query}")
    page = response.content.decode()
    assert response.status_code == 200
    assert [row[1] for row in ranking_table_text(page)[1:]] == names
    assert heading in page


def test_sorting_by_a_column_sets_aria_sort_and_the_link_toggles_it(client, catalogue):
    page = client.get("/rankings/?sort=-central").content.decode()
    assert [row[1] for row in ranking_table_text(page)[1:]] == ["Gemini Test", "Gemini Small Test", "Llama 3.1 8B"]
    assert page.count("aria-sort=") == 1
    central = re.search(r'<th scope="col" aria-sort="descending" class="num">\s*<a href="([^"]+)"', page)
    assert central and "sort=central" in central.group(1) and "sort=-central" not in central.group(1)
    by_name = client.get("/rankings/?sort=model").content.decode()
    assert [row[1] for row in ranking_table_text(by_name)[1:]] == ["Gemini Small Test", "Gemini Test", "Llama 3.1 8B"]
    assert 'aria-sort="ascending"' in by_name


@pytest.mark.parametrize("query", ["", "sort=-high", "group=vendor", "task=image-generation&metric=co2e_per_image",
                                   "basis=market&metric=co2e_per_1k_output_tokens&sort=vendor"])  # fmt: skip
def test_the_csv_holds_exactly_what_the_table_shows(client, catalogue, query):
    table = ranking_table_text(client.get(f"/rankings/?{query}").content.decode())
    rows = csv_rows(client.get(f"/rankings/?{query}&format=csv"))
    assert rows == table
    assert len(rows) > 1


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_neutralised(client, catalogue):
    Vendor.objects.filter(slug="meta").update(name='=HYPERLINK("http://evil.example","x")')
    AIModel.objects.filter(slug="google/gemini-test").update(name="@SUM(A1:A9)")
    AIModel.objects.filter(slug="google/gemini-small-test").update(name="+cmd|' /C calc'!A0")
    rows = csv_rows(client.get("/rankings/?format=csv"))
    cells = [cell for row in rows for cell in row]
    assert '\'=HYPERLINK("http://evil.example","x")' in cells
    assert "'@SUM(A1:A9)" in cells and "'+cmd|' /C calc'!A0" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    page = client.get("/rankings/").content.decode()
    assert "=HYPERLINK(&quot;http://evil.example&quot;,&quot;x&quot;)" in page  # shown as text, escaped


@pytest.mark.parametrize("query, parameter", [
    ("task=poetry", "task"), ("metric=vibes", "metric"), ("basis=hope", "basis"), ("region=gcp/mars-1", "region"),
    ("zone=ATLANTIS", "zone"), ("sort=colour", "sort"), ("group=family", "group"),
    ("metric=co2e_per_image", "metric"), ("region=gcp/us-east4&zone=USA", "zone"), ("format=xlsx", "format"),
    ("task=%00%ff", "task"), ("region=%3Cscript%3E", "region"),
])  # fmt: skip
def test_a_bad_parameter_is_a_400_naming_it_on_the_page_and_in_csv(client, catalogue, query, parameter):
    response = client.get(f"/rankings/?{query}")
    page = response.content.decode()
    assert response.status_code == 400
    assert re.search(rf"<li>{parameter}: [^<]+</li>", page)
    assert "<script>" not in page.split("</nav>", 2)[-1]  # what was typed is escaped
    if parameter != "format":
        as_csv = client.get(f"/rankings/?{query}&format=csv")
        assert as_csv.status_code == 400 and as_csv["Content-Type"].startswith("text/plain")
        assert as_csv.content.decode().startswith(f"{parameter}: ")


def test_the_form_never_resubmits_an_unknown_task(client, catalogue):
    page = client.get("/rankings/?task=poetry").content.decode()
    assert '<input type="hidden" name="task" value="text-generation">' in page


def test_filters_that_match_nothing_say_so(client, catalogue):
    response = client.get("/rankings/?zone=NLD&open_weights=on")
    page = response.content.decode()
    assert response.status_code == 200
    assert "No text generation models match these filters." in page
    assert "ranking-data" not in page and "plotly.min.js" not in page


def test_an_empty_catalogue_shows_the_empty_state_not_an_error(client):
    response = client.get("/rankings/")
    assert response.status_code == 200
    assert "No text generation models match these filters." in response.content.decode()


@pytest.mark.parametrize("query", ["", "group=vendor", "region=gcp/us-east4", "zone=USA", "format=csv", "task=poetry"])
def test_the_page_reads_a_handful_of_queries(client, catalogue, django_assert_max_num_queries, query):
    with django_assert_max_num_queries(15):
        client.get(f"/rankings/?{query}")


def test_the_number_of_queries_does_not_grow_with_the_catalogue(client, catalogue, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get("/rankings/")
    llama = AIModel.objects.get(slug="meta/llama-3.1-8b")
    footprint = llama.footprints.get()
    for i in range(4):
        clone = AIModel.objects.create(vendor=llama.vendor, slug=f"meta/clone-{i}", name=f"Clone {i}",
                                       task=llama.task, architecture="dense", source=llama.source)  # fmt: skip
        footprint.pk = None
        footprint.ai_model = clone
        footprint.save()
    with django_assert_num_queries(len(before)):
        page = client.get("/rankings/").content.decode()
    assert len(ranking_table_text(page)) == 1 + 3 + 4
