"""Reads of an organisation's usage records (the API's record list and detail), with each record's own footprint.

A record's footprint is never stored. It is the record's usage times its rate: the same products the rollups sum
(``emissions.recompute.sql``), taken record by record. A spend-based record has no usage; its CO2e is spend x the
spend factor in force for its currency on the month's first day, on both bases, exactly as
``reports.footprint_rows`` prices spend-based rollups, so the footprints of a month's records add up to the
month's footprint rows. ``record_footprint`` is that arithmetic over plain values; ``record_rows`` prices a page
of records with at most one more query (the spend factors), whatever the page holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db.models import QuerySet

from emissions.models.footprints import RATE_COLUMNS, STORED_METRICS, USAGE_FIELDS, rate_column
from reports.footprint_rows import ZERO, SpendFactorUsed, Triple, spend_factors_in_force
from reports.kpis.totals import add, scale
from reports.models import Organisation, Tier, UsageRecord

RECORD_FIELDS = (
    "id", "organisation_id", "month", "ai_model", "region", "region_assumed", "rate", "tier", "requests",
    "input_tokens", "output_tokens", "spend", "currency", "upload", "source_row", "created_at",
    "ai_model__slug", "ai_model__name", "ai_model__vendor", "ai_model__vendor__slug", "ai_model__vendor__name",
    "region__slug", "region__name", "rate__computed_version", *(f"rate__{column}" for column in RATE_COLUMNS),
)  # fmt: skip


# -- the arithmetic ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordFootprint:
    """A record's footprint, (low, central, high) each. CO2e is operational + embodied, as in footprint rows."""

    energy_kwh: Triple
    co2e_location_kg: Triple
    co2e_market_kg: Triple
    water_l: Triple
    pending: bool  # its rate is not computed yet (or, spend-based, no spend factor is in force): counted as zero
    spend_factor: SpendFactorUsed | None = None  # spend-based records: the factor applied


def _stored(metric: str, usage: Sequence[int], rate: Mapping[str, float | None]) -> Triple | None:
    """One stored metric of the usage: sum over input tokens, output tokens and requests of amount x rate."""
    sides = []
    for side in range(3):
        coefficients = [rate[rate_column(metric, side, unit)] for unit in range(len(USAGE_FIELDS))]
        if any(c is None for c in coefficients):
            return None
        sides.append(sum(amount * c for amount, c in zip(usage, coefficients, strict=True)))
    return (sides[0], sides[1], sides[2])


def record_footprint(
    *,
    usage: Sequence[int],
    rate: Mapping[str, float | None],
    tier: str,
    spend: float,
    factor: SpendFactorUsed | None,
) -> RecordFootprint:
    """The footprint of ``usage`` (in ``USAGE_FIELDS`` order) at ``rate`` (rate column -> value, None while not
    computed); a spend-based record adds spend x ``factor`` to CO2e, and a spend factor says nothing of energy or
    water, so those stay what its (zero) usage gives."""
    stored = {metric: _stored(metric, usage, rate) for metric in STORED_METRICS}
    pending = any(triple is None for triple in stored.values())
    t = {metric: triple or ZERO for metric, triple in stored.items()}
    location = add(t["operational_co2e_kg"], t["embodied_co2e_kg"])
    market = add(t["operational_co2e_market_kg"], t["embodied_co2e_kg"])
    if tier != Tier.SPEND:
        return RecordFootprint(t["energy_kwh"], location, market, t["water_l"], pending)
    if factor is not None:
        from_spend = scale(factor.kg_per_unit, spend)
        location, market = add(location, from_spend), add(market, from_spend)
    return RecordFootprint(t["energy_kwh"], location, market, t["water_l"], factor is None, factor)


# -- the reads -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordRow:
    record: UsageRecord
    footprint: RecordFootprint


def usage_records_of(organisation: Organisation) -> QuerySet[UsageRecord]:
    """The organisation's records with their model, vendor, region and rate in the same query (only the columns
    the API shows), oldest month first."""
    return (
        UsageRecord.objects.filter(organisation=organisation)
        .select_related("ai_model__vendor", "region", "rate")
        .only(*RECORD_FIELDS)
        .order_by("month", "id")
    )


def usage_record_of(organisation: Organisation, record_id: int) -> UsageRecord | None:
    """One record of the organisation; None when it has none with this id."""
    return usage_records_of(organisation).filter(pk=record_id).first()


def record_rows(records: Sequence[UsageRecord]) -> list[RecordRow]:
    """The records (read by ``usage_records_of``), each with its footprint. One query for the spend factors when
    some records are spend-based, none otherwise."""
    spend_keys = {(r.currency, r.month) for r in records if r.tier == Tier.SPEND}
    factors = spend_factors_in_force({c for c, _ in spend_keys}, {m for _, m in spend_keys})
    rows = []
    for record in records:
        rate = {column: getattr(record.rate, column) for column in RATE_COLUMNS}
        footprint = record_footprint(
            usage=[getattr(record, name) for name in USAGE_FIELDS],
            rate=rate,
            tier=record.tier,
            spend=float(record.spend or 0),
            factor=factors.get((record.currency, record.month)),
        )
        rows.append(RecordRow(record, footprint))
    return rows
