"""From the catalogue to the engine: the approved factors in force on a date, turned into engine inputs.

Reads only. Each engine input carries references to the factors it was built from (id, kind, value, unit,
source, version), so every figure can be traced. Where the catalogue has no factor, the engine's sourced
default applies and the reference says so.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from dataclasses import dataclass

from django.utils import timezone

from emissions import engine
from emissions.engine import constants as C
from emissions.factor_index import DatabaseFactors, FactorSource
from vendors.models import Accelerator, AIModel, GridZone, Region, TrainingRun


class EstimateInputError(ValueError):
    """Bad input for an estimate; the message names the option and, for unknown slugs, the closest matches."""

    def __init__(self, option: str, message: str):
        self.option = option
        super().__init__(f"{option}: {message}")


def _closest(value: str, candidates: list[str]) -> str:
    """Up to three suggestions: names that start with or contain what was typed first, then similar names."""
    prefixed = sorted(c for c in candidates if c.startswith(value))
    containing = sorted(c for c in candidates if value in c and c not in prefixed)
    similar = difflib.get_close_matches(value, candidates, n=3, cutoff=0.4)
    matches = list(dict.fromkeys([*prefixed, *containing, *similar]))[:3]
    return f"; closest matches: {', '.join(matches)}" if matches else ""


def unknown(*, option: str, noun: str, value: str, candidates: list[str], upper: bool = False) -> EstimateInputError:
    """The error for an identifier that matches nothing, with the closest of ``candidates`` (upper: zone codes)."""
    typed = value.upper() if upper else value.lower()
    return EstimateInputError(option, f"unknown {noun} {value!r}{_closest(typed, candidates)}")


def _find(queryset, field: str, value: str, option: str, noun: str):
    """The object whose ``field`` is ``value`` (case-insensitive), or an error that suggests the closest ones."""
    found = queryset.filter(**{f"{field}__iexact": value}).first()
    if found is None:
        candidates = list(queryset.model.objects.values_list(field, flat=True))
        raise unknown(option=option, noun=noun, value=value, candidates=candidates, upper=field == "code")
    return found


def find_model(slug: str) -> AIModel:
    return _find(AIModel.objects.select_related("vendor", "serving_accelerator"), "slug", slug, "--model", "model")


def find_accelerator(slug: str) -> Accelerator:
    return _find(Accelerator.objects.all(), "slug", slug, "--accelerator", "accelerator")


def find_region(slug: str) -> Region:
    return _find(Region.objects.select_related("zone"), "slug", slug, "--region", "region")


def find_zone(code: str) -> GridZone:
    return _find(GridZone.objects.all(), "code", code, "--zone", "zone")


# -- factor references ---------------------------------------------------------------------------


def default_ref(kind: str, value: engine.Estimate, unit: str, why: str) -> dict:
    """A reference for an engine default used where the catalogue has no factor."""
    return {"id": None, "kind": kind, "value": value.central, "low": value.low, "high": value.high, "unit": unit,
            "source": f"engine default ({why})", "version": engine.METHODOLOGY_VERSION}  # fmt: skip


def user_ref(kind: str, value: float, unit: str, option: str) -> dict:
    return {"id": None, "kind": kind, "value": value, "unit": unit, "source": f"given on the command line ({option})",
            "version": None}  # fmt: skip


# -- engine inputs -------------------------------------------------------------------------------

UNDISCLOSED_SIZE_NOTE = "size undisclosed and unestimated: bracketed by the catalogue's closed text-model estimates"


DATABASE = DatabaseFactors()

# With no closed text model sized at all (an empty catalogue), the bracket spans 1-100 B parameters.
EMPTY_CATALOGUE_SIZE_BRACKET_B = engine.Estimate(1.0, 10.0, 100.0)


def undisclosed_text_model_bracket(sizes_b: list[float]) -> engine.Estimate:
    """For a text model nobody has sized: min / geometric mean / max of the closed text models' estimates."""
    values = sorted(sizes_b)
    if not values:
        return EMPTY_CATALOGUE_SIZE_BRACKET_B
    central = math.exp(sum(math.log(v) for v in values) / len(values))
    central = min(max(central, values[0]), values[-1])  # exp(mean(log)) of [10.0] is 10.000000000000002
    return engine.Estimate(values[0], central, values[-1])


