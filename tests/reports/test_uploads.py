"""Usage uploads through the service: good files are written whole, with rollups equal to the file's totals, each
record tagged with its data-quality tier; periods over several months are split with totals kept; re-uploading a
month stops for a decision, and replace or merge do what they say."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from emissions.engine import TYPICAL_REQUESTS
from reports.footprint_rows import footprint_rows
from reports.models import Tier, UsageRecord, UsageUpload
from reports.services.uploads import UploadActionError, upload_cancel, upload_confirm, upload_decide
from tests.reports.ingest.support import (
    USD_KG_PER_UNIT,
    DatabaseState,
    add_usd_spend_factor,
    csv_bytes,
    json_bytes,
    record_sums,
    rollup_sums,
    submit,
)
from tests.vendors.dashboard_catalogue import run_pending_jobs

pytestmark = pytest.mark.django_db

Status = UsageUpload.Status
TEXT = TYPICAL_REQUESTS["text-generation"]
ROWS = [
    ["2025-01", "meta/llama-3.1-8b", "gcp/us-east4", 1000, 800_000, 300_000],
    ["2025-01", "google/gemini-test", "gcp/europe-west4", 500, 400_000, 100_000],
    ["2025-02", "google/gemini-test", "", 700, 560_000, 210_000],
    ["2025-02", "meta/llama-3.1-8b", "gcp/us-east4", 1200, 0, 480_000],
]


def totals(rows, month=None) -> dict:
    chosen = [r for r in rows if month is None or r[0] == month]
    return {
        "requests": sum(r[3] for r in chosen),
        "input_tokens": sum(r[4] for r in chosen),
        "output_tokens": sum(r[5] for r in chosen),
    }


def test_a_token_level_csv_is_written_whole_and_the_rollups_hold_the_files_totals(people, usage_catalogue):
    upload = submit(people, csv_bytes(ROWS))
    assert upload.status == Status.DONE, upload.errors
    assert upload.records_created == 4 and upload.tier_counts == {"token": 4}
    assert upload.months == ["2025-01-01", "2025-02-01"] and upload.percent == 100
    for month in ("2025-01", "2025-02"):
        day = dt.date.fromisoformat(month + "-01")
        expected = totals(ROWS, month)
        assert record_sums(people.organisation, month=day) == expected
        assert rollup_sums(people.organisation, month=day) == {**expected, "records": 2}
    record = UsageRecord.objects.get(ai_model__slug="google/gemini-test", month=dt.date(2025, 2, 1))
    assert record.region_assumed and record.region.slug == "gcp/europe-west4"  # its first serving region, by slug
    assert record.source_row == 4 and record.upload_id == upload.pk and record.tier == Tier.TOKEN
    assert not UsageRecord.objects.filter(region_assumed=True).exclude(pk=record.pk).exists()


def test_the_file_is_emptied_once_written_and_its_hash_is_kept(people, usage_catalogue):
    import hashlib

    content = csv_bytes(ROWS)
    upload = submit(people, content)
    upload.refresh_from_db()
    assert upload.content is None and upload.sha256 == hashlib.sha256(content).hexdigest()
    assert upload.size_bytes == len(content) and upload.uploaded_by == people.analyst


def test_request_level_rows_get_the_tokens_of_the_models_typical_request(people, usage_catalogue):
    rows = [["2025-03", "google/gemini-test", "", 250, "", ""], ["2025-03", "stability/sd-test", "", 40, "", ""]]
    upload = submit(people, csv_bytes(rows))
    assert upload.status == Status.DONE and upload.tier_counts == {"request": 2}
    text = UsageRecord.objects.get(ai_model__slug="google/gemini-test")
    assert (text.tier, text.requests) == (Tier.REQUEST, 250)
    assert (text.input_tokens, text.output_tokens) == (250 * TEXT.input_tokens, 250 * TEXT.output_units)
    image = UsageRecord.objects.get(ai_model__slug="stability/sd-test")
    typical = TYPICAL_REQUESTS["image-generation"]
    assert (image.input_tokens, image.output_tokens) == (40 * typical.input_tokens, 40 * typical.output_units)
    assert image.region is None and image.region_assumed  # a model that discloses no region: world average


def test_spend_based_rows_carry_only_spend_and_their_co2e_is_spend_times_the_factor(people, usage_catalogue):
    add_usd_spend_factor()
    header = ["month", "model", "spend", "currency"]
    upload = submit(people, csv_bytes([["2025-04", "google/gemini-test", "1234.5678", "usd"]], header))
    assert upload.status == Status.DONE and upload.tier_counts == {"spend": 1}
    record = UsageRecord.objects.get()
    assert (record.tier, record.requests, record.input_tokens, record.output_tokens) == (Tier.SPEND, 0, 0, 0)
    assert (record.spend, record.currency) == (Decimal("1234.5678"), "USD")
    run_pending_jobs()
    [row] = footprint_rows(people.organisation, dt.date(2025, 4, 1), dt.date(2025, 5, 1))
    assert row.tier == Tier.SPEND and row.co2e_location_kg[1] == pytest.approx(1234.5678 * USD_KG_PER_UNIT)


def test_a_row_with_tokens_and_spend_is_token_level_and_keeps_its_spend(people, usage_catalogue):
    header = ["month", "model", "requests", "output_tokens", "spend", "currency"]
    upload = submit(people, csv_bytes([["2025-04", "google/gemini-test", "", "1000", "3.5", "EUR"]], header))
    record = UsageRecord.objects.get()
    assert upload.tier_counts == {"token": 1} and (record.requests, record.input_tokens) == (0, 0)
    assert (record.output_tokens, record.spend, record.currency) == (1000, Decimal("3.5"), "EUR")


def test_a_period_over_three_months_is_split_by_days_keeping_every_total_exactly(people, usage_catalogue):
    header = ["start", "end", "model", "region", "requests", "input_tokens", "output_tokens", "spend", "currency"]
    # 2025-01-20..2025-03-10 inclusive: 12 days of January, 28 of February, 10 of March (50 days).
    row = ["2025-01-20", "2025-03-10", "google/gemini-test", "gcp/us-east4", 1001, 7, 999_999_999, "100.0001", "EUR"]
    upload = submit(people, csv_bytes([row], header))
    assert upload.status == Status.DONE and upload.records_created == 3
    records = list(UsageRecord.objects.order_by("month"))
    assert [r.month for r in records] == [dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)]
    days = [12, 28, 10]
    for column, total in (("requests", 1001), ("input_tokens", 7), ("output_tokens", 999_999_999)):
        parts = [getattr(r, column) for r in records]
        assert sum(parts) == total
        for part, d in zip(parts, days, strict=True):
            assert abs(part - Fraction(total * d, 50)) < 1  # each part is its exact share, rounded up or down
    # 1001 requests: exact shares 240.24, 560.56, 200.2; floors add to 1000; the one left goes to February (.56).
    assert [r.requests for r in records] == [240, 561, 200]
    assert sum(r.spend for r in records) == Decimal("100.0001")
    assert all(r.spend.as_tuple().exponent >= -4 for r in records)
    assert {r.source_row for r in records} == {2}


def test_json_records_as_a_list_or_under_records_give_the_same_usage(people, usage_catalogue):
    records = [
        {"Month": "2025-01", " MODEL ": "meta/llama-3.1-8b", "requests": 10, "input_tokens": 1000},
        {
            "start": "2025-02-01",
            "end": "2025-02-28",
            "vendor": "Google",
            "model_name": "Gemini Test",
            "requests": "20",
            "output_tokens": 4000.0,
            "region": None,
        },
    ]
    first = submit(people, json_bytes(records), "json")
    assert first.status == Status.DONE, first.errors
    written = sorted(
        UsageRecord.objects.values_list("month", "ai_model__slug", "requests", "input_tokens", "output_tokens")
    )
    assert written == [
        (dt.date(2025, 1, 1), "meta/llama-3.1-8b", 10, 1000, 0),
        (dt.date(2025, 2, 1), "google/gemini-test", 20, 0, 4000),
    ]
    second = submit(people, json_bytes(records, wrap=True), "json", on_conflict="replace")
    assert second.status == Status.DONE and second.records_replaced == 2
    assert (
        sorted(UsageRecord.objects.values_list("month", "ai_model__slug", "requests", "input_tokens", "output_tokens"))
        == written
    )


def test_headers_are_case_insensitive_and_trimmed_with_a_bom_and_semicolons(people, usage_catalogue):
    header = [" Month ", "MODEL", "Requests", "Input_Tokens"]
    content = csv_bytes([["2025-01", " meta/llama-3.1-8b ", " 5 ", "50"]], header, delimiter=";", bom=True)
    upload = submit(people, content)
    assert upload.status == Status.DONE, upload.errors
    assert list(UsageRecord.objects.values_list("requests", "input_tokens")) == [(5, 50)]


def test_a_second_upload_of_the_same_months_stops_for_a_decision_without_writing(people, usage_catalogue):
    submit(people, csv_bytes(ROWS))
    before = DatabaseState.of(people.organisation)
    again = submit(people, csv_bytes(ROWS[:1]))
    assert again.status == Status.NEEDS_DECISION and again.months == ["2025-01-01"]
    assert again.content is not None and DatabaseState.of(people.organisation) == before


def test_replace_deletes_the_months_records_of_any_upload_and_the_totals_equal_the_new_file(people, usage_catalogue):
    submit(people, csv_bytes(ROWS))
    new = [["2025-01", "google/gemini-small-test", "gcp/us-east4", 9, 90, 900]]
    upload = upload_decide(upload=submit(people, csv_bytes(new)), on_conflict="replace")
    assert upload.status == Status.DONE and upload.records_replaced == 2
    assert rollup_sums(people.organisation, month=dt.date(2025, 1, 1)) == {**totals(new), "records": 1}
    assert rollup_sums(people.organisation, month=dt.date(2025, 2, 1)) == {**totals(ROWS, "2025-02"), "records": 2}


def test_merge_adds_to_what_is_there_so_the_totals_are_the_sum(people, usage_catalogue):
    submit(people, csv_bytes(ROWS))
    new = [["2025-01", "meta/llama-3.1-8b", "gcp/us-east4", 9, 90, 900]]
    upload = submit(people, csv_bytes(new), on_conflict="merge")
    assert upload.status == Status.DONE and upload.records_replaced == 0
    january = {k: totals(ROWS, "2025-01")[k] + totals(new)[k] for k in ("requests", "input_tokens", "output_tokens")}
    assert rollup_sums(people.organisation, month=dt.date(2025, 1, 1)) == {**january, "records": 3}


def test_a_cancelled_upload_writes_nothing_and_forgets_its_file(people, usage_catalogue):
    submit(people, csv_bytes(ROWS))
    before = DatabaseState.of(people.organisation)
    waiting = submit(people, csv_bytes(ROWS))
    cancelled = upload_cancel(upload=waiting)
    assert cancelled.status == Status.CANCELLED and cancelled.content is None
    assert DatabaseState.of(people.organisation) == before
    with pytest.raises(UploadActionError, match="not waiting for a replace-or-merge decision"):
        upload_decide(upload=cancelled, on_conflict="merge")


def test_a_close_name_waits_for_confirmation_and_the_confirmed_model_is_written(people, usage_catalogue):
    rows = [["2025-01", "Gemini Tset", "", 10, 100, 10], ["2025-01", "lama 3.1 8b", "", 20, 200, 20]]
    upload = submit(people, csv_bytes(rows))
    assert upload.status == Status.NEEDS_CONFIRMATION and not UsageRecord.objects.exists()
    assert upload.model_mapping == {"Gemini Tset": "google/gemini-test", "lama 3.1 8b": "meta/llama-3.1-8b"}
    with pytest.raises(UploadActionError) as missing:
        upload_confirm(upload=upload, mapping={"Gemini Tset": "google/gemini-test"})
    assert [e.column for e in missing.value.errors] == ["lama 3.1 8b"]
    chosen = {"Gemini Tset": "google/gemini-small-test", "lama 3.1 8b": "meta/llama-3.1-8b"}
    done = upload_confirm(upload=upload, mapping=chosen)
    assert done.status == Status.DONE and done.model_mapping == chosen
    assert dict(UsageRecord.objects.values_list("requests", "ai_model__slug")) == {
        10: "google/gemini-small-test",
        20: "meta/llama-3.1-8b",
    }
