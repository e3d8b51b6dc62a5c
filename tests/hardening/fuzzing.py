"""The schema fuzzer's machinery: the live schema with real identifiers, the checks, and one run per persona.

Real identifiers: a fuzzer that only invents slugs and ids meets 404 on every detail path and never reaches the
code behind it. Each path parameter of the live schema gets the identifiers of the test world's objects (found by
the collection the parameter follows in the path: ``/factors/{id}/`` -> factor ids): as its example (what the
examples phase sends) and as one branch of its schema (``anyOf: [{enum: real ids}, original]``), so fuzzing draws
a real object about half the time and an invented identifier otherwise. A parameter of a collection the table
does not know (a route added since) gets the ``id`` (or same-named) fields of its parent list, read as the token
persona; one that still finds nothing is fuzzed with invented values only and listed by ``unresolved``.

Running: ``schemathesis.pytest.from_fixture`` (the lazy loader that fuzzes a schema built in a fixture) sets
``Function._nodeid``, which pytest 9.2 no longer has; ``run_operations`` runs the very same per-operation tests
(``schemathesis.pytest.lazy.get_all_tests``: the examples, coverage and fuzzing phases from the config) in a
loop and collects every operation's failures instead of stopping at the first.
"""

from __future__ import annotations

import copy
import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.pytest.lazy import get_all_tests
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import Client

from emissions.models import EmissionFactor, Source
from reports.models import Organisation, Report, UsageRecord, UsageUpload
from vendors.models import Accelerator, AIModel, GridZone, Region, Vendor

FUZZ_RUNS = pytest.StashKey[list]()  # every FuzzRun of the session, for the terminal summary (conftest.py)
# No 5xx; every answer's body matches its documented schema, with a documented status and content type.
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]
METHODS = ("get", "put", "post", "patch", "delete")
PARAMETER = re.compile(r"\{([^}]+)\}")


# -- real identifiers ------------------------------------------------------------------------------------------


def real_identifiers() -> dict[tuple[str, str], list]:
    """(collection, parameter) -> identifiers of real objects, first the one the examples phase sends."""
    model_parts = [m.slug.split("/", 1) for m in AIModel.objects.order_by("slug")]
    region_parts = [r.slug.split("/", 1) for r in Region.objects.order_by("slug")]
    factors = EmissionFactor.objects.order_by("-status", "pk")  # drafts first, then approved, then superseded
    model_values = {"vendor": _unique(v for v, _ in model_parts), "model": _unique(m for _, m in model_parts)}
    return {
        ("vendors", "slug"): list(Vendor.objects.order_by("slug").values_list("slug", flat=True)),
        ("accelerators", "slug"): list(Accelerator.objects.order_by("slug").values_list("slug", flat=True)),
        **{("models", name): values for name, values in model_values.items()},
        **{("labels", name): values for name, values in model_values.items()},
        ("regions", "operator"): _unique(operator for operator, _ in region_parts),
        ("regions", "code"): _unique(code for _, code in region_parts),
        ("zones", "code"): list(GridZone.objects.order_by("code").values_list("code", flat=True)),
        ("factors", "id"): list(factors.values_list("pk", flat=True)[:20]),
        ("sources", "key"): list(Source.objects.order_by("key").values_list("key", flat=True)),
        ("orgs", "slug"): list(Organisation.objects.order_by("slug").values_list("slug", flat=True)),
        ("uploads", "upload_id"): list(UsageUpload.objects.order_by("pk").values_list("pk", flat=True)),
        ("records", "record_id"): list(UsageRecord.objects.order_by("pk").values_list("pk", flat=True)[:20]),
        ("reports", "report_id"): list(Report.objects.order_by("pk").values_list("pk", flat=True)),
    }


def _unique(values) -> list:
    return list(dict.fromkeys(values))


def collection_of(path: str, parameter: str) -> str:
    """The literal path segment nearest before the parameter: /models/{vendor}/{model}/ -> models for both,
    /orgs/{slug}/reports/{report_id}.csv -> reports."""
    before = path[: path.index("{" + parameter + "}")]
    literals = [segment for segment in before.split("/") if segment and "{" not in segment]
    return literals[-1] if literals else ""


def operations_of(document: dict):
    """(path, method, operation) of every operation of an OpenAPI document."""
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def path_parameters(operation: dict) -> list[dict]:
    return [p for p in operation.get("parameters", []) if p.get("in") == "path"]


