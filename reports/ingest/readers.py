"""Streaming the rows of an uploaded file, numbered as the user sees them, one tuple of cells per row.

Every reader yields ``(row number, values)`` with the values in ``FIELDS`` order (``None`` or "" when absent),
so the checks do not care where a row came from. CSV rows are numbered as a spreadsheet shows them (the header
is row 1); JSON records from 1. A reader raises ``FileRejected`` when the file as a whole is unreadable and logs
row-level structure problems (a JSON record that is not an object, surplus CSV cells) in the error log.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator
from operator import itemgetter

from reports.ingest import limits
from reports.ingest.errors import ErrorLog, FileRejected
from reports.ingest.values import json_kind

FIELDS = (
    "month",
    "start",
    "end",
    "model",
    "vendor",
    "model_name",
    "region",
    "requests",
    "input_tokens",
    "output_tokens",
    "spend",
    "currency",
)
USAGE_COLUMNS = ("requests", "input_tokens", "output_tokens", "spend")
DELIMITERS = (",", ";", "\t")  # comma; semicolon (spreadsheets in decimal-comma locales); tab
EXAMPLE_RECORD = '{"month": "2025-03", "model": "...", "requests": 1200}'
WHITESPACE = re.compile(r"[ \t\n\r]*")

Rows = Iterator[tuple[int, tuple]]


def decode_error(content: bytes, exc: UnicodeDecodeError, offset: int = 0) -> FileRejected:
    """Where a file stops being UTF-8: the line (= CSV row when no cell spans lines) and the byte."""
    position = offset + exc.start
    line = content.count(b"\n", 0, position) + 1
    byte = content[position : position + 1].hex().upper()
    return FileRejected(
        f"The file is not UTF-8 text (byte 0x{byte} on line {line}): save it as UTF-8 (in Excel: "
        "“CSV UTF-8”) and upload it again.",
        row=line,
    )


def check_utf8(content: bytes, chunk: int = 1 << 20) -> None:
    """Reject a file that is not UTF-8 before reading any row, in chunks (no second copy of the whole file)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(content)
    pending = 0  # bytes of a character cut by the previous chunk, decoded with this one
    for offset in range(0, len(content), chunk):
        try:
            decoder.decode(view[offset : offset + chunk], final=offset + chunk >= len(content))
        except UnicodeDecodeError as exc:
            raise decode_error(content, exc, offset - pending) from None
        pending = len(decoder.getstate()[0])


def _text_stream(content: bytes) -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(content), encoding="utf-8-sig", newline="")


def _first_line(content: bytes) -> str:
    head = content[:65_536].decode("utf-8-sig", errors="replace")
    return head.split("\n", 1)[0]


def count_csv_rows(content: bytes, stop_after: int) -> int:
    """Data rows of a CSV file (blank lines not counted), counting stops past ``stop_after``. Not a validation:
    undecodable files count as 0 here and are rejected with their row by ``csv_rows``."""
    delimiter = max(DELIMITERS, key=_first_line(content).count)
    try:
        reader = csv.reader(_text_stream(content), delimiter=delimiter)
        next(reader, None)
        count = 0
        for row in reader:
            if row:
                count += 1
                if count > stop_after:
                    break
        return count
    except (UnicodeDecodeError, csv.Error):
        return 0


def csv_rows(content: bytes, errors: ErrorLog) -> tuple[set[str], Rows]:
    """The columns present (lower-cased) and the rows. The delimiter is the header's most frequent of , ; tab."""
    if not content.lstrip(codecs.BOM_UTF8 + b" \t\r\n"):
        raise FileRejected("The file is empty: upload a CSV file with a header row and one row per usage.")
    check_utf8(content)
    delimiter = max(DELIMITERS, key=_first_line(content).count)
    reader = csv.reader(_text_stream(content), delimiter=delimiter)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except csv.Error as exc:
        raise FileRejected(f"The header row cannot be read as CSV: {exc}.", row=1) from None
    seen = set()
    for name in header:
        if name and name in seen:
            raise FileRejected(f"Column “{name}” appears twice in the header.", row=1, column=name)
        seen.add(name)
    present = {name for name in header if name}
    return present, _csv_iter(reader, header, errors)


def _csv_iter(reader, header: list[str], errors: ErrorLog) -> Rows:
    width = len(header)
    index = {name: i for i, name in enumerate(header) if name}
    getter = itemgetter(*(index.get(name, -1) for name in FIELDS))  # -1: the empty cell appended to every row
    number, count = 1, 0
    try:
        for number, row in enumerate(reader, start=2):
            if not row:
                continue  # a blank line
            count += 1
            if count > limits.MAX_ROWS:
                raise too_many_rows(count)
            if len(row) != width:
                if len(row) > width and any(cell.strip() for cell in row[width:]):
                    errors.add(number, "", f"This row has {len(row)} cells but the header has {width} columns.")
                    continue
                row = (row + [""] * width)[:width]
            row.append("")
            yield number, getter(row)
    except csv.Error as exc:
        raise FileRejected(f"Row {number + 1} cannot be read as CSV: {exc}.", row=number + 1) from None


