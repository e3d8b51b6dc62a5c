"""Reads of the catalogue for pages and APIs."""

from __future__ import annotations

from django.db.models import Count, Max, QuerySet

from emissions.models import EmissionFactor
from vendors.models import Accelerator, AIModel, GridZone, Region, Vendor


def catalogue_summary() -> dict:
    """Headline counts of what the catalogue covers, and when its factors were last approved."""
    return {
        "vendors": Vendor.objects.count(),
        "models": AIModel.objects.count(),
        "tasks": AIModel.objects.values("task").distinct().count(),
        "accelerators": Accelerator.objects.count(),
        "regions": Region.objects.count(),
        "zones": GridZone.objects.count(),
        "approved_factors": EmissionFactor.objects.filter(status=EmissionFactor.Status.APPROVED).count(),
        "factors_as_of": EmissionFactor.objects.aggregate(latest=Max("approved_at"))["latest"],
    }


def vendor_list() -> QuerySet[Vendor]:
    return Vendor.objects.annotate(model_count=Count("models")).order_by("name")
