"""The organisation dashboard (/orgs/<slug>/) and the CSV of each of its charts (/orgs/<slug>/export/<chart>.csv).

Every figure comes from ``reports.footprint_rows.footprint_rows`` (the stored rollups, priced) through
``reports.kpis``; a page view never reads usage records. The period is ``?start=YYYY-MM&end=YYYY-MM`` (both months
included) or ``?preset=``; a bad one is a 400 naming the parameter, as on /rankings/.

The reads, and what each costs, are in ``reports.selectors_dashboard``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from emissions.rankings import format_value
from reports import dashboard_exports as shown
from reports.kpis import (
    PRESETS,
    Period,
    PeriodChoice,
    period_from_params,
)
from reports.kpis.recommendations import QUALITY_TOLERANCE_POINTS
from reports.models import Organisation, Role
from reports.permissions import organisation_view
from reports.selectors_dashboard import (
    dashboard_for,
    latest_upload_at,
    rates_computed_at,
    recommendations,
    usage_months,
)
from vendors.views import csv_response

TEMPLATE = "reports/dashboard.html"


def _period_links(organisation: Organisation, choice: PeriodChoice) -> list[dict]:
    base = reverse("org-dashboard", args=[organisation.slug])
    return [{"key": key, "label": label, "href": f"{base}?preset={key}", "current": key == choice.preset}
            for key, label in PRESETS.items()]  # fmt: skip


def _table(table) -> dict:
    """A table for the template: its columns, and each row's cells beside their columns."""
    return {"columns": table.columns, "rows": [list(zip(row, table.columns, strict=True)) for row in table.rows]}


@organisation_view()
def dashboard(request, organisation, membership):
    context = {"organisation": organisation, "membership": membership, "org_section": "dashboard",
               "is_admin": membership.allows(Role.ADMIN), "can_upload": membership.allows(Role.ANALYST)}  # fmt: skip
    months = usage_months(organisation)
    if months is None:
        return render(request, TEMPLATE, context | {"empty": True})
    first, latest = months
    choice = period_from_params(request.GET, first=first, latest=latest, today=timezone.localdate())
    context |= {"choice": choice, "period_links": _period_links(organisation, choice),
                "data_period": Period.of_months(first, latest)}  # fmt: skip
    if choice.errors:
        invalid = {message.split(":", 1)[0] for message in choice.errors}  # each message starts with its field
        return render(request, TEMPLATE, context | {"errors": choice.errors, "invalid": invalid}, status=400)
    period = choice.period
    figures, rows, models = dashboard_for(organisation, period, latest)
    chosen = recommendations(organisation, period, rows, models)
    query = urlencode(period.query())
    context |= {
        "d": figures, "period": period, "has_rows": bool(rows),
        "headline": shown.headline(figures), "intensity": shown.intensity_figures(figures),
        "low_carbon_percent": format_value(figures.low_carbon.percent) if figures.low_carbon.share is not None else "",
        "computed_at": rates_computed_at(row.rate_id for row in rows), "uploaded_at": latest_upload_at(organisation),
        "tables": {chart: _table(shown.chart_table(figures, chart)) for chart in shown.CHARTS},
        "charts": shown.chart_data(figures), "chart_titles": shown.CHARTS,
        "exports": {chart: f"{reverse('org-dashboard-export', args=[organisation.slug, chart])}?{query}"
                    for chart in shown.CHARTS},
        "recommendations": shown.recommendation_items(chosen, {slug: m.task for slug, m in models.items()}),
        "quality_tolerance": format_value(QUALITY_TOLERANCE_POINTS),
        "statuses": shown.target_statuses(figures.tracking),
        "baseline": shown.TONNES.show(figures.tracking.baseline_kg), "chart_groups": shown.CHART_GROUPS,
        "spend_co2e": shown.TONNES.show(figures.totals.spend_co2e_kg[1]),
    }  # fmt: skip
    return render(request, TEMPLATE, context)


@organisation_view()
def export(request, organisation, membership, chart: str):
    """One chart's table as CSV, for the same period parameters as the page."""
    if chart not in shown.CHARTS:
        raise Http404(f"No chart “{chart}” on the dashboard.")
    months = usage_months(organisation)
    today = timezone.localdate()
    first, latest = months or (today, today)
    choice = period_from_params(request.GET, first=first, latest=latest, today=today)
    if choice.errors:
        return HttpResponse("\n".join(choice.errors), status=400, content_type="text/plain; charset=utf-8")
    period = choice.period
    figures, _, _ = dashboard_for(organisation, period, latest if months else None, with_tasks=False)
    name = f"ai-footprint-{organisation.slug}-{chart}-{period.start:%Y-%m}-{period.last_month:%Y-%m}.csv"
    return csv_response(shown.chart_table(figures, chart), name)
