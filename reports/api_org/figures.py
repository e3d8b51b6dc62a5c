"""The organisation's figures: its footprint rows and the dashboard's KPIs, for a period given as the dashboard
takes it (``?start=YYYY-MM&end=YYYY-MM``, both months included, or ``?preset=``; default: the 12 months up to
the latest month with usage), checked by the same function with the same messages.

Both read ``reports.footprint_rows.footprint_rows`` (the stored rollups, priced), never usage records. The KPIs
are the dashboard's own figures: ``reports.views_dashboard.dashboard_for`` assembles them for the page and here.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import exceptions
from rest_framework.response import Response

from emissions.api.common import Pages
from reports.api_org.common import SLUG, TAG, OrganisationApi, error_example, error_responses
from reports.api_org.filters import FootprintFilterSerializer, PeriodQuerySerializer, rows_matching
from reports.api_org.kpi_serializers import KpisSerializer
from reports.api_org_serializers import FootprintRowSerializer, PeriodSerializer
from reports.footprint_rows import footprint_rows
from reports.kpis import Period, PeriodChoice, period_from_params
from reports.selectors_dashboard import dashboard_for, usage_months


def _triple(low: float, central: float, high: float) -> dict:
    return {"low": low, "central": central, "high": high}


PERIOD_EXAMPLE = {"start": "2024-09", "end": "2025-08", "months": 12, "label": "Sep 2024 – Aug 2025"}
ROW_EXAMPLE = {
    "month": "2025-03", "vendor": "google", "vendor_name": "Google", "model": "google/gemini-2.5-flash",
    "model_name": "Gemini 2.5 Flash", "region": "gcp/europe-west4", "region_name": "Netherlands", "tier": "token",
    "currency": "", "spend": 0.0, "records": 3, "requests": 360000, "input_tokens": 288000000,
    "output_tokens": 93000000, "energy_kwh": _triple(64.2, 146.7, 309.0), "co2e_location_kg": _triple(18.3, 42.6, 94.5),
    "co2e_market_kg": _triple(17.4, 40.5, 90.3), "water_l": _triple(93.0, 222.0, 480.0), "grid_g_per_kwh": 268.0,
    "rate": 5521, "rate_version": 3, "spend_factor": None, "pending": False,
}  # fmt: skip
TOTALS_EXAMPLE = {
    "energy_kwh": _triple(820.0, 1870.0, 3940.0), "co2e_location_kg": _triple(236.0, 548.0, 1210.0),
    "co2e_market_kg": _triple(224.0, 521.0, 1160.0), "water_l": _triple(1190.0, 2840.0, 6130.0),
    "spend_co2e_kg": _triple(0.0, 0.0, 0.0), "records": 41, "requests": 4200000, "input_tokens": 3300000000,
    "output_tokens": 1100000000, "tokens": 4400000000, "rows": 36, "missing": 0,
}  # fmt: skip
KPIS_EXAMPLE = {
    "period": PERIOD_EXAMPLE, "preset": "last-12",
    "prior_period": {"start": "2023-09", "end": "2024-08", "months": 12, "label": "Sep 2023 – Aug 2024"},
    "data_period": {"start": "2024-01", "end": "2025-08", "months": 20, "label": "Jan 2024 – Aug 2025"},
    "totals": TOTALS_EXAMPLE, "prior_totals": TOTALS_EXAMPLE,
    "trend": [{"month": "2024-09", "totals": TOTALS_EXAMPLE, "prior_month": "2023-09", "prior_totals": TOTALS_EXAMPLE}],
    "breakdowns": {"vendor": [{"key": "google", "label": "Google", "totals": TOTALS_EXAMPLE}],
                   "model": [{"key": "google/gemini-2.5-flash", "label": "Gemini 2.5 Flash (Google)",
                              "totals": TOTALS_EXAMPLE}],
                   "region": [{"key": "gcp/europe-west4", "label": "gcp/europe-west4", "totals": TOTALS_EXAMPLE}]},
    "intensity": {"per_1k_requests_location_g": _triple(56.2, 130.5, 288.1),
                  "per_1k_requests_market_g": _triple(53.3, 124.0, 276.2),
                  "per_1m_tokens_location_g": _triple(53.6, 124.5, 275.0),
                  "per_1m_tokens_market_g": _triple(50.9, 118.4, 263.6), "requests": 4200000,
                  "tokens": 4400000000, "spend_rows_left_out": 0, "non_text_rows_left_out": 0},
    "low_carbon": {"threshold_g_per_kwh": 100.0, "low_carbon_kwh": 410.0, "total_kwh": 1870.0, "share": 0.219},
    "tiers": [{"tier": "token", "label": "Token-level", "co2e_kg": _triple(236.0, 548.0, 1210.0), "records": 41,
               "co2e_share": 1.0, "records_share": 1.0}],
    "targets": {"state": "no_target", "targets": [], "baseline_year": None, "baseline_kg": 0.0,
                "baseline_months_with_data": 0, "years": [], "statuses": []},
    "missing": 0,
}  # fmt: skip


PERIOD_SCHEMA = {
    "type": "object", "nullable": True, "description": "The period of the rows: first and last month, included.",
    "properties": {"start": {"type": "string", "example": "2024-09"}, "end": {"type": "string", "example": "2025-08"},
                   "months": {"type": "integer", "example": 12},
                   "label": {"type": "string", "example": "Sep 2024 – Aug 2025"}},
}  # fmt: skip


class PeriodPages(Pages):
    """Pages of rows of a period: the period chosen comes with them."""

    period: Period | None = None

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["period"] = PeriodSerializer(self.period).data if self.period else None
        return response

    def get_paginated_response_schema(self, schema: dict) -> dict:
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["period"] = PERIOD_SCHEMA
        return paginated


def chosen_period(organisation, params) -> tuple[PeriodChoice, tuple | None]:
    """The period the parameters ask for (as the dashboard reads them; ``choice.errors`` when they are wrong), and
    the first and latest month with usage (None when there is none: presets then count from this month)."""
    months = usage_months(organisation)
    today = timezone.localdate()
    first, latest = months or (today, today)
    return period_from_params(params, first=first, latest=latest, today=today), months


def period_problems(choice: PeriodChoice) -> dict[str, list[str]]:
    """The period's errors by parameter (each of the dashboard's messages starts with its parameter)."""
    problems: dict[str, list[str]] = {}
    for message in choice.errors:
        field, _, text = message.partition(": ")
        problems.setdefault(field, []).append(text)
    return problems


@extend_schema_view(get=extend_schema(
    operation_id="org_footprints_list", summary="The organisation's footprint rows", tags=[TAG],
    description="One row per month x model x region x data-quality tier of the period, with its usage and its "
    "footprint (low/central/high): what the dashboard, its exports and the reports add up. Rows come in month, "
    "vendor, model, region, tier order. The period as on the dashboard (`start`/`end` or `preset`; default the "
    "12 months up to the latest with usage); filter by vendor, model, region or tier. Viewers and up.",
    parameters=[SLUG, PeriodQuerySerializer, FootprintFilterSerializer],
    responses={200: FootprintRowSerializer(many=True), **error_responses(400, 401, 403, 404)},
    examples=[OpenApiExample("A month of Gemini in europe-west4", value=ROW_EXAMPLE, response_only=True),
              error_example(404)],
))  # fmt: skip
class FootprintListApi(OrganisationApi):
    pagination_class = PeriodPages
    serializer_class = FootprintRowSerializer
    filter_backends: list = []

    def get(self, request, slug: str):
        wanted = FootprintFilterSerializer(data=request.query_params)
        choice, _ = chosen_period(self.organisation, request.query_params)
        problems = period_problems(choice) | ({} if wanted.is_valid() else wanted.errors)
        if problems:
            raise exceptions.ValidationError(problems)
        period = choice.period
        rows = rows_matching(footprint_rows(self.organisation, period.start, period.end), wanted.validated_data)
        self.paginator.period = period
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(FootprintRowSerializer(page, many=True).data)


@extend_schema_view(get=extend_schema(
    operation_id="org_kpis_retrieve", summary="The dashboard's KPIs", tags=[TAG],
    description="Every figure of the organisation dashboard for a period, unrounded: totals and the prior "
    "period's, the monthly trend, breakdowns by vendor, model and region, intensity per 1,000 requests and per "
    "1,000,000 tokens, the low-carbon share of energy, the data-quality mix and target tracking. The period "
    "parameters and their checks are the dashboard's. Viewers and up.",
    parameters=[SLUG, PeriodQuerySerializer],
    responses={200: KpisSerializer, **error_responses(400, 401, 403, 404)},
    examples=[OpenApiExample("Last 12 months", value=KPIS_EXAMPLE, response_only=True),
              OpenApiExample("A bad month", response_only=True, status_codes=["400"], value={
                  "detail": "start: “2025-13” is not a month: use YYYY-MM, e.g. 2025-01.",
                  "errors": [{"field": "start", "message": "“2025-13” is not a month: use YYYY-MM, e.g. 2025-01."}]})],
))  # fmt: skip
class KpiApi(OrganisationApi):
    serializer_class = KpisSerializer
    pagination_class = None
    filter_backends: list = []

    def get(self, request, slug: str):
        choice, months = chosen_period(self.organisation, request.query_params)
        if choice.errors:
            raise exceptions.ValidationError(period_problems(choice))
        dashboard, _, _ = dashboard_for(self.organisation, choice.period, months[1] if months else None)
        context = {"preset": choice.preset, "data_period": Period.of_months(*months) if months else None}
        return Response(KpisSerializer(dashboard, context=context).data)
