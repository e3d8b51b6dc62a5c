"""An analyst's day in the browser: sign in, upload a usage file, read the dashboard, generate a report and
download its PDF; every page without console errors or requests off the machine, and no wider than a phone."""

from __future__ import annotations

import pytest
from django.conf import settings

from reports.models import Membership, Organisation, Report, Role, UsageRecord
from tests.vendors.dashboard_catalogue import load_dashboard_catalogue, run_pending_jobs

PASSWORD = "browser-password-1"
CSV = (
    "month,model,region,requests,input_tokens,output_tokens\n"
    "2025-01,meta/llama-3.1-8b,gcp/us-east4,120000,90000000,30000000\n"
    "2025-01,google/gemini-test,gcp/europe-west4,80000,60000000,22000000\n"
    "2025-02,meta/llama-3.1-8b,gcp/us-east4,130000,98000000,33000000\n"
    "2025-02,google/gemini-test,gcp/europe-west4,70000,52000000,19000000\n"
    "2025-03,google/gemini-small-test,,50000,,\n"
)


@pytest.fixture
def analyst(transactional_db, catalogue_dir, django_user_model):
    load_dashboard_catalogue(catalogue_dir)
    run_pending_jobs()
    organisation = Organisation.objects.create(name="Acme", slug="acme")
    user = django_user_model.objects.create_user("ana", "ana@example.org", PASSWORD)
    Membership.objects.create(organisation=organisation, user=user, role=Role.ANALYST)
    return user


def sign_in(page, base: str) -> None:
    page.goto(f"{base}/accounts/login/?next=/orgs/")
    page.fill("#id_username", "ana")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/orgs/")


def no_wider_than(page, width: int) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= width


def test_upload_then_dashboard_then_report_and_its_pdf(page, live_server, analyst, watch, screenshot, tmp_path):
    base = live_server.url
    sign_in(page, base)

    page.goto(f"{base}/orgs/acme/usage/")
    usage_file = tmp_path / "acme-usage.csv"
    usage_file.write_text(CSV, encoding="utf-8")
    page.set_input_files("input[name=file]", str(usage_file))
    page.click("form.upload-form button[type=submit]")
    page.wait_for_selector("#upload-status")
    assert page.inner_text("#upload-status") == "Done", page.inner_text("main")
    screenshot("org-upload-done")
    assert UsageRecord.objects.filter(organisation__slug="acme").count() == 5
    assert set(UsageRecord.objects.values_list("tier", flat=True)) == {"token", "request"}
    run_pending_jobs()  # the new months' footprints, as a worker would compute them (a report waits for them)

    page.goto(f"{base}/orgs/acme/?start=2025-01&end=2025-03")
    page.wait_for_selector(".js-plotly-plot .main-svg")
    charts = page.locator(".js-plotly-plot").count()
    assert charts >= 3, f"only {charts} charts drawn"
    text = page.inner_text("main")
    assert "Jan 2025" in text and "Request-level" in text
    screenshot("org-dashboard")

    page.goto(f"{base}/orgs/acme/reports/")
    page.select_option("select[name=kind]", "quarterly")
    page.select_option("select[name=period]", "2025-Q1")
    page.click("form.report-form button[type=submit]")
    page.wait_for_selector("a:has-text('Download PDF')")
    report = Report.objects.get(organisation__slug="acme")
    assert report.kind == "quarterly"
    assert "Acme" in page.inner_text("main") and "Scope 3" in page.inner_text("main")
    screenshot("org-report")
    with page.expect_download() as download:
        page.click("a:has-text('Download PDF')")
    pdf = tmp_path / "report.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")

    assert watch.problems() == []


def test_organisation_pages_fit_a_phone(page, live_server, analyst, watch, screenshot):
    import datetime as dt

    from reports.services.usage import UsageInput, usage_records_create
    from vendors.models import AIModel

    llama = AIModel.objects.get(slug="meta/llama-3.1-8b")
    usage_records_create(organisation=Organisation.objects.get(slug="acme"), records=[
        UsageInput(dt.date(2025, m, 1), llama, 1000 * m, 500_000 * m, 200_000 * m) for m in (1, 2, 3)
    ])  # fmt: skip
    run_pending_jobs()
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url)
    for path in ("/orgs/", "/orgs/acme/", "/orgs/acme/usage/", "/orgs/acme/reports/", "/account/"):
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        assert no_wider_than(page, 390), f"{path} is wider than a phone"
        screenshot("phone-" + (path.strip("/").replace("/", "-") or "home"), full_page=False)
    assert watch.problems() == []
    assert settings.DEBUG is False
