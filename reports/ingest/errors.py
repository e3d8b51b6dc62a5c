"""Errors found in a file: where (row and column) and what, capped in number but always counted.

``row`` follows the file: CSV rows as a spreadsheet numbers them (the header is row 1), JSON records from 1,
OpenAI export buckets from 1; ``None`` for the file as a whole. ``column`` is the column (or key) the error is
about, "" when it is about the whole row or file.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from reports.ingest import limits


@dataclass(frozen=True)
class RowError:
    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


class FileRejected(Exception):
    """The file as a whole cannot be read (empty, not UTF-8, not JSON, too large): no row is worth checking."""

    def __init__(self, message: str, *, row: int | None = None, column: str = "", rows: int = 0):
        super().__init__(message)
        self.error = RowError(row, column, message)
        self.rows = rows  # rows counted before giving up (over the row limit: more than MAX_ROWS)


class ErrorLog:
    """Keeps the first ``MAX_ERRORS_LISTED`` errors and counts them all."""

    def __init__(self) -> None:
        self.listed: list[RowError] = []
        self.total = 0

    def add(self, row: int | None, column: str, message: str) -> None:
        self.total += 1
        if len(self.listed) < limits.MAX_ERRORS_LISTED:
            self.listed.append(RowError(row, column, message))

    def count_unlisted(self, number: int) -> None:
        """Errors counted in the total but never listed (found when the list is already full)."""
        self.total += number

    def __bool__(self) -> bool:
        return self.total > 0


# Stored in UsageUpload.errors: the listed errors, then (only when some were left out) one summary entry with
# row None and "more" = how many were not listed. ``split_stored`` reads it back.
def stored(listed: list[RowError], total: int) -> list[dict]:
    entries = [error.as_dict() for error in sorted(listed, key=_order)]
    left_out = total - len(listed)
    if left_out > 0:
        entries.append(
            {
                "row": None,
                "column": "",
                "more": left_out,
                "message": f"{total:,} errors in all: only the first {len(listed):,} are listed.",
            }
        )
    return entries


def split_stored(entries: list[dict]) -> tuple[list[dict], int]:
    """(listed errors, total count) from what ``stored`` wrote."""
    listed = [e for e in entries if "more" not in e]
    return listed, len(listed) + sum(e["more"] for e in entries if "more" in e)


def _order(error: RowError) -> tuple:
    return (error.row is not None, error.row or 0)
