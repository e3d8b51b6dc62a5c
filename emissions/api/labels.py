"""Carbon labels (``emissions.labels``): a grade A–G per model from its g CO₂e per typical request against its
task's median, with the link to the embeddable SVG."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.generics import ListAPIView, RetrieveAPIView

from emissions.api.caching import CatalogueCachedMixin
from emissions.api.common import EXAMPLE_HOST, LIST_FILTER_BACKENDS, PublicReadMixin, error_responses, not_found
from emissions.api_serializers import LabelSerializer
from emissions.labels import Label, model_label, task_grades
from emissions.rankings import typical_request_label
from vendors.api import AIModelFilter
from vendors.models import AIModel

TAG = "labels"
LABEL_EXAMPLE = {
    "model": "meta/llama-3.1-8b", "name": "Llama 3.1 8B", "task": "text-generation", "grade": "C", "low": 0.21,
    "central": 0.38, "high": 0.74, "unit": "g CO₂e", "ratio": 0.62, "task_median": 0.61, "task_models": 41,
    "place": "world average", "typical_request": "1,000 input + 400 output tokens",
    "summary": "Llama 3.1 8B: carbon label C on a scale from A (lowest) to G (highest). 0.38 g CO₂e per typical "
    "request (1,000 input + 400 output tokens), range 0.21–0.74 g, on the world-average grid (no serving region "
    "disclosed); 0.62 × the median of 41 text generation models.", "fill": "#98CAE1", "ink": "#1d2327",
    "svg_url": f"{EXAMPLE_HOST}/labels/meta/llama-3.1-8b.svg", "page_url": f"{EXAMPLE_HOST}/labels/meta/llama-3.1-8b/",
    "url": f"{EXAMPLE_HOST}/api/v1/labels/meta/llama-3.1-8b/",
}  # fmt: skip


def label_from_grades(model: AIModel, graded: tuple) -> Label:
    """``emissions.labels.model_label`` from its task's ``task_grades`` already read: one query per task, not per
    model, for a page of labels. The fields are model_label's, one for one."""
    grades, rows, median = graded
    row = next((r for r in rows if r.model.pk == model.pk), None)
    grade = grades.get(model.pk)
    return Label(
        model_name=model.name, model_slug=model.slug, task=model.task, grade=grade,
        low=row.low if row else None, central=row.central if row else None, high=row.high if row else None,
        ratio=row.central / median if row is not None and grade is not None else None, task_median=median,
        task_models=len(rows), region_label=row.region_label if row else "",
        typical_request=typical_request_label(model.task),
    )  # fmt: skip


@extend_schema_view(get=extend_schema(
    operation_id="labels_list", summary="List carbon labels", tags=[TAG],
    description="Every model's carbon label: grade A (lowest) to G against the median of its task, its g CO₂e "
    "per typical request (location-based, embodied included, in its default place) and the SVG to embed. A "
    "model without a computed footprint has no grade. Filters are the model list's.",
    responses={200: LabelSerializer, **error_responses(400, 404)},
    examples=[OpenApiExample("Llama 3.1 8B", value=LABEL_EXAMPLE, response_only=True)],
))  # fmt: skip
class LabelListApi(CatalogueCachedMixin, PublicReadMixin, ListAPIView):
    serializer_class = LabelSerializer
    filterset_class = AIModelFilter
    filter_backends = LIST_FILTER_BACKENDS
    ordering_map = {"slug": "slug", "name": "name", "vendor": "vendor__name", "task": "task"}
    ordering = ["slug"]

    def get_queryset(self) -> QuerySet[AIModel]:
        return AIModel.objects.all()

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        graded = {task: task_grades(task) for task in sorted({model.task for model in page})}
        labels = [label_from_grades(model, graded[model.task]) for model in page]
        return self.get_paginated_response(self.get_serializer(labels, many=True).data)


@extend_schema_view(get=extend_schema(
    operation_id="labels_retrieve", summary="Get a model's carbon label", tags=[TAG],
    description="The model's grade, figures and summary sentence, and `svg_url`: the label as an SVG image to "
    "embed (cacheable for an hour).",
    parameters=[OpenApiParameter("vendor", str, OpenApiParameter.PATH, examples=[OpenApiExample("meta", "meta")]),
                OpenApiParameter("model", str, OpenApiParameter.PATH,
                                 examples=[OpenApiExample("llama", "llama-3.1-8b")])],
    responses={200: LabelSerializer, **error_responses(404)},
    examples=[OpenApiExample("Llama 3.1 8B", value=LABEL_EXAMPLE, response_only=True)],
))  # fmt: skip
class LabelDetailApi(CatalogueCachedMixin, PublicReadMixin, RetrieveAPIView):
    serializer_class = LabelSerializer

    def get_object(self) -> Label:
        slug = f"{self.kwargs['vendor']}/{self.kwargs['model']}"
        model = AIModel.objects.filter(slug=slug).first()
        if model is None:
            raise not_found("model", f"No model with slug “{slug}”: see /api/v1/models/ for the list.")
        return model_label(model)
