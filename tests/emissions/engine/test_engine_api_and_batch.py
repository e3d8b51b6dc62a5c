"""Result shape, provenance passthrough, ranges type, training amortisation, SCI and the batch path."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emissions.engine import (
    METHODOLOGY_VERSION,
    METRICS,
    AcceleratorProfile,
    Deployment,
    Estimate,
    FactorTables,
    ModelProfile,
    TrainingRun,
    ZoneFactors,
    accelerators_needed,
    amortise_training,
    estimate_batch,
    estimate_records,
    estimate_task_inference,
    estimate_text_inference,
    estimate_training,
    per_1k_output_tokens,
    per_million_tokens,
    per_month,
    sci,
    sci_of_result,
    task_coefficients,
    text_generation_coefficients,
)

REF = {
    "id": 7,
    "kind": "grid_intensity_location",
    "value": 56.0,
    "unit": "gCO2e/kWh",
    "source": "ember-2024",
    "version": 3,
}


def test_methodology_version_is_the_string_2026_11():
    assert METHODOLOGY_VERSION == "2026.11"


def test_estimate_rejects_unordered_or_non_finite_values():
    with pytest.raises(ValueError):
        Estimate(2, 1, 3)
    with pytest.raises(ValueError):
        Estimate(0, float("nan"), 1)
    assert Estimate.of(5).is_exact
    assert Estimate.from_catalogue(10, None, 12) == Estimate(10, 10, 12)
    assert (Estimate(1, 2, 3) * Estimate(2, 2, 2)) == Estimate(2, 4, 6)


def test_to_dict_has_exactly_the_documented_keys_and_is_json_serialisable():
    model = ModelProfile("m", total_params_b=8, factors=(REF,))
    result = estimate_text_inference(
        model, deployment=Deployment(factors=({"id": 9},)), input_tokens=100, output_tokens=200, requests=2
    )
    d = result.to_dict()
    assert set(d) == {*METRICS, "ranges", "breakdown", "per_request", "factors", "methodology_version"}
    assert set(d["ranges"]) == set(METRICS)
    assert all(len(v) == 2 and v[0] <= v[1] for v in d["ranges"].values())
    assert set(d["breakdown"]) == {"accelerator_kwh", "host_kwh", "facility_overhead_kwh"}
    assert set(d["per_request"]) == {*METRICS, "ranges"}
    assert d["per_request"]["energy_kwh"] == pytest.approx(d["energy_kwh"] / 2)
    assert d["factors"] == [REF, {"id": 9}]
    assert d["methodology_version"] == "2026.11"
    json.dumps(d)


def test_breakdown_sums_to_energy_and_total_is_location_plus_embodied():
    result = estimate_text_inference(ModelProfile("m", total_params_b=70), input_tokens=1000, output_tokens=500)
    for s in range(3):
        parts = result.accelerator_kwh.pick(s) + result.host_kwh.pick(s) + result.facility_overhead_kwh.pick(s)
        assert parts == pytest.approx(result.energy_kwh.pick(s), rel=1e-12)
        assert result.total_co2e_kg.pick(s) == pytest.approx(
            result.operational_co2e_kg.pick(s) + result.embodied_co2e_kg.pick(s), rel=1e-12
        )


def test_factor_references_pass_through_unchanged_and_in_order():
    class Ref:
        id, kind, value, unit, source, version = 1, "pue", 1.1, "ratio", "google-2024", 2

    ref = Ref()
    coeffs = text_generation_coefficients(
        ModelProfile("m", total_params_b=8, factors=(REF,)),
        AcceleratorProfile(factors=("acc",)),
        Deployment(factors=(ref,)),
    )
    assert coeffs.factors == (REF, "acc", ref)
    assert (
        estimate_text_inference(
            ModelProfile("m", total_params_b=8), deployment=Deployment(factors=(ref,)), output_tokens=1
        ).to_dict()["factors"][0]["source"]
        == "google-2024"
    )


@pytest.mark.parametrize(
    ("params", "bytes_", "memory", "expected"),
    [(8, 2, 80, 1), (70, 2, 80, 4), (405, 2, 80, 16), (405, 1, 80, 8), (1, 2, 80, 1), (70, 2, 40, 8)],
)
def test_accelerators_needed_rounds_up_to_a_power_of_two(params, bytes_, memory, expected):
    assert accelerators_needed(params, bytes_, memory) == expected


def test_mixture_of_experts_costs_less_than_dense_of_same_total_but_more_than_dense_of_same_active():
    dense_total = estimate_text_inference(ModelProfile("d", total_params_b=440), output_tokens=400)
    moe = estimate_text_inference(ModelProfile("m", total_params_b=440, active_params_b=44), output_tokens=400)
    dense_active = estimate_text_inference(ModelProfile("a", total_params_b=44), output_tokens=400)
    assert dense_active.energy_kwh.central < moe.energy_kwh.central < dense_total.energy_kwh.central


def test_image_generation_uses_published_measurement_before_task_default():
    measured = ModelProfile("sdxl", task="image-generation", energy_per_unit_wh=1.0)
    default = ModelProfile("unknown", task="image-generation")
    assert task_coefficients(measured).details["energy_per_unit_origin"] == "model"
    assert task_coefficients(default).details["energy_per_unit_origin"] == "task-default"
    r = estimate_task_inference(measured, units=10)
    assert r.per_request.energy_kwh.central == pytest.approx(r.energy_kwh.central / 10)
    assert r.host_kwh.central > 0  # a measured accelerator figure gets host energy added


def test_training_amortisation_is_its_own_line_and_scales_inversely_with_requests():
    run = TrainingRun(AcceleratorProfile(), accelerator_hours=1e6, power_w=700, pue=1.1, grid_intensity_g_per_kwh=400)
    training = estimate_training(run)
    assert "per_request" not in training.to_dict()
    per_req = amortise_training(training, Estimate(1e9, 1e10, 1e11))
    assert per_req.energy_kwh.central == pytest.approx(training.energy_kwh.central / 1e10)
    assert per_req.energy_kwh.low <= per_req.energy_kwh.central <= per_req.energy_kwh.high


def test_training_with_disclosed_energy_ignores_hours_times_power():
    run = TrainingRun(
        AcceleratorProfile(), accelerator_hours=1000, disclosed_energy_mwh=50, pue=1.2, grid_intensity_g_per_kwh=100
    )
    assert estimate_training(run).energy_kwh.central == pytest.approx(50_000 * 1.2)


def test_sci_formula_and_functional_units():
    assert sci(2.0, 400.0, 100.0, 10) == pytest.approx((2 * 400 + 100) / 10)
    result = estimate_text_inference(ModelProfile("m", total_params_b=8), input_tokens=1000, output_tokens=1000)
    assert per_1k_output_tokens(result, 1000).energy_kwh == result.energy_kwh
    assert per_million_tokens(result, 2000).energy_kwh.central == pytest.approx(result.energy_kwh.central * 500)
    s = sci_of_result(result, 1)
    assert s.central == pytest.approx(1000 * result.total_co2e_kg.central)
    months = per_month([("2026-01", result), ("2026-01", result), ("2026-02", result)])
    assert months["2026-01"].energy_kwh.central == pytest.approx(2 * result.energy_kwh.central)


# -- batch path ---------------------------------------------------------------------------------


def _setup(seed: int):
    rng = np.random.default_rng(seed)
    models = [
        ModelProfile("a", total_params_b=8),
        ModelProfile("b", total_params_b=(300, 440, 600), active_params_b=(30, 60, 130), precision_bytes=1),
        ModelProfile("e", task="embeddings"),
    ]
    dep = Deployment(pue=(1.1, 1.2, 1.4), wue_l_per_kwh=(0, 0.2, 1))
    coeffs = [
        text_generation_coefficients(models[0], deployment=dep),
        text_generation_coefficients(models[1]),
        task_coefficients(models[2]),
    ]
    zones = [
        [
            ZoneFactors(
                Estimate(*sorted(rng.uniform(0, 900, 3))),
                Estimate(*sorted(rng.uniform(0, 900, 3))),
                Estimate(*sorted(rng.uniform(0, 9, 3))),
            )
            for _ in range(4)
        ]
        for _ in range(5)
    ]
    return rng, coeffs, zones


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=2**31), st.integers(min_value=1, max_value=400))
def test_batch_path_equals_per_record_path_to_1e9_relative(seed, n):
    rng, coeffs, zones = _setup(seed)
    tables = FactorTables.build(coeffs, zones)
    cols = (
        rng.integers(0, 3, n),
        rng.integers(0, 100_000, n),
        rng.integers(0, 50_000, n),
        rng.integers(0, 50, n),
        rng.integers(0, 5, n),
        rng.integers(0, 4, n),
    )
    batch = estimate_batch(tables, *cols, chunk=64)
    records = estimate_records(coeffs, zones, *cols)
    for j, result in enumerate(records):
        for name in METRICS:
            expected = np.array(getattr(result, name).as_tuple())
            np.testing.assert_allclose(getattr(batch, name)[:, j], expected, rtol=1e-9, atol=0)


def test_batch_totals_keep_range_order_and_reject_bad_indices():
    rng, coeffs, zones = _setup(1)
    tables = FactorTables.build(coeffs, zones)
    n = 1000
    cols = [
        rng.integers(0, 3, n),
        rng.integers(0, 1000, n),
        rng.integers(0, 1000, n),
        np.ones(n),
        rng.integers(0, 5, n),
        rng.integers(0, 4, n),
    ]
    totals = estimate_batch(tables, *cols).totals()
    assert all(e.low <= e.central <= e.high for e in totals.values())
    cols[0] = cols[0] + 10
    with pytest.raises(IndexError):
        estimate_batch(tables, *cols)
