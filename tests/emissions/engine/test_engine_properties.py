"""Property tests (hypothesis): monotonicity, zero usage, range order, unit round-trips."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from emissions.engine import (
    METRICS,
    AcceleratorProfile,
    Deployment,
    Estimate,
    ModelProfile,
    ZoneFactors,
    estimate_task_inference,
    estimate_text_inference,
    text_generation_coefficients,
)
from emissions.engine import units as U

tokens = st.integers(min_value=0, max_value=200_000)
params = st.floats(min_value=0.1, max_value=3000, allow_nan=False)
pues = st.floats(min_value=1.0, max_value=3.0, allow_nan=False)
intensities = st.floats(min_value=0.0, max_value=1500.0, allow_nan=False)
positive = st.floats(min_value=1e-6, max_value=1e9, allow_nan=False)


@st.composite
def estimates(draw, lo: float = 0.0, hi: float = 1e4) -> Estimate:
    values = sorted(draw(st.floats(min_value=lo, max_value=hi, allow_nan=False)) for _ in range(3))
    return Estimate(*values)


@st.composite
def models(draw) -> ModelProfile:
    total = draw(estimates(0.1, 3000))
    frac = draw(st.floats(min_value=0.02, max_value=1.0))
    active = Estimate(total.low * frac, total.central * frac, total.high * frac)
    return ModelProfile(
        "m", total_params_b=total, active_params_b=active, precision_bytes=draw(st.sampled_from([0.5, 1.0, 2.0, 4.0]))
    )


@st.composite
def deployments(draw) -> Deployment:
    return Deployment(
        pue=draw(estimates(1.0, 3.0)),
        wue_l_per_kwh=draw(estimates(0, 5)),
        grid_intensity_g_per_kwh=draw(estimates(0, 1500)),
        market_intensity_g_per_kwh=draw(estimates(0, 1500)),
        electricity_water_l_per_kwh=draw(estimates(0, 20)),
        batch_size=draw(estimates(1, 4096)),
        utilisation=draw(estimates(0.01, 1.0)),
        idle_overhead_factor=draw(estimates(0, 1)),
        host_power_w_per_accelerator=draw(estimates(0, 1000)),
    )


def _ordered(result) -> bool:
    groups = [getattr(result, m) for m in METRICS] + [
        result.accelerator_kwh,
        result.host_kwh,
        result.facility_overhead_kwh,
    ]
    return all(e.low <= e.central <= e.high for e in groups)


@settings(max_examples=150, deadline=None)
@given(models(), deployments(), tokens, tokens, st.integers(min_value=0, max_value=1000))
def test_low_le_central_le_high_for_every_metric_and_breakdown(model, deployment, n_in, n_out, n_req):
    result = estimate_text_inference(
        model, deployment=deployment, input_tokens=n_in, output_tokens=n_out, requests=n_req
    )
    assert _ordered(result)
    if result.per_request is not None:
        assert all(getattr(result.per_request, m).low <= getattr(result.per_request, m).high for m in METRICS)


@settings(max_examples=100, deadline=None)
@given(models(), tokens, tokens, st.integers(min_value=1, max_value=100_000))
def test_monotonic_in_output_and_input_tokens(model, n_in, n_out, extra):
    base = estimate_text_inference(model, input_tokens=n_in, output_tokens=n_out)
    more_out = estimate_text_inference(model, input_tokens=n_in, output_tokens=n_out + extra)
    more_in = estimate_text_inference(model, input_tokens=n_in + extra, output_tokens=n_out)
    for m in METRICS:
        b = getattr(base, m)
        assert getattr(more_out, m).central >= b.central
        assert getattr(more_in, m).central >= b.central
    assert more_out.energy_kwh.central > base.energy_kwh.central
    assert more_in.energy_kwh.central > base.energy_kwh.central


def test_prefill_token_costs_less_than_decode_token_but_is_not_free():
    coeffs = text_generation_coefficients(ModelProfile("m", total_params_b=70))
    per_in, per_out = coeffs.facility_wh(1)[0], coeffs.facility_wh(1)[1]
    assert 0 < per_in < per_out


@settings(max_examples=100, deadline=None)
@given(params, params, st.floats(min_value=1.01, max_value=10))
def test_monotonic_in_active_and_total_parameters(total, frac_seed, factor):
    active = min(total, frac_seed)
    small = estimate_text_inference(
        ModelProfile("m", total_params_b=total, active_params_b=active), output_tokens=500, input_tokens=500
    )
    big_active = estimate_text_inference(
        ModelProfile("m", total_params_b=total * factor, active_params_b=min(active * factor, total * factor)),
        output_tokens=500,
        input_tokens=500,
    )
    assert big_active.energy_kwh.central >= small.energy_kwh.central
    big_total = estimate_text_inference(
        ModelProfile("m", total_params_b=total * factor, active_params_b=active), output_tokens=500, input_tokens=500
    )
    assert big_total.energy_kwh.central >= small.energy_kwh.central


@settings(max_examples=100, deadline=None)
@given(pues, pues, intensities, intensities)
def test_monotonic_in_pue_and_grid_intensity(p1, p2, i1, i2):
    model = ModelProfile("m", total_params_b=30)
    lo_p, hi_p = sorted((p1, p2))
    lo_i, hi_i = sorted((i1, i2))
    a = estimate_text_inference(
        model, deployment=Deployment(pue=lo_p, grid_intensity_g_per_kwh=lo_i), output_tokens=300, input_tokens=100
    )
    b = estimate_text_inference(
        model, deployment=Deployment(pue=hi_p, grid_intensity_g_per_kwh=hi_i), output_tokens=300, input_tokens=100
    )
    for m in ("energy_kwh", "operational_co2e_kg", "water_l", "total_co2e_kg"):
        assert getattr(b, m).central >= getattr(a, m).central


@settings(max_examples=50, deadline=None)
@given(models(), st.integers(min_value=0, max_value=1000))
def test_zero_tokens_means_zero_token_energy(model, n_req):
    result = estimate_text_inference(model, input_tokens=0, output_tokens=0, requests=n_req)
    # default request overhead is zero, so nothing at all is consumed
    for m in METRICS:
        assert getattr(result, m).high == 0.0
    assert result.accelerator_kwh.high == 0.0


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=0, max_value=10_000), st.floats(min_value=0, max_value=1.0))
def test_task_inference_is_linear_in_units(units, overhead_wh):
    model = ModelProfile("img", task="image-generation")
    dep = Deployment(request_overhead_wh=overhead_wh)
    one = estimate_task_inference(model, deployment=dep, units=1)
    many = estimate_task_inference(model, deployment=dep, units=units)
    assert math.isclose(many.energy_kwh.central, one.energy_kwh.central * units, rel_tol=1e-9, abs_tol=1e-15)


@settings(max_examples=200)
@given(positive)
def test_unit_round_trips(x):
    pairs = [
        (U.wh_to_kwh, U.kwh_to_wh),
        (U.kwh_to_mwh, U.mwh_to_kwh),
        (U.joules_to_wh, U.wh_to_joules),
        (U.g_to_kg, U.kg_to_g),
        (U.kg_to_tonnes, U.tonnes_to_kg),
        (U.ml_to_l, U.l_to_ml),
    ]
    for there, back in pairs:
        assert math.isclose(back(there(x)), x, rel_tol=1e-12)
    assert math.isclose(U.watts_hours_to_kwh(x, 1.0), U.wh_to_kwh(x), rel_tol=1e-12)


@settings(max_examples=50, deadline=None)
@given(estimates(0, 1500), estimates(0, 1500))
def test_zone_override_changes_only_grid_dependent_metrics(loc, mkt):
    model = ModelProfile("m", total_params_b=8)
    base = estimate_text_inference(model, output_tokens=100)
    zoned = estimate_text_inference(model, output_tokens=100, zone=ZoneFactors(loc, mkt))
    assert zoned.energy_kwh == base.energy_kwh
    assert zoned.embodied_co2e_kg == base.embodied_co2e_kg
    assert math.isclose(
        zoned.operational_co2e_kg.central, base.energy_kwh.central * loc.central / 1000, rel_tol=1e-12, abs_tol=1e-18
    )


@settings(max_examples=50, deadline=None)
@given(st.floats(min_value=100, max_value=2000), st.floats(min_value=0.1, max_value=10))
def test_accelerator_with_more_joules_per_byte_uses_more_energy(tdp, bandwidth):
    model = ModelProfile("m", total_params_b=13)
    a = AcceleratorProfile("x", tdp_w=tdp, memory_bandwidth_tb_s=bandwidth)
    b = AcceleratorProfile("y", tdp_w=tdp * 1.5, memory_bandwidth_tb_s=bandwidth)
    ea = estimate_text_inference(model, a, output_tokens=100).energy_kwh.central
    eb = estimate_text_inference(model, b, output_tokens=100).energy_kwh.central
    assert eb > ea
