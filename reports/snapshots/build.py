"""A report's snapshot: every figure it shows, summed from footprint rows. Plain arithmetic, no ORM.

Each side (low, central, high) of a total is the sum of that side over the rows: every uncertain input at the
same end for all usage, so the range is a scenario range, as every range in this product is
(docs/methodology.md §1), never a confidence interval.

Shares are of the location-based central CO2e. Spend-based rows add CO2e only (a spend factor says nothing of
energy or water), and the same figure on both bases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from reports.footprint_rows import FootprintRow
from reports.models import Tier
from reports.snapshots.periods import Period

SCHEMA_VERSION = 1  # bump when the snapshot's keys change; pages read older snapshots by this number
TRIPLE_METRICS = ("energy_kwh", "co2e_location_kg", "co2e_market_kg", "water_l")
COUNTS = ("records", "requests", "input_tokens", "output_tokens")

# How GHG Protocol's Scope 3 guidance names the method each data-quality tier uses.
TIER_METHODS = {
    Tier.TOKEN: "Average-data method: tokens and requests × modelled footprint per token and per request",
    Tier.REQUEST: "Average-data method: requests × modelled footprint per typical request",
    Tier.SPEND: "Spend-based method: spend × CO₂e per unit of currency (input-output factor)",
}

# Why a row could not be priced: a rate not computed yet (the report waits), or no spend factor (a known gap).
GAP_RATE, GAP_SPEND_FACTOR = "rate_not_computed", "no_spend_factor"


@dataclass
class Sums:
    """Running sums of usage and footprint over some rows."""

    records: int = 0
    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    spend: dict[str, float] = field(default_factory=dict)
    triples: dict[str, list[float]] = field(default_factory=lambda: {m: [0.0, 0.0, 0.0] for m in TRIPLE_METRICS})
    grid_weighted: float = 0.0  # grid intensity x central energy, for an energy-weighted mean intensity
    grid_energy: float = 0.0

    def add(self, row: FootprintRow) -> None:
        self.records += row.records
        self.requests += row.requests
        self.input_tokens += row.input_tokens
        self.output_tokens += row.output_tokens
        if row.currency:
            self.spend[row.currency] = self.spend.get(row.currency, 0.0) + row.spend
        for metric in TRIPLE_METRICS:
            total = self.triples[metric]
            for side, value in enumerate(getattr(row, metric)):
                total[side] += value
        if row.grid_g_per_kwh is not None:
            self.grid_weighted += row.grid_g_per_kwh * row.energy_kwh[1]
            self.grid_energy += row.energy_kwh[1]

    def as_dict(self, total_co2e: float | None = None) -> dict:
        out = {name: getattr(self, name) for name in COUNTS}
        out |= {metric: list(values) for metric, values in self.triples.items()}
        out["spend"] = dict(sorted(self.spend.items()))
        if total_co2e is not None:
            out["share"] = self.triples["co2e_location_kg"][1] / total_co2e if total_co2e > 0 else 0.0
        return out

    @property
    def grid_g_per_kwh(self) -> float | None:
        return self.grid_weighted / self.grid_energy if self.grid_energy > 0 else None


def _sums(rows: Iterable[FootprintRow]) -> Sums:
    sums = Sums()
    for row in rows:
        sums.add(row)
    return sums


def _grouped(rows: Iterable[FootprintRow], key) -> dict[tuple, list[FootprintRow]]:
    groups: dict[tuple, list[FootprintRow]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return groups


def _by_co2e(items: list[dict]) -> list[dict]:
    """Largest location-based central CO2e first; names break ties so the order is stable."""
    return sorted(items, key=lambda item: (-item["co2e_location_kg"][1], item.get("vendor", ""), item.get("model", "")))


def _vendors(rows: Sequence[FootprintRow], total: float) -> list[dict]:
    groups = _grouped(rows, lambda r: (r.vendor_slug, r.vendor))
    return _by_co2e(
        [{"vendor": name, "vendor_slug": slug, **_sums(group).as_dict(total)} for (slug, name), group in groups.items()]
    )


def _region(slug: str, name: str, group: list[FootprintRow], total: float) -> dict:
    sums = _sums(group)
    return {"region": name, "region_slug": slug, "grid_g_per_kwh": sums.grid_g_per_kwh, **sums.as_dict(total)}


def _models(rows: Sequence[FootprintRow], total: float) -> list[dict]:
    models = []
    for (vendor_slug, vendor, model_slug, model), group in _grouped(
        rows, lambda r: (r.vendor_slug, r.vendor, r.model_slug, r.model)
    ).items():
        regions = [
            _region(slug, name, part, total)
            for (slug, name), part in _grouped(group, lambda r: (r.region_slug, r.region)).items()
        ]
        models.append(
            {
                "vendor": vendor,
                "vendor_slug": vendor_slug,
                "model": model,
                "model_slug": model_slug,
                **_sums(group).as_dict(total),
                "regions": _by_co2e(regions),
            }
        )
    return _by_co2e(models)


def _months(rows: Sequence[FootprintRow], period: Period, total: float) -> list[dict]:
    groups = _grouped(rows, lambda r: r.month)
    return [{"month": month.isoformat(), **_sums(groups.get(month, [])).as_dict(total)} for month in period.months]


def _tiers(rows: Sequence[FootprintRow], total: float) -> list[dict]:
    groups = _grouped(rows, lambda r: r.tier)
    return [
        {
            "tier": tier.value,
            "label": tier.label,
            "method": TIER_METHODS[tier],
            **_sums(groups.get(tier.value, [])).as_dict(total),
        }
        for tier in Tier
    ]


def _spend_factors(rows: Sequence[FootprintRow], sources: dict[int, dict]) -> list[dict]:
    used: dict[int, dict] = {}
    for row in rows:
        factor = row.spend_factor
        if factor is None:
            continue
        entry = used.setdefault(
            factor.id,
            {
                "id": factor.id,
                "currency": factor.currency,
                "kg_co2e_per_unit": list(factor.kg_per_unit),
                "valid_from": factor.valid_from.isoformat(),
                "months": set(),
                **sources.get(factor.id, {}),
            },
        )
        entry["months"].add(row.month.isoformat())
    return [{**entry, "months": sorted(entry["months"])} for _, entry in sorted(used.items())]


def row_gaps(rows: Iterable[FootprintRow]) -> list[dict]:
    """Rows that could not be priced, and why (their footprint counts as zero)."""
    gaps = []
    for row in rows:
        if not row.missing:
            continue
        reason = GAP_SPEND_FACTOR if row.tier == Tier.SPEND and row.spend_factor is None else GAP_RATE
        gaps.append(
            {
                "reason": reason,
                "month": row.month.isoformat(),
                "vendor": row.vendor,
                "model": row.model,
                "region": row.region,
                "tier": row.tier,
                "currency": row.currency,
                "records": row.records,
                "spend": row.spend,
            }
        )
    return gaps


def snapshot_figures(
    rows: Sequence[FootprintRow], period: Period, spend_sources: dict[int, dict] | None = None
) -> dict:
    """The figures of a report over ``rows``: totals and the breakdowns by vendor, model, month and tier."""
    totals = _sums(rows)
    total = totals.triples["co2e_location_kg"][1]
    from_spend = _sums(r for r in rows if r.tier == Tier.SPEND).triples["co2e_location_kg"]
    return {
        "totals": {**totals.as_dict(), "co2e_spend_based_kg": list(from_spend)},
        "by_vendor": _vendors(rows, total),
        "by_model": _models(rows, total),
        "by_month": _months(rows, period, total),
        "by_tier": _tiers(rows, total),
        "spend_factors": _spend_factors(rows, spend_sources or {}),
        "gaps": row_gaps(rows),
    }


def snapshot_build(
    rows: Sequence[FootprintRow],
    *,
    organisation: dict,
    period: Period,
    methodology_version: str,
    inputs: dict[str, str],
    citations: list[dict],
    spend_sources: dict[int, dict],
    generated_at: dt.datetime,
) -> dict:
    """The whole snapshot stored in ``Report.snapshot``: what the report says, as plain JSON values.

    ``organisation``: {"name", "slug"} as of generation; ``inputs``: the usage and factor fingerprints
    (``reports.snapshots.compare.fingerprints``); ``citations``: the catalogue factors behind the rates used
    (``reports.selectors.factor_citations``); ``spend_sources``: spend factor id -> its source and validity.
    """
    return {
        "schema": SCHEMA_VERSION,
        "organisation": organisation,
        "kind": period.kind,
        "period": {
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "label": period.label,
            "long_label": period.long_label,
            "slug": period.slug,
        },
        "methodology_version": methodology_version,
        "generated_at": generated_at.isoformat(),
        "inputs": inputs,
        **snapshot_figures(rows, period, spend_sources),
        "citations": citations,
    }
