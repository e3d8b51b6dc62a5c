"""Every figure of the organisation dashboard for one period, from footprint rows: ``dashboard_kpis``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from reports.footprint_rows import FootprintRow
from reports.kpis.intensity import Intensity, LowCarbonShare, intensity, low_carbon_share
from reports.kpis.periods import Period
from reports.kpis.targets import Target, TargetTracking, target_tracking
from reports.kpis.totals import DIMENSIONS, Group, TierShare, Totals, breakdown, by_month, in_period, tier_mix, totals
from reports.models import Tier


@dataclass(frozen=True)
class TrendPoint:
    """A month of the period beside the month at the same place in the prior period."""

    month: dt.date
    current: Totals
    prior_month: dt.date
    prior: Totals


@dataclass(frozen=True)
class Dashboard:
    period: Period
    prior_period: Period
    totals: Totals
    prior_totals: Totals
    trend: list[TrendPoint]
    breakdowns: dict[str, list[Group]]  # "vendor", "model", "region": largest first
    intensity: Intensity
    low_carbon: LowCarbonShare
    tiers: list[TierShare]
    tracking: TargetTracking

    @property
    def missing(self) -> int:
        """Rows of the period not priced yet (their rate is being computed)."""
        return self.totals.missing

    @property
    def has_spend_rows(self) -> bool:
        return any(t.tier == Tier.SPEND and t.records for t in self.tiers)


def trend(rows: Sequence[FootprintRow], period: Period) -> list[TrendPoint]:
    """Each month of the period with its prior-period counterpart (rows must cover both periods)."""
    prior = period.prior()
    months, prior_months = period.month_list(), prior.month_list()
    current_totals, prior_totals = by_month(rows, months), by_month(rows, prior_months)
    return [TrendPoint(m, current_totals[m], p, prior_totals[p]) for m, p in zip(months, prior_months, strict=True)]


def load_range(period: Period, *, targets: Sequence[Target], latest: dt.date | None) -> Period:
    """The months ``dashboard_kpis`` needs rows of: the period, its prior period and, with a target, every month
    from the baseline year's January to the latest month with data."""
    start, end = period.prior().start, period.end
    if targets and latest is not None:
        start = min(start, dt.date(targets[0].baseline_year, 1, 1))
        end = max(end, Period.of_months(latest, latest).end)
    return Period(start, end)


def dashboard_kpis(
    rows: Sequence[FootprintRow],
    *,
    period: Period,
    targets: Sequence[Target],
    latest: dt.date | None,
    low_carbon_threshold_g_per_kwh: float,
    token_models: Collection[str] | None = None,
) -> Dashboard:
    """The dashboard's figures. ``rows`` cover ``load_range(...)``; ``latest`` is the latest month with data."""
    current = in_period(rows, period.start, period.end)
    prior = period.prior()
    months = period.month_list()
    return Dashboard(
        period=period, prior_period=prior, totals=totals(current),
        prior_totals=totals(in_period(rows, prior.start, prior.end)), trend=trend(rows, period),
        breakdowns={key: breakdown(current, key, months) for key in DIMENSIONS},
        intensity=intensity(current, token_models),
        low_carbon=low_carbon_share(current, low_carbon_threshold_g_per_kwh), tiers=tier_mix(current),
        tracking=target_tracking(rows, targets=list(targets), latest=latest),
    )  # fmt: skip