def needs_size_bracket(model: AIModel, total: engine.Estimate | None, active: engine.Estimate | None) -> bool:
    return model.task == "text-generation" and total is None and active is None


def model_profile(model: AIModel, on: dt.date, source: FactorSource = DATABASE) -> engine.ModelProfile:
    factors = source.factor_set("ai_model", model.pk, on)
    refs = [ref for kind in ("total_params", "active_params", "energy_per_unit") if (ref := factors.ref(kind))]
    total, active = factors.estimate("total_params"), factors.estimate("active_params")
    if needs_size_bracket(model, total, active):
        active = undisclosed_text_model_bracket([f.value for f in source.closed_text_model_sizes(on)])
        refs.append(default_ref("active_params", active, "B params", UNDISCLOSED_SIZE_NOTE))
    energy = factors.estimate("energy_per_unit")
    return engine.ModelProfile(
        name=model.slug,
        task=model.task,
        total_params_b=total,
        active_params_b=active,
        energy_per_unit_wh=energy,
        # Published per-unit figures in the catalogue (Luccioni et al. 2024) were measured with CodeCarbon,
        # which counts CPU and RAM with the GPU: host energy is already in them.
        energy_per_unit_includes_host=energy is not None,
        factors=tuple(refs),
    )


def accelerator_profile(
    accelerator: Accelerator | None, on: dt.date, source: FactorSource = DATABASE
) -> engine.AcceleratorProfile:
    if accelerator is None:
        reference = engine.AcceleratorProfile()
        return engine.AcceleratorProfile(
            factors=(default_ref("accelerator", engine.Estimate.exact(reference.tdp_w), "W",
                                 "no serving accelerator disclosed: NVIDIA H100 SXM reference, as EcoLogits"),)
        )  # fmt: skip
    factors = source.factor_set("accelerator", accelerator.pk, on)
    refs = [ref for kind in ("tdp", "average_power", "embodied", "lifetime") if (ref := factors.ref(kind))]
    tdp = factors.estimate("tdp")
    average = factors.estimate("average_power")
    if tdp is None:
        tdp = average or engine.Estimate.exact(C.H100_TDP_W)
        if average is None:
            refs.append(default_ref("tdp", tdp, "W", "no published TDP: H100 SXM datasheet value assumed"))
    embodied = factors.estimate("embodied")
    if embodied is None:
        embodied = C.H100_EMBODIED_KGCO2E
        refs.append(default_ref("embodied", embodied, "kgCO2e", "no published figure: H100 value, Boavizta/EcoLogits"))
    lifetime = factors.estimate("lifetime") or C.HARDWARE_LIFETIME_YEARS
    if "lifetime" not in factors.factors:
        refs.append(default_ref("lifetime", lifetime, "years", "Cloud Carbon Footprint / EcoLogits range"))
    return engine.AcceleratorProfile(
        name=accelerator.slug,
        memory_gb=accelerator.memory_gb,
        tdp_w=tdp.central,
        average_power_w=average.central if average else None,
        embodied_kgco2e=embodied,
        lifetime_years=lifetime,
        factors=tuple(refs),
    )


@dataclass(frozen=True)
class Place:
    """Where a deployment runs: a region (with its zone), a zone alone, or a bare intensity."""

    region: Region | None = None
    zone: GridZone | None = None
    grid_intensity: float | None = None

    @property
    def label(self) -> str:
        if self.region:
            return self.region.slug
        if self.zone:
            return self.zone.code
        return f"{self.grid_intensity:g} gCO2e/kWh" if self.grid_intensity is not None else "world average"


