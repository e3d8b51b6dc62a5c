"""Report downloads: the CSV (every table, unrounded, formula cells neutralised) and the PDF (WeasyPrint, offline,
saying what the HTML page says)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import socket
from pathlib import Path

import pytest
from django.conf import settings
from pypdf import PdfReader

from reports.report_exports import StaticFileFetcher
from reports.services.reports import report_generate
from tests.reports.test_reports import record_usage

pytestmark = pytest.mark.django_db


@pytest.fixture
def quarterly(people, usage_catalogue):
    """Acme's Q1 2025 report."""
    record_usage(people.organisation)
    return report_generate(organisation=people.organisation, kind="quarterly", period_start=dt.date(2025, 1, 1),
                           user=people.analyst)  # fmt: skip


def csv_sections(text: str) -> dict[str, list[list[str]]]:
    """The CSV's sections by title: each is the rows after the title row, up to the next blank row."""
    rows = list(csv.reader(io.StringIO(text)))
    sections, title = {}, rows[0][0]
    sections[title] = []
    for row in rows[1:]:
        if not row:
            title = None
        elif title is None:
            title = row[0]
            sections[title] = []
        else:
            sections[title].append(row)
    return sections


def test_the_csv_holds_every_table_with_the_snapshots_unrounded_figures(quarterly, people, client):
    client.force_login(people.viewer)
    response = client.get(f"/orgs/acme/reports/{quarterly.pk}.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == f'attachment; filename="acme-2025-q1-report-{quarterly.pk}.csv"'
    sections = csv_sections(response.content.decode())
    assert list(sections) == [
        "AI Footprint report", "Totals", "Emissions by vendor", "Emissions by vendor, model and region",
        "Emissions by month", "Data-quality tiers", "Spend factors used",
        "Factor citations (catalogue factors behind the rates used, at the version used)", "Records not priced",
    ]  # fmt: skip
    about = dict(sections["AI Footprint report"][1:])
    assert about["Reporting organisation"] == "Acme" and about["Report"] == f"#{quarterly.pk}"
    assert (
        about["Period"] == "Q1 2025 (January–March 2025)"
        and about["Fingerprint of the inputs"] == quarterly.fingerprint
    )
    snapshot = quarterly.snapshot
    totals = {row[0]: row for row in sections["Totals"][1:]}
    for label, metric in (("CO2e location-based", "co2e_location_kg"), ("Water", "water_l")):
        assert [float(cell) for cell in totals[label][2:5]] == snapshot["totals"][metric]  # exact: nothing rounded
    header, *vendors = sections["Emissions by vendor"]
    central = header.index("CO2e market-based, kg (central)")
    assert [(row[0], float(row[central])) for row in vendors] == [
        (v["vendor"], v["co2e_market_kg"][1]) for v in snapshot["by_vendor"]
    ]
    header, *regions = sections["Emissions by vendor, model and region"]
    assert len(regions) == sum(len(m["regions"]) for m in snapshot["by_model"])
    energy = header.index("Energy, kWh (central)")
    assert sum(float(row[energy]) for row in regions) == pytest.approx(snapshot["totals"]["energy_kwh"][1], rel=1e-12)
    assert [row[0] for row in sections["Emissions by month"][1:]] == ["2025-01", "2025-02", "2025-03"]
    assert len(sections["Factor citations (catalogue factors behind the rates used, at the version used)"]) == (
        1 + len(snapshot["citations"])
    )


def test_formula_cells_arrive_as_text_in_the_csv(people, usage_catalogue, client):
    organisation = people.organisation
    organisation.name = '=HYPERLINK("https://evil.example","Click")'
    organisation.save()
    record_usage(organisation)
    report = report_generate(organisation=organisation, kind="monthly", period_start=dt.date(2025, 1, 1))
    client.force_login(people.viewer)
    rows = list(csv.reader(io.StringIO(client.get(f"/orgs/acme/reports/{report.pk}.csv").content.decode())))
    cells = [cell for row in rows for cell in row]
    assert "'" + organisation.name in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
    page = client.get(f"/orgs/acme/reports/{report.pk}/").content.decode()
    assert "=HYPERLINK(&quot;https://evil.example&quot;" in page


def printed_totals(page: str) -> list[str]:
    """The figures of the totals table as the HTML page prints them."""
    table = page[page.index('<table class="report-totals">') : page.index("</table>", page.index("report-totals"))]
    return re.findall(r'<td class="num">([^<]+)</td>', table)


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def test_the_pdf_says_what_the_page_says(quarterly, people, client):
    client.force_login(people.viewer)
    page = client.get(f"/orgs/acme/reports/{quarterly.pk}/").content.decode()
    response = client.get(f"/orgs/acme/reports/{quarterly.pk}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="acme-2025-q1-report-{quarterly.pk}.pdf"'
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    figures = printed_totals(page)
    assert len(figures) == 12  # four metrics: low, central, high
    for expected in ["Acme", "Q1 2025 (January–March 2025)", f"Report #{quarterly.pk}", *figures]:
        assert expected in text, expected
    assert "Scope 3, Category 1: Purchased goods and services — AI inference services" in text


def test_the_pdf_renders_without_the_network(quarterly, people, client, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("The PDF tried to reach the network.")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    client.force_login(people.viewer)
    response = client.get(f"/orgs/acme/reports/{quarterly.pk}.pdf")
    assert response.status_code == 200 and "Acme" in pdf_text(response.content)


def test_the_pdf_fetcher_serves_our_static_files_from_disk_and_nothing_else():
    fetcher = StaticFileFetcher("http://testserver/")
    stylesheet = fetcher.fetch(f"http://testserver{settings.STATIC_URL}css/report-print.css")
    assert stylesheet.read() == (Path(settings.BASE_DIR) / "static" / "css" / "report-print.css").read_bytes()
    assert stylesheet.content_type == "text/css"
    for url in ("https://fonts.example.com/font.woff2", "http://testserver/orgs/acme/", "file:///etc/passwd",
                f"http://testserver{settings.STATIC_URL}../config/settings/base.py",
                f"http://testserver{settings.STATIC_URL}css/missing.css"):  # fmt: skip
        with pytest.raises(ValueError):
            fetcher.fetch(url)
