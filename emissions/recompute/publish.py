"""Writing model and training footprints inside the publish transaction (they are few: one engine call each).

Rates and rollups are written set-based by ``emissions.recompute.sql``; these rows carry the engine's full
result (breakdown, cited factors), so they are computed with the per-record path.
"""

from __future__ import annotations

import datetime as dt

from emissions import engine
from emissions.estimation import Place, estimate_inference, estimate_training_run
from emissions.factor_index import FactorSource
from emissions.models import ModelFootprint, ModelFootprintVersion, RecomputeJob, TrainingFootprint
from emissions.models.footprints import STORED_METRICS, metric_column


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


def publish_model_footprints(rate_ids: set[int], source: FactorSource, job: RecomputeJob, now) -> int:
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


def publish_training(claimed: list[tuple[int, int]], source: FactorSource, now) -> tuple[int, int]:
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
