"""Fixtures of the hardening tests: a world with data to find, the app served in-process, and the live schema.

``hardening_world`` is the shared cast (tests/reports/conftest.py ``people`` and ``usage_catalogue``) plus what
the API can act on: usage for Acme, a report of it, one upload in each state an action needs, a draft factor,
and a curator who is also Acme's admin and holds an API token. ``wsgi_app`` is Django's WSGI handler as the test
client runs it: the test's transaction (one database connection) survives every request, so whatever a request
writes is rolled back with the test.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction

from emissions.models import EmissionFactor, Source
from emissions.services.factors import FactorInput, factor_create_draft
from reports.models import Membership, Role, UsageUpload
from reports.services.reports import report_generate
from reports.services.tokens import api_token_create
from reports.services.uploads import upload_submit
from reports.services.usage import UsageInput, usage_records_create
from tests.hardening.fuzzing import FUZZ_RUNS, with_real_identifiers
from tests.reports.conftest import People, people, usage_catalogue  # noqa: F401 - fixtures used here
from tests.reports.ingest.support import csv_bytes
from tests.vendors.dashboard_catalogue import run_pending_jobs
from vendors.models import AIModel, GridZone, Region

USAGE_MONTHS = (dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1))
Status = UsageUpload.Status


@dataclass
class HardeningWorld:
    """Everything the hardening tests find: the cast, the curator's token and one upload id per state."""

    people: People
    curator: object
    token: str  # the curator's raw API token: ``Authorization: Bearer <token>``
    uploads: dict[str, int] = field(default_factory=dict)  # status (and "to_cancel", waiting) -> upload id
    draft_factor_id: int = 0

    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def _submit(world_people: People, rows: list[list], *, user, filename: str, on_conflict: str = "") -> UsageUpload:
    content = csv_bytes(rows)
    return upload_submit(organisation=world_people.organisation, user=user, filename=filename, file_format="csv",
                         source=io.BytesIO(content), size_bytes=len(content), on_conflict=on_conflict)  # fmt: skip


@pytest.fixture
def hardening_world(people, usage_catalogue, curator) -> HardeningWorld:  # noqa: F811 - pytest fixtures
    """Acme with three months of usage, an upload in each state, a draft factor, and a curator-admin's token."""
    Membership.objects.create(organisation=people.organisation, user=curator, role=Role.ADMIN)
    llama, gemini = AIModel.objects.get(slug="meta/llama-3.1-8b"), AIModel.objects.get(slug="google/gemini-test")
    us_east = Region.objects.get(slug="gcp/us-east4")
    usage_records_create(organisation=people.organisation, records=[
        record
        for month in USAGE_MONTHS
        for record in (
            UsageInput(month=month, ai_model=llama, requests=1_000, input_tokens=800_000, output_tokens=300_000,
                       region=us_east),
            UsageInput(month=month, ai_model=gemini, requests=700, input_tokens=560_000, output_tokens=210_000),
        )
    ])  # fmt: skip
    run_pending_jobs()  # the usage's rates, so the report below has footprints to freeze
    report_generate(organisation=people.organisation, kind="quarterly", period_start=USAGE_MONTHS[0], user=curator)
    analyst = people.analyst
    uploads = {  # after the report: the merged March upload makes it out of date, so it can be regenerated
        Status.DONE: _submit(people, [["2025-03", "meta/llama-3.1-8b", "gcp/us-east4", 10, 1_000, 400]],
                             user=analyst, filename="march-more.csv", on_conflict="merge"),
        Status.NEEDS_CONFIRMATION: _submit(people, [["2025-05", "Gemini Tset", "", 10, 100, 10]], user=analyst,
                                           filename="close-name.csv"),
        Status.NEEDS_DECISION: _submit(people, [["2025-01", "google/gemini-test", "", 5, 50, 5]], user=analyst,
                                       filename="january-again.csv"),
        "to_cancel": _submit(people, [["2025-02", "google/gemini-test", "", 5, 50, 5]], user=analyst,
                             filename="february-again.csv"),
        Status.REJECTED: _submit(people, [["2025-06", "google/gemini-test", "", "1.5", "", ""]], user=analyst,
                                 filename="fractional.csv"),
    }  # fmt: skip
    for key, upload in uploads.items():
        assert upload.status == {"to_cancel": Status.NEEDS_DECISION}.get(key, key), (key, upload.errors)
    draft = factor_create_draft(data=FactorInput(
        kind="grid_intensity_location", subject=GridZone.objects.get(code="US-MIDA-PJM"), value=300.0,
        unit="gCO2e/kWh", valid_from=dt.date(2025, 1, 1), source=Source.objects.get(key="ember-test"),
    ))  # fmt: skip
    assert EmissionFactor.objects.filter(pk=draft.pk, status="draft").exists()
    _, raw = api_token_create(user=curator, name="hardening tests")
    return HardeningWorld(people=people, curator=curator, token=raw,
                          uploads={str(s): u.pk for s, u in uploads.items()}, draft_factor_id=draft.pk)  # fmt: skip


# -- the app, in-process ---------------------------------------------------------------------------------------


@contextmanager
def connections_kept() -> Iterator[None]:
    """What Django's test client does around a request: the request signals do not close the test's connection
    (closing it mid-transaction would break the test's rollback)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


class InProcessWsgiApp:
    """Django's WSGI handler with the test's database connection kept: a real WSGI app (CSRF, middleware, URL
    routing, error handlers as in production) that a WSGI client such as schemathesis' can call.

    Each request runs in a savepoint, rolled back when it answers 5xx: in production every request has its own
    transaction (autocommit), so a statement PostgreSQL refused in one request cannot abort the test's single
    transaction for every request after it."""

    def __init__(self):
        self.handler = WSGIHandler()

    def __call__(self, environ, start_response):
        statuses = []

        def remember_status(status, headers, exc_info=None):
            statuses.append(int(status.split(" ", 1)[0]))
            return start_response(status, headers, exc_info)

        savepoint = transaction.savepoint()
        with connections_kept():
            response = self.handler(environ, remember_status)
            try:
                body = b"".join(response)
            finally:
                response.close()  # sends request_finished, here without closing the connection
        if statuses and statuses[0] >= 500:
            transaction.savepoint_rollback(savepoint)
        else:
            transaction.savepoint_commit(savepoint)
        return [body]


@pytest.fixture
def wsgi_app() -> InProcessWsgiApp:
    return InProcessWsgiApp()


@pytest.fixture
def live_schema(wsgi_app) -> dict:
    """The OpenAPI document /api/schema/ serves now (whatever operations it holds), as JSON."""
    from werkzeug.test import Client

    response = Client(wsgi_app).get("/api/schema/", query_string={"format": "json"})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return json.loads(response.get_data())


@pytest.fixture
def fuzz_document(live_schema, wsgi_app, hardening_world) -> tuple[dict, list[str]]:
    """The live schema with real identifiers (tests/hardening/fuzzing.py), and the path parameters none could be
    found for."""
    return with_real_identifiers(live_schema, wsgi_app, hardening_world.bearer())


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """How much the schema fuzzing did: operations, requests per phase, seconds (the CI-sized budget)."""
    for run in config.stash.get(FUZZ_RUNS, []):
        terminalreporter.write_line(run.summary())
