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
from django.db.models import Count, DateField, Exists, F, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from emissions import engine
from emissions.estimation import Place, estimate_inference, estimate_training_run
from emissions.factor_index import FactorIndex, FactorSource
from emissions.models import (
    EmissionFactor,
    FootprintRate,
    ModelFootprint,
    ModelFootprintVersion,
    RecomputeJob,
    TrainingFootprint,
    UsageRollup,
)
from emissions.models.footprints import STORED_METRICS, metric_column
from emissions.recompute import sql
from emissions.recompute.changes import FactorChange, FactorState
from emissions.recompute.compute import Cell, RateCalculator
from vendors.models import AIModel, Region

logger = logging.getLogger(__name__)

# Kinds the engine reads; a change to any other kind (carbon_free_share is informative) affects nothing.
REGION_KINDS = {"pue", "wue", "renewable_share"}
CHUNK = 5_000  # cells computed between two progress reports
MAX_PASSES = 10  # a job also recomputes what became stale while it ran, up to this many rounds


class RecomputeBusy(Exception):
    """Another worker is recomputing; the task retries shortly (and will find little left to do)."""


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def current_month() -> dt.date:
    return first_of_month(timezone.localdate())


# -- 1. marking ------------------------------------------------------------------------------------


def _size_bracket_users() -> list[int]:
    """Text models with no size of their own: their size is bracketed by the closed models' sizes."""
    sized = EmissionFactor.objects.filter(
        ai_model=OuterRef("pk"), kind__in=["total_params", "active_params"], status=EmissionFactor.Status.APPROVED
    )
    return list(AIModel.objects.filter(task="text-generation").filter(~Exists(sized)).values_list("pk", flat=True))


# How each kind of subject reaches rates and training footprints (None: it does not).
RATE_PATHS = {"zone": "region__zone_id", "region": "region_id", "accelerator": "ai_model__serving_accelerator_id",
              "ai_model": "ai_model_id"}  # fmt: skip
TRAINING_PATHS = {
    "zone": ("training_run__zone_id", "training_run__region__zone_id"),
    "region": ("training_run__region_id",),
    "accelerator": ("training_run__accelerator_id",),
    "ai_model": (),  # a training estimate reads no model factor
}


def _feeds_footprints(change: FactorChange) -> bool:
    return change.subject_field != "region" or change.kind in REGION_KINDS


def _grouped(changes: list[FactorChange]) -> dict[tuple[str, tuple], set[int]]:
    """Subjects by (subject field, windows): a catalogue load of thousands of factors becomes a few clauses."""
    groups: dict[tuple[str, tuple], set[int]] = {}
    closed_text_models = set(
        AIModel.objects.filter(task="text-generation", open_weights=False).values_list("pk", flat=True)
    )
    bracket_users: list[int] | None = None
    for change in changes:
        if not _feeds_footprints(change):
            continue
        subjects = {change.subject_id}
        if change.kind == "active_params" and change.subject_id in closed_text_models:
            bracket_users = _size_bracket_users() if bracket_users is None else bracket_users
            subjects.update(bracket_users)
        groups.setdefault((change.subject_field, change.windows), set()).update(subjects)
    return groups


def _filter(groups: dict[tuple[str, tuple], set[int]], paths: dict, date_field: str) -> Q | None:
    condition = None
    for (subject_field, windows), subjects in groups.items():
        field_paths = paths[subject_field]
        for path in (field_paths,) if isinstance(field_paths, str) else field_paths:
            clause = Q(**{f"{path}__in": sorted(subjects)}) & _window_filter(windows, date_field)
            condition = clause if condition is None else condition | clause
    return condition


def _window_filter(windows: tuple, field: str) -> Q:
    condition = Q(pk__in=[])
    for start, end in windows:
        window = Q(**{f"{field}__gte": start})
        if end is not None:
            window &= Q(**{f"{field}__lt": end})
        condition |= window
    return condition


def _training_with_dates() -> QuerySet[TrainingFootprint]:
    """Training footprints with the date their factors are read on (as ``estimate_training_run``)."""
    return TrainingFootprint.objects.annotate(
        estimated_on=Coalesce(
            "training_run__period_end",
            "training_run__period_start",
            "training_run__model__release_date",
            Value(timezone.localdate()),
            output_field=DateField(),
        )
    )


