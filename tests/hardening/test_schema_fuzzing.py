"""Schema fuzzing: schemathesis against the live schema (/api/schema/, whatever operations it holds when the test
runs), every operation, as two personas: anonymous, and a token user who is a curator and the admin of an
organisation with usage, uploads and a report. No 5xx; every answer's status, content type and body are the ones
the schema documents. The app is served in-process (Django's WSGI handler, the test's database) and every path
parameter names real objects half of the time (tests/hardening/fuzzing.py).

CI-sized: ``FUZZ_EXAMPLES`` generated cases per operation in the fuzzing phase (default 50), besides the examples
and coverage phases, all from ``FUZZ_SEED`` (each operation derives its own seed from it), so a run is repeatable.
A longer run: ``FUZZ_EXAMPLES=500 FUZZ_SEED=$RANDOM pytest tests/hardening/test_schema_fuzzing.py`` (docs/hardening.md).
"""

from __future__ import annotations

import os

import pytest
import schemathesis

from emissions.models import EmissionFactor
from tests.hardening.fuzzing import (
    CHECKS,
    FUZZ_RUNS,
    fuzz_config,
    operations_of,
    run_operations,
)
from tests.reports.ingest.support import csv_bytes

pytestmark = pytest.mark.django_db

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "50"))
FUZZ_SEED = int(os.environ.get("FUZZ_SEED", "20251128"))
PERSONAS = ("anonymous", "token")


def schema_for(document: dict, wsgi_app):
    schema = schemathesis.openapi.from_dict(document, config=fuzz_config(examples=FUZZ_EXAMPLES, seed=FUZZ_SEED))
    schema.app = wsgi_app
    return schema


def test_every_path_parameter_of_the_live_schema_gets_real_identifiers(fuzz_document):
    _, unresolved = fuzz_document
    assert not unresolved, "add these to tests/hardening/fuzzing.py real_identifiers (or give them a parent list)"


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_operation_fuzzed_answers_no_5xx_and_only_what_the_schema_documents(
    fuzz_document, wsgi_app, hardening_world, persona, request
):
    document, _ = fuzz_document
    headers = hardening_world.bearer() if persona == "token" else {}
    run = run_operations(schema_for(document, wsgi_app), persona=persona, headers=headers)
    request.config.stash.setdefault(FUZZ_RUNS, []).append(run)
    expected = {f"{method.upper()} {path}" for path, method, _ in operations_of(document)}
    assert set(run.calls) == expected, "every operation of the live schema is fuzzed"
    assert all(run.calls[label] > 0 for label in expected), [label for label in expected if not run.calls[label]]
    assert not run.failures, run.report()


# -- the happy path of every operation, with real identifiers ----------------------------------------------------

CSV_MEDIA_TYPE = "text/csv"


def happy_overrides(world) -> dict[str, dict]:
    """What an operation's happy path needs beyond the first real identifiers and the schema's request example:
    the object in the right state, or a body that names this catalogue's objects. Keyed by operationId."""
    approved = EmissionFactor.objects.filter(status="approved").exclude(zone__code="US-MIDA-PJM").order_by("pk")
    uploads = world.uploads
    return {
        "factors_create": {"body": {"kind": "grid_intensity_location", "zone": "FRA", "value": 41.0,
                                    "unit": "gCO2e/kWh", "valid_from": "2025-01-01", "source": "ember-test"}},
        "estimates_training_create": {"body": {"accelerator": "nvidia-h100-sxm", "accelerator_count": 8,
                                               "hours": 100, "grid_intensity": 400}},
        "factors_impact_retrieve": {"path": {"id": world.draft_factor_id}},
        "factors_approve": {"path": {"id": world.draft_factor_id}},
        "factors_supersede": {"path": {"id": approved.first().pk}},
        "usage_uploads_create": {"media_type": CSV_MEDIA_TYPE,
                                 "body": csv_bytes([["2025-07", "google/gemini-test", "", 10, 100, 10]])},
        "usage_uploads_confirm": {"path": {"upload_id": uploads["needs_confirmation"]},
                                  "body": {"mapping": {"Gemini Tset": "google/gemini-test"}}},
        "usage_uploads_decide": {"path": {"upload_id": uploads["needs_decision"]}, "body": {"on_conflict": "merge"}},
        "usage_uploads_cancel": {"path": {"upload_id": uploads["to_cancel"]}},
        "org_usage_records_create": {"body": {"records": [
            {"month": "2025-08", "model": "meta/llama-3.1-8b", "region": "gcp/us-east4", "requests": 10,
             "input_tokens": 1_000, "output_tokens": 400}], "on_conflict": "merge"}},
        "org_usage_records_delete_months": {"query": {"month": "2025-03"}},
    }  # fmt: skip


def _first_example(content: dict):
    examples = content.get("examples") or {}
    return next(iter(examples.values()))["value"] if examples else content.get("example")


def happy_case(schema, path: str, method: str, operation: dict, override: dict):
    """The operation called with the first real identifier of each path parameter and its request example."""
    path_values = {p["name"]: p["examples"]["real"]["value"] for p in operation.get("parameters", [])
                   if p.get("in") == "path" and "examples" in p}  # fmt: skip
    path_values |= override.get("path", {})
    content = operation.get("requestBody", {}).get("content", {})
    kwargs = {}
    if "body" in override:
        kwargs = {"body": override["body"], "media_type": override.get("media_type", "application/json")}
    elif "application/json" in content and _first_example(content["application/json"]) is not None:
        kwargs = {"body": _first_example(content["application/json"]), "media_type": "application/json"}
    return schema[path][method].Case(path_parameters=path_values, query=override.get("query", {}), **kwargs)


def happy_order(item: tuple[str, str, dict]) -> int:
    """Reads first, then writes, deletes last: a write never takes away what a later happy path needs."""
    return {"get": 0, "post": 1, "put": 1, "patch": 1, "delete": 2}[item[1]]


def test_every_operation_answers_its_happy_path_with_real_identifiers(fuzz_document, wsgi_app, hardening_world):
    document, _ = fuzz_document
    schema = schema_for(document, wsgi_app)
    overrides = happy_overrides(hardening_world)
    problems = []
    for path, method, operation in sorted(operations_of(document), key=happy_order):
        case = happy_case(schema, path, method, operation, overrides.get(operation["operationId"], {}))
        response = case.call(headers=hardening_world.bearer())
        where = f"{method.upper()} {case.formatted_path} ({operation['operationId']})"
        if not 200 <= response.status_code < 300:
            problems.append(f"{where}: {response.status_code} {response.content[:300]!r}")
            continue
        try:
            case.validate_response(response, checks=CHECKS, headers=hardening_world.bearer())
        except (AssertionError, BaseExceptionGroup) as failure:
            problems.append(f"{where}: {failure}")
    assert not problems, "\n\n".join(problems)
