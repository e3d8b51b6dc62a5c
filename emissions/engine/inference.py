"""Inference footprint: linear coefficients per (model, accelerator, deployment), then evaluation.

Energy is LINEAR in (input_tokens, output_tokens, requests) for a given model/accelerator/deployment:
``text_generation_coefficients`` / ``task_coefficients`` compute, for each side (low, central, high),
Wh per input token, per output token and per request (accelerator and host split), the idle and PUE
multipliers, water per kWh and embodied grams per unit. ``evaluate`` multiplies usage by them; the
batch path (batch.py) does the same over NumPy arrays with identical arithmetic.

Ranges: side LOW takes every input at the end that lowers the result (small parameter bound, large
batch, low PUE, long lifetime...), HIGH the opposite; every formula is monotone in every input, so
low <= central <= high holds by construction. Formulas: docs/methodology.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from . import constants as C
from .estimate import SIDES, Estimate
from .profiles import (
    EMBEDDINGS,
    IMAGE_GENERATION,
    SPEECH_TO_TEXT,
    TEXT_GENERATION,
    TEXT_TO_SPEECH,
    AcceleratorProfile,
    Deployment,
    ModelProfile,
    all_factors,
)
from .results import FootprintResult, Metrics
from .units import BYTES_PER_GB, G_PER_KG, JOULES_PER_WH, PARAMS_PER_BILLION, WH_PER_KWH, years_to_seconds

Triple = tuple[float, float, float]

TASK_DEFAULTS: dict[str, tuple[Estimate, bool, str]] = {
    # task: (accelerator Wh per functional unit, includes host?, unit)
    IMAGE_GENERATION: (C.IMAGE_WH_PER_IMAGE, True, "image"),
    EMBEDDINGS: (C.EMBEDDING_WH_PER_1K_TOKENS, True, "1k tokens"),
    SPEECH_TO_TEXT: (C.STT_WH_PER_AUDIO_SECOND, False, "audio second"),
    TEXT_TO_SPEECH: (C.TTS_WH_PER_AUDIO_SECOND, False, "audio second"),
}


def accelerators_needed(
    total_params_b: float, precision_bytes: float, memory_gb: float, overhead: float = C.MEMORY_OVERHEAD_FACTOR
) -> int:
    """GPUs to hold the weights: next power of two of ceil(overhead x params x bytes / memory).

    Powers of two because tensor parallelism splits attention heads evenly (EcoLogits 2025 rule).
    """
    needed = overhead * total_params_b * PARAMS_PER_BILLION * precision_bytes / (memory_gb * BYTES_PER_GB)
    count = max(1, math.ceil(needed - 1e-12))
    return 1 << (count - 1).bit_length()


def prefill_j_per_token_per_bparam(mfu: float) -> float:
    """Compute-bound prefill on the H100 reference: 2 FLOP per parameter at ``mfu`` of peak, 490 W."""
    flops_per_s = C.H100_BF16_DENSE_TFLOPS * 1e12 * mfu
    return 2.0 * PARAMS_PER_BILLION / flops_per_s * C.REFERENCE_INFERENCE_POWER_W


def decode_j_per_token(active_b: float, total_b: float, batch: float, precision_bytes: float) -> float:
    """H100-reference J per output token for the whole replica (calibration.py explains the fit).

    The weight term streams min(P_total/B, P_active) per token: a dense model reads its weights once
    per batch step; a mixture-of-experts model at large batch touches most experts every step.
    """
    weight = C.DECODE_WEIGHT_J_PER_TOKEN_PER_BPARAM * (precision_bytes / 2.0) * min(total_b / batch, active_b)
    return weight + C.DECODE_TOKEN_J_PER_TOKEN_PER_BPARAM * active_b


@dataclass(frozen=True)
class InferenceCoefficients:
    """Per-side linear coefficients; index [side][k] with k = 0 input token, 1 output token, 2 request.

    For non-text tasks the functional unit (image, 1k tokens, audio second) takes the request slot.
    """

    accelerator_wh: tuple[Triple, Triple, Triple]
    host_wh: tuple[Triple, Triple, Triple]
    idle_factor: Triple
    pue: Triple
    onsite_water_l_per_kwh: Triple  # WUE / PUE: litres on site per kWh of FACILITY energy
    embodied_g: tuple[Triple, Triple, Triple]
    grid_intensity_g_per_kwh: Triple
    market_intensity_g_per_kwh: Triple
    electricity_water_l_per_kwh: Triple
    n_accelerators: int = 1
    factors: tuple[Any, ...] = ()
    methodology_version: str = C.METHODOLOGY_VERSION
    details: dict[str, Any] = field(default_factory=dict)

    def it_wh(self, side: int) -> Triple:
        """IT energy (accelerator + host, idle overhead included) per input, output, request."""
        m = 1.0 + self.idle_factor[side]
        a, h = self.accelerator_wh[side], self.host_wh[side]
        return (a[0] * m + h[0] * m, a[1] * m + h[1] * m, a[2] * m + h[2] * m)

    def facility_wh(self, side: int) -> Triple:
        """Facility energy (IT x PUE) per input token, output token and request."""
        it = self.it_wh(side)
        p = self.pue[side]
        return (it[0] * p, it[1] * p, it[2] * p)

    def wh_per_token(self) -> Estimate:
        """Facility Wh per output token, for display (e.g. per 1,000 output tokens x 1000)."""
        return Estimate(*(self.facility_wh(s)[1] for s in SIDES))


@dataclass(frozen=True)
class ZoneFactors:
    """Grid factors of one zone and period, overriding the deployment's (batch path uses tables)."""

    grid_intensity_g_per_kwh: Estimate
    market_intensity_g_per_kwh: Estimate | None = None
    electricity_water_l_per_kwh: Estimate = C.DEFAULT_ELECTRICITY_WATER_L_PER_KWH

    def triples(self) -> tuple[Triple, Triple, Triple]:
        loc = Estimate.of(self.grid_intensity_g_per_kwh)
        mkt = Estimate.of(self.market_intensity_g_per_kwh) if self.market_intensity_g_per_kwh is not None else loc
        wat = Estimate.of(self.electricity_water_l_per_kwh)
        return loc.as_tuple(), mkt.as_tuple(), wat.as_tuple()


