"""Functional units: per request, per 1,000 output tokens, per 1M tokens, per image, per month; SCI.

SCI (Green Software Foundation, ISO/IEC 21031:2024) = ((E x I) + M) / R with E energy (kWh), I the
LOCATION-based intensity (gCO2e/kWh; market instruments do not lower SCI), M the embodied share (g)
and R the number of functional units.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .estimate import Estimate
from .profiles import EMBEDDINGS, IMAGE_GENERATION, SPEECH_TO_TEXT, TEXT_GENERATION, TEXT_TO_SPEECH
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


@dataclass(frozen=True)
class TypicalRequest:
    """What "per request" means for a task: a convention, stated on every page that uses it."""

    input_tokens: int
    output_units: int  # output tokens, or functional units for non-text tasks
    label: str


# Conventions, not measurements. Text: 1,000 input + 400 output tokens, as the validation against published
# per-prompt figures (Google, OpenAI; token counts undisclosed) in docs/methodology.md assumes.
# Non-text tasks: one billing unit of the major APIs (one image; 1,000 embedded tokens; one minute of audio).
TYPICAL_REQUESTS = {
    TEXT_GENERATION: TypicalRequest(1_000, 400, "1,000 input + 400 output tokens"),
    EMBEDDINGS: TypicalRequest(0, 1, "1,000 tokens embedded"),
    IMAGE_GENERATION: TypicalRequest(0, 1, "one image"),
    SPEECH_TO_TEXT: TypicalRequest(0, 60, "one minute of audio transcribed"),
    TEXT_TO_SPEECH: TypicalRequest(0, 60, "one minute of speech generated"),
}
