"""A file with any bad row is rejected whole: each error names its row (CSV as a spreadsheet numbers it, header =
row 1; JSON by record) and column, and the database is exactly as before (records, rollups, the rollup sums)."""

from __future__ import annotations

import pytest

from reports.ingest import limits
from reports.models import UsageUpload
from tests.reports.ingest.support import DatabaseState, csv_bytes, json_bytes, submit

pytestmark = pytest.mark.django_db

Status = UsageUpload.Status
GOOD = ["2025-01", "meta/llama-3.1-8b", "gcp/us-east4", 10, 100, 10]
FULL = ["month", "start", "end", "model", "region", "requests", "input_tokens", "output_tokens", "spend", "currency"]


def row(**cells) -> list:
    base = {"month": "2025-02", "model": "google/gemini-test", "requests": "5", "input_tokens": "50"}
    values = {**base, **cells}
    return [values.get(name, "") for name in FULL]


@pytest.fixture
def existing(people, usage_catalogue):
    """Usage already there, so 'unchanged' is checked against non-empty tables."""
    assert submit(people, csv_bytes([GOOD])).status == Status.DONE
    return DatabaseState.of(people.organisation)


def rejected(people, content: bytes, file_format: str = "csv") -> UsageUpload:
    upload = submit(people, content, file_format, on_conflict="merge")
    assert upload.status == Status.REJECTED, upload.status
    assert upload.content is None and upload.records_created == 0
    return upload


def has_error(upload: UsageUpload, row, column: str, fragment: str) -> bool:
    return any(e["row"] == row and e["column"] == column and fragment in e["message"] for e in upload.errors)


# (name, cells of the bad row (row 3 of the file: header, one good row, then it), column, words of the message)
BAD_CELLS = [
    ("unknown model", {"model": "zzqx/qqqq-zzzz"}, "model", "Unknown model “zzqx/qqqq-zzzz”"),
    ("unknown region", {"region": "gcp/mars-north1"}, "region", "Unknown region “gcp/mars-north1”"),
    ("negative count", {"requests": "-5"}, "requests", "negative"),
    ("non-numeric count", {"input_tokens": "abc"}, "input_tokens", "not a number"),
    ("non-integer count", {"input_tokens": "12.5"}, "input_tokens", "not a whole number"),
    ("thousands separator", {"input_tokens": "1,200"}, "input_tokens", "thousands separator"),
    ("NaN", {"requests": "NaN"}, "requests", "not a number"),
    ("Infinity", {"input_tokens": "Infinity"}, "input_tokens", "not a number"),
    ("over 64 bits", {"input_tokens": str(2**63)}, "input_tokens", "too large"),
    ("2**63 requests", {"requests": "9223372036854775808"}, "requests", "too large"),
    ("bad month", {"month": "2025-13"}, "month", "not a month"),
    ("month as a date", {"month": "Jan 2025"}, "month", "use YYYY-MM"),
    ("bad date", {"month": "", "start": "2025-02-30", "end": "2025-03-01"}, "start", "not a date"),
    ("end before start", {"month": "", "start": "2025-03-01", "end": "2025-02-01"}, "end", "before the start"),
    ("start without end", {"month": "", "start": "2025-03-01"}, "end", "needs its end"),
    ("month and a range", {"start": "2025-03-01", "end": "2025-03-02"}, "month", "not both"),
    ("future month", {"month": "2099-01"}, "month", "in the future"),
    ("before 2000", {"month": "1999-12"}, "month", "before 2000-01"),
    ("no period", {"month": ""}, "month", "Missing"),
    ("no model", {"model": ""}, "model", "Missing"),
    ("no usage", {"requests": "", "input_tokens": ""}, "requests", "No usage"),
    ("spend without currency", {"requests": "", "input_tokens": "", "spend": "12"}, "currency", "no currency"),
    ("bad currency", {"spend": "12", "currency": "dollars"}, "currency", "ISO 4217"),
    ("negative spend", {"spend": "-3", "currency": "USD"}, "spend", "negative"),
    ("decimal comma spend", {"spend": "3,50", "currency": "USD"}, "spend", "decimal comma"),
    (
        "spend without a factor",
        {"requests": "", "input_tokens": "", "spend": "10", "currency": "EUR"},
        "currency",
        "a curator must add a spend factor for EUR",
    ),
]


@pytest.mark.parametrize(
    ("cells", "column", "fragment"), [case[1:] for case in BAD_CELLS], ids=[case[0] for case in BAD_CELLS]
)
def test_a_bad_cell_rejects_the_whole_file_naming_row_and_column(people, existing, cells, column, fragment):
    good = row(month="2025-03")
    upload = rejected(people, csv_bytes([good, row(**cells)], FULL))
    assert has_error(upload, 3, column, fragment), upload.errors
    assert DatabaseState.of(people.organisation) == existing


