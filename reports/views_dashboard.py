"""Placeholder: being written."""

from django.shortcuts import render

from reports.permissions import organisation_view


@organisation_view()
def dashboard(request, organisation, membership):
    return render(request, "reports/org_base.html", {"organisation": organisation, "membership": membership})
