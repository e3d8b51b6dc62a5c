"""Target tracking: the trajectory runs from the baseline to the goal in the target year and stays there; the
latest year is compared in full, or on its months so far against the same months of the baseline."""

from __future__ import annotations

import datetime as dt
import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports.kpis.targets import (
    FULL_YEAR,
    MONTHS_OVER_12,
    SAME_MONTHS_OF_BASELINE,
    Target,
    target_tracking,
    targets_of,
)
from tests.reports.kpis.rows import row


def month(year: int, m: int) -> dt.date:
    return dt.date(year, m, 1)


def monthly(year: int, kg_per_month: dict[int, float]) -> list:
    return [row(month(year, m), location=(kg / 2, kg, kg * 2)) for m, kg in kg_per_month.items()]


@given(st.integers(2000, 2050), st.integers(1, 40), st.floats(0, 100), st.floats(0.001, 1e9))
def test_the_trajectory_starts_at_the_baseline_hits_the_goal_in_the_target_year_and_stays(base, span, pct, kg):
    target = Target("reduction", base, base + span, pct)
    goal = kg * (1 - pct / 100)
    assert target.allowed_kg(kg, base) == kg
    assert math.isclose(target.allowed_kg(kg, base + span), goal, rel_tol=1e-9, abs_tol=1e-9)
    assert target.allowed_kg(kg, base + span + 7) == target.allowed_kg(kg, base + span)
    path = [target.allowed_kg(kg, year) for year in range(base, base + span + 2)]
    assert all(a >= b - 1e-9 * kg for a, b in itertools.pairwise(path))  # never rises
    if span >= 2:  # a straight line: every step the same
        steps = [a - b for a, b in itertools.pairwise(path[: span + 1])]
        assert all(math.isclose(s, steps[0], rel_tol=1e-6, abs_tol=1e-9 * kg) for s in steps)


def test_a_net_zero_year_is_a_straight_line_to_zero():
    [target] = targets_of(baseline_year=2020, target_year=None, reduction_percent=None, net_zero_year=2030)
    assert target.kind == "net_zero" and target.label == "Net zero by 2030"
    assert target.allowed_kg(100, 2025) == 50 and target.allowed_kg(100, 2030) == 0 == target.allowed_kg(100, 2031)


def test_targets_need_a_baseline_and_a_year_after_it_and_both_kinds_are_kept():
    assert targets_of(baseline_year=None, target_year=2030, reduction_percent=50, net_zero_year=2040) == []
    assert targets_of(baseline_year=2030, target_year=2030, reduction_percent=50, net_zero_year=None) == []
    both = targets_of(baseline_year=2020, target_year=2030, reduction_percent=42.5, net_zero_year=2040)
    assert [(t.kind, t.label) for t in both] == [("reduction", "−42.5 % by 2030"), ("net_zero", "Net zero by 2040")]


TARGET = Target("reduction", 2024, 2028, 40)  # allowed: 100 % in 2024, 90 % in 2025, 80 % in 2026 ...


def test_without_a_target_or_data_or_baseline_usage_nothing_is_tracked():
    assert target_tracking(monthly(2024, {1: 5}), targets=[], latest=month(2024, 1)).state == "no_target"
    assert target_tracking([], targets=[TARGET], latest=None).state == "no_data"
    assert target_tracking(monthly(2025, {1: 5}), targets=[TARGET], latest=month(2025, 1)).state == "no_baseline"
    only_baseline = target_tracking(monthly(2024, {1: 5}), targets=[TARGET], latest=month(2024, 1))
    assert only_baseline.state == "no_later_data" and only_baseline.statuses == ()
    assert only_baseline.baseline_kg == 5 and only_baseline.baseline_months_with_data == 1


def test_a_finished_year_is_compared_in_full_with_its_point_on_the_trajectory():
    rows = monthly(2024, dict.fromkeys(range(1, 13), 10.0)) + monthly(2025, {1: 50.0, 12: 60.0})
    tracking = target_tracking(rows, targets=[TARGET], latest=month(2025, 12))
    [status] = tracking.statuses
    assert tracking.state == "tracked" and tracking.baseline_kg == 120
    assert [(y.year, y.co2e_kg, y.months) for y in tracking.years] == [(2024, 120, 12), (2025, 110, 12)]
    assert (status.year, status.months, status.rule) == (2025, 12, FULL_YEAR)
    assert status.actual_kg == 110 and math.isclose(status.allowed_kg, 120 * 0.9)
    assert not status.on_track and math.isclose(status.gap_percent, (110 - 108) / 108 * 100)
    assert tracking.chart_years == list(range(2024, 2029))


def test_a_year_so_far_is_compared_with_the_same_months_of_the_baseline():
    # Baseline: a quiet first half (10 a month) and a busy second half (30 a month): 240 in all.
    baseline = monthly(2024, {m: 10.0 if m <= 6 else 30.0 for m in range(1, 13)})
    rows = baseline + monthly(2026, dict.fromkeys(range(1, 7), 9.0))  # 54 in January-June, nothing in 2025
    tracking = target_tracking(rows, targets=[TARGET], latest=month(2026, 6))
    [status] = tracking.statuses
    assert [y.co2e_kg for y in tracking.years] == [240, 0, 54] and tracking.years[-1].is_partial
    assert (status.year, status.months, status.rule) == (2026, 6, SAME_MONTHS_OF_BASELINE)
    # 2026 allows 80 % of 240 = 192; the baseline's first half held 60 / 240 of its year: 48 allowed so far.
    assert math.isclose(status.full_year_allowed_kg, 192) and math.isclose(status.allowed_kg, 48)
    assert status.actual_kg == 54 and not status.on_track


def test_without_baseline_usage_in_those_months_the_year_so_far_is_months_over_twelve():
    rows = monthly(2024, {11: 50.0, 12: 50.0}) + monthly(2025, {1: 10.0, 2: 5.0})
    [status] = target_tracking(rows, targets=[TARGET], latest=month(2025, 2)).statuses
    assert status.rule == MONTHS_OVER_12
    assert math.isclose(status.allowed_kg, 100 * 0.9 * 2 / 12) and status.on_track


@pytest.mark.parametrize(("actual", "on_track"), [(108.0, True), (108.01, False)])
def test_at_the_trajectory_is_on_track_and_above_it_is_not(actual, on_track):
    rows = monthly(2024, {12: 120.0}) + monthly(2025, {12: actual})
    [status] = target_tracking(rows, targets=[TARGET], latest=month(2025, 12)).statuses
    assert status.on_track is on_track


def test_each_target_is_tracked_on_its_own_trajectory():
    targets = targets_of(baseline_year=2024, target_year=2026, reduction_percent=50, net_zero_year=2034)
    rows = monthly(2024, {12: 100.0}) + monthly(2025, {12: 80.0})
    reduction, net_zero = target_tracking(rows, targets=targets, latest=month(2025, 12)).statuses
    assert (reduction.allowed_kg, reduction.on_track) == (75, False)
    assert (net_zero.allowed_kg, net_zero.on_track) == (90, True)
