"""Writing usage records: resolve each record's place and rate, store the records, re-sum the rollups."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from emissions.services.footprints import rates_ensure, rollups_rebuild
from emissions.services.recompute import first_of_month, jobs_recount
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
    rows = []
    for record in records:
        region = record.region
        if region is None:
            if record.ai_model.pk not in defaults:
                defaults[record.ai_model.pk] = default_region(record.ai_model)
            region = defaults[record.ai_model.pk]
        key = (record.ai_model.pk, region.pk if region else None, first_of_month(record.month))
        rows.append((record, region, key))
    keys = {key for _, _, key in rows}
    rates = rates_ensure(keys=keys)
    created = UsageRecord.objects.bulk_create(
        [
            UsageRecord(
                organisation=organisation, month=key[2], ai_model=record.ai_model, region=region,
                region_assumed=record.region is None, rate_id=rates[key], requests=record.requests,
                input_tokens=record.input_tokens, output_tokens=record.output_tokens,
            )
            for record, region, key in rows
        ],
        batch_size=5_000,
    )  # fmt: skip
    rollups_rebuild(organisation_id=organisation.pk, months={key[2] for key in keys})
    jobs_recount(rate_ids=rates.values())  # new rates' jobs now know the usage they cover
    return created
