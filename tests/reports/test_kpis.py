"""The dashboard's figures, read through ``footprint_rows`` and ``reports.kpis``, equal the footprint computed
directly from the usage records (usage x each record's rate; spend x the spend factor), to 1e-9 relative: totals,
months, every breakdown, intensity, the low-carbon share, the data-quality mix and the prior period."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from reports.footprint_rows import footprint_rows
from reports.kpis import Period, dashboard_kpis, load_range, targets_of
from reports.kpis.targets import MONTHS_OVER_12
from reports.models import Tier
from tests.reports.kpis.usage_data import (
    METRICS,
    TEXT_MODELS,
    expected_sums,
    grid_of,
    months_from,
    records_of,
    spend_factor,
    write_spend,
    write_usage,
)

pytestmark = pytest.mark.django_db

PERIOD = Period(dt.date(2025, 3, 1), dt.date(2025, 9, 1))  # six months; the prior period is Sep 2024 - Feb 2025
SPEND_MONTH = dt.date(2025, 5, 1)


def close(actual: float, expected: float) -> bool:
    return math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-12)


def assert_same(totals, expected: dict[str, list[float]]) -> None:
    for metric in METRICS:
        for side in range(3):
            assert close(getattr(totals, metric)[side], expected[metric][side]), (metric, side)


def figures(organisation, period: Period = PERIOD, **kwargs):
    rows = footprint_rows(organisation, *_range(period))
    defaults = {"targets": [], "latest": None, "low_carbon_threshold_g_per_kwh": 100}
    return dashboard_kpis(rows, period=period, **(defaults | kwargs))


def _range(period: Period) -> tuple[dt.date, dt.date]:
    needed = load_range(period, targets=[], latest=None)
    return needed.start, needed.end


@pytest.fixture
def usage(people, usage_catalogue):
    """Usage of every test model from Sep 2024 to Aug 2025 (the period and its prior period), plus USD 1,200 spent
    in May 2025 (spend-based)."""
    organisation = people.organisation
    write_usage(organisation, months_from(dt.date(2024, 9, 1), 12))
    spend_factor()
    write_spend(organisation, SPEND_MONTH, "1200.00")
    return organisation


def test_the_totals_equal_usage_times_each_records_rate_on_every_side(usage):
    d = figures(usage)
    [expected] = expected_sums(records_of(usage, PERIOD.start, PERIOD.end)).values()
    assert_same(d.totals, expected)
    [prior] = expected_sums(records_of(usage, PERIOD.prior().start, PERIOD.start)).values()
    assert_same(d.prior_totals, prior)
    assert d.missing == 0


def test_a_spend_based_record_adds_spend_times_its_factor_to_co2e_only(usage):
    d = figures(usage)
    records = records_of(usage, PERIOD.start, PERIOD.end)
    [usage_only] = expected_sums(r for r in records if r.tier != Tier.SPEND).values()
    spent = [1200 * k for k in (0.25, 0.5, 1.0)]
    assert d.totals.spend_co2e_kg == pytest.approx(spent, rel=1e-12)
    for side in range(3):
        assert close(d.totals.co2e_location_kg[side], usage_only["co2e_location_kg"][side] + spent[side])
        assert close(d.totals.co2e_market_kg[side], usage_only["co2e_market_kg"][side] + spent[side])
        assert close(d.totals.energy_kwh[side], usage_only["energy_kwh"][side])
        assert close(d.totals.water_l[side], usage_only["water_l"][side])
    spend_tier = next(t for t in d.tiers if t.tier == Tier.SPEND)
    assert spend_tier.records == 1 and close(spend_tier.co2e_kg[1], spent[1])


@pytest.mark.parametrize(
    ("dimension", "key"),
    [
        ("vendor", lambda r: r.ai_model.vendor.slug),
        ("model", lambda r: r.ai_model.slug),
        ("region", lambda r: r.region.slug if r.region else ""),
    ],
)
def test_each_breakdown_group_equals_its_records_in_each_month(usage, dimension, key):
    d = figures(usage)
    records = records_of(usage, PERIOD.start, PERIOD.end)
    expected = expected_sums(records, key)
    groups = d.breakdowns[dimension]
    assert {g.key for g in groups} == set(expected)
    for group in groups:
        assert_same(group.totals, expected[group.key])
        by_month = expected_sums([r for r in records if key(r) == group.key], lambda r: r.month)
        for month, totals in group.monthly.items():
            if month in by_month:
                assert_same(totals, by_month[month])
            else:
                assert totals.rows == 0


def test_the_trend_pairs_each_month_with_the_same_place_in_the_prior_period(usage):
    d = figures(usage)
    records = records_of(usage, PERIOD.prior().start, PERIOD.end)
    by_month = expected_sums(records, lambda r: r.month)
    assert [p.month for p in d.trend] == PERIOD.month_list()
    assert [p.prior_month for p in d.trend] == PERIOD.prior().month_list()
    for point in d.trend:
        assert_same(point.current, by_month[point.month])
        assert_same(point.prior, by_month[point.prior_month])


def test_intensity_leaves_spend_out_and_counts_tokens_of_text_models_only(usage):
    d = figures(usage, token_models=set(TEXT_MODELS))
    records = [r for r in records_of(usage, PERIOD.start, PERIOD.end) if r.tier != Tier.SPEND]
    [co2e] = expected_sums(records).values()
    requests = sum(r.requests for r in records)
    text = [r for r in records if r.ai_model.slug in TEXT_MODELS]
    [text_co2e] = expected_sums(text).values()
    tokens = sum(r.input_tokens + r.output_tokens for r in text)
    grams = 1_000  # per kg
    for side in range(3):
        per_request = {basis: co2e[f"co2e_{basis}_kg"][side] * grams / requests for basis in ("location", "market")}
        assert close(d.intensity.per_1k_requests_location_g[side], per_request["location"] * 1_000)
        assert close(d.intensity.per_1k_requests_market_g[side], per_request["market"] * 1_000)
        per_token = text_co2e["co2e_location_kg"][side] * grams / tokens
        assert close(d.intensity.per_1m_tokens_location_g[side], per_token * 1_000_000)
    assert d.intensity.spend_rows_left_out == 1


def test_the_low_carbon_share_is_the_energy_of_records_on_a_grid_at_most_the_threshold(usage):
    records = [r for r in records_of(usage, PERIOD.start, PERIOD.end) if r.tier != Tier.SPEND]
    grids = sorted({round(grid_of(r), 6) for r in records})
    assert len(grids) >= 2
    threshold = (grids[0] + grids[1]) / 2  # between the cleanest grid and the next
    low = [r for r in records if grid_of(r) <= threshold]
    [all_energy] = expected_sums(records).values()
    [low_energy] = expected_sums(low).values()
    share = figures(usage, low_carbon_threshold_g_per_kwh=threshold).low_carbon
    assert close(share.low_carbon_kwh, low_energy["energy_kwh"][1])
    assert close(share.share, low_energy["energy_kwh"][1] / all_energy["energy_kwh"][1])
    assert 0 < share.share < 1


def test_the_tier_mix_shares_are_of_co2e_and_of_records(usage):
    records = records_of(usage, PERIOD.start, PERIOD.end)
    [whole] = expected_sums(records).values()
    per_tier = expected_sums(records, lambda r: r.tier)
    for tier in figures(usage).tiers:
        count = sum(1 for r in records if r.tier == tier.tier)
        assert tier.records == count and close(tier.records_share, count / len(records))
        co2e = per_tier[tier.tier]["co2e_location_kg"][1] if tier.tier in per_tier else 0.0
        assert close(tier.co2e_share, co2e / whole["co2e_location_kg"][1])


def test_target_years_are_the_calendar_years_of_the_records(usage):
    targets = targets_of(baseline_year=2024, target_year=2027, reduction_percent=30, net_zero_year=None)
    latest = dt.date(2025, 8, 1)
    needed = load_range(PERIOD, targets=targets, latest=latest)
    rows = footprint_rows(usage, needed.start, needed.end)
    d = dashboard_kpis(rows, period=PERIOD, targets=targets, latest=latest, low_carbon_threshold_g_per_kwh=100)
    by_year = expected_sums(records_of(usage, dt.date(2024, 1, 1), dt.date(2026, 1, 1)), lambda r: r.month.year)
    assert [(y.year, y.months) for y in d.tracking.years] == [(2024, 12), (2025, 8)]
    for year in d.tracking.years:
        assert close(year.co2e_kg, by_year[year.year]["co2e_location_kg"][1])
    # The usage starts in September 2024: the baseline has nothing in January-August, so 2025's eight months are
    # held to 8/12 of its trajectory (2025 is a third of the way from 2024 to 2027: 90 % of the baseline).
    [status] = d.tracking.statuses
    baseline = by_year[2024]["co2e_location_kg"][1]
    assert status.rule == MONTHS_OVER_12
    assert close(status.allowed_kg, baseline * (1 - 0.30 / 3) * 8 / 12)
    assert status.on_track is (by_year[2025]["co2e_location_kg"][1] <= status.allowed_kg)
