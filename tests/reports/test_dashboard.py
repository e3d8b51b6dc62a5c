"""/orgs/<slug>/ and /orgs/<slug>/export/<chart>.csv: who may see them, the figures against the usage computed
directly, the period parameters and their errors, every CSV (exactly the page's table, formulas neutralised), the
empty states, target tracking, the recommendations against the planner, freshness, and a pinned query count."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from emissions.models import FootprintRate
from emissions.rankings import format_value
from reports.dashboard_exports import CHARTS
from reports.kpis import PLANNED_USAGES, Period, add_months
from reports.models import Tier, UsageUpload
from reports.services.usage import UsageInput, usage_records_create
from tests.reports.kpis.usage_data import (
    IMAGE_MODELS,
    TEXT_MODELS,
    expected_sums,
    months_from,
    records_of,
    spend_factor,
    write_spend,
    write_usage,
)
from tests.vendors.dashboard_catalogue import ranking_table_text, run_pending_jobs
from vendors.models import AIModel, Vendor

pytestmark = pytest.mark.django_db

FIRST, LATEST = dt.date(2024, 9, 1), dt.date(2025, 8, 1)  # the first and latest month of the usage fixture
DEFAULT = Period(FIRST, dt.date(2025, 9, 1))  # the 12 months ending at the latest month with data
SPEND_MONTH = dt.date(2025, 5, 1)
# auth and session 3, notice 1, months 1, rows 2, models 1, freshness 2, regions 1, quality scores 1,
# planner 2 x 5, the organisation switcher 1
COLD_QUERIES = 23
WARM_QUERIES = COLD_QUERIES - 2 - 2 * PLANNED_USAGES  # the recommendations (regions, scores, planner) are cached


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def usage(people, usage_catalogue):
    """Every test model in every serving region, September 2024 - August 2025, and USD 1,200 spent in May 2025."""
    write_usage(people.organisation, months_from(FIRST, 12))
    spend_factor()
    write_spend(people.organisation, SPEND_MONTH, "1200.00")
    return people


def page_url(**params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("org-dashboard", args=["acme"]) + (f"?{query}" if query else "")


def export_url(chart: str, period: Period = DEFAULT) -> str:
    return (
        reverse("org-dashboard-export", args=["acme", chart])
        + f"?start={period.start:%Y-%m}&end={period.last_month:%Y-%m}"
    )


def get(client, user, url: str):
    client.force_login(user)
    return client.get(url)


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def tonnes(kg: float) -> str:
    return format_value(kg / 1000)


def page_table(page: str, table_id: str) -> list[list[str]]:
    """The text of every cell of the table with this id, row by row (header row first)."""
    table = re.search(rf'<table[^>]* id="{table_id}".*?</table>', page, re.S).group(0)
    return [[html.unescape(" ".join(re.sub(r"<[^>]+>", "", cell).split()))
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]  # fmt: skip


# -- who may see it ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [("viewer", 200), ("analyst", 200), ("admin", 200), ("outsider", 404)])
def test_members_of_every_role_see_the_dashboard_and_its_csvs_and_outsiders_get_not_found(client, usage, role, status):
    assert get(client, usage.by_role(role), page_url()).status_code == status
    assert client.get(export_url("trend")).status_code == status


def test_anonymous_visitors_are_sent_to_sign_in(client, usage):
    for url in (page_url(), export_url("trend")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# -- the figures ---------------------------------------------------------------------------------------------------


def test_the_totals_on_the_page_are_the_usage_times_its_rates_plus_spend(client, usage):
    page = get(client, usage.viewer, page_url()).content.decode()
    [expected] = expected_sums(records_of(usage.organisation, DEFAULT.start, DEFAULT.end)).values()
    for metric in ("co2e_location_kg", "co2e_market_kg"):
        low, central, high = expected[metric]
        assert f"{tonnes(central)} <small>t CO₂e</small>" in page
        assert f"range {tonnes(low)}–{tonnes(high)} t CO₂e" in page
    assert "Sep 2024 – Aug 2025</strong> (12 months)" in page
    assert "CO₂e includes 0.6 t CO₂e estimated from spend" in page  # USD 1,200 x 0.5 kg/USD


def test_the_page_draws_its_charts_from_json_script_with_plotly_from_our_static_files(client, usage):
    response = get(client, usage.viewer, page_url())
    page = response.content.decode()
    assert '<script id="dashboard-data" type="application/json">' in page
    assert "/static/plotly/plotly.min.js" in page and "/static/js/dashboard.js" in page
    assert "cdn" not in page.lower()
    data = json.loads(re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', page).group(1))
    assert set(data) == {"trend", "breakdowns", "tiers", "target"}
    by_month = expected_sums(records_of(usage.organisation, DEFAULT.start, DEFAULT.end), lambda r: r.month)
    assert data["trend"]["location"] == pytest.approx(
        [by_month[m]["co2e_location_kg"][1] / 1000 for m in DEFAULT.month_list()], rel=1e-9
    )
    stacked = data["breakdowns"]["vendor"]["groups"]
    for i, month in enumerate(DEFAULT.month_list()):
        assert sum(g["values"][i] for g in stacked) == pytest.approx(by_month[month]["co2e_location_kg"][1] / 1000)
    for table_id in ("trend-table", "vendors-table", "models-table", "regions-table", "tiers-table"):
        assert page.count(f'id="{table_id}"') == 1
    assert page.count("<caption") == page.count("<table")
    assert page.count("<h1") == 1


def test_the_query_count_is_pinned_and_does_not_grow_with_months_or_models(
    client, people, usage_catalogue, django_assert_max_num_queries
):
    write_usage(people.organisation, months_from(dt.date(2025, 7, 1), 2), models=TEXT_MODELS[:1])
    client.force_login(people.viewer)
    with CaptureQueriesContext(connection) as small:
        assert client.get(page_url()).status_code == 200
    with CaptureQueriesContext(connection) as small_again:
        client.get(page_url())
    write_usage(people.organisation, months_from(dt.date(2023, 8, 1), 24))  # 24 months, 5 models, 8 places
    spend_factor()
    write_spend(people.organisation, dt.date(2025, 1, 1), "10.00")
    with django_assert_max_num_queries(COLD_QUERIES):
        assert client.get(page_url(preset="all")).status_code == 200
    with django_assert_max_num_queries(WARM_QUERIES), CaptureQueriesContext(connection) as large_again:
        client.get(page_url(preset="all"))
    assert len(large_again) <= len(small_again) + 1  # + the spend factors, read only when there is spend
    assert len(small) <= COLD_QUERIES - 2 * (PLANNED_USAGES - 1)  # one usage to plan: one planner call


def test_the_planner_is_asked_again_only_when_the_usage_changes(client, usage):
    def planner_calls(queries) -> int:  # each plan() first asks for the latest month with rates
        return sum('MAX("emissions_footprintrate"."month")' in q["sql"] for q in queries.captured_queries)

    client.force_login(usage.viewer)
    with CaptureQueriesContext(connection) as first:
        client.get(page_url())
    with CaptureQueriesContext(connection) as again:
        client.get(page_url())
    write_usage(usage.organisation, [LATEST], models=IMAGE_MODELS[:1])
    with CaptureQueriesContext(connection) as changed:
        client.get(page_url())
    assert planner_calls(first) == planner_calls(changed) == PLANNED_USAGES and planner_calls(again) == 0


# -- the period ----------------------------------------------------------------------------------------------------


def test_a_custom_period_and_its_prior_period_are_shown(client, usage):
    page = get(client, usage.viewer, page_url(start="2025-03", end="2025-05")).content.decode()
    assert "Mar 2025 – May 2025</strong> (3 months)" in page
    assert "the 3 months before: Dec 2024 – Feb 2025" in page
    trend = page_table(page, "trend-table")
    assert [row[0] for row in trend[1:]] == ["Mar 2025", "Apr 2025", "May 2025"]
    assert [row[7] for row in trend[1:]] == ["Dec 2024", "Jan 2025", "Feb 2025"]
    assert 'value="2025-03"' in page and 'value="2025-05"' in page


def test_the_presets_are_calendar_periods_or_all_the_data(client, usage):
    today = timezone.localdate()
    this_month = today.replace(day=1)
    expected = {
        "ytd": Period(dt.date(today.year, 1, 1), add_months(this_month, 1)),
        "previous-year": Period(dt.date(today.year - 1, 1, 1), dt.date(today.year, 1, 1)),
        "all": DEFAULT,
        "last-12": DEFAULT,
    }
    client.force_login(usage.viewer)
    for preset, period in expected.items():
        page = client.get(page_url(preset=preset)).content.decode()
        assert f"{period.label}</strong> ({period.months} month" in page, preset
        assert f'href="{page_url(preset=preset)}" aria-current="page"' in page


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2025-13", "end": "2025-05"}, "start: “2025-13” is not a month"),
        ({"start": "2025-06", "end": "2025-05"}, "end: 2025-05 is before the start, 2025-06."),
        ({"start": "2010-01", "end": "2025-05"}, "end: the period spans 185 months"),
        ({"start": "2025-01"}, "end: give the last month of the period too"),
        ({"preset": "<b>x</b>"}, "preset: unknown period “&lt;b&gt;x&lt;/b&gt;”"),
    ],
)
def test_a_bad_period_is_a_400_naming_the_parameter_on_the_page_and_in_the_csv(client, usage, params, message):
    response = get(client, usage.viewer, page_url(**params))
    page = response.content.decode()
    assert response.status_code == 400
    assert '<div class="errors" role="alert">' in page and message in page
    assert "dashboard-data" not in page and "trend-table" not in page
    field = message.split(":")[0]
    if field != "preset":
        assert re.search(rf'name="{field}"[^>]*aria-invalid="true"', page)
    query = "&".join(f"{k}={v}" for k, v in params.items())
    csv_response = client.get(reverse("org-dashboard-export", args=["acme", "trend"]) + "?" + query)
    assert csv_response.status_code == 400 and csv_response["Content-Type"].startswith("text/plain")
    assert f"{field}:" in csv_response.content.decode()


def test_a_period_without_usage_says_so_and_where_the_data_is(client, usage):
    page = get(client, usage.viewer, page_url(start="2021-01", end="2021-06")).content.decode()
    assert "No usage in Jan 2021 – Jun 2021." in page and "Your data covers Sep 2024 – Aug 2025" in page
    assert "trend-table" not in page


# -- the CSVs ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("chart", sorted(CHARTS))
def test_every_csv_is_exactly_the_table_under_its_chart(client, usage, chart):
    org = usage.organisation
    org.baseline_year, org.target_year, org.reduction_target_percent = 2024, 2030, 50
    org.save()
    client.force_login(usage.viewer)
    page = client.get(page_url()).content.decode()
    response = client.get(export_url(chart))
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="ai-footprint-acme-{chart}-2024-09-2025-08.csv"'
    rows = csv_rows(response)
    assert len(rows) > 1
    assert rows == page_table(page, f"{chart}-table")
    assert f'href="{export_url(chart)}"'.replace("&", "&amp;") in page


def test_the_trend_csv_holds_each_months_co2e_beside_the_prior_period(client, usage):
    period = Period(dt.date(2025, 3, 1), dt.date(2025, 9, 1))
    rows = csv_rows(get(client, usage.viewer, export_url("trend", period)))
    header = rows[0]
    by_month = expected_sums(records_of(usage.organisation, period.prior().start, period.end), lambda r: r.month)
    location, prior = header.index("CO₂e location-based, t"), header.index("Prior CO₂e location-based, t")
    market = header.index("CO₂e market-based, t")
    for row, month, before in zip(rows[1:], period.month_list(), period.prior().month_list(), strict=True):
        assert row[0] == f"{month:%b %Y}" and row[header.index("Prior-period month")] == f"{before:%b %Y}"
        assert row[location] == tonnes(by_month[month]["co2e_location_kg"][1])
        assert row[market] == tonnes(by_month[month]["co2e_market_kg"][1])
        assert row[prior] == tonnes(by_month[before]["co2e_location_kg"][1])


@pytest.mark.parametrize(
    ("chart", "key"),
    [("vendors", lambda r: r.ai_model.vendor.name),
     ("models", lambda r: f"{r.ai_model.name} ({r.ai_model.vendor.name})"),
     ("regions", lambda r: r.region.slug if r.region else "world average")],
)  # fmt: skip
def test_the_breakdown_csvs_hold_every_group_in_every_month(client, usage, chart, key):
    rows = csv_rows(get(client, usage.viewer, export_url(chart)))
    expected = expected_sums(records_of(usage.organisation, DEFAULT.start, DEFAULT.end), lambda r: (r.month, key(r)))
    co2e = rows[0].index("CO₂e location-based, t")
    found = {(row[0], row[1]): row[co2e] for row in rows[1:]}
    assert found == {(f"{m:%b %Y}", name): tonnes(v["co2e_location_kg"][1]) for (m, name), v in expected.items()}


def test_the_tiers_csv_counts_the_spend_based_record_in_co2e(client, usage):
    rows = {row[0]: row for row in csv_rows(get(client, usage.viewer, export_url("tiers")))[1:]}
    records = records_of(usage.organisation, DEFAULT.start, DEFAULT.end)
    [whole] = expected_sums(records).values()
    spent_kg = 1200 * 0.5  # USD 1,200 x 0.5 kg CO2e/USD
    share = format_value(spent_kg / whole["co2e_location_kg"][1] * 100)
    assert rows["Spend-based"][1:5] == [tonnes(spent_kg), f"{share} %", "1", f"{format_value(100 / len(records))} %"]
    assert rows["Token-level"][3] == f"{sum(1 for r in records if r.tier == Tier.TOKEN):,}"
    assert rows["Request-level"][1:5] == ["0", "0 %", "0", "0 %"]


def test_csv_cells_a_spreadsheet_would_run_are_neutralised(client, usage):
    Vendor.objects.filter(slug="meta").update(name='=HYPERLINK("http://evil")')
    AIModel.objects.filter(slug="google/gemini-test").update(name="@SUM(A1)")
    vendors = csv_rows(get(client, usage.viewer, export_url("vendors")))
    models = csv_rows(client.get(export_url("models")))
    assert '\'=HYPERLINK("http://evil")' in {row[1] for row in vendors}
    assert "'@SUM(A1) (Google)" in {row[1] for row in models}
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in vendors + models for cell in row)


def test_an_unknown_chart_is_not_found(client, usage):
    assert get(client, usage.viewer, reverse("org-dashboard-export", args=["acme", "nothing"])).status_code == 404


# -- empty states, targets, recommendations, freshness -------------------------------------------------------------


def test_an_organisation_without_usage_is_pointed_to_the_upload_page(client, people, usage_catalogue):
    response = get(client, people.analyst, page_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert "No AI usage has been reported for Acme yet." in page
    assert f'href="{reverse("org-usage", args=["acme"])}"' in page
    assert "dashboard-data" not in page and "plotly" not in page
    rows = csv_rows(client.get(export_url("trend")))
    assert rows[0][0] == "Month" and [row[1:7] for row in rows[1:]] == [["0"] * 6] * 12
    viewer_page = " ".join(get(client, people.viewer, page_url()).content.decode().split())
    assert "Upload usage" not in viewer_page and "Analysts and admins upload it on the" in viewer_page


def test_without_a_target_admins_are_told_where_to_set_one_and_viewers_who_can(client, usage):
    settings_link = f'href="{reverse("org-settings", args=["acme"])}"'
    admin_page = get(client, usage.admin, page_url()).content.decode()
    viewer_page = get(client, usage.viewer, page_url()).content.decode()
    assert "No reduction target is set." in admin_page and settings_link in admin_page
    assert "No reduction target is set." in viewer_page and settings_link not in viewer_page
    assert "An admin of" in viewer_page


def test_a_baseline_year_without_usage_is_said_so(client, usage):
    usage.organisation.baseline_year, usage.organisation.net_zero_year = 2022, 2040
    usage.organisation.save()
    page = get(client, usage.viewer, page_url()).content.decode()
    assert "No usage in the baseline year, 2022." in page and "target-table" not in page


def test_the_target_is_tracked_on_the_latest_year_with_its_numbers(client, usage):
    org = usage.organisation
    org.baseline_year, org.target_year, org.reduction_target_percent = 2024, 2026, 50
    org.save()
    page = get(client, usage.viewer, page_url()).content.decode()
    by_year = expected_sums(records_of(org, dt.date(2024, 1, 1), dt.date(2026, 1, 1)), lambda r: r.month.year)
    baseline, actual = by_year[2024]["co2e_location_kg"][1], by_year[2025]["co2e_location_kg"][1]
    allowed = baseline * 0.75 * 8 / 12  # halfway to −50 %; the baseline has no usage in January-August
    assert actual > allowed  # eight months of growing usage against a baseline of four months, cut by a quarter
    assert "−50 % by 2026: ✗ off track.</strong>" in page
    assert f"2025 (January–August): {tonnes(actual)} t CO₂e against" in page
    assert f"{tonnes(allowed)} t allowed by the trajectory" in page
    target = page_table(page, "target-table")
    assert [row[:3] for row in target[1:]] == [["2024", "12", tonnes(baseline)], ["2025", "8", tonnes(actual)],
                                               ["2026", "", ""]]  # fmt: skip


RECOMMENDATION = re.compile(
    r"→ (?P<model>[^(]+) \((?P<vendor>[^)]+)\), (?P<region>[^:]+): saves about <strong>(?P<saving>\S+) t CO₂e a "
    r"year</strong>.*?<a href=\"(?P<href>[^\"]+)\">Compare every option",
    re.S,
)


def test_the_recommendations_are_the_planners_savings_for_the_largest_usages(client, usage):
    page = get(client, usage.viewer, page_url()).content.decode()
    items = [m.groupdict() for m in RECOMMENDATION.finditer(page)]
    assert 1 <= len(items) <= 3
    savings = [float(item["saving"]) for item in items]
    assert savings == sorted(savings, reverse=True) and savings[-1] > 0
    for item in items:
        href = item["href"].replace("&amp;", "&")
        assert href.startswith(reverse("procurement") + "?") and "current=" in href
        planner = ranking_table_text(client.get(href).content.decode())
        header = planner[0]
        option = next(row for row in planner[1:] if (row[header.index("Model")], row[header.index("Region")]) ==
                      (item["model"], item["region"]))  # fmt: skip
        assert option[header.index("Saving, t CO₂e/yr")] == item["saving"]


def test_recomputing_rates_are_announced_and_freshness_is_shown(client, people, usage_catalogue):
    model = AIModel.objects.get(slug=IMAGE_MODELS[0])
    usage_records_create(organisation=people.organisation, records=[UsageInput(dt.date(2025, 2, 1), model, 10)])
    page = " ".join(get(client, people.viewer, page_url()).content.decode().split())
    assert "Figures are being recomputed." in page and "1 of the period's 1 footprint row is not computed yet" in page
    assert "(no footprint computed yet)" in page

    run_pending_jobs()
    finished = timezone.now().replace(microsecond=0)
    UsageUpload.objects.create(organisation=people.organisation, filename="u.csv", format="csv", sha256="0" * 64,
                               status=UsageUpload.Status.DONE, finished_at=finished)  # fmt: skip
    page = client.get(page_url()).content.decode()
    computed = FootprintRate.objects.get(ai_model=model, month=dt.date(2025, 2, 1)).computed_at
    assert "Figures are being recomputed." not in page
    assert f'<time datetime="{timezone.localtime(computed).isoformat()}">' in page
    assert f'<time datetime="{timezone.localtime(finished).isoformat()}">' in page


def test_the_low_carbon_threshold_is_named_and_linked_to_the_settings_for_admins(client, usage):
    usage.organisation.low_carbon_threshold_g_per_kwh = 250
    usage.organisation.save()
    admin_page = get(client, usage.admin, page_url()).content.decode()
    viewer_page = get(client, usage.viewer, page_url()).content.decode()
    assert "grid at most 250 g CO₂e/kWh" in admin_page and "change the threshold in the settings" in admin_page
    assert "change the threshold in the settings" not in viewer_page and "the threshold your admins set" in viewer_page
