"""Workload planner (/procurement/): a year of a workload priced against every place it could run.

A workload is requests a month with their average input and output tokens, for one task. Because the inference
footprint is linear in usage (docs/architecture.md), a year of it on a model in a region is exactly

    metric = 12 × requests × (input tokens × per-input-token + output tokens × per-output-token + per-request)

with the coefficients of the stored ``FootprintRate`` of that model and region. So the planner prices every
option (model × serving region) from rows already computed, with no engine call: two queries whatever the size
of the catalogue (the month, then the rates with their models, vendors, regions and zones).

Which rates: those of the current month (the factors in force on its first day), or of the latest computed month
before it, so the page keeps working on the first of a month before the sweeper has moved the footprints. Only a
model's serving regions are options (its world-average rate when it discloses none); rates that exist for other
regions because usage was reported there are not offers anyone can buy.

CO₂e is operational plus embodied, as on every other page.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.db.models import Exists, F, Max, OuterRef, Q
from django.utils import timezone

from emissions.models import FootprintRate
from emissions.models.footprints import rate_column
from emissions.rankings import Cell, Column, Table, format_value, region_label
from vendors.models import AIModel, GridZone, Region, Task

MONTHS_PER_YEAR = 12
Triple = tuple[float, float, float]  # (low, central, high)

# Annual figures are summed in the stored units (kWh, kg, L); ``DISPLAY`` converts them for people.
PLAN_METRICS: dict[str, tuple[str, ...]] = {
    "energy": ("energy_kwh",),
    "co2e_location": ("operational_co2e_kg", "embodied_co2e_kg"),
    "co2e_market": ("operational_co2e_market_kg", "embodied_co2e_kg"),
    "water": ("water_l",),
}
RANK_CHOICES = {
    "co2e_location": "CO₂e (location-based)",
    "co2e_market": "CO₂e (market-based)",
    "energy": "Energy",
    "water": "Water",
}
BASIS_OF = {"co2e_location": " (location-based)", "co2e_market": " (market-based)", "energy": "", "water": ""}
TOOLTIPS = {
    "energy": "Facility electricity in a year: accelerators, host and idle capacity, times the data centre's PUE.",
    "co2e_location": "Operational CO₂e with the grid-average intensity where the model runs, plus embodied CO₂e "
    "(the workload's share of manufacturing the hardware).",
    "co2e_market": "Operational CO₂e after the operator's renewable-energy purchases (GHG Protocol Scope 2 "
    "market-based), plus embodied CO₂e.",
    "water": "Water consumed in a year: on-site cooling plus water used off-site to generate the electricity.",
}
# What the output column of a rate counts for each task (a typical request's functional unit).
OUTPUT_UNITS = {
    Task.TEXT_GENERATION: "output tokens",
    Task.EMBEDDINGS: "thousands of tokens embedded",
    Task.IMAGE_GENERATION: "images",
    Task.SPEECH_TO_TEXT: "seconds of audio transcribed",
    Task.TEXT_TO_SPEECH: "seconds of speech generated",
}
KIND_LABELS = {"current": "Current choice", "region": "Same model, other region", "model": "Other model"}


@dataclass(frozen=True)
class Workload:
    task: str
    requests_per_month: int
    input_tokens: float  # average per request
    output_tokens: float  # average per request (functional units for non-text tasks)
    region: Region | None = None  # only options served here...
    zone: GridZone | None = None  # ... or in this grid zone
    current_model: AIModel | None = None
    current_region: Region | None = None  # None with a current model: its default place

    @property
    def annual_usage(self) -> tuple[float, float, float]:
        """Input tokens, output tokens and requests in a year, in the order of the rate columns."""
        requests = float(self.requests_per_month) * MONTHS_PER_YEAR
        return requests * self.input_tokens, requests * self.output_tokens, requests


@dataclass(frozen=True)
class Option:
    model: AIModel
    region: Region | None
    kind: str  # "current", "region" (the current model elsewhere) or "model"
    figures: dict[str, Triple]  # annual kWh, kg CO2e (location, market), L
    is_stale: bool

    @property
    def region_label(self) -> str:
        return region_label(self.region)

    @property
    def label(self) -> str:
        return f"{self.model.name} · {self.region_label}"


@dataclass(frozen=True)
class Plan:
    workload: Workload
    month: dt.date | None
    rank_by: str
    options: list[Option]  # every option, lowest central of ``rank_by`` first; the current choice among them
    current: Option | None
    uncomputed: int = 0  # options left out because their rate is not computed yet
    notes: list[str] = field(default_factory=list)

    def saving(self, option: Option, metric: str | None = None) -> tuple[float, float] | None:
        """(current − option, that as % of current) in the stored unit, central figures; None without a current."""
        if self.current is None:
            return None
        metric = metric or self.rank_by
        before, after = self.current.figures[metric][1], option.figures[metric][1]
        return before - after, ((before - after) / before * 100 if before else 0.0)

    @property
    def best(self) -> Option | None:
        """The lowest option that is not the current choice."""
        return next((o for o in self.options if o.kind != "current"), None)

    @property
    def best_region(self) -> Option | None:
        """The current model in the region where it is lowest, when that is not the current region."""
        return next((o for o in self.options if o.kind == "region"), None)


def annual_figures(rate: FootprintRate, usage: tuple[float, float, float]) -> dict[str, Triple] | None:
    """A year of usage priced with one rate, per metric and side; None while the rate is not computed."""
    out = {}
    for key, stored in PLAN_METRICS.items():
        sides = []
        for side in range(3):
            total = 0.0
            for metric in stored:
                for unit, amount in enumerate(usage):
                    coefficient = getattr(rate, rate_column(metric, side, unit))
                    if coefficient is None:
                        return None
                    total += amount * coefficient
            sides.append(total)
        out[key] = (sides[0], sides[1], sides[2])
    return out


def rates_month(today: dt.date | None = None) -> dt.date | None:
    """The current month if it has rates, else the latest month before it that has; None when none does."""
    first = (today or timezone.localdate()).replace(day=1)
    return FootprintRate.objects.filter(month__lte=first).aggregate(latest=Max("month"))["latest"]


def offered_rates(workload: Workload, month: dt.date):
    """Rates of the month for the task's models in their serving places (within the region or zone asked for),
    plus every serving place of the current model, which the plan needs to price the current choice."""
    through = AIModel.serving_regions.through
    served_here = through.objects.filter(aimodel_id=OuterRef("ai_model_id"), region_id=OuterRef("region_id"))
    serves_somewhere = through.objects.filter(aimodel_id=OuterRef("ai_model_id"))
    offered = Exists(served_here) | (Q(region__isnull=True) & ~Exists(serves_somewhere))
    wanted = Q(ai_model__task=workload.task)
    if workload.region is not None:
        wanted &= Q(region=workload.region)
    elif workload.zone is not None:
        wanted &= Q(region__zone=workload.zone)
    if workload.current_model is not None:
        wanted |= Q(ai_model=workload.current_model)
    return (
        FootprintRate.objects.filter(offered, wanted, month=month)
        .select_related("ai_model__vendor", "region__zone")
        .order_by("ai_model__slug", F("region__slug").asc(nulls_first=True))
    )


def _in_constraint(workload: Workload, rate: FootprintRate) -> bool:
    if workload.region is not None:
        return rate.region_id == workload.region.pk
    if workload.zone is not None:
        return rate.region is not None and rate.region.zone_id == workload.zone.pk
    return True


def plan(workload: Workload, *, rank_by: str = "co2e_location", today: dt.date | None = None) -> Plan:
    """Every option for the workload with its annual figures, lowest first by ``rank_by``. Two queries."""
    if rank_by not in PLAN_METRICS:
        raise ValueError(f"unknown metric {rank_by!r}")
    month = rates_month(today)
    if month is None:
        return Plan(workload, None, rank_by, [], None)
    usage = workload.annual_usage
    current_model = workload.current_model
    rates = list(offered_rates(workload, month))
    current_rate = None
    if current_model is not None:
        own = [r for r in rates if r.ai_model_id == current_model.pk]
        wanted = workload.current_region.pk if workload.current_region else (own[0].region_id if own else None)
        current_rate = next((r for r in own if r.region_id == wanted), None)
    options, uncomputed, current = [], 0, None
    for rate in rates:
        is_current = current_rate is not None and rate.pk == current_rate.pk
        if not is_current and (rate.ai_model.task != workload.task or not _in_constraint(workload, rate)):
            continue
        figures = annual_figures(rate, usage)
        if figures is None:
            uncomputed += 1
            continue
        kind = "current" if is_current else ("region" if current_model and rate.ai_model_id == current_model.pk
                                             else "model")  # fmt: skip
        option = Option(rate.ai_model, rate.region, kind, figures, rate.is_stale)
        options.append(option)
        current = option if is_current else current
    options.sort(key=lambda o: (o.figures[rank_by][1], o.model.name.lower(), o.region_label))
    notes = []
    if current_model is not None and current is None:
        notes.append(f"The footprint of {current_model.name} is not computed yet, so no savings can be shown.")
    elif current is not None and current.model.task != workload.task:
        notes.append(f"The current choice, {current.model.name}, does another task than the options.")
    return Plan(workload, month, rank_by, options, current, uncomputed, notes)


# -- what the page shows and its CSV holds ------------------------------------------------------------------------

MINUS = "−"  # a real minus sign: also keeps a negative saving from reading as a formula in a spreadsheet


@dataclass(frozen=True)
class Unit:
    label: str  # "MWh"
    scale: float  # stored unit x scale = displayed

    def show(self, stored: float) -> str:
        return signed(stored * self.scale)


def signed(value: float) -> str:
    text = format_value(abs(value))
    return MINUS + text if value < 0 and text != "0" else text


def display_units(options: list[Option]) -> dict[str, Unit]:
    """kWh or MWh for energy (one unit per column, chosen from its largest figure); t CO₂e; m³ of water."""
    largest = max((o.figures["energy"][1] for o in options), default=0.0)
    energy = Unit("MWh", 1e-3) if largest >= 1000 else Unit("kWh", 1.0)
    tonnes = Unit("t CO₂e", 1e-3)
    return {"energy": energy, "co2e_location": tonnes, "co2e_market": tonnes, "water": Unit("m³", 1e-3)}


def plan_table(result: Plan) -> Table:
    """The options as the page's table and the CSV, cell for cell."""
    units = display_units(result.options)
    ranked = units[result.rank_by]
    columns = [
        Column("rank", "Rank", True, f"1 = the lowest central {RANK_CHOICES[result.rank_by]} in a year"),
        Column("kind", "Option", False, "Current choice, the same model in another region, or another model"),
        Column("model", "Model"),
        Column("vendor", "Vendor"),
        Column("region", "Region", False, "A serving region of the model; world average when it discloses none"),
        Column("energy", f"Energy, {units['energy'].label}/yr", True, TOOLTIPS["energy"]),
        Column("co2e_location", "CO₂e location-based, t/yr", True, TOOLTIPS["co2e_location"]),
        Column("co2e_market", "CO₂e market-based, t/yr", True, TOOLTIPS["co2e_market"]),
        Column("water", "Water, m³/yr", True, TOOLTIPS["water"]),
        Column("range", f"{RANK_CHOICES[result.rank_by]} low–high, {ranked.label}/yr", True,
               "Every uncertain input at its optimistic end – at its pessimistic end"),
    ]  # fmt: skip
    if result.current is not None:
        columns += [
            Column("saving", f"Saving, {ranked.label}/yr", True,
                   f"Current choice minus this option, {RANK_CHOICES[result.rank_by]} (central); negative: more"),
            Column("saving_pct", "Saving, %", True, "The saving as a share of the current choice's figure"),
        ]  # fmt: skip
    rows = []
    for rank, option in enumerate(result.options, start=1):
        low, _, high = option.figures[result.rank_by]
        row = [
            Cell(str(rank)),
            Cell(KIND_LABELS[option.kind] if result.current else "Option"),
            Cell(option.model.name, title=option.model.slug),
            Cell(option.model.vendor.name),
            Cell(option.region_label, title=option.region.name if option.region else "No serving region disclosed"),
            *(Cell(units[key].show(option.figures[key][1])) for key in PLAN_METRICS),
            Cell(f"{ranked.show(low)}–{ranked.show(high)}"),
        ]
        saving = result.saving(option)
        if saving is not None:
            current = option.kind == "current"
            row += [Cell("—" if current else ranked.show(saving[0])),
                    Cell("—" if current else f"{signed(round(saving[1]))} %")]  # fmt: skip
        rows.append(row)
    return Table(columns, rows)


