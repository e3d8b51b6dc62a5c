"""The recompute pipeline: mark what a factor change affects, recompute it in bulk, publish it atomically.

1. ``footprints_mark_stale`` runs inside the transaction that changes factors: it bumps the version of every
   affected rate and training footprint, records a ``RecomputeJob`` and enqueues the task on commit. If the
   broker is down the job simply waits: the stale marks in the database are the work list.
2. ``recompute_run`` (the Celery task's body) claims every stale row with the version it read, computes the
   new values from the factors now approved, and publishes them in ONE transaction: rates (only where the
   version is unchanged), the rollups of those rates, model footprints and training footprints. Readers see
   the old values or the new ones, never a mix.
3. ``recompute_sweep`` (Celery beat) re-sends jobs that went quiet and picks up stale rows nobody owns, so a
   lost message, a dead worker or a broker outage only delays a recompute.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from emissions import engine
from emissions.factor_index import FactorIndex, FactorSource
from emissions.models import (
    EmissionFactor,
    FootprintRate,
    ModelFootprint,
    RecomputeJob,
    TrainingFootprint,
    UsageRollup,
)
from emissions.recompute import sql
from emissions.recompute.affected import affected_rates, affected_training
from emissions.recompute.changes import FactorChange, FactorState
from emissions.recompute.compute import Cell, RateCalculator
from emissions.recompute.publish import publish_model_footprints, publish_training
from vendors.models import AIModel, Region

logger = logging.getLogger(__name__)

CHUNK = 5_000  # cells computed between two progress reports
MAX_PASSES = 10  # a job also recomputes what became stale while it ran, up to this many rounds


class RecomputeBusy(Exception):
    """Another worker is recomputing; the task retries shortly (and will find little left to do)."""


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def current_month() -> dt.date:
    return first_of_month(timezone.localdate())


# -- 1. marking ------------------------------------------------------------------------------------


def _bump(queryset: QuerySet, job: RecomputeJob, now: dt.datetime) -> int:
    return queryset.model.objects.filter(pk__in=queryset.values("pk")).update(
        version=F("version") + 1, stale_since=Coalesce(F("stale_since"), Value(now)), stale_job=job
    )


def _record_counts(job: RecomputeJob) -> None:
    rollups = UsageRollup.objects.filter(rate__stale_job=job).aggregate(n=Count("id"), records=Sum("records"))
    job.affected_rollups = rollups["n"]
    job.affected_usage_records = rollups["records"] or 0
    job.affected_model_footprints = ModelFootprint.objects.filter(rate__stale_job=job).count()


@transaction.atomic
def footprints_mark_stale(
    *, changes: Iterable[FactorChange], trigger: str, user=None, note: str = ""
) -> RecomputeJob | None:
    """Mark what ``changes`` affect as stale and record a job, in the caller's transaction. None: no change."""
    changes = [c for c in changes if c.windows]
    if not changes:
        return None
    sql.serialize_writes()
    now = timezone.now()
    job = RecomputeJob.objects.create(
        trigger=trigger, factor_ids=sorted({c.factor_id for c in changes}), triggered_by=user, note=note[:300]
    )
    job.affected_rates = _bump(affected_rates(changes), job, now)
    job.affected_training_footprints = _bump(affected_training(changes), job, now)
    return job_enqueue_or_close(job, now)


# Jobs nobody asked for are not kept when they turn out to affect nothing.
UNATTENDED_TRIGGERS = {RecomputeJob.Trigger.CATALOGUE_LOAD, RecomputeJob.Trigger.USAGE, RecomputeJob.Trigger.SWEEPER,
                       RecomputeJob.Trigger.NEW_MONTH}  # fmt: skip


def jobs_recount(*, rate_ids: Iterable[int]) -> None:
    """Refresh the affected counts of the jobs that marked these rates (after their rollups were created)."""
    job_ids = FootprintRate.objects.filter(pk__in=list(rate_ids), stale_job__isnull=False).values("stale_job")
    for job in RecomputeJob.objects.filter(pk__in=job_ids, status=RecomputeJob.Status.PENDING):
        _record_counts(job)
        job.save(update_fields=["affected_rollups", "affected_usage_records", "affected_model_footprints"])


def job_enqueue_or_close(job: RecomputeJob, now: dt.datetime) -> RecomputeJob | None:
    """Finish a new job: its counts, and either done at once (nothing affected) or enqueued on commit."""
    _record_counts(job)
    if job.affected_rates or job.affected_training_footprints:
        job.save()
        transaction.on_commit(lambda: recompute_enqueue(job.pk))
    elif job.trigger in UNATTENDED_TRIGGERS:
        job.delete()
        return None
    else:
        job.status = RecomputeJob.Status.SUCCEEDED
        job.started_at = job.finished_at = now
        job.save()
    return job