def deployment(
    place: Place,
    on: dt.date,
    *,
    batch_size: float | None = None,
    pue: float | None = None,
    source: FactorSource = DATABASE,
) -> engine.Deployment:
    """Engine deployment for a place: region PUE/WUE/renewable share, zone intensities and water."""
    refs: list[dict] = []
    values: dict = {}
    zone = place.region.zone if place.region else place.zone
    renewable_share = None
    if place.region is not None:
        region_factors = source.factor_set("region", place.region.pk, on)
        for kind, field_name in (("pue", "pue"), ("wue", "wue_l_per_kwh")):
            if (value := region_factors.estimate(kind)) is not None:
                values[field_name] = value
                refs.append(region_factors.ref(kind))
        if (share := region_factors.estimate("renewable_share")) is not None:
            renewable_share = share
            refs.append(region_factors.ref("renewable_share"))
    if zone is not None:
        zone_factors = source.factor_set("zone", zone.pk, on)
        for kind, field_name in (
            ("grid_intensity_location", "grid_intensity_g_per_kwh"),
            ("grid_intensity_market", "market_intensity_g_per_kwh"),
            ("electricity_water_intensity", "electricity_water_l_per_kwh"),
        ):
            if (value := zone_factors.estimate(kind)) is not None:
                values[field_name] = value
                refs.append(zone_factors.ref(kind))
    if place.grid_intensity is not None:
        values["grid_intensity_g_per_kwh"] = engine.Estimate.exact(place.grid_intensity)
        values.pop("market_intensity_g_per_kwh", None)
        refs.append(user_ref("grid_intensity_location", place.grid_intensity, "gCO2e/kWh", "--grid-intensity"))
    if "grid_intensity_g_per_kwh" not in values:
        refs.append(default_ref("grid_intensity_location", C.DEFAULT_GRID_INTENSITY_G_PER_KWH, "gCO2e/kWh",
                                "no zone given or no factor in force: world average"))  # fmt: skip
    market = values.get("market_intensity_g_per_kwh", values.get("grid_intensity_g_per_kwh",
                                                                 C.DEFAULT_GRID_INTENSITY_G_PER_KWH))  # fmt: skip
    if renewable_share is not None:
        # Market-based (GHG Protocol Scope 2): the operator's contractual renewable share counts at zero,
        # the rest at the residual mix (or the grid average where no residual mix is published).
        market = engine.Estimate(
            *(m * (1.0 - s) for m, s in zip(market.as_tuple(), reversed(renewable_share.as_tuple()), strict=True))
        )
    values["market_intensity_g_per_kwh"] = market
    if pue is not None:
        values["pue"] = engine.Estimate.exact(pue)
        refs.append(user_ref("pue", pue, "ratio", "--pue"))
    if batch_size is not None:
        values["batch_size"] = engine.Estimate.exact(batch_size)
        refs.append(user_ref("batch_size", batch_size, "sequences", "--batch-size"))
    return engine.Deployment(name=place.label, factors=tuple(refs), **values)


def default_place(model: AIModel) -> Place:
    """A model's first serving region, else the world average."""
    region = model.serving_regions.select_related("zone").order_by("slug").first()
    return Place(region=region)


def inference_coefficients(
    *,
    model: AIModel,
    place: Place,
    accelerator: Accelerator | None = None,
    batch_size: float | None = None,
    pue: float | None = None,
    on: dt.date,
    source: FactorSource = DATABASE,
) -> engine.InferenceCoefficients:
    """The engine's coefficients for ``model`` served in ``place``: what an estimate needs besides its quantities.

    Footprints are linear in tokens, units and requests, so one set of coefficients serves every quantity.
    """
    profile = model_profile(model, on, source)
    hardware = accelerator_profile(accelerator or model.serving_accelerator, on, source)
    setting = deployment(place, on, batch_size=batch_size, pue=pue, source=source)
    if model.task == "text-generation":
        return engine.text_generation_coefficients(profile, hardware, setting)
    return engine.task_coefficients(profile, hardware, setting)


