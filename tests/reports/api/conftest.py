"""Fixtures of the organisation API tests (the ``people`` and ``usage_catalogue`` of tests/reports/conftest.py,
with usage written)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.reports.api.org_api_support import write_org_usage


@pytest.fixture
def org_usage(people, usage_catalogue):
    """Acme with the usage of ``org_api_support``; Globex with none."""
    write_org_usage(people.organisation)
    return people


@pytest.fixture(autouse=True)
def empty_cache():
    """The dashboard caches its recommendations: each test starts without them."""
    cache.clear()
    yield
    cache.clear()