def affected_rates(changes: list[FactorChange]) -> QuerySet[FootprintRate]:
    """The rates these factor changes affect (each only in the months its windows cover)."""
    condition = _filter(_grouped(changes), RATE_PATHS, "month")
    return FootprintRate.objects.none() if condition is None else FootprintRate.objects.filter(condition)


def affected_training(changes: list[FactorChange]) -> QuerySet[TrainingFootprint]:
    condition = _filter(_grouped(changes), TRAINING_PATHS, "estimated_on")
    return TrainingFootprint.objects.none() if condition is None else _training_with_dates().filter(condition)


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


def _metric_values(metrics: engine.Metrics) -> dict[str, float]:
    values = {}
    for metric in STORED_METRICS:
        estimate = getattr(metrics, metric)
        for side, number in enumerate(estimate.as_tuple()):
            values[metric_column(metric, side)] = number
    return values


def model_footprint_result(footprint: ModelFootprint, month: dt.date, source: FactorSource):
    place = Place(region=footprint.region) if footprint.region_id else Place()
    return estimate_inference(
        model=footprint.ai_model, place=place, on=month, source=source, requests=1,
        input_tokens=footprint.input_tokens, output_tokens=footprint.output_tokens,
    )  # fmt: skip


def _publish_model_footprints(rate_ids: set[int], source: FactorSource, job: RecomputeJob, now) -> int:
    footprints = [
        f
        for f in ModelFootprint.objects.select_related("ai_model__serving_accelerator", "region__zone", "rate")
        if f.rate_id in rate_ids
    ]
    latest = {
        v.model_footprint_id: v
        for v in ModelFootprintVersion.objects.filter(model_footprint__in=footprints).order_by("computed_at", "id")
    }
    versions = []
    for footprint in footprints:
        result = model_footprint_result(footprint, footprint.rate.month, source)
        for column, value in _metric_values(result.metrics).items():
            setattr(footprint, column, value)
        footprint.month = footprint.rate.month
        footprint.breakdown = result.to_dict()
        total = result.total_co2e_kg
        previous = latest.get(footprint.pk)
        if previous is None or (previous.total_co2e_kg, previous.total_co2e_kg_low, previous.total_co2e_kg_high) != (
            total.central,
            total.low,
            total.high,
        ):
            versions.append(ModelFootprintVersion(
                model_footprint=footprint, job=job, computed_at=now, month=footprint.month,
                total_co2e_kg=total.central, total_co2e_kg_low=total.low, total_co2e_kg_high=total.high,
                energy_kwh=result.energy_kwh.central, water_l=result.water_l.central,
                factor_versions=footprint.rate.factor_versions,
            ))  # fmt: skip
    ModelFootprint.objects.bulk_update(footprints, ["month", "breakdown", *_metric_values(engine.Metrics()).keys()])
    ModelFootprintVersion.objects.bulk_create(versions)
    return len(footprints)


def _publish_training(claimed: list[tuple[int, int]], source: FactorSource, now) -> tuple[int, int]:
    """Training footprints are few: one conditional update each. Returns (written, skipped as newer)."""
    written = skipped = 0
    rows = TrainingFootprint.objects.select_related(
        "training_run__model", "training_run__accelerator", "training_run__zone", "training_run__region__zone"
    ).in_bulk([pk for pk, _ in claimed])
    for pk, version in claimed:
        footprint = rows.get(pk)
        if footprint is None:
            continue
        result = estimate_training_run(footprint.training_run, source)
        values = _metric_values(result.metrics) if result else dict.fromkeys(_metric_values(engine.Metrics()))
        updated = TrainingFootprint.objects.filter(pk=pk, version=version).update(
            **values, result=result.to_dict() if result else {}, estimable=result is not None,
            factor_versions={str(r["id"]): r["version"] for r in (result.factors if result else ()) if r.get("id")},
            methodology_version=engine.METHODOLOGY_VERSION, computed_version=version, computed_at=now,
            stale_since=None, stale_job=None,
        )  # fmt: skip
        written += updated
        skipped += 1 - updated
    return written, skipped


def _recompute_pass(job: RecomputeJob, claim: Claim, on_progress: Callable[[RecomputeJob], None] | None) -> None:
    index = load_index()
    calculator = rate_calculator(index)
    cells = [cell for cell, _ in claim.rates]
    rollups = UsageRollup.objects.filter(rate__stale_since__isnull=False).count()
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
        model_footprints = _publish_model_footprints(set(published), index, job, now)
        training_written, training_skipped = _publish_training(claim.training, index, now)
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
