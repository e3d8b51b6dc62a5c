"""The public catalogue API: vendors, models, accelerators, regions (data centres) and grid zones. Read-only.

Lists filter with django-filter (each bad parameter is a 400 naming it), sort with ``ordering`` and page with the
project's page-number pagination; each list is a constant number of queries whatever the page holds. Details are
found by the identifiers the site uses: slugs, ``<vendor>/<model>`` for models, ``<operator>/<code>`` for regions.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.generics import ListAPIView, RetrieveAPIView

from emissions.api.common import (
    EXAMPLE_HOST,
    LIST_FILTER_BACKENDS,
    PublicReadMixin,
    StrictBooleanFilter,
    choice_messages,
    error_responses,
    not_found,
    unknown,
)
from vendors.api_serializers import (
    AcceleratorSerializer,
    AIModelDetailSerializer,
    AIModelSerializer,
    GridZoneSerializer,
    RegionSerializer,
    VendorDetailSerializer,
    VendorSerializer,
)
from vendors.models import Accelerator, AIModel, Architecture, GridZone, QualityScore, Region, Task, Vendor
from vendors.selectors import vendor_list

TAG = "catalogue"

# -- filter sets ---------------------------------------------------------------------------------------------------


class VendorFilter(filters.FilterSet):
    hq_country = filters.CharFilter(lookup_expr="iexact", help_text="ISO 3166-1 alpha-3 code of the headquarters.")

    class Meta:
        model = Vendor
        fields: list[str] = []


class AIModelFilter(filters.FilterSet):
    vendor = filters.ModelChoiceFilter(
        queryset=Vendor.objects.all(), to_field_name="slug", help_text="Vendor slug, e.g. google.",
        error_messages=unknown("vendor", "a vendor slug such as google"),
    )  # fmt: skip
    task = filters.ChoiceFilter(choices=Task.choices, error_messages=choice_messages("task", Task.choices))
    architecture = filters.ChoiceFilter(
        choices=Architecture.choices, error_messages=choice_messages("architecture", Architecture.choices)
    )
    open_weights = StrictBooleanFilter(help_text="true: only models whose weights are published.")
    accelerator = filters.ModelChoiceFilter(
        field_name="serving_accelerator", queryset=Accelerator.objects.all(), to_field_name="slug",
        help_text="Serving accelerator slug.", error_messages=unknown("accelerator", "an accelerator slug"),
    )  # fmt: skip
    region = filters.ModelChoiceFilter(
        field_name="serving_regions", queryset=Region.objects.all(), to_field_name="slug", distinct=True,
        help_text="Models served from this region slug.", error_messages=unknown("region", "a slug like gcp/us-east4"),
    )  # fmt: skip

    class Meta:
        model = AIModel
        fields: list[str] = []


class AcceleratorFilter(filters.FilterSet):
    maker = filters.CharFilter(lookup_expr="iexact", help_text="Maker, e.g. NVIDIA.")
    kind = filters.ChoiceFilter(
        choices=Accelerator.Kind.choices, error_messages=choice_messages("kind", Accelerator.Kind.choices)
    )

    class Meta:
        model = Accelerator
        fields: list[str] = []


class RegionFilter(filters.FilterSet):
    operator = filters.CharFilter(lookup_expr="iexact", help_text="Cloud operator, e.g. aws, gcp, azure.")
    country = filters.CharFilter(lookup_expr="iexact", help_text="ISO 3166-1 alpha-3 country code.")
    zone = filters.ModelChoiceFilter(
        queryset=GridZone.objects.all(), to_field_name="code", help_text="Grid zone code, e.g. US-MIDA-PJM.",
        error_messages=unknown("grid zone", "a zone code such as FRA or US-CAL-CISO"),
    )  # fmt: skip

    class Meta:
        model = Region
        fields: list[str] = []


class GridZoneFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(
        choices=GridZone.Kind.choices, error_messages=choice_messages("kind", GridZone.Kind.choices)
    )
    country = filters.CharFilter(lookup_expr="iexact", help_text="ISO 3166-1 alpha-3 country code.")

    class Meta:
        model = GridZone
        fields: list[str] = []


# -- examples ------------------------------------------------------------------------------------------------------

VENDOR_EXAMPLE = {
    "slug": "google", "name": "Google", "website": "https://about.google", "hq_country": "USA", "net_zero_year": 2030,
    "renewable_claim_pct": 100.0, "commitment_note": "Net-zero emissions across operations and value chain by 2030.",
    "model_count": 9, "source": "google-2024-environmental-report", "url": f"{EXAMPLE_HOST}/api/v1/vendors/google/",
    "page_url": f"{EXAMPLE_HOST}/vendors/google/",
}  # fmt: skip
MODEL_REF_EXAMPLE = {"slug": "google/gemini-2.5-pro", "name": "Gemini 2.5 Pro", "task": "text-generation",
                     "url": f"{EXAMPLE_HOST}/api/v1/models/google/gemini-2.5-pro/"}  # fmt: skip
MODEL_EXAMPLE = {
    "slug": "meta/llama-3.1-8b", "name": "Llama 3.1 8B",
    "vendor": {"slug": "meta", "name": "Meta", "url": f"{EXAMPLE_HOST}/api/v1/vendors/meta/"},
    "family": "Llama 3.1", "task": "text-generation", "release_date": "2024-07-23", "open_weights": True,
    "architecture": "dense", "serving_accelerator": "nvidia-h100-sxm", "serving_regions": [],
    "note": "Open weights; Meta does not serve it in a listed region.", "source": "meta-llama-3-1-model-card",
    "url": f"{EXAMPLE_HOST}/api/v1/models/meta/llama-3.1-8b/",
    "page_url": f"{EXAMPLE_HOST}/models/meta/llama-3.1-8b/",
    "footprints_url": f"{EXAMPLE_HOST}/api/v1/models/meta/llama-3.1-8b/footprints/",
    "label_url": f"{EXAMPLE_HOST}/api/v1/labels/meta/llama-3.1-8b/",
}  # fmt: skip
ACCELERATOR_EXAMPLE = {"slug": "nvidia-h100-sxm", "name": "NVIDIA H100 SXM 80 GB", "maker": "NVIDIA", "kind": "gpu",
                       "memory_gb": 80.0, "release_year": 2022, "source": "nvidia-h100-datasheet",
                       "url": f"{EXAMPLE_HOST}/api/v1/accelerators/nvidia-h100-sxm/"}  # fmt: skip
REGION_EXAMPLE = {"slug": "aws/us-east-1", "operator": "aws", "code": "us-east-1", "name": "US East (N. Virginia)",
                  "city": "Northern Virginia", "country": "USA", "zone": "US-MIDA-PJM", "latitude": 39.0437,
                  "longitude": -77.4875, "source": "aws-regions-docs",
                  "url": f"{EXAMPLE_HOST}/api/v1/regions/aws/us-east-1/"}  # fmt: skip
ZONE_EXAMPLE = {"code": "FRA", "name": "France", "kind": "country", "country": "FRA", "latitude": 46.6261,
                "longitude": 2.4586, "source": "360info-country-centroids",
                "url": f"{EXAMPLE_HOST}/api/v1/zones/FRA/"}  # fmt: skip


def _example(name: str, value: dict) -> list[OpenApiExample]:
    return [OpenApiExample(name, value=value, response_only=True)]


def _path(name: str, description: str, example: str) -> OpenApiParameter:
    return OpenApiParameter(name, str, OpenApiParameter.PATH, description=description, examples=[
        OpenApiExample(example, value=example)])  # fmt: skip


def _list_schema(operation_id: str, summary: str, description: str, serializer, example: dict):
    return extend_schema(operation_id=operation_id, summary=summary, description=description, tags=[TAG],
                         responses={200: serializer, **error_responses(400, 404)},
                         examples=_example(summary, example))  # fmt: skip


def _detail_schema(operation_id: str, summary: str, description: str, serializer, example: dict, parameters):
    return extend_schema(operation_id=operation_id, summary=summary, description=description, tags=[TAG],
                         parameters=parameters, responses={200: serializer, **error_responses(404)},
                         examples=_example(summary, example))  # fmt: skip


# -- vendors -------------------------------------------------------------------------------------------------------


def _vendors() -> QuerySet[Vendor]:
    return vendor_list().select_related("source")


@extend_schema_view(get=_list_schema(
    "vendors_list", "List vendors", "Vendors in the catalogue with their climate commitments and model counts.",
    VendorSerializer, VENDOR_EXAMPLE))  # fmt: skip
class VendorListApi(PublicReadMixin, ListAPIView):
    serializer_class = VendorSerializer
    filterset_class = VendorFilter
    filter_backends = LIST_FILTER_BACKENDS
    ordering_map = {"name": "name", "slug": "slug", "hq_country": "hq_country", "net_zero_year": "net_zero_year",
                    "model_count": "model_count"}  # fmt: skip
    ordering = ["name", "slug"]

    def get_queryset(self) -> QuerySet[Vendor]:
        return _vendors()


@extend_schema_view(get=_detail_schema(
    "vendors_retrieve", "Get a vendor", "One vendor with its commitments and the list of its models.",
    VendorDetailSerializer, VENDOR_EXAMPLE | {"models": [MODEL_REF_EXAMPLE]},
    [_path("slug", "Vendor slug.", "google")]))  # fmt: skip
class VendorDetailApi(PublicReadMixin, RetrieveAPIView):
    serializer_class = VendorDetailSerializer

    def get_object(self) -> Vendor:
        slug = self.kwargs["slug"]
        models = Prefetch("models", AIModel.objects.order_by("slug"))
        vendor = _vendors().prefetch_related(models).filter(slug=slug).first()
        if vendor is None:
            raise not_found("slug", f"No vendor with slug “{slug}”: see /api/v1/vendors/ for the list.")
        return vendor


# -- models --------------------------------------------------------------------------------------------------------


def _models() -> QuerySet[AIModel]:
    return AIModel.objects.select_related("vendor", "serving_accelerator", "source").prefetch_related(
        Prefetch("serving_regions", Region.objects.order_by("slug"))
    )


@extend_schema_view(get=_list_schema(
    "models_list", "List models",
    "AI models with their vendor, task, architecture, serving hardware and regions. Footprints: "
    "`footprints_url`; carbon label: `label_url`.", AIModelSerializer, MODEL_EXAMPLE))  # fmt: skip
class AIModelListApi(PublicReadMixin, ListAPIView):
    serializer_class = AIModelSerializer
    filterset_class = AIModelFilter
    filter_backends = LIST_FILTER_BACKENDS
    ordering_map = {"slug": "slug", "name": "name", "vendor": "vendor__name", "task": "task",
                    "release_date": "release_date"}  # fmt: skip
    ordering = ["slug"]

    def get_queryset(self) -> QuerySet[AIModel]:
        return _models()


@extend_schema_view(get=_detail_schema(
    "models_retrieve", "Get a model", "One model, with its benchmark scores. Its slug is `<vendor>/<model>`.",
    AIModelDetailSerializer, MODEL_EXAMPLE | {"quality_scores": [
        {"benchmark": "mmlu", "value": 68.4, "source": "openai-simple-evals"}]},
    [_path("vendor", "Vendor part of the model slug.", "meta"),
     _path("model", "Model part of the slug (after the slash).", "llama-3.1-8b")]))  # fmt: skip
class AIModelDetailApi(PublicReadMixin, RetrieveAPIView):
    serializer_class = AIModelDetailSerializer

    def get_object(self) -> AIModel:
        slug = f"{self.kwargs['vendor']}/{self.kwargs['model']}"
        scores = Prefetch("quality_scores", QualityScore.objects.select_related("source"))
        model = _models().prefetch_related(scores).filter(slug=slug).first()
        if model is None:
            raise not_found("model", f"No model with slug “{slug}”: see /api/v1/models/ for the list.")
        return model


# -- accelerators, regions, zones ----------------------------------------------------------------------------------


@extend_schema_view(get=_list_schema(
    "accelerators_list", "List accelerators", "GPUs, TPUs and other accelerators that serve or train models.",
    AcceleratorSerializer, ACCELERATOR_EXAMPLE))  # fmt: skip
class AcceleratorListApi(PublicReadMixin, ListAPIView):
    serializer_class = AcceleratorSerializer
    filterset_class = AcceleratorFilter
    filter_backends = LIST_FILTER_BACKENDS
    ordering_map = {"slug": "slug", "name": "name", "maker": "maker", "memory_gb": "memory_gb",
                    "release_year": "release_year"}  # fmt: skip
    ordering = ["maker", "release_year", "slug"]

    def get_queryset(self) -> QuerySet[Accelerator]:
        return Accelerator.objects.select_related("source")


@extend_schema_view(get=_detail_schema(
    "accelerators_retrieve", "Get an accelerator", "One accelerator (its power and embodied-emission factors are "
    "under /api/v1/factors/?accelerator=<slug>).", AcceleratorSerializer, ACCELERATOR_EXAMPLE,
    [_path("slug", "Accelerator slug.", "nvidia-h100-sxm")]))  # fmt: skip
class AcceleratorDetailApi(PublicReadMixin, RetrieveAPIView):
    serializer_class = AcceleratorSerializer

    def get_object(self) -> Accelerator:
        slug = self.kwargs["slug"]
        accelerator = Accelerator.objects.select_related("source").filter(slug=slug).first()
        if accelerator is None:
            raise not_found("slug", f"No accelerator with slug “{slug}”: see /api/v1/accelerators/ for the list.")
        return accelerator


@extend_schema_view(get=_list_schema(
    "regions_list", "List regions (data centres)", "Cloud regions and data centres that serve models, each in the "
    "grid zone whose electricity it uses.", RegionSerializer, REGION_EXAMPLE))  # fmt: skip
class RegionListApi(PublicReadMixin, ListAPIView):
    serializer_class = RegionSerializer
    filterset_class = RegionFilter
    filter_backends = LIST_FILTER_BACKENDS
    ordering_map = {"slug": "slug", "operator": "operator", "name": "name", "country": "country",
                    "zone": "zone__code"}  # fmt: skip
    ordering = ["operator", "code"]

    def get_queryset(self) -> QuerySet[Region]:
        return Region.objects.select_related("zone", "source")


@extend_schema_view(get=_detail_schema(
    "regions_retrieve", "Get a region (data centre)", "One region; its slug is `<operator>/<code>`. Its PUE, WUE "
    "and renewable share are under /api/v1/factors/?region=<slug>.", RegionSerializer, REGION_EXAMPLE,
    [_path("operator", "Cloud operator.", "aws"), _path("code", "Region code.", "us-east-1")]))  # fmt: skip
class RegionDetailApi(PublicReadMixin, RetrieveAPIView):
    serializer_class = RegionSerializer

    def get_object(self) -> Region:
        slug = f"{self.kwargs['operator']}/{self.kwargs['code']}"
        region = Region.objects.select_related("zone", "source").filter(slug=slug).first()
        if region is None:
            raise not_found("code", f"No region with slug “{slug}”: see /api/v1/regions/ for the list.")
        return region


@extend_schema_view(get=_list_schema(
    "zones_list", "List grid zones", "Electricity grids (countries and sub-national grids); their intensities are "
    "factors (/api/v1/factors/?zone=<code>).", GridZoneSerializer, ZONE_EXAMPLE))  # fmt: skip
class GridZoneListApi(PublicReadMixin, ListAPIView):
    serializer_class = GridZoneSerializer
    filterset_class = GridZoneFilter
    filter_backends = LIST_FILTER_BACKENDS
    ordering_map = {"code": "code", "name": "name", "country": "country"}
    ordering = ["code"]

    def get_queryset(self) -> QuerySet[GridZone]:
        return GridZone.objects.select_related("source")


@extend_schema_view(get=_detail_schema(
    "zones_retrieve", "Get a grid zone", "One grid zone by its code (ISO-3 for countries).", GridZoneSerializer,
    ZONE_EXAMPLE, [_path("code", "Zone code, e.g. FRA or US-CAL-CISO.", "FRA")]))  # fmt: skip
class GridZoneDetailApi(PublicReadMixin, RetrieveAPIView):
    serializer_class = GridZoneSerializer

    def get_object(self) -> GridZone:
        code = self.kwargs["code"]
        zone = GridZone.objects.select_related("source").filter(code=code).first()
        if zone is None:
            raise not_found("code", f"No grid zone with code “{code}”: see /api/v1/zones/ for the list.")
        return zone
