"""`manage.py estimate`: answers for every catalogue model and accelerator; bad input is one line and exit 2."""

import json
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import ManagementUtility

from emissions.services.catalogue import catalogue_load
from vendors.models import Accelerator, AIModel

DATA = Path(__file__).resolve().parents[3] / "data"
JSON_KEYS = {"energy_kwh", "operational_co2e_kg", "operational_co2e_market_kg", "embodied_co2e_kg", "total_co2e_kg",
             "water_l", "ranges", "breakdown", "factors", "methodology_version"}  # fmt: skip
METRICS = ["energy_kwh", "operational_co2e_kg", "operational_co2e_market_kg", "embodied_co2e_kg", "total_co2e_kg",
           "water_l"]  # fmt: skip


def run(capsys, *args: str) -> tuple[int, str, str]:
    """Run as from the shell (exit code, stderr). Django closes connections after a command run from argv;
    the test's transaction needs its connection, so that one call is neutralised."""
    code = 0
    try:
        with mock.patch("django.core.management.base.connections.close_all"):
            ManagementUtility(["manage.py", "estimate", *args]).execute()
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *args: str) -> dict:
    code, out, err = run(capsys, *args, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def assert_well_formed(data: dict) -> None:
    assert set(data) >= JSON_KEYS
    for metric in METRICS:
        low, high = data["ranges"][metric]
        assert 0 <= low <= data[metric] <= high, (metric, low, data[metric], high)
    assert set(data["breakdown"]) == {"accelerator_kwh", "host_kwh", "facility_overhead_kwh"}
    assert data["factors"], "every estimate names the factors it used"


@pytest.fixture
def catalogue(db):
    catalogue_load(data_dir=DATA)


def test_every_catalogue_model_gets_an_inference_estimate(capsys, catalogue):
    for slug in AIModel.objects.values_list("slug", flat=True):
        data = run_json(capsys, "inference", "--model", slug, "--output-tokens", "300", "--input-tokens", "500")
        assert_well_formed(data)
        assert data["energy_kwh"] > 0, slug
        assert set(data["per_request"]) >= set(METRICS)


def test_every_catalogue_accelerator_gets_a_training_estimate(capsys, catalogue):
    for slug in Accelerator.objects.values_list("slug", flat=True):
        data = run_json(capsys, "training", "--accelerator", slug, "--accelerator-hours", "1000", "--zone", "USA")
        assert_well_formed(data)
        assert data["energy_kwh"] > 0, slug


def test_gpt3_training_from_published_inputs_within_3_percent(capsys, catalogue):
    """Patterson et al. 2021, Table 4: 10,000 V100 × 14.8 days, 330 W, PUE 1.10, 429 g/kWh → 552 tCO2e."""
    data = run_json(
        capsys, "training", "--accelerator", "nvidia-v100", "--accelerator-count", "10000", "--hours",
        str(14.8 * 24), "--power-watts", "330", "--pue", "1.10", "--grid-intensity", "429",
    )  # fmt: skip
    assert data["operational_co2e_kg"] / 1000 == pytest.approx(552, rel=0.03)
    assert data["energy_kwh"] / 1000 == pytest.approx(1287, rel=0.03)


def test_region_factors_are_used_and_named(capsys, catalogue):
    data = run_json(capsys, "inference", "--model", "openai/gpt-4o", "--output-tokens", "400",
                    "--region", "azure/westeurope")  # fmt: skip
    kinds = {ref["kind"] for ref in data["factors"] if ref["id"]}
    assert {"pue", "grid_intensity_location", "active_params"} <= kinds
    assert all(ref["version"] for ref in data["factors"] if ref["id"])


def test_renewable_matching_lowers_market_based_only(capsys, catalogue):
    data = run_json(capsys, "inference", "--model", "meta/llama-3.1-70b", "--output-tokens", "400",
                    "--region", "aws/us-east-1")  # fmt: skip
    assert data["operational_co2e_market_kg"] < data["operational_co2e_kg"]


def test_overrides_change_the_result_in_the_expected_direction(capsys, catalogue):
    base = ["inference", "--model", "meta/llama-3.1-8b", "--output-tokens", "500", "--grid-intensity", "400"]
    plain = run_json(capsys, *base)
    assert run_json(capsys, *base, "--pue", "1.5")["energy_kwh"] > plain["energy_kwh"]
    assert run_json(capsys, *base, "--batch-size", "4")["energy_kwh"] > plain["energy_kwh"]
    assert run_json(capsys, *base, "--requests", "10")["energy_kwh"] == pytest.approx(10 * plain["energy_kwh"])


def test_table_output_is_readable(capsys, catalogue):
    code, out, _ = run(capsys, "inference", "--model", "meta/llama-3.1-8b", "--output-tokens", "300")
    assert code == 0
    assert "Total CO2e (location + embodied)" in out and "Per request:" in out and "Methodology" in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["inference", "--model", "meta/llama3-8b", "--output-tokens", "5"], "closest matches: meta/llama-3.1-8b"),
        (["inference", "--model", "meta/llama-3.1-8b", "--output-tokens", "-4"], "--output-tokens must be 0 or more"),
        (["inference", "--model", "meta/llama-3.1-8b", "--output-tokens", "lots"], "--output-tokens must be a number"),
        (["inference", "--model", "meta/llama-3.1-8b"], "--output-tokens"),
        (["inference", "--model", "meta/llama-3.1-8b", "--output-tokens", "5", "--region", "gcp/us-est4"],
         "closest matches: gcp/us-east4"),
        (["inference", "--model", "meta/llama-3.1-8b", "--output-tokens", "5", "--pue", "0.8"], "--pue: must be 1"),
        (["inference", "--model", "meta/llama-3.1-8b", "--output-tokens", "5", "--requests", "0"],
         "--requests must be greater than 0"),
        (["training", "--accelerator", "nvidia-h10"], "closest matches: nvidia-h100-sxm"),
        (["training", "--accelerator", "nvidia-h100-sxm"], "give --accelerator-hours"),
        (["training", "--accelerator", "nvidia-h100-sxm", "--accelerator-hours", "-1"], "--accelerator-hours must be"),
        (["training", "--accelerator", "nvidia-h100-sxm", "--accelerator-hours", "5", "--zone", "ATLANTIS"],
         "unknown zone 'ATLANTIS'"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_on_stderr_with_exit_code_2(capsys, small_catalogue, args, expected):
    code, out, err = run(capsys, *args)
    assert code == 2
    assert expected in err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err and out == ""


def test_disclosed_training_runs_are_estimated_from_their_own_inputs(catalogue):
    """Llama 2 70B (Touvron et al. 2023): 1,720,320 A100-80GB hours at 400 W, reported 291.42 tCO2e.

    The estimate uses the run's disclosed hours and power with the catalogue's USA grid intensity for the
    run's year and the default PUE range (no Meta data centre in the catalogue), so it lands near, not on, the
    reported figure: 332 t central today, 14 % above — Meta's figure implies PUE × intensity = 0.4235 kg/kWh.
    """
    from emissions.estimation import estimate_training_run
    from vendors.models import TrainingRun

    run = TrainingRun.objects.select_related("model", "accelerator", "zone", "region").get(
        model__slug="meta/llama-2-70b"
    )
    result = estimate_training_run(run)
    tonnes = result.operational_co2e_kg.scale(1 / 1000)
    assert tonnes.low <= tonnes.central <= tonnes.high
    assert tonnes.central == pytest.approx(run.reported_co2e_t_location, rel=0.20)
    assert result.energy_kwh.low == pytest.approx(1_720_320 * 400 / 1000 * 1.08)  # hours × W × lowest default PUE