def harvest_from_parent_list(wsgi_app, headers: dict, path: str, parameter: str, known: dict) -> list:
    """Identifiers from the list the parameter's collection is: GET the path up to the parameter's segment."""
    before = path[: path.index("{" + parameter + "}")]
    parent = before[: before.rindex("/") + 1]
    for name in PARAMETER.findall(parent):
        values = known.get((collection_of(path, name), name))
        if not values:
            return []
        parent = parent.replace("{" + name + "}", str(values[0]))
    response = Client(wsgi_app).get(parent, headers=headers)
    if response.status_code != 200 or "json" not in (response.content_type or ""):
        return []
    body = json.loads(response.get_data())
    items = body.get("results", []) if isinstance(body, dict) else body
    return _unique(item.get(parameter, item.get("id")) for item in items if isinstance(item, dict))


def with_real_identifiers(document: dict, wsgi_app, headers: dict) -> tuple[dict, list[str]]:
    """A copy of the schema whose path parameters name real objects (see the module docstring), and the
    ``METHOD path parameter`` of those it found no identifier for."""
    document = copy.deepcopy(document)
    known = real_identifiers()
    unresolved = []
    for path, method, operation in operations_of(document):
        for parameter in path_parameters(operation):
            key = (collection_of(path, parameter["name"]), parameter["name"])
            if key not in known:
                known[key] = harvest_from_parent_list(wsgi_app, headers, path, parameter["name"], known)
            values = known[key]
            if not values:
                unresolved.append(f"{method.upper()} {path} {parameter['name']}")
                continue
            parameter["schema"] = {"anyOf": [{"enum": values}, parameter.get("schema", {"type": "string"})]}
            parameter.pop("example", None)
            parameter["examples"] = {"real": {"value": values[0]}}
    return document, unresolved


# -- running ---------------------------------------------------------------------------------------------------


def fuzz_config(*, examples: int, seed: int) -> schemathesis.Config:
    """Every phase but stateful (examples, coverage, fuzzing), valid and invalid data, repeatable runs."""
    return schemathesis.Config.from_dict({
        "seed": seed,
        "generation": {"max-examples": examples, "mode": "all", "database": "none"},
        "phases": {"stateful": {"enabled": False}},
    })  # fmt: skip


@dataclass
class FuzzRun:
    """What one persona's run did: calls and statuses per operation, and each failing operation's report."""

    persona: str
    calls: Counter = field(default_factory=Counter)  # operation label -> requests sent
    statuses: dict[str, Counter] = field(default_factory=dict)  # operation label -> status -> count
    phases: Counter = field(default_factory=Counter)  # phase (examples, coverage, fuzzing) -> requests sent
    failures: dict[str, str] = field(default_factory=dict)  # operation label -> schemathesis' report
    timings: dict[str, float] = field(default_factory=dict)  # operation label -> seconds
    seconds: float = 0.0

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    def summary(self) -> str:
        phases = ", ".join(f"{count:,} {phase}" for phase, count in sorted(self.phases.items()))
        return (
            f"schema fuzzing as {self.persona}: {len(self.calls)} operations, {self.total_calls:,} requests "
            f"({phases}) in {self.seconds:.0f} s, {len(self.failures)} operation(s) failing"
        )

    def report(self) -> str:
        lines = [f"{len(self.failures)} operation(s) failed as {self.persona}:"]
        for label, text in self.failures.items():
            lines += ["", f"=== {label} ({self.calls[label]} calls: {dict(self.statuses.get(label, {}))})", text]
        return "\n".join(lines)


def run_operations(schema, *, persona: str, headers: dict) -> FuzzRun:
    """Fuzz every operation of the schema (each with its own repeatable seed), collecting every failure."""
    run = FuzzRun(persona)

    def call_and_check(case):
        response = case.call(headers=headers)
        label = case.operation.label
        run.calls[label] += 1
        run.statuses.setdefault(label, Counter())[response.status_code] += 1
        run.phases[case.meta.phase.name.value if case.meta else "explicit"] += 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    started = time.monotonic()
    for result in get_all_tests(schema=schema, test_func=call_and_check, settings=None, given_kwargs=None):
        if not isinstance(result, Ok):  # an operation the schema cannot describe: a finding as well
            error = result.err()
            run.failures[f"{(error.method or '').upper()} {error.path}"] = f"Invalid schema: {error}"
            continue
        operation, test = result.ok()
        run.calls[operation.label] += 0
        began = time.monotonic()
        try:
            test()
        except (Exception, BaseExceptionGroup) as failure:  # noqa: BLE001 - every operation's failure is reported
            run.failures[operation.label] = _failure_text(failure)
        run.timings[operation.label] = time.monotonic() - began
    run.seconds = time.monotonic() - started
    return run


def _failure_text(failure: BaseException) -> str:
    """schemathesis' own report (check, request as curl, response), or the exception of an unexpected error."""
    text = str(failure)
    notes = "\n".join(getattr(failure, "__notes__", []))
    return f"{type(failure).__name__}: {text}\n{notes}".strip()