def _common(accelerator: AcceleratorProfile, deployment: Deployment, side: int) -> dict[str, float]:
    return {
        "host_w": deployment.host_power_w_per_accelerator.pick(side),
        "idle": deployment.idle_overhead_factor.pick(side),
        "pue": deployment.pue.pick(side),
        "wue": deployment.wue_l_per_kwh.pick(side),
        "util": deployment.utilisation.reversed_for(side),
        "lifetime_s": years_to_seconds(accelerator.lifetime_years.reversed_for(side)),
        "emb_acc_g": accelerator.embodied_kgco2e.pick(side) * G_PER_KG,
        "emb_srv_g": deployment.server_embodied_kgco2e.pick(side) * G_PER_KG,
        "req_wh": deployment.request_overhead_wh.pick(side),
    }


def _build(
    acc_j: list[Triple],
    n_acc: int,
    accelerator: AcceleratorProfile,
    deployment: Deployment,
    host_included: bool,
    factors: tuple[Any, ...],
    details: dict[str, Any],
) -> InferenceCoefficients:
    """Turn accelerator joules per (input, output, unit) into the full coefficient set."""
    acc_wh, host_wh, emb_g, idle, pue, onsite = [], [], [], [], [], []
    power = accelerator.serving_power_w
    for side in SIDES:
        c = _common(accelerator, deployment, side)
        joules = acc_j[side]
        acc_wh.append(tuple(j / JOULES_PER_WH for j in joules))
        host_ratio = 0.0 if host_included else c["host_w"] / power  # host W per accelerator W
        host = [j * host_ratio / JOULES_PER_WH for j in joules]
        host[2] += c["req_wh"]
        host_wh.append(tuple(host))
        # Replica-seconds per unit = J / (n x P); hardware embodied per replica-second shared over
        # lifetime x utilisation. n cancels: kept explicit so the formula reads as documented.
        per_s_g = (n_acc * c["emb_acc_g"] + n_acc / deployment.accelerators_per_server * c["emb_srv_g"]) / (
            c["lifetime_s"] * c["util"]
        )
        emb_g.append(tuple(j / (n_acc * power) * per_s_g for j in joules))
        idle.append(c["idle"])
        pue.append(c["pue"])
        onsite.append(c["wue"] / c["pue"])
    return InferenceCoefficients(
        accelerator_wh=tuple(acc_wh),  # type: ignore[arg-type]
        host_wh=tuple(host_wh),  # type: ignore[arg-type]
        idle_factor=tuple(idle),  # type: ignore[arg-type]
        pue=tuple(pue),  # type: ignore[arg-type]
        onsite_water_l_per_kwh=tuple(onsite),  # type: ignore[arg-type]
        embodied_g=tuple(emb_g),  # type: ignore[arg-type]
        grid_intensity_g_per_kwh=deployment.grid_intensity_g_per_kwh.as_tuple(),
        market_intensity_g_per_kwh=deployment.market_intensity_g_per_kwh.as_tuple(),  # type: ignore[union-attr]
        electricity_water_l_per_kwh=deployment.electricity_water_l_per_kwh.as_tuple(),
        n_accelerators=n_acc,
        factors=factors,
        details=details,
    )


