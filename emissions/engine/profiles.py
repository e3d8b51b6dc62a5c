"""Frozen input dataclasses: what is estimated (model), on what (accelerator), where (deployment).

Every field has a documented default from constants.py and can be overridden per deployment. Ranged
fields accept a number, a (low, central, high) triple or an ``Estimate``; they are stored as
Estimates. ``factors`` is a tuple of opaque factor references (dicts or objects with id, kind,
value, unit, source, version) that the engine never reads and every result carries unchanged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

from . import constants as C
from .estimate import Estimate

FactorRefs = tuple[Any, ...]

TEXT_GENERATION = "text-generation"
EMBEDDINGS = "embeddings"
IMAGE_GENERATION = "image-generation"
SPEECH_TO_TEXT = "speech-to-text"
TEXT_TO_SPEECH = "text-to-speech"
TASKS = (TEXT_GENERATION, EMBEDDINGS, IMAGE_GENERATION, SPEECH_TO_TEXT, TEXT_TO_SPEECH)


def _coerce_estimates(obj: Any, names: tuple[str, ...], *, minimum: float = 0.0) -> None:
    for name in names:
        value = getattr(obj, name)
        if value is None:
            continue
        est = Estimate.of(value)
        if est.low < minimum:
            raise ValueError(f"{type(obj).__name__}.{name} must be >= {minimum}, got {est}")
        object.__setattr__(obj, name, est)


def _coerce_factors(obj: Any) -> None:
    object.__setattr__(obj, "factors", tuple(obj.factors))


@dataclass(frozen=True)
class ModelProfile:
    """An AI model. Parameters in billions; closed models carry third-party ranges."""

    name: str = "model"
    task: str = TEXT_GENERATION
    total_params_b: Estimate | None = None
    active_params_b: Estimate | None = None  # defaults to total (dense)
    energy_per_unit_wh: Estimate | None = None  # measured accelerator Wh per functional unit
    energy_per_unit_includes_host: bool = False  # True when measured with CPU+RAM (CodeCarbon)
    precision_bytes: float = C.DEFAULT_PRECISION_BYTES
    factors: FactorRefs = ()

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ValueError(f"unknown task {self.task!r}; expected one of {TASKS}")
        _coerce_estimates(self, ("total_params_b", "active_params_b", "energy_per_unit_wh"))
        if self.active_params_b is None and self.total_params_b is not None:
            object.__setattr__(self, "active_params_b", self.total_params_b)
        if self.total_params_b is None and self.active_params_b is not None:
            object.__setattr__(self, "total_params_b", self.active_params_b)
        if self.task == TEXT_GENERATION and self.total_params_b is None:
            raise ValueError("a text-generation model needs total_params_b (or active_params_b)")
        if self.total_params_b is not None and self.active_params_b is not None:
            t, a = self.total_params_b, self.active_params_b
            if a.low > t.low or a.central > t.central or a.high > t.high:
                # MoE: active <= total bound by bound; clip rather than fail on inconsistent ranges
                object.__setattr__(
                    self, "total_params_b", Estimate(max(t.low, a.low), max(t.central, a.central), max(t.high, a.high))
                )
        if not (self.precision_bytes > 0 and math.isfinite(self.precision_bytes)):
            raise ValueError("precision_bytes must be > 0")
        _coerce_factors(self)


@dataclass(frozen=True)
class AcceleratorProfile:
    """One accelerator card (GPU/TPU/ASIC) as the catalogue describes it."""

    name: str = C.REFERENCE_ACCELERATOR
    memory_gb: float = C.H100_MEMORY_GB
    tdp_w: float = C.H100_TDP_W
    average_power_w: float | None = None  # measured average board power under load
    embodied_kgco2e: Estimate = C.H100_EMBODIED_KGCO2E
    lifetime_years: Estimate = C.HARDWARE_LIFETIME_YEARS
    memory_bandwidth_tb_s: float | None = None  # None: assume H100-like joules per byte
    factors: FactorRefs = ()

    def __post_init__(self) -> None:
        for name in ("memory_gb", "tdp_w"):
            if not getattr(self, name) > 0:
                raise ValueError(f"AcceleratorProfile.{name} must be > 0")
        if self.average_power_w is not None and not self.average_power_w > 0:
            raise ValueError("average_power_w must be > 0 when given")
        if self.memory_bandwidth_tb_s is not None and not self.memory_bandwidth_tb_s > 0:
            raise ValueError("memory_bandwidth_tb_s must be > 0 when given")
        _coerce_estimates(self, ("embodied_kgco2e",))
        _coerce_estimates(self, ("lifetime_years",), minimum=1e-9)
        if self.lifetime_years.low <= 0:
            raise ValueError("lifetime_years must be > 0")
        _coerce_factors(self)

    @property
    def serving_power_w(self) -> float:
        """Average power while serving: measured if known, else TDP x the documented fraction."""
        if self.average_power_w is not None:
            return float(self.average_power_w)
        return self.tdp_w * C.INFERENCE_POWER_FRACTION_OF_TDP.central

    @property
    def energy_scale(self) -> float:
        """Energy per token relative to the H100 reference (joules per byte of memory traffic).

        With a known memory bandwidth: (serving power / bandwidth) relative to H100's. Without it we
        assume H100-class joules per byte (ratio 1.0), which holds within ~25 % for A100/H100/H200/B200
        datasheets; docs/methodology.md discusses it.
        """
        if self.memory_bandwidth_tb_s is None:
            return 1.0
        reference = C.REFERENCE_INFERENCE_POWER_W / C.H100_MEMORY_BANDWIDTH_TB_S
        return (self.serving_power_w / self.memory_bandwidth_tb_s) / reference

    @property
    def compute_scale(self) -> float:
        """Prefill energy relative to H100: unknown peak FLOPS, so power relative to H100 (assumption)."""
        if self.memory_bandwidth_tb_s is None:
            return 1.0
        return self.energy_scale  # newer parts raise FLOPS and bandwidth together (datasheets)


@dataclass(frozen=True)
class Deployment:
    """Where and how a model is served. Every factor overridable; defaults from constants.py."""

    name: str = "default"
    pue: Estimate = C.DEFAULT_PUE
    wue_l_per_kwh: Estimate = C.DEFAULT_WUE_L_PER_KWH
    grid_intensity_g_per_kwh: Estimate = C.DEFAULT_GRID_INTENSITY_G_PER_KWH
    market_intensity_g_per_kwh: Estimate | None = None  # None: falls back to location-based
    electricity_water_l_per_kwh: Estimate = C.DEFAULT_ELECTRICITY_WATER_L_PER_KWH
    batch_size: Estimate = C.DEFAULT_BATCH_SIZE
    utilisation: Estimate = C.FLEET_UTILISATION
    idle_overhead_factor: Estimate = C.IDLE_OVERHEAD_FACTOR
    host_power_w_per_accelerator: Estimate = C.HOST_POWER_W_PER_ACCELERATOR
    server_embodied_kgco2e: Estimate = C.SERVER_EMBODIED_KGCO2E
    accelerators_per_server: int = C.ACCELERATORS_PER_SERVER
    request_overhead_wh: Estimate = C.REQUEST_OVERHEAD_WH
    factors: FactorRefs = ()

    def __post_init__(self) -> None:
        _coerce_estimates(
            self,
            (
                "wue_l_per_kwh",
                "grid_intensity_g_per_kwh",
                "market_intensity_g_per_kwh",
                "electricity_water_l_per_kwh",
                "idle_overhead_factor",
                "host_power_w_per_accelerator",
                "server_embodied_kgco2e",
                "request_overhead_wh",
            ),
        )
        _coerce_estimates(self, ("pue",), minimum=1.0)
        _coerce_estimates(self, ("batch_size",), minimum=1.0)
        _coerce_estimates(self, ("utilisation",), minimum=1e-6)
        if self.utilisation.high > 1.0:
            raise ValueError("utilisation must be within (0, 1]")
        if self.market_intensity_g_per_kwh is None:
            object.__setattr__(self, "market_intensity_g_per_kwh", self.grid_intensity_g_per_kwh)
        if self.accelerators_per_server < 1:
            raise ValueError("accelerators_per_server must be >= 1")
        _coerce_factors(self)

    def with_overrides(self, **changes: Any) -> Deployment:
        """A copy with some factors replaced (e.g. a zone's grid intensity)."""
        known = {f.name for f in fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise TypeError(f"unknown Deployment fields: {sorted(unknown)}")
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Deployment(**values)


def all_factors(*sources: Any, extra: FactorRefs = ()) -> FactorRefs:
    """Concatenate the factor references of several inputs, unchanged and in order."""
    out: list[Any] = []
    for src in sources:
        out.extend(getattr(src, "factors", ()) or ())
    out.extend(extra or ())
    return tuple(out)
