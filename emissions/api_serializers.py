"""How factors, sources, footprints, rankings, labels and curation results read in the API (and what curation takes).

Figures keep the units of the stored rows: kg CO₂e, kWh and L, each as ``{low, central, high}`` (null while a
footprint is not computed yet). Rankings and labels keep the units the site shows (g CO₂e, Wh, mL), named in
their ``unit`` field. Serializers shape and validate; the arithmetic is ``emissions.rankings.sum_columns``.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from emissions.api.common import FiniteFloatField, LinkField
from emissions.factor_kinds import KIND_CHOICES, UNIT_CHOICES, Subject
from emissions.models import EmissionFactor, ModelFootprint, RecomputeJob, Source
from emissions.rankings import region_label, sum_columns, typical_request_label
from vendors.api_serializers import ModelRefSerializer, VendorRefSerializer
from vendors.models import Accelerator, AIModel, GridZone, Region

# How each kind of subject is named in the API: zones by code, everything else by slug.
SUBJECT_KEYS = {Subject.ZONE: "code", Subject.REGION: "slug", Subject.ACCELERATOR: "slug", Subject.AI_MODEL: "slug"}
HISTORY_CHANGES = {"+": "created", "~": "changed", "-": "deleted"}


# -- sources and factors -------------------------------------------------------------------------------------------


class SourceSerializer(serializers.ModelSerializer):
    url = LinkField("api-source-detail", lambda source: [source.key])
    link = serializers.URLField(source="url", read_only=True, help_text="Where the publication can be read.")

    class Meta:
        model = Source
        fields = ["key", "publisher", "title", "year", "licence", "link", "note", "url"]


class SourceRefSerializer(SourceSerializer):
    class Meta(SourceSerializer.Meta):
        fields = ["key", "publisher", "title", "year", "link", "url"]


class FactorSerializer(serializers.ModelSerializer):
    subject_type = serializers.SerializerMethodField(help_text="What the factor is about: zone, region, accelerator "
                                                     "or ai_model.")  # fmt: skip
    subject = serializers.SerializerMethodField(help_text="Zone code, or region, accelerator or model slug.")
    source = SourceRefSerializer(read_only=True)
    supersedes = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True, help_text="The factor this one "
                                                    "corrects.")  # fmt: skip
    url = LinkField("api-factor-detail", lambda factor: [factor.pk])
    history_url = LinkField("api-factor-history", lambda factor: [factor.pk])

    class Meta:
        model = EmissionFactor
        fields = ["id", "kind", "subject_type", "subject", "value", "value_low", "value_high", "unit", "valid_from",
                  "valid_to", "status", "source", "note", "supersedes", "approved_at", "created_at", "updated_at",
                  "url", "history_url"]  # fmt: skip

    def get_subject_type(self, factor: EmissionFactor) -> str:
        return factor.spec.subject.value

    def get_subject(self, factor: EmissionFactor) -> str:
        return getattr(factor.subject, SUBJECT_KEYS[factor.spec.subject])


class FactorVersionSerializer(serializers.Serializer):
    """One row of django-simple-history's record of a factor: what it was after each change."""

    version = serializers.IntegerField(source="history_id", help_text="Cited by footprints as the factor version.")
    changed_at = serializers.DateTimeField(source="history_date")
    change = serializers.SerializerMethodField(help_text="created, changed or deleted")
    reason = serializers.CharField(source="history_change_reason", allow_null=True)
    status = serializers.ChoiceField(choices=EmissionFactor.Status.choices)
    value = serializers.FloatField()
    value_low = serializers.FloatField(allow_null=True)
    value_high = serializers.FloatField(allow_null=True)
    unit = serializers.CharField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)

    def get_change(self, record) -> str:
        return HISTORY_CHANGES.get(record.history_type, record.history_type)


# -- curation ------------------------------------------------------------------------------------------------------


def _subject(model, key: str, noun: str, example: str) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field=key, queryset=model.objects.all(), required=False, allow_null=True,
        error_messages={"does_not_exist": f"Unknown {noun} “{{value}}”: use {example}."},
    )  # fmt: skip