@transaction.atomic
def footprints_mark_all_stale(*, user=None, note: str = "") -> RecomputeJob:
    """Everything, from scratch (``manage.py recompute --all``)."""
    sql.serialize_writes()
    now = timezone.now()
    job = RecomputeJob.objects.create(trigger=RecomputeJob.Trigger.MANUAL, triggered_by=user, note=note[:300])
    job.affected_rates = _bump(FootprintRate.objects.all(), job, now)
    job.affected_training_footprints = _bump(TrainingFootprint.objects.all(), job, now)
    return job_enqueue_or_close(job, now)


def factor_change(factor: EmissionFactor, before: FactorState | None = None) -> FactorChange:
    return FactorChange.between(before, FactorState.of(factor))


def factor_as_if_changed(factor: EmissionFactor) -> FactorChange:
    """``recompute --factor ID``: everything the factor's period touches."""
    state = FactorState.of(factor)
    return FactorChange(state.factor_id, state.kind, state.subject_field, state.subject_id, (state.window,))


# -- enqueueing ------------------------------------------------------------------------------------


def recompute_enqueue(job_id: int) -> bool:
    """Send the job to the workers. A broker outage is logged, not raised: the sweeper sends it again later."""
    from emissions.tasks import recompute_footprints

    try:
        recompute_footprints.apply_async(args=[job_id])
    except Exception:
        logger.warning("recompute job %s not enqueued (broker unavailable); the sweeper will retry", job_id,
                       exc_info=True)  # fmt: skip
        return False
    RecomputeJob.objects.filter(pk=job_id).update(enqueued_at=timezone.now())
    return True


# -- 2. recomputing --------------------------------------------------------------------------------


@dataclass
class Claim:
    """Stale rows as read by a worker, with the version it read."""

    rates: list[tuple[Cell, int]]
    training: list[tuple[int, int]]  # (training footprint id, version)

    def __bool__(self) -> bool:
        return bool(self.rates or self.training)


def _claim() -> Claim:
    rates = [
        (Cell(pk, model_id, region_id, month), version)
        for pk, model_id, region_id, month, version in FootprintRate.objects.filter(stale_since__isnull=False)
        .order_by("pk")
        .values_list("pk", "ai_model_id", "region_id", "month", "version")
    ]
    training = list(
        TrainingFootprint.objects.filter(stale_since__isnull=False).order_by("pk").values_list("pk", "version")
    )
    return Claim(rates, training)


def _heartbeat(job: RecomputeJob, **fields) -> None:
    fields["heartbeat_at"] = timezone.now()
    RecomputeJob.objects.filter(pk=job.pk).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)


def load_index() -> FactorIndex:
    return FactorIndex.load()


def rate_calculator(source: FactorSource) -> RateCalculator:
    models = {m.pk: m for m in AIModel.objects.select_related("serving_accelerator", "vendor")}
    regions = {r.pk: r for r in Region.objects.select_related("zone")}
    return RateCalculator(source, models, regions)


def _recompute_pass(job: RecomputeJob, claim: Claim, on_progress: Callable[[RecomputeJob], None] | None) -> None:
    index = load_index()
    calculator = rate_calculator(index)
    cells = [cell for cell, _ in claim.rates]
    rollups = job.affected_rollups  # counted when marking; a progress total need not join every rollup again
    total = len(cells) + rollups + len(claim.training)
    _heartbeat(job, progress_done=0, progress_total=total)
    results = []
    for start in range(0, len(cells), CHUNK):
        results.append(calculator.rates(cells[start : start + CHUNK]))
        _heartbeat(job, progress_done=min(len(cells), start + CHUNK))
        if on_progress:
            on_progress(job)
    claimed_version = {cell.rate_id: version for cell, version in claim.rates}
    now = timezone.now()
    with transaction.atomic():
        sql.serialize_writes()
        published = sql.publish_rates(
            (
                (rate_id, claimed_version[rate_id], values, versions)
                for batch in results
                for rate_id, values, versions in zip(
                    batch.rate_ids.tolist(), batch.values.tolist(), batch.factor_versions, strict=True
                )
            ),
            methodology_version=engine.METHODOLOGY_VERSION,
            computed_at=now,
        )
        rollups_written = sql.refresh_rollups_of_rates(published)
        model_footprints = publish_model_footprints(set(published), index, job, now)
        training_written, training_skipped = publish_training(claim.training, index, now)
        RecomputeJob.objects.filter(pk=job.pk).update(
            recomputed_rates=F("recomputed_rates") + len(published),
            recomputed_rollups=F("recomputed_rollups") + rollups_written,
            recomputed_model_footprints=F("recomputed_model_footprints") + model_footprints,
            recomputed_training_footprints=F("recomputed_training_footprints") + training_written,
            skipped_newer=F("skipped_newer") + (len(cells) - len(published)) + training_skipped,
            progress_done=total, heartbeat_at=timezone.now(),
        )  # fmt: skip
    job.refresh_from_db()
    if on_progress:
        on_progress(job)


