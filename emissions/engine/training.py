"""Training footprint: accelerator-hours x average power x PUE x grid intensity, plus embodied share.

Energy priority: a disclosed energy (MWh, taken as IT energy unless ``disclosed_energy_includes_pue``)
beats accelerator-hours x power; power priority: the run's disclosed power, else the accelerator's
measured average power, else TDP x TRAINING_POWER_FRACTION_OF_TDP. Amortisation over the requests
the model serves in its life is a separate line (``amortise_training``), never mixed into inference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import constants as C
from .estimate import SIDES, Estimate
from .profiles import AcceleratorProfile, FactorRefs, all_factors
from .results import METRICS, FootprintResult, Metrics
from .units import G_PER_KG, HOURS_PER_YEAR, WH_PER_KWH, days_to_hours, mwh_to_kwh


@dataclass(frozen=True)
class TrainingRun:
    """A training run as its maker disclosed it; empty (None) where not disclosed."""

    accelerator: AcceleratorProfile
    accelerator_hours: float | None = None
    accelerator_count: int | None = None
    duration_days: float | None = None
    power_w: Estimate | None = None  # average power per accelerator, W
    disclosed_energy_mwh: Estimate | None = None
    disclosed_energy_includes_pue: bool = False
    pue: Estimate = C.DEFAULT_PUE
    grid_intensity_g_per_kwh: Estimate = C.DEFAULT_GRID_INTENSITY_G_PER_KWH
    market_intensity_g_per_kwh: Estimate | None = None
    wue_l_per_kwh: Estimate = C.DEFAULT_WUE_L_PER_KWH
    electricity_water_l_per_kwh: Estimate = C.DEFAULT_ELECTRICITY_WATER_L_PER_KWH
    host_power_w_per_accelerator: Estimate = C.TRAINING_HOST_POWER_W  # disclosures already include it
    include_server_embodied: bool = False
    server_embodied_kgco2e: Estimate = C.SERVER_EMBODIED_KGCO2E
    factors: FactorRefs = ()

    def __post_init__(self) -> None:
        for name in (
            "power_w",
            "disclosed_energy_mwh",
            "pue",
            "grid_intensity_g_per_kwh",
            "market_intensity_g_per_kwh",
            "wue_l_per_kwh",
            "electricity_water_l_per_kwh",
            "host_power_w_per_accelerator",
            "server_embodied_kgco2e",
        ):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, Estimate.of(value))
        if self.pue.low < 1.0:
            raise ValueError("PUE must be >= 1")
        if self.market_intensity_g_per_kwh is None:
            object.__setattr__(self, "market_intensity_g_per_kwh", self.grid_intensity_g_per_kwh)
        if self.hours is None and self.disclosed_energy_mwh is None:
            raise ValueError("give accelerator_hours, accelerator_count x duration_days, or disclosed_energy_mwh")
        object.__setattr__(self, "factors", tuple(self.factors))

    @property
    def hours(self) -> float | None:
        if self.accelerator_hours is not None:
            return float(self.accelerator_hours)
        if self.accelerator_count is not None and self.duration_days is not None:
            return self.accelerator_count * days_to_hours(self.duration_days)
        return None

    def average_power(self) -> Estimate:
        if self.power_w is not None:
            return self.power_w  # type: ignore[return-value]
        if self.accelerator.average_power_w is not None:
            return Estimate.exact(self.accelerator.average_power_w)
        return C.TRAINING_POWER_FRACTION_OF_TDP.scale(self.accelerator.tdp_w)


def estimate_training(run: TrainingRun) -> FootprintResult:
    """Footprint of one training run (operational location/market, embodied, water)."""
    hours = run.hours
    power = run.average_power()
    cols: dict[str, list[float]] = {k: [] for k in ("e", "loc", "mkt", "emb", "w", "acc", "host", "fac")}
    for s in SIDES:
        pue = run.pue.pick(s)
        host_kwh = 0.0
        if run.disclosed_energy_mwh is not None:
            energy = mwh_to_kwh(run.disclosed_energy_mwh.pick(s))
            it_kwh = energy / pue if run.disclosed_energy_includes_pue else energy
            acc_kwh = it_kwh
        else:
            acc_kwh = hours * power.pick(s) / WH_PER_KWH  # type: ignore[operator]
            host_kwh = hours * run.host_power_w_per_accelerator.pick(s) / WH_PER_KWH  # type: ignore[operator]
            it_kwh = acc_kwh + host_kwh
        facility = it_kwh * pue
        emb = 0.0
        if hours is not None:
            life_h = run.accelerator.lifetime_years.reversed_for(s) * HOURS_PER_YEAR
            per_acc_g = run.accelerator.embodied_kgco2e.pick(s) * G_PER_KG
            if run.include_server_embodied:
                per_acc_g += run.server_embodied_kgco2e.pick(s) * G_PER_KG / C.ACCELERATORS_PER_SERVER
            emb = hours / life_h * per_acc_g / G_PER_KG
        loc = facility * run.grid_intensity_g_per_kwh.pick(s) / G_PER_KG
        mkt = facility * run.market_intensity_g_per_kwh.pick(s) / G_PER_KG  # type: ignore[union-attr]
        water = it_kwh * run.wue_l_per_kwh.pick(s) + facility * run.electricity_water_l_per_kwh.pick(s)
        for key, val in (
            ("e", facility),
            ("loc", loc),
            ("mkt", mkt),
            ("emb", emb),
            ("w", water),
            ("acc", acc_kwh),
            ("host", host_kwh),
            ("fac", facility - it_kwh),
        ):
            cols[key].append(val)
    est = {k: Estimate(*v) for k, v in cols.items()}
    total = est["loc"] + est["emb"]
    metrics = Metrics(est["e"], est["loc"], est["mkt"], est["emb"], total, est["w"])
    details: dict[str, Any] = {"accelerator_hours": hours, "average_power_w": power}
    return FootprintResult(
        metrics=metrics,
        accelerator_kwh=est["acc"],
        host_kwh=est["host"],
        facility_overhead_kwh=est["fac"],
        factors=all_factors(run.accelerator, run),
        details=details,
    )


def amortise_training(training: FootprintResult, lifetime_requests: Estimate | float) -> Metrics:
    """Training footprint per served request over the model's assumed life (its own line).

    More lifetime requests lower the share, so the LOW side divides by the HIGH request count.
    """
    requests = Estimate.of(lifetime_requests)
    if requests.low <= 0:
        raise ValueError("lifetime_requests must be > 0")
    m = training.metrics
    values = {}
    for name in METRICS:
        e: Estimate = getattr(m, name)
        values[name] = Estimate(e.low / requests.high, e.central / requests.central, e.high / requests.low)
    return Metrics(**values)
