"""Reads for the vendor profile (/vendors/<slug>/) and the overview (/): standings, places, transparency.

Everything here reads stored rows: footprints come from ``ModelFootprint`` (the same footprint per model that
``/rankings/`` shows by default, ``emissions.rankings.ranking_footprints``), factors from the approved factors in
force on the first day of this month, the day this month's footprints use.

The transparency score is computed from the catalogue alone. The catalogue has no "disclosed" flag: its
convention (data/README.md) is that a value that is an estimate or an assumption says so in its note. So a
figure counts as disclosed when it is recorded and its note does not mark it as an estimate, an assumption or a
value borrowed from elsewhere (``ESTIMATE_MARKERS``). docs/methodology.md §12 states the same rule.
"""

from __future__ import annotations

import functools
import operator
import re
import statistics
from dataclasses import dataclass, field

from django.db.models import Max, Prefetch, Q
from django.utils import timezone

from emissions.labels import grade_for_ratio
from emissions.models import EmissionFactor, ModelFootprint
from emissions.rankings import METRICS, ranking_footprints, region_label
from emissions.selectors import in_force_on
from vendors.models import AIModel, Region, Task, TrainingRun, Vendor

Triple = tuple[float, float, float]

# Words by which a note marks a figure as not disclosed by the maker (lower case, matched as substrings).
ESTIMATE_MARKERS = ("estimate", "assum", "not disclosed", "applied", "not a vendor disclosure")
HARDWARE_WORDS = ("accelerator", "tpu", "gpu", "hardware")
REGION_WORDS = ("region",)
REGION_KINDS = ("pue", "wue", "carbon_free_share", "renewable_share")


def factor_date():
    """The day whose factors pages quote: the first of this month, as this month's footprints use."""
    return timezone.localdate().replace(day=1)


# -- standings: every model's default footprint, grade and headline figures ---------------------------------------


@dataclass(frozen=True)
class Standing:
    model: AIModel
    region_label: str
    co2e: Triple  # g CO2e per typical request, location-based, total (low, central, high)
    energy: Triple  # Wh per typical request
    grade: str = ""
    is_stale: bool = False


def task_standings(tasks: list[str] | None = None) -> dict[str, list[Standing]]:
    """Per task, its models' default footprints lowest CO₂e first, each with its carbon label. One query.

    Grades follow ``emissions.labels.task_grades`` (the model's CO₂e over the task median), computed here over
    the same footprints so that the standings of every task cost one query instead of one per task.
    """
    tasks = tasks if tasks is not None else list(Task.values)
    if not tasks:
        return {}
    wanted = functools.reduce(operator.or_, (Q(pk__in=ranking_footprints(task=t).values("pk")) for t in tasks))
    footprints = ModelFootprint.objects.filter(wanted).select_related("ai_model__vendor", "region", "rate")
    by_task: dict[str, list[tuple]] = {}
    for footprint in footprints:
        co2e = METRICS["co2e_per_request"].compute(footprint, "location")
        energy = METRICS["energy_per_request"].compute(footprint, "location")
        if co2e is not None and energy is not None:
            by_task.setdefault(footprint.ai_model.task, []).append((footprint, co2e, energy))
    out = {}
    for task, found in by_task.items():
        found.sort(key=lambda item: (item[1][1], item[0].ai_model.name.lower()))
        median = statistics.median(co2e[1] for _, co2e, _ in found)
        out[task] = [
            Standing(model=fp.ai_model, region_label=region_label(fp.region), co2e=co2e, energy=energy,
                     grade=grade_for_ratio(co2e[1] / median) if median else "", is_stale=fp.rate.is_stale)
            for fp, co2e, energy in found
        ]  # fmt: skip
    return out


def footprints_computed_at():
    """When the newest of the model footprints pages show was computed (None before the first recompute).

    Read through ``ModelFootprint`` (one row per model and place) rather than over every ``FootprintRate``:
    the rates of all months and usage cells are tens of thousands of rows, and pages show this month's only.
    """
    return ModelFootprint.objects.aggregate(latest=Max("rate__computed_at"))["latest"]


