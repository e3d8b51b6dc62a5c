"""Sums of footprint rows: totals, months, breakdowns by vendor, model or region, and the data-quality mix.

Plain arithmetic over ``reports.footprint_rows.FootprintRow``: every figure is a (low, central, high) triple
summed side by side. Summing the low sides gives a lower bound that assumes every uncertain input is at its
optimistic end for every row at once (the ranges of one model's rows are not independent), so the range of a sum
is as wide as the ranges of its parts, never narrowed by averaging.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from emissions.rankings import WORLD_AVERAGE
from reports.footprint_rows import ZERO, FootprintRow, Triple
from reports.models import Tier


def add(a: Triple, b: Triple) -> Triple:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


def scale(triple: Triple, factor: float) -> Triple:
    return (triple[0] * factor, triple[1] * factor, triple[2] * factor)


@dataclass(frozen=True)
class Totals:
    """Summed rows. CO2e includes what spend-based rows add (``spend_co2e_kg``, the same on both bases)."""

    energy_kwh: Triple = ZERO
    co2e_location_kg: Triple = ZERO
    co2e_market_kg: Triple = ZERO
    water_l: Triple = ZERO
    spend_co2e_kg: Triple = ZERO
    records: int = 0
    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    rows: int = 0
    missing: int = 0  # rows whose rate (or spend factor) is not there yet: counted as zero

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def co2e_kg(self, basis: str) -> Triple:
        return self.co2e_market_kg if basis == "market" else self.co2e_location_kg


def totals(rows: Iterable[FootprintRow]) -> Totals:
    """The rows summed, side by side for the triples."""
    energy = location = market = water = from_spend = ZERO
    records = requests = input_tokens = output_tokens = count = missing = 0
    for row in rows:
        energy, water = add(energy, row.energy_kwh), add(water, row.water_l)
        location, market = add(location, row.co2e_location_kg), add(market, row.co2e_market_kg)
        if row.spend_factor is not None:
            from_spend = add(from_spend, scale(row.spend_factor.kg_per_unit, row.spend))
        records, requests = records + row.records, requests + row.requests
        input_tokens, output_tokens = input_tokens + row.input_tokens, output_tokens + row.output_tokens
        count, missing = count + 1, missing + row.missing
    return Totals(energy, location, market, water, from_spend, records, requests, input_tokens, output_tokens,
                  count, missing)  # fmt: skip


def sum_totals(parts: Iterable[Totals]) -> Totals:
    out = Totals()
    for t in parts:
        out = Totals(
            add(out.energy_kwh, t.energy_kwh), add(out.co2e_location_kg, t.co2e_location_kg),
            add(out.co2e_market_kg, t.co2e_market_kg), add(out.water_l, t.water_l),
            add(out.spend_co2e_kg, t.spend_co2e_kg), out.records + t.records, out.requests + t.requests,
            out.input_tokens + t.input_tokens, out.output_tokens + t.output_tokens, out.rows + t.rows,
            out.missing + t.missing,
        )  # fmt: skip
    return out


def in_period(rows: Iterable[FootprintRow], start: dt.date, end: dt.date) -> list[FootprintRow]:
    """The rows of months in ``[start, end)``."""
    return [row for row in rows if start <= row.month < end]


def group_rows(rows: Iterable[FootprintRow], key: Callable[[FootprintRow], object]) -> dict:
    """Rows grouped by a key, in the order keys first appear."""
    out: dict = {}
    for row in rows:
        out.setdefault(key(row), []).append(row)
    return out


def by_month(rows: Iterable[FootprintRow], months: Sequence[dt.date]) -> dict[dt.date, Totals]:
    """Totals of each month listed (zero where there are no rows); rows of other months are left out."""
    grouped = group_rows(rows, lambda r: r.month)
    return {month: totals(grouped.get(month, ())) for month in months}


def change_percent(current: float, prior: float) -> float | None:
    """(current − prior) / prior, in %; None when the prior figure is zero (no comparison possible)."""
    return (current - prior) / prior * 100 if prior else None


# -- breakdowns ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dimension:
    key: str
    label: str  # "Vendor"
    plural: str  # "vendors"
    group_key: Callable[[FootprintRow], str]
    group_label: Callable[[FootprintRow], str]


DIMENSIONS: dict[str, Dimension] = {
    d.key: d
    for d in (
        Dimension("vendor", "Vendor", "vendors", lambda r: r.vendor_slug, lambda r: r.vendor),
        Dimension("model", "Model", "models", lambda r: r.model_slug, lambda r: f"{r.model} ({r.vendor})"),
        Dimension("region", "Region", "regions", lambda r: r.region_slug, lambda r: r.region_slug or WORLD_AVERAGE),
    )
}  # fmt: skip


@dataclass(frozen=True)
class Group:
    key: str  # slug ("" for usage with no region)
    label: str
    totals: Totals
    monthly: dict[dt.date, Totals] = field(default_factory=dict)


def breakdown(rows: Iterable[FootprintRow], dimension: str, months: Sequence[dt.date]) -> list[Group]:
    """One group per vendor, model or region in the rows, with its totals and its totals per month (of the months
    listed); largest central location-based CO2e first, then by label."""
    spec = DIMENSIONS[dimension]
    grouped = group_rows(rows, spec.group_key)
    groups = [Group(key, spec.group_label(members[0]), totals(members), by_month(members, months))
              for key, members in grouped.items()]  # fmt: skip
    return sorted(groups, key=lambda g: (-g.totals.co2e_location_kg[1], g.label.lower()))


OTHER = "Other"


def fold_groups(groups: Sequence[Group], keep: int, months: Sequence[dt.date]) -> list[Group]:
    """The first ``keep`` groups, and the rest summed into one "Other" group (when there are more)."""
    if len(groups) <= keep:
        return list(groups)
    rest = groups[keep:]
    monthly = {month: sum_totals(g.monthly.get(month, Totals()) for g in rest) for month in months}
    return [*groups[:keep], Group("", f"{OTHER} ({len(rest)})", sum_totals(g.totals for g in rest), monthly)]


# -- data quality ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TierShare:
    tier: str
    label: str
    co2e_kg: Triple  # location-based
    records: int
    co2e_share: float | None  # of the central location-based CO2e, 0–1; None when the total is zero
    records_share: float | None  # of the usage records, 0–1


def tier_mix(rows: Iterable[FootprintRow]) -> list[TierShare]:
    """Each data-quality tier (best first, all three even when empty) with its share of CO2e and of records."""
    grouped = group_rows(rows, lambda r: r.tier)
    per_tier = {tier: totals(grouped.get(tier, ())) for tier in Tier.values}
    co2e = sum(t.co2e_location_kg[1] for t in per_tier.values())
    records = sum(t.records for t in per_tier.values())
    return [
        TierShare(tier, Tier(tier).label, t.co2e_location_kg, t.records,
                  t.co2e_location_kg[1] / co2e if co2e else None, t.records / records if records else None)
        for tier, t in per_tier.items()
    ]  # fmt: skip


def rows_fingerprint(rows: Iterable[FootprintRow]) -> str:
    """A hash of what the figures come from: each row's month, rate and its computed version, tier, usage, spend
    and spend factor. Equal fingerprints mean equal figures (a recompute bumps the rate's version)."""
    digest = hashlib.sha256()
    for row in sorted(rows, key=lambda r: (r.month, r.rate_id, r.tier, r.currency)):
        factor = f"{row.spend_factor.id}:{row.spend_factor.kg_per_unit!r}" if row.spend_factor else ""
        digest.update(
            f"{row.month}|{row.rate_id}|{row.rate_version}|{row.tier}|{row.currency}|{row.records}|{row.requests}|"
            f"{row.input_tokens}|{row.output_tokens}|{row.spend!r}|{factor}|{row.missing}\n".encode()
        )
    return digest.hexdigest()
