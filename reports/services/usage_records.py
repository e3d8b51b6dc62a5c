"""Usage records written and deleted over the API.

Adding: a few records given as JSON objects are checked by the upload pipeline itself (``reports.ingest``: the
records go through ``validate_file`` as a JSON file would), so the API accepts and refuses exactly what an upload
does, and written by ``usage_batch_write``. Two differences, both because there is no upload to come back to: a
model name that only resembles a catalogue model is an error (an upload would ask to confirm it), and the records
come back with their ids. Months that already hold usage need ``on_conflict`` (replace or merge), as uploads do.

Deleting: one record, or every record of some months. Either way the organisation's rollups of the months touched
are re-summed in the same transaction, and an audit event records who deleted what.

Every write locks the organisation first, as an upload's write does, so writes of one organisation never
interleave (months checked for usage stay as checked until the write commits).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from emissions.services.footprints import rollups_rebuild
from emissions.services.recompute import jobs_recount
from reports.ingest.batch import RecordBatch
from reports.ingest.errors import FileRejected, RowError
from reports.ingest.resolve import mapping_key
from reports.ingest.selectors import catalogue_snapshot, months_with_usage, spend_factor_keys
from reports.ingest.validate import validate_file
from reports.models import Organisation, UsageRecord, UsageUpload
from reports.selectors_usage import usage_records_of
from reports.services.audit import audit_record
from reports.services.usage import usage_batch_write

Mode = UsageUpload.Mode
MAX_RECORDS = 1_000  # records per request: a larger set is a file, for the upload API (which queues big ones)
RECORDS = "records"  # the input's name: errors are keyed records[i].column (i from 0, as JSON arrays count)


class UsageMonthsTaken(Exception):
    """Usage already exists for some of the records' months and no ``on_conflict`` said what to do with it."""

    def __init__(self, months: list[dt.date]):
        super().__init__(f"Usage already exists for {', '.join(f'{m:%Y-%m}' for m in months)}.")
        self.months = months


@dataclass(frozen=True)
class RecordsAdded:
    created: list[UsageRecord]  # read back with ``usage_records_of``, oldest month first
    replaced: int  # records deleted first (on_conflict=replace)
    months: list[dt.date]
    tier_counts: dict[str, int]


# -- adding --------------------------------------------------------------------------------------------------------


def usage_records_add(
    *, organisation: Organisation, user, records: Sequence[object], on_conflict: str = ""
) -> RecordsAdded:
    """Check the records as an upload's JSON records, then write them all or none.

    Raises ``ValidationError`` keyed by ``records[i].column`` (or ``records``, ``on_conflict``) for bad input, and
    ``UsageMonthsTaken`` when months already hold usage and ``on_conflict`` is not given.
    """
    mode = _mode(on_conflict)
    batch = _checked(records)
    return _write(organisation, user, batch, mode)


def _mode(on_conflict: str) -> str:
    value = (on_conflict or "").strip().lower()
    if value and value not in Mode.values:
        raise ValidationError(
            {"on_conflict": f"Use replace (the records' months replace what is there) or merge (add), not “{value}”."}
        )
    return value


def _checked(records: Sequence[object]) -> RecordBatch:
    if not isinstance(records, list) or not records:
        raise ValidationError({RECORDS: "Give a list of at least one record."})
    if len(records) > MAX_RECORDS:
        raise ValidationError(
            {RECORDS: f"{len(records):,} records: at most {MAX_RECORDS:,} per request. Send more as a file to "
             "the upload API (…/usage/uploads/)."}
        )  # fmt: skip
    try:
        validation = validate_file(
            json.dumps(records).encode(),  # NaN and Infinity stay as JSON writes them: the checks name their field
            UsageUpload.Format.JSON,
            catalogue=catalogue_snapshot(),
            confirmed={},
            today=timezone.localdate(),
            spend_factors=spend_factor_keys,
        )
    except FileRejected as rejection:
        raise ValidationError(_by_field([rejection.error], 1)) from None
    unconfirmed = _unconfirmed(records, validation.proposals)
    if validation.errors or unconfirmed:
        problems = validation.errors.listed + unconfirmed
        raise ValidationError(_by_field(problems, validation.errors.total + len(unconfirmed)))
    return validation.batch


def _text(value: object) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _unconfirmed(records: Sequence[object], proposals: dict[str, str]) -> list[RowError]:
    """An upload would ask to confirm a name that only resembles a catalogue model; the API names the record."""
    if not proposals:
        return []
    problems = []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            continue
        fields = {str(key).strip().lower(): value for key, value in record.items()}  # as the JSON reader reads keys
        model = _text(fields.get("model"))
        name = mapping_key(model, _text(fields.get("vendor")), _text(fields.get("model_name")))
        if name in proposals:
            problems.append(
                RowError(
                    number,
                    "model" if model else "model_name",
                    f"Unknown model “{name}”: did you mean {proposals[name]}? Give the catalogue slug: the API does "
                    "not guess model names.",
                )
            )
    return problems


