"""The life of a usage upload: submitted, checked, perhaps waiting for the user, then written whole or not at all.

::

    submit ─► QUEUED ─► PROCESSING ─┬─► REJECTED              (any bad row: nothing written)
      │  (over the queue threshold:  ├─► NEEDS_CONFIRMATION ─► confirm ─► QUEUED ...
      │   a worker; else inline)     ├─► NEEDS_DECISION ─────► decide ──► QUEUED ...
      └─► REJECTED (over-size)       └─► DONE                 (one transaction: records, rollups, upload)
    any waiting state ─► cancel ─► CANCELLED;   a worker giving up ─► FAILED

The upload row is the record of what is left to do: the file's bytes stay in ``content`` until the upload is
done, rejected or cancelled (then emptied; the sha256 stays). A worker takes an upload by id and does nothing
when it is no longer queued or processing, or when another worker holds it (a PostgreSQL advisory lock), so
messages may be repeated freely: the beat sweeper re-sends uploads that look stuck.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Iterator
from pathlib import PurePath
from typing import BinaryIO

from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from reports.ingest import limits
from reports.ingest.errors import FileRejected, RowError, stored
from reports.ingest.readers import count_csv_rows, estimate_rows, too_many_rows
from reports.ingest.selectors import catalogue_snapshot, months_with_usage, spend_factor_keys
from reports.ingest.validate import Validation, validate_file
from reports.models import Organisation, UsageUpload
from reports.services.usage import usage_batch_write

logger = logging.getLogger(__name__)

Status = UsageUpload.Status
Mode = UsageUpload.Mode
ACTIVE = (Status.QUEUED, Status.PROCESSING)
WAITING = (Status.NEEDS_CONFIRMATION, Status.NEEDS_DECISION, *ACTIVE)
STUCK_AFTER_SECONDS = 300  # queued or processing this long (created before): the sweeper sends it again
UPLOAD_LOCK = 7_402_310  # PostgreSQL advisory lock class of uploads (emissions uses 7_402_301 and 7_402_302)


class UploadActionError(Exception):
    """A request the upload cannot take (wrong state, bad mapping, unknown format): errors say which field."""

    def __init__(self, message: str, errors: list[RowError] | None = None):
        super().__init__(message)
        self.errors = errors or [RowError(None, "", message)]


# -- submitting ------------------------------------------------------------------------------------------------


def upload_submit(
    *,
    organisation: Organisation,
    user,
    filename: str,
    file_format: str,
    source: BinaryIO,
    size_bytes: int,
    on_conflict: str = "",
) -> UsageUpload:
    """Store an uploaded file and process it: in this request when small, by a worker otherwise.

    ``size_bytes`` is the size announced (file size, Content-Length); a file over the limit is rejected
    without being read. ``on_conflict`` ("replace" or "merge") answers in advance what to do with months that
    already hold usage; without it such an upload stops and asks.
    """
    if file_format not in UsageUpload.Format.values:
        message = f"Unknown format “{file_format}”: use csv, json or openai-usage."
        raise UploadActionError(message, [RowError(None, "format", message)])
    mode = _mode(on_conflict, required=False)
    name = PurePath(filename or "upload").name[:255] or "upload"
    content = None if size_bytes > limits.MAX_BYTES else source.read(limits.MAX_BYTES + 1)
    if content is None or len(content) > limits.MAX_BYTES:
        size = max(size_bytes, len(content or b""))
        message = f"The file is {limits.megabytes(size)}: the limit is {limits.megabytes(limits.MAX_BYTES)}."
        return _rejected_at_once(organisation, user, name, file_format, size, "", FileRejected(message))
    digest = hashlib.sha256(content).hexdigest()
    rows = estimate_rows(content, file_format)
    if file_format == UsageUpload.Format.CSV and rows > limits.MAX_ROWS:
        counted = count_csv_rows(content, stop_after=limits.MAX_ROWS)
        if counted > limits.MAX_ROWS:
            return _rejected_at_once(
                organisation, user, name, file_format, len(content), digest, too_many_rows(counted)
            )
    with transaction.atomic():
        upload = UsageUpload.objects.create(
            organisation=organisation,
            uploaded_by=user,
            filename=name,
            format=file_format,
            size_bytes=len(content),
            sha256=digest,
            status=Status.QUEUED,
            mode=mode,
            rows_total=rows,
        )
        _store_content(upload, content)
    del content  # the worker reads it back from the database: one copy in memory at a time
    return upload_dispatch(upload=upload)


def _rejected_at_once(organisation, user, name, file_format, size, digest, rejection: FileRejected) -> UsageUpload:
    return UsageUpload.objects.create(
        organisation=organisation,
        uploaded_by=user,
        filename=name,
        format=file_format,
        size_bytes=size,
        sha256=digest,
        status=Status.REJECTED,
        rows_total=rejection.rows,
        errors=stored([rejection.error], 1),
        finished_at=timezone.now(),
    )


def upload_dispatch(*, upload: UsageUpload) -> UsageUpload:
    """Process a queued upload now when it is small; otherwise send it to a worker once this transaction commits."""
    if upload.rows_total > limits.QUEUE_THRESHOLD_ROWS:
        upload_id = upload.pk
        transaction.on_commit(lambda: upload_enqueue(upload_id))
        return upload
    return upload_process(upload_id=upload.pk) or UsageUpload.objects.defer("content").get(pk=upload.pk)


def upload_enqueue(upload_id: int, *, expires: float | None = None) -> bool:
    """Send to the workers. A broker outage is logged, not raised: the upload stays queued for the sweeper."""
    from reports.tasks import process_usage_upload

    try:
        process_usage_upload.apply_async(args=[upload_id], expires=expires)
    except BrokerError:
        logger.warning("upload %s not enqueued (broker unavailable); the sweeper will retry", upload_id, exc_info=True)
        return False
    return True


# -- the file's bytes -----------------------------------------------------------------------------------------------


def _store_content(upload: UsageUpload, content: bytes) -> None:
    """PostgreSQL: sent as a binary parameter (the ORM would inline it as a hex literal: 3x the file in memory)."""
    if connection.vendor != "postgresql":
        upload.content = content
        upload.save(update_fields=["content"])
        return
    import psycopg

    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute("UPDATE reports_usageupload SET content = %b WHERE id = %s", [content, upload.pk])


def _load_content(upload_id: int) -> bytes | None:
    """The file's bytes (PostgreSQL: fetched in binary, without a hex text copy)."""
    if connection.vendor != "postgresql":
        content = UsageUpload.objects.filter(pk=upload_id).values_list("content", flat=True).get()
        return None if content is None else bytes(content)
    import psycopg

    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute("SELECT content FROM reports_usageupload WHERE id = %s", [upload_id], binary=True)
        row = cursor.fetchone()
    return None if row is None or row[0] is None else bytes(row[0])


