"""Rates from factors: the footprint of one input token, output token and request per (model, place, month).

The expensive part of an estimate, the engine's coefficients, depends only on the model's and accelerator's
factors and on the place's PUE and WUE, which many (model, region, month) cells share; the grid intensities
that differ per zone and month enter linearly. So coefficients are computed once per distinct input set and
the per-cell arithmetic runs over NumPy arrays. Reads only (factors come from a ``FactorIndex``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from emissions import engine
from emissions.engine.estimate import SIDES
from emissions.engine.profiles import TEXT_GENERATION
from emissions.engine.units import G_PER_KG, WH_PER_KWH
from emissions.estimation import Place, accelerator_profile, deployment, model_profile
from emissions.factor_index import FactorSource
from emissions.models.footprints import RATE_COLUMNS
from vendors.models import AIModel, Region

OUTPUT_SLOT, REQUEST_SLOT = 1, 2


@dataclass(frozen=True)
class Cell:
    """One rate to compute: its row id and what it is the rate of."""

    rate_id: int
    ai_model_id: int
    region_id: int | None
    month: dt.date


@dataclass
class RateResults:
    rate_ids: np.ndarray  # (n,)
    values: np.ndarray  # (n, 45), columns in RATE_COLUMNS order
    factor_versions: list[dict[str, int | None]]

    def rows(self):
        """(rate_id, {column: value}, versions) per cell."""
        for i, rate_id in enumerate(self.rate_ids):
            yield int(rate_id), dict(zip(RATE_COLUMNS, self.values[i].tolist(), strict=True)), self.factor_versions[i]


def _refs_key(refs: Sequence[dict]) -> tuple:
    """Two input sets with equal keys give equal engine inputs (ids for catalogue factors, values for defaults)."""
    return tuple((r["kind"], r["id"], r["value"], r.get("low"), r.get("high")) for r in refs)


def _versions(refs: Sequence[dict]) -> dict[str, int | None]:
    return {str(r["id"]): r["version"] for r in refs if r.get("id") is not None}


class RateCalculator:
    """Computes rates for many cells, sharing the work between cells with the same inputs."""

    def __init__(self, source: FactorSource, models: dict[int, AIModel], regions: dict[int, Region]):
        self.source = source
        self.models = models
        self.regions = regions
        self._model_inputs: dict[tuple[int, dt.date], tuple] = {}
        self._place_inputs: dict[tuple[int | None, dt.date], tuple] = {}
        self._coefficients: dict[tuple, int] = {}
        self._coefficient_rows: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def _model(self, model_id: int, month: dt.date):
        key = (model_id, month)
        if key not in self._model_inputs:
            model = self.models[model_id]
            profile = model_profile(model, month, self.source)
            hardware = accelerator_profile(model.serving_accelerator, month, self.source)
            refs = (*profile.factors, *hardware.factors)
            self._model_inputs[key] = (model, profile, hardware, (model_id, _refs_key(refs)), _versions(refs))
        return self._model_inputs[key]

    def _place(self, region_id: int | None, month: dt.date):
        key = (region_id, month)
        if key not in self._place_inputs:
            place = Place(region=self.regions[region_id]) if region_id is not None else Place()
            setting = deployment(place, month, source=self.source)
            # Only PUE and WUE shape the coefficients; grid intensities and water enter per cell below.
            shape_key = (setting.pue.as_tuple(), setting.wue_l_per_kwh.as_tuple())
            intensities = np.array(
                [
                    setting.grid_intensity_g_per_kwh.as_tuple(),
                    setting.market_intensity_g_per_kwh.as_tuple(),
                    setting.electricity_water_l_per_kwh.as_tuple(),
                ]
            )
            self._place_inputs[key] = (setting, shape_key, intensities, _versions(setting.factors))
        return self._place_inputs[key]

    def _coefficient_index(self, model_inputs, place_inputs) -> int:
        model, profile, hardware, model_key, _ = model_inputs
        setting, shape_key, _, _ = place_inputs
        key = (model_key, shape_key)
        if key not in self._coefficients:
            if model.task == TEXT_GENERATION:
                c = engine.text_generation_coefficients(profile, hardware, setting)
            else:
                c = engine.task_coefficients(profile, hardware, setting)
            facility = np.array([c.facility_wh(s) for s in SIDES])  # (side, slot)
            embodied = np.array(c.embodied_g)  # (side, slot)
            if model.task != TEXT_GENERATION:
                # Non-text usage counts functional units in the output column: move the unit's coefficient
                # from the request slot to the output slot so every rate reads the same way.
                for table in (facility, embodied):
                    table[:, OUTPUT_SLOT], table[:, REQUEST_SLOT] = table[:, REQUEST_SLOT].copy(), 0.0
            self._coefficients[key] = len(self._coefficient_rows)
            self._coefficient_rows.append((facility, embodied, np.array(c.onsite_water_l_per_kwh)))
        return self._coefficients[key]

    def rates(self, cells: Sequence[Cell]) -> RateResults:
        n = len(cells)
        coefficient_idx = np.empty(n, dtype=np.int64)
        intensities = np.empty((n, 3, 3))  # (cell, grid/market/water, side)
        versions: list[dict[str, int | None]] = []
        for i, cell in enumerate(cells):
            model_inputs = self._model(cell.ai_model_id, cell.month)
            place_inputs = self._place(cell.region_id, cell.month)
            coefficient_idx[i] = self._coefficient_index(model_inputs, place_inputs)
            intensities[i] = place_inputs[2]
            versions.append({**model_inputs[4], **place_inputs[3]})
        return RateResults(
            np.array([c.rate_id for c in cells], dtype=np.int64), self._combine(coefficient_idx, intensities), versions
        )

    def _combine(self, coefficient_idx: np.ndarray, intensities: np.ndarray) -> np.ndarray:
        """Per cell: energy, CO2e (location, market), embodied and water per unit, as ``RATE_COLUMNS``."""
        n = len(coefficient_idx)
        if n == 0:
            return np.empty((0, len(RATE_COLUMNS)))
        facility = np.stack([row[0] for row in self._coefficient_rows])[coefficient_idx]  # (n, side, slot) Wh
        embodied = np.stack([row[1] for row in self._coefficient_rows])[coefficient_idx]  # (n, side, slot) g
        onsite = np.stack([row[2] for row in self._coefficient_rows])[coefficient_idx]  # (n, side) L/kWh
        grid, market, water = intensities[:, 0, :, None], intensities[:, 1, :, None], intensities[:, 2, :, None]
        energy_kwh = facility / WH_PER_KWH
        out = np.empty((n, 5, 3, 3))
        out[:, 0] = energy_kwh
        out[:, 1] = energy_kwh * grid / G_PER_KG
        out[:, 2] = energy_kwh * market / G_PER_KG
        out[:, 3] = embodied / G_PER_KG
        out[:, 4] = energy_kwh * (onsite[:, :, None] + water)
        return out.reshape(n, len(RATE_COLUMNS))