def text_generation_coefficients(
    model: ModelProfile, accelerator: AcceleratorProfile | None = None, deployment: Deployment | None = None
) -> InferenceCoefficients:
    """Coefficients for a text-generation model served on ``accelerator`` in ``deployment``."""
    accelerator = accelerator or AcceleratorProfile()
    deployment = deployment or Deployment()
    if model.total_params_b is None or model.active_params_b is None:
        raise ValueError("text generation needs parameter counts")
    scale = accelerator.energy_scale
    acc_j: list[Triple] = []
    for side in SIDES:
        active = model.active_params_b.pick(side)
        total = model.total_params_b.pick(side)
        batch = deployment.batch_size.reversed_for(side)
        spread = C.DECODE_CALIBRATION_SPREAD.pick(side)
        mfu = C.PREFILL_MFU.reversed_for(side)
        out_j = scale * spread * decode_j_per_token(active, total, batch, model.precision_bytes)
        in_j = accelerator.compute_scale * prefill_j_per_token_per_bparam(mfu) * active
        acc_j.append((in_j, out_j, 0.0))
    n_acc = accelerators_needed(model.total_params_b.central, model.precision_bytes, accelerator.memory_gb)
    details = {
        "task": TEXT_GENERATION,
        "accelerator_energy_scale": scale,
        "j_per_output_token": Estimate(*(a[1] for a in acc_j)),
        "j_per_input_token": Estimate(*(a[0] for a in acc_j)),
    }
    return _build(acc_j, n_acc, accelerator, deployment, False, all_factors(model, accelerator, deployment), details)


def task_coefficients(
    model: ModelProfile, accelerator: AcceleratorProfile | None = None, deployment: Deployment | None = None
) -> InferenceCoefficients:
    """Coefficients per functional unit (request slot) for embeddings, images, speech tasks.

    The model's own published energy_per_unit wins; else the task default of constants.py.
    """
    accelerator = accelerator or AcceleratorProfile()
    deployment = deployment or Deployment()
    if model.task == TEXT_GENERATION:
        raise ValueError("use text_generation_coefficients for text generation")
    default, default_host, unit = TASK_DEFAULTS[model.task]
    if model.energy_per_unit_wh is not None:
        per_unit, host_included, origin = model.energy_per_unit_wh, model.energy_per_unit_includes_host, "model"
    else:
        per_unit, host_included, origin = default, default_host, "task-default"
    scale = accelerator.energy_scale
    acc_j: list[Triple] = [(0.0, 0.0, scale * per_unit.pick(s) * JOULES_PER_WH) for s in SIDES]
    n_acc = 1
    if model.total_params_b is not None:
        n_acc = accelerators_needed(model.total_params_b.central, model.precision_bytes, accelerator.memory_gb)
    details = {"task": model.task, "unit": unit, "energy_per_unit_origin": origin, "accelerator_energy_scale": scale}
    return _build(
        acc_j, n_acc, accelerator, deployment, host_included, all_factors(model, accelerator, deployment), details
    )


def tts_units_from_characters(characters: float) -> float:
    """Seconds of speech for a text of ``characters`` (TTS billed per character)."""
    return characters / C.TTS_CHARS_PER_AUDIO_SECOND


