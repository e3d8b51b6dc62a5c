"""Reporting periods: a calendar month, quarter or year, as [start, end) between first days of months.

A period is named three ways: a label for people ("Q1 2025"), a token for forms ("2025-Q1") and a slug for file
names ("2025-q1"). Tokens name their kind, so a period select can offer every kind at once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

MONTHLY, QUARTERLY, YEARLY = "monthly", "quarterly", "yearly"  # the values of ``reports.models.Report.Kind``
MONTHS_IN = {MONTHLY: 1, QUARTERLY: 3, YEARLY: 12}
KIND_NOUNS = {MONTHLY: "month", QUARTERLY: "quarter", YEARLY: "year"}

TOKEN_PATTERNS = (
    (MONTHLY, re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})$")),
    (QUARTERLY, re.compile(r"^(?P<year>\d{4})-[Qq](?P<quarter>[1-4])$")),
    (YEARLY, re.compile(r"^(?P<year>\d{4})$")),
)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date  # first day of the first month
    kind: str

    @property
    def end(self) -> dt.date:
        """First day of the month after the last one (exclusive)."""
        return add_months(self.start, MONTHS_IN[self.kind])

    @property
    def last_month(self) -> dt.date:
        return add_months(self.start, MONTHS_IN[self.kind] - 1)

    @property
    def months(self) -> list[dt.date]:
        return [add_months(self.start, i) for i in range(MONTHS_IN[self.kind])]

    @property
    def quarter(self) -> int:
        return (self.start.month - 1) // 3 + 1

    @property
    def label(self) -> str:
        if self.kind == MONTHLY:
            return f"{self.start:%B %Y}"
        if self.kind == QUARTERLY:
            return f"Q{self.quarter} {self.start.year}"
        return str(self.start.year)

    @property
    def long_label(self) -> str:
        """A quarter's label with its months spelt out: "Q1 2025 (January–March 2025)"; months and years as is."""
        if self.kind != QUARTERLY:
            return self.label
        return f"{self.label} ({self.start:%B}–{self.last_month:%B %Y})"

    @property
    def token(self) -> str:
        if self.kind == MONTHLY:
            return f"{self.start:%Y-%m}"
        if self.kind == QUARTERLY:
            return f"{self.start.year}-Q{self.quarter}"
        return str(self.start.year)

    @property
    def slug(self) -> str:
        return self.token.lower()


def period_containing(kind: str, day: dt.date) -> Period:
    """The calendar period of this kind that ``day`` falls in."""
    if kind not in MONTHS_IN:
        raise ValueError(f"Unknown report kind “{kind}”: use one of {', '.join(MONTHS_IN)}.")
    size = MONTHS_IN[kind]
    first_month = (day.month - 1) // size * size + 1
    return Period(dt.date(day.year, first_month, 1), kind)


def period_from_token(token: str) -> Period:
    """The period a token names ("2025-03", "2025-Q1", "2025"); ``ValueError`` saying what is expected."""
    token = token.strip()
    for kind, pattern in TOKEN_PATTERNS:
        match = pattern.match(token)
        if not match:
            continue
        year = int(match["year"])
        if kind == MONTHLY:
            month = int(match["month"])
            if not 1 <= month <= 12:
                break
            return Period(dt.date(year, month, 1), kind)
        if kind == QUARTERLY:
            return Period(dt.date(year, 3 * int(match["quarter"]) - 2, 1), kind)
        return Period(dt.date(year, 1, 1), kind)
    raise ValueError(f"“{token}” is not a period: use a month (2025-03), a quarter (2025-Q1) or a year (2025).")


def periods_with_data(months: Iterable[dt.date]) -> dict[str, list[Period]]:
    """Per kind, the periods holding at least one of these months, newest first."""
    months = set(months)
    return {kind: sorted({period_containing(kind, month) for month in months}, reverse=True) for kind in MONTHS_IN}
