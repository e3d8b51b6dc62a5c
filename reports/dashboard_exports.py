"""What the organisation dashboard shows of its figures: units, the data each chart draws, and the table of the
same figures that sits under each chart and is its CSV download (/orgs/<slug>/export/<chart>.csv), cell for cell.

Plain shaping of ``reports.kpis.Dashboard``: no reads. Figures are central estimates to three significant figures
(``format_value``), with the low–high range where the chart shows one.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from urllib.parse import urlencode

from django.urls import reverse

from emissions.planner import MONTHS_PER_YEAR, Unit, signed
from emissions.rankings import G_PER_KG, WORLD_AVERAGE, Cell, Column, Table, format_value
from reports.kpis import (
    DIMENSIONS,
    Dashboard,
    Group,
    Recommendation,
    TargetTracking,
    Totals,
    change_percent,
    fold_groups,
)
from reports.kpis.periods import month_label
from reports.kpis.recommendations import TOKEN_DECIMALS
from reports.kpis.targets import MONTHS_OVER_12, SAME_MONTHS_OF_BASELINE

KWH_PER_MWH = 1_000.0
KG_PER_T = 1_000.0
L_PER_M3 = 1_000.0
KWH, MWH = Unit("kWh", 1.0), Unit("MWh", 1 / KWH_PER_MWH)
TONNES = Unit("t CO₂e", 1 / KG_PER_T)
LITRES, CUBIC_METRES = Unit("L", 1.0), Unit("m³", 1 / L_PER_M3)
GRAMS, KILOGRAMS = Unit("g CO₂e", 1.0), Unit("kg CO₂e", 1 / G_PER_KG)
CHART_GROUPS = 8  # colours of a stacked chart (dashboard.js: 8 of Paul Tol's muted palette); the rest is "Other"

CHARTS = {
    "trend": "Monthly trend",
    "vendors": "CO₂e by vendor and month",
    "models": "CO₂e by model and month",
    "regions": "CO₂e by region and month",
    "tiers": "Data-quality mix",
    "target": "Target trajectory and actual emissions",
}
BREAKDOWN_CHARTS = {"vendors": "vendor", "models": "model", "regions": "region"}
TIER_NOTES = {
    "token": "Tokens reported per model and month: the best data.",
    "request": "Requests reported; tokens per request assumed typical.",
    "spend": "Money spent × a spend factor: CO₂e only, no energy or water.",
}


def energy_unit(values_kwh: Iterable[float]) -> Unit:
    """kWh, or MWh from 1,000 kWh (one unit for a whole table, chosen from its largest figure)."""
    return MWH if max(values_kwh, default=0.0) >= KWH_PER_MWH else KWH


def water_unit(values_l: Iterable[float]) -> Unit:
    """L, or m³ from 1,000 L."""
    return CUBIC_METRES if max(values_l, default=0.0) >= L_PER_M3 else LITRES


def percent(share: float | None) -> str:
    return "—" if share is None else f"{format_value(share * 100)} %"


def change_text(current: float, prior: float) -> str:
    """'+12.3 %', '−4.5 %' (a real minus sign), or '—' when the prior figure is zero."""
    change = change_percent(current, prior)
    if change is None:
        return "—"
    return f"{'+' if change > 0 and format_value(change) != '0' else ''}{signed(change)} %"


def range_text(unit: Unit, triple) -> str:
    return f"{unit.show(triple[0])}–{unit.show(triple[2])}"


# -- headline figures -------------------------------------------------------------------------------------------


def headline(d: Dashboard) -> list[dict]:
    """The four totals of the period, each with its range and its change against the prior period."""
    t, p = d.totals, d.prior_totals
    energy, water = energy_unit([t.energy_kwh[1]]), water_unit([t.water_l[1]])
    cards = [
        ("Energy", energy, t.energy_kwh, p.energy_kwh, "Facility electricity: accelerators, host, idle, × PUE."),
        ("CO₂e, location-based", TONNES, t.co2e_location_kg, p.co2e_location_kg,
         "Grid-average intensity where the models run, plus embodied CO₂e and spend-based estimates."),
        ("CO₂e, market-based", TONNES, t.co2e_market_kg, p.co2e_market_kg,
         "After the operators' renewable-energy purchases, plus embodied CO₂e and spend-based estimates."),
        ("Water", water, t.water_l, p.water_l, "On-site cooling plus water used to generate the electricity."),
    ]  # fmt: skip
    return [{"label": label, "value": unit.show(now[1]), "unit": unit.label, "range": range_text(unit, now),
             "change": change_text(now[1], before[1]), "title": title}
            for label, unit, now, before, title in cards]  # fmt: skip


def intensity_figures(d: Dashboard) -> list[dict]:
    """CO₂e per 1,000 requests and per 1,000,000 tokens: g, or kg from 1,000 g; location- and market-based."""
    i = d.intensity
    out = []
    for label, location, market in (
        ("per 1,000 requests", i.per_1k_requests_location_g, i.per_1k_requests_market_g),
        ("per 1,000,000 tokens", i.per_1m_tokens_location_g, i.per_1m_tokens_market_g),
    ):
        unit = KILOGRAMS if location and location[1] >= G_PER_KG else GRAMS
        out.append({"label": f"CO₂e {label}", "unit": unit.label,
                    "location": unit.show(location[1]) if location else "—",
                    "location_range": range_text(unit, location) if location else "",
                    "market": unit.show(market[1]) if market else "—"})  # fmt: skip
    return out


# -- tables (page and CSV) ------------------------------------------------------------------------------------------


def _figure_columns(energy: Unit, water: Unit, prefix: str = "") -> list[Column]:
    return [
        Column("energy", f"{prefix}Energy, {energy.label}", True),
        Column("co2e_location", f"{prefix}CO₂e location-based, t", True),
        Column("co2e_location_low", f"{prefix}CO₂e location-based low, t", True),
        Column("co2e_location_high", f"{prefix}CO₂e location-based high, t", True),
        Column("co2e_market", f"{prefix}CO₂e market-based, t", True),
        Column("water", f"{prefix}Water, {water.label}", True),
    ]


def _figure_cells(t: Totals, energy: Unit, water: Unit) -> list[Cell]:
    return [Cell(energy.show(t.energy_kwh[1])), Cell(TONNES.show(t.co2e_location_kg[1])),
            Cell(TONNES.show(t.co2e_location_kg[0])), Cell(TONNES.show(t.co2e_location_kg[2])),
            Cell(TONNES.show(t.co2e_market_kg[1])), Cell(water.show(t.water_l[1]))]  # fmt: skip


def trend_table(d: Dashboard) -> Table:
    """Each month of the period and the month at the same place in the prior period."""
    every = [t for point in d.trend for t in (point.current, point.prior)]
    energy, water = energy_unit(t.energy_kwh[1] for t in every), water_unit(t.water_l[1] for t in every)
    change = Column("change", "Change of CO₂e location-based, %", True, "Against the prior-period month")
    columns = [Column("month", "Month"), *_figure_columns(energy, water), Column("prior_month", "Prior-period month"),
               *_figure_columns(energy, water, "Prior "), change]  # fmt: skip
    rows = [[Cell(month_label(p.month)), *_figure_cells(p.current, energy, water), Cell(month_label(p.prior_month)),
             *_figure_cells(p.prior, energy, water),
             Cell(change_text(p.current.co2e_location_kg[1], p.prior.co2e_location_kg[1]))]
            for p in d.trend]  # fmt: skip
    return Table(columns, rows)


def breakdown_table(d: Dashboard, dimension: str) -> Table:
    """Every vendor, model or region (none folded) in each month it has usage, largest first within a month."""
    groups = d.breakdowns[dimension]
    cells = [(month, g, t) for month in d.period.month_list() for g in groups if (t := g.monthly[month]).rows]
    energy, water = energy_unit(t.energy_kwh[1] for *_, t in cells), water_unit(t.water_l[1] for *_, t in cells)
    label = DIMENSIONS[dimension].label
    columns = [Column("month", "Month"), Column(dimension, label), *_figure_columns(energy, water)]
    rows = [[Cell(month_label(month)), Cell(g.label, title=g.key), *_figure_cells(t, energy, water)]
            for month, g, t in cells]  # fmt: skip
    return Table(columns, rows)


def tiers_table(d: Dashboard) -> Table:
    columns = [Column("tier", "Data-quality tier"), Column("co2e", "CO₂e location-based, t", True),
               Column("co2e_share", "Share of CO₂e", True), Column("records", "Usage records", True),
               Column("records_share", "Share of records", True), Column("note", "What it is")]  # fmt: skip
    rows = [[Cell(t.label), Cell(TONNES.show(t.co2e_kg[1])), Cell(percent(t.co2e_share)), Cell(f"{t.records:,}"),
             Cell(percent(t.records_share)), Cell(TIER_NOTES[t.tier])] for t in d.tiers]  # fmt: skip
    return Table(columns, rows)


def target_table(tracking: TargetTracking) -> Table:
    """Each year from the baseline to the last target year: actual CO₂e (where there is data) and each trajectory;
    the compared year's allowed figure is for the months it has (see ``reports.kpis.targets``)."""
    counted = "Months of the year counted: 12, or January to the latest month with data"
    columns = [Column("year", "Year"), Column("months", "Months", True, counted),
               Column("actual", "Actual CO₂e location-based, t", True)]  # fmt: skip
    for target in tracking.targets:
        columns += [Column(f"{target.kind}_trajectory", f"{target.label}: trajectory, t/yr", True),
                    Column(f"{target.kind}_allowed", f"{target.label}: allowed for the months, t", True),
                    Column(f"{target.kind}_status", f"{target.label}: status")]  # fmt: skip
    actual = {y.year: y for y in tracking.years}
    statuses = {(s.target.kind, s.year): s for s in tracking.statuses}
    rows = []
    for year in tracking.chart_years:
        seen = actual.get(year)
        row = [Cell(str(year)), Cell(str(seen.months) if seen else ""),
               Cell(TONNES.show(seen.co2e_kg) if seen else "")]  # fmt: skip
        for target in tracking.targets:
            trajectory = target.allowed_kg(tracking.baseline_kg, year)
            status = statuses.get((target.kind, year))
            allowed, verdict = "", ""
            if year == tracking.baseline_year:
                verdict = "Baseline"
            elif status is not None:
                allowed, verdict = TONNES.show(status.allowed_kg), "On track" if status.on_track else "Off track"
            elif seen is not None:
                allowed = TONNES.show(trajectory)
                verdict = "On track" if seen.co2e_kg <= trajectory else "Off track"
            row += [Cell(TONNES.show(trajectory)), Cell(allowed), Cell(verdict)]
        rows.append(row)
    return Table(columns, rows)


