"""Sums of footprint rows: totals side by side, breakdowns that add up to them, the data-quality mix, the change
against a prior figure and the fingerprint of what the figures come from."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

from hypothesis import given

from reports.kpis.totals import (
    DIMENSIONS,
    breakdown,
    by_month,
    change_percent,
    fold_groups,
    in_period,
    rows_fingerprint,
    sum_totals,
    tier_mix,
    totals,
)
from tests.reports.kpis.rows import row, rows_strategy, spend_row

JAN, FEB, MAR = dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)
ALL_MONTHS = [dt.date(y, m, 1) for y in (2024, 2025) for m in range(1, 13)]
TRIPLES = ("energy_kwh", "co2e_location_kg", "co2e_market_kg", "water_l", "spend_co2e_kg")


def close(a, b) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


def same_totals(a, b) -> bool:
    counts = ("records", "requests", "input_tokens", "output_tokens", "rows", "missing")
    return all(getattr(a, c) == getattr(b, c) for c in counts) and all(
        close(getattr(a, t)[side], getattr(b, t)[side]) for t in TRIPLES for side in range(3)
    )


def test_totals_add_each_side_separately_and_count_usage():
    rows = [row(JAN, energy=(1, 2, 3), location=(4, 5, 6), market=(0.1, 0.2, 0.3), requests=10, input_tokens=7),
            row(FEB, energy=(10, 20, 30), location=(40, 50, 60), market=(1, 2, 3), requests=5, input_tokens=3,
                output_tokens=2, records=4, missing=True)]  # fmt: skip
    t = totals(rows)
    assert t.energy_kwh == (11, 22, 33)
    assert t.co2e_location_kg == (44, 55, 66) and t.co2e_kg("location") == t.co2e_location_kg
    assert t.co2e_market_kg == (1.1, 2.2, 3.3) and t.co2e_kg("market") == t.co2e_market_kg
    assert (t.requests, t.input_tokens, t.output_tokens, t.tokens) == (15, 10, 402, 412)
    assert (t.records, t.rows, t.missing) == (5, 2, 1)
    assert t.spend_co2e_kg == (0, 0, 0)


def test_spend_based_rows_add_co2e_on_both_bases_and_no_energy_or_water():
    t = totals([row(JAN), spend_row(JAN, spend=1_000, kg_per_unit=(0.1, 0.25, 0.5))])
    assert t.spend_co2e_kg == (100, 250, 500)
    assert t.co2e_location_kg == (100.5, 251, 502) and t.co2e_market_kg == (100.5, 251, 502)
    assert t.energy_kwh == (1, 2, 4) and t.water_l == (3, 6, 12)


@given(rows_strategy())
def test_every_breakdown_adds_up_to_the_totals(rows):
    whole = totals(rows)
    for dimension in DIMENSIONS:
        groups = breakdown(rows, dimension, ALL_MONTHS)
        assert len({g.key for g in groups}) == len(groups)
        assert same_totals(sum_totals(g.totals for g in groups), whole)
        for group in groups:
            assert same_totals(sum_totals(group.monthly.values()), group.totals)
        centrals = [g.totals.co2e_location_kg[1] for g in groups]
        assert centrals == sorted(centrals, reverse=True)


@given(rows_strategy())
def test_months_add_up_to_the_totals_and_folding_groups_keeps_the_sum(rows):
    assert same_totals(sum_totals(by_month(rows, ALL_MONTHS).values()), totals(rows))
    groups = breakdown(rows, "model", ALL_MONTHS)
    folded = fold_groups(groups, 1, ALL_MONTHS)
    assert len(folded) == min(len(groups), 2)
    assert same_totals(sum_totals(g.totals for g in folded), totals(rows))
    if len(groups) > 1:
        assert folded[-1].label == f"Other ({len(groups) - 1})"
        for month in ALL_MONTHS:
            assert same_totals(folded[-1].monthly[month], sum_totals(g.monthly[month] for g in groups[1:]))


def test_groups_are_named_by_vendor_model_and_region_and_no_region_is_the_world_average():
    rows = [row(JAN, model="meta/llama", region="gcp/us-east4"), row(JAN, model="google/gemini", region="")]
    assert {g.label for g in breakdown(rows, "vendor", [JAN])} == {"Meta", "Google"}
    assert {g.label for g in breakdown(rows, "model", [JAN])} == {"Llama (Meta)", "Gemini (Google)"}
    assert {(g.key, g.label) for g in breakdown(rows, "region", [JAN])} == {
        ("gcp/us-east4", "gcp/us-east4"), ("", "world average")}  # fmt: skip


def test_months_outside_the_list_are_left_out_and_in_period_takes_start_to_before_end():
    rows = [row(JAN), row(FEB), row(MAR)]
    assert list(by_month(rows, [FEB])) == [FEB] and by_month(rows, [FEB])[FEB].rows == 1
    assert [r.month for r in in_period(rows, FEB, MAR)] == [FEB]


@given(rows_strategy(min_size=1))
def test_the_tier_shares_add_up_to_one_and_every_tier_is_listed(rows):
    mix = tier_mix(rows)
    assert [t.tier for t in mix] == ["token", "request", "spend"]
    assert sum(t.records for t in mix) == totals(rows).records
    assert math.isclose(sum(t.records_share for t in mix), 1.0)
    co2e = totals(rows).co2e_location_kg[1]
    if co2e > 0:
        assert math.isclose(sum(t.co2e_share for t in mix), 1.0)
        for share in mix:
            assert close(share.co2e_share * co2e, share.co2e_kg[1])


def test_the_tier_mix_of_no_rows_has_no_shares():
    assert all(t.co2e_share is None and t.records_share is None for t in tier_mix([]))


def test_change_is_relative_to_the_prior_figure_and_undefined_from_zero():
    assert change_percent(150, 100) == 50
    assert change_percent(50, 200) == -75
    assert change_percent(5, 0) is None


def test_the_fingerprint_follows_rate_versions_and_usage_not_row_order():
    rows = [row(JAN, rate_id=1), row(FEB, rate_id=2)]
    assert rows_fingerprint(rows) == rows_fingerprint(list(reversed(rows)))
    recomputed = [rows[0], dataclasses.replace(rows[1], rate_version=2)]
    more_usage = [rows[0], dataclasses.replace(rows[1], requests=101)]
    assert len({rows_fingerprint(rows), rows_fingerprint(recomputed), rows_fingerprint(more_usage)}) == 3
