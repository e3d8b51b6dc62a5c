"""One cast for every organisation test (Healthchecks' owner/member/outsider set, per role).

``people`` gives the organisation "Acme" with one member per role (admin, analyst, viewer), and an outsider who
belongs to another organisation ("Globex") only. ``usage_catalogue`` is the small test catalogue with its
footprints computed, so usage can be priced.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from reports.models import Membership, Organisation, Role
from tests.vendors.dashboard_catalogue import load_dashboard_catalogue, run_pending_jobs

PASSWORD = "a-test-password-1"


@dataclass
class People:
    organisation: Organisation
    other: Organisation
    admin: object
    analyst: object
    viewer: object
    outsider: object

    def by_role(self, role: str):
        return {"admin": self.admin, "analyst": self.analyst, "viewer": self.viewer, "outsider": self.outsider}[role]


@pytest.fixture
def people(db, django_user_model) -> People:
    acme = Organisation.objects.create(name="Acme", slug="acme")
    globex = Organisation.objects.create(name="Globex", slug="globex")
    users = {}
    for name in ("admin", "analyst", "viewer", "outsider"):
        users[name] = django_user_model.objects.create_user(f"acme-{name}", f"{name}@example.org", PASSWORD)
    for role in (Role.ADMIN, Role.ANALYST, Role.VIEWER):
        Membership.objects.create(organisation=acme, user=users[role.value], role=role)
    Membership.objects.create(organisation=globex, user=users["outsider"], role=Role.ADMIN)
    return People(acme, globex, users["admin"], users["analyst"], users["viewer"], users["outsider"])


@pytest.fixture
def usage_catalogue(db, catalogue_dir):
    """The dashboard test catalogue (3 text, 2 image models; gcp/europe-west4 and gcp/us-east4), computed."""
    load_dashboard_catalogue(catalogue_dir)
    run_pending_jobs()
    return catalogue_dir
