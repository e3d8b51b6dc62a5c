"""Validation against published figures. Each test names the publication it reproduces."""

from __future__ import annotations

import pytest

from emissions.engine import (
    AcceleratorProfile,
    Deployment,
    ModelProfile,
    TrainingRun,
    estimate_text_inference,
    estimate_training,
    text_generation_coefficients,
)
from emissions.engine import constants as C
from emissions.engine.calibration import POINTS, ecologits_gpu_wh_per_token, fit_decode_coefficients
from emissions.engine.units import kg_to_tonnes, kwh_to_mwh

V100 = AcceleratorProfile("nvidia-v100-sxm2-32gb", memory_gb=32, tdp_w=300, memory_bandwidth_tb_s=0.9)
A100_80 = AcceleratorProfile("nvidia-a100-sxm4-80gb", memory_gb=80, tdp_w=400, memory_bandwidth_tb_s=2.039)
H100 = AcceleratorProfile()


def within(value: float, target: float, rel: float) -> bool:
    return abs(value - target) <= rel * target


# -- Training -----------------------------------------------------------------------------------


def test_gpt3_training_matches_patterson_2021_within_3_percent():
    """Patterson et al. 2021, Table 4: GPT-3, 10,000 V100 x 14.8 days at 330 W, PUE 1.10,
    0.429 kgCO2e/kWh -> 1,287 MWh and 552 tCO2e."""
    run = TrainingRun(
        V100, accelerator_count=10_000, duration_days=14.8, power_w=330, pue=1.10, grid_intensity_g_per_kwh=429
    )
    result = estimate_training(run)
    assert within(kwh_to_mwh(result.energy_kwh.central), 1287, 0.03)
    assert within(kg_to_tonnes(result.operational_co2e_kg.central), 552, 0.03)


def test_llama2_70b_training_matches_touvron_2023_and_implied_pue_times_intensity():
    """Touvron et al. 2023, Table 2: Llama 2 70B, 1,720,320 A100-80GB GPU-hours at 400 W -> 291.42 tCO2eq.

    The figure implies PUE x intensity = 291.42 t / 688.128 MWh = 0.4235 kgCO2e per GPU-kWh.
    """
    gpu_mwh = 1_720_320 * 400 / 1e6
    assert gpu_mwh == pytest.approx(688.128)
    implied_kg_per_kwh = 291.42e3 / (gpu_mwh * 1e3)
    assert implied_kg_per_kwh == pytest.approx(0.4235, abs=5e-5)
    # Any split of that product reproduces the figure: PUE 1.0 x 423.5 g, 1.1 x 385 g, 1.2 x 352.9 g
    for pue in (1.0, 1.1, 1.2):
        run = TrainingRun(
            A100_80,
            accelerator_hours=1_720_320,
            power_w=400,
            pue=pue,
            grid_intensity_g_per_kwh=implied_kg_per_kwh * 1000 / pue,
        )
        result = estimate_training(run)
        assert within(kg_to_tonnes(result.operational_co2e_kg.central), 291.42, 0.03)


def test_training_uses_tdp_convention_when_power_not_disclosed():
    """Meta's model cards multiply GPU-hours by peak power: our central training fraction is 1.0."""
    run = TrainingRun(A100_80, accelerator_hours=1_720_320, pue=1.0, grid_intensity_g_per_kwh=423.5)
    result = estimate_training(run)
    assert within(kwh_to_mwh(result.energy_kwh.central), 688.128, 1e-9)
    assert result.energy_kwh.low < result.energy_kwh.central < result.energy_kwh.high


# -- Inference calibration ----------------------------------------------------------------------


def test_stored_decode_coefficients_equal_a_refit_of_the_calibration_points():
    fit = fit_decode_coefficients()
    assert fit.weight_j_per_bparam == pytest.approx(C.DECODE_WEIGHT_J_PER_TOKEN_PER_BPARAM, rel=0.01)
    assert fit.token_j_per_bparam == pytest.approx(C.DECODE_TOKEN_J_PER_TOKEN_PER_BPARAM, rel=0.01)
    assert fit.ratio_min == pytest.approx(C.DECODE_CALIBRATION_SPREAD.low, abs=0.01)
    assert fit.ratio_max == pytest.approx(C.DECODE_CALIBRATION_SPREAD.high, abs=0.01)


