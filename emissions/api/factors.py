"""Public reads of the factor catalogue: factors (with their history) and the sources they come from.

Approved and superseded factors are the public record. Drafts are work in progress: only users who may view,
draft or approve factors in the admin see them here.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.generics import ListAPIView, RetrieveAPIView

from emissions.api.common import EXAMPLE_HOST, LIST_FILTER_BACKENDS, Pages, PublicReadMixin, error_responses, not_found
from emissions.api.filters import FactorFilter
from emissions.api_serializers import FactorSerializer, FactorVersionSerializer, SourceSerializer
from emissions.models import EmissionFactor, Source

TAG = "factors"
DRAFT_READERS = ("emissions.view_emissionfactor", "emissions.add_emissionfactor", "emissions.approve_emissionfactor")

SOURCE_EXAMPLE = {
    "key": "electricitymaps-yearly-2021-2025", "publisher": "Electricity Maps",
    "title": "Yearly carbon intensity averages 2021-2025", "year": 2026, "licence": "ODbL-1.0",
    "link": "https://www.electricitymaps.com/data-portal", "note": "",
    "url": f"{EXAMPLE_HOST}/api/v1/sources/electricitymaps-yearly-2021-2025/",
}  # fmt: skip
FACTOR_EXAMPLE = {
    "id": 412, "kind": "grid_intensity_location", "subject_type": "zone", "subject": "FRA", "value": 31.0,
    "value_low": None, "value_high": None, "unit": "gCO2e/kWh", "valid_from": "2025-01-01", "valid_to": None,
    "status": "approved", "source": {key: SOURCE_EXAMPLE[key] for key in ("key", "publisher", "title", "year",
                                                                          "link", "url")},
    "note": "", "supersedes": None, "approved_at": "2025-02-03T10:12:00Z", "created_at": "2025-02-01T09:00:00Z",
    "updated_at": "2025-02-03T10:12:00Z", "url": f"{EXAMPLE_HOST}/api/v1/factors/412/",
    "history_url": f"{EXAMPLE_HOST}/api/v1/factors/412/history/",
}  # fmt: skip
VERSION_EXAMPLE = {
    "version": 1803, "changed_at": "2025-02-03T10:12:00Z", "change": "changed", "reason": "Approved",
    "status": "approved", "value": 31.0, "value_low": None, "value_high": None, "unit": "gCO2e/kWh",
    "valid_from": "2025-01-01", "valid_to": None, "approved_at": "2025-02-03T10:12:00Z",
}  # fmt: skip


def factor_id_parameter() -> OpenApiParameter:
    return OpenApiParameter("id", int, OpenApiParameter.PATH, description="Factor id.",
                            examples=[OpenApiExample("412", value=412)])  # fmt: skip


def visible_factors(user) -> QuerySet[EmissionFactor]:
    """Factors with everything their representation reads; drafts only for users who may see them."""
    factors = EmissionFactor.objects.select_related("zone", "region", "accelerator", "ai_model", "source")
    if not any(user.has_perm(permission) for permission in DRAFT_READERS):
        factors = factors.exclude(status=EmissionFactor.Status.DRAFT)
    return factors


def visible_factor(user, pk) -> EmissionFactor:
    factor = visible_factors(user).filter(pk=pk).first()
    if factor is None:
        raise not_found("id", f"No factor with id {pk}.")
    return factor


class FactorListMixin:
    """The public list of factors; the curation API adds creating a draft to the same URL."""

    serializer_class = FactorSerializer
    filterset_class = FactorFilter
    filter_backends = LIST_FILTER_BACKENDS
    pagination_class = Pages
    ordering_map = {"id": "id", "kind": "kind", "valid_from": "valid_from", "value": "value", "status": "status",
                    "approved_at": "approved_at"}  # fmt: skip
    ordering = ["kind", "valid_from", "id"]

    def get_queryset(self) -> QuerySet[EmissionFactor]:
        return visible_factors(self.request.user)


LIST_FACTORS = extend_schema(
    operation_id="factors_list", summary="List factors", tags=[TAG],
    description="Every curated number footprints are computed from: grid intensities, PUE/WUE, accelerator power "
    "and embodied emissions, model sizes… with its subject, unit, validity period, source and status. Filter by "
    "subject, kind or source; `in_force_on` gives the approved factors in force on a day.",
    responses={200: FactorSerializer, **error_responses(400, 404)},
    examples=[OpenApiExample("A grid intensity", value=FACTOR_EXAMPLE, response_only=True)],
)  # fmt: skip


@extend_schema_view(get=extend_schema(
    operation_id="factors_retrieve", summary="Get a factor", tags=[TAG], parameters=[factor_id_parameter()],
    description="One factor with its source. Its versions (every change, approval and supersession): `history_url`.",
    responses={200: FactorSerializer, **error_responses(404)},
    examples=[OpenApiExample("A grid intensity", value=FACTOR_EXAMPLE, response_only=True)],
))  # fmt: skip
class FactorDetailApi(PublicReadMixin, RetrieveAPIView):
    serializer_class = FactorSerializer

    def get_object(self) -> EmissionFactor:
        return visible_factor(self.request.user, self.kwargs["pk"])


@extend_schema_view(get=extend_schema(
    operation_id="factors_history_list", summary="A factor's history", tags=[TAG], parameters=[factor_id_parameter()],
    description="What the factor was after each change, newest first (django-simple-history). Footprints cite the "
    "`version` they were computed with.",
    responses={200: FactorVersionSerializer, **error_responses(404)},
    examples=[OpenApiExample("Approved", value=VERSION_EXAMPLE, response_only=True)],
))  # fmt: skip
class FactorHistoryApi(PublicReadMixin, ListAPIView):
    serializer_class = FactorVersionSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator, with no factor id
            return EmissionFactor.history.none()
        factor = visible_factor(self.request.user, self.kwargs["pk"])
        return factor.history.order_by("-history_date", "-history_id")


class SourceFilter(filters.FilterSet):
    publisher = filters.CharFilter(lookup_expr="icontains", help_text="Part of the publisher's name.")
    year = filters.NumberFilter(help_text="Year of publication.")

    class Meta:
        model = Source
        fields: list[str] = []


@extend_schema_view(get=extend_schema(
    operation_id="sources_list", summary="List sources", tags=[TAG],
    description="The publications every factor and catalogue row cites, with their licences.",
    responses={200: SourceSerializer, **error_responses(400, 404)},
    examples=[OpenApiExample("Electricity Maps", value=SOURCE_EXAMPLE, response_only=True)],
))  # fmt: skip
class SourceListApi(PublicReadMixin, ListAPIView):
    serializer_class = SourceSerializer
    queryset = Source.objects.all()
    filterset_class = SourceFilter
    filter_backends = LIST_FILTER_BACKENDS
    ordering_map = {"key": "key", "publisher": "publisher", "year": "year"}
    ordering = ["key"]


@extend_schema_view(get=extend_schema(
    operation_id="sources_retrieve", summary="Get a source", tags=[TAG],
    parameters=[OpenApiParameter("key", str, OpenApiParameter.PATH, description="Source key.", examples=[
        OpenApiExample("Electricity Maps", value="electricitymaps-yearly-2021-2025")])],
    description="One publication: its publisher, title, year, licence and where to read it.",
    responses={200: SourceSerializer, **error_responses(404)},
    examples=[OpenApiExample("Electricity Maps", value=SOURCE_EXAMPLE, response_only=True)],
))  # fmt: skip
class SourceDetailApi(PublicReadMixin, RetrieveAPIView):
    serializer_class = SourceSerializer

    def get_object(self) -> Source:
        source = Source.objects.filter(key=self.kwargs["key"]).first()
        if source is None:
            raise not_found("key", f"No source with key “{self.kwargs['key']}”: see /api/v1/sources/ for the list.")
        return source
