"""/procurement/: the table's figures equal the stored rates times a year of the workload, the current choice and its
other regions are shown with savings, the CSV is exactly the table, the address is shareable, every bad field is a
400 naming it (never a 500), and the page reads a handful of queries."""

from __future__ import annotations

import csv
import io
import re

import pytest

from emissions.models import FootprintRate
from emissions.rankings import format_value
from tests.vendors.dashboard_catalogue import load_dashboard_catalogue, ranking_table_text

pytestmark = pytest.mark.django_db

WORKLOAD = "requests_per_month=20000&input_tokens=800&output_tokens=300&task=text-generation"
CURRENT = f"{WORKLOAD}&current=google/gemini-test&current_region=gcp/us-east4"


@pytest.fixture
def catalogue(catalogue_dir):
    load_dashboard_catalogue(catalogue_dir)


def table(page: str) -> list[list[str]]:
    return ranking_table_text(page)


def annual(rate: FootprintRate, column: str) -> float:
    requests = 12 * 20_000
    return requests * (800 * getattr(rate, f"{column}_per_input_token") + 300 * getattr(rate, f"{column}_per_output_"
                       "token") + getattr(rate, f"{column}_per_request"))  # fmt: skip


def test_the_figures_are_a_year_of_the_workload_times_the_stored_rates(client, catalogue):
    response = client.get(f"/procurement/?{WORKLOAD}")
    page = response.content.decode()
    assert response.status_code == 200
    rows = table(page)
    assert rows[0] == [
        "Rank",
        "Option",
        "Model",
        "Vendor",
        "Region",
        "Energy, kWh/yr",
        "CO₂e location-based, t/yr",
        "CO₂e market-based, t/yr",
        "Water, m³/yr",
        "CO₂e (location-based) low–high, t CO₂e/yr",
    ]
    assert len(rows) == 1 + 4
    for row in rows[1:]:
        rate = FootprintRate.objects.get(ai_model__name=row[2], region__slug=row[4])
        assert row[5] == format_value(annual(rate, "energy_kwh"))
        co2e = annual(rate, "operational_co2e_kg") + annual(rate, "embodied_co2e_kg")
        assert row[6] == format_value(co2e / 1000)
        assert row[7] == format_value((annual(rate, "operational_co2e_market_kg") + annual(rate, "embodied_co2e_kg"))
                                      / 1000)  # fmt: skip
        assert row[8] == format_value(annual(rate, "water_l") / 1000)
    assert "240,000 requests, 192 million input tokens, 72 million output tokens a year" in page


def test_the_current_choice_its_other_region_and_the_savings_are_shown(client, catalogue):
    page = client.get(f"/procurement/?{CURRENT}&rank_by=energy").content.decode()
    rows = {(row[2], row[4]): row for row in table(page)[1:]}
    header = table(page)[0]
    assert header[-2:] == ["Saving, kWh/yr", "Saving, %"]
    current = rows[("Gemini Test", "gcp/us-east4")]
    assert current[1] == "Current choice" and current[-2:] == ["—", "—"]
    assert rows[("Gemini Test", "gcp/europe-west4")][1] == "Same model, other region"
    llama = rows[("Llama 3.1 8B", "gcp/us-east4")]
    assert llama[1] == "Other model"
    east = FootprintRate.objects.get(ai_model__slug="google/gemini-test", region__slug="gcp/us-east4")
    mine = FootprintRate.objects.get(ai_model__slug="meta/llama-3.1-8b")
    saving = annual(east, "energy_kwh") - annual(mine, "energy_kwh")
    assert llama[-2] == format_value(saving)
    assert llama[-1] == f"{round(saving / annual(east, 'energy_kwh') * 100)} %"
    best = table(page)[1]
    assert f"Switching to {best[2]} in {best[4]} would cut energy use by {best[-2]} kWh a year" in page
    assert '<tr class="current">' in page


def test_the_csv_is_exactly_the_table(client, catalogue):
    for query in (WORKLOAD, CURRENT, f"{CURRENT}&rank_by=water", f"{WORKLOAD}&zone=US-MIDA-PJM"):
        page = client.get(f"/procurement/?{query}").content.decode()
        response = client.get(f"/procurement/?{query}&format=csv")
        assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == 'attachment; filename="ai-footprint-workload-options.csv"'
        assert list(csv.reader(io.StringIO(response.content.decode()))) == table(page)


def test_the_result_has_a_shareable_address_and_a_csv_link(client, catalogue):
    page = client.get(f"/procurement/?{CURRENT}").content.decode()
    share = re.search(r'<input id="p-share" type="url" value="([^"]+)"', page).group(1)
    assert share.startswith("http://testserver/procurement/?") and "current=google%2Fgemini-test" in share
    assert "format=csv" in re.search(r'<a href="([^"]+)" download>Download CSV', page).group(1)
    assert 'value="20000"' in page and '<option value="google/gemini-test" selected>' in page


def test_a_place_constraint_keeps_options_served_there_and_says_when_none_is(client, catalogue):
    rows = table(client.get(f"/procurement/?{WORKLOAD}&zone=NLD").content.decode())
    assert [row[4] for row in rows[1:]] == ["gcp/europe-west4"]
    images = "requests_per_month=10&input_tokens=0&output_tokens=1&task=image-generation&region=gcp/us-east4"
    response = client.get(f"/procurement/?{images}")
    assert response.status_code == 200
    assert "No option matches this workload." in response.content.decode()


def test_the_landing_page_shows_the_form_with_an_example_and_no_results(client, catalogue):
    response = client.get("/procurement/")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="1000000"' in page and "Describe your workload above" in page and "Download CSV" not in page
    assert '<a href="/procurement/" aria-current="page">Procurement</a>' in page