def test_the_largest_64_bit_count_is_accepted(people, existing):
    upload = submit(people, csv_bytes([row(requests=str(2**63 - 1))], FULL), on_conflict="merge")
    assert upload.status == Status.DONE and upload.records_created == 1


def test_counts_adding_up_past_64_bits_are_rejected(people, existing):
    upload = rejected(people, csv_bytes([row(requests=str(2**62)), row(month="2025-03", requests=str(2**62))], FULL))
    assert has_error(upload, None, "requests", "add up to more than")
    assert DatabaseState.of(people.organisation) == existing


def test_duplicate_rows_are_errors_naming_both_rows(people, existing):
    same = row(region="gcp/us-east4")
    as_range = row(month="", start="2025-02-01", end="2025-02-28", region="gcp/us-east4")  # the same period
    upload = rejected(people, csv_bytes([same, row(month="2025-03"), as_range], FULL))
    assert has_error(
        upload,
        4,
        "model",
        "Rows 2 and 4 have the same period (2025-02), model (google/gemini-test) and region (gcp/us-east4)",
    )
    assert len(upload.errors) == 1
    assert DatabaseState.of(people.organisation) == existing


def test_overlapping_periods_and_other_regions_are_not_duplicates(people, existing):
    rows = [
        row(region="gcp/us-east4"),
        row(region="gcp/europe-west4"),
        row(),
        row(month="", start="2025-02-01", end="2025-02-27"),
    ]
    assert submit(people, csv_bytes(rows, FULL), on_conflict="merge").status == Status.DONE


@pytest.mark.parametrize(
    ("header", "column", "fragment"),
    [
        (["model", "requests"], "month", "Missing column: month"),
        (["month", "start", "model", "requests"], "month", None),
        (["start", "model", "requests"], "end", "Missing column: end"),
        (["month", "requests"], "model", "Missing column: model"),
        (["month", "model", "region"], "requests", "at least one of requests"),
    ],
    ids=["no period", "month present", "start without end", "no model", "no usage column"],
)
def test_a_missing_required_column_is_named_on_row_1(people, existing, header, column, fragment):
    cells = {"month": "2025-02", "start": "", "model": "google/gemini-test", "requests": "1", "region": ""}
    content = csv_bytes([[cells[name] for name in header]], header)
    upload = submit(people, content, on_conflict="merge")
    if fragment is None:
        assert upload.status == Status.DONE
        return
    assert upload.status == Status.REJECTED and has_error(upload, 1, column, fragment), upload.errors
    assert DatabaseState.of(people.organisation) == existing


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "The file is empty"),
        (b"\xef\xbb\xbf \r\n", "The file is empty"),
        (b"month,model,requests\n", "no rows of usage"),
        (b"month,model,month,requests\n2025-01,google/gemini-test,2025-01,1\n", "appears twice"),
    ],
    ids=["empty", "only a BOM and blank", "header only", "a column twice"],
)
def test_an_empty_or_malformed_file_is_rejected_as_a_whole(people, existing, content, fragment):
    upload = rejected(people, content)
    assert any(fragment in e["message"] for e in upload.errors), upload.errors
    assert DatabaseState.of(people.organisation) == existing


def test_a_file_that_is_not_utf8_names_its_line(people, existing):
    content = "month,model,requests\n2025-02,google/gemini-test,1\n2025-03,café,1\n".encode("latin-1")
    upload = rejected(people, content)
    assert has_error(upload, 3, "", "not UTF-8 text (byte 0xE9 on line 3)")
    assert DatabaseState.of(people.organisation) == existing


def test_a_row_with_more_cells_than_the_header_is_named(people, existing):
    upload = rejected(people, b"month,model,requests\n2025-02,google/gemini-test,1,extra\n")
    assert has_error(upload, 2, "", "4 cells but the header has 3 columns")


def test_one_bad_row_among_many_good_ones_writes_nothing(people, existing):
    rows = [row(month=f"2024-{m:02d}") for m in range(1, 13)] + [row(month="2024-13")]
    upload = rejected(people, csv_bytes(rows, FULL))
    assert [(e["row"], e["column"]) for e in upload.errors] == [(14, "month")]
    assert DatabaseState.of(people.organisation) == existing


def test_errors_are_listed_up_to_the_limit_and_all_counted(people, existing, monkeypatch):
    monkeypatch.setattr(limits, "MAX_ERRORS_LISTED", 5)
    rows = [row(month=f"2024-{m:02d}", requests="x") for m in range(1, 13)]  # 12 bad rows
    upload = rejected(people, csv_bytes(rows, FULL))
    listed = [e for e in upload.errors if "more" not in e]
    assert [e["row"] for e in listed] == [2, 3, 4, 5, 6]
    assert upload.errors[-1]["more"] == 7 and "12 errors in all" in upload.errors[-1]["message"]