# -- processing -----------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _worker_hold(upload_id: int) -> Iterator[bool]:
    """PostgreSQL: a session advisory lock per upload, so a repeated message never processes it twice at once
    (released when the worker's connection ends, even if it dies). SQLite: one process, always True."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s::int4, %s::int4)", [UPLOAD_LOCK, upload_id])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s::int4, %s::int4)", [UPLOAD_LOCK, upload_id])


@transaction.atomic
def _claim(upload_id: int) -> UsageUpload | None:
    upload = UsageUpload.objects.select_for_update().defer("content").filter(pk=upload_id).first()
    if upload is None or upload.status not in ACTIVE:
        return None
    upload.status = Status.PROCESSING
    upload.rows_done = 0
    upload.save(update_fields=["status", "rows_done"])
    return upload


def _progress(upload_id: int, rows_done: int) -> None:
    """Committed at once (outside any transaction in a worker), so the page's progress bar moves."""
    UsageUpload.objects.filter(pk=upload_id, status=Status.PROCESSING).update(
        rows_done=rows_done, rows_total=Greatest(F("rows_total"), rows_done)
    )


def upload_process(*, upload_id: int) -> UsageUpload | None:
    """Check a queued upload and write it, or stop for the user. Idempotent; None when another worker has it."""
    with _worker_hold(upload_id) as held:
        if not held:
            return None
        upload = _claim(upload_id)
        if upload is None:
            return UsageUpload.objects.defer("content").filter(pk=upload_id).first()
        content = _load_content(upload_id)
        if content is None:
            gone = FileRejected("The file is no longer stored: upload it again.")
            return _finish_rejected(upload_id, [gone.error], 1, rows=0)
        try:
            validation = validate_file(
                content,
                upload.format,
                catalogue=catalogue_snapshot(),
                confirmed=upload.model_mapping,
                today=timezone.localdate(),
                spend_factors=spend_factor_keys,
                progress=lambda rows: _progress(upload_id, rows),
            )
        except FileRejected as rejection:
            return _finish_rejected(upload_id, [rejection.error], 1, rows=rejection.rows)
        del content  # the checked records are all the write needs
        if validation.errors:
            return _finish_rejected(upload_id, validation.errors.listed, validation.errors.total, rows=validation.rows)
        if validation.proposals:
            return _ask_confirmation(upload_id, validation)
        return _write(upload_id, validation)