def chart_table(d: Dashboard, chart: str) -> Table:
    if chart == "trend":
        return trend_table(d)
    if chart in BREAKDOWN_CHARTS:
        return breakdown_table(d, BREAKDOWN_CHARTS[chart])
    if chart == "tiers":
        return tiers_table(d)
    if chart == "target":
        return target_table(d.tracking)
    raise KeyError(chart)


# -- chart data (json_script) ------------------------------------------------------------------------------------


def _tonnes(values: Iterable[float]) -> list[float]:
    return [v / KG_PER_T for v in values]


def _stack(groups: list[Group], months) -> list[dict]:
    return [{"name": g.label, "values": _tonnes(g.monthly[m].co2e_location_kg[1] for m in months)} for g in groups]


def chart_data(d: Dashboard) -> dict:
    """What dashboard.js draws; every figure is also in the table under its chart."""
    months = d.period.month_list()
    trend = d.trend
    tracking = d.tracking
    return {
        "trend": {
            "months": [month_label(p.month) for p in trend],
            "prior_months": [month_label(p.prior_month) for p in trend],
            "location": _tonnes(p.current.co2e_location_kg[1] for p in trend),
            "location_low": _tonnes(p.current.co2e_location_kg[0] for p in trend),
            "location_high": _tonnes(p.current.co2e_location_kg[2] for p in trend),
            "market": _tonnes(p.current.co2e_market_kg[1] for p in trend),
            "prior_location": _tonnes(p.prior.co2e_location_kg[1] for p in trend),
            "prior_market": _tonnes(p.prior.co2e_market_kg[1] for p in trend),
            "axis": "t CO₂e a month",
        },
        "breakdowns": {
            key: {
                "label": DIMENSIONS[key].label,
                "months": [month_label(m) for m in months],
                "groups": _stack(fold_groups(d.breakdowns[key], CHART_GROUPS, months), months),
                "axis": "t CO₂e a month",
            }
            for key in DIMENSIONS
        },
        "tiers": {
            "labels": [t.label for t in d.tiers],
            "co2e_share": [None if t.co2e_share is None else t.co2e_share * 100 for t in d.tiers],
            "records_share": [None if t.records_share is None else t.records_share * 100 for t in d.tiers],
        },
        "target": {
            "years": tracking.chart_years,
            "actual": [_actual(tracking, y) for y in tracking.chart_years],
            "trajectories": [
                {"name": t.label, "values": _tonnes(tracking.trajectory(t, tracking.chart_years))}
                for t in tracking.targets
            ],
            # A year not over yet is compared on its months so far: its actual and what those months allow.
            "compared": [
                {"name": s.target.label, "year": s.year, "months": s.months, "allowed": s.allowed_kg / KG_PER_T}
                for s in tracking.statuses
                if s.months < MONTHS_PER_YEAR
            ],
            "axis": "t CO₂e a year",
        },
    }


