"""Reads of the organisation dashboard, shared by its page and the organisation API's KPIs.

One query each, whatever the number of months or models: the months with data, the rows (two queries, in
``reports.footprint_rows``), the models in them (their task), when their rates were computed, the latest finished
upload; and, for the recommendations, the regions of the largest usages, the quality scores of their tasks and at
most ``PLANNED_USAGES`` planner calls (two queries each), cached per organisation, period and data fingerprint.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.cache import cache
from django.db.models import Max, Min

from emissions import planner
from emissions.models import FootprintRate, UsageRollup
from reports.footprint_rows import FootprintRow, footprint_rows
from reports.kpis import (
    Dashboard,
    Period,
    Recommendation,
    best_recommendations,
    dashboard_kpis,
    in_period,
    load_range,
    planned_usages,
    rows_fingerprint,
    targets_of,
)
from reports.kpis.recommendations import quality_comparable, quality_text
from reports.models import Organisation, UsageUpload
from vendors.models import AIModel, QualityScore, Region, Task

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
