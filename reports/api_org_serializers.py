"""How the organisation API reads (usage records with their footprints, footprint rows, reports; the KPIs are in
``reports.api_org.kpi_serializers``) and what it takes (records to add, a report to generate). Shapes only:
selectors read, services decide, views pick the status.

Months read and are written ``YYYY-MM``. Figures are unrounded, in kWh, kg CO2e and L, each as
``{"low", "central", "high"}``; CO2e location-based and market-based.
"""

from __future__ import annotations

from urllib.parse import quote

from django.urls import get_script_prefix
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api_errors import ErrorSerializer
from emissions.api.common import PATH_SAFE, route_template
from emissions.api_serializers import TripleSerializer
from reports.api_serializers import ON_CONFLICT
from reports.models import Report, Tier
from reports.selectors import superseding_report

SIDES = ("low", "central", "high")
MONTH_SCHEMA = {"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2025-03"}


def link(context: dict, view_name: str, *args) -> str:
    """An absolute link to a named route (one reverse() per route, not per link: pages carry many)."""
    path = route_template(view_name, len(args), get_script_prefix()).format(
        *(quote(str(arg), safe=PATH_SAFE) for arg in args)
    )
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


# -- fields ----------------------------------------------------------------------------------------------------


@extend_schema_field(TripleSerializer)
class TripleField(serializers.Field):
    """A (low, central, high) triple as ``{"low", "central", "high"}``."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value) -> dict:
        return dict(zip(SIDES, value, strict=True))


@extend_schema_field(MONTH_SCHEMA)
class MonthField(serializers.Field):
    """A month (the first day of it) as ``YYYY-MM``."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value) -> str:
        return f"{value:%Y-%m}"


class SpendFactorUsedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    currency = serializers.CharField()
    kg_co2e_per_unit = TripleField(source="kg_per_unit", help_text="kg CO2e per unit of the currency spent.")
    valid_from = serializers.DateField()
    source = serializers.CharField()


# -- usage records -----------------------------------------------------------------------------------------------


class UsageRecordSerializer(serializers.Serializer):
    """A ``reports.selectors_usage.RecordRow``: the record and its footprint (usage x its rate; spend-based:
    spend x the spend factor, CO2e only)."""

    id = serializers.IntegerField(source="record.pk")
    url = serializers.SerializerMethodField()
    month = MonthField(source="record.month")
    model = serializers.CharField(source="record.ai_model.slug")
    vendor = serializers.CharField(source="record.ai_model.vendor.slug")
    region = serializers.CharField(
        source="record.region.slug", allow_null=True, help_text="Region slug; null: no region (world average)."
    )
    region_assumed = serializers.BooleanField(
        source="record.region_assumed", help_text="True: not given, the model's first serving region assumed."
    )
    tier = serializers.ChoiceField(source="record.tier", choices=Tier.choices, help_text="Data-quality tier.")
    requests = serializers.IntegerField(source="record.requests")
    input_tokens = serializers.IntegerField(source="record.input_tokens")
    output_tokens = serializers.IntegerField(
        source="record.output_tokens", help_text="Output tokens, or functional units (images, audio seconds)."
    )
    spend = serializers.DecimalField(source="record.spend", max_digits=16, decimal_places=4, allow_null=True)
    currency = serializers.CharField(source="record.currency", help_text="ISO 4217; empty without spend.")
    upload = serializers.IntegerField(
        source="record.upload_id", allow_null=True, help_text="The upload it came from; null: added over the API."
    )
    upload_url = serializers.SerializerMethodField()
    source_row = serializers.IntegerField(
        source="record.source_row",
        allow_null=True,
        help_text="Its row in the uploaded file (CSV: header = 1), or its number (from 1) in the request adding it.",
    )
    created_at = serializers.DateTimeField(source="record.created_at")
    energy_kwh = TripleField(source="footprint.energy_kwh")
    co2e_location_kg = TripleField(source="footprint.co2e_location_kg")
    co2e_market_kg = TripleField(source="footprint.co2e_market_kg")
    water_l = TripleField(source="footprint.water_l")
    footprint_pending = serializers.BooleanField(
        source="footprint.pending",
        help_text="True: its rate is being computed (or no spend factor is in force): the figures count it as 0.",
    )
    rate = serializers.IntegerField(source="record.rate_id", help_text="The footprint rate (model x region x month).")
    rate_version = serializers.IntegerField(source="record.rate.computed_version")
    spend_factor = SpendFactorUsedSerializer(source="footprint.spend_factor", allow_null=True)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, row) -> str:
        return link(self.context, "api-org-usage-record-detail", self.context["slug"], row.record.pk)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_upload_url(self, row) -> str | None:
        if row.record.upload_id is None:
            return None
        return link(self.context, "api-usage-upload-detail", self.context["slug"], row.record.upload_id)


