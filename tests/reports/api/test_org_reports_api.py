"""/api/v1/orgs/<slug>/reports/: generate (the service's refusals as 400s naming the request's field), list (with
links and supersession), one report with its snapshot, its CSV and PDF, and regeneration."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from reports.models import Report, UsageRecord
from reports.services.usage import UsageInput, usage_records_create
from tests.emissions.api.api_helpers import problems
from tests.reports.api.org_api_support import client_for, url
from tests.reports.kpis.usage_data import expected_sums, records_of
from tests.vendors.dashboard_catalogue import run_pending_jobs
from vendors.models import AIModel

pytestmark = pytest.mark.django_db

LIST, DETAIL = "api-org-report-list", "api-org-report-detail"


def generate(client, kind: str = "monthly", period_start: str = "2025-03-01"):
    return client.post(url(LIST), {"kind": kind, "period_start": period_start}, format="json")


def test_a_generated_report_freezes_the_periods_footprint_and_comes_back_with_its_snapshot(org_usage):
    response = generate(client_for(org_usage.analyst), "quarterly", "2025-01")
    assert response.status_code == 201, response.json()
    body = response.json()
    report = Report.objects.get()
    assert (body["id"], body["kind"], body["period_start"], body["period_end"]) == (
        report.pk, "quarterly", "2025-01-01", "2025-04-01",
    )  # fmt: skip
    assert body["created_by"] == org_usage.analyst.username and body["supersedes"] is None
    assert body["snapshot"] == report.snapshot and body["changes"]["usage_changed"] is False
    [expected] = expected_sums(records_of(org_usage.organisation, dt.date(2025, 1, 1), dt.date(2025, 4, 1))).values()
    assert report.snapshot["totals"]["co2e_location_kg"] == pytest.approx(expected["co2e_location_kg"], rel=1e-9)
    for link, name in (("url", DETAIL), ("csv_url", "api-org-report-csv"), ("pdf_url", "api-org-report-pdf")):
        assert body[link].endswith(url(name, report.pk))
    assert body["page_url"].endswith(url("org-report", report.pk))
    assert client_for(org_usage.viewer).get(url(DETAIL, report.pk)).json() == body


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [({"kind": "monthly", "period_start": "2025-08-01"}, "period_start", "no usage"),
     ({"kind": "quarterly", "period_start": "2025-02-01"}, "period_start", "first day of a calendar quarter"),
     ({"kind": "weekly", "period_start": "2025-02-01"}, "kind", "valid choice"),
     ({"kind": "monthly", "period_start": "March"}, "period_start", "wrong format"),
     ({"kind": "monthly"}, "period_start", "required")],
)  # fmt: skip
def test_a_report_that_cannot_be_generated_is_a_400_naming_the_field(org_usage, body, field, words):
    response = client_for(org_usage.analyst).post(url(LIST), body, format="json")
    assert response.status_code == 400
    found = problems(response)
    assert field in found and words in found[field], found
    assert not Report.objects.exists()


def test_the_list_shows_every_report_newest_period_first_with_what_superseded_it(org_usage):
    client = client_for(org_usage.analyst)
    march = generate(client).json()
    january = generate(client, period_start="2025-01-01").json()
    gemini = AIModel.objects.get(slug="google/gemini-test")
    usage_records_create(organisation=org_usage.organisation,
                         records=[UsageInput(dt.date(2025, 3, 1), gemini, 10, input_tokens=5_000)])  # fmt: skip
    run_pending_jobs()
    newer = client.post(url("api-org-report-regenerate", march["id"])).json()
    listed = client_for(org_usage.viewer).get(url(LIST)).json()["results"]
    assert [r["id"] for r in listed] == [newer["id"], march["id"], january["id"]]
    by_id = {r["id"]: r for r in listed}
    assert by_id[march["id"]]["superseded_by"] == newer["id"] and by_id[newer["id"]]["supersedes"] == march["id"]
    assert by_id[january["id"]]["superseded_by"] is None
    assert [r["id"] for r in client.get(url(LIST, query="kind=quarterly")).json()["results"]] == []
    assert client.get(url(LIST, query="kind=weekly")).status_code == 400


def test_regenerating_supersedes_the_report_with_todays_usage_and_refuses_twice(org_usage):
    client = client_for(org_usage.analyst)
    old = generate(client).json()
    response = client.post(url("api-org-report-regenerate", old["id"]))
    assert response.status_code == 400 and "Nothing changed" in problems(response)["report_id"]
    gemini = AIModel.objects.get(slug="google/gemini-test")
    usage_records_create(organisation=org_usage.organisation,
                         records=[UsageInput(dt.date(2025, 3, 1), gemini, 10, input_tokens=5_000)])  # fmt: skip
    run_pending_jobs()
    assert client.get(url(DETAIL, old["id"])).json()["changes"]["usage_changed"] is True
    new = client.post(url("api-org-report-regenerate", old["id"]))
    assert new.status_code == 201 and new.json()["supersedes"] == old["id"]
    assert new.json()["snapshot"]["totals"]["requests"] == old["snapshot"]["totals"]["requests"] + 10
    assert client.get(url(DETAIL, old["id"])).json()["changes"] is None  # superseded: compare the newer one
    again = client.post(url("api-org-report-regenerate", old["id"]))
    assert again.status_code == 400 and "already superseded" in problems(again)["report_id"]


def test_the_csv_is_the_reports_tables_and_the_pdf_is_a_pdf(org_usage):
    report = generate(client_for(org_usage.analyst)).json()
    client = client_for(org_usage.viewer)
    response = client.get(url("api-org-report-csv", report["id"]), HTTP_ACCEPT="text/csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == f'attachment; filename="acme-2025-03-report-{report["id"]}.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["AI Footprint report"] and ["Report", f"#{report['id']}"] in rows
    requests = sum(r.requests for r in UsageRecord.objects.filter(month="2025-03-01"))
    assert ["Requests", "count", "", str(requests), ""] in rows
    pdf = client.get(url("api-org-report-pdf", report["id"]), HTTP_ACCEPT="application/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and "private" in pdf["Cache-Control"]


def test_a_download_of_a_report_that_is_not_there_answers_404_in_json_whatever_is_accepted(org_usage):
    client = client_for(org_usage.viewer)
    for name, accept in (("api-org-report-csv", "text/csv"), ("api-org-report-pdf", "application/pdf")):
        response = client.get(url(name, 999_999), HTTP_ACCEPT=accept)
        assert response.status_code == 404 and "report_id" in problems(response)
