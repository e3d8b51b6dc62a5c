"""Benchmark of the batch path: 1,000,000 synthetic usage records on one core.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/estimate_batch.py [--records N]

Models and zones come from data/model_factors.csv (+ data/models.csv for the task) and
data/zone_factors.csv when they exist; otherwise a documented synthetic set is used (SYNTHETIC_*).
The last line printed is JSON: records, seconds, records_per_second, peak_rss_mb,
per_record_records_per_second.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import csv  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from emissions.engine import (  # noqa: E402
    Estimate,
    FactorTables,
    ModelProfile,
    ZoneFactors,
    estimate_batch,
    estimate_records,
    task_coefficients,
    text_generation_coefficients,
)

DATA = ROOT / "data"
MONTHS = [dt.date(2025, m, 1) for m in range(1, 13)]

# Fallback when the catalogue CSVs are absent: parameter ranges of EcoLogits 0.11.3 models.json for a
# few families (B params) and a handful of grid intensities (gCO2e/kWh, Ember via co2js 0.19.0).
SYNTHETIC_MODELS = [
    ("small-dense", "text-generation", (8, 8, 8), (8, 8, 8)),
    ("mid-dense", "text-generation", (70, 70, 70), (70, 70, 70)),
    ("mini-closed", "text-generation", (8, 18, 28), (8, 18, 28)),
    ("frontier-moe", "text-generation", (440, 440, 440), (44, 88, 132)),
    ("large-moe", "text-generation", (2000, 2000, 2000), (200, 400, 600)),
    ("embedder", "embeddings", None, None),
    ("image", "image-generation", None, None),
    ("stt", "speech-to-text", None, None),
]
SYNTHETIC_ZONES = {
    "FRA": 41.4,
    "SWE": 35.3,
    "DEU": 344.0,
    "USA": 384.4,
    "IND": 713.0,
    "CHN": 560.0,
    "IRL": 282.0,
    "JPN": 485.0,
}


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _estimate(row: dict[str, str]) -> Estimate:
    v = float(row["value"])
    lo = float(row["value_low"]) if row.get("value_low") else v
    hi = float(row["value_high"]) if row.get("value_high") else v
    return Estimate(min(lo, v), v, max(hi, v))


def load_models() -> tuple[list[ModelProfile], str]:
    path = DATA / "model_factors.csv"
    if not path.exists():
        return [
            ModelProfile(n, task=t, total_params_b=tot, active_params_b=act) for n, t, tot, act in SYNTHETIC_MODELS
        ], "synthetic"
    tasks = (
        {r["slug"]: r.get("task", "text-generation") for r in _read(DATA / "models.csv")}
        if (DATA / "models.csv").exists()
        else {}
    )
    by_model: dict[str, dict[str, Estimate]] = {}
    for row in _read(path):
        if row.get("valid_to"):
            continue  # keep the open (latest) period
        by_model.setdefault(row["model"], {})[row["kind"]] = _estimate(row)
    models = []
    for slug, kinds in sorted(by_model.items()):
        task = tasks.get(slug, "text-generation")
        try:
            models.append(
                ModelProfile(
                    slug,
                    task=task,
                    total_params_b=kinds.get("total_params"),
                    active_params_b=kinds.get("active_params"),
                    energy_per_unit_wh=kinds.get("energy_per_unit"),
                )
            )
        except (ValueError, KeyError):
            continue  # e.g. a text model without parameters yet
    return models, str(path.relative_to(ROOT))


def load_zones() -> tuple[list[list[ZoneFactors]], str]:
    path = DATA / "zone_factors.csv"
    if not path.exists():
        return [[ZoneFactors(Estimate.exact(v)) for _ in MONTHS] for v in SYNTHETIC_ZONES.values()], "synthetic"
    rows: dict[str, dict[str, list[dict[str, str]]]] = {}
    for row in _read(path):
        rows.setdefault(row["zone"], {}).setdefault(row["kind"], []).append(row)

    def at(series: list[dict[str, str]] | None, day: dt.date) -> Estimate | None:
        if not series:
            return None
        ordered = sorted(series, key=lambda r: r["valid_from"])
        chosen = ordered[0]
        for r in ordered:
            if dt.date.fromisoformat(r["valid_from"]) <= day:
                chosen = r
        return _estimate(chosen)

    zones = []
    for _code, kinds in sorted(rows.items()):
        if "grid_intensity_location" not in kinds:
            continue
        months = []
        for day in MONTHS:
            loc = at(kinds.get("grid_intensity_location"), day)
            mkt = at(kinds.get("grid_intensity_market"), day)
            wat = at(kinds.get("electricity_water_intensity"), day)
            months.append(ZoneFactors(loc, mkt) if wat is None else ZoneFactors(loc, mkt, wat))  # type: ignore[arg-type]
        zones.append(months)
    return zones, str(path.relative_to(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=20_000)
    args = parser.parse_args()

    models, model_source = load_models()
    zones, zone_source = load_zones()
    coefficients = [
        text_generation_coefficients(m) if m.task == "text-generation" else task_coefficients(m) for m in models
    ]
    tables = FactorTables.build(coefficients, zones)

    n = args.records
    rng = np.random.default_rng(2026)
    model_idx = rng.integers(0, len(models), n, dtype=np.int32)
    zone_idx = rng.integers(0, len(zones), n, dtype=np.int32)
    month_idx = rng.integers(0, len(MONTHS), n, dtype=np.int32)
    input_tokens = rng.integers(0, 20_000, n, dtype=np.int64)
    output_tokens = rng.integers(0, 4_000, n, dtype=np.int64)
    requests = rng.integers(1, 50, n, dtype=np.int64)

    estimate_batch(
        tables,
        model_idx[:1000],
        input_tokens[:1000],
        output_tokens[:1000],
        requests[:1000],
        zone_idx[:1000],
        month_idx[:1000],
    )  # warm-up
    start = time.perf_counter()
    result = estimate_batch(tables, model_idx, input_tokens, output_tokens, requests, zone_idx, month_idx)
    seconds = time.perf_counter() - start
    totals = result.totals()

    k = min(args.sample, n)
    start = time.perf_counter()
    estimate_records(
        coefficients,
        zones,
        model_idx[:k],
        input_tokens[:k],
        output_tokens[:k],
        requests[:k],
        zone_idx[:k],
        month_idx[:k],
    )
    per_record_seconds = time.perf_counter() - start

    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB
    print(f"models: {len(models)} ({model_source}); zones: {len(zones)} x {len(MONTHS)} months ({zone_source})")
    print(
        f"total energy (central): {totals['energy_kwh'].central:,.1f} kWh; "
        f"range {totals['energy_kwh'].low:,.1f}-{totals['energy_kwh'].high:,.1f}"
    )
    print(
        json.dumps(
            {
                "records": n,
                "seconds": round(seconds, 4),
                "records_per_second": round(n / seconds),
                "peak_rss_mb": round(peak_rss_mb, 1),
                "per_record_records_per_second": round(k / per_record_seconds),
            }
        )
    )


if __name__ == "__main__":
    main()
