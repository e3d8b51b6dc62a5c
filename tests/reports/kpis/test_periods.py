"""Periods of whole months: month arithmetic, the presets, and the start/end parameters with their messages."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports.kpis.periods import (
    MAX_SPAN_MONTHS,
    Period,
    add_months,
    months_between,
    parse_month,
    period_from_params,
    preset_period,
)

FIRST, LATEST, TODAY = dt.date(2023, 4, 1), dt.date(2025, 9, 1), dt.date(2026, 3, 17)
months = st.builds(lambda y, m: dt.date(y, m, 1), st.integers(2000, 2090), st.integers(1, 12))


def choose(**params):
    return period_from_params(params, first=FIRST, latest=LATEST, today=TODAY)


@given(months, st.integers(-240, 240))
def test_adding_months_then_counting_them_gives_the_same_number(month, count):
    later = add_months(month, count)
    assert later.day == 1
    assert months_between(month, later) == count
    assert add_months(later, -count) == month


def test_adding_months_crosses_year_ends_both_ways():
    assert add_months(dt.date(2025, 11, 1), 3) == dt.date(2026, 2, 1)
    assert add_months(dt.date(2025, 2, 1), -3) == dt.date(2024, 11, 1)


@given(months, st.integers(1, 120))
def test_the_prior_period_has_as_many_months_and_ends_where_the_period_starts(start, length):
    period = Period(start, add_months(start, length))
    prior = period.prior()
    assert prior.months == period.months == len(period.month_list()) == length
    assert prior.end == period.start
    assert period.month_list()[-1] == period.last_month


@given(months, st.integers(1, MAX_SPAN_MONTHS))
def test_a_periods_parameters_ask_for_the_same_period(start, length):
    period = Period(start, add_months(start, length))
    assert choose(**period.query()).period == period


def test_the_default_is_the_twelve_months_ending_at_the_latest_month_with_data():
    choice = choose()
    assert choice.preset == "last-12" and choice.errors == []
    assert choice.period == Period(dt.date(2024, 10, 1), dt.date(2025, 10, 1))
    assert (choice.start, choice.end) == ("2024-10", "2025-09")


def test_year_to_date_and_the_previous_year_are_calendar_periods_of_today():
    assert choose(preset="ytd").period == Period(dt.date(2026, 1, 1), dt.date(2026, 4, 1))
    assert choose(preset="previous-year").period == Period(dt.date(2025, 1, 1), dt.date(2026, 1, 1))


def test_all_data_runs_from_the_first_to_the_latest_month_at_most_ten_years():
    assert choose(preset="all").period == Period(FIRST, dt.date(2025, 10, 1))
    long_ago = preset_period("all", first=dt.date(2001, 1, 1), latest=LATEST, today=TODAY)
    assert long_ago.months == MAX_SPAN_MONTHS and long_ago.end == dt.date(2025, 10, 1)


def test_a_custom_range_includes_both_months_and_wins_over_a_preset():
    choice = choose(start="2024-02", end="2024-04", preset="ytd")
    assert choice.preset == "custom" and choice.period == Period(dt.date(2024, 2, 1), dt.date(2024, 5, 1))
    assert choice.period.label == "Feb 2024 – Apr 2024"
    assert choose(start="2024-02", end="2024-02").period.label == "February 2024"


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"start": "2024-13", "end": "2024-12"}, "start", "is not a month"),
        ({"start": "2024-01", "end": "24-01"}, "end", "is not a month"),
        ({"start": "1999-12", "end": "2024-01"}, "start", "outside the years"),
        ({"start": "2024-01"}, "end", "give the last month"),
        ({"end": "2024-01"}, "start", "give the first month"),
        ({"start": "2024-05", "end": "2024-04"}, "end", "is before the start"),
        ({"start": "2010-01", "end": "2020-01"}, "end", "spans 121 months"),
        ({"preset": "forever"}, "preset", "unknown period"),
    ],
)
def test_a_bad_period_is_refused_with_a_message_naming_the_parameter(params, field, words):
    choice = choose(**params)
    assert choice.period is None
    assert len(choice.errors) >= 1
    assert choice.errors[0].startswith(f"{field}: ") and words in choice.errors[0]


def test_ten_years_exactly_is_allowed():
    assert choose(start="2010-01", end="2019-12").period.months == MAX_SPAN_MONTHS


def test_both_months_wrong_gives_two_messages_and_long_input_is_cut():
    choice = choose(start="x" * 500, end="2024-99")
    assert [e.split(":")[0] for e in choice.errors] == ["start", "end"]
    assert all(len(e) < 120 for e in choice.errors)
    assert parse_month(" 2024-07 ") == dt.date(2024, 7, 1)
