"""Reading files: where a file stops being UTF-8 (checked in chunks), delimiters, JSON records one at a time."""

from __future__ import annotations

import pytest

from reports.ingest.errors import ErrorLog, FileRejected
from reports.ingest.readers import FIELDS, check_utf8, csv_rows, estimate_rows, json_rows


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, 64])
def test_the_first_bad_byte_is_found_on_its_line_whatever_the_chunk_size(chunk):
    lines = ["month,model\n", "2025-01,café ünïcödé €\n", "2025-02,naïve\n", "2025-03,x"]
    good = "".join(lines).encode("utf-8")
    check_utf8(good, chunk)  # no error
    for line in range(1, 5):
        start = sum(len(text.encode()) for text in lines[: line - 1])
        for position in range(start, start + len(lines[line - 1].encode()) - 1):
            if good[position] & 0xC0 == 0x80:
                continue  # inside a character: replacing it moves the error to the character's first byte
            bad = good[:position] + b"\xff" + good[position + 1 :]
            with pytest.raises(FileRejected) as rejected:
                check_utf8(bad, chunk)
            assert rejected.value.error.row == line and "byte 0xFF" in str(rejected.value)


def test_the_delimiter_is_the_headers_most_frequent_of_comma_semicolon_and_tab():
    for delimiter in (",", ";", "\t"):
        content = delimiter.join(["month", "model", "requests"]).encode() + b"\n"
        content += delimiter.join(["2025-01", "a/b", "1,5" if delimiter != "," else "15"]).encode() + b"\n"
        present, rows = csv_rows(content, ErrorLog())
        assert present == {"month", "model", "requests"}
        [(number, values)] = list(rows)
        assert number == 2 and values[FIELDS.index("requests")] in ("1,5", "15")


def test_a_multi_line_cell_is_one_row_as_in_a_spreadsheet():
    content = b'month,model,requests\n2025-01,"a\nb",1\n2025-02,c,2\n'
    _, rows = csv_rows(content, ErrorLog())
    assert [number for number, _ in rows] == [2, 3]


def test_blank_lines_keep_their_row_numbers_and_short_rows_are_padded():
    _, rows = csv_rows(b"month,model,requests\n\n2025-02,c\n", ErrorLog())
    [(number, values)] = list(rows)
    assert number == 3 and values[FIELDS.index("requests")] == ""


def test_json_records_stream_one_at_a_time_with_keys_normalised():
    content = b' {"meta": {"x": [1, 2]}, "Records": [ {"MONTH ": "2025-01"} , {"model": "a/b"} ] } '
    rows = list(json_rows(content, ErrorLog()))
    assert [n for n, _ in rows] == [1, 2]
    assert rows[0][1][FIELDS.index("month")] == "2025-01" and rows[1][1][FIELDS.index("model")] == "a/b"


def test_row_estimates_count_lines_objects_and_results():
    assert estimate_rows(b"h\n1\n2\n", "csv") == 2 and estimate_rows(b"h\n1\n2", "csv") == 2
    assert estimate_rows(b'[{"a": 1}, {"a": 2}]', "json") == 2
    assert estimate_rows(b'"organization.usage.completions.result" x', "openai-usage") == 1
