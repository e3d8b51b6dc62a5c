"""Which footprint periods a factor change touches.

A footprint for a month uses the factors in force on the month's first day. A change to a factor touches
the months whose first day lies in the periods where what is in force differs before and after the change:

- a factor approved (or retired): its whole period;
- the same factor, same value, with only its period moved (closed by a newer factor, say): the days it
  gained or lost, and nothing else.

Pure functions over plain values; ``FactorState.of`` reads a model instance.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

Window = tuple[dt.date, dt.date | None]  # [start, end), end None = open


@dataclass(frozen=True)
class FactorState:
    """What of a factor matters to footprints, at one moment."""

    factor_id: int
    kind: str
    subject_field: str
    subject_id: int
    approved: bool
    value: tuple[float, float | None, float | None]
    valid_from: dt.date
    valid_to: dt.date | None

    @classmethod
    def of(cls, factor) -> FactorState:
        field = factor.subject_field
        return cls(
            factor_id=factor.pk,
            kind=factor.kind,
            subject_field=field,
            subject_id=getattr(factor, f"{field}_id"),
            approved=factor.status == "approved",
            value=(factor.value, factor.value_low, factor.value_high),
            valid_from=factor.valid_from,
            valid_to=factor.valid_to,
        )

    @property
    def window(self) -> Window:
        return (self.valid_from, self.valid_to)


@dataclass(frozen=True)
class FactorChange:
    """One factor's change: the subject it belongs to and the windows where footprints must be recomputed."""

    factor_id: int
    kind: str
    subject_field: str
    subject_id: int
    windows: tuple[Window, ...]

    @classmethod
    def between(cls, before: FactorState | None, after: FactorState) -> FactorChange:
        return cls(after.factor_id, after.kind, after.subject_field, after.subject_id, touched_windows(before, after))


def _end(end: dt.date | None) -> dt.date:
    return dt.date.max if end is None else end


def _normalise(start: dt.date, end: dt.date) -> Window:
    return (start, None if end == dt.date.max else end)


def window_difference(a: Window, b: Window) -> list[Window]:
    """The parts of ``a`` not in ``b``."""
    a_start, a_end = a[0], _end(a[1])
    b_start, b_end = b[0], _end(b[1])
    parts = []
    if a_start < min(a_end, b_start):
        parts.append(_normalise(a_start, min(a_end, b_start)))
    if max(a_start, b_end) < a_end:
        parts.append(_normalise(max(a_start, b_end), a_end))
    return parts


def merge_windows(windows: list[Window]) -> tuple[Window, ...]:
    """Sorted, with overlapping or touching windows merged."""
    merged: list[tuple[dt.date, dt.date]] = []
    for start, end in sorted((w[0], _end(w[1])) for w in windows):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(_normalise(start, end) for start, end in merged)


def touched_windows(before: FactorState | None, after: FactorState) -> tuple[Window, ...]:
    """Where footprints can differ between ``before`` (None: the factor is new) and ``after``."""
    fed_before = before is not None and before.approved
    if fed_before and after.approved and before.value == after.value and before.kind == after.kind:
        return merge_windows(
            window_difference(before.window, after.window) + window_difference(after.window, before.window)
        )
    windows = []
    if fed_before:
        windows.append(before.window)
    if after.approved:
        windows.append(after.window)
    return merge_windows(windows)
