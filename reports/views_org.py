"""Organisation list, members and settings pages. Thin: forms in, services out."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from reports.models import Role
from reports.permissions import organisation_view


@login_required
def organisation_list(request):
    return render(request, "reports/organisation_list.html", {})


@organisation_view(Role.ADMIN)
def members(request, organisation, membership):
    return render(request, "reports/members.html", {"organisation": organisation, "membership": membership})


@organisation_view(Role.ADMIN)
def settings_page(request, organisation, membership):
    messages.info(request, "")
    return redirect("org-members", slug=organisation.slug)
