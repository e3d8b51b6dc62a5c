"""GET /api/v1/rankings/: the /rankings/ page as data.

The parameters are the page's, validated by the page's own filter set (``emissions.filters.RankingFilter``: same
defaults, same messages, each naming its parameter) and ranked by the same reads (``emissions.rankings``), so the
page and the API cannot disagree. ``sort`` orders the rows as the page's column headings do.
"""

from __future__ import annotations

from django_filters import BooleanFilter
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions
from rest_framework.generics import GenericAPIView

from emissions.api.caching import CatalogueCachedMixin
from emissions.api.common import EXAMPLE_HOST, PublicReadMixin, error_responses
from emissions.api_serializers import RankingPageSerializer, RankingRowSerializer
from emissions.filters import DEFAULTS, RankingFilter
from emissions.labels import task_grades
from emissions.models import ModelFootprint
from emissions.rankings import METRICS, model_rankings, typical_request_label, vendor_rankings
from emissions.rankings import ranking_sorted as sorted_like_the_page

PARAMETER_HELP = {
    "task": "What the models do.",
    "metric": "The figure ranked (its unit is in `selection.unit`); some apply to one task only.",
    "basis": "CO₂e on the grid's average (location) or residual mix with contractual renewables (market).",
    "region": "Rank every model's footprint in this region (slug); default: each model's first serving region.",
    "zone": "Rank models served from regions in this grid zone (code). Not with `region`.",
    "open_weights": "Present (any value but false or 0): open-weights models only.",
    "group": "Rank models, or vendors by the median of their models.",
    "sort": "Order of the rows: a column (rank, model, vendor, region, models, low, central, high), - for "
    "descending. Ranks do not change.",
}
ROW_EXAMPLE = {
    "rank": 1, "model": {"slug": "meta/llama-3.1-8b", "name": "Llama 3.1 8B", "task": "text-generation",
                         "url": f"{EXAMPLE_HOST}/api/v1/models/meta/llama-3.1-8b/"},
    "vendor": {"slug": "meta", "name": "Meta", "url": f"{EXAMPLE_HOST}/api/v1/vendors/meta/"}, "models": 1,
    "region": None, "place": "world average", "grade": "C", "low": 0.21, "central": 0.38, "high": 0.74,
    "is_stale": False,
}  # fmt: skip
PAGE_EXAMPLE = {
    "count": 1, "next": None, "previous": None,
    "selection": {"task": "text-generation", "metric": "co2e_per_request", "basis": "location", "region": None,
                  "zone": None, "open_weights": False, "group": "model", "sort": "rank", "unit": "g CO₂e",
                  "per": "per typical request", "typical_request": "1,000 input + 400 output tokens"},
    "results": [ROW_EXAMPLE],
}  # fmt: skip


def ranking_parameters() -> list[OpenApiParameter]:
    """The filter set's parameters as the schema shows them: its choices, its defaults."""
    parameters = []
    for name, field in RankingFilter.base_filters.items():
        choices = field.extra.get("choices")
        parameters.append(OpenApiParameter(
            name, bool if isinstance(field, BooleanFilter) else str, description=PARAMETER_HELP[name],
            enum=[value for value, _ in choices] if choices else None, default=DEFAULTS.get(name),
        ))  # fmt: skip
    return [*parameters, OpenApiParameter("page", int, description="Page number (50 rows a page).")]


def _model_row(row, grades: dict[int, str]) -> dict:
    return {"rank": row.rank, "model": row.model, "vendor": row.vendor, "models": 1,
            "region": row.region.slug if row.region else None, "place": row.region_label,
            "grade": grades.get(row.model.pk), "low": row.low, "central": row.central, "high": row.high,
            "is_stale": row.is_stale}  # fmt: skip


def _vendor_row(row) -> dict:
    return {"rank": row.rank, "model": None, "vendor": row.vendor, "models": row.models, "region": None,
            "place": None, "grade": None, "low": row.low, "central": row.central, "high": row.high,
            "is_stale": None}  # fmt: skip


def _graded_selection(task: str) -> dict:
    """The selection carbon labels grade by (``emissions.labels.task_grades``): the default ranking of the task."""
    return {"task": task, "metric": "co2e_per_request", "basis": "location", "region": None, "zone": None,
            "open_weights_only": False}  # fmt: skip


def ranking_rows(*, selection: dict, group: str, sort: str) -> list[dict]:
    """The rows the page's table shows, in its order, as plain values."""
    if group == "vendor":
        return [_vendor_row(row) for row in sorted_like_the_page(vendor_rankings(**selection), sort)]
    grades, graded, _ = task_grades(selection["task"])
    ranked = graded if selection == _graded_selection(selection["task"]) else model_rankings(**selection)
    return [_model_row(row, grades) for row in sorted_like_the_page(ranked, sort)]


def _selection(selection: dict, presentation: dict) -> dict:
    spec = METRICS[selection["metric"]]
    return {"task": selection["task"], "metric": spec.key, "basis": selection["basis"],
            "region": selection["region"].slug if selection["region"] else None,
            "zone": selection["zone"].code if selection["zone"] else None,
            "open_weights": selection["open_weights_only"], **presentation, "unit": spec.unit, "per": spec.per,
            "typical_request": typical_request_label(selection["task"])}  # fmt: skip


@extend_schema_view(get=extend_schema(
    operation_id="rankings_list", summary="Rank models or vendors", tags=["rankings"],
    description="Models of a task (or vendors, by the median of their models) ranked by a footprint metric, "
    "lowest first, with low/central/high figures and each model's carbon label: the /rankings/ page as data, "
    "with the same parameters and defaults. `selection` echoes the parameters after defaults and gives the unit.",
    parameters=ranking_parameters(), filters=False,
    responses={200: RankingPageSerializer, **error_responses(400, 404)},
    examples=[OpenApiExample("Text models by CO₂e per request", value=PAGE_EXAMPLE, response_only=True)],
))  # fmt: skip
class RankingApi(CatalogueCachedMixin, PublicReadMixin, GenericAPIView):
    queryset = ModelFootprint.objects.none()  # what RankingFilter is declared over; the ranking reads its own rows
    serializer_class = RankingRowSerializer

    def answer(self, request):
        ranking = RankingFilter(request.query_params, request=request)
        if not ranking.is_valid():
            raise exceptions.ValidationError(ranking.errors)
        selection, presentation = ranking.selection, ranking.presentation
        page = self.paginate_queryset(ranking_rows(selection=selection, **presentation))
        response = self.get_paginated_response(self.get_serializer(page, many=True).data)
        paging = {key: response.data[key] for key in ("count", "next", "previous")}
        response.data = paging | {"selection": _selection(selection, presentation), "results": response.data["results"]}
        return response