def too_many_rows(count: int) -> FileRejected:
    return FileRejected(
        f"The file has more than {limits.MAX_ROWS:,} rows: split it into files of at most {limits.MAX_ROWS:,} rows.",
        rows=count,
    )


# -- JSON -----------------------------------------------------------------------------------------------------


def decode_text(content: bytes, what: str) -> str:
    if not content.lstrip(codecs.BOM_UTF8 + b" \t\r\n"):
        raise FileRejected(f"The file is empty: upload {what}.")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise decode_error(content, exc) from None


def _json_error(exc: json.JSONDecodeError) -> FileRejected:
    return FileRejected(f"The file is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.")


def json_rows(content: bytes, errors: ErrorLog) -> Rows:
    """Records of ``[{...}, ...]`` or ``{"records": [{...}, ...]}``, parsed one at a time (no whole-file tree)."""
    text = decode_text(content, 'a JSON list of records, or {"records": [...]}')
    try:
        yield from _records(text, errors)
    except json.JSONDecodeError as exc:
        raise _json_error(exc) from None


def _records(text: str, errors: ErrorLog) -> Rows:
    decoder = json.JSONDecoder()
    position = WHITESPACE.match(text).end()
    if text[position] == "[":
        end = yield from _array(decoder, text, position, errors)
    elif text[position] == "{":
        end = yield from _records_of_object(decoder, text, position, errors)
    else:
        value, _ = decoder.raw_decode(text, position)
        raise FileRejected(f'{json_kind(value)} is not a list of records: give [{{...}}, ...] or {{"records": [...]}}.')
    end = WHITESPACE.match(text, end).end()
    if end != len(text):
        raise json.JSONDecodeError("Extra data", text, end)


def _array(decoder: json.JSONDecoder, text: str, position: int, errors: ErrorLog) -> Iterator:
    """Yield each element's (number, values); return the position after the closing bracket."""
    position = WHITESPACE.match(text, position + 1).end()
    if text[position : position + 1] == "]":
        return position + 1
    number = 0
    while True:
        record, position = decoder.raw_decode(text, position)
        number += 1
        if number > limits.MAX_ROWS:
            raise too_many_rows(number)
        if isinstance(record, dict):
            fields = {str(key).strip().lower(): value for key, value in record.items()}
            yield number, tuple(fields.get(name) for name in FIELDS)
        else:
            errors.add(number, "", f"{json_kind(record)} is not a record: give an object such as {EXAMPLE_RECORD}.")
        position = WHITESPACE.match(text, position).end()
        if text[position : position + 1] == ",":
            position = WHITESPACE.match(text, position + 1).end()
        elif text[position : position + 1] == "]":
            return position + 1
        else:
            raise json.JSONDecodeError("Expecting ',' delimiter", text, position)


def _records_of_object(decoder: json.JSONDecoder, text: str, position: int, errors: ErrorLog) -> Iterator:
    """``{"records": [...], ...}``: stream the records list, skip other keys."""
    found = False
    keys = []
    position = WHITESPACE.match(text, position + 1).end()
    while text[position : position + 1] != "}":
        key, position = decoder.raw_decode(text, position)
        if not isinstance(key, str):
            raise json.JSONDecodeError("Expecting property name enclosed in double quotes", text, position)
        position = WHITESPACE.match(text, position).end()
        if text[position : position + 1] != ":":
            raise json.JSONDecodeError("Expecting ':' delimiter", text, position)
        position = WHITESPACE.match(text, position + 1).end()
        keys.append(key)
        if key.strip().lower() == "records" and text[position : position + 1] == "[":
            found = True
            position = yield from _array(decoder, text, position, errors)
        else:
            value, position = decoder.raw_decode(text, position)
            if key == "object" and value == "page":
                raise FileRejected("This is an OpenAI Usage API export: choose the format “OpenAI Usage API export”.")
        position = WHITESPACE.match(text, position).end()
        if text[position : position + 1] == ",":
            position = WHITESPACE.match(text, position + 1).end()
        elif text[position : position + 1] != "}":
            raise json.JSONDecodeError("Expecting ',' delimiter", text, position)
    if not found:
        raise FileRejected('The object has no "records" list: give {"records": [{...}, ...]} or a list of records.')
    return position + 1


def estimate_rows(content: bytes, file_format: str) -> int:
    """A quick count of the rows to process, to choose between the request and a worker and to size the progress
    bar (corrected once the file is read). Lines for CSV; objects for JSON; results for the OpenAI export."""
    if file_format == "csv":
        lines = content.count(b"\n") + (0 if content.endswith(b"\n") else 1)
        return max(lines - 1, 0)
    if file_format == "openai-usage":
        return content.count(b"organization.usage.completions.result")
    return content.count(b"{")