class FactorDraftSerializer(serializers.Serializer):
    """A new draft factor. Give the one subject its kind needs (zone, region, accelerator or ai_model)."""

    kind = serializers.ChoiceField(choices=KIND_CHOICES)
    zone = _subject(GridZone, "code", "grid zone", "a zone code such as FRA")
    region = _subject(Region, "slug", "region", "a region slug such as gcp/us-east4")
    accelerator = _subject(Accelerator, "slug", "accelerator", "an accelerator slug such as nvidia-h100-sxm")
    ai_model = _subject(AIModel, "slug", "model", "a model slug such as meta/llama-3.1-8b")
    value = FiniteFloatField(help_text="Central value, in the unit.")
    value_low = FiniteFloatField(required=False, allow_null=True)
    value_high = FiniteFloatField(required=False, allow_null=True)
    unit = serializers.ChoiceField(choices=UNIT_CHOICES)
    valid_from = serializers.DateField(help_text="First day it applies (YYYY-MM-DD).")
    valid_to = serializers.DateField(required=False, allow_null=True, help_text="First day it no longer applies.")
    source = serializers.SlugRelatedField(
        slug_field="key", queryset=Source.objects.all(),
        error_messages={"does_not_exist": "Unknown source “{value}”: use a key from /api/v1/sources/."},
    )  # fmt: skip
    note = serializers.CharField(required=False, allow_blank=True, default="")
    supersedes = serializers.PrimaryKeyRelatedField(
        queryset=EmissionFactor.objects.all(), required=False, allow_null=True,
        help_text="Id of the approved factor this draft corrects; approving the draft retires it.",
        error_messages={"does_not_exist": "No factor with id {pk_value}."},
    )  # fmt: skip


class RecomputeJobSerializer(serializers.ModelSerializer):
    class Meta:
        model = RecomputeJob
        fields = ["id", "trigger", "status", "factor_ids", "affected_rates", "affected_rollups",
                  "affected_usage_records", "affected_model_footprints", "affected_training_footprints",
                  "created_at"]  # fmt: skip


class CurationResultSerializer(serializers.Serializer):
    changed = FactorSerializer(many=True, help_text="Every factor whose state changed, the one acted on last.")
    jobs = RecomputeJobSerializer(many=True, help_text="The recompute jobs enqueued for the change (none when "
                                  "nothing stored depended on it).")  # fmt: skip


class ImpactLineSerializer(serializers.Serializer):
    label = serializers.CharField()
    before_kg = serializers.FloatField()
    after_kg = serializers.FloatField()
    change_kg = serializers.FloatField()
    change_percent = serializers.FloatField(allow_null=True, help_text="Null when there was nothing before.")


class ImpactSerializer(serializers.Serializer):
    """``emissions.impact.ImpactPreview``: kg CO₂e (location-based, embodied included), central."""

    factor = serializers.IntegerField(source="factor.pk")
    action = serializers.ChoiceField(choices=["approve", "supersede"])
    rates = serializers.IntegerField(help_text="Footprint rates (model x region x month) that change.")
    rollups = serializers.IntegerField(help_text="Usage rollups (organisation x month x model x region).")
    usage_records = serializers.IntegerField()
    model_footprints = serializers.IntegerField()
    training_footprints = serializers.IntegerField()
    total = ImpactLineSerializer(help_text="All affected usage.")
    vendors = ImpactLineSerializer(many=True, help_text="Most affected vendors.")
    models = ImpactLineSerializer(many=True, help_text="Most affected models.")
    organisations = ImpactLineSerializer(many=True, help_text="Most affected organisations.")
    per_request = ImpactLineSerializer(many=True, help_text="Model footprints per typical request.")


# -- footprints ----------------------------------------------------------------------------------------------------


class TripleSerializer(serializers.Serializer):
    low = serializers.FloatField(help_text="Every uncertain input at its optimistic end.")
    central = serializers.FloatField()
    high = serializers.FloatField(help_text="Every uncertain input at its pessimistic end.")


class BasesSerializer(serializers.Serializer):
    location = TripleSerializer(help_text="Location-based: the grid's average intensity.")
    market = TripleSerializer(help_text="Market-based: residual mix, contractual renewables at zero.")


def _triple(values) -> dict | None:
    return None if values is None else dict(zip(("low", "central", "high"), values, strict=True))


