"""Target tracking: the trajectory from the baseline year to the target, and the actual emissions against it.

The measure is total location-based CO2e (central), as ``Organisation.reduction_target_percent`` defines it.

- **Baseline**: the actual total of the baseline year (all its months).
- **Trajectory** (allowed emissions of a year): a straight line from the baseline in the baseline year to
  baseline x (1 − reduction / 100) in the target year, flat after it. A net-zero year is a reduction of 100 % by
  that year. An organisation with both has two trajectories, each tracked on its own.
- **Actual**: the total of each calendar year from the baseline year to the latest year with data.
- **On track**: the latest year with data at or under its trajectory. When that year is not over yet (its
  latest month with data is not December), it is compared on the same months: actual January..M against the
  trajectory x the share of the baseline year's emissions that fell in January..M, so a seasonal organisation
  is not judged on a quiet or a busy half-year. When the baseline had no emissions in those months, the share is
  M / 12 instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from emissions.planner import MONTHS_PER_YEAR
from reports.footprint_rows import FootprintRow

FULL_YEAR = "full year"
SAME_MONTHS_OF_BASELINE = "same months of the baseline"
MONTHS_OVER_12 = "months / 12"


@dataclass(frozen=True)
class Target:
    kind: str  # "reduction" or "net_zero"
    baseline_year: int
    target_year: int
    reduction_percent: float  # 100 for net zero

    @property
    def label(self) -> str:
        if self.kind == "net_zero":
            return f"Net zero by {self.target_year}"
        return f"−{self.reduction_percent:g} % by {self.target_year}"

    def allowed_fraction(self, year: int) -> float:
        """Allowed emissions of a year as a fraction of the baseline: 1 in the baseline year, falling in a straight
        line to 1 − reduction / 100 in the target year, flat after it (and 1 before the baseline)."""
        goal = 1 - self.reduction_percent / 100
        if year <= self.baseline_year:
            return 1.0
        if year >= self.target_year:
            return goal
        progress = (year - self.baseline_year) / (self.target_year - self.baseline_year)
        return 1 + (goal - 1) * progress

    def allowed_kg(self, baseline_kg: float, year: int) -> float:
        return baseline_kg * self.allowed_fraction(year)


def targets_of(
    *, baseline_year: int | None, target_year: int | None, reduction_percent: float | None, net_zero_year: int | None
) -> list[Target]:
    """The organisation's targets (none without a baseline year, or a year not after it)."""
    out = []
    if baseline_year is None:
        return out
    if target_year is not None and reduction_percent is not None and target_year > baseline_year:
        out.append(Target("reduction", baseline_year, target_year, float(reduction_percent)))
    if net_zero_year is not None and net_zero_year > baseline_year:
        out.append(Target("net_zero", baseline_year, net_zero_year, 100.0))
    return out


@dataclass(frozen=True)
class YearActual:
    year: int
    co2e_kg: float  # central location-based, the months covered
    months: int  # months covered: 12, or 1..11 for the latest year while it is not over

    @property
    def is_partial(self) -> bool:
        return self.months < MONTHS_PER_YEAR


@dataclass(frozen=True)
class TargetStatus:
    target: Target
    year: int
    months: int  # months compared (12: the full year)
    actual_kg: float
    allowed_kg: float  # the trajectory for those months
    full_year_allowed_kg: float
    rule: str  # FULL_YEAR, SAME_MONTHS_OF_BASELINE or MONTHS_OVER_12

    @property
    def on_track(self) -> bool:
        return self.actual_kg <= self.allowed_kg

    @property
    def gap_percent(self) -> float | None:
        """Actual against allowed, in % (negative: under the trajectory)."""
        return (self.actual_kg - self.allowed_kg) / self.allowed_kg * 100 if self.allowed_kg else None


@dataclass(frozen=True)
class TargetTracking:
    """``state``: "no_target", "no_data" (no usage at all), "no_baseline" (no usage in the baseline year),
    "no_later_data" (nothing after the baseline year yet) or "tracked"."""

    state: str
    targets: list[Target]
    baseline_year: int | None = None
    baseline_kg: float = 0.0
    baseline_months_with_data: int = 0
    years: tuple[YearActual, ...] = ()  # baseline year to the latest year with data
    statuses: tuple[TargetStatus, ...] = ()

    def trajectory(self, target: Target, years: Iterable[int]) -> list[float]:
        return [target.allowed_kg(self.baseline_kg, year) for year in years]

    @property
    def chart_years(self) -> list[int]:
        """From the baseline year to the later of the latest target year and the latest year with data; none while
        there is no baseline to draw a trajectory from."""
        if self.state not in ("tracked", "no_later_data"):
            return []
        last = max([t.target_year for t in self.targets] + [y.year for y in self.years] + [self.baseline_year])
        return list(range(self.baseline_year, last + 1))


def _months_co2e(rows: Iterable[FootprintRow]) -> dict[dt.date, float]:
    out: dict[dt.date, float] = {}
    for row in rows:
        out[row.month] = out.get(row.month, 0.0) + row.co2e_location_kg[1]
    return out


def target_tracking(rows: Iterable[FootprintRow], *, targets: list[Target], latest: dt.date | None) -> TargetTracking:
    """Track the targets over rows covering the baseline year to ``latest``, the latest month with data."""
    if not targets:
        return TargetTracking("no_target", targets)
    baseline_year = targets[0].baseline_year
    if latest is None:
        return TargetTracking("no_data", targets, baseline_year)
    monthly = _months_co2e(row for row in rows if row.month.year >= baseline_year and row.month <= latest)
    baseline_months = {m: kg for m, kg in monthly.items() if m.year == baseline_year}
    baseline_kg = sum(baseline_months.values())
    if not baseline_months or latest.year < baseline_year:
        return TargetTracking("no_baseline", targets, baseline_year)
    years = tuple(
        YearActual(year, sum(kg for m, kg in monthly.items() if m.year == year),
                   latest.month if year == latest.year else MONTHS_PER_YEAR)
        for year in range(baseline_year, latest.year + 1)
    )  # fmt: skip
    base = {"targets": targets, "baseline_year": baseline_year, "baseline_kg": baseline_kg,
            "baseline_months_with_data": len(baseline_months), "years": years}  # fmt: skip
    compared = years[-1]
    if compared.year == baseline_year:
        return TargetTracking("no_later_data", **base)
    share, rule = 1.0, FULL_YEAR
    if compared.is_partial:
        same_months = sum(kg for m, kg in baseline_months.items() if m.month <= compared.months)
        if same_months > 0 and baseline_kg > 0:
            share, rule = same_months / baseline_kg, SAME_MONTHS_OF_BASELINE
        else:
            share, rule = compared.months / MONTHS_PER_YEAR, MONTHS_OVER_12
    statuses = tuple(
        TargetStatus(target, compared.year, compared.months, compared.co2e_kg,
                     target.allowed_kg(baseline_kg, compared.year) * share,
                     target.allowed_kg(baseline_kg, compared.year), rule)
        for target in targets
    )  # fmt: skip
    return TargetTracking("tracked", statuses=statuses, **base)
