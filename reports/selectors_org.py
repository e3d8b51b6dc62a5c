"""Reads about organisations and their people."""

from __future__ import annotations

from django.db.models import QuerySet

from reports.models import Membership


def memberships_of(user) -> QuerySet[Membership]:
    """The user's memberships, organisation loaded, by organisation name."""
    return Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__name")


def members_of(organisation) -> QuerySet[Membership]:
    return Membership.objects.filter(organisation=organisation).select_related("user").order_by("user__username")