@pytest.mark.parametrize("change, label", [
    ("requests_per_month=-5", "Requests per month"),
    ("requests_per_month=0", "Requests per month"),
    ("requests_per_month=lots", "Requests per month"),
    ("requests_per_month=1e6", "Requests per month"),
    ("requests_per_month=10000000000000", "Requests per month"),
    ("requests_per_month=" + "9" * 5000, "Requests per month"),
    ("requests_per_month=", "Requests per month"),
    ("input_tokens=-1", "Average input tokens per request"),
    ("input_tokens=nan", "Average input tokens per request"),
    ("input_tokens=inf", "Average input tokens per request"),
    ("output_tokens=1e400", "Average output tokens (or units) per request"),
    ("output_tokens=%00", "Average output tokens (or units) per request"),
    ("task=poetry", "Task"),
    ("region=gcp/mars-1", "Only in region"),
    ("zone=ATLANTIS", "Only in grid zone"),
    ("region=gcp/us-east4&zone=USA", "Only in grid zone"),
    ("current=nope/nope", "Current model"),
    ("current=stability/sd-test", "Current model"),
    ("current_region=gcp/europe-west4&current=meta/llama-3.1-8b", "Current region"),
    ("current_region=gcp/us-east4", "Current region"),
    ("rank_by=vibes", "Rank by"),
])  # fmt: skip
def test_every_bad_field_is_a_400_naming_it_never_a_500(client, catalogue, change, label):
    key = change.split("=", 1)[0]
    field = "zone" if "zone=" in change else key  # a region and a zone together: the zone is the one refused
    query = "&".join(part for part in WORKLOAD.split("&") if not part.startswith(f"{key}=")) + "&" + change
    response = client.get(f"/procurement/?{query}")
    page = response.content.decode()
    assert response.status_code == 400
    assert re.search(rf'<li><a href="#p-{field}">{re.escape(label)}</a>: [^<]+</li>', page), page
    assert len(re.findall(r"<li><a href=\"#p-", page)) == 1  # only the bad field is named
    assert 'aria-invalid="true"' in page or key == "rank_by"
    assert "Download CSV" not in page
    as_csv = client.get(f"/procurement/?{query}&format=csv")
    assert as_csv.status_code == 400 and as_csv["Content-Type"] == "text/plain; charset=utf-8"


def test_an_unknown_format_or_a_csv_without_a_workload_is_a_400(client, catalogue):
    response = client.get(f"/procurement/?{WORKLOAD}&format=xlsx")
    assert response.status_code == 400 and "Unknown format “xlsx”" in response.content.decode()
    assert client.get("/procurement/?format=csv").status_code == 400


def test_the_headline_names_the_best_switch_or_says_the_current_choice_is_already_lowest(client, catalogue):
    ranked = table(client.get(f"/procurement/?{WORKLOAD}").content.decode())[1:]
    lowest, highest = ranked[0], ranked[-1]
    slugs = {"Llama 3.1 8B": "meta/llama-3.1-8b", "Gemini Test": "google/gemini-test",
             "Gemini Small Test": "google/gemini-small-test"}  # fmt: skip
    worst = client.get(f"/procurement/?{WORKLOAD}&current={slugs[highest[2]]}&current_region={highest[4]}")
    rows = table(worst.content.decode())
    assert (
        f"Switching to {lowest[2]} in {lowest[4]} would cut location-based CO₂e by {rows[1][-2]} t CO₂e a year "
        f"({rows[1][-1].removesuffix(' %')} %)." in worst.content.decode()
    )
    best = client.get(f"/procurement/?{WORKLOAD}&current={slugs[lowest[2]]}").content.decode()
    assert f"The current choice, {lowest[2]} · {lowest[4]}, already has the lowest location-based CO₂e" in best
    alone = client.get(f"/procurement/?{WORKLOAD}&current=meta/llama-3.1-8b&zone=NLD").content.decode()
    assert "already has the lowest location-based CO₂e of these options" in alone  # Llama is the lowest
    nowhere = "&current=google/gemini-test&current_region=gcp/us-east4&region=gcp/europe-west4&task=text-generation"
    only = client.get(f"/procurement/?requests_per_month=5&input_tokens=1&output_tokens=1{nowhere}").content.decode()
    moves = re.findall(r"<li>(Moving Gemini Test to gcp/europe-west4 would cut [^<]+)</li>", only)
    assert len(moves) == 1 and "Switching" not in only  # the best option is the other region: said once


def test_a_number_field_that_cannot_show_what_was_typed_echoes_it_in_the_error(client, catalogue):
    page = client.get("/procurement/?requests_per_month=lots&input_tokens=1&output_tokens=1").content.decode()
    assert "Enter a whole number. You entered “lots”." in page


def test_what_was_typed_is_shown_back_escaped(client, catalogue):
    page = client.get("/procurement/?requests_per_month=%22%3E%3Cscript%3Ex%3C/script%3E").content.decode()
    assert "<script>x</script>" not in page and "&quot;&gt;&lt;script&gt;" in page


@pytest.mark.parametrize("query", ["", WORKLOAD, CURRENT, f"{CURRENT}&format=csv", f"{WORKLOAD}&zone=USA",
                                   "requests_per_month=-1&current=nope/nope&region=x/y&zone=Q"])  # fmt: skip
def test_the_page_reads_a_handful_of_queries(client, catalogue, django_assert_max_num_queries, query):
    with django_assert_max_num_queries(15):
        assert client.get(f"/procurement/?{query}").status_code in (200, 400)
