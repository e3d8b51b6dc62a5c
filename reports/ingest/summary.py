"""The usage page's monthly summary: records, requests and tokens per month and data-quality tier.

Plain arithmetic over ``reports.footprint_rows.FootprintRow`` values (the rollups), so the page never counts raw
records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from reports.models import Tier


@dataclass
class MonthSummary:
    month: dt.date
    records: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Tier.values, 0))
    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    spend: dict[str, float] = field(default_factory=dict)  # currency -> spend of spend-based records

    @property
    def total_records(self) -> int:
        return sum(self.records.values())


def summarise_by_month(rows: Iterable) -> list[MonthSummary]:
    """Newest month first."""
    months: dict[dt.date, MonthSummary] = {}
    for row in rows:
        summary = months.get(row.month)
        if summary is None:
            summary = months[row.month] = MonthSummary(row.month)
        summary.records[row.tier] = summary.records.get(row.tier, 0) + row.records
        summary.requests += row.requests
        summary.input_tokens += row.input_tokens
        summary.output_tokens += row.output_tokens
        if row.tier == Tier.SPEND:
            summary.spend[row.currency] = summary.spend.get(row.currency, 0.0) + row.spend
    return sorted(months.values(), key=lambda s: s.month, reverse=True)