def test_calibration_covers_two_gpu_generations_and_several_models():
    assert {p.gpu for p in POINTS} >= {"H100-SXM-80GB", "A100-SXM4-40GB"}
    assert len({p.model for p in POINTS}) >= 4
    assert all(p.source for p in POINTS)


@pytest.mark.parametrize("point", POINTS, ids=lambda p: f"{p.model}-{p.gpu}-{p.software[:12]}")
def test_fitted_energy_per_output_token_within_45_percent_of_each_measurement(point):
    """Tolerance 45 %: the two H100 measurements of the same model differ by 67 % (0.12 vs 0.20 J)
    only through serving software (ML.ENERGY 2026), so no single curve can do better on both."""
    fit = fit_decode_coefficients()
    assert within(fit.predict(point), point.measured_j_per_output_token, 0.45)


def test_llama31_8b_on_h100_accelerator_energy_per_output_token_vs_ml_energy():
    """ML.ENERGY v2/v3 (2024/2025): Llama 3.1 8B, 1 x H100, batch 64 -> 0.20 J and 0.12 J per token.
    Our central must lie between them and our range must contain both."""
    model = ModelProfile("meta/llama-3.1-8b", total_params_b=8.03)
    coeffs = text_generation_coefficients(model, H100, Deployment(batch_size=64))
    j = coeffs.details["j_per_output_token"]
    assert 0.12 <= j.central <= 0.20
    assert j.low <= 0.12 and j.high >= 0.20


@pytest.mark.parametrize("params_b", [8.03, 70.6])
def test_h100_energy_per_token_within_factor_1_5_of_ecologits_fit_of_ml_energy(params_b):
    """EcoLogits (2025) fitted ML.ENERGY H100 data; at batch 64 we agree within 1.5x for 8B and 70B."""
    model = ModelProfile("m", total_params_b=params_b)
    coeffs = text_generation_coefficients(model, H100, Deployment(batch_size=64))
    ours = coeffs.details["j_per_output_token"].central
    gpus = coeffs.n_accelerators
    theirs = ecologits_gpu_wh_per_token(params_b, 64) * 3600 * gpus
    assert 1 / 1.5 <= ours / theirs <= 1.5


def test_a100_serving_costs_about_the_same_joules_per_token_as_h100():
    """Decoding is memory-bound: joules per byte (TDP / bandwidth) of A100-80GB and H100 are within 10 %."""
    model = ModelProfile("m", total_params_b=13)
    h = text_generation_coefficients(model, H100).details["j_per_output_token"].central
    a = text_generation_coefficients(model, A100_80).details["j_per_output_token"].central
    assert 0.9 <= a / h <= 1.1


# -- Vendor disclosures -------------------------------------------------------------------------

# Third-party parameter estimate for Gemini 2.5 Flash and GPT-4o (EcoLogits 0.11.3 models.json):
# 440 B total, 44-132 B active. Token counts are not disclosed; we assume a median chat prompt of
# 1,000 input and 400 output tokens (docs/methodology.md, section 6).
FRONTIER_MOE = ModelProfile("frontier-moe", total_params_b=440, active_params_b=(44, 88, 132))


@pytest.mark.parametrize(
    ("vendor", "disclosed_wh", "pue"),
    [
        ("Google Gemini median text prompt, Aug 2025 (comprehensive incl. idle, PUE)", 0.24, 1.09),
        ("OpenAI average ChatGPT query, Jun 2025", 0.34, 1.12),
    ],
)
def test_per_request_energy_brackets_vendor_disclosure(vendor, disclosed_wh, pue):
    """Documented band: the disclosure lies inside our [low, high] and our central is within 4x of it.

    We land ~2.5-3.6x above: our default batch (64) is EcoLogits', while these fleets batch more
    (and Google serves on TPUs); see docs/methodology.md section 6."""
    result = estimate_text_inference(FRONTIER_MOE, H100, Deployment(pue=pue), input_tokens=1000, output_tokens=400)
    wh = result.per_request.energy_kwh.scale(1000)
    assert wh.low <= disclosed_wh <= wh.high, vendor
    assert 1 / 4 <= wh.central / disclosed_wh <= 4, vendor


def test_google_idle_share_reproduced_by_default_idle_overhead():
    """Google (Aug 2025): idle machines are 10 % of the median prompt vs 58 % TPU + 25 % host."""
    assert C.IDLE_OVERHEAD_FACTOR.central == pytest.approx(10 / 83, abs=0.005)