def _current(upload_id: int) -> UsageUpload | None:
    """The upload, locked, if still being processed (not cancelled meanwhile). Without its file: saves of it
    name their fields."""
    upload = UsageUpload.objects.select_for_update().defer("content").get(pk=upload_id)
    return upload if upload.status == Status.PROCESSING else None


@transaction.atomic
def _finish_rejected(upload_id: int, errors: list[RowError], total: int, *, rows: int) -> UsageUpload:
    upload = _current(upload_id)
    if upload is None:
        return UsageUpload.objects.defer("content").get(pk=upload_id)
    upload.status = Status.REJECTED
    upload.errors = stored(errors, total)
    upload.rows_total, upload.rows_done = rows, 0
    upload.content = None
    upload.finished_at = timezone.now()
    upload.save()
    return upload


@transaction.atomic
def _ask_confirmation(upload_id: int, validation: Validation) -> UsageUpload:
    upload = _current(upload_id)
    if upload is None:
        return UsageUpload.objects.defer("content").get(pk=upload_id)
    upload.status = Status.NEEDS_CONFIRMATION
    upload.model_mapping = dict(sorted(validation.proposals.items()))
    upload.rows_total = upload.rows_done = validation.rows
    upload.save()
    return upload


@transaction.atomic
def _write(upload_id: int, validation: Validation) -> UsageUpload:
    """One transaction: the organisation is locked (its uploads write one at a time), the months are checked for
    usage again, then the records, rollups and the upload's outcome are written together."""
    organisation_id = UsageUpload.objects.filter(pk=upload_id).values_list("organisation_id", flat=True).get()
    organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
    upload = _current(upload_id)
    if upload is None:
        return UsageUpload.objects.defer("content").get(pk=upload_id)
    batch = validation.batch
    months = batch.months()
    upload.months = [m.isoformat() for m in months]
    upload.tier_counts = batch.tier_counts()
    upload.rows_total = upload.rows_done = validation.rows
    if not upload.mode and months_with_usage(organisation.pk, months):
        upload.status = Status.NEEDS_DECISION
        upload.save()
        return upload
    written = usage_batch_write(
        organisation=organisation, batch=batch, replace=upload.mode == Mode.REPLACE, upload=upload
    )
    upload.status = Status.DONE
    upload.records_created, upload.records_replaced = written.created, written.replaced
    upload.errors = []
    upload.content = None
    upload.finished_at = timezone.now()
    upload.save()
    return upload


# -- the user's answers ------------------------------------------------------------------------------------------


def _mode(on_conflict: str, *, required: bool) -> str:
    value = (on_conflict or "").strip().lower()
    if value in Mode.values or (value == "" and not required):
        return value
    raise UploadActionError(
        f"on_conflict must be replace or merge, not “{on_conflict}”.",
        [RowError(None, "on_conflict", "Choose replace (the file's months replace what is there) or merge (add).")],
    )


