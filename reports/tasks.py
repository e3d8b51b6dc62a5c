"""Celery tasks of usage uploads: thin wrappers over ``reports.services.uploads``. They take ids and are idempotent."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from reports.services.uploads import upload_fail, upload_process, uploads_sweep

TRANSIENT = (OperationalError, InterfaceError)
MAX_RETRIES = 8


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES)
def process_usage_upload(self, upload_id: int) -> dict:
    """Check and write an upload. Transient database errors retry with exponential backoff; the last one, or any
    other error, marks the upload failed."""
    try:
        upload = upload_process(upload_id=upload_id)
    except TRANSIENT as exc:
        if self.request.retries >= MAX_RETRIES:
            upload_fail(upload_id=upload_id, error=exc)
        raise self.retry(exc=exc, countdown=min(60, 2 ** (self.request.retries + 1))) from exc
    except Exception as exc:
        upload_fail(upload_id=upload_id, error=exc)
        raise
    if upload is None:
        return {"upload": upload_id, "status": "held by another worker"}
    return {"upload": upload.pk, "status": upload.status}


@shared_task(acks_late=True, ignore_result=True)
def sweep_stuck_uploads() -> list[int]:
    """Beat: re-send uploads that have been queued or processing for too long (see ``uploads_sweep``)."""
    return uploads_sweep()
