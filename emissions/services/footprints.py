"""Creating the rows footprints are stored in: rates for the catalogue and for usage, rollups of usage.

New rows are born stale, with a recompute job, so the same pipeline that handles factor changes fills them
in. Everything here is set-based: one query per table, whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from emissions import engine
from emissions.models import FootprintRate, ModelFootprint, RecomputeJob, TrainingFootprint
from emissions.recompute import sql
from emissions.services.recompute import current_month, job_enqueue_or_close
from vendors.models import AIModel, TrainingRun

RateKey = tuple[int, int | None, dt.date]  # (ai_model_id, region_id, month)


def _stale_fields(job: RecomputeJob, now: dt.datetime) -> dict:
    return {"version": 1, "computed_version": 0, "stale_since": now, "stale_job": job}


def _existing_rates(keys: set[RateKey]) -> dict[RateKey, int]:
    if not keys:
        return {}
    months = {k[2] for k in keys}
    models = {k[0] for k in keys}
    rows = FootprintRate.objects.filter(month__in=months, ai_model_id__in=models).values_list(
        "pk", "ai_model_id", "region_id", "month"
    )
    return {(m, r, month): pk for pk, m, r, month in rows if (m, r, month) in keys}


def _create_rates(keys: Iterable[RateKey], job: RecomputeJob, now: dt.datetime) -> int:
    rows = [FootprintRate(ai_model_id=m, region_id=r, month=month, **_stale_fields(job, now)) for m, r, month in keys]
    FootprintRate.objects.bulk_create(rows, batch_size=5_000)
    return len(rows)


def _new_job(trigger: str, user, note: str) -> RecomputeJob:
    return RecomputeJob.objects.create(trigger=trigger, triggered_by=user, note=note)


@transaction.atomic
def rates_ensure(*, keys: set[RateKey], trigger: str = RecomputeJob.Trigger.USAGE, user=None) -> dict[RateKey, int]:
    """The rate id of every key; missing rates are created stale, with a job that computes them."""
    sql.serialize_writes()
    found = _existing_rates(keys)
    missing = keys - found.keys()
    if missing:
        now = timezone.now()
        job = _new_job(trigger, user, f"{len(missing)} new rates")
        job.affected_rates = _create_rates(missing, job, now)
        job_enqueue_or_close(job, now)
        found = _existing_rates(keys)
    return found


def _catalogue_pairs() -> set[tuple[int, int | None]]:
    """(model, region) for every serving region, and (model, None) for models that disclose none."""
    through = AIModel.serving_regions.through
    pairs = set(through.objects.values_list("aimodel_id", "region_id"))
    served = {m for m, _ in pairs}
    pairs |= {(pk, None) for pk in AIModel.objects.exclude(pk__in=served).values_list("pk", flat=True)}
    return pairs


@transaction.atomic
def footprints_ensure_catalogue(
    *, trigger: str = RecomputeJob.Trigger.CATALOGUE_LOAD, user=None
) -> RecomputeJob | None:
    """Make sure every model has a footprint for this month in each serving region, and every training run one.

    Creates what is missing (stale), re-points model footprints to this month's rate when a month begins,
    and removes footprints of regions a model no longer serves. None when there was nothing to do.
    """
    sql.serialize_writes()
    now = timezone.now()
    month = current_month()
    job = _new_job(trigger, user, "")
    pairs = _catalogue_pairs()
    keys = {(m, r, month) for m, r in pairs}
    existing = _existing_rates(keys)
    created = _create_rates(keys - existing.keys(), job, now)
    rates = _existing_rates(keys)
    footprints = {(f.ai_model_id, f.region_id): f for f in ModelFootprint.objects.all()}
    ModelFootprint.objects.filter(pk__in=[f.pk for key, f in footprints.items() if key not in pairs]).delete()
    tasks = dict(AIModel.objects.values_list("pk", "task"))
    new, moved = [], []
    for model_id, region_id in pairs:
        rate_id = rates[(model_id, region_id, month)]
        footprint = footprints.get((model_id, region_id))
        if footprint is None:
            typical = engine.TYPICAL_REQUESTS[tasks[model_id]]
            new.append(
                ModelFootprint(
                    ai_model_id=model_id,
                    region_id=region_id,
                    rate_id=rate_id,
                    month=month,
                    input_tokens=typical.input_tokens,
                    output_tokens=typical.output_units,
                )
            )
        elif footprint.rate_id != rate_id:
            footprint.rate_id = rate_id
            moved.append(footprint)
    ModelFootprint.objects.bulk_create(new)
    ModelFootprint.objects.bulk_update(moved, ["rate"])
    # A model footprint is computed when its rate is: a new one on an already computed rate needs it again.
    refresh = {f.rate_id for f in [*new, *moved]} - {rates[k] for k in keys - existing.keys()}
    bumped = FootprintRate.objects.filter(pk__in=refresh).update(
        version=F("version") + 1, stale_since=now, stale_job=job
    )
    runs = list(TrainingRun.objects.filter(footprint__isnull=True).values_list("pk", flat=True))
    TrainingFootprint.objects.bulk_create(
        [TrainingFootprint(training_run_id=pk, **_stale_fields(job, now)) for pk in runs]
    )
    job.affected_rates = created + bumped
    job.affected_training_footprints = len(runs)
    job.note = f"{created} new rates, {len(new)} new and {len(moved)} moved model footprints, {len(runs)} training"
    return job_enqueue_or_close(job, now)


@transaction.atomic
def rollups_rebuild(*, organisation_id: int, months: Iterable[dt.date]) -> int:
    """Re-sum an organisation's usage for these months into rollups and price them with the current rates."""
    months = sorted(set(months))
    if not months:
        return 0
    sql.serialize_writes()
    inserted = sql.rebuild_rollups(organisation_id, months)
    sql.refresh_rollups_of_organisation(organisation_id, months)
    return inserted
