"""KPI arithmetic over footprint rows: plain functions and dataclasses, no ORM.

``reports.footprint_rows.footprint_rows`` reads an organisation's rollups as priced rows; everything here turns
rows into figures (totals, months, breakdowns, intensity, low-carbon share, data-quality mix, target tracking,
which usages to price in the planner) and periods of whole months into query parameters and back.
"""

from reports.kpis.dashboard import Dashboard, TrendPoint, dashboard_kpis, load_range, trend
from reports.kpis.intensity import (
    REQUESTS_PER_INTENSITY,
    TOKENS_PER_INTENSITY,
    Intensity,
    LowCarbonShare,
    intensity,
    low_carbon_share,
)
from reports.kpis.periods import (
    DEFAULT_PRESET,
    MAX_SPAN_MONTHS,
    PRESETS,
    Period,
    PeriodChoice,
    add_months,
    first_of_month,
    month_label,
    months_between,
    parse_month,
    period_from_params,
    preset_period,
)
from reports.kpis.recommendations import (
    PLANNED_USAGES,
    RECOMMENDATIONS_SHOWN,
    Recommendation,
    Usage,
    best_recommendations,
    planned_usages,
)
from reports.kpis.targets import Target, TargetStatus, TargetTracking, YearActual, target_tracking, targets_of
from reports.kpis.totals import (
    DIMENSIONS,
    Dimension,
    Group,
    TierShare,
    Totals,
    breakdown,
    by_month,
    change_percent,
    fold_groups,
    group_rows,
    in_period,
    rows_fingerprint,
    sum_totals,
    tier_mix,
    totals,
)

__all__ = [
    "DEFAULT_PRESET", "DIMENSIONS", "MAX_SPAN_MONTHS", "PLANNED_USAGES", "PRESETS", "RECOMMENDATIONS_SHOWN",
    "REQUESTS_PER_INTENSITY", "TOKENS_PER_INTENSITY", "Dashboard", "Dimension", "Group", "Intensity",
    "LowCarbonShare", "Period", "PeriodChoice", "Recommendation", "Target", "TargetStatus", "TargetTracking",
    "TierShare", "Totals", "TrendPoint", "Usage", "YearActual", "add_months", "best_recommendations", "breakdown",
    "by_month", "change_percent", "dashboard_kpis", "first_of_month", "fold_groups", "group_rows", "in_period",
    "intensity", "load_range", "low_carbon_share", "month_label", "months_between", "parse_month",
    "period_from_params", "planned_usages", "preset_period", "rows_fingerprint", "sum_totals", "target_tracking",
    "targets_of", "tier_mix", "totals", "trend",
]  # fmt: skip
