"""Has anything behind a report changed, and by how much: fingerprints of its inputs and old-vs-new differences.

Two fingerprints, so a page can say what changed without reading more than the rows:

- usage: per row, what was used (month, model, region, tier, currency) and how much (records, requests, tokens,
  spend), with the rate that prices it;
- factors: per row, the computed version of its rate (bumped whenever a factor behind it changes and the
  recompute publishes), the spend factor and its values, and the methodology version.

A report's ``fingerprint`` is the hash of both.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from reports.footprint_rows import FootprintRow

DIFFERENCE_METRICS = (
    ("co2e_location_kg", "CO₂e, location-based", "kg CO₂e"),
    ("co2e_market_kg", "CO₂e, market-based", "kg CO₂e"),
    ("energy_kwh", "Energy", "kWh"),
    ("water_l", "Water", "L"),
)
VENDOR_BASES = (("location", "co2e_location_kg"), ("market", "co2e_market_kg"))


def _hash(items: list) -> str:
    return hashlib.sha256(json.dumps(sorted(items), separators=(",", ":")).encode()).hexdigest()


def _usage_key(row: FootprintRow) -> list:
    return [
        row.rate_id,
        row.month.isoformat(),
        row.model_slug,
        row.region_slug,
        row.tier,
        row.currency,
        row.records,
        row.requests,
        row.input_tokens,
        row.output_tokens,
        f"{row.spend:.4f}",
    ]


def _factor_key(row: FootprintRow) -> list:
    factor = row.spend_factor
    spend = [factor.id, *(repr(k) for k in factor.kg_per_unit)] if factor else []
    return [row.rate_id, row.tier, row.currency, row.month.isoformat(), row.rate_version, row.missing, *spend]


def fingerprints(rows: Sequence[FootprintRow], methodology_version: str) -> dict[str, str]:
    """{"usage", "factors", "combined"}: hex SHA-256 digests; equal rows give equal digests whatever their order."""
    usage = _hash([_usage_key(row) for row in rows])
    factors = _hash([[methodology_version], *([str(x) for x in _factor_key(row)] for row in rows)])
    return {"usage": usage, "factors": factors, "combined": _hash([usage, factors])}


def change(old: float, new: float) -> dict:
    """Old and new, the change and the change in % of the old (None when the old is zero)."""
    return {"old": old, "new": new, "change": new - old, "percent": 100.0 * (new - old) / old if old else None}


def snapshot_difference(old: dict, new: dict) -> dict:
    """Central figures of two snapshots side by side: the totals, and CO2e per vendor on both bases.

    Vendors present in only one of them count as zero in the other.
    """
    totals = [
        {"metric": metric, "label": label, "unit": unit, **change(old["totals"][metric][1], new["totals"][metric][1])}
        for metric, label, unit in DIFFERENCE_METRICS
    ]
    old_vendors = {v["vendor_slug"]: v for v in old["by_vendor"]}
    new_vendors = {v["vendor_slug"]: v for v in new["by_vendor"]}
    vendors = []
    for slug in sorted(old_vendors.keys() | new_vendors.keys()):
        before, after = old_vendors.get(slug), new_vendors.get(slug)
        name = (after or before)["vendor"]
        vendors.append(
            {
                "vendor": name,
                "vendor_slug": slug,
                **{
                    basis: change(before[metric][1] if before else 0.0, after[metric][1] if after else 0.0)
                    for basis, metric in VENDOR_BASES
                },
            }
        )
    vendors.sort(key=lambda v: (-max(v["location"]["old"], v["location"]["new"]), v["vendor"]))
    return {"totals": totals, "vendors": vendors}