def chart_data(result: Plan, limit: int = 20) -> dict:
    """The lowest ``limit`` options (and the current choice) for the bar chart, in the table's unit."""
    unit = display_units(result.options)[result.rank_by]
    shown = result.options[:limit]
    if result.current is not None and result.current not in shown:
        shown.append(result.current)
    return {
        "labels": [o.label for o in shown],
        "kinds": [o.kind for o in shown],
        "low": [o.figures[result.rank_by][0] * unit.scale for o in shown],
        "central": [o.figures[result.rank_by][1] * unit.scale for o in shown],
        "high": [o.figures[result.rank_by][2] * unit.scale for o in shown],
        "axis": f"{unit.label} a year{BASIS_OF[result.rank_by]}",
    }


def usage_summary(workload: Workload) -> str:
    """A year of the workload in words: '1.2 million requests, 1.2 billion input tokens, ...'."""
    input_tokens, output_units, requests = workload.annual_usage
    parts = [f"{_count(requests)} requests"]
    if input_tokens:
        parts.append(f"{_count(input_tokens)} input tokens")
    parts.append(f"{_count(output_units)} {OUTPUT_UNITS[Task(workload.task)]}")
    return ", ".join(parts) + " a year"


def _count(value: float) -> str:
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if value >= size:
            return f"{format_value(value / size)} {word}"
    return f"{value:,.0f}" if math.isfinite(value) else str(value)
