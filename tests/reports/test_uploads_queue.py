"""Large uploads go through a Celery task (run in-process here): queued on commit, progress committed in steps,
done at 100 %; the task is idempotent, the sweeper re-sends stuck uploads, and PostgreSQL writes them with COPY."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from reports import tasks as tasks_module
from reports.ingest import limits
from reports.models import UsageRecord, UsageUpload
from reports.services import uploads as uploads_service
from reports.services import usage as usage_service
from reports.services.uploads import STUCK_AFTER_SECONDS, upload_cancel, upload_decide, uploads_sweep
from reports.tasks import process_usage_upload
from tests.reports.ingest.support import DatabaseState, csv_bytes, record_sums, submit

pytestmark = pytest.mark.django_db

Status = UsageUpload.Status
MODELS = ["meta/llama-3.1-8b", "google/gemini-test", "google/gemini-small-test"]


def daily_rows(days: int) -> list[list]:
    """One row per day and model from 2022-01-01: distinct periods, so no duplicates."""
    header_rows = []
    for i in range(days):
        day = (dt.date(2022, 1, 1) + dt.timedelta(days=i)).isoformat()
        for j, model in enumerate(MODELS):
            header_rows.append([day, day, model, 10 + i, 100 * (i + 1) + j, 7 * i])
    return header_rows


DAILY_HEADER = ["start", "end", "model", "requests", "input_tokens", "output_tokens"]


def test_over_the_threshold_the_upload_is_queued_then_a_worker_writes_it_at_100_percent(
    people, usage_catalogue, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(limits, "QUEUE_THRESHOLD_ROWS", 10)
    monkeypatch.setattr(limits, "PROGRESS_EVERY_ROWS", 4)
    committed = []
    record_progress = uploads_service._progress

    def watch(upload_id, rows_done):  # every progress commit, and what the page's poll would read then
        record_progress(upload_id, rows_done)
        committed.append((rows_done, UsageUpload.objects.get(pk=upload_id).percent))

    monkeypatch.setattr(uploads_service, "_progress", watch)
    rows = daily_rows(5)  # 15 rows
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        upload = submit(people, csv_bytes(rows, DAILY_HEADER))
    assert upload.status == Status.QUEUED and upload.rows_total == 15 and not UsageRecord.objects.exists()
    assert len(callbacks) == 1 and not committed
    callbacks[0]()  # the commit of the request: the task runs (eagerly here)
    upload.refresh_from_db()
    assert upload.status == Status.DONE and upload.percent == 100 and upload.rows_done == 15
    assert committed == [(4, 26), (8, 53), (12, 80)]  # every 4 rows, of 15
    assert record_sums(people.organisation) == {
        "requests": sum(r[3] for r in rows),
        "input_tokens": sum(r[4] for r in rows),
        "output_tokens": sum(r[5] for r in rows),
    }


def test_at_the_real_threshold_5001_rows_are_queued_and_written(
    people, usage_catalogue, django_capture_on_commit_callbacks
):
    rows = daily_rows(1667)[: limits.QUEUE_THRESHOLD_ROWS + 1]  # 5,001 rows, days from 2022-01-01
    with django_capture_on_commit_callbacks(execute=True):
        upload = submit(people, csv_bytes(rows, DAILY_HEADER))
    assert upload.status == Status.QUEUED  # as the request answered
    upload.refresh_from_db()
    assert upload.status == Status.DONE and upload.records_created == 5_001 and upload.percent == 100
    assert UsageRecord.objects.count() == 5_001


def test_the_task_is_idempotent_once_the_upload_is_done(people, usage_catalogue):
    upload = submit(people, csv_bytes(daily_rows(2), DAILY_HEADER))
    before = DatabaseState.of(people.organisation)
    result = process_usage_upload.delay(upload.pk).get()
    assert result == {"upload": upload.pk, "status": Status.DONE}
    assert DatabaseState.of(people.organisation) == before


def test_the_sweeper_resends_uploads_stuck_in_the_queue_and_leaves_recent_ones(people, usage_catalogue, monkeypatch):
    monkeypatch.setattr(limits, "QUEUE_THRESHOLD_ROWS", 1)
    stuck = submit(people, csv_bytes(daily_rows(1), DAILY_HEADER))  # queued; its message never sent (no commit)
    recent = submit(people, csv_bytes(daily_rows(2)[3:], DAILY_HEADER))
    assert stuck.status == recent.status == Status.QUEUED
    long_ago = timezone.now() - dt.timedelta(seconds=STUCK_AFTER_SECONDS + 60)
    UsageUpload.objects.filter(pk=stuck.pk).update(created_at=long_ago)
    assert uploads_sweep() == [stuck.pk]
    stuck.refresh_from_db()
    recent.refresh_from_db()
    assert stuck.status == Status.DONE and recent.status == Status.QUEUED


def test_a_failing_task_marks_the_upload_failed_and_keeps_its_file(people, usage_catalogue, monkeypatch):
    monkeypatch.setattr(limits, "QUEUE_THRESHOLD_ROWS", 1)
    upload = submit(people, csv_bytes(daily_rows(1), DAILY_HEADER))

    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("reports.tasks.upload_process", broken)
    with pytest.raises(RuntimeError):
        process_usage_upload.delay(upload.pk)
    upload.refresh_from_db()
    assert upload.status == Status.FAILED and upload.content is not None
    assert "disk on fire" in upload.errors[0]["message"] and not UsageRecord.objects.exists()


def test_postgresql_copies_the_records_with_the_same_values_as_inserts(people, usage_catalogue, postgres, monkeypatch):
    monkeypatch.setattr(usage_service, "COPY_MIN_RECORDS", 1)
    header = ["month", "model", "region", "requests", "input_tokens", "output_tokens", "spend", "currency"]
    rows = [
        ["2025-01", "google/gemini-test", "gcp/us-east4", 3, 30, 300, "12.3456", "USD"],
        ["2025-01", "stability/sd-test", "", 4, "", "", "", ""],
    ]
    upload = submit(people, csv_bytes(rows, header))
    assert upload.status == Status.DONE
    copied = {r.ai_model.slug: r for r in UsageRecord.objects.select_related("ai_model", "region")}
    gemini, image = copied["google/gemini-test"], copied["stability/sd-test"]
    assert (gemini.region.slug, gemini.region_assumed, gemini.spend, gemini.currency) == (
        "gcp/us-east4",
        False,
        Decimal("12.3456"),
        "USD",
    )
    assert (gemini.source_row, gemini.upload_id, gemini.tier, gemini.created_at is not None) == (
        2,
        upload.pk,
        "token",
        True,
    )
    assert (image.region, image.region_assumed, image.spend, image.currency, image.tier) == (
        None,
        True,
        None,
        "",
        "request",
    )
    assert (image.rate.ai_model_id, image.rate.region_id, image.rate.month) == (
        image.ai_model_id,
        None,
        dt.date(2025, 1, 1),
    )


def test_a_queued_upload_that_needs_a_decision_is_queued_again_once_decided(
    people, usage_catalogue, monkeypatch, django_capture_on_commit_callbacks
):
    submit(people, csv_bytes(daily_rows(2), DAILY_HEADER))
    monkeypatch.setattr(limits, "QUEUE_THRESHOLD_ROWS", 2)
    with django_capture_on_commit_callbacks(execute=True):
        upload = submit(people, csv_bytes(daily_rows(1), DAILY_HEADER))
    upload.refresh_from_db()
    assert upload.status == Status.NEEDS_DECISION and upload.rows_total == 3
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        decided = upload_decide(upload=upload, on_conflict="replace")
    assert decided.status == Status.QUEUED and len(callbacks) == 1
    callbacks[0]()
    decided.refresh_from_db()
    assert decided.status == Status.DONE and decided.records_replaced == 6 and UsageRecord.objects.count() == 3


def test_an_upload_cancelled_while_a_worker_checks_it_writes_nothing(people, usage_catalogue, monkeypatch):
    before = DatabaseState.of(people.organisation)
    check = uploads_service.validate_file

    def cancelled_meanwhile(*args, **kwargs):
        result = check(*args, **kwargs)
        upload_cancel(upload=UsageUpload.objects.get())  # the user, from the page, while the worker checks
        return result

    monkeypatch.setattr(uploads_service, "validate_file", cancelled_meanwhile)
    upload = submit(people, csv_bytes(daily_rows(2), DAILY_HEADER))
    assert upload.status == Status.CANCELLED and DatabaseState.of(people.organisation) == before


@pytest.fixture
def retries_in_process(monkeypatch):
    """Celery re-runs a retried task at once, in-process, when errors do not propagate to the caller (as they do
    not to a worker); the countdown is skipped."""
    from config.celery import app

    monkeypatch.setitem(app.conf, "task_eager_propagates", False)


def test_a_transient_database_error_is_retried_by_the_task(people, usage_catalogue, monkeypatch, retries_in_process):
    from django.db import OperationalError

    monkeypatch.setattr(limits, "QUEUE_THRESHOLD_ROWS", 1)
    upload = submit(people, csv_bytes(daily_rows(1), DAILY_HEADER))
    calls = []
    process = tasks_module.upload_process

    def flaky(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return process(**kwargs)

    monkeypatch.setattr(tasks_module, "upload_process", flaky)
    process_usage_upload.delay(upload.pk)
    upload.refresh_from_db()
    assert len(calls) == 2 and upload.status == Status.DONE


def test_after_the_last_retry_the_upload_is_failed(people, usage_catalogue, monkeypatch, retries_in_process):
    from django.db import OperationalError

    monkeypatch.setattr(limits, "QUEUE_THRESHOLD_ROWS", 1)
    upload = submit(people, csv_bytes(daily_rows(1), DAILY_HEADER))
    calls = []

    def down(**kwargs):
        calls.append(kwargs)
        raise OperationalError("the database is down")

    monkeypatch.setattr(tasks_module, "upload_process", down)
    result = process_usage_upload.delay(upload.pk)
    assert isinstance(result.result, OperationalError)
    upload.refresh_from_db()
    assert len(calls) == tasks_module.MAX_RETRIES + 1 and upload.status == Status.FAILED
    assert "the database is down" in upload.errors[0]["message"] and not UsageRecord.objects.exists()
