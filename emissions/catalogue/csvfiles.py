"""CSV reading and cell parsing for the catalogue files, with errors that name the file, line and column."""

from __future__ import annotations

import csv
import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class RowError:
    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file} line {self.line}" if self.line else self.file
        column = f", column {self.column}" if self.column else ""
        return f"{where}{column}: {self.message}"


class CatalogueError(Exception):
    """The catalogue has bad rows; nothing was written."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        shown = "\n".join(f"  - {error}" for error in errors[:50])
        more = f"\n  … and {len(errors) - 50} more" if len(errors) > 50 else ""
        super().__init__(f"The catalogue has {len(errors)} error(s); nothing was written:\n{shown}{more}")


@dataclass
class Row:
    """One CSV row; ``get_*`` parse a cell and record an error (returning None) when it is bad."""

    file: str
    line: int
    cells: dict[str, str]
    sink: list[RowError] = field(default_factory=list, repr=False)
    errors: list[RowError] = field(default_factory=list)

    def error(self, column: str, message: str) -> None:
        """Record an error on this row and in the shared list of the whole load."""
        error = RowError(self.file, self.line, column, message)
        self.errors.append(error)
        self.sink.append(error)

    def text(self, column: str, *, required: bool = True) -> str:
        value = (self.cells.get(column) or "").strip()
        if required and not value:
            self.error(column, "is required")
        return value

    def number(self, column: str, *, required: bool = True) -> float | None:
        raw = self.text(column, required=required)
        if not raw:
            return None
        try:
            value = float(raw)
        except ValueError:
            self.error(column, f"{raw!r} is not a number")
            return None
        if not math.isfinite(value):
            self.error(column, f"{raw!r} is not a finite number")
            return None
        if value < 0:
            self.error(column, f"{raw} is negative")
            return None
        return value

    def integer(self, column: str, *, required: bool = True) -> int | None:
        value = self.number(column, required=required)
        if value is None:
            return None
        if value != int(value):
            self.error(column, f"{value:g} is not a whole number")
            return None
        return int(value)

    def date(self, column: str, *, required: bool = True) -> dt.date | None:
        raw = self.text(column, required=required)
        if not raw:
            return None
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            self.error(column, f"{raw!r} is not a date (YYYY-MM-DD)")
            return None

    def boolean(self, column: str) -> bool | None:
        raw = self.text(column).lower()
        if raw in {"true", "yes", "1"}:
            return True
        if raw in {"false", "no", "0"}:
            return False
        if raw:
            self.error(column, f"{raw!r} is not true or false")
        return None


def read_rows(path: Path, columns: list[str], errors: list[RowError], base: Path) -> list[Row]:
    """Read a CSV whose header must be exactly ``columns``; a bad header is one error for the file."""
    name = str(path.relative_to(base.parent)) if path.is_relative_to(base.parent) else str(path)
    if not path.exists():
        errors.append(RowError(name, 0, "", "file is missing"))
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = [column.strip() for column in (reader.fieldnames or [])]
        if header != columns:
            errors.append(RowError(name, 1, "", f"header must be {','.join(columns)}; got {','.join(header)}"))
            return []
        rows = []
        for line, cells in enumerate(reader, start=2):
            if not any((value or "").strip() for value in cells.values()):
                continue
            if None in cells:
                errors.append(RowError(name, line, "", "has more cells than the header"))
                continue
            rows.append(Row(name, line, {key.strip(): value for key, value in cells.items()}, sink=errors))
        return rows
