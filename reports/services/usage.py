"""Writing usage records: resolve each record's place and rate, store the records, re-sum the rollups."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from emissions.services.footprints import rates_ensure, rollups_rebuild
from reports.models import Organisation, UsageRecord
from vendors.models import AIModel, Region


@dataclass(frozen=True)
class UsageInput:
    month: dt.date
    ai_model: AIModel
    requests: int
    input_tokens: int = 0
    output_tokens: int = 0
    region: Region | None = None


def default_region(model: AIModel) -> Region | None:
    """Where usage of a model is assumed to run when the region is not given: its first serving region."""
    return min(model.serving_regions.all(), key=lambda r: r.slug, default=None)


@transaction.atomic
def usage_records_create(*, organisation: Organisation, records: Sequence[UsageInput]) -> list[UsageRecord]:
    """Store usage records and bring the organisation's rollups for their months up to date."""
    defaults: dict[int, Region | None] = {}
    placed = []
    for record in records:
        region = record.region
        if region is None:
            if record.ai_model.pk not in defaults:
                defaults[record.ai_model.pk] = default_region(record.ai_model)
            region = defaults[record.ai_model.pk]
        placed.append((record, region, record.region is None))
    keys = {(r.ai_model.pk, region.pk if region else None, r.month.replace(day=1)) for r, region, _ in placed}
    rates = rates_ensure(keys=keys)
    created = UsageRecord.objects.bulk_create(
        [
            UsageRecord(
                organisation=organisation, month=r.month.replace(day=1), ai_model=r.ai_model, region=region,
                region_assumed=assumed, rate_id=rates[(r.ai_model.pk, region.pk if region else None,
                                                        r.month.replace(day=1))],
                requests=r.requests, input_tokens=r.input_tokens, output_tokens=r.output_tokens,
            )
            for r, region, assumed in placed
        ],
        batch_size=5_000,
    )  # fmt: skip
    rollups_rebuild(organisation_id=organisation.pk, months={k[2] for k in keys})
    return created