def _field(error: RowError) -> str:
    if error.row is None:
        return RECORDS
    return f"{RECORDS}[{error.row - 1}]" + (f".{error.column}" if error.column else "")


def _by_field(errors: list[RowError], total: int) -> dict[str, list[str]]:
    """Problems keyed by the input they are about, in record order (problems of the whole request first)."""
    out: dict[str, list[str]] = {}
    for error in sorted(errors, key=lambda e: (e.row is not None, e.row or 0)):
        out.setdefault(_field(error), []).append(error.message)
    if total > len(errors):
        out.setdefault(RECORDS, []).append(f"{total:,} problems in all: only the first {len(errors):,} are listed.")
    return out


@transaction.atomic
def _write(organisation: Organisation, user, batch: RecordBatch, mode: str) -> RecordsAdded:
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    months = batch.months()
    # months_with_usage can repeat a month: its DISTINCT also spans UsageRecord's default ordering.
    taken = sorted(set(months_with_usage(organisation.pk, months)))
    if taken and not mode:
        raise UsageMonthsTaken(taken)
    # Ids only grow, and no other write of this organisation runs while it is locked: the new records are those
    # above the organisation's highest id before the write.
    before = UsageRecord.objects.filter(organisation=organisation).aggregate(top=Max("pk"))["top"] or 0
    written = usage_batch_write(organisation=organisation, batch=batch, replace=mode == Mode.REPLACE)
    shown = ", ".join(f"{m:%Y-%m}" for m in months)
    replaced = f", replacing {written.replaced:,}" if written.replaced else ""
    audit_record(
        actor=user, action="usage.create", organisation=organisation, target=f"usage {shown}",
        summary=f"{written.created:,} usage records added over the API for {shown}{replaced}",
    )  # fmt: skip
    created = list(usage_records_of(organisation).filter(pk__gt=before))
    return RecordsAdded(created, written.replaced, months, batch.tier_counts())


# -- deleting ------------------------------------------------------------------------------------------------------


def _describe(record: UsageRecord) -> str:
    place = record.region.slug if record.region_id else "no region"
    return f"{record.month:%Y-%m} {record.ai_model.slug} in {place}, {record.get_tier_display().lower()}"


@transaction.atomic
def usage_record_delete(*, record: UsageRecord, user) -> None:
    """Delete one record; its month's rollups are re-summed and an audit event says what it was.

    Raises ``UsageRecord.DoesNotExist`` when it was deleted meanwhile.
    """
    organisation = Organisation.objects.select_for_update().get(pk=record.organisation_id)
    record = UsageRecord.objects.select_related("ai_model", "region").get(pk=record.pk, organisation=organisation)
    pk, month, rate_id, description = record.pk, record.month, record.rate_id, _describe(record)
    record.delete()
    rollups_rebuild(organisation_id=organisation.pk, months=[month])
    jobs_recount(rate_ids=[rate_id])  # a pending recompute of its rate no longer covers it
    audit_record(
        actor=user, action="usage.delete", organisation=organisation, target=f"usage record #{pk}",
        summary=f"Deleted usage record #{pk}: {description}",
    )  # fmt: skip


@transaction.atomic
def usage_months_delete(*, organisation: Organisation, months: Sequence[dt.date], user) -> int:
    """Delete every record of these months, all or nothing: refused (``ValidationError`` on ``month``) when any of
    them holds no record. Returns how many records were deleted."""
    months = sorted(set(months))
    if not months:
        raise ValidationError({"month": "Give the month to delete (YYYY-MM)."})
    if any(m.day != 1 for m in months):
        raise ValidationError({"month": "A month is given by its first day."})
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    records = UsageRecord.objects.filter(organisation=organisation, month__in=months)
    found = set(records.values_list("month", flat=True).distinct())
    empty = [m for m in months if m not in found]
    if empty:
        raise ValidationError(
            {"month": f"No usage records in {', '.join(f'{m:%Y-%m}' for m in empty)}: nothing was deleted."}
        )
    rate_ids = set(records.values_list("rate_id", flat=True).distinct())
    _, per_model = records.delete()
    deleted = per_model.get(UsageRecord._meta.label, 0)
    rollups_rebuild(organisation_id=organisation.pk, months=months)
    jobs_recount(rate_ids=rate_ids)
    shown = ", ".join(f"{m:%Y-%m}" for m in months)
    audit_record(
        actor=user, action="usage.delete", organisation=organisation, target=f"usage {shown}",
        summary=f"Deleted all {deleted:,} usage records of {shown}",
    )  # fmt: skip
    return deleted