class RecordInputSerializer(serializers.Serializer):
    """One record to add, as a record of a JSON upload (docs/usage-formats.md): a period, a model, some usage."""

    month = serializers.CharField(required=False, help_text="YYYY-MM; or give start and end.")
    start = serializers.CharField(required=False, help_text="YYYY-MM-DD: a period over months is split pro rata.")
    end = serializers.CharField(required=False, help_text="YYYY-MM-DD, included.")
    model = serializers.CharField(required=False, help_text="Catalogue model slug; or give vendor and model_name.")
    vendor = serializers.CharField(required=False)
    model_name = serializers.CharField(required=False)
    region = serializers.CharField(required=False, help_text="Region slug; empty: the model's first serving region.")
    requests = serializers.IntegerField(required=False, min_value=0)
    input_tokens = serializers.IntegerField(required=False, min_value=0)
    output_tokens = serializers.IntegerField(required=False, min_value=0)
    spend = serializers.DecimalField(required=False, max_digits=16, decimal_places=4, min_value=0)
    currency = serializers.CharField(required=False, help_text="ISO 4217, with spend.")


@extend_schema_field(RecordInputSerializer)
class RecordInputField(serializers.Field):
    """Any JSON value, NaN included: each record is checked as a record of a JSON upload is (``reports.ingest``),
    not here."""

    def to_internal_value(self, data):
        return data

    def to_representation(self, value):
        return value


class UsageRecordsCreateSerializer(serializers.Serializer):
    records = serializers.ListField(
        child=RecordInputField(),
        help_text="1 to 1,000 records. Errors name records[i].column, i from 0.",
    )
    on_conflict = serializers.ChoiceField(
        choices=ON_CONFLICT,
        required=False,
        allow_blank=True,
        help_text="What to do with months that already hold usage; without it such a request answers 409.",
    )


class RecordsAddedSerializer(serializers.Serializer):
    created = serializers.SerializerMethodField()
    replaced = serializers.IntegerField(help_text="Records of the same months deleted first (on_conflict=replace).")
    months = serializers.ListField(child=MonthField())
    tier_counts = serializers.DictField(child=serializers.IntegerField(), help_text="Records per data-quality tier.")
    records = serializers.SerializerMethodField()

    def get_created(self, added) -> int:
        return len(added.created)

    @extend_schema_field(UsageRecordSerializer(many=True))
    def get_records(self, added) -> list[dict]:
        return UsageRecordSerializer(self.context["rows"], many=True, context=self.context).data


class MonthsTakenSerializer(ErrorSerializer):
    """409: the error body, and the months that already hold usage."""

    months = serializers.ListField(child=serializers.CharField(), help_text="Months (YYYY-MM) that hold usage.")


class MonthsDeletedSerializer(serializers.Serializer):
    deleted = serializers.IntegerField(help_text="Records deleted.")
    months = serializers.ListField(child=MonthField())


# -- footprint rows --------------------------------------------------------------------------------------------


