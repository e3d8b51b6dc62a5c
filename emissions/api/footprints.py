"""Stored model footprints: each model's footprint per typical request in each region that serves it, this month.

Figures are kg CO₂e, kWh and L as ``{low, central, high}``, CO₂e on both bases (location and market); they are
what the pipeline stored, never estimated on request. A footprint being recomputed says so (``is_stale``) and
shows the previous consistent figures.
"""

from __future__ import annotations

from django.db.models import F, QuerySet
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.generics import ListAPIView
from rest_framework.response import Response

from emissions.api.caching import CatalogueCachedMixin
from emissions.api.common import EXAMPLE_HOST, LIST_FILTER_BACKENDS, PublicReadMixin, error_responses, not_found
from emissions.api.filters import FootprintFilter
from emissions.api_serializers import FootprintSerializer
from emissions.labels import model_footprints
from emissions.models import ModelFootprint
from vendors.models import AIModel

TAG = "footprints"


def _triple(low: float, central: float, high: float) -> dict:
    return {"low": low, "central": central, "high": high}


FOOTPRINT_EXAMPLE = {
    "model": {"slug": "meta/llama-3.1-8b", "name": "Llama 3.1 8B", "task": "text-generation",
              "url": f"{EXAMPLE_HOST}/api/v1/models/meta/llama-3.1-8b/",
              "vendor": {"slug": "meta", "name": "Meta", "url": f"{EXAMPLE_HOST}/api/v1/vendors/meta/"}},
    "region": None, "place": "world average", "month": "2025-06-01",
    "typical_request": {"input_tokens": 1000, "output_tokens": 400, "label": "1,000 input + 400 output tokens"},
    "energy_kwh": _triple(0.00041, 0.00098, 0.0021),
    "co2e_kg": {"location": _triple(0.00017, 0.00039, 0.00084), "market": _triple(0.00016, 0.00037, 0.0008)},
    "operational_co2e_kg": {"location": _triple(0.00015, 0.00037, 0.0008),
                            "market": _triple(0.00014, 0.00035, 0.00076)},
    "embodied_co2e_kg": _triple(0.00002, 0.00002, 0.00004), "water_l": _triple(0.0007, 0.0017, 0.0036),
    "is_stale": False, "computed_at": "2025-06-01T02:00:00Z", "methodology_version": "1.4",
}  # fmt: skip


def _footprints() -> QuerySet[ModelFootprint]:
    return ModelFootprint.objects.select_related("ai_model__vendor", "region", "rate").annotate(
        co2e_central=F("operational_co2e_kg") + F("embodied_co2e_kg")
    )


@extend_schema_view(get=extend_schema(
    operation_id="footprints_list", summary="List model footprints", tags=[TAG],
    description="One row per model and place: its footprint per typical request this month, low/central/high, "
    "CO₂e location- and market-based. Filter by model, vendor, task, region or zone.",
    responses={200: FootprintSerializer, **error_responses(400, 404)},
    examples=[OpenApiExample("Llama 3.1 8B, world average", value=FOOTPRINT_EXAMPLE, response_only=True)],
))  # fmt: skip
class FootprintListApi(CatalogueCachedMixin, PublicReadMixin, ListAPIView):
    serializer_class = FootprintSerializer
    filterset_class = FootprintFilter
    filter_backends = LIST_FILTER_BACKENDS
    ordering_map = {"model": "ai_model__slug", "region": "region__slug", "energy": "energy_kwh",
                    "co2e": "co2e_central", "water": "water_l"}  # fmt: skip
    ordering = ["ai_model__slug", F("region__slug").asc(nulls_first=True)]

    def get_queryset(self) -> QuerySet[ModelFootprint]:
        return _footprints()


@extend_schema_view(get=extend_schema(
    operation_id="models_footprints_list", summary="A model's footprints", tags=[TAG],
    description="The model's footprint in each place it is computed for, its default place first (its first "
    "serving region by slug, or the world average when it discloses none): the place rankings and labels use.",
    parameters=[OpenApiParameter("vendor", str, OpenApiParameter.PATH, examples=[OpenApiExample("meta", "meta")]),
                OpenApiParameter("model", str, OpenApiParameter.PATH,
                                 examples=[OpenApiExample("llama", "llama-3.1-8b")])],
    responses={200: FootprintSerializer, **error_responses(404)},
    examples=[OpenApiExample("Llama 3.1 8B", value=FOOTPRINT_EXAMPLE, response_only=True)],
))  # fmt: skip
class ModelFootprintsApi(CatalogueCachedMixin, PublicReadMixin, ListAPIView):
    queryset = ModelFootprint.objects.none()  # for the browsable API's filter form; list() reads model_footprints
    serializer_class = FootprintSerializer
    pagination_class = None  # a model has a footprint per serving region: a handful
    filter_backends: list = []

    def list(self, request, vendor: str, model: str):
        slug = f"{vendor}/{model}"
        ai_model = AIModel.objects.select_related("vendor").filter(slug=slug).first()
        if ai_model is None:
            raise not_found("model", f"No model with slug “{slug}”: see /api/v1/models/ for the list.")
        footprints = model_footprints(ai_model)
        for footprint in footprints:
            footprint.ai_model = ai_model  # already read, with its vendor: no query per row
        return Response(self.get_serializer(footprints, many=True).data)
