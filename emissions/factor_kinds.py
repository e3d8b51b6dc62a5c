"""What can be curated: every factor kind, the subject it applies to, its unit and its valid range.

One table, read by the model's constraints, the validation services, the catalogue loader and the
CSV import, so that a kind's rules are written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Subject(StrEnum):
    ZONE = "zone"
    REGION = "region"
    ACCELERATOR = "accelerator"
    AI_MODEL = "ai_model"


@dataclass(frozen=True)
class KindSpec:
    kind: str
    label: str
    subject: Subject
    units: tuple[str, ...]
    minimum: float = 0.0
    maximum: float | None = None
    help: str = ""


KIND_SPECS: dict[str, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec(
            "grid_intensity_location",
            "Grid intensity (location-based)",
            Subject.ZONE,
            ("gCO2e/kWh",),
            help="Average emissions of the grid's electricity (GHG Protocol Scope 2, location-based).",
        ),
        KindSpec(
            "grid_intensity_market",
            "Grid intensity (market-based, residual mix)",
            Subject.ZONE,
            ("gCO2e/kWh",),
            help="Residual mix for electricity not covered by contractual instruments (market-based).",
        ),
        KindSpec(
            "electricity_water_intensity",
            "Water intensity of electricity",
            Subject.ZONE,
            ("L/kWh",),
            help="Off-site water consumed to generate one kWh in the zone.",
        ),
        KindSpec("pue", "Power usage effectiveness", Subject.REGION, ("ratio",), minimum=1.0, maximum=5.0),
        KindSpec("wue", "Water usage effectiveness", Subject.REGION, ("L/kWh",), maximum=20.0),
        KindSpec("carbon_free_share", "Carbon-free energy share", Subject.REGION, ("fraction",), maximum=1.0),
        KindSpec("renewable_share", "Contractual renewable share", Subject.REGION, ("fraction",), maximum=1.0),
        KindSpec("tdp", "Thermal design power", Subject.ACCELERATOR, ("W",), maximum=5000.0),
        KindSpec("average_power", "Measured average power", Subject.ACCELERATOR, ("W",), maximum=5000.0),
        KindSpec("embodied", "Embodied emissions per card", Subject.ACCELERATOR, ("kgCO2e",)),
        KindSpec("lifetime", "Expected lifetime", Subject.ACCELERATOR, ("years",), maximum=20.0),
        KindSpec("total_params", "Total parameters", Subject.AI_MODEL, ("B params",)),
        KindSpec("active_params", "Active parameters", Subject.AI_MODEL, ("B params",)),
        KindSpec(
            "energy_per_unit",
            "Energy per functional unit",
            Subject.AI_MODEL,
            ("Wh/image", "Wh/1k tokens", "Wh/audio second", "Wh/1k characters", "Wh/request"),
        ),
    )
}

KIND_CHOICES = [(spec.kind, spec.label) for spec in KIND_SPECS.values()]
UNIT_CHOICES = sorted({(unit, unit) for spec in KIND_SPECS.values() for unit in spec.units})


def kinds_for(subject: Subject) -> list[str]:
    return [spec.kind for spec in KIND_SPECS.values() if spec.subject == subject]