def evaluate(
    coefficients: InferenceCoefficients,
    input_tokens: float = 0.0,
    output_tokens: float = 0.0,
    requests: float = 1.0,
    zone: ZoneFactors | None = None,
    *,
    per_request_divisor: float | None = None,
) -> FootprintResult:
    """Footprint of ``requests`` requests totalling the given tokens (the per-record path)."""
    for name, value in (("input_tokens", input_tokens), ("output_tokens", output_tokens), ("requests", requests)):
        if value < 0 or not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number >= 0")
    if zone is not None:
        loc, mkt, wat = zone.triples()
    else:
        loc = coefficients.grid_intensity_g_per_kwh
        mkt = coefficients.market_intensity_g_per_kwh
        wat = coefficients.electricity_water_l_per_kwh
    cols: dict[str, list[float]] = {k: [] for k in ("e", "loc", "mkt", "emb", "tot", "w", "acc", "host", "fac", "idle")}
    for s in SIDES:
        f = coefficients.facility_wh(s)
        e_kwh = (f[0] * input_tokens + f[1] * output_tokens + f[2] * requests) / WH_PER_KWH
        co2_loc = e_kwh * loc[s] / G_PER_KG
        co2_mkt = e_kwh * mkt[s] / G_PER_KG
        g = coefficients.embodied_g[s]
        emb = (g[0] * input_tokens + g[1] * output_tokens + g[2] * requests) / G_PER_KG
        water = e_kwh * (coefficients.onsite_water_l_per_kwh[s] + wat[s])
        a, h, m = coefficients.accelerator_wh[s], coefficients.host_wh[s], 1.0 + coefficients.idle_factor[s]
        acc_active = (a[0] * input_tokens + a[1] * output_tokens + a[2] * requests) / WH_PER_KWH
        host_active = (h[0] * input_tokens + h[1] * output_tokens + h[2] * requests) / WH_PER_KWH
        it = acc_active * m + host_active * m
        for key, val in (
            ("e", e_kwh),
            ("loc", co2_loc),
            ("mkt", co2_mkt),
            ("emb", emb),
            ("tot", co2_loc + emb),
            ("w", water),
            ("acc", acc_active * m),
            ("host", host_active * m),
            ("fac", it * (coefficients.pue[s] - 1.0)),
            ("idle", (acc_active + host_active) * coefficients.idle_factor[s]),
        ):
            cols[key].append(val)
    est = {k: Estimate(*v) for k, v in cols.items()}
    metrics = Metrics(est["e"], est["loc"], est["mkt"], est["emb"], est["tot"], est["w"])
    divisor = per_request_divisor if per_request_divisor is not None else requests
    per_request = metrics.scaled(divisor) if divisor > 0 else None
    return FootprintResult(
        metrics=metrics,
        accelerator_kwh=est["acc"],
        host_kwh=est["host"],
        facility_overhead_kwh=est["fac"],
        idle_kwh=est["idle"],
        per_request=per_request,
        factors=coefficients.factors,
        methodology_version=coefficients.methodology_version,
        details=dict(coefficients.details, n_accelerators=coefficients.n_accelerators),
    )


def estimate_text_inference(
    model: ModelProfile,
    accelerator: AcceleratorProfile | None = None,
    deployment: Deployment | None = None,
    *,
    input_tokens: float = 0.0,
    output_tokens: float = 0.0,
    requests: float = 1.0,
    zone: ZoneFactors | None = None,
) -> FootprintResult:
    """One-call footprint of text-generation usage."""
    coefficients = text_generation_coefficients(model, accelerator, deployment)
    return evaluate(coefficients, input_tokens, output_tokens, requests, zone)


def estimate_task_inference(
    model: ModelProfile,
    accelerator: AcceleratorProfile | None = None,
    deployment: Deployment | None = None,
    *,
    units: float = 1.0,
    requests: float | None = None,
    zone: ZoneFactors | None = None,
) -> FootprintResult:
    """Footprint of ``units`` functional units (images, 1k tokens, audio seconds) of a non-text task."""
    return evaluate_units(task_coefficients(model, accelerator, deployment), units, requests, zone)


def evaluate_units(
    coefficients: InferenceCoefficients, units: float, requests: float | None = None, zone: ZoneFactors | None = None
) -> FootprintResult:
    """Footprint of ``units`` functional units with a non-text task's coefficients: units fill the request slot.

    ``per_request`` divides by ``requests`` when given, else by the number of units.
    """
    return evaluate(coefficients, 0.0, 0.0, units, zone, per_request_divisor=requests)
