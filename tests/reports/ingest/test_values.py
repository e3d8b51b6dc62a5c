"""Reading counts, spend and currencies from CSV text and JSON values: plain functions, no database."""

from __future__ import annotations

import pytest

from reports.ingest.values import parse_count, parse_currency, parse_spend


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", 0),
        (" 42 ", 42),
        ("12.0", 12),
        ("9223372036854775807", 2**63 - 1),
        (42, 42),
        (12.0, 12),
        ("", None),
        (None, None),
        ("  ", None),
    ],
)
def test_counts_read_whole_numbers_from_text_and_json(value, expected):
    assert parse_count(value) == expected


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("-1", "negative"),
        ("1.5", "not a whole number"),
        ("abc", "not a number"),
        ("NaN", "not a number"),
        ("inf", "not a number"),
        ("-Infinity", "not a number"),
        ("1,000", "thousands separator"),
        ("1e3", "not a whole"),
        ("9223372036854775808", "too large"),
        ("１２", "not a number"),
        ("1_000", "not a number"),
        (-1, "negative"),
        (True, "not a number"),
        (float("nan"), "not a number"),
        (2.5, "not a whole number"),
        (2**63, "too large"),
        (2.0**60, "too large to be exact"),
        ([1], "not a number"),
    ],
)
def test_bad_counts_say_what_is_wrong(value, words):
    with pytest.raises(ValueError, match=words):
        parse_count(value)


@pytest.mark.parametrize(
    ("value", "units"),
    [
        ("12", 120_000),
        ("12.5", 125_000),
        ("0.0001", 1),
        ("0.00005", 0),
        ("0.00015", 2),
        (".5", 5_000),
        (12.25, 122_500),
        (3, 30_000),
        ("999999999999.9999", 10**16 - 1),
        ("", None),
    ],
)
def test_spend_is_read_in_ten_thousandths_rounded_half_to_even(value, units):
    assert parse_spend(value) == units


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("-1", "negative"),
        ("12,50", "decimal comma"),
        ("12 EUR", "not an amount"),
        ("NaN", "not an amount"),
        ("1000000000000", "too large"),
        (True, "not an amount"),
    ],
)
def test_bad_spend_says_what_is_wrong(value, words):
    with pytest.raises(ValueError, match=words):
        parse_spend(value)


def test_currencies_are_three_letters_upper_cased():
    assert parse_currency(" usd ") == "USD" and parse_currency("") is None
    for bad in ("US", "DOLLAR", "U5D", 840):
        with pytest.raises(ValueError, match="currency code"):
            parse_currency(bad)