# -- the overview -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    task: str
    models: int
    best: Standing  # lowest central energy per request
    worst: Standing  # highest

    @property
    def ratio(self) -> float:
        return self.worst.energy[1] / self.best.energy[1]

    @property
    def is_tie(self) -> bool:
        """Every model of the task has the same central figure (same factors), to the 3 digits pages show."""
        return self.ratio < 1.005


def _by_energy(row: Standing) -> tuple[float, str]:
    return row.energy[1], row.model.name.lower()


def energy_headlines(standings: dict[str, list[Standing]]) -> list[Headline]:
    """Per task with two or more computed models: the most and least energy-efficient, by central Wh per request."""
    out = []
    for task in Task.values:
        rows = [row for row in standings.get(task, []) if row.energy[1] > 0]
        if len(rows) >= 2:
            best, worst = min(rows, key=_by_energy), max(rows, key=_by_energy)
            out.append(Headline(task=task, models=len(rows), best=best, worst=worst))
    return out


def extremes(rows: list[Standing], n: int = 3) -> tuple[list[Standing], list[Standing]]:
    """The ``n`` lowest and ``n`` highest CO₂e of rows sorted lowest first; no model is in both lists."""
    return rows[:n], rows[max(n, len(rows) - n) :][::-1]


# -- the vendor's places ------------------------------------------------------------------------------------------


@dataclass
class Place:
    region: Region
    models: int  # of the vendor's models served there
    grid_intensity: float | None = None  # g CO2e/kWh, location-based, of the region's grid zone
    pue: float | None = None
    wue: float | None = None  # L/kWh on site
    carbon_free_share: float | None = None  # 0-1, hourly matched, as the operator reports it
    renewable_share: float | None = None  # 0-1, contractual

    @property
    def latitude(self) -> float | None:
        return self.region.latitude if self.region.latitude is not None else self.region.zone.latitude

    @property
    def longitude(self) -> float | None:
        return self.region.longitude if self.region.longitude is not None else self.region.zone.longitude


def _place_factors(places: list[Place], on) -> None:
    """Fills each place's grid intensity, PUE, WUE and shares from the factors in force ``on``. One query."""
    if not places:
        return
    regions = {place.region.pk: place for place in places}
    zones = {place.region.zone_id for place in places}
    factors = EmissionFactor.objects.filter(in_force_on(on)).filter(
        Q(kind__in=REGION_KINDS, region__in=regions) | Q(kind="grid_intensity_location", zone__in=zones)
    )
    intensity = {}
    for factor in factors.only("kind", "value", "region_id", "zone_id"):
        if factor.kind == "grid_intensity_location":
            intensity[factor.zone_id] = factor.value
        else:
            setattr(regions[factor.region_id], factor.kind, factor.value)
    for place in places:
        place.grid_intensity = intensity.get(place.region.zone_id)


def _mean(values) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.fmean(known) if known else None


# -- transparency -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    rule: str  # what earns the point, as the page and docs/methodology.md §12 state it
    met: int  # how many of the vendor's models (or regions) meet it
    out_of: int

    @property
    def points(self) -> float:
        return self.met / self.out_of if self.out_of else 0.0


TRANSPARENCY_RULES = {
    "parameters": ("Parameter count", "An approved total-parameter count not marked as an estimate."),
    "hardware": ("Serving hardware", "A serving accelerator recorded and not marked as an assumption."),
    "regions": ("Serving regions", "At least one serving region recorded and not marked as an assumption."),
    "energy": ("Energy per request", "An approved energy-per-request (or per image, per second…) figure for the "
               "model itself, not an estimate or a measurement of other models applied to it."),
    "training": ("Training energy", "A disclosed training run reporting its energy or its emissions."),
    "facilities": ("PUE and WUE", "Both a PUE and a WUE in force for the serving region (the cloud operator's "
                   "figure counts; regions, not models, are counted)."),
}  # fmt: skip


