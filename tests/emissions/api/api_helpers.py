"""Helpers the API tests share (tests/vendors/api and tests/emissions/api)."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext


def problems(response) -> dict[str | None, str]:
    """The error body's problems by field, after checking the body has the one shape every 4xx has."""
    body = response.json()
    assert set(body) == {"detail", "errors"}, body
    assert body["errors"], "an error names at least one problem"
    for error in body["errors"]:
        assert set(error) == {"field", "message"} and error["message"], error
        assert error["message"] in body["detail"], "detail repeats every message"
    return {error["field"]: error["message"] for error in body["errors"]}


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


@contextmanager
def counted_queries():
    """The queries run inside the block (``len(captured)``)."""
    with CaptureQueriesContext(connection) as captured:
        yield captured


def contract_renewables(*, region: str, share: float, curator) -> None:
    """Approve a contractual renewable share for a region and recompute: its market-based CO₂e drops below the
    location-based one (the small test catalogue has no market factor, so both bases are otherwise equal)."""
    from emissions.models import Source
    from emissions.services.factors import FactorInput, factor_approve, factor_create_draft
    from tests.vendors.dashboard_catalogue import run_pending_jobs
    from vendors.models import Region

    draft = factor_create_draft(data=FactorInput(
        kind="renewable_share", subject=Region.objects.get(slug=region), value=share, unit="fraction",
        valid_from=dt.date(2023, 1, 1), source=Source.objects.get(key="google-test"),
    ))  # fmt: skip
    factor_approve(factor=draft, user=curator)
    run_pending_jobs()
