"""How much one upload may hold, and when a worker processes it instead of the request.

Module constants, read at call time, so tests can monkeypatch them smaller.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

MAX_BYTES = 50 * 1024 * 1024  # 50 MB: a million typical CSV rows are ~40 MB
MAX_ROWS = 1_000_000  # data rows (CSV), records (JSON) or results (OpenAI export)
MAX_ERRORS_LISTED = 200  # errors kept and shown; the total is always counted
QUEUE_THRESHOLD_ROWS = 5_000  # above this many rows a Celery worker processes the upload (about a second of work)
PROGRESS_EVERY_ROWS = 25_000  # rows validated between two progress commits

MAX_COUNT = 2**63 - 1  # requests and tokens are stored in 64-bit integer columns (BigIntegerField)
SPEND_DECIMALS = 4  # UsageRecord.spend: decimal_places=4
SPEND_UNIT = Decimal(1).scaleb(-SPEND_DECIMALS)  # 0.0001, the smallest amount stored
MAX_SPEND_UNITS = 10**16 - 1  # UsageRecord.spend: max_digits=16, i.e. at most 999,999,999,999.9999
EARLIEST_MONTH = dt.date(2000, 1, 1)  # a sanity bound against typos (e.g. 0225-01), well before any AI service


def over_limit(*, size_bytes: int, rows: int) -> bool:
    """True when a file is too large to be accepted at all (HTTP 413), rather than merely wrong (400)."""
    return size_bytes > MAX_BYTES or rows > MAX_ROWS


def megabytes(size_bytes: int) -> str:
    """50 MB, 61.2 MB; bytes below a megabyte."""
    if size_bytes < 1024 * 1024:
        return f"{size_bytes:,} bytes"
    return f"{size_bytes / (1024 * 1024):,.1f}".removesuffix(".0") + " MB"