def marked_as_estimate(note: str, topic: tuple[str, ...] = ()) -> bool:
    """True when a sentence of ``note`` (about ``topic``, if given) marks a figure as estimated or assumed."""
    for sentence in re.split(r"(?<=[.;])\s+", note.lower()):
        if (not topic or any(word in sentence for word in topic)) and any(m in sentence for m in ESTIMATE_MARKERS):
            return True
    return False


def _transparency(models: list[AIModel], places: list[Place], on) -> list[Criterion]:
    """The six criteria for the vendor's models and places. Two queries (model factors, training runs)."""
    disclosed: dict[str, set[int]] = {"total_params": set(), "energy_per_unit": set()}
    factors = EmissionFactor.objects.filter(in_force_on(on), kind__in=disclosed, ai_model__in=models)
    for factor in factors.only("kind", "ai_model_id", "note"):
        if not marked_as_estimate(factor.note):
            disclosed[factor.kind].add(factor.ai_model_id)
    reported = (
        Q(reported_energy_mwh__isnull=False)
        | Q(reported_co2e_t_location__isnull=False)
        | Q(reported_co2e_t_market__isnull=False)
    )
    trained = set(TrainingRun.objects.filter(reported, model__in=models).values_list("model_id", flat=True))
    counts = {
        "parameters": sum(m.pk in disclosed["total_params"] for m in models),
        "hardware": sum(
            m.serving_accelerator_id is not None and not marked_as_estimate(m.note, HARDWARE_WORDS) for m in models
        ),
        "regions": sum(bool(m.serving_regions.all()) and not marked_as_estimate(m.note, REGION_WORDS) for m in models),
        "energy": sum(m.pk in disclosed["energy_per_unit"] for m in models),
        "training": sum(m.pk in trained for m in models),
    }
    facilities = sum(p.pue is not None and p.wue is not None for p in places)
    out = [Criterion(key, *TRANSPARENCY_RULES[key], met=met, out_of=len(models)) for key, met in counts.items()]
    return [*out, Criterion("facilities", *TRANSPARENCY_RULES["facilities"], met=facilities, out_of=len(places))]


def transparency_score(criteria: list[Criterion]) -> int:
    """0-100: the mean share over the criteria (each criterion weighs the same), rounded."""
    return round(100 * sum(c.points for c in criteria) / len(criteria)) if criteria else 0


# -- the profile ------------------------------------------------------------------------------------------------


@dataclass
class VendorProfile:
    vendor: Vendor
    factor_date: object
    models: list[AIModel]
    standings: dict[int, Standing]  # model id -> standing (models without a computed footprint are absent)
    places: list[Place]
    criteria: list[Criterion] = field(default_factory=list)

    @property
    def score(self) -> int:
        return transparency_score(self.criteria)

    @property
    def average_grid_intensity(self) -> float | None:
        """Plain mean over the vendor's serving regions with a known intensity (not weighted by traffic)."""
        return _mean(p.grid_intensity for p in self.places)

    @property
    def average_carbon_free_share(self) -> float | None:
        return _mean(p.carbon_free_share for p in self.places)

    @property
    def has_commitment(self) -> bool:
        v = self.vendor
        return v.net_zero_year is not None or v.renewable_claim_pct is not None or bool(v.commitment_note.strip())


def vendor_profile(vendor: Vendor) -> VendorProfile:
    """Everything /vendors/<slug>/ shows about a vendor. Six queries whatever the vendor's size."""
    on = factor_date()
    regions = Prefetch("serving_regions", queryset=Region.objects.select_related("zone"))
    models = list(AIModel.objects.filter(vendor=vendor).select_related("serving_accelerator").prefetch_related(regions))
    served: dict[int, Place] = {}
    for model in models:
        for region in model.serving_regions.all():
            served.setdefault(region.pk, Place(region=region, models=0)).models += 1
    places = sorted(served.values(), key=lambda place: place.region.slug)
    _place_factors(places, on)
    standings = task_standings(sorted({m.task for m in models}))
    mine = {s.model.pk: s for rows in standings.values() for s in rows if s.model.vendor_id == vendor.pk}
    return VendorProfile(vendor=vendor, factor_date=on, models=models, standings=mine, places=places,
                         criteria=_transparency(models, places, on))  # fmt: skip
