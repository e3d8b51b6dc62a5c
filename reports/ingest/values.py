"""Reading one cell: counts, amounts of money and currency codes, from CSV text or JSON values.

Each parser returns ``None`` when the cell is empty (not given) and raises ``ValueError`` with a message for the
user when it cannot be read. Counts are whole numbers from 0 to 2**63 - 1 (64-bit columns); spend is rounded to
4 decimals (half to even) and returned as a whole number of 0.0001 units, so splitting it stays exact.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from reports.ingest import limits

WHOLE_WITH_ZERO_DECIMALS = re.compile(r"(\d+)\.0*")
DECIMAL_PATTERN = re.compile(r"\d+(\.\d*)?|\.\d+")
CURRENCY_PATTERN = re.compile(r"[A-Z]{3}")
ASCII_NUMBER = re.compile(r"([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")  # a decimal in ASCII digits
THOUSANDS = re.compile(r"[0-9]{1,3}(,[0-9]{3})+")
NOT_FINITE = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}


def _too_large(text: str) -> ValueError:
    return ValueError(f"“{text}” is too large: at most {limits.MAX_COUNT:,} (a 64-bit integer).")


def _why_not_a_count(text: str) -> ValueError:
    if text.lower() in NOT_FINITE:
        return ValueError(f"“{text}” is not a number: give a whole number of 0 or more.")
    if text.startswith("-") and ASCII_NUMBER.fullmatch(text[1:]):
        return ValueError(f"“{text}” is negative: counts are whole numbers of 0 or more.")
    if THOUSANDS.fullmatch(text):
        return ValueError(f"“{text}” has a thousands separator: write the number with digits only.")
    if ASCII_NUMBER.fullmatch(text):
        return ValueError(f"“{text}” is not a whole number: counts have no fractional part.")
    return ValueError(f"“{text}” is not a number: give a whole number of 0 or more, digits only.")


def parse_count(value: object) -> int | None:
    """A count of requests or tokens: a whole number from 0 to 2**63 - 1."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if text.isdigit() and text.isascii():
            number = int(text)
        elif match := WHOLE_WITH_ZERO_DECIMALS.fullmatch(text):
            number = int(match[1])
        else:
            raise _why_not_a_count(text)
        if number > limits.MAX_COUNT:
            raise _too_large(text)
        return number
    return _count_from_json(value)


def _count_from_json(value: object) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{str(value).lower()} is not a number: give a whole number of 0 or more.")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} is not a number: give a whole number of 0 or more.")
        if not value.is_integer():
            raise ValueError(f"{value} is not a whole number: counts have no fractional part.")
        if abs(value) > 2**53:  # a JSON float this large has already lost its last digits
            raise ValueError(f"{value:.17g} is too large to be exact as a JSON number: write it as an integer.")
        value = int(value)
    if not isinstance(value, int):
        raise ValueError(f"{type(value).__name__} is not a number: give a whole number of 0 or more.")
    if value < 0:
        raise ValueError(f"{value} is negative: counts are whole numbers of 0 or more.")
    if value > limits.MAX_COUNT:
        raise _too_large(str(value))
    return value


def parse_spend(value: object) -> int | None:
    """An amount of money of 0 or more, as a whole number of 0.0001 units (rounded half to even)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"{value!r} is not an amount: give a number such as 1234.50.")
    text = value.strip() if isinstance(value, str) else repr(value)
    if not text:
        return None
    if text.lower() in NOT_FINITE:
        raise ValueError(f"“{text}” is not an amount: give a number such as 1234.50.")
    if text.startswith("-"):
        raise ValueError(f"“{text}” is negative: spend is 0 or more.")
    if not DECIMAL_PATTERN.fullmatch(text):
        if re.fullmatch(r"\d+,\d{1,2}", text):
            raise ValueError(f"“{text}” uses a decimal comma: write the amount with a point, e.g. 1234.50.")
        try:
            Decimal(text)
        except InvalidOperation:
            raise ValueError(f"“{text}” is not an amount: give a number such as 1234.50, digits only.") from None
        if "e" not in text.lower():
            raise ValueError(f"“{text}” is not an amount: give a number such as 1234.50, digits only.")
    try:
        units = int((Decimal(text) / limits.SPEND_UNIT).to_integral_value(rounding=ROUND_HALF_EVEN))
    except InvalidOperation:
        raise ValueError(f"“{text}” is not an amount: give a number such as 1234.50.") from None
    if units > limits.MAX_SPEND_UNITS:
        raise ValueError(f"“{text}” is too large: spend is at most {spend_text(limits.MAX_SPEND_UNITS)} per row.")
    return units


def spend_text(units: int) -> str:
    """0.0001 units as a plain decimal, e.g. 12345 -> "1.2345"."""
    return str(Decimal(units).scaleb(-limits.SPEND_DECIMALS))


def parse_currency(value: object) -> str | None:
    """An ISO 4217 code; lower case is accepted and upper-cased."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a currency code: give three letters such as USD.")
    text = value.strip()
    if not text:
        return None
    code = text.upper()
    if not CURRENCY_PATTERN.fullmatch(code):
        raise ValueError(f"“{text}” is not an ISO 4217 currency code: give three letters such as USD or EUR.")
    return code


def parse_text(value: object, what: str) -> str | None:
    """A text cell (model, region, dates): stripped; JSON values must be strings."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{json_kind(value)} is not {what}: give text, e.g. “{EXAMPLES.get(what, '')}”.")
    if "\x00" in value:  # a NUL is never part of a name, and PostgreSQL cannot store one in text
        raise ValueError(f"contains a NUL character (byte 0): give {what} as plain text.")
    return value.strip() or None


EXAMPLES = {
    "a month": "2025-03",
    "a date": "2025-03-31",
    "a model": "google/gemini-2.5-flash",
    "a vendor": "Google",
    "a region": "gcp/europe-west4",
}


def json_kind(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return f"The number {value}"
    if isinstance(value, list):
        return "A list"
    if isinstance(value, dict):
        return "An object"
    return repr(value)