def _actual(tracking: TargetTracking, year: int) -> float | None:
    seen = next((y for y in tracking.years if y.year == year), None)
    return None if seen is None else seen.co2e_kg / KG_PER_T


def target_statuses(tracking: TargetTracking) -> list[dict]:
    """Each target's verdict on the compared year, with its numbers and the rule it was compared by."""
    return [{"status": s, "rule": rule_text(s.rule, s.months), "months": months_text(s.months),
             "actual": TONNES.show(s.actual_kg), "allowed": TONNES.show(s.allowed_kg),
             "gap": format_value(abs(s.gap_percent)) if s.gap_percent is not None else ""}
            for s in tracking.statuses]  # fmt: skip


def rule_text(rule: str, months: int) -> str:
    """How the compared year was compared, in words."""
    if rule == SAME_MONTHS_OF_BASELINE:
        return (f"The year is not over, so its first {months} months are compared with the trajectory × the share "
                "of the baseline year's CO₂e that fell in the same months.")  # fmt: skip
    if rule == MONTHS_OVER_12:
        return (f"The year is not over, so its first {months} months are compared with the trajectory × {months}/12 "
                "(the baseline year had no CO₂e in those months).")  # fmt: skip
    return "The full year is compared with the trajectory."


def months_text(months: int) -> str:
    """'January–June' for the first six months of a year; '' for a full year."""
    if months >= MONTHS_PER_YEAR:
        return ""
    return "January" if months == 1 else f"January–{calendar.month_name[months]}"


