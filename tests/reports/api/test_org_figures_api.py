"""/api/v1/orgs/<slug>/footprints/ and /kpis/: footprint rows against the records summed directly, the dashboard's
period parameters (defaults, presets, the same errors as the page), filters, pages and pinned query counts; the KPIs
equal to the dashboard page's figures for the same period."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.kpis import Period
from tests.emissions.api.api_helpers import problems
from tests.reports.api.org_api_support import METRICS, all_pages, client_for, triple, url
from tests.reports.kpis.usage_data import expected_sums, records_of, write_usage

pytestmark = pytest.mark.django_db

ROWS, KPIS = "api-org-footprint-list", "api-org-kpis"
FIRST, LATEST = dt.date(2025, 1, 1), dt.date(2025, 4, 1)  # the months of the usage fixture
SIDES = ("low", "central", "high")


def row_key(record) -> tuple:
    return (f"{record.month:%Y-%m}", record.ai_model.slug, record.region.slug if record.region else None, record.tier)


def as_triple(value) -> list[float] | None:
    return None if value is None else [value[side] for side in SIDES]


# -- footprint rows ------------------------------------------------------------------------------------------------


def test_footprint_rows_are_the_records_summed_per_month_model_region_and_tier(org_usage):
    rows = all_pages(client_for(org_usage.viewer), url(ROWS, query="start=2025-01&end=2025-04"))
    records = records_of(org_usage.organisation, FIRST, dt.date(2025, 5, 1))
    expected = expected_sums(records, row_key)
    assert sorted((r["month"], r["model"], r["region"], r["tier"]) for r in rows) == sorted(expected)
    for row in rows:
        key = (row["month"], row["model"], row["region"], row["tier"])
        members = [r for r in records if row_key(r) == key]
        assert row["records"] == len(members) and row["requests"] == sum(r.requests for r in members)
        assert row["input_tokens"] == sum(r.input_tokens for r in members)
        for metric in METRICS:
            assert triple(row, metric) == pytest.approx(expected[key][metric], rel=1e-9), (key, metric)
    assert [r["month"] for r in rows] == sorted(r["month"] for r in rows)


@pytest.mark.parametrize(
    ("query", "start", "end"),
    [("", "2024-05", "2025-04"), ("preset=all", "2025-01", "2025-04"),
     ("start=2025-02&end=2025-03", "2025-02", "2025-03")],
)  # fmt: skip
def test_the_period_is_read_as_the_dashboard_reads_it(org_usage, query, start, end):
    body = client_for(org_usage.viewer).get(url(ROWS, query=query)).json()
    assert (body["period"]["start"], body["period"]["end"]) == (start, end)
    first, last = dt.date.fromisoformat(f"{start}-01"), dt.date.fromisoformat(f"{end}-01")
    expected = {row_key(r) for r in records_of(org_usage.organisation, first, Period.of_months(last, last).end)}
    assert body["count"] == len(expected)


@pytest.mark.parametrize(
    ("query", "keep"),
    [("vendor=google", lambda r: r.ai_model.vendor.slug == "google"),
     ("model=stability/sd-test", lambda r: r.ai_model.slug == "stability/sd-test"),
     ("region=gcp/europe-west4&tier=token", lambda r: r.region and r.region.slug == "gcp/europe-west4"),
     ("tier=spend", lambda r: r.tier == "spend")],
)  # fmt: skip
def test_rows_filter_by_vendor_model_region_and_tier(org_usage, query, keep):
    rows = all_pages(client_for(org_usage.viewer), url(ROWS, query=f"preset=all&{query}"))
    expected = {row_key(r) for r in records_of(org_usage.organisation, FIRST, dt.date(2025, 5, 1)) if keep(r)}
    assert expected and {(r["month"], r["model"], r["region"], r["tier"]) for r in rows} == expected


@pytest.mark.parametrize(
    ("query", "fields"),
    [("start=2025-13&end=2025-04", {"start"}), ("start=2025-01", {"end"}), ("preset=forever", {"preset"}),
     ("start=2025-04&end=2025-01", {"end"}), ("model=nope/none", {"model"}),
     ("tier=gold&vendor=nobody", {"tier", "vendor"}),
     ("start=2025-01&end=1999-01&region=mars/base", {"end", "region"})],
)  # fmt: skip
def test_bad_parameters_are_400s_naming_each_of_them(org_usage, query, fields):
    response = client_for(org_usage.viewer).get(url(ROWS, query=query))
    assert response.status_code == 400 and set(problems(response)) == fields


def test_footprint_rows_are_paged_and_their_query_count_does_not_grow(org_usage):
    client = client_for(org_usage.viewer)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(ROWS, query="start=2025-03&end=2025-03")).status_code == 200
    write_usage(org_usage.organisation, [dt.date(2024, m, 1) for m in range(1, 13)])  # 72 more rows
    with CaptureQueriesContext(connection) as many:
        body = client.get(url(ROWS, query="start=2024-01&end=2025-01")).json()
    assert body["count"] == 78 and len(body["results"]) == 50 and body["next"]
    with CaptureQueriesContext(connection) as with_spend:
        assert client.get(url(ROWS, query="preset=all")).status_code == 200
    # membership, months with usage, rollups; + the spend factors when the period holds spend-based rows
    assert len(few) == len(many) == 3, [q["sql"] for q in many.captured_queries]
    assert len(with_spend) == 4


# -- KPIs ----------------------------------------------------------------------------------------------------------


def dashboard_figures(client, user, query: str):
    client.force_login(user)
    response = client.get(reverse("org-dashboard", args=["acme"]) + (f"?{query}" if query else ""))
    return response


def assert_totals(body: dict, totals) -> None:
    for metric in (*METRICS, "spend_co2e_kg"):
        assert as_triple(body[metric]) == pytest.approx(list(getattr(totals, metric)), rel=1e-12), metric
    for count in ("records", "requests", "input_tokens", "output_tokens", "tokens", "rows", "missing"):
        assert body[count] == getattr(totals, count), count


@pytest.mark.parametrize("query", ["", "start=2025-02&end=2025-03", "preset=all", "preset=previous-year"])
def test_the_kpis_are_the_dashboards_figures_for_the_same_period(client, org_usage, query):
    organisation = org_usage.organisation
    organisation.baseline_year, organisation.target_year, organisation.reduction_target_percent = 2025, 2030, 42
    organisation.save()
    body = client_for(org_usage.viewer).get(url(KPIS, query=query)).json()
    page = dashboard_figures(client, org_usage.viewer, query)
    assert page.status_code == 200
    d = page.context["d"]
    period = body["period"]
    assert (period["start"], period["end"]) == (f"{d.period.start:%Y-%m}", f"{d.period.last_month:%Y-%m}")
    assert body["preset"] == page.context["choice"].preset
    assert_totals(body["totals"], d.totals)
    assert_totals(body["prior_totals"], d.prior_totals)
    assert [p["month"] for p in body["trend"]] == [f"{p.month:%Y-%m}" for p in d.trend]
    for point, expected in zip(body["trend"], d.trend, strict=True):
        assert_totals(point["totals"], expected.current)
        assert_totals(point["prior_totals"], expected.prior)
    for dimension, groups in d.breakdowns.items():
        assert [(g["key"], g["label"]) for g in body["breakdowns"][dimension]] == [(g.key, g.label) for g in groups]
        for group, expected in zip(body["breakdowns"][dimension], groups, strict=True):
            assert_totals(group["totals"], expected.totals)
    intensity = body["intensity"]
    assert as_triple(intensity["per_1m_tokens_location_g"]) == pytest.approx(
        None if d.intensity.per_1m_tokens_location_g is None else list(d.intensity.per_1m_tokens_location_g)
    )
    assert (intensity["requests"], intensity["tokens"]) == (d.intensity.requests, d.intensity.tokens)
    assert body["low_carbon"]["share"] == pytest.approx(d.low_carbon.share)
    assert [(t["tier"], t["records"]) for t in body["tiers"]] == [(t.tier, t.records) for t in d.tiers]
    assert body["targets"]["state"] == d.tracking.state and body["targets"]["baseline_kg"] == pytest.approx(
        d.tracking.baseline_kg
    )
    assert [t["label"] for t in body["targets"]["targets"]] == [t.label for t in d.tracking.targets]
    assert body["data_period"] == {"start": "2025-01", "end": "2025-04", "months": 4, "label": "Jan 2025 – Apr 2025"}


def test_the_kpi_totals_are_the_records_usage_times_their_rates(org_usage):
    body = client_for(org_usage.viewer).get(url(KPIS, query="preset=all")).json()
    [expected] = expected_sums(records_of(org_usage.organisation, FIRST, dt.date(2025, 5, 1))).values()
    for metric in METRICS:
        assert as_triple(body["totals"][metric]) == pytest.approx(expected[metric], rel=1e-9), metric
    assert body["totals"]["spend_co2e_kg"]["central"] == pytest.approx(1200 * 0.5)


@pytest.mark.parametrize(
    "query", ["start=2025-13&end=2024", "start=2025-01", "preset=forever", "end=2025-01&start=2026-01"]
)
def test_kpi_period_errors_are_the_dashboards_own_messages(client, org_usage, query):
    response = client_for(org_usage.viewer).get(url(KPIS, query=query))
    assert response.status_code == 400
    page = dashboard_figures(client, org_usage.viewer, query)
    assert page.status_code == 400
    assert [f"{field}: {message}" for field, message in problems(response).items()] == page.context["errors"]


def test_an_organisation_without_usage_has_zero_figures_and_no_rows(people, usage_catalogue):
    client = client_for(people.outsider)  # admin of Globex, which has no usage
    body = client.get(url(KPIS, slug="globex")).json()
    assert body["data_period"] is None and body["totals"]["records"] == 0
    assert body["totals"]["co2e_location_kg"] == {"low": 0.0, "central": 0.0, "high": 0.0}
    assert client.get(url(ROWS, slug="globex")).json()["count"] == 0


def test_the_kpi_query_count_is_pinned(org_usage):
    client = client_for(org_usage.viewer)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url(KPIS, query="start=2025-04&end=2025-04")).status_code == 200  # prior: March
    write_usage(org_usage.organisation, [dt.date(2024, m, 1) for m in range(1, 13)])
    with CaptureQueriesContext(connection) as large:
        assert client.get(url(KPIS, query="start=2024-01&end=2025-04")).status_code == 200
    # membership, months with usage, rollups, models of the rows; + the spend factors (a spend row in the period)
    assert len(small) == 4 and len(large) == 5, [q["sql"] for q in large.captured_queries]
