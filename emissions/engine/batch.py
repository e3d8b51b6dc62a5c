"""The per-record formulas over NumPy arrays, for millions of usage records.

Records are columns: model index, input tokens, output tokens, requests, zone index, month index.
Per-record factors are gathered by index from small tables: per model (built from
``InferenceCoefficients``) and per (zone, month) (grid intensities and electricity water). The
arithmetic is the same, in the same order, as ``inference.evaluate``, so both paths agree to
floating-point rounding (tests assert 1e-9 relative). Work proceeds in chunks to bound memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .estimate import SIDES, Estimate
from .inference import InferenceCoefficients, ZoneFactors, evaluate
from .results import METRICS, FootprintResult
from .units import G_PER_KG, WH_PER_KWH

DEFAULT_CHUNK = 1 << 18


@dataclass(frozen=True)
class FactorTables:
    """Factor tables indexed [side, ...]; side 0 low, 1 central, 2 high."""

    facility_wh: np.ndarray  # (3, 3, M): [side, input/output/request, model] facility Wh per unit
    embodied_g: np.ndarray  # (3, 3, M)
    onsite_water_l_per_kwh: np.ndarray  # (3, M)
    grid_intensity_g_per_kwh: np.ndarray  # (3, Z * T), flattened zone-major
    market_intensity_g_per_kwh: np.ndarray  # (3, Z * T)
    electricity_water_l_per_kwh: np.ndarray  # (3, Z * T)
    n_months: int

    @property
    def n_models(self) -> int:
        return self.facility_wh.shape[2]

    @property
    def n_zones(self) -> int:
        return self.grid_intensity_g_per_kwh.shape[1] // self.n_months

    @classmethod
    def build(
        cls, coefficients: Sequence[InferenceCoefficients], zones: Sequence[Sequence[ZoneFactors]]
    ) -> FactorTables:
        """``coefficients[m]`` per model index; ``zones[z][t]`` per zone index and month index."""
        if not coefficients or not zones or not zones[0]:
            raise ValueError("need at least one model and one zone-month")
        n_months = len(zones[0])
        if any(len(row) != n_months for row in zones):
            raise ValueError("every zone needs the same number of months")
        fac = np.array([[[c.facility_wh(s)[k] for c in coefficients] for k in range(3)] for s in SIDES])
        emb = np.array([[[c.embodied_g[s][k] for c in coefficients] for k in range(3)] for s in SIDES])
        onsite = np.array([[c.onsite_water_l_per_kwh[s] for c in coefficients] for s in SIDES])
        flat = [zf.triples() for row in zones for zf in row]
        loc = np.array([[t[0][s] for t in flat] for s in SIDES])
        mkt = np.array([[t[1][s] for t in flat] for s in SIDES])
        wat = np.array([[t[2][s] for t in flat] for s in SIDES])
        return cls(fac, emb, onsite, loc, mkt, wat, n_months)

    @classmethod
    def from_arrays(
        cls,
        facility_wh: np.ndarray,
        embodied_g: np.ndarray,
        onsite_water_l_per_kwh: np.ndarray,
        grid: np.ndarray,
        market: np.ndarray,
        water: np.ndarray,
    ) -> FactorTables:
        """Direct construction; zone-month arrays shaped (3, Z, T)."""
        z, t = grid.shape[1], grid.shape[2]
        return cls(
            np.ascontiguousarray(facility_wh, float),
            np.ascontiguousarray(embodied_g, float),
            np.ascontiguousarray(onsite_water_l_per_kwh, float),
            grid.reshape(3, z * t).astype(float),
            market.reshape(3, z * t).astype(float),
            water.reshape(3, z * t).astype(float),
            t,
        )


@dataclass(frozen=True)
class BatchResult:
    """Per-record metrics, each shaped (3, N): rows low, central, high."""

    energy_kwh: np.ndarray
    operational_co2e_kg: np.ndarray
    operational_co2e_market_kg: np.ndarray
    embodied_co2e_kg: np.ndarray
    total_co2e_kg: np.ndarray
    water_l: np.ndarray

    def totals(self) -> dict[str, Estimate]:
        """Sum over records, per side (sums keep low <= central <= high)."""
        out = {}
        for name in METRICS:
            arr = getattr(self, name)
            out[name] = Estimate(*(float(v) for v in arr.sum(axis=1)))
        return out


def _linear(
    coefficients: np.ndarray,
    model: np.ndarray,
    columns: tuple[np.ndarray, ...],
    *,
    out: np.ndarray,
    scratch: np.ndarray,
) -> None:
    """out = Σ coefficient[i][model] × column[i], in the same order as ``inference.evaluate`` (bit-identical)."""
    np.multiply(coefficients[0].take(model), columns[0], out=out)
    for coefficient, column in zip(coefficients[1:], columns[1:], strict=True):
        np.multiply(coefficient.take(model), column, out=scratch)
        out += scratch


def estimate_batch(
    tables: FactorTables,
    model_idx: np.ndarray,
    input_tokens: np.ndarray,
    output_tokens: np.ndarray,
    requests: np.ndarray,
    zone_idx: np.ndarray,
    month_idx: np.ndarray,
    *,
    chunk: int = DEFAULT_CHUNK,
) -> BatchResult:
    """Footprint of every record (same formulas as ``inference.evaluate``)."""
    n = len(model_idx)
    for name, arr in (
        ("input_tokens", input_tokens),
        ("output_tokens", output_tokens),
        ("requests", requests),
        ("zone_idx", zone_idx),
        ("month_idx", month_idx),
    ):
        if len(arr) != n:
            raise ValueError(f"{name} has {len(arr)} records, model_idx has {n}")
    if n and (model_idx.min() < 0 or model_idx.max() >= tables.n_models):
        raise IndexError("model index out of range")
    if n and (month_idx.min() < 0 or month_idx.max() >= tables.n_months):
        raise IndexError("month index out of range")
    if n and (zone_idx.min() < 0 or zone_idx.max() >= tables.n_zones):
        raise IndexError("zone index out of range")
    out = {name: np.empty((3, n), dtype=np.float64) for name in METRICS}
    size = min(chunk, max(n, 1))
    t1, t2 = np.empty(size), np.empty(size)
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        m = model_idx[start:stop]
        zt = zone_idx[start:stop].astype(np.int64) * tables.n_months + month_idx[start:stop]
        x_in = np.asarray(input_tokens[start:stop], dtype=np.float64)
        x_out = np.asarray(output_tokens[start:stop], dtype=np.float64)
        x_req = np.asarray(requests[start:stop], dtype=np.float64)
        k = stop - start
        a, b = t1[:k], t2[:k]
        for s in SIDES:
            e = out["energy_kwh"][s, start:stop]
            _linear(tables.facility_wh[s], m, (x_in, x_out, x_req), out=e, scratch=a)
            e /= WH_PER_KWH
            loc = out["operational_co2e_kg"][s, start:stop]
            np.multiply(e, tables.grid_intensity_g_per_kwh[s].take(zt), out=loc)
            loc /= G_PER_KG
            mkt = out["operational_co2e_market_kg"][s, start:stop]
            np.multiply(e, tables.market_intensity_g_per_kwh[s].take(zt), out=mkt)
            mkt /= G_PER_KG
            emb = out["embodied_co2e_kg"][s, start:stop]
            _linear(tables.embodied_g[s], m, (x_in, x_out, x_req), out=emb, scratch=b)
            emb /= G_PER_KG
            np.add(loc, emb, out=out["total_co2e_kg"][s, start:stop])
            np.add(tables.onsite_water_l_per_kwh[s].take(m), tables.electricity_water_l_per_kwh[s].take(zt), out=a)
            np.multiply(e, a, out=out["water_l"][s, start:stop])
    return BatchResult(**out)


def estimate_records(
    coefficients: Sequence[InferenceCoefficients],
    zones: Sequence[Sequence[ZoneFactors]],
    model_idx: Sequence[int],
    input_tokens: Sequence[float],
    output_tokens: Sequence[float],
    requests: Sequence[float],
    zone_idx: Sequence[int],
    month_idx: Sequence[int],
) -> list[FootprintResult]:
    """The per-record path: ``inference.evaluate`` once per record (reference for the batch path)."""
    return [
        evaluate(coefficients[int(m)], float(i), float(o), float(r), zones[int(z)][int(t)])
        for m, i, o, r, z, t in zip(model_idx, input_tokens, output_tokens, requests, zone_idx, month_idx, strict=True)
    ]
