"""Writing organisations, their members and their targets."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from reports.models import Membership, Organisation, Role
from reports.services.audit import audit_record


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "organisation"
    slug, n = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def organisation_create(*, name: str, creator) -> Organisation:
    """A new organisation; its creator is its first admin."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the organisation a name."})
    organisation = Organisation.objects.create(name=name, slug=_unique_slug(name))
    Membership.objects.create(organisation=organisation, user=creator, role=Role.ADMIN)
    audit_record(actor=creator, action="organisation.create", organisation=organisation, summary=f"Created {name}")
    return organisation


def _other_admins(membership: Membership) -> bool:
    return (
        Membership.objects.filter(organisation=membership.organisation, role=Role.ADMIN)
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def membership_add(*, organisation: Organisation, username_or_email: str, role: str, actor=None) -> Membership:
    """Add an existing user (by username or e-mail) to the organisation with a role."""
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role '{role}'."})
    key = username_or_email.strip()
    users = get_user_model().objects.filter(is_active=True)
    user = users.filter(username__iexact=key).first() or users.filter(email__iexact=key).first()
    if user is None:
        raise ValidationError({"user": f"No active user with the username or e-mail '{key}'."})
    if Membership.objects.filter(organisation=organisation, user=user).exists():
        raise ValidationError({"user": f"{user.get_username()} is already a member."})
    membership = Membership.objects.create(organisation=organisation, user=user, role=role)
    audit_record(
        actor=actor, action="member.add", organisation=organisation, target=user.get_username(),
        summary=f"Added {user.get_username()} as {membership.get_role_display()}",
    )  # fmt: skip
    return membership


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, actor=None) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role '{role}'."})
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == Role.ADMIN and role != Role.ADMIN and not _other_admins(membership):
        raise ValidationError({"role": "An organisation keeps at least one admin: make someone else admin first."})
    before = membership.get_role_display()
    membership.role = role
    membership.save(update_fields=["role"])
    name = membership.user.get_username()
    audit_record(
        actor=actor, action="member.role", organisation=membership.organisation, target=name,
        summary=f"{name}: {before} → {membership.get_role_display()}",
    )  # fmt: skip
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor=None) -> None:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == Role.ADMIN and not _other_admins(membership):
        raise ValidationError({"user": "An organisation keeps at least one admin: make someone else admin first."})
    name = membership.user.get_username()
    audit_record(actor=actor, action="member.remove", organisation=membership.organisation, target=name,
                 summary=f"Removed {name} ({membership.get_role_display()})")  # fmt: skip
    membership.delete()


@transaction.atomic
def organisation_update_settings(
    *,
    organisation: Organisation,
    name: str,
    baseline_year: int | None,
    target_year: int | None,
    reduction_target_percent: Decimal | None,
    net_zero_year: int | None,
    low_carbon_threshold_g_per_kwh: int,
    actor=None,
) -> Organisation:
    """Name, targets and the low-carbon threshold. A target needs a baseline year, and one kind of target."""
    errors = {}
    if reduction_target_percent is not None and target_year is None:
        errors["target_year"] = "A reduction target needs the year it should be reached."
    if target_year is not None and reduction_target_percent is None:
        errors["reduction_target_percent"] = "Say by how much (%) emissions should fall by the target year."
    if (target_year or net_zero_year) and baseline_year is None:
        errors["baseline_year"] = "A target is measured from a baseline year."
    for field, year in (("target_year", target_year), ("net_zero_year", net_zero_year)):
        if year is not None and baseline_year is not None and year <= baseline_year:
            errors[field] = "Must come after the baseline year."
    if errors:
        raise ValidationError(errors)
    organisation.name = name.strip() or organisation.name
    organisation.baseline_year = baseline_year
    organisation.target_year = target_year
    organisation.reduction_target_percent = reduction_target_percent
    organisation.net_zero_year = net_zero_year
    organisation.low_carbon_threshold_g_per_kwh = low_carbon_threshold_g_per_kwh
    organisation.full_clean()
    organisation.save()
    target = (f"{reduction_target_percent} % by {target_year}" if target_year
              else f"net zero by {net_zero_year}" if net_zero_year else "no target")  # fmt: skip
    audit_record(
        actor=actor, action="organisation.settings", organisation=organisation,
        summary=f"Settings saved: baseline {baseline_year or '—'}, {target}, "
        f"low-carbon ≤ {low_carbon_threshold_g_per_kwh} g/kWh",
    )  # fmt: skip
    return organisation
