"""Result types and their JSON shape.

``to_dict()`` returns exactly: energy_kwh, operational_co2e_kg, operational_co2e_market_kg,
embodied_co2e_kg, total_co2e_kg, water_l (central values), ranges {metric: [low, high]},
breakdown {accelerator_kwh, host_kwh, facility_overhead_kwh}, per_request (inference only, same
metrics and ranges), factors, methodology_version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .constants import METHODOLOGY_VERSION
from .estimate import ZERO, Estimate

METRICS = (
    "energy_kwh",
    "operational_co2e_kg",
    "operational_co2e_market_kg",
    "embodied_co2e_kg",
    "total_co2e_kg",
    "water_l",
)
BREAKDOWN = ("accelerator_kwh", "host_kwh", "facility_overhead_kwh")


def _factor_to_json(ref: Any) -> Any:
    """Factor references are opaque; dicts pass through, objects expose their public fields."""
    if isinstance(ref, dict):
        return dict(ref)
    if hasattr(ref, "to_dict"):
        return ref.to_dict()
    keys = ("id", "kind", "value", "unit", "source", "version")
    found = {k: getattr(ref, k) for k in keys if hasattr(ref, k)}
    return found if found else repr(ref)


@dataclass(frozen=True)
class Metrics:
    """The six headline metrics, each an Estimate."""

    energy_kwh: Estimate = ZERO
    operational_co2e_kg: Estimate = ZERO
    operational_co2e_market_kg: Estimate = ZERO
    embodied_co2e_kg: Estimate = ZERO
    total_co2e_kg: Estimate = ZERO
    water_l: Estimate = ZERO

    def central_dict(self) -> dict[str, float]:
        return {m: getattr(self, m).central for m in METRICS}

    def ranges_dict(self) -> dict[str, list[float]]:
        return {m: getattr(self, m).bounds() for m in METRICS}

    def scaled(self, divisor: float) -> Metrics:
        return Metrics(**{m: getattr(self, m) / divisor for m in METRICS})

    def __add__(self, other: Metrics) -> Metrics:
        return Metrics(**{m: getattr(self, m) + getattr(other, m) for m in METRICS})


@dataclass(frozen=True)
class FootprintResult:
    """Energy, CO2e and water of an activity (inference usage, a training run...)."""

    metrics: Metrics
    accelerator_kwh: Estimate
    host_kwh: Estimate
    facility_overhead_kwh: Estimate
    idle_kwh: Estimate = ZERO  # informative: already inside accelerator_kwh + host_kwh
    per_request: Metrics | None = None
    factors: tuple[Any, ...] = ()
    methodology_version: str = METHODOLOGY_VERSION
    details: dict[str, Any] = field(default_factory=dict)

    # convenience accessors -------------------------------------------------------------------
    @property
    def energy_kwh(self) -> Estimate:
        return self.metrics.energy_kwh

    @property
    def operational_co2e_kg(self) -> Estimate:
        return self.metrics.operational_co2e_kg

    @property
    def operational_co2e_market_kg(self) -> Estimate:
        return self.metrics.operational_co2e_market_kg

    @property
    def embodied_co2e_kg(self) -> Estimate:
        return self.metrics.embodied_co2e_kg

    @property
    def total_co2e_kg(self) -> Estimate:
        return self.metrics.total_co2e_kg

    @property
    def water_l(self) -> Estimate:
        return self.metrics.water_l

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.metrics.central_dict())
        out["ranges"] = self.metrics.ranges_dict()
        out["breakdown"] = {
            "accelerator_kwh": self.accelerator_kwh.central,
            "host_kwh": self.host_kwh.central,
            "facility_overhead_kwh": self.facility_overhead_kwh.central,
        }
        if self.per_request is not None:
            per = dict(self.per_request.central_dict())
            per["ranges"] = self.per_request.ranges_dict()
            out["per_request"] = per
        out["factors"] = [_factor_to_json(f) for f in self.factors]
        out["methodology_version"] = self.methodology_version
        return out