def recompute_run(*, job_id: int, on_progress: Callable[[RecomputeJob], None] | None = None) -> RecomputeJob:
    """Recompute everything stale (the job's rows and any others), then close the job and the jobs it covered.

    Idempotent: a finished job returns at once, and a second run over fresh rows finds nothing to do.
    Raises ``RecomputeBusy`` when another worker holds the recompute lock.
    """
    with sql.worker_lock() as acquired:
        if not acquired:
            raise RecomputeBusy(f"recompute job {job_id}: another worker is recomputing")
        job = RecomputeJob.objects.filter(pk=job_id).first()
        if job is None or job.status in (RecomputeJob.Status.SUCCEEDED, RecomputeJob.Status.FAILED):
            return job
        now = timezone.now()
        _heartbeat(job, status=RecomputeJob.Status.RUNNING, started_at=job.started_at or now,
                   attempts=job.attempts + 1, error="")  # fmt: skip
        for _ in range(MAX_PASSES):
            # Jobs visible now were marked before the claim below: if it finds nothing, they are all done.
            waiting = list(
                RecomputeJob.objects.filter(status__in=[RecomputeJob.Status.PENDING, RecomputeJob.Status.RUNNING])
                .exclude(pk=job.pk)
                .values_list("pk", flat=True)
            )
            claim = _claim()
            if not claim:
                break
            _recompute_pass(job, claim, on_progress)
        else:
            waiting = []  # still changing after MAX_PASSES rounds: the other jobs run on their own
        finished = timezone.now()
        RecomputeJob.objects.filter(pk__in=waiting).update(
            status=RecomputeJob.Status.SUCCEEDED, covered_by=job, finished_at=finished, heartbeat_at=finished
        )
        _heartbeat(job, status=RecomputeJob.Status.SUCCEEDED, finished_at=finished)
        return job


def recompute_failed(*, job_id: int, error: BaseException, final: bool) -> None:
    """Record a failed attempt; a final failure ends the job (its rows stay stale for the sweeper)."""
    text = "".join(traceback.format_exception_only(type(error), error)).strip()[:2000]
    fields = {"error": text, "heartbeat_at": timezone.now()}
    if final:
        fields |= {"status": RecomputeJob.Status.FAILED, "finished_at": timezone.now()}
    RecomputeJob.objects.filter(pk=job_id).exclude(status=RecomputeJob.Status.SUCCEEDED).update(**fields)


# -- 3. sweeping -----------------------------------------------------------------------------------


def stale_after() -> dt.timedelta:
    return dt.timedelta(seconds=settings.RECOMPUTE_STALE_AFTER_SECONDS)


def recompute_sweep() -> list[int]:
    """Re-send jobs that went quiet; give orphaned stale rows a job; start a new month. Returns jobs sent."""
    from emissions.services.footprints import footprints_ensure_catalogue

    cutoff = timezone.now() - stale_after()
    if ModelFootprint.objects.filter(month__lt=current_month()).exists():
        footprints_ensure_catalogue(trigger=RecomputeJob.Trigger.NEW_MONTH)
    quiet = RecomputeJob.objects.filter(
        Q(status=RecomputeJob.Status.PENDING, created_at__lt=cutoff)
        & (Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=cutoff))
        | Q(status=RecomputeJob.Status.RUNNING, heartbeat_at__lt=cutoff)
    ).order_by("pk")
    to_send = list(quiet.values_list("pk", flat=True))
    if not to_send:
        orphaned = (
            FootprintRate.objects.filter(stale_since__lt=cutoff).exists()
            or TrainingFootprint.objects.filter(stale_since__lt=cutoff).exists()
        )
        if (
            orphaned
            and not RecomputeJob.objects.filter(
                status__in=[RecomputeJob.Status.PENDING, RecomputeJob.Status.RUNNING]
            ).exists()
        ):
            job = RecomputeJob.objects.create(trigger=RecomputeJob.Trigger.SWEEPER, note="stale rows without a job")
            to_send = [job.pk]
    return [job_id for job_id in to_send if recompute_enqueue(job_id)]


def recompute_pending(*, note: str = "") -> RecomputeJob | None:
    """Send what is stale now to the workers: the oldest active job, or a new one for stale rows. None: all fresh."""
    job = active_jobs().order_by("pk").first()
    if job is None:
        rates = FootprintRate.objects.filter(stale_since__isnull=False).count()
        training = TrainingFootprint.objects.filter(stale_since__isnull=False).count()
        if not (rates or training):
            return None
        job = RecomputeJob.objects.create(
            trigger=RecomputeJob.Trigger.MANUAL, note=note, affected_rates=rates, affected_training_footprints=training
        )
    recompute_enqueue(job.pk)
    job.refresh_from_db()
    return job


# -- reading the pipeline's state ------------------------------------------------------------------


def active_jobs() -> QuerySet[RecomputeJob]:
    return RecomputeJob.objects.filter(status__in=[RecomputeJob.Status.PENDING, RecomputeJob.Status.RUNNING])