@extend_schema_field(TripleSerializer(allow_null=True))
class SummedField(serializers.Field):
    """Stored metric columns summed on each side, as {low, central, high}; null until computed."""

    def __init__(self, *columns: str, **kwargs):
        self.columns = columns
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        return _triple(sum_columns(value, self.columns, 1.0))


@extend_schema_field(BasesSerializer(allow_null=True))
class BasesField(serializers.Field):
    """A CO₂e figure on both bases: ``extra`` columns (e.g. embodied) added to the operational column of each."""

    def __init__(self, *extra: str, **kwargs):
        self.extra = extra
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        location = sum_columns(value, ("operational_co2e_kg", *self.extra), 1.0)
        market = sum_columns(value, ("operational_co2e_market_kg", *self.extra), 1.0)
        return None if location is None or market is None else {"location": _triple(location),
                                                                "market": _triple(market)}  # fmt: skip


class TypicalRequestSerializer(serializers.Serializer):
    input_tokens = serializers.IntegerField()
    output_tokens = serializers.IntegerField(help_text="Or images, 1k embedded tokens, seconds of audio.")
    label = serializers.CharField()


class FootprintModelSerializer(ModelRefSerializer):
    vendor = VendorRefSerializer(read_only=True)

    class Meta(ModelRefSerializer.Meta):
        fields = [*ModelRefSerializer.Meta.fields, "vendor"]


class FootprintSerializer(serializers.ModelSerializer):
    model = FootprintModelSerializer(source="ai_model", read_only=True)
    region = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True,
                                          help_text="Null: world average.")  # fmt: skip
    place = serializers.SerializerMethodField(help_text="The region slug, or “world average”.")
    typical_request = serializers.SerializerMethodField()
    energy_kwh = SummedField("energy_kwh", help_text="Facility electricity, kWh.")
    co2e_kg = BasesField("embodied_co2e_kg", help_text="Total CO₂e (operational + embodied), kg.")
    operational_co2e_kg = BasesField(help_text="CO₂e of the electricity, kg.")
    embodied_co2e_kg = SummedField("embodied_co2e_kg", help_text="Share of making the hardware, kg CO₂e.")
    water_l = SummedField("water_l", help_text="On-site cooling and off-site generation, L.")
    is_stale = serializers.BooleanField(source="rate.is_stale", help_text="Being recomputed: figures are the "
                                        "previous consistent ones.")  # fmt: skip
    computed_at = serializers.DateTimeField(source="rate.computed_at", allow_null=True)
    methodology_version = serializers.CharField(source="rate.methodology_version")

    class Meta:
        model = ModelFootprint
        fields = ["model", "region", "place", "month", "typical_request", "energy_kwh", "co2e_kg",
                  "operational_co2e_kg", "embodied_co2e_kg", "water_l", "is_stale", "computed_at",
                  "methodology_version"]  # fmt: skip

    def get_place(self, footprint: ModelFootprint) -> str:
        return region_label(footprint.region)

    @extend_schema_field(TypicalRequestSerializer)
    def get_typical_request(self, footprint: ModelFootprint) -> dict:
        return {"input_tokens": footprint.input_tokens, "output_tokens": footprint.output_tokens,
                "label": typical_request_label(footprint.ai_model.task)}  # fmt: skip


# -- rankings ------------------------------------------------------------------------------------------------------


class RankingSelectionSerializer(serializers.Serializer):
    """The ranking's parameters after defaults, and the unit of its figures."""

    task = serializers.CharField()
    metric = serializers.CharField()
    basis = serializers.CharField()
    region = serializers.CharField(allow_null=True)
    zone = serializers.CharField(allow_null=True)
    open_weights = serializers.BooleanField()
    group = serializers.CharField()
    sort = serializers.CharField()
    unit = serializers.CharField(help_text="Unit of low, central and high, e.g. g CO₂e.")
    per = serializers.CharField(help_text="Functional unit, e.g. per typical request.")
    typical_request = serializers.CharField()


class RankingRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField(help_text="1 = lowest central figure; equal figures share a rank.")
    model = ModelRefSerializer(allow_null=True, help_text="Null in vendor rankings.")
    vendor = VendorRefSerializer()
    models = serializers.IntegerField(help_text="Models behind the row (1 for a model; a vendor's median of n).")
    region = serializers.CharField(allow_null=True, help_text="Region slug of the figure (model rows).")
    place = serializers.CharField(allow_null=True, help_text="Region slug or “world average” (model rows).")
    grade = serializers.CharField(allow_null=True, help_text="Carbon label A–G (model rows, when graded).")
    low = serializers.FloatField()
    central = serializers.FloatField()
    high = serializers.FloatField()
    is_stale = serializers.BooleanField(allow_null=True, help_text="Being recomputed (model rows; null for vendors).")


class RankingPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    selection = RankingSelectionSerializer()
    results = RankingRowSerializer(many=True)


# -- labels --------------------------------------------------------------------------------------------------------


class LabelSerializer(serializers.Serializer):
    """``emissions.labels.Label``: g CO₂e per typical request, location-based, embodied included."""

    model = serializers.CharField(source="model_slug")
    name = serializers.CharField(source="model_name")
    task = serializers.CharField()
    grade = serializers.CharField(allow_null=True, help_text="A (lowest) to G; null: no computed footprint.")
    low = serializers.FloatField(allow_null=True)
    central = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)
    unit = serializers.SerializerMethodField()
    ratio = serializers.FloatField(allow_null=True, help_text="Central figure / the task's median.")
    task_median = serializers.FloatField(allow_null=True)
    task_models = serializers.IntegerField(help_text="Models graded in the task.")
    place = serializers.CharField(source="region_label")
    typical_request = serializers.CharField()
    summary = serializers.CharField(help_text="One sentence: the label's alt text.")
    fill = serializers.CharField(help_text="Background colour of the grade (Paul Tol's sunset scheme).")
    ink = serializers.CharField(help_text="Text colour on that background.")
    svg_url = LinkField("label-svg", lambda label: label.model_slug.split("/", 1))
    page_url = LinkField("label", lambda label: label.model_slug.split("/", 1))
    url = LinkField("api-label-detail", lambda label: label.model_slug.split("/", 1))

    def get_unit(self, label) -> str:
        return "g CO₂e"


# -- estimates -----------------------------------------------------------------------------------------------------


def _range() -> serializers.ListField:
    return serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2, help_text="[low, high]")


class RangesSerializer(serializers.Serializer):
    energy_kwh = _range()
    operational_co2e_kg = _range()
    operational_co2e_market_kg = _range()
    embodied_co2e_kg = _range()
    total_co2e_kg = _range()
    water_l = _range()


class MetricsSerializer(serializers.Serializer):
    """Central values (kWh, kg CO₂e, L) and their ranges."""

    energy_kwh = serializers.FloatField()
    operational_co2e_kg = serializers.FloatField(help_text="Location-based.")
    operational_co2e_market_kg = serializers.FloatField(help_text="Market-based.")
    embodied_co2e_kg = serializers.FloatField()
    total_co2e_kg = serializers.FloatField(help_text="Location-based operational + embodied.")
    water_l = serializers.FloatField()
    ranges = RangesSerializer()


class BreakdownSerializer(serializers.Serializer):
    accelerator_kwh = serializers.FloatField()
    host_kwh = serializers.FloatField()
    facility_overhead_kwh = serializers.FloatField()


class FactorReferenceSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="Null: an engine default or a value you gave.")
    kind = serializers.CharField()
    subject = serializers.CharField(required=False)
    value = serializers.FloatField()
    low = serializers.FloatField(required=False, allow_null=True)
    high = serializers.FloatField(required=False, allow_null=True)
    unit = serializers.CharField()
    valid_from = serializers.DateField(required=False)
    valid_to = serializers.DateField(required=False, allow_null=True)
    source = serializers.CharField()
    source_url = serializers.CharField(required=False)
    version = serializers.JSONField(allow_null=True, help_text="History id of the factor, or the methodology "
                                    "version of an engine default.")  # fmt: skip


class EstimateResultSerializer(MetricsSerializer):
    """Exactly what ``manage.py estimate … --format json`` prints."""

    breakdown = BreakdownSerializer(help_text="Central energy by component, kWh.")
    per_request = MetricsSerializer(required=False, help_text="Inference only: the same per request.")
    factors = FactorReferenceSerializer(many=True)
    methodology_version = serializers.CharField()