def _locked_in(upload: UsageUpload, status: str, waiting_for: str) -> UsageUpload:
    locked = UsageUpload.objects.select_for_update().defer("content").get(pk=upload.pk)
    if locked.status != status:
        raise UploadActionError(
            f"This upload is not waiting for {waiting_for}: it is {locked.get_status_display().lower()}."
        )
    return locked


def upload_confirm(*, upload: UsageUpload, mapping: dict[str, str]) -> UsageUpload:
    """Accept the user's model for every name that was proposed, then process the upload again."""
    from vendors.models import AIModel

    with transaction.atomic():
        locked = _locked_in(upload, Status.NEEDS_CONFIRMATION, "model names to be confirmed")
        pending = locked.model_mapping
        slugs = set(AIModel.objects.filter(slug__in=[str(s) for s in mapping.values()]).values_list("slug", flat=True))
        problems = [
            RowError(None, name, f"“{name}” is not a model name of this file waiting for confirmation.")
            for name in mapping
            if name not in pending
        ]
        for name in pending:
            chosen = mapping.get(name)
            if not chosen:
                problems.append(RowError(None, name, f"Choose the catalogue model that “{name}” means."))
            elif chosen not in slugs:
                problems.append(RowError(None, name, f"“{chosen}” is not a catalogue model slug."))
        if problems:
            raise UploadActionError("Some model names are not confirmed.", problems)
        locked.model_mapping = {name: mapping[name] for name in pending}
        locked.status, locked.rows_done = Status.QUEUED, 0
        locked.save(update_fields=["model_mapping", "status", "rows_done"])
    return upload_dispatch(upload=locked)  # after the commit: processing keeps its own transactions


def upload_decide(*, upload: UsageUpload, on_conflict: str) -> UsageUpload:
    """Replace the months' usage or merge with it, then process the upload again."""
    mode = _mode(on_conflict, required=True)
    with transaction.atomic():
        locked = _locked_in(upload, Status.NEEDS_DECISION, "a replace-or-merge decision")
        locked.mode, locked.status, locked.rows_done = mode, Status.QUEUED, 0
        locked.save(update_fields=["mode", "status", "rows_done"])
    return upload_dispatch(upload=locked)


@transaction.atomic
def upload_cancel(*, upload: UsageUpload) -> UsageUpload:
    """Give up an upload that is not finished; nothing of it is written."""
    locked = UsageUpload.objects.select_for_update().defer("content").get(pk=upload.pk)
    if locked.status not in WAITING:
        raise UploadActionError(f"This upload cannot be cancelled: it is {locked.get_status_display().lower()}.")
    locked.status = Status.CANCELLED
    locked.content = None
    locked.finished_at = timezone.now()
    locked.save(update_fields=["status", "content", "finished_at"])
    return locked


# -- workers' bookkeeping --------------------------------------------------------------------------------------


@transaction.atomic
def upload_fail(*, upload_id: int, error: BaseException) -> None:
    """A worker gave up: the upload is FAILED with the error (its file is kept, for a look or a re-send)."""
    upload = UsageUpload.objects.select_for_update().defer("content").filter(pk=upload_id, status__in=ACTIVE).first()
    if upload is None:
        return
    upload.status = Status.FAILED
    upload.errors = stored([RowError(None, "", f"Processing failed: {type(error).__name__}: {error}"[:500])], 1)
    upload.finished_at = timezone.now()
    upload.save(update_fields=["status", "errors", "finished_at"])


def uploads_sweep() -> list[int]:
    """Beat: send again the uploads queued or processing since longer than ``STUCK_AFTER_SECONDS`` (a lost message,
    a dead worker); a worker already on one finds it held and does nothing. Returns the ids sent."""
    cutoff = timezone.now() - timezone.timedelta(seconds=STUCK_AFTER_SECONDS)
    stuck = list(
        UsageUpload.objects.filter(status__in=ACTIVE, created_at__lt=cutoff).order_by("pk").values_list("pk", flat=True)
    )
    return [pk for pk in stuck if upload_enqueue(pk, expires=STUCK_AFTER_SECONDS)]