def test_too_many_rows_is_rejected_before_any_row_is_checked(people, existing, monkeypatch):
    monkeypatch.setattr(limits, "MAX_ROWS", 3)
    checked = []
    monkeypatch.setattr("reports.ingest.validate.RowChecker.add", lambda self, *a: checked.append(a))
    upload = rejected(people, csv_bytes([row(month=f"2024-0{m}") for m in range(1, 5)], FULL))
    assert has_error(upload, None, "", "more than 3 rows") and not checked
    assert limits.over_limit(size_bytes=upload.size_bytes, rows=upload.rows_total)
    assert DatabaseState.of(people.organisation) == existing


def test_too_many_json_records_stop_the_reading_at_the_limit(people, existing, monkeypatch):
    monkeypatch.setattr(limits, "MAX_ROWS", 3)
    records = [{"month": f"2024-0{m}", "model": "google/gemini-test", "requests": 1} for m in range(1, 6)]
    upload = rejected(people, json_bytes(records), "json")
    assert has_error(upload, None, "", "more than 3 rows") and upload.rows_total == 4
    assert DatabaseState.of(people.organisation) == existing


def test_a_file_over_the_size_limit_is_not_even_read(people, existing, monkeypatch):
    monkeypatch.setattr(limits, "MAX_BYTES", 100)
    content = csv_bytes([row(month=f"2024-0{m}") for m in range(1, 9)], FULL)
    upload = rejected(people, content)
    assert upload.size_bytes == len(content) > 100 and upload.sha256 == ""
    assert has_error(upload, None, "", f"The file is {len(content):,} bytes: the limit is 100 bytes.")
    assert DatabaseState.of(people.organisation) == existing


def test_the_real_limit_rejects_1000001_rows_in_a_few_seconds(people, existing):
    import time

    line = b"2025-02,google/gemini-test,1\n"
    content = b"month,model,requests\n" + line * (limits.MAX_ROWS + 1)
    started = time.perf_counter()
    upload = rejected(people, content)
    assert time.perf_counter() - started < 10
    assert upload.rows_total == limits.MAX_ROWS + 1 and has_error(upload, None, "", "more than 1,000,000 rows")
    assert DatabaseState.of(people.organisation) == existing


# -- JSON ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "row", "column", "fragment"),
    [
        (b'[{"month": "2025-02", "model": "google/gemini-test", "requests": NaN}]', 1, "requests", "not a number"),
        (b'[{"month": "2025-02", "model": "google/gemini-test", "requests": Infinity}]', 1, "requests", "not a number"),
        (
            b'[{"month": "2025-02", "model": "google/gemini-test", "requests": 1.5}]',
            1,
            "requests",
            "not a whole number",
        ),
        (b'[{"month": "2025-02", "model": "google/gemini-test", "requests": true}]', 1, "requests", "not a number"),
        (b'[{"month": 202502, "model": "google/gemini-test", "requests": 1}]', 1, "month", "not a month"),
        (b'[{"month": "2025-02", "model": "google/gemini-test", "requests": 1}, 7]', 2, "", "is not a record"),
        (
            b'[{"month": "2025-02", "model": "google/gemini-test", "requests": 1}, {"month": "2025-02", '
            b'"model": "google/gemini-test", "requests": 2}]',
            2,
            "model",
            "Records 1 and 2 have the same period",
        ),
        (
            b'[{"month": "2025-02", "model": "google/gemini-test", "requests": 9223372036854775808}]',
            1,
            "requests",
            "too large",
        ),
    ],
    ids=["NaN", "Infinity", "fraction", "boolean", "number as month", "not an object", "duplicate", "over 64 bits"],
)
def test_json_errors_name_the_record_and_key(people, existing, content, row, column, fragment):
    upload = rejected(people, content, "json")
    assert has_error(upload, row, column, fragment), upload.errors
    assert DatabaseState.of(people.organisation) == existing


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b'[{"month": "2025-02",', "not valid JSON"),
        (b'{"rows": []}', 'no "records" list'),
        (b'"usage"', "not a list of records"),
        (b"[] []", "not valid JSON: Extra data at line 1, column 4"),
        (b"[]", "no records of usage"),
        (b'{"object": "page", "data": []}', "choose the format"),
    ],
    ids=["truncated", "no records key", "a string", "two documents", "empty list", "an OpenAI export"],
)
def test_a_json_file_that_is_not_a_list_of_records_is_rejected(people, existing, content, fragment):
    upload = rejected(people, content, "json")
    assert any(fragment in e["message"] for e in upload.errors), upload.errors
