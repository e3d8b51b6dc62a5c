"""Who may see and do what in an organisation.

Outsiders (and anonymous users, once signed in) get 404 for everything of an organisation, so its existence
does not leak; members whose role is too low get 403. Roles include the ones below them:
viewer (reads) < analyst (uploads usage, generates reports) < admin (manages members, targets, settings).
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from reports.models import Membership, Organisation, Role


def membership_for(user, slug: str) -> Membership:
    """The user's membership of the organisation with this slug; 404 when there is none (or no such org)."""
    if not user.is_authenticated:
        raise Http404("No such organisation.")
    membership = Membership.objects.select_related("organisation").filter(organisation__slug=slug, user=user).first()
    if membership is None:
        raise Http404("No such organisation.")
    return membership


def require_role(user, slug: str, role: str) -> tuple[Organisation, Membership]:
    membership = membership_for(user, slug)
    if not membership.allows(role):
        raise PermissionDenied(f"This needs the {Role(role).label.lower()} role in {membership.organisation}.")
    return membership.organisation, membership


def organisation_view(role: str = Role.VIEWER):
    """View decorator: sign-in required, then ``view(request, organisation, membership, *args, **kwargs)``."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, slug: str, *args, **kwargs):
            organisation, membership = require_role(request.user, slug, role)
            return view(request, organisation, membership, *args, **kwargs)

        return wrapped

    return decorator
