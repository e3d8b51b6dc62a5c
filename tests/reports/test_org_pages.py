"""Organisation list, creation, members and settings: what each role may do, and what the services refuse."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from reports.models import Membership, Organisation, Role

pytestmark = pytest.mark.django_db


def test_the_list_shows_only_the_users_own_organisations_with_their_role(client, people):
    client.force_login(people.outsider)
    page = client.get(reverse("org-list")).content.decode()
    assert "Globex" in page and "Acme" not in page
    client.force_login(people.viewer)
    page = client.get(reverse("org-list")).content.decode()
    assert "Acme" in page and "Globex" not in page and "Viewer" in page


def test_anonymous_visitors_are_sent_to_sign_in(client, people):
    response = client.get(reverse("org-list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_creating_an_organisation_makes_its_creator_admin_with_a_unique_slug(client, people):
    client.force_login(people.viewer)
    response = client.post(reverse("org-list"), {"name": "Acme"})
    created = Organisation.objects.exclude(pk=people.organisation.pk).get(name="Acme")
    assert created.slug == "acme-2"
    assert response.status_code == 302 and response["Location"] == reverse("org-usage", args=[created.slug])
    assert Membership.objects.get(organisation=created, user=people.viewer).role == Role.ADMIN


def test_an_empty_name_is_refused_with_a_message(client, people):
    client.force_login(people.viewer)
    response = client.post(reverse("org-list"), {"name": "   "})
    assert response.status_code == 400 and Organisation.objects.count() == 2


def test_an_admin_adds_a_member_by_email_and_changes_the_role(client, people, django_user_model):
    newcomer = django_user_model.objects.create_user("newcomer", "new@example.org", "x-password-1")
    client.force_login(people.admin)
    url = reverse("org-members", args=["acme"])
    assert client.post(url, {"action": "add", "user": "NEW@example.org", "role": "analyst"}).status_code == 302
    membership = Membership.objects.get(organisation=people.organisation, user=newcomer)
    assert membership.role == Role.ANALYST
    client.post(url, {"action": "role", "membership": membership.pk, "role": "viewer"})
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER
    client.post(url, {"action": "remove", "membership": membership.pk})
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_adding_an_unknown_user_names_the_field(client, people):
    client.force_login(people.admin)
    response = client.post(reverse("org-members", args=["acme"]), {"action": "add", "user": "nobody", "role": "viewer"})
    assert response.status_code == 400
    assert "No active user with the username or e-mail" in response.content.decode()


def test_the_last_admin_can_neither_leave_nor_be_demoted(client, people):
    client.force_login(people.admin)
    mine = Membership.objects.get(organisation=people.organisation, user=people.admin)
    url = reverse("org-members", args=["acme"])
    response = client.post(url, {"action": "role", "membership": mine.pk, "role": "viewer"})
    assert response.status_code == 400 and "at least one admin" in response.content.decode()
    client.post(url, {"action": "remove", "membership": mine.pk})
    mine.refresh_from_db()
    assert mine.role == Role.ADMIN


def test_a_membership_of_another_organisation_cannot_be_changed_from_this_one(client, people):
    client.force_login(people.admin)
    foreign = Membership.objects.get(organisation=people.other, user=people.outsider)
    response = client.post(reverse("org-members", args=["acme"]), {"action": "remove", "membership": foreign.pk})
    assert response.status_code == 404 and Membership.objects.filter(pk=foreign.pk).exists()


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_members_and_settings_need_the_admin_role(client, people, role):
    client.force_login(people.by_role(role))
    for name in ("org-members", "org-settings"):
        assert client.get(reverse(name, args=["acme"])).status_code == 403
        assert client.post(reverse(name, args=["acme"]), {"action": "add"}).status_code == 403


def test_outsiders_get_not_found_so_the_organisation_does_not_leak(client, people):
    client.force_login(people.outsider)
    for name in ("org-members", "org-settings"):
        assert client.get(reverse(name, args=["acme"])).status_code == 404
        assert client.get(reverse(name, args=["no-such-org"])).status_code == 404


def test_settings_save_a_reduction_target(client, people):
    client.force_login(people.admin)
    data = {"name": "Acme Corp", "baseline_year": 2025, "target_year": 2030, "reduction_target_percent": "42.5",
            "net_zero_year": "", "low_carbon_threshold_g_per_kwh": 120}  # fmt: skip
    assert client.post(reverse("org-settings", args=["acme"]), data).status_code == 302
    acme = Organisation.objects.get(slug="acme")
    assert (acme.name, acme.baseline_year, acme.target_year) == ("Acme Corp", 2025, 2030)
    assert acme.reduction_target_percent == Decimal("42.5") and acme.low_carbon_threshold_g_per_kwh == 120


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"target_year": 2030}, "Reduction target (%)"),
        ({"reduction_target_percent": "40"}, "Target year"),
        ({"target_year": 2024, "reduction_target_percent": "40"}, "Target year"),
        ({"baseline_year": "", "net_zero_year": 2040}, "Baseline year"),
        ({"reduction_target_percent": "140", "target_year": 2030}, "Reduction target (%)"),
    ],
)
def test_inconsistent_targets_are_refused_naming_the_field(client, people, changes, field):
    client.force_login(people.admin)
    data = {"name": "Acme", "baseline_year": 2025, "target_year": "", "reduction_target_percent": "",
            "net_zero_year": "", "low_carbon_threshold_g_per_kwh": 100, **changes}  # fmt: skip
    response = client.post(reverse("org-settings", args=["acme"]), data)
    assert response.status_code == 400 and f"{field}:" in response.content.decode()
    assert Organisation.objects.get(slug="acme").baseline_year is None


def test_a_member_of_several_organisations_can_switch_between_them(client, people):
    Membership.objects.create(organisation=people.other, user=people.viewer, role=Role.VIEWER)
    client.force_login(people.viewer)
    page = client.get(reverse("org-usage", args=["acme"])).content.decode()
    switcher = page.split('aria-label="Switch organisation"')[1].split("</nav>")[0]
    assert reverse("org-dashboard", args=["globex"]) in switcher and "Acme" not in switcher
    assert client.get(reverse("org-dashboard", args=["globex"])).status_code == 200


def test_a_member_of_one_organisation_sees_no_switcher(client, people):
    client.force_login(people.viewer)
    assert "Switch organisation" not in client.get(reverse("org-usage", args=["acme"])).content.decode()
