"""The audit trail records who did what and when, in the transaction of the change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from emissions.models import EmissionFactor, Source
from emissions.services.factors import FactorInput, factor_approve, factor_create_draft, factor_supersede
from reports.models import AuditEvent, Membership
from vendors.models import GridZone

pytestmark = pytest.mark.django_db


def test_member_changes_are_recorded_with_the_admin_who_made_them(client, people, django_user_model):
    django_user_model.objects.create_user("newcomer", "new@example.org", "x-password-1")
    client.force_login(people.admin)
    url = reverse("org-members", args=["acme"])
    client.post(url, {"action": "add", "user": "newcomer", "role": "analyst"})
    added = Membership.objects.get(user__username="newcomer")
    client.post(url, {"action": "role", "membership": added.pk, "role": "viewer"})
    client.post(url, {"action": "remove", "membership": added.pk})
    events = list(AuditEvent.objects.filter(organisation=people.organisation).order_by("id"))
    assert [e.action for e in events] == ["member.add", "member.role", "member.remove"]
    assert {e.actor for e in events} == {people.admin} and {e.target for e in events} == {"newcomer"}
    assert events[1].summary == "newcomer: Analyst → Viewer"


def test_a_refused_change_leaves_no_event(client, people):
    client.force_login(people.admin)
    mine = Membership.objects.get(organisation=people.organisation, user=people.admin)
    client.post(reverse("org-members", args=["acme"]), {"action": "remove", "membership": mine.pk})
    assert not AuditEvent.objects.exists()


def test_curation_records_draft_approval_and_supersession(small_catalogue, curator):
    zone = GridZone.objects.first()
    data = FactorInput(
        kind="grid_intensity_location", subject=zone, value=123.0, unit="gCO2e/kWh",
        valid_from=dt.date(2031, 1, 1), valid_to=None, source=Source.objects.first(),
    )  # fmt: skip
    draft = factor_create_draft(data=data, created_by=curator)
    factor_approve(factor=draft, user=curator)
    factor_supersede(factor=EmissionFactor.objects.get(pk=draft.pk), user=curator)
    events = list(AuditEvent.objects.order_by("id").values_list("action", "actor", "target"))
    assert events == [
        (a, curator.pk, f"factor #{draft.pk}") for a in ("factor.draft", "factor.approve", "factor.supersede")
    ]
    assert all(e.at is not None for e in AuditEvent.objects.all())
