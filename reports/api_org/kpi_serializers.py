"""How the dashboard's KPIs read in the organisation API: ``reports.kpis.Dashboard`` and the figures it holds, as
they are (unrounded; kWh, kg CO2e, L; triples as ``{"low", "central", "high"}``). Shapes only."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reports.api_org_serializers import MonthField, PeriodSerializer, TripleField
from reports.models import Tier


class TotalsSerializer(serializers.Serializer):
    energy_kwh = TripleField()
    co2e_location_kg = TripleField()
    co2e_market_kg = TripleField()
    water_l = TripleField()
    spend_co2e_kg = TripleField(help_text="What spend-based records add to CO2e (the same on both bases).")
    records = serializers.IntegerField()
    requests = serializers.IntegerField()
    input_tokens = serializers.IntegerField()
    output_tokens = serializers.IntegerField()
    tokens = serializers.IntegerField()
    rows = serializers.IntegerField(help_text="Footprint rows summed.")
    missing = serializers.IntegerField(help_text="Rows not priced yet (counted as 0).")


class TrendPointSerializer(serializers.Serializer):
    month = MonthField()
    totals = TotalsSerializer(source="current")
    prior_month = MonthField()
    prior_totals = TotalsSerializer(source="prior")


class GroupSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Vendor, model or region slug; empty: no region (world average).")
    label = serializers.CharField()
    totals = TotalsSerializer()


class BreakdownsSerializer(serializers.Serializer):
    vendor = GroupSerializer(many=True)
    model = GroupSerializer(many=True)
    region = GroupSerializer(many=True)


class IntensitySerializer(serializers.Serializer):
    per_1k_requests_location_g = TripleField(allow_null=True)
    per_1k_requests_market_g = TripleField(allow_null=True)
    per_1m_tokens_location_g = TripleField(allow_null=True, help_text="Text-generation models' tokens only.")
    per_1m_tokens_market_g = TripleField(allow_null=True)
    requests = serializers.IntegerField()
    tokens = serializers.IntegerField()
    spend_rows_left_out = serializers.IntegerField()
    non_text_rows_left_out = serializers.IntegerField()


class LowCarbonSerializer(serializers.Serializer):
    threshold_g_per_kwh = serializers.FloatField()
    low_carbon_kwh = serializers.FloatField()
    total_kwh = serializers.FloatField()
    share = serializers.FloatField(allow_null=True, help_text="0–1; null when no energy was used.")


class TierShareSerializer(serializers.Serializer):
    tier = serializers.ChoiceField(choices=Tier.choices)
    label = serializers.CharField()
    co2e_kg = TripleField(help_text="Location-based.")
    records = serializers.IntegerField()
    co2e_share = serializers.FloatField(allow_null=True)
    records_share = serializers.FloatField(allow_null=True)


class TargetSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="reduction or net_zero.")
    label = serializers.CharField()
    baseline_year = serializers.IntegerField()
    target_year = serializers.IntegerField()
    reduction_percent = serializers.FloatField()


class YearActualSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    co2e_kg = serializers.FloatField(help_text="Central location-based CO2e of the months covered.")
    months = serializers.IntegerField()


class TargetStatusSerializer(serializers.Serializer):
    target = TargetSerializer()
    year = serializers.IntegerField()
    months = serializers.IntegerField(help_text="Months compared (12: the full year).")
    actual_kg = serializers.FloatField()
    allowed_kg = serializers.FloatField()
    full_year_allowed_kg = serializers.FloatField()
    rule = serializers.CharField()
    on_track = serializers.BooleanField()
    gap_percent = serializers.FloatField(allow_null=True)


class TrackingSerializer(serializers.Serializer):
    state = serializers.CharField(help_text="no_target, no_data, no_baseline, no_later_data or tracked.")
    targets = TargetSerializer(many=True)
    baseline_year = serializers.IntegerField(allow_null=True)
    baseline_kg = serializers.FloatField()
    baseline_months_with_data = serializers.IntegerField()
    years = YearActualSerializer(many=True)
    statuses = TargetStatusSerializer(many=True)


class KpisSerializer(serializers.Serializer):
    """The dashboard's figures for a period (``reports.kpis.Dashboard``); ``preset`` and ``data_period`` come
    from the view (context)."""

    period = PeriodSerializer()
    preset = serializers.SerializerMethodField(help_text="The preset asked for, or custom.")
    prior_period = PeriodSerializer()
    data_period = serializers.SerializerMethodField(help_text="The first and latest month with usage; null: none.")
    totals = TotalsSerializer()
    prior_totals = TotalsSerializer()
    trend = TrendPointSerializer(many=True)
    breakdowns = BreakdownsSerializer()
    intensity = IntensitySerializer()
    low_carbon = LowCarbonSerializer()
    tiers = TierShareSerializer(many=True)
    targets = TrackingSerializer(source="tracking")
    missing = serializers.IntegerField(help_text="Rows of the period not priced yet.")

    def get_preset(self, dashboard) -> str:
        return self.context["preset"]

    @extend_schema_field(PeriodSerializer(allow_null=True))
    def get_data_period(self, dashboard) -> dict | None:
        period = self.context.get("data_period")
        return None if period is None else PeriodSerializer(period).data
