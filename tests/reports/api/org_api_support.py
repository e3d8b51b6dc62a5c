"""Helpers of the organisation API tests: clients per role, the URLs, and the usage every test starts from.

The usage: every test model in each of its serving regions (its world-average place when it has none), January to
April 2025, plus one spend-based record (USD 1,200 in February 2025, with a USD spend factor in force). Expected
figures are computed from the records themselves (``tests.reports.kpis.usage_data.record_footprint``: usage x the
rate's columns, spend x the test spend factor), never from the code under test.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from rest_framework.test import APIClient

from tests.reports.kpis.usage_data import months_from, spend_factor, write_spend, write_usage

MONTHS = months_from(dt.date(2025, 1, 1), 4)
SPEND_MONTH = dt.date(2025, 2, 1)
SPEND_AMOUNT = "1200.00"
METRICS = ("energy_kwh", "co2e_location_kg", "co2e_market_kg", "water_l")
SIDES = ("low", "central", "high")


def write_org_usage(organisation) -> None:
    write_usage(organisation, MONTHS)
    spend_factor()
    write_spend(organisation, SPEND_MONTH, SPEND_AMOUNT)


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def url(name: str, *args, slug: str = "acme", query: str = "") -> str:
    return reverse(name, args=[slug, *args]) + (f"?{query}" if query else "")


def triple(body: dict, metric: str) -> list[float]:
    return [body[metric][side] for side in SIDES]


def all_pages(client, first_url: str) -> list[dict]:
    """Every result of a paged list, following ``next``."""
    found, next_url = [], first_url
    while next_url:
        response = client.get(next_url)
        assert response.status_code == 200, response.content
        body = response.json()
        found += body["results"]
        next_url = body["next"]
    return found