def evaluate_inference(
    coefficients: engine.InferenceCoefficients,
    *,
    task: str,
    output_tokens: float,
    input_tokens: float,
    requests: float,
) -> engine.FootprintResult:
    """The footprint of ``requests`` requests with these coefficients (tokens or units are totals).

    For non-text tasks ``output_tokens`` counts functional units.
    """
    if task == "text-generation":
        return engine.evaluate(coefficients, input_tokens, output_tokens, requests)
    return engine.evaluate_units(coefficients, output_tokens, requests)


def estimate_inference(
    *,
    model: AIModel,
    output_tokens: float,
    input_tokens: float = 0.0,
    requests: float = 1.0,
    place: Place | None = None,
    accelerator: Accelerator | None = None,
    batch_size: float | None = None,
    pue: float | None = None,
    on: dt.date | None = None,
    source: FactorSource = DATABASE,
) -> engine.FootprintResult:
    """Footprint of ``requests`` requests to ``model`` (tokens are totals over all requests).

    For non-text tasks ``output_tokens`` counts functional units: images, 1k embedded tokens or seconds of audio.
    """
    coefficients = inference_coefficients(
        model=model, place=place or default_place(model), accelerator=accelerator, batch_size=batch_size, pue=pue,
        on=on or timezone.now().date(), source=source,
    )  # fmt: skip
    return evaluate_inference(
        coefficients, task=model.task, output_tokens=output_tokens, input_tokens=input_tokens, requests=requests
    )


def estimate_training(
    *,
    accelerator: Accelerator,
    accelerator_hours: float | None = None,
    accelerator_count: int | None = None,
    hours: float | None = None,
    power_watts: float | None = None,
    pue: float | None = None,
    energy_kwh: float | None = None,
    place: Place | None = None,
    on: dt.date | None = None,
    source: FactorSource = DATABASE,
) -> engine.FootprintResult:
    on = on or timezone.now().date()
    hardware = accelerator_profile(accelerator, on, source)
    setting = deployment(place or Place(), on, pue=pue, source=source)
    if accelerator_hours is None and accelerator_count is not None and hours is not None:
        accelerator_hours = accelerator_count * hours
    run = engine.TrainingRun(
        accelerator=hardware,
        accelerator_hours=accelerator_hours,
        power_w=power_watts,
        disclosed_energy_mwh=energy_kwh / 1000.0 if energy_kwh is not None else None,
        pue=setting.pue,
        grid_intensity_g_per_kwh=setting.grid_intensity_g_per_kwh,
        market_intensity_g_per_kwh=setting.market_intensity_g_per_kwh,
        wue_l_per_kwh=setting.wue_l_per_kwh,
        electricity_water_l_per_kwh=setting.electricity_water_l_per_kwh,
        factors=setting.factors,
    )
    return engine.estimate_training(run)


def estimate_training_run(run: TrainingRun, source: FactorSource = DATABASE) -> engine.FootprintResult | None:
    """Our estimate of a disclosed training run from its disclosed inputs (None when too little is disclosed)."""
    if run.accelerator is None or (run.accelerator_hours is None and run.reported_energy_mwh is None):
        return None
    place = Place(region=run.region) if run.region else Place(zone=run.zone)
    on = run.period_end or run.period_start or run.model.release_date or timezone.now().date()
    return estimate_training(
        accelerator=run.accelerator,
        accelerator_hours=run.accelerator_hours,
        power_watts=run.power_w,
        pue=run.pue,
        energy_kwh=run.reported_energy_mwh * 1000.0
        if run.accelerator_hours is None and run.reported_energy_mwh
        else None,
        place=place,
        on=on,
        source=source,
    )
