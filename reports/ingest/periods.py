"""Periods of usage: months, inclusive date ranges, and splitting a range into months pro rata by days.

A row's period is either a month (``YYYY-MM``) or ``start`` and ``end`` dates (``YYYY-MM-DD``, end inclusive).
A range over several months becomes one record per month; each count is split in proportion to the days of the
range that fall in each month, with the largest-remainder method so the parts add up to the total exactly.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Sequence

MONTH_PATTERN = re.compile(r"(\d{4})-(\d{2})")
DATE_PATTERN = re.compile(r"(\d{4})-(\d{2})-(\d{2})")

Span = tuple[int, int]  # (ordinal of the month's first day, days of the period in that month)


def parse_month(text: str) -> dt.date:
    """The first day of a ``YYYY-MM`` month; ValueError with a message for anything else."""
    match = MONTH_PATTERN.fullmatch(text)
    if not match or not 1 <= int(match[2]) <= 12:
        raise ValueError(f"“{text}” is not a month: use YYYY-MM, e.g. 2025-03.")
    return dt.date(int(match[1]), int(match[2]), 1)


def parse_date(text: str) -> dt.date:
    match = DATE_PATTERN.fullmatch(text)
    try:
        if not match:
            raise ValueError
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise ValueError(f"“{text}” is not a date: use YYYY-MM-DD, e.g. 2025-03-31.") from None


def month_end(first: dt.date) -> dt.date:
    """The last day of the month that starts on ``first``."""
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def month_spans(start: dt.date, end: dt.date) -> tuple[Span, ...]:
    """Each month the inclusive range touches, with the number of its days in the range."""
    spans = []
    first = start.replace(day=1)
    while first <= end:
        last = month_end(first)
        days = (min(last, end) - max(first, start)).days + 1
        spans.append((first.toordinal(), days))
        first = last + dt.timedelta(days=1)
    return tuple(spans)


def largest_remainder(total: int, weights: Sequence[int]) -> list[int]:
    """Split a whole number in proportion to ``weights``; the parts add up to ``total`` exactly.

    Each part is first rounded down; the units left over go one each to the parts with the largest remainders
    (ties: the earlier part first). Integer arithmetic throughout, so it is exact for any size of number.
    """
    whole = sum(weights)
    parts = [total * w // whole for w in weights]
    remainders = [total * w % whole for w in weights]
    left = total - sum(parts)
    for i in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:left]:
        parts[i] += 1
    return parts
