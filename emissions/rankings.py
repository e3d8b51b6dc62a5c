"""Rankings of models and vendors by a footprint metric: what /rankings/, the carbon labels and the API read.

Everything here reads stored rows only (``ModelFootprint`` with its ``FootprintRate``); nothing is estimated on a
page. A ranking is one query whatever the size of the catalogue.

Which footprint stands for a model: a model has one stored footprint per serving region. Without a region or
zone filter, a model is represented by its footprint in its first serving region by slug (the default place
``emissions.estimation.default_place`` uses for estimates), or by its world-average footprint when it discloses
no region. With a zone filter, by its first serving region (by slug) inside that zone.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.urls import reverse

from emissions.engine import TYPICAL_REQUESTS
from emissions.models import ModelFootprint
from emissions.models.footprints import SIDE_SUFFIXES
from vendors.models import AIModel, GridZone, Region, Task, Vendor

G_PER_KG = 1000.0
WH_PER_KWH = 1000.0
ML_PER_L = 1000.0

BASES = {"location": "Location-based", "market": "Market-based"}
Triple = tuple[float, float, float]  # (low, central, high)


def _operational(basis: str) -> str:
    return "operational_co2e_market_kg" if basis == "market" else "operational_co2e_kg"


def sum_columns(row, columns: tuple[str, ...], scale: float) -> Triple | None:
    """Sum of columns on each side (low, central, high), scaled; None while any of them is not computed yet."""
    out = []
    for side in SIDE_SUFFIXES:
        values = [getattr(row, column + side) for column in columns]
        if any(value is None for value in values):
            return None
        out.append(sum(values) * scale)
    return out[0], out[1], out[2]


def co2e_per_request(footprint: ModelFootprint, basis: str) -> Triple | None:
    """Total CO2e (operational + embodied) of one typical request, g."""
    return sum_columns(footprint, (_operational(basis), "embodied_co2e_kg"), G_PER_KG)


def co2e_per_1k_output_tokens(footprint: ModelFootprint, basis: str) -> Triple | None:
    """1,000 x the per-output-token rate (operational + embodied), g: decoding only, no input tokens."""
    columns = (f"{_operational(basis)}_per_output_token", "embodied_co2e_kg_per_output_token")
    return sum_columns(footprint.rate, columns, 1_000 * G_PER_KG)


def energy_per_request(footprint: ModelFootprint, basis: str) -> Triple | None:
    return sum_columns(footprint, ("energy_kwh",), WH_PER_KWH)


def water_per_request(footprint: ModelFootprint, basis: str) -> Triple | None:
    return sum_columns(footprint, ("water_l",), ML_PER_L)


def co2e_per_image(footprint: ModelFootprint, basis: str) -> Triple | None:
    """Per request divided by the images in it (a typical image request is one image)."""
    per_request = co2e_per_request(footprint, basis)
    images = footprint.output_tokens or 1
    return None if per_request is None else (per_request[0] / images, per_request[1] / images, per_request[2] / images)


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str  # what one number is in, e.g. "g CO₂e"
    per: str  # the functional unit, e.g. "per typical request"
    tooltip: str
    tasks: tuple[str, ...]  # the tasks it applies to
    uses_basis: bool  # CO2e metrics differ by location/market basis; energy and water do not
    compute: Callable[[ModelFootprint, str], Triple | None]

    @property
    def heading(self) -> str:
        return f"{self.unit} {self.per}"


ALL_TASKS = tuple(Task.values)
METRICS: dict[str, Metric] = {
    m.key: m
    for m in (
        Metric(
            "co2e_per_request", "CO₂e per request", "g CO₂e", "per typical request",
            "Greenhouse-gas emissions of one typical request: operational (facility electricity × grid intensity, "
            "location- or market-based) plus embodied (the request's share of manufacturing the hardware).",
            ALL_TASKS, True, co2e_per_request,
        ),
        Metric(
            "co2e_per_1k_output_tokens", "CO₂e per 1,000 output tokens", "g CO₂e", "per 1,000 output tokens",
            "Emissions of generating 1,000 output tokens (operational + embodied), excluding input tokens: "
            "comparable across answer lengths.",
            (Task.TEXT_GENERATION,), True, co2e_per_1k_output_tokens,
        ),
        Metric(
            "energy_per_request", "Energy per request", "Wh", "per typical request",
            "Facility electricity of one typical request: accelerators, host, idle capacity, times the data "
            "centre's PUE (cooling and power overhead).",
            ALL_TASKS, False, energy_per_request,
        ),
        Metric(
            "water_per_request", "Water per request", "mL", "per typical request",
            "Water consumed for one typical request: on-site cooling (WUE × IT energy) plus water used off-site "
            "to generate the electricity.",
            ALL_TASKS, False, water_per_request,
        ),
        Metric(
            "co2e_per_image", "CO₂e per image", "g CO₂e", "per image",
            "Emissions of generating one image (operational + embodied).",
            (Task.IMAGE_GENERATION,), True, co2e_per_image,
        ),
    )
}  # fmt: skip


def metrics_for_task(task: str) -> list[Metric]:
    return [metric for metric in METRICS.values() if task in metric.tasks]


def typical_request_label(task: str) -> str:
    return TYPICAL_REQUESTS[task].label


WORLD_AVERAGE = "world average"  # the place of a footprint with no region: world-average grid, default PUE/WUE


def region_label(region: Region | None) -> str:
    return region.slug if region is not None else WORLD_AVERAGE


# -- which footprint stands for each model --------------------------------------------------------------------


def ranking_footprints(
    *, task: str, region: Region | None = None, zone: GridZone | None = None, open_weights_only: bool = False
) -> QuerySet[ModelFootprint]:
    """One footprint per model of the task: in ``region``, else its first serving region (in ``zone`` if given)."""
    candidates = ModelFootprint.objects.filter(ai_model__task=task)
    if open_weights_only:
        candidates = candidates.filter(ai_model__open_weights=True)
    if region is not None:
        candidates = candidates.filter(region=region)
    elif zone is not None:
        candidates = candidates.filter(region__zone=zone)
    first = (
        candidates.filter(ai_model=OuterRef("ai_model"))
        .order_by(F("region__slug").asc(nulls_first=True))  # a NULL region exists only when no region is disclosed
        .values("pk")[:1]
    )
    # The JSON columns (a footprint's breakdown, its rate's factor versions) are the bulk of a row and no ranking
    # reads them: deferred, they cost a fifth less CPU per ranking.
    return (
        candidates.filter(pk=Subquery(first))
        .select_related("ai_model__vendor", "region", "rate")
        .defer("breakdown", "rate__factor_versions")
    )


# -- rankings -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelRow:
    model: AIModel
    vendor: Vendor
    region: Region | None
    region_label: str
    low: float
    central: float
    high: float
    rank: int
    is_stale: bool  # its figures are being recomputed (the previous consistent values are shown)


@dataclass(frozen=True)
class VendorRow:
    vendor: Vendor
    models: int
    low: float
    central: float
    high: float
    rank: int


def _competition_ranks(centrals: list[float]) -> list[int]:
    """1, 2, 2, 4: equal figures share a rank. ``centrals`` must be sorted ascending."""
    ranks: list[int] = []
    for i, value in enumerate(centrals):
        ranks.append(ranks[-1] if i and value == centrals[i - 1] else i + 1)
    return ranks


def model_rankings(
    *,
    task: str,
    metric: str,
    basis: str = "location",
    region: Region | None = None,
    zone: GridZone | None = None,
    open_weights_only: bool = False,
) -> list[ModelRow]:
    """Models of a task by a metric, lowest central first (rank 1 = lowest footprint). One query.

    Models whose footprint is not computed yet are left out. Raises ``ValueError`` for a metric that does not
    apply to the task (callers validate with ``emissions.filters.RankingFilter`` first).
    """
    spec = METRICS[metric]
    if task not in spec.tasks:
        raise ValueError(f"metric {metric!r} does not apply to task {task!r}")
    found = []
    footprints = ranking_footprints(task=task, region=region, zone=zone, open_weights_only=open_weights_only)
    for footprint in footprints:
        values = spec.compute(footprint, basis)
        if values is not None:
            found.append((footprint, values))
    found.sort(key=lambda item: (item[1][1], item[0].ai_model.name.lower()))
    ranks = _competition_ranks([values[1] for _, values in found])
    return [
        ModelRow(
            model=footprint.ai_model,
            vendor=footprint.ai_model.vendor,
            region=footprint.region,
            region_label=region_label(footprint.region),
            low=values[0],
            central=values[1],
            high=values[2],
            rank=rank,
            is_stale=footprint.rate.is_stale,
        )
        for (footprint, values), rank in zip(found, ranks, strict=True)
    ]


def vendor_rankings(**filters) -> list[VendorRow]:
    """Vendors by the MEDIAN of their models' figures (same arguments as ``model_rankings``). One query.

    Median, not mean: one historical giant (or one tiny model) would otherwise decide a vendor's place. Low,
    central and high are medians taken separately, which keeps low <= central <= high (order statistics
    preserve the order of every model's bounds). With an even count the median is the mean of the middle two.
    """
    by_vendor: dict[int, list[ModelRow]] = {}
    for row in model_rankings(**filters):
        by_vendor.setdefault(row.vendor.pk, []).append(row)
    medians = []
    for rows in by_vendor.values():
        low, central, high = (statistics.median(getattr(r, side) for r in rows) for side in ("low", "central", "high"))
        medians.append((rows[0].vendor, len(rows), low, central, high))
    medians.sort(key=lambda item: (item[3], item[0].name.lower()))
    ranks = _competition_ranks([item[3] for item in medians])
    return [
        VendorRow(vendor=vendor, models=count, low=low, central=central, high=high, rank=rank)
        for (vendor, count, low, central, high), rank in zip(medians, ranks, strict=True)
    ]


def ranking_places() -> tuple[QuerySet[Region], QuerySet[GridZone]]:
    """Regions and zones that have at least one stored footprint: the choices of the region and zone filters."""
    regions = Region.objects.filter(model_footprints__isnull=False).distinct().order_by("slug")
    zones = GridZone.objects.filter(regions__model_footprints__isnull=False).distinct().order_by("code")
    return regions, zones


LARGE_COUNTS = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))


def format_count(value: float) -> str:
    """A large count in words, to three significant figures: 26.7 billion, 4.2 million, 12,300."""
    for size, word in LARGE_COUNTS:
        if value >= size:
            return f"{format_value(value / size)} {word}"
    return f"{float(format_value(value)):,.0f}" if value >= 1 else format_value(value)


def format_value(value: float | None, digits: int = 3) -> str:
    """A figure to ``digits`` significant figures, without exponent or trailing zeros: 0.178, 12.3, 0.000812.

    Ranges here span factors of two to ten, so a fourth digit would claim a precision the estimate lacks.
    """
    if value is None:
        return "—"
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    rounded = round(value, digits - 1 - math.floor(math.log10(abs(value))))  # 9.996 -> 10.0: count again
    decimals = max(digits - 1 - math.floor(math.log10(abs(rounded))), 0)
    text = f"{rounded:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# -- the table /rankings/ shows, and its CSV ----------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str  # the sort key
    label: str
    numeric: bool = False
    title: str = ""


@dataclass(frozen=True)
class Cell:
    text: str
    href: str = ""
    title: str = ""
    grade: str = ""


@dataclass(frozen=True)
class Table:
    columns: list[Column]
    rows: list[list[Cell]]


SORT_KEYS: dict[str, Callable] = {
    "rank": lambda r: r.rank,
    "model": lambda r: r.model.name.lower(),
    "vendor": lambda r: r.vendor.name.lower(),
    "models": lambda r: r.models,
    "region": lambda r: r.region_label,
    "low": lambda r: r.low,
    "central": lambda r: r.central,
    "high": lambda r: r.high,
}


def ranking_sorted(rows: list, sort: str) -> list:
    """Rows by a column (``-`` prefix: descending); equal values keep rank order."""
    key = SORT_KEYS[sort.lstrip("-")]
    return sorted(rows, key=lambda row: (key(row), row.rank), reverse=sort.startswith("-"))


def _figure_columns(spec: Metric) -> list[Column]:
    return [
        Column("low", f"Low, {spec.unit}", True, f"Every uncertain input at its optimistic end. {spec.tooltip}"),
        Column("central", f"Central, {spec.unit}", True, f"Central estimate. {spec.tooltip}"),
        Column("high", f"High, {spec.unit}", True, f"Every uncertain input at its pessimistic end. {spec.tooltip}"),
    ]


def _figure_cells(row) -> list[Cell]:
    return [Cell(format_value(row.low)), Cell(format_value(row.central)), Cell(format_value(row.high))]


RANK = Column("rank", "Rank", True, "1 = the lowest central figure")
REGION = Column(
    "region", "Region", False, "Where the figure is computed: the model's first serving region unless a region or "
    "zone is chosen; world average when the model discloses no region."
)  # fmt: skip
LABEL = Column("label", "Label", False, "Carbon label A–G: CO₂e per typical request against the task median")


def ranking_table(*, selection: dict, group: str, sort: str, grades: dict[int, str]) -> tuple[Table, list]:
    """What /rankings/ shows and its CSV holds, cell for cell, and the rows in rank order (for the chart).

    ``grades`` maps model id to its carbon label (``emissions.labels.task_grades``).
    """
    figures = _figure_columns(METRICS[selection["metric"]])
    if group == "vendor":
        ranked = vendor_rankings(**selection)
        columns = [RANK, Column("vendor", "Vendor"), Column("models", "Models", True, "Models ranked"), *figures]
        rows = [[Cell(str(r.rank)), Cell(r.vendor.name), Cell(str(r.models)), *_figure_cells(r)]
                for r in ranking_sorted(ranked, sort)]  # fmt: skip
        return Table(columns, rows), ranked
    ranked = model_rankings(**selection)
    columns = [RANK, Column("model", "Model"), Column("vendor", "Vendor"), REGION, LABEL, *figures]
    rows = []
    for r in ranking_sorted(ranked, sort):
        href = reverse("model-detail", args=r.model.slug.split("/", 1))
        grade = grades.get(r.model.pk, "")
        rows.append([
            Cell(str(r.rank)),
            Cell(r.model.name, href=href, title=r.model.slug),
            Cell(r.vendor.name),
            Cell(r.region_label, title=r.region.name if r.region else "No serving region disclosed"),
            Cell(grade or "—", title=f"Carbon label {grade}" if grade else "Not rated", grade=grade),
            *_figure_cells(r),
        ])  # fmt: skip
    return Table(columns, rows), ranked
