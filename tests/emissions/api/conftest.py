"""Fixtures of the emissions API tests: an API client and the dashboard catalogue (footprints computed)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.vendors.dashboard_catalogue import load_dashboard_catalogue


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def catalogue(db, catalogue_dir):
    """3 text and 2 image models of 3 vendors, 2 regions, 4 zones, 2 accelerators (tests/fixtures/catalogue)."""
    load_dashboard_catalogue(catalogue_dir)
    return catalogue_dir
