"""The oracle for the recompute pipeline: every stored footprint equals a computation from scratch.

``assert_footprints_match_from_scratch()`` trusts nothing the pipeline stored along the way (jobs, rollup sums,
factor versions) and recomputes from the approved factors and the raw usage records:

- every ``FootprintRate``: a fresh ``rate_calculator(FactorIndex.load()).rates(cells)``;
- every ``UsageRollup``: its usage summed directly from ``reports.UsageRecord`` (grouped by organisation and
  rate) times those from-scratch rates, and no usage without its rollup;
- every ``ModelFootprint``: ``model_footprint_result(...)`` for its rate's month;
- every ``TrainingFootprint``: ``estimate_training_run(...)``;
- and nothing is stale: no ``stale_since``, and each row computed from the version it now has.

Works on SQLite and PostgreSQL. Cost: about 2 s per 10,000 rates (the rate computation itself).
"""

from __future__ import annotations

import math

import numpy as np
from django.db.models import Count, F, Sum

from emissions.estimation import estimate_training_run
from emissions.factor_index import FactorIndex
from emissions.models import FootprintRate, ModelFootprint, TrainingFootprint, UsageRollup
from emissions.models.footprints import METRIC_COLUMNS, RATE_COLUMNS, STORED_METRICS, USAGE_FIELDS
from emissions.recompute.compute import Cell
from emissions.recompute.publish import model_footprint_result
from emissions.services.recompute import rate_calculator
from reports.models import UsageRecord

SHOWN = 5  # mismatches quoted per failure


def _metric_values(metrics) -> list[float]:
    """An engine ``Metrics`` as ``METRIC_COLUMNS`` (metric-major, sides low, central, high)."""
    return [value for metric in STORED_METRICS for value in getattr(metrics, metric).as_tuple()]


def _as_array(rows, width: int) -> np.ndarray:
    """Stored floats as an array; an empty (never computed) column becomes NaN, which equals nothing."""
    return np.array([[np.nan if v is None else v for v in row] for row in rows], dtype=float).reshape(-1, width)


def _mismatches(stored: np.ndarray, expected: np.ndarray, rel: float) -> np.ndarray:
    """(row, column) pairs where stored and expected differ by more than ``rel`` (relative)."""
    return np.argwhere(~np.isclose(stored, expected, rtol=rel, atol=0.0))


def _describe(label: str, names, columns, stored, expected, bad: np.ndarray) -> str:
    lines = [f"{len(bad)} {label} value(s) differ from a computation from scratch, e.g.:"]
    for row, column in bad[:SHOWN]:
        lines.append(
            f"  {names[row]} {columns[column]}: stored {float(stored[row, column])!r}, "
            f"from scratch {float(expected[row, column])!r}"
        )
    return "\n".join(lines)


def _assert_nothing_stale() -> None:
    for model in (FootprintRate, TrainingFootprint):
        stale = list(model.objects.filter(stale_since__isnull=False).values_list("pk", "stale_job_id")[:SHOWN])
        assert not stale, f"{model.__name__} rows still stale (id, job): {stale}"
        fields = ("pk", "version", "computed_version")
        behind = list(model.objects.exclude(computed_version=F("version")).values_list(*fields)[:SHOWN])
        assert not behind, f"{model.__name__} rows not computed from their current version {fields}: {behind}"


def _check_rates(index: FactorIndex, rel: float) -> dict[int, np.ndarray]:
    """Stored rates equal fresh ones; returns rate id -> from-scratch values (for rollups)."""
    rows = list(
        FootprintRate.objects.order_by("pk").values_list("pk", "ai_model_id", "region_id", "month", *RATE_COLUMNS)
    )
    if not rows:
        return {}
    cells = [Cell(pk, model_id, region_id, month) for pk, model_id, region_id, month, *_ in rows]
    expected = rate_calculator(index).rates(cells).values
    stored = _as_array([row[4:] for row in rows], len(RATE_COLUMNS))
    bad = _mismatches(stored, expected, rel)
    names = [f"rate #{c.rate_id} (model {c.ai_model_id}, region {c.region_id}, {c.month:%Y-%m})" for c in cells]
    assert not len(bad), _describe("rate", names, RATE_COLUMNS, stored, expected, bad)
    return {cell.rate_id: expected[i] for i, cell in enumerate(cells)}


