"""Duplicate rows found by sorting keys: the same period, model and region; each repeat names the earliest row."""

from __future__ import annotations

import random

from reports.ingest.duplicates import KeyLog, find_duplicates


def keys(rows) -> KeyLog:
    log = KeyLog()
    for row, start, end, model, region in rows:
        log.add(row, start, end, model, region)
    return log


def test_each_repeat_names_the_first_row_with_the_same_key():
    log = keys([(2, 10, 40, 1, 0), (3, 10, 40, 1, 7), (4, 10, 40, 1, 0), (5, 10, 41, 1, 0), (6, 10, 40, 1, 0)])
    found, count = find_duplicates(log, limit=10)
    assert count == 2 and [(d.first_row, d.row) for d in found] == [(2, 4), (2, 6)]


def test_the_listing_stops_at_the_limit_but_the_count_does_not():
    log = keys([(r, 1, 1, 1, 1) for r in range(2, 12)])
    found, count = find_duplicates(log, limit=3)
    assert count == 9 and [d.row for d in found] == [3, 4, 5]


def test_random_keys_agree_with_a_dictionary():
    rng = random.Random(7)
    rows = [(r, rng.randrange(3), rng.randrange(3), rng.randrange(3), rng.randrange(2)) for r in range(2, 400)]
    first, expected = {}, []
    for row, *key in rows:
        if tuple(key) in first:
            expected.append((first[tuple(key)], row))
        else:
            first[tuple(key)] = row
    found, count = find_duplicates(keys(rows), limit=10_000)
    assert count == len(expected) and [(d.first_row, d.row) for d in found] == expected
