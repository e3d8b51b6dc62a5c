"""Reads for ingestion and the usage pages: the catalogue snapshot, conflicts, uploads, the monthly summary."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import QuerySet

from emissions import engine
from emissions.models import SpendFactor
from reports.footprint_rows import footprint_rows, spend_factors_in_force
from reports.ingest.catalogue import Catalogue, CatalogueModel
from reports.ingest.summary import MonthSummary, summarise_by_month
from reports.models import Organisation, UsageRecord, UsageUpload
from reports.services.usage import default_region
from vendors.models import AIModel, Region

ALL_TIME = (dt.date.min, dt.date.max)


def catalogue_snapshot() -> Catalogue:
    """Every model (with its default region and typical request) and region, as plain values. Three queries."""
    models = []
    for model in AIModel.objects.select_related("vendor").prefetch_related("serving_regions").order_by("slug"):
        typical = engine.TYPICAL_REQUESTS[model.task]
        region = default_region(model)
        models.append(
            CatalogueModel(
                id=model.pk,
                slug=model.slug,
                name=model.name,
                vendor_slug=model.vendor.slug,
                vendor_name=model.vendor.name,
                task=model.task,
                default_region_id=region.pk if region else None,
                typical_input_tokens=typical.input_tokens,
                typical_output_units=typical.output_units,
            )
        )
    return Catalogue(models, dict(Region.objects.values_list("slug", "pk")))


def spend_factor_keys(keys: set[tuple[str, dt.date]]) -> set[tuple[str, dt.date]]:
    """Those (currency, month) pairs that have a spend factor in force on the month's first day."""
    found = spend_factors_in_force({c for c, _ in keys}, {m for _, m in keys})
    return keys & found.keys()


def months_with_usage(organisation_id: int, months: Iterable[dt.date]) -> list[dt.date]:
    """Which of these months already hold usage records of the organisation (from any upload)."""
    return sorted(
        UsageRecord.objects.filter(organisation_id=organisation_id, month__in=list(months))
        .order_by("month")  # without it, the model's default ordering makes DISTINCT keep one row per record
        .values_list("month", flat=True)
        .distinct()
    )


def upload_conflicts(upload: UsageUpload) -> list[dt.date]:
    return months_with_usage(upload.organisation_id, [dt.date.fromisoformat(m) for m in upload.months])


def uploads_of(organisation: Organisation) -> QuerySet[UsageUpload]:
    """An organisation's uploads, newest first, without their file bytes."""
    return (
        UsageUpload.objects.filter(organisation=organisation)
        .defer("content")
        .select_related("organisation", "uploaded_by")
    )


def upload_of(organisation: Organisation, upload_id: int) -> UsageUpload | None:
    return uploads_of(organisation).filter(pk=upload_id).first()


def usage_by_month(organisation: Organisation) -> list[MonthSummary]:
    """Records, requests and tokens per month and data-quality tier, from the rollups (never raw records)."""
    return summarise_by_month(footprint_rows(organisation, *ALL_TIME))


def catalogue_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Models grouped by vendor, as (vendor name, [(slug, label)]): the options of the confirmation form."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for slug, name, vendor in AIModel.objects.order_by("vendor__name", "name").values_list(
        "slug", "name", "vendor__name"
    ):
        groups.setdefault(vendor, []).append((slug, f"{name} ({slug})"))
    return list(groups.items())


def sample_spend_currency(month: dt.date) -> str | None:
    """A currency with a spend factor in force on ``month`` (USD first), for the sample file; None if none is."""
    currencies = set(SpendFactor.objects.values_list("currency", flat=True))
    found = {currency for currency, _ in spend_factors_in_force(currencies, {month})}
    return "USD" if "USD" in found else min(found, default=None)
