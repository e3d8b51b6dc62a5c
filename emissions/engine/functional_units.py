"""Functional units: per request, per 1,000 output tokens, per 1M tokens, per image, per month; SCI.

SCI (Green Software Foundation, ISO/IEC 21031:2024) = ((E x I) + M) / R with E energy (kWh), I the
LOCATION-based intensity (gCO2e/kWh; market instruments do not lower SCI), M the embodied share (g)
and R the number of functional units.
"""

from __future__ import annotations

from collections.abc import Iterable

from .estimate import Estimate
from .results import FootprintResult, Metrics


def sci(energy_kwh: float, intensity_g_per_kwh: float, embodied_g: float, functional_units: float) -> float:
    """Software Carbon Intensity in gCO2e per functional unit: ((E x I) + M) / R."""
    if functional_units <= 0:
        raise ValueError("functional_units (R) must be > 0")
    if energy_kwh < 0 or intensity_g_per_kwh < 0 or embodied_g < 0:
        raise ValueError("E, I and M must be >= 0")
    return (energy_kwh * intensity_g_per_kwh + embodied_g) / functional_units


def sci_of_result(result: FootprintResult, functional_units: float) -> Estimate:
    """SCI (g per unit) of a result, using its location-based operational and embodied CO2e."""
    if functional_units <= 0:
        raise ValueError("functional_units must be > 0")
    return (result.operational_co2e_kg + result.embodied_co2e_kg).scale(1000.0 / functional_units)


def per_unit(result: FootprintResult, units: float) -> Metrics:
    """The result's metrics divided by ``units`` functional units."""
    if units <= 0:
        raise ValueError("units must be > 0")
    return result.metrics.scaled(units)


def per_1k_output_tokens(result: FootprintResult, output_tokens: float) -> Metrics:
    return per_unit(result, output_tokens / 1_000.0)


def per_million_tokens(result: FootprintResult, total_tokens: float) -> Metrics:
    """Per 1M tokens, input and output counted together."""
    return per_unit(result, total_tokens / 1_000_000.0)


def per_image(result: FootprintResult, images: float) -> Metrics:
    return per_unit(result, images)


def per_month(results_by_month: Iterable[tuple[str, FootprintResult]]) -> dict[str, Metrics]:
    """Sum results per month key (e.g. '2026-10'); months keep their own factors."""
    out: dict[str, Metrics] = {}
    for month, result in results_by_month:
        out[month] = out[month] + result.metrics if month in out else result.metrics
    return out
