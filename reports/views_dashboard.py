"""The organisation dashboard (/orgs/<slug>/) and the CSV of each of its charts (/orgs/<slug>/export/<chart>.csv).

Every figure comes from ``reports.footprint_rows.footprint_rows`` (the stored rollups, priced) through
``reports.kpis``; a page view never reads usage records. The period is ``?start=YYYY-MM&end=YYYY-MM`` (both months
included) or ``?preset=``; a bad one is a 400 naming the parameter, as on /rankings/.

Reads (one query each, whatever the number of months or models): the months with data, the rows (two queries),
the models in them (their task), when their rates were computed, the latest finished upload; and, for the
recommendations, the regions of the largest usages and at most ``PLANNED_USAGES`` planner calls (two queries
each), cached per organisation, period and data fingerprint.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import Max, Min
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from emissions import planner
from emissions.models import FootprintRate, UsageRollup
from emissions.rankings import format_value
from reports import dashboard_exports as shown
from reports.footprint_rows import FootprintRow, footprint_rows
from reports.kpis import (
    PRESETS,
    Dashboard,
    Period,
    PeriodChoice,
    Recommendation,
    best_recommendations,
    dashboard_kpis,
    in_period,
    load_range,
    period_from_params,
    planned_usages,
    rows_fingerprint,
    targets_of,
)
from reports.kpis.recommendations import QUALITY_TOLERANCE_POINTS, quality_comparable, quality_text
from reports.models import Organisation, Role, UsageUpload
from reports.permissions import organisation_view
from vendors.models import AIModel, QualityScore, Region, Task
from vendors.views import csv_response

TEMPLATE = "reports/dashboard.html"
RECOMMENDATIONS_CACHE_SECONDS = 600  # the planner prices options with this month's rates: a factor approved
# meanwhile reaches the recommendations within ten minutes (the organisation's own usage is in the cache key)


# -- reads beside footprint_rows -----------------------------------------------------------------------------------


def usage_months(organisation: Organisation) -> tuple[dt.date, dt.date] | None:
    """The first and latest month the organisation has usage in; None when it has none. One query."""
    found = UsageRollup.objects.filter(organisation=organisation).aggregate(first=Min("month"), latest=Max("month"))
    return None if found["first"] is None else (found["first"], found["latest"])


def rates_computed_at(rate_ids: Iterable[int]) -> dt.datetime | None:
    """When the newest of these rates was computed: the figures are as of then."""
    ids = set(rate_ids)
    if not ids:
        return None
    return FootprintRate.objects.filter(pk__in=ids).aggregate(at=Max("computed_at"))["at"]


def latest_upload_at(organisation: Organisation) -> dt.datetime | None:
    done = UsageUpload.objects.filter(organisation=organisation, status=UsageUpload.Status.DONE)
    return done.aggregate(at=Max("finished_at"))["at"]


def models_of(rows: Iterable[FootprintRow]) -> dict[str, AIModel]:
    """The catalogue models of the rows, by slug: their task says what their tokens count."""
    slugs = {row.model_slug for row in rows}
    if not slugs:
        return {}
    return {m.slug: m for m in AIModel.objects.filter(slug__in=slugs).only("pk", "slug", "name", "task")}


BENCHMARK_LABELS = {"mmlu": "MMLU", "mmlu-5shot-base": "MMLU (5-shot, base model)"}


def quality_scores(tasks: set[str]) -> dict[int, dict[str, float]]:
    """Benchmark scores of the models of these tasks: model id -> benchmark -> score. One query."""
    scores: dict[int, dict[str, float]] = {}
    for model_id, benchmark, value in QualityScore.objects.filter(model__task__in=tasks).values_list(
        "model_id", "benchmark", "value"
    ):
        scores.setdefault(model_id, {})[benchmark] = value
    return scores


def recommendations(
    organisation: Organisation, period: Period, rows: list[FootprintRow], models: dict[str, AIModel]
) -> list[Recommendation]:
    """The best switches for the period's largest usages (``reports.kpis.recommendations``), cached."""
    usages = planned_usages(rows, period.months)
    if not usages:
        return []
    key = f"reports:dashboard-recommendations:{organisation.pk}:{period.start}:{period.end}:{rows_fingerprint(rows)}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    region_slugs = {u.region_slug for u in usages if u.region_slug}
    regions = {r.slug: r for r in Region.objects.filter(slug__in=region_slugs)} if region_slugs else {}
    candidates = []
    scores = quality_scores({models[u.model_slug].task for u in usages if u.model_slug in models})
    for usage in usages:
        model = models.get(usage.model_slug)
        if model is None or (usage.region_slug and usage.region_slug not in regions):
            continue
        workload = planner.Workload(
            task=model.task, requests_per_month=usage.requests_per_month, input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens, current_model=model, current_region=regions.get(usage.region_slug),
        )  # fmt: skip
        result = planner.plan(workload, rank_by="co2e_location")
        if result.current is None:
            continue
        mine = scores.get(model.pk, {})
        best = next(
            (o for o in result.options if o.kind == "region"
             or (o.kind == "model" and quality_comparable(mine, scores.get(o.model.pk, {})))),
            None,
        )  # fmt: skip
        if best is None:
            continue
        saving, _ = result.saving(best)
        compared = quality_text(mine, scores.get(best.model.pk, {}), BENCHMARK_LABELS) if best.kind == "model" else ""
        candidates.append(
            Recommendation(usage, best.kind, best.model.slug, best.model.name, best.model.vendor.name,
                           best.region.slug if best.region else "", result.current.figures["co2e_location"][1],
                           saving, compared)
        )  # fmt: skip
    chosen = best_recommendations(candidates)
    cache.set(key, chosen, RECOMMENDATIONS_CACHE_SECONDS)
    return chosen


def dashboard_for(
    organisation: Organisation, period: Period, latest: dt.date | None, *, with_tasks: bool = True
) -> tuple[Dashboard, list[FootprintRow], dict[str, AIModel]]:
    """The period's figures, the rows behind them and (``with_tasks``) the models in the period's rows."""
    targets = targets_of(
        baseline_year=organisation.baseline_year, target_year=organisation.target_year,
        reduction_percent=organisation.reduction_target_percent, net_zero_year=organisation.net_zero_year,
    )  # fmt: skip
    needed = load_range(period, targets=targets, latest=latest)
    rows = footprint_rows(organisation, needed.start, needed.end)
    current = in_period(rows, period.start, period.end)
    models = models_of(current) if with_tasks and current else {}
    text_models = {slug for slug, m in models.items() if m.task == Task.TEXT_GENERATION} if with_tasks else None
    dashboard = dashboard_kpis(
        rows, period=period, targets=targets, latest=latest, token_models=text_models,
        low_carbon_threshold_g_per_kwh=organisation.low_carbon_threshold_g_per_kwh,
    )  # fmt: skip
    return dashboard, current, models


# -- the page ----------------------------------------------------------------------------------------------------


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