# -- recommendations ---------------------------------------------------------------------------------------------


def planner_url(rec: Recommendation, task: str) -> str:
    """/procurement/ with the recommendation's workload and current choice: the planner shows every option."""
    usage = rec.usage
    params = {"task": task, "requests_per_month": usage.requests_per_month,
              "input_tokens": _decimal(usage.input_tokens), "output_tokens": _decimal(usage.output_tokens),
              "current": usage.model_slug}  # fmt: skip
    if usage.region_slug:
        params["current_region"] = usage.region_slug
    return reverse("procurement") + "?" + urlencode(params)


def _decimal(value: float) -> str:
    """A rounded average as the planner form takes it back, exactly (no exponent, no trailing zeros)."""
    return f"{value:.{TOKEN_DECIMALS}f}".rstrip("0").rstrip(".")


def recommendation_items(chosen: list[Recommendation], tasks: dict[str, str]) -> list[dict]:
    """The recommendations in words; ``tasks``: model slug -> task (the planner link needs it)."""
    return [{
        "from": f"{r.usage.model} ({r.usage.vendor}), {r.usage.region_slug or WORLD_AVERAGE}",
        "to": f"{r.to_model} ({r.to_vendor}), {r.to_region_slug or WORLD_AVERAGE}",
        "kind": "Move region" if r.kind == "region" else "Switch model",
        "saving": TONNES.show(r.saving_kg_per_year), "percent": format_value(r.saving_percent, 2),
        "current": TONNES.show(r.current_kg_per_year), "usage": f"{r.usage.requests_per_month:,} requests a month",
        "href": planner_url(r, tasks[r.usage.model_slug]), "quality": r.quality,
    } for r in chosen]  # fmt: skip
