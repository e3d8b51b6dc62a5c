"""Rows that repeat another row's period, model and region: found by sorting compact keys, not by a dict of rows.

Two rows are duplicates when their periods are the same days (a month row and a start/end row covering exactly
that month are the same period), their models are the same catalogue model and their regions the same (or both
not given). Overlapping but different periods are not duplicates: daily rows are normal.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field

import numpy as np


@dataclass
class KeyLog:
    start: array = field(default_factory=lambda: array("i"))  # ordinal of the first day
    end: array = field(default_factory=lambda: array("i"))  # ordinal of the last day
    model_id: array = field(default_factory=lambda: array("q"))
    region_id: array = field(default_factory=lambda: array("q"))  # 0 when not given
    row: array = field(default_factory=lambda: array("i"))

    def add(self, row: int, start: int, end: int, model_id: int, region_id: int) -> None:
        self.start.append(start)
        self.end.append(end)
        self.model_id.append(model_id)
        self.region_id.append(region_id)
        self.row.append(row)


@dataclass(frozen=True)
class Duplicate:
    first_row: int
    row: int
    start: int  # ordinals
    end: int
    model_id: int
    region_id: int


def find_duplicates(keys: KeyLog, limit: int) -> tuple[list[Duplicate], int]:
    """Each row that repeats an earlier one (with the earliest row it repeats), at most ``limit``, and the count."""
    if len(keys.row) < 2:
        return [], 0
    columns = [np.frombuffer(a, dtype=a.typecode) for a in (keys.start, keys.end, keys.model_id, keys.region_id)]
    rows = np.frombuffer(keys.row, dtype=keys.row.typecode)
    order = np.lexsort((rows, *reversed(columns)))  # by start, end, model, region, then row
    same = np.ones(len(order) - 1, dtype=bool)
    for column in columns:
        ordered = column[order]
        same &= ordered[1:] == ordered[:-1]
    repeats = np.flatnonzero(same) + 1  # positions (in ``order``) of rows equal to the one before
    if not len(repeats):
        return [], 0
    # The first row of each run of equal keys: the nearest position before, not itself a repeat.
    is_repeat = np.zeros(len(order), dtype=bool)
    is_repeat[repeats] = True
    starts = np.maximum.accumulate(np.where(is_repeat, 0, np.arange(len(order))))
    found = []
    for position in repeats[np.argsort(rows[order[repeats]], kind="stable")][:limit]:
        i, first = order[position], order[starts[position]]
        found.append(
            Duplicate(
                int(rows[first]),
                int(rows[i]),
                int(columns[0][i]),
                int(columns[1][i]),
                int(columns[2][i]),
                int(columns[3][i]),
            )
        )
    return found, len(repeats)
