"""POST /api/v1/estimates/inference and /training: the same JSON as ``manage.py estimate … --format json`` for the
same input, and every bad input a 400 naming its field (the command's own messages for unknown slugs)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.emissions.api.api_helpers import problems

pytestmark = pytest.mark.django_db
INFERENCE = "/api/v1/estimates/inference"
TRAINING = "/api/v1/estimates/training"


def command_json(what: str, body: dict) -> dict:
    """``manage.py estimate <what> --<field> <value>… --format json``, the body's fields as the command's options."""
    options = [part for field, value in body.items() for part in (f"--{field.replace('_', '-')}", str(value))]
    out = StringIO()
    call_command("estimate", what, *options, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def command_error(what: str, body: dict) -> str:
    options = [part for field, value in body.items() for part in (f"--{field.replace('_', '-')}", str(value))]
    with pytest.raises(CommandError) as raised:
        call_command("estimate", what, *options, stdout=StringIO())
    return str(raised.value)


@pytest.mark.parametrize("body", [
    {"model": "meta/llama-3.1-8b", "output_tokens": 400, "input_tokens": 1000},
    {"model": "google/gemini-test", "output_tokens": 250, "requests": 3, "region": "gcp/europe-west4", "batch_size": 8},
    {"model": "google/gemini-test", "output_tokens": 250, "zone": "FRA", "pue": 1.3, "accelerator": "nvidia-h100-sxm"},
    {"model": "stability/sd-test", "output_tokens": 2, "grid_intensity": 100},
    {"model": "google/gemini-small-test", "output_tokens": 0, "input_tokens": 5000, "requests": 1000000},
    {"model": "Meta/Llama-3.1-8B", "output_tokens": 400, "zone": "fra", "accelerator": "NVIDIA-H100-SXM"},
    {"model": "google/gemini-test", "output_tokens": 100, "region": "GCP/Europe-West4"},
])  # fmt: skip
def test_an_inference_estimate_is_the_commands_json(api, catalogue, body):
    response = api.post(INFERENCE, body, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == command_json("inference", body)
    assert response.json()["per_request"]["energy_kwh"] > 0 or body["output_tokens"] == 0


@pytest.mark.parametrize("body", [
    {"accelerator": "nvidia-h100-sxm", "accelerator_hours": 1000, "zone": "USA"},
    {"accelerator": "nvidia-h100-sxm", "accelerator_count": 8, "hours": 24, "power_watts": 600, "pue": 1.2,
     "grid_intensity": 300},
    {"accelerator": "google-tpu-v5e", "energy_kwh": 5000, "region": "gcp/us-east4"},
])  # fmt: skip
def test_a_training_estimate_is_the_commands_json(api, catalogue, body):
    response = api.post(TRAINING, body, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == command_json("training", body)
    assert response.json()["energy_kwh"] > 0


def test_requests_multiply_per_request_tokens(api, catalogue):
    one = api.post(INFERENCE, {"model": "meta/llama-3.1-8b", "output_tokens": 400}, format="json").json()
    ten = api.post(INFERENCE, {"model": "meta/llama-3.1-8b", "output_tokens": 400, "requests": 10}, format="json")
    assert ten.json()["energy_kwh"] == pytest.approx(10 * one["energy_kwh"])
    assert ten.json()["per_request"]["energy_kwh"] == pytest.approx(one["energy_kwh"])


@pytest.mark.parametrize("what, body", [
    ("inference", {"model": "meta/llama-3", "output_tokens": 400}),
    ("inference", {"model": "meta/llama-3.1-8b", "output_tokens": 400, "region": "gcp/us-east"}),
    ("inference", {"model": "meta/llama-3.1-8b", "output_tokens": 400, "accelerator": "nvidia-h100"}),
    ("training", {"accelerator": "nvidia", "accelerator_hours": 10}),
    ("training", {"accelerator": "nvidia-h100-sxm", "accelerator_hours": 10, "zone": "FRANCE"}),
])  # fmt: skip
def test_an_unknown_slug_is_a_400_with_the_commands_message_and_suggestions(api, catalogue, what, body):
    response = api.post(f"/api/v1/estimates/{what}", body, format="json")
    assert response.status_code == 400
    [(field, message)] = problems(response).items()
    assert command_error(what, body) == f"--{field.replace('_', '-')}: {message}"
    assert "unknown" in message


@pytest.mark.parametrize("changes, field, says", [
    ({"output_tokens": "NaN"}, "output_tokens", "finite number"),
    ({"output_tokens": "Infinity"}, "output_tokens", "finite number"),
    ({"output_tokens": "-Infinity"}, "output_tokens", "finite number"),
    ({"output_tokens": -1}, "output_tokens", "greater than or equal to 0"),
    ({"output_tokens": 1e16}, "output_tokens", "at most 1e+15"),
    ({"output_tokens": "1e400"}, "output_tokens", "finite number"),
    ({"output_tokens": "lots"}, "output_tokens", "finite number"),
    ({"output_tokens": [400]}, "output_tokens", "finite number"),
    ({"output_tokens": True}, "output_tokens", "not true or false"),
    ({"output_tokens": None}, "output_tokens", "may not be null"),
    ({"input_tokens": -0.5}, "input_tokens", "greater than or equal to 0"),
    ({"requests": 0}, "requests", "greater than 0"),
    ({"batch_size": 0}, "batch_size", "greater than 0"),
    ({"pue": 0.9}, "pue", "greater than or equal to 1"),
    ({"grid_intensity": -3}, "grid_intensity", "greater than or equal to 0"),
    ({"region": "gcp/us-east4", "zone": "FRA"}, "zone", "not both region and zone"),
    ({"zone": "FRA", "grid_intensity": 50}, "grid_intensity", "not both zone and grid_intensity"),
    ({"model": ""}, "model", "may not be blank"),
    ({"model": 42}, "model", "unknown model '42'"),
])  # fmt: skip
def test_bad_inference_input_is_a_400_naming_the_field(api, catalogue, changes, field, says):
    body = {"model": "meta/llama-3.1-8b", "output_tokens": 400} | changes
    response = api.post(INFERENCE, body, format="json")
    assert response.status_code == 400, response.content
    assert says in problems(response)[field]


def test_a_missing_required_field_is_named(api, catalogue):
    found = problems(api.post(INFERENCE, {}, format="json"))
    assert set(found) == {"model", "output_tokens"} and "required" in found["model"]


@pytest.mark.parametrize("changes, field, says", [
    ({"accelerator_hours": None}, "accelerator_hours", "or energy_kwh"),
    ({"accelerator_hours": None, "accelerator_count": 8}, "accelerator_hours", "with hours"),
    ({"accelerator_count": 1.5}, "accelerator_count", "valid integer"),
    ({"accelerator_count": -2}, "accelerator_count", "greater than or equal to 0"),
    ({"power_watts": 0}, "power_watts", "greater than 0"),
    ({"energy_kwh": "NaN"}, "energy_kwh", "finite number"),
    ({"hours": 1e300}, "hours", "at most 1e+15"),
])  # fmt: skip
def test_bad_training_input_is_a_400_naming_the_field(api, catalogue, changes, field, says):
    body = {"accelerator": "nvidia-h100-sxm", "accelerator_hours": 100} | changes
    response = api.post(TRAINING, {k: v for k, v in body.items() if v is not None}, format="json")
    assert response.status_code == 400, response.content
    assert says in problems(response)[field]


@pytest.mark.parametrize(
    "raw",
    [
        '{"model": "meta/llama-3.1-8b", "output_tokens": NaN}',
        '{"model": "meta/llama-3.1-8b", "output_tokens": Infinity}',
        "[400]",
        "not json",
    ],
)
def test_a_body_that_is_not_a_json_object_is_a_400(api, catalogue, raw):
    response = api.post(INFERENCE, raw, content_type="application/json")
    assert response.status_code == 400
    assert None in problems(response)


def test_estimates_need_no_account_and_answer_only_post(api, catalogue):
    assert api.post(INFERENCE, {"model": "meta/llama-3.1-8b", "output_tokens": 1}, format="json").status_code == 200
    response = api.get(INFERENCE)
    assert response.status_code == 405 and "GET" in problems(response)[None]
