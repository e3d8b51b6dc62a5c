"""Months, dates and pro-rata splitting: plain functions, no database."""

from __future__ import annotations

import datetime as dt
import random
from fractions import Fraction

import pytest

from reports.ingest.periods import largest_remainder, month_spans, parse_date, parse_month


def test_a_range_touches_each_month_with_its_days_including_both_ends():
    spans = month_spans(dt.date(2024, 1, 31), dt.date(2024, 3, 1))  # 2024 is a leap year
    assert [(dt.date.fromordinal(o), days) for o, days in spans] == [
        (dt.date(2024, 1, 1), 1),
        (dt.date(2024, 2, 1), 29),
        (dt.date(2024, 3, 1), 1),
    ]


def test_a_range_within_one_month_is_one_span():
    assert month_spans(dt.date(2025, 2, 3), dt.date(2025, 2, 3)) == ((dt.date(2025, 2, 1).toordinal(), 1),)


def test_largest_remainder_gives_the_leftover_units_to_the_largest_remainders():
    # 10 over weights 1, 1, 1: exact 3.33 each; floors 3, 3, 3; one left, remainders tie: the first part gets it.
    assert largest_remainder(10, [1, 1, 1]) == [4, 3, 3]
    # 7 over 2, 5: exact 2, 5.
    assert largest_remainder(7, [2, 5]) == [2, 5]
    # 5 over 1, 3: exact 1.25, 3.75: floors 1, 3; the 0.75 remainder wins.
    assert largest_remainder(5, [1, 3]) == [1, 4]


@pytest.mark.parametrize("seed", range(20))
def test_largest_remainder_keeps_the_total_and_each_part_within_one_of_its_share(seed):
    rng = random.Random(seed)
    total = rng.choice([0, 1, 7, 10**6, 2**63 - 1, rng.randrange(10**12)])
    weights = [rng.randrange(1, 32) for _ in range(rng.randrange(1, 14))]
    parts = largest_remainder(total, weights)
    assert sum(parts) == total
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part - Fraction(total * weight, sum(weights))) < 1


@pytest.mark.parametrize("text", ["2025-1", "2025-00", "2025-13", "25-01", "2025/01", "2025-01-01", " 2025-01"])
def test_a_month_must_be_yyyy_mm(text):
    with pytest.raises(ValueError, match="is not a month"):
        parse_month(text)


@pytest.mark.parametrize("text", ["2025-02-29", "2025-04-31", "2025-1-01", "01/02/2025", "2025-02-01T00:00"])
def test_a_date_must_be_a_real_yyyy_mm_dd(text):
    with pytest.raises(ValueError, match="is not a date"):
        parse_date(text)


def test_good_months_and_dates_read():
    assert parse_month("2024-12") == dt.date(2024, 12, 1)
    assert parse_date("2024-02-29") == dt.date(2024, 2, 29)
