"""A snapshot as the report shows it: figures rounded and labelled, for the HTML page and the PDF alike.

Both render the same strings from here, so the PDF says exactly what the page says. Central figures are given
to three significant figures (the precision the ranges allow, see ``emissions.rankings.format_value``) with
their low–high range; the CSV export carries the unrounded figures instead.
"""

from __future__ import annotations

import datetime as dt

from emissions.factor_kinds import KIND_SPECS
from emissions.rankings import format_value
from reports.snapshots.build import GAP_SPEND_FACTOR
from reports.snapshots.compare import DIFFERENCE_METRICS
from reports.snapshots.periods import Period

KIND_LABELS = {"monthly": "Monthly", "quarterly": "Quarterly", "yearly": "Yearly"}
HEADLINE_METRICS = DIFFERENCE_METRICS  # CO2e location, CO2e market, energy, water: in this order everywhere


def figure(value: float | None) -> str:
    """Three significant figures, with thousands separators: 0.0123, 4.56, 12,300."""
    text = format_value(value)
    if value is not None and abs(float(text)) >= 1000:  # 999.6 rounds to 1000: separate it too
        return f"{float(text):,.0f}"
    return text


def count(value: int) -> str:
    return f"{value:,}"


def percent(share: float | None) -> str:
    """A share (0–1) in per cent, one decimal."""
    return "—" if share is None else f"{100 * share:.1f} %"


def signed(value: float) -> str:
    return ("+" if value > 0 else "−" if value < 0 else "") + figure(abs(value))


def signed_percent(value: float | None) -> str:
    if value is None:
        return "new"
    return ("+" if value > 0 else "−" if value < 0 else "") + f"{abs(value):.1f} %"


def exact(value: float) -> str:
    """A factor's value as curated (up to six significant figures, as the catalogue shows it), never rounded to 3."""
    return f"{value:,.6g}"


def triple(values: list[float]) -> dict:
    """{"central", "range", "low", "high"} as text."""
    low, central, high = values
    return {
        "central": figure(central),
        "low": figure(low),
        "high": figure(high),
        "range": f"{figure(low)}–{figure(high)}",
    }


def _figures(item: dict) -> dict:
    """Counts and the four metrics of a snapshot line, as text."""
    return {
        "records": count(item["records"]),
        "requests": count(item["requests"]),
        "input_tokens": count(item["input_tokens"]),
        "output_tokens": count(item["output_tokens"]),
        **{metric: triple(item[metric]) for metric, _, _ in HEADLINE_METRICS},
        "share": percent(item.get("share")),
    }


def _source(source: dict | None) -> dict:
    source = source or {}
    year = f" ({source['year']})" if source.get("year") else ""
    return {**source, "text": f"{source.get('publisher', '')}: {source.get('title', '')}{year}".strip(": ")}


def _citation(citation: dict) -> dict:
    low, high = citation.get("value_low"), citation.get("value_high")
    value = exact(citation["value"])
    if low is not None and high is not None:
        value += f" ({exact(low)}–{exact(high)})"
    spec = KIND_SPECS.get(citation["kind"])
    return {
        **citation,
        "kind_label": spec.label if spec else citation["kind"],
        "value_text": value,
        "validity": f"{citation['valid_from']} → {citation['valid_to'] or 'open'}",
        "source": _source(citation.get("source")),
    }


def _spend_factor(factor: dict) -> dict:
    low, central, high = factor["kg_co2e_per_unit"]
    value = exact(central) + (f" ({exact(low)}–{exact(high)})" if (low, high) != (central, central) else "")
    return {
        **factor,
        "value_text": f"{value} kg CO₂e per {factor['currency']}",
        "validity": f"{factor['valid_from']} → {factor.get('valid_to') or 'open'}",
        "months_text": ", ".join(dt.date.fromisoformat(m).strftime("%b %Y") for m in factor["months"]),
        "source": _source(factor.get("source")),
    }


def _gap(gap: dict) -> dict:
    month = dt.date.fromisoformat(gap["month"]).strftime("%B %Y")
    if gap["reason"] == GAP_SPEND_FACTOR:
        text = (
            f"{month}: {count(gap['records'])} spend-based record(s) of {gap['model']} "
            f"({gap['spend']:,.2f} {gap['currency']}) had no spend factor for {gap['currency']}; "
            "their CO₂e is not included."
        )
    else:
        text = f"{month}: the footprint of {gap['model']} was not computed yet; it counts as zero."
    return {**gap, "text": text}


def report_view(snapshot: dict) -> dict:
    """Everything the report templates print, from the snapshot alone (never from current data)."""
    period = Period(dt.date.fromisoformat(snapshot["period"]["start"]), snapshot["kind"])
    totals = snapshot["totals"]
    return {
        "organisation": snapshot["organisation"],
        "kind": snapshot["kind"],
        "kind_label": KIND_LABELS[snapshot["kind"]],
        "period": snapshot["period"],
        "first_day": period.start,
        "last_day": period.end - dt.timedelta(days=1),
        "methodology_version": snapshot["methodology_version"],
        "generated_at": dt.datetime.fromisoformat(snapshot["generated_at"]),
        "headline": [
            {"metric": metric, "label": label, "unit": unit, **triple(totals[metric])}
            for metric, label, unit in HEADLINE_METRICS
        ],
        "totals": _figures(totals),
        "co2e_spend_based": triple(totals["co2e_spend_based_kg"]),
        "has_spend_based": any(t["tier"] == "spend" and t["records"] for t in snapshot["by_tier"]),
        "spend": [{"currency": c, "amount": f"{amount:,.2f}"} for c, amount in totals["spend"].items()],
        "vendors": [{"name": v["vendor"], **_figures(v)} for v in snapshot["by_vendor"]],
        "models": [
            {
                "vendor": m["vendor"],
                "name": m["model"],
                "slug": m["model_slug"],
                **_figures(m),
                "regions": [
                    {
                        "name": r["region"] or "World average",
                        "slug": r["region_slug"],
                        "grid": figure(r["grid_g_per_kwh"]),
                        **_figures(r),
                    }
                    for r in m["regions"]
                ],
            }
            for m in snapshot["by_model"]
        ],
        "months": [
            {"name": dt.date.fromisoformat(m["month"]).strftime("%B %Y"), **_figures(m)} for m in snapshot["by_month"]
        ],
        "tiers": [
            {"tier": t["tier"], "label": t["label"], "method": t["method"], **_figures(t)} for t in snapshot["by_tier"]
        ],
        "spend_factors": [_spend_factor(f) for f in snapshot["spend_factors"]],
        "citations": [_citation(c) for c in snapshot["citations"]],
        "gaps": [_gap(g) for g in snapshot["gaps"]],
    }


def difference_view(difference: dict) -> dict:
    """The old-vs-new tables of a changed report, as text."""

    def line(item: dict) -> dict:
        unchanged_zero = item["old"] == item["new"] == 0
        return {
            "old": figure(item["old"]),
            "new": figure(item["new"]),
            "change": signed(item["change"]),
            "percent": "—" if unchanged_zero else signed_percent(item["percent"]),
        }

    return {
        "totals": [{"label": t["label"], "unit": t["unit"], **line(t)} for t in difference["totals"]],
        "vendors": [
            {"name": v["vendor"], "location": line(v["location"]), "market": line(v["market"])}
            for v in difference["vendors"]
        ],
    }
