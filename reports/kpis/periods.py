"""Periods of whole months, the dashboard's presets and the ``start``/``end`` query parameters.

A period is ``[start, end)``: ``start`` the first day of its first month, ``end`` the first day of the month after
its last (as ``Report.period_start``/``period_end`` and ``footprint_rows`` take them). Its prior period is the same
number of months immediately before it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from emissions.planner import MONTHS_PER_YEAR

MAX_SPAN_MONTHS = 10 * MONTHS_PER_YEAR  # the longest period asked for at once: ten years (the limit)
FIRST_YEAR, LAST_YEAR = 2000, 2100  # the years a month may be in: the same bounds as Organisation.baseline_year
MONTH_FORMAT = re.compile(r"^(\d{4})-(\d{2})$")

# Presets, in the order the page lists them; "last-12" is the default.
PRESETS = {
    "last-12": "Last 12 months",
    "ytd": "Year to date",
    "previous-year": "Previous calendar year",
    "all": "All data",
}
DEFAULT_PRESET = "last-12"


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, count: int) -> dt.date:
    """The first day of the month ``count`` months after (before, when negative) ``month``'s."""
    index = month.year * MONTHS_PER_YEAR + month.month - 1 + count
    return dt.date(index // MONTHS_PER_YEAR, index % MONTHS_PER_YEAR + 1, 1)


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months in ``[start, end)`` (both first days)."""
    return (end.year - start.year) * MONTHS_PER_YEAR + end.month - start.month


def month_label(month: dt.date) -> str:
    return f"{month:%b %Y}"


@dataclass(frozen=True)
class Period:
    start: dt.date  # first day of the first month
    end: dt.date  # first day of the month after the last

    def __post_init__(self):
        if self.start.day != 1 or self.end.day != 1 or self.end <= self.start:
            raise ValueError(f"not a period of whole months: {self.start} – {self.end}")

    @classmethod
    def of_months(cls, first: dt.date, last: dt.date) -> Period:
        """The period from the month of ``first`` to the month of ``last``, both included."""
        return cls(first_of_month(first), add_months(first_of_month(last), 1))

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year + 1, 1, 1))

    @property
    def months(self) -> int:
        return months_between(self.start, self.end)

    @property
    def last_month(self) -> dt.date:
        return add_months(self.end, -1)

    def month_list(self) -> list[dt.date]:
        return [add_months(self.start, i) for i in range(self.months)]

    def prior(self) -> Period:
        """The same number of months immediately before."""
        return Period(add_months(self.start, -self.months), self.start)

    def __contains__(self, month: dt.date) -> bool:
        return self.start <= month < self.end

    @property
    def label(self) -> str:
        """'Mar 2025 – Feb 2026', or 'March 2025' for a single month."""
        if self.months == 1:
            return f"{self.start:%B %Y}"
        return f"{month_label(self.start)} – {month_label(self.last_month)}"

    def query(self) -> dict[str, str]:
        """The ``start``/``end`` parameters that ask for this period."""
        return {"start": f"{self.start:%Y-%m}", "end": f"{self.last_month:%Y-%m}"}


def preset_period(preset: str, *, first: dt.date, latest: dt.date, today: dt.date) -> Period:
    """A preset period. ``first`` and ``latest`` are the organisation's first and latest months with data.

    "Last 12 months" ends at the latest month with data (not today: a month with no upload yet is not a month
    of zero emissions); "year to date" and "previous calendar year" are calendar periods of today's year; "all
    data" runs from the first month with data to the latest, at most the last ten years of it.
    """
    if preset == "last-12":
        end = add_months(first_of_month(latest), 1)
        return Period(add_months(end, -MONTHS_PER_YEAR), end)
    if preset == "ytd":
        return Period.of_months(dt.date(today.year, 1, 1), today)
    if preset == "previous-year":
        return Period.year(today.year - 1)
    if preset == "all":
        end = add_months(first_of_month(latest), 1)
        return Period(max(first_of_month(first), add_months(end, -MAX_SPAN_MONTHS)), end)
    raise ValueError(f"unknown preset {preset!r}")


def parse_month(text: str) -> dt.date:
    """``YYYY-MM`` to the first day of that month; ValueError with a message for people otherwise."""
    shown = text[:20] + ("…" if len(text) > 20 else "")
    match = MONTH_FORMAT.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= MONTHS_PER_YEAR:
        raise ValueError(f"“{shown}” is not a month: use YYYY-MM, e.g. 2025-01.")
    year = int(match.group(1))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"{shown} is outside the years {FIRST_YEAR}–{LAST_YEAR}.")
    return dt.date(year, int(match.group(2)), 1)


@dataclass(frozen=True)
class PeriodChoice:
    """What the query string asked for: a period (None when it has errors), the preset (or "custom") and the
    months to show in the form (YYYY-MM, or "" for one that is not a month)."""

    period: Period | None
    preset: str
    start: str
    end: str
    errors: list[str]


def period_from_params(params: Mapping[str, str], *, first: dt.date, latest: dt.date, today: dt.date) -> PeriodChoice:
    """The period of ``?start=YYYY-MM&end=YYYY-MM`` (both months included) or ``?preset=...`` (default: the
    last 12 months with data). Every problem is a message naming its parameter."""
    start_text, end_text = (params.get("start") or "").strip(), (params.get("end") or "").strip()
    if not start_text and not end_text:
        preset = params.get("preset") or DEFAULT_PRESET
        if preset not in PRESETS:
            shown = preset[:20] + ("…" if len(preset) > 20 else "")
            message = f"preset: unknown period “{shown}”: use one of {', '.join(PRESETS)}."
            return PeriodChoice(None, preset, "", "", [message])
        period = preset_period(preset, first=first, latest=latest, today=today)
        return PeriodChoice(period, preset, *period.query().values(), [])
    errors, months = [], {}
    for name, text in (("start", start_text), ("end", end_text)):
        if not text:
            which = "first" if name == "start" else "last"
            errors.append(f"{name}: give the {which} month of the period too (YYYY-MM).")
            continue
        try:
            months[name] = parse_month(text)
        except ValueError as exc:
            errors.append(f"{name}: {exc}")
    if not errors:
        start, end = months["start"], months["end"]
        span = months_between(start, end) + 1
        if end < start:
            errors.append(f"end: {end:%Y-%m} is before the start, {start:%Y-%m}.")
        elif span > MAX_SPAN_MONTHS:
            errors.append(f"end: the period spans {span} months; the longest is {MAX_SPAN_MONTHS} (ten years).")
    if errors:  # the form shows the months that are months (a month input cannot hold anything else)
        shown = {name: f"{month:%Y-%m}" for name, month in months.items()}
        return PeriodChoice(None, "custom", shown.get("start", ""), shown.get("end", ""), errors)
    return PeriodChoice(Period.of_months(months["start"], months["end"]), "custom", start_text, end_text, [])