def _check_rollups(fresh_rates: dict[int, np.ndarray], rel: float) -> None:
    """Each rollup sums its usage records, and its footprint is that usage times the fresh rate."""
    direct: dict[tuple, tuple] = {}
    grouped = UsageRecord.objects.values("organisation_id", "rate_id", "tier", "currency").annotate(
        records=Count("id"), **{f: Sum(f) for f in USAGE_FIELDS}
    )
    for row in grouped:  # spend-based rows are kept apart per currency; other tiers' currency is informative
        key = (row["organisation_id"], row["rate_id"], row["tier"], row["currency"] if row["tier"] == "spend" else "")
        sums = (row["records"], *(row[f] for f in USAGE_FIELDS))
        direct[key] = tuple(a + b for a, b in zip(direct.get(key, (0,) * len(sums)), sums, strict=True))
    rollups = list(
        UsageRollup.objects.order_by("pk").values(
            "pk", "organisation_id", "rate_id", "tier", "currency", "month", "ai_model_id", "region_id",
            "rate__month", "rate__ai_model_id", "rate__region_id", "records", *USAGE_FIELDS, *METRIC_COLUMNS,
        )
    )  # fmt: skip
    keys = [(r["organisation_id"], r["rate_id"], r["tier"], r["currency"]) for r in rollups]
    assert len(set(keys)) == len(keys), "two rollups for one organisation, rate, tier and currency"
    missing = sorted(direct.keys() - set(keys))[:SHOWN]
    assert not missing, f"usage records without a rollup (organisation, rate, tier, currency): {missing}"
    if not rollups:
        return
    for r in rollups:
        place = (r["month"], r["ai_model_id"], r["region_id"])
        rate_place = (r["rate__month"], r["rate__ai_model_id"], r["rate__region_id"])
        assert place == rate_place, f"rollup #{r['pk']} is for {place} but its rate for {rate_place}"
        stored = (r["records"], *(r[f] for f in USAGE_FIELDS))
        summed = direct.get((r["organisation_id"], r["rate_id"], r["tier"], r["currency"]), (0, 0, 0, 0))
        assert stored == summed, (
            f"rollup #{r['pk']}: stored (records, {', '.join(USAGE_FIELDS)}) = {stored}, usage records sum to {summed}"
        )
    n = len(rollups)
    usage = np.array([[r[f] for f in USAGE_FIELDS] for r in rollups], dtype=float)  # (n, unit): the rate's units
    rates = np.stack([fresh_rates[r["rate_id"]] for r in rollups]).reshape(n, len(STORED_METRICS), 3, 3)
    expected = np.einsum("nmsu,nu->nms", rates, usage).reshape(n, len(METRIC_COLUMNS))
    stored = _as_array([[r[c] for c in METRIC_COLUMNS] for r in rollups], len(METRIC_COLUMNS))
    bad = _mismatches(stored, expected, rel)
    names = [f"rollup #{r['pk']} (organisation {r['organisation_id']}, rate {r['rate_id']})" for r in rollups]
    assert not len(bad), _describe("rollup", names, METRIC_COLUMNS, stored, expected, bad)


def _check_model_footprints(index: FactorIndex, rel: float) -> None:
    footprints = list(ModelFootprint.objects.select_related("ai_model__serving_accelerator", "region__zone", "rate"))
    if not footprints:
        return
    for footprint in footprints:
        assert footprint.month == footprint.rate.month, (
            f"model footprint #{footprint.pk} is for {footprint.month} but its rate for {footprint.rate.month}"
        )
    expected = np.array(
        [_metric_values(model_footprint_result(f, f.rate.month, index).metrics) for f in footprints], dtype=float
    )
    stored = _as_array([[getattr(f, c) for c in METRIC_COLUMNS] for f in footprints], len(METRIC_COLUMNS))
    bad = _mismatches(stored, expected, rel)
    names = [f"model footprint #{f.pk} ({f.ai_model_id} in {f.region_id})" for f in footprints]
    assert not len(bad), _describe("model footprint", names, METRIC_COLUMNS, stored, expected, bad)


def _check_training(index: FactorIndex, rel: float) -> None:
    footprints = TrainingFootprint.objects.select_related(
        "training_run__model", "training_run__accelerator", "training_run__zone", "training_run__region__zone"
    )
    for footprint in footprints:
        result = estimate_training_run(footprint.training_run, index)
        stored = [getattr(footprint, c) for c in METRIC_COLUMNS]
        if result is None:
            assert not footprint.estimable and stored == [None] * len(stored), (
                f"training footprint #{footprint.pk}: not estimable from scratch, stored {stored}"
            )
            continue
        expected = _metric_values(result.metrics)
        assert footprint.estimable, f"training footprint #{footprint.pk} stored as not estimable"
        for column, value, want in zip(METRIC_COLUMNS, stored, expected, strict=True):
            assert value is not None and math.isclose(value, want, rel_tol=rel), (
                f"training footprint #{footprint.pk} {column}: stored {value!r}, from scratch {want!r}"
            )


def assert_footprints_match_from_scratch(rel: float = 1e-9) -> None:
    """Every stored footprint equals a computation from the approved factors and raw usage, and none is stale."""
    _assert_nothing_stale()
    index = FactorIndex.load()
    fresh_rates = _check_rates(index, rel)
    _check_rollups(fresh_rates, rel)
    _check_model_footprints(index, rel)
    _check_training(index, rel)
