"""manage.py demo: three organisations with 24 months of varied usage, a user per role, and a few reports."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from reports.demo import DEMO_MONTHS, ORGANISATIONS, demo_months, demo_organisations_create
from reports.models import Membership, Organisation, Report, Role, Tier, UsageRecord

pytestmark = pytest.mark.django_db


def test_demo_refuses_to_run_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo")


def test_demo_creates_three_organisations_with_24_months_users_per_role_and_reports(
    settings, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo", stdout=out)
    organisations = list(Organisation.objects.order_by("slug"))
    assert [o.slug for o in organisations] == sorted(d.slug for d in ORGANISATIONS)
    expected_months = set(demo_months(timezone.localdate()))
    assert len(expected_months) == DEMO_MONTHS == 24
    for organisation in organisations:
        months = set(UsageRecord.objects.filter(organisation=organisation).values_list("month", flat=True))
        assert months == expected_months, organisation.slug
        roles = set(Membership.objects.filter(organisation=organisation, user__username__startswith=organisation.slug)
                    .values_list("role", flat=True))  # fmt: skip
        assert roles == set(Role.values)
        assert Report.objects.filter(organisation=organisation).count() == 2
        assert f"/orgs/{organisation.slug}/" in out.getvalue()
    tiers = set(UsageRecord.objects.values_list("tier", flat=True))
    assert tiers == set(Tier.values), "the demo shows every data-quality tier"
    assert Membership.objects.filter(user__username="consultant").count() == 2

    records = UsageRecord.objects.count()
    demo_organisations_create(today=timezone.localdate(), password="x-password-1")  # again: replaced, not doubled
    assert UsageRecord.objects.count() == records