class FootprintRowSerializer(serializers.Serializer):
    """A ``reports.footprint_rows.FootprintRow``: one month x model x region x tier (x currency), priced."""

    month = MonthField()
    vendor = serializers.CharField(source="vendor_slug")
    vendor_name = serializers.CharField(source="vendor")
    model = serializers.CharField(source="model_slug")
    model_name = serializers.CharField(source="model")
    region = serializers.SerializerMethodField(help_text="Region slug; null: no region (world average).")
    region_name = serializers.CharField(source="region")
    tier = serializers.ChoiceField(choices=Tier.choices)
    currency = serializers.CharField(help_text="Spend-based rows: the currency spent.")
    spend = serializers.FloatField(help_text="Spend-based rows: the amount spent.")
    records = serializers.IntegerField()
    requests = serializers.IntegerField()
    input_tokens = serializers.IntegerField()
    output_tokens = serializers.IntegerField()
    energy_kwh = TripleField()
    co2e_location_kg = TripleField(help_text="Operational (location-based) + embodied; spend-based: spend x factor.")
    co2e_market_kg = TripleField()
    water_l = TripleField()
    grid_g_per_kwh = serializers.FloatField(
        allow_null=True, help_text="Effective location-based grid intensity of its electricity."
    )
    rate = serializers.IntegerField(source="rate_id")
    rate_version = serializers.IntegerField()
    spend_factor = SpendFactorUsedSerializer(allow_null=True)
    pending = serializers.BooleanField(source="missing", help_text="True: not priced yet, counted as 0.")

    def get_region(self, row) -> str | None:
        return row.region_slug or None


class PeriodSerializer(serializers.Serializer):
    """A period of whole months: ``start`` and ``end`` are its first and last months, both included."""

    start = MonthField()
    end = MonthField(source="last_month")
    months = serializers.IntegerField()
    label = serializers.CharField()


# -- reports ---------------------------------------------------------------------------------------------------


class ReportSerializer(serializers.ModelSerializer):
    # Not an enum in the schema: only ReportCreate's kind is (one component per choice set keeps enum names clean).
    kind = serializers.CharField(read_only=True, help_text="monthly, quarterly or yearly.")
    period_label = serializers.CharField(read_only=True)
    created_by = serializers.SerializerMethodField()
    superseded_by = serializers.SerializerMethodField(help_text="The report that replaced this one, if any.")
    url = serializers.SerializerMethodField()
    csv_url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField(help_text="The report's page (signed-in browsers).")

    class Meta:
        model = Report
        fields = [
            "id", "kind", "period_start", "period_end", "period_label", "methodology_version", "fingerprint",
            "created_by", "created_at", "supersedes", "superseded_by", "url", "csv_url", "pdf_url", "page_url",
        ]  # fmt: skip
        read_only_fields = fields
        extra_kwargs = {"period_end": {"help_text": "The first day of the month after the last (excluded)."}}

    def get_created_by(self, report: Report) -> str | None:
        return report.created_by.get_username() if report.created_by_id else None

    def get_superseded_by(self, report: Report) -> int | None:
        newer = superseding_report(report)
        return newer.pk if newer else None

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, report: Report) -> str:
        return link(self.context, "api-org-report-detail", self.context["slug"], report.pk)

    @extend_schema_field(OpenApiTypes.URI)
    def get_csv_url(self, report: Report) -> str:
        return link(self.context, "api-org-report-csv", self.context["slug"], report.pk)

    @extend_schema_field(OpenApiTypes.URI)
    def get_pdf_url(self, report: Report) -> str:
        return link(self.context, "api-org-report-pdf", self.context["slug"], report.pk)

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, report: Report) -> str:
        return link(self.context, "org-report", self.context["slug"], report.pk)


class ReportChangesSerializer(serializers.Serializer):
    usage_changed = serializers.BooleanField()
    factors_changed = serializers.BooleanField()
    computing = serializers.BooleanField(help_text="Footprints are being computed: no comparison until they are.")
    difference = serializers.JSONField(allow_null=True, help_text="The report's figures beside today's.")


class ReportDetailSerializer(ReportSerializer):
    snapshot = serializers.JSONField(read_only=True, help_text="Every figure of the report, as generated.")
    changes = serializers.SerializerMethodField(
        help_text="What changed behind the report since it was generated; null when it was superseded."
    )

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "changes", "snapshot"]
        read_only_fields = fields

    @extend_schema_field(ReportChangesSerializer(allow_null=True))
    def get_changes(self, report: Report) -> dict | None:
        changes = self.context.get("changes")
        return None if changes is None else ReportChangesSerializer(changes).data


class ReportCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Report.Kind.choices)
    period_start = serializers.DateField(
        input_formats=["%Y-%m-%d", "%Y-%m"],
        help_text="The first day of the month, quarter or year (YYYY-MM-DD, or YYYY-MM).",
    )
