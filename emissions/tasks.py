"""Celery tasks: thin wrappers over ``emissions.services.recompute``. They take ids and are idempotent."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from emissions.services.recompute import RecomputeBusy, recompute_failed, recompute_run, recompute_sweep

TRANSIENT = (OperationalError, InterfaceError)
MAX_RETRIES = 8


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES)
def recompute_footprints(self, job_id: int) -> dict:
    """Recompute what is stale. Busy or transient database errors retry with exponential backoff."""
    try:
        job = recompute_run(job_id=job_id)
    except RecomputeBusy as exc:
        raise self.retry(exc=exc, countdown=2, max_retries=None) from exc
    except TRANSIENT as exc:
        final = self.request.retries >= MAX_RETRIES
        recompute_failed(job_id=job_id, error=exc, final=final)
        raise self.retry(exc=exc, countdown=min(60, 2 ** (self.request.retries + 1))) from exc
    except Exception as exc:
        recompute_failed(job_id=job_id, error=exc, final=True)
        raise
    if job is None:
        return {"job": job_id, "status": "missing"}
    return {"job": job.pk, "status": job.status, "rates": job.recomputed_rates, "rollups": job.recomputed_rollups}


@shared_task(acks_late=True, ignore_result=True)
def sweep_stale_footprints() -> list[int]:
    """Beat: re-send quiet jobs and give stale rows without a job one (see ``recompute_sweep``)."""
    return recompute_sweep()
