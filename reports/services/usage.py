"""Writing usage records: resolve each record's place and rate, store the records, re-sum the rollups.

Two entry points, one rule: ``usage_records_create`` for a few records given as objects (demo data, tests), and
``usage_batch_write`` for an upload's checked ``RecordBatch`` (up to a million records, streamed with COPY on
PostgreSQL). Both end the same way: the rates the records need exist (``rates_ensure``), the organisation's
rollups for the months written are re-summed (``rollups_rebuild``), and the jobs of new rates are recounted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from emissions.services.footprints import rates_ensure, rollups_rebuild
from emissions.services.recompute import first_of_month, jobs_recount
from reports.ingest.batch import NO_SPEND, RecordBatch
from reports.ingest.limits import SPEND_DECIMALS
from reports.models import Organisation, Tier, UsageRecord, UsageUpload
from vendors.models import AIModel, Region

COPY_MIN_RECORDS = 2_000  # PostgreSQL: from this many records, COPY (one stream) instead of INSERTs
INSERT_BATCH = 5_000  # records per bulk_create: bounded memory on SQLite and for small writes
COPY_CHUNK = 20_000  # records formatted per write to the COPY stream
NULL = "\\N"  # COPY text format
COPY_SQL = (
    "COPY reports_usagerecord (organisation_id, month, ai_model_id, region_id, region_assumed, rate_id, tier, "
    "requests, input_tokens, output_tokens, spend, currency, upload_id, source_row, created_at) FROM STDIN"
)


@dataclass(frozen=True)
class UsageInput:
    month: dt.date
    ai_model: AIModel
    requests: int
    input_tokens: int = 0
    output_tokens: int = 0
    region: Region | None = None
    tier: str = Tier.TOKEN
    spend: Decimal | None = None
    currency: str = ""


@dataclass(frozen=True)
class BatchWritten:
    created: int
    replaced: int  # records of the same months deleted first (replace mode)
    months: list[dt.date]


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
                organisation=organisation,
                month=key[2],
                ai_model=record.ai_model,
                region=region,
                region_assumed=record.region is None,
                rate_id=rates[key],
                tier=record.tier,
                requests=record.requests,
                input_tokens=record.input_tokens,
                output_tokens=record.output_tokens,
                spend=record.spend,
                currency=record.currency,
            )
            for record, region, key in rows
        ],
        batch_size=5_000,
    )
    rollups_rebuild(organisation_id=organisation.pk, months={key[2] for key in keys})
    jobs_recount(rate_ids=rates.values())  # new rates' jobs now know the usage they cover
    return created


@transaction.atomic
def usage_batch_write(
    *, organisation: Organisation, batch: RecordBatch, replace: bool, upload: UsageUpload | None = None
) -> BatchWritten:
    """Write a checked batch in one transaction: (replace: first delete the organisation's records of the batch's
    months, whatever upload they came from), rates, records, rollups, job counts. All or nothing."""
    months = batch.months()
    replaced = 0
    if replace and months:
        replaced, _ = UsageRecord.objects.filter(organisation=organisation, month__in=months).delete()
    rates = rates_ensure(keys=batch.rate_keys())
    if connection.vendor == "postgresql" and len(batch) >= COPY_MIN_RECORDS:
        _copy_records(organisation.pk, batch, rates, upload.pk if upload else None)
    else:
        _insert_records(organisation.pk, batch, rates, upload.pk if upload else None)
    rollups_rebuild(organisation_id=organisation.pk, months=months)
    jobs_recount(rate_ids=set(rates.values()))
    return BatchWritten(created=len(batch), replaced=replaced, months=months)


def _rate_of(rates: dict) -> dict[tuple[int, int, int], int]:
    """Rates keyed as the batch stores places: (model id, region id or 0, month ordinal)."""
    return {(m, r or 0, month.toordinal()): rate_id for (m, r, month), rate_id in rates.items()}


def _spend(units: int) -> Decimal | None:
    return None if units == NO_SPEND else Decimal(units).scaleb(-SPEND_DECIMALS)


def _insert_records(organisation_id: int, batch: RecordBatch, rates: dict, upload_id: int | None) -> None:
    rate_of = _rate_of(rates)
    days: dict[int, dt.date] = {}
    chunk = []
    for row, month, model, region, assumed, tier, requests, inputs, outputs, spend, currency in batch.rows():
        day = days.get(month) or days.setdefault(month, dt.date.fromordinal(month))
        chunk.append(
            UsageRecord(
                organisation_id=organisation_id,
                month=day,
                ai_model_id=model,
                region_id=region or None,
                region_assumed=bool(assumed),
                rate_id=rate_of[(model, region, month)],
                tier=tier,
                requests=requests,
                input_tokens=inputs,
                output_tokens=outputs,
                spend=_spend(spend),
                currency=currency,
                upload_id=upload_id,
                source_row=row or None,
            )
        )
        if len(chunk) == INSERT_BATCH:
            UsageRecord.objects.bulk_create(chunk)
            chunk = []
    if chunk:
        UsageRecord.objects.bulk_create(chunk)


def _copy_records(organisation_id: int, batch: RecordBatch, rates: dict, upload_id: int | None) -> None:
    """Stream the records to PostgreSQL with COPY (text format), formatted in chunks.

    Every value is a number, a date, a boolean or one of our own codes (tier, ISO currency), so none needs
    escaping for COPY's text format.
    """
    rate_of = _rate_of(rates)
    days = {o: dt.date.fromordinal(o).isoformat() for o in set(batch.month)}
    head = f"{organisation_id}\t"
    upload = str(upload_id) if upload_id else NULL
    created = timezone.now().isoformat()
    lines = []
    with connection.cursor() as cursor, cursor.cursor.copy(COPY_SQL) as copy:
        for row, month, model, region, assumed, tier, requests, inputs, outputs, spend, currency in batch.rows():
            spent = NULL if spend == NO_SPEND else _spend(spend)
            lines.append(
                f"{head}{days[month]}\t{model}\t{region or NULL}\t{'t' if assumed else 'f'}\t"
                f"{rate_of[(model, region, month)]}\t{tier}\t{requests}\t{inputs}\t{outputs}\t{spent}\t{currency}\t"
                f"{upload}\t{row or NULL}\t{created}\n"
            )
            if len(lines) == COPY_CHUNK:
                copy.write("".join(lines))
                lines = []
        if lines:
            copy.write("".join(lines))
