"""The filters of the organisation API's lists. Each bad parameter is a 400 that names it.

Usage records filter with a django-filter ``FilterSet`` (a queryset). Footprint rows are ``footprint_rows``' plain
rows, not a queryset, so their filters are checked by a serializer and the rows filtered by ``rows_matching``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from emissions.api.common import choice_messages, unknown
from reports.footprint_rows import FootprintRow
from reports.kpis.periods import PRESETS, parse_month
from reports.models import Report, Tier, UsageRecord
from vendors.models import AIModel, Region, Vendor


class MonthFormField(forms.Field):
    """``YYYY-MM`` to the first day of that month (as the dashboard reads its months)."""

    widget = forms.TextInput

    def to_python(self, value):
        if value in (None, ""):
            return None
        try:
            return parse_month(str(value))
        except ValueError as exc:
            raise DjangoValidationError(str(exc), code="invalid") from None


class MonthFilter(filters.Filter):
    field_class = MonthFormField


def month_filter(lookup_expr: str, description: str) -> MonthFilter:
    """A month filter documented as the text it takes (the model field would make it a date)."""
    schema = {"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2025-03", "description": description}
    return extend_schema_field(schema)(MonthFilter(field_name="month", lookup_expr=lookup_expr, help_text=description))


def _by_slug(model, noun: str, example: str, **kwargs) -> filters.ModelChoiceFilter:
    return filters.ModelChoiceFilter(queryset=model.objects.all(), to_field_name="slug",
                                     error_messages=unknown(noun, example), **kwargs)  # fmt: skip


class UsageRecordFilter(filters.FilterSet):
    month_after = month_filter("gte", "From this month on, included (YYYY-MM).")
    month_before = month_filter("lte", "Up to this month, included (YYYY-MM).")
    model = _by_slug(AIModel, "model", "a model slug such as meta/llama-3.1-8b", field_name="ai_model",
                     help_text="Model slug, e.g. meta/llama-3.1-8b.")  # fmt: skip
    vendor = _by_slug(Vendor, "vendor", "a vendor slug such as google", field_name="ai_model__vendor",
                      help_text="Vendor slug, e.g. google.")  # fmt: skip
    region = _by_slug(Region, "region", "a region slug such as gcp/us-east4", help_text="Region slug.")
    tier = filters.ChoiceFilter(
        choices=Tier.choices, help_text="Data-quality tier.", error_messages=choice_messages("tier", Tier.choices)
    )
    upload = filters.NumberFilter(field_name="upload", help_text="Only the records of this upload (its id).")

    class Meta:
        model = UsageRecord
        fields: list[str] = []


class ReportFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(
        choices=Report.Kind.choices, help_text="monthly, quarterly or yearly.",
        error_messages=choice_messages("kind", Report.Kind.choices),
    )  # fmt: skip

    class Meta:
        model = Report
        fields: list[str] = []


def _slug_of(model, noun: str, example: str, help_text: str) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="slug", queryset=model.objects.all(), required=False, help_text=help_text,
        error_messages={"does_not_exist": f"Unknown {noun} “{{value}}”: use {example}."},
    )  # fmt: skip


class PeriodQuerySerializer(serializers.Serializer):
    """The dashboard's period parameters (checked by ``reports.kpis.period_from_params``; here for the schema)."""

    start = serializers.CharField(required=False, help_text="First month of the period, YYYY-MM (with end).")
    end = serializers.CharField(required=False, help_text="Last month of the period, included, YYYY-MM.")
    preset = serializers.ChoiceField(
        choices=list(PRESETS.items()), required=False,
        help_text="Instead of start and end; default last-12 (the 12 months up to the latest month with usage).",
    )  # fmt: skip


class FootprintFilterSerializer(serializers.Serializer):
    vendor = _slug_of(Vendor, "vendor", "a vendor slug such as google", "Vendor slug.")
    model = _slug_of(AIModel, "model", "a model slug such as meta/llama-3.1-8b", "Model slug.")
    region = _slug_of(Region, "region", "a region slug such as gcp/us-east4", "Region slug.")
    tier = serializers.ChoiceField(choices=Tier.choices, required=False, help_text="Data-quality tier.")


def rows_matching(rows: Iterable[FootprintRow], wanted: dict) -> list[FootprintRow]:
    """The rows of the vendor, model, region and tier asked for (each optional)."""
    tests = []
    if vendor := wanted.get("vendor"):
        tests.append(lambda r: r.vendor_slug == vendor.slug)
    if model := wanted.get("model"):
        tests.append(lambda r: r.model_slug == model.slug)
    if region := wanted.get("region"):
        tests.append(lambda r: r.region_slug == region.slug)
    if tier := wanted.get("tier"):
        tests.append(lambda r: r.tier == tier)
    return [row for row in rows if all(test(row) for test in tests)]
