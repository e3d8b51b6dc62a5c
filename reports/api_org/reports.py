"""Reports: list, generate, one report (its metadata and snapshot), its CSV and PDF, regenerate.

Generating and regenerating go through ``reports.services.reports``; its ``ValidationError`` becomes a 400 naming
the request's field (``period_start`` for the period, ``report_id`` for the report regenerated). The CSV and PDF
are the report pages' own files (``reports.report_exports``): the figures frozen in the snapshot, never
recomputed.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from config.api_errors import ErrorSerializer
from emissions.api.common import LIST_FILTER_BACKENDS
from reports.api_org.common import (
    ERROR_DESCRIPTIONS,
    ORG_EXAMPLE,
    SLUG,
    TAG,
    ErrorsInJson,
    OrganisationApi,
    error_example,
    error_responses,
)
from reports.api_org.filters import ReportFilter
from reports.api_org_serializers import ReportCreateSerializer, ReportDetailSerializer, ReportSerializer
from reports.models import Report, Role
from reports.report_exports import pdf_response, report_csv, report_filename, report_pdf_bytes
from reports.selectors import report_changes, report_of, reports_of, superseding_report
from reports.services.reports import report_generate, report_regenerate
from reports.views_reports import report_context as report_print_context

# The services name "period" and "report"; the API's request names them period_start and the path's report_id.
SERVICE_FIELDS = {"period": "period_start", "report": "report_id"}

REPORT_EXAMPLE = {
    "id": 12, "kind": "quarterly", "period_start": "2025-01-01", "period_end": "2025-04-01",
    "period_label": "Jan 2025 – Mar 2025", "methodology_version": "1.4", "fingerprint": "9f2c…e01b",
    "created_by": "ada", "created_at": "2025-04-03T09:30:00Z", "supersedes": None, "superseded_by": None,
    "url": f"{ORG_EXAMPLE}/reports/12/", "csv_url": f"{ORG_EXAMPLE}/reports/12.csv",
    "pdf_url": f"{ORG_EXAMPLE}/reports/12.pdf", "page_url": "https://aifootprint.example/orgs/acme/reports/12/",
}  # fmt: skip
DETAIL_EXAMPLE = REPORT_EXAMPLE | {
    "changes": {"usage_changed": False, "factors_changed": False, "computing": False, "difference": None},
    "snapshot": {"kind": "quarterly", "period": {"start": "2025-01-01", "end": "2025-04-01", "slug": "2025-q1"},
                 "methodology_version": "1.4", "totals": {"co2e_location_kg": [236.0, 548.0, 1210.0]}},
}  # fmt: skip
REPORT_ID = OpenApiParameter(
    "report_id", int, OpenApiParameter.PATH, description="The report's id.", examples=[OpenApiExample("12", value=12)]
)
NOT_FOUND = {"detail": "report_id: No report 12 in this organisation.",
             "errors": [{"field": "report_id", "message": "No report 12 in this organisation."}]}  # fmt: skip


def _service_error(error: DjangoValidationError) -> exceptions.ValidationError:
    """The service's error with its fields named as the request names them."""
    if not hasattr(error, "error_dict"):
        return exceptions.ValidationError(error.messages)
    return exceptions.ValidationError(
        {SERVICE_FIELDS.get(field, field): messages for field, messages in error.message_dict.items()}
    )


class ReportApi(OrganisationApi):
    queryset = Report.objects.none()  # the schema's model; requests read the organisation's reports

    def report(self, report_id: int) -> Report:
        report = report_of(self.organisation, report_id)
        if report is None:
            raise exceptions.NotFound({"report_id": f"No report {report_id} in this organisation."})
        return report

    def detail(self, report: Report, code: int = status.HTTP_200_OK) -> Response:
        changes = None if superseding_report(report) else report_changes(report)
        context = {**self.get_serializer_context(), "changes": changes}
        return Response(ReportDetailSerializer(report, context=context).data, status=code)


@extend_schema_view(
    get=extend_schema(
        operation_id="org_reports_list", summary="The organisation's reports", tags=[TAG],
        description="Every report, newest period first, with who generated it, what it supersedes or was "
        "superseded by, and links to its API detail, CSV, PDF and page. Filter by kind. Viewers and up.",
        parameters=[SLUG], responses={200: ReportSerializer(many=True), **error_responses(400, 401, 403, 404)},
        examples=[OpenApiExample("A quarterly report", value=REPORT_EXAMPLE, response_only=True)],
    ),
    post=extend_schema(
        operation_id="org_reports_create", summary="Generate a report", tags=[TAG],
        description="Freezes the footprint of a calendar month, quarter or year (with the factor versions behind "
        "it) into a new report. Refused (400, naming the field) for a period that does not start a calendar "
        "period of the kind, holds no usage, or whose footprints are still being computed. Analysts and admins.",
        parameters=[SLUG], request=ReportCreateSerializer,
        responses={201: ReportDetailSerializer, **error_responses(400, 401, 403, 404)},
        examples=[OpenApiExample("Q1 2025", value={"kind": "quarterly", "period_start": "2025-01-01"},
                                 request_only=True),
                  OpenApiExample("Generated", value=DETAIL_EXAMPLE, response_only=True, status_codes=["201"]),
                  OpenApiExample("No usage", response_only=True, status_codes=["400"], value={
                      "detail": "period_start: Acme has no usage in Q1 2025 (January–March 2025).",
                      "errors": [{"field": "period_start",
                                  "message": "Acme has no usage in Q1 2025 (January–March 2025)."}]})],
    ),
)  # fmt: skip
class ReportListApi(ReportApi):
    roles = {"GET": Role.VIEWER, "POST": Role.ANALYST}
    serializer_class = ReportSerializer
    filterset_class = ReportFilter
    filter_backends = LIST_FILTER_BACKENDS
    ordering_map = {"period": "period_start", "created": "created_at"}
    ordering = ["-period_start", "-created_at", "-id"]

    def get_queryset(self):
        return self.queryset if self.schema_only else reports_of(self.organisation)

    def get(self, request, slug: str):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(
            ReportSerializer(page, many=True, context=self.get_serializer_context()).data
        )

    def post(self, request, slug: str):
        incoming = ReportCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            report = report_generate(organisation=self.organisation, user=request.user, **incoming.validated_data)
        except DjangoValidationError as error:
            raise _service_error(error) from None
        return self.detail(self.report(report.pk), status.HTTP_201_CREATED)


@extend_schema_view(get=extend_schema(
    operation_id="org_reports_retrieve", summary="One report, with its snapshot", tags=[TAG],
    description="The report's metadata, every figure as generated (`snapshot`) and whether its usage or factors "
    "changed since (`changes`, with the figures now beside the report's; null once superseded). Viewers and up.",
    parameters=[SLUG, REPORT_ID], responses={200: ReportDetailSerializer, **error_responses(401, 403, 404)},
    examples=[OpenApiExample("Q1 2025", value=DETAIL_EXAMPLE, response_only=True),
              OpenApiExample("Not found", value=NOT_FOUND, response_only=True, status_codes=["404"])],
))  # fmt: skip
class ReportDetailApi(ReportApi):
    serializer_class = ReportDetailSerializer

    def get(self, request, slug: str, report_id: int):
        return self.detail(self.report(report_id))


@extend_schema_view(post=extend_schema(
    operation_id="org_reports_regenerate", summary="Regenerate a report with today's usage and factors", tags=[TAG],
    description="A new report of the same period, superseding this one (which stays). Refused (400 on report_id) "
    "when the report was already superseded or nothing behind it changed. Analysts and admins.",
    parameters=[SLUG, REPORT_ID], request=None,
    responses={201: ReportDetailSerializer, **error_responses(400, 401, 403, 404)},
    examples=[OpenApiExample("The new report", value=DETAIL_EXAMPLE | {"id": 13, "supersedes": 12},
                             response_only=True, status_codes=["201"]),
              OpenApiExample("Nothing changed", response_only=True, status_codes=["400"], value={
                  "detail": "report_id: Nothing changed since report #12 was generated.",
                  "errors": [{"field": "report_id", "message": "Nothing changed since report #12 was generated."}]})],
))  # fmt: skip
class ReportRegenerateApi(ReportApi):
    roles = {"POST": Role.ANALYST}
    serializer_class = ReportDetailSerializer

    def post(self, request, slug: str, report_id: int):
        try:
            new = report_regenerate(report=self.report(report_id), user=request.user)
        except DjangoValidationError as error:
            raise _service_error(error) from None
        return self.detail(self.report(new.pk), status.HTTP_201_CREATED)


def _download_schema(operation_id: str, summary: str, media_type: str, description: str, example):
    return extend_schema(
        operation_id=operation_id, summary=summary, tags=[TAG], description=description,
        parameters=[SLUG, REPORT_ID],
        responses={(200, media_type): OpenApiResponse(OpenApiTypes.BINARY, description="The file, as an attachment."),
                   **{(code, "application/json"): OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code])
                      for code in (401, 403, 404)}},
        examples=[example, error_example(404)],
    )  # fmt: skip


class ReportDownloadApi(ReportApi):
    """A report's file. Errors answer in JSON whatever the client accepts."""

    content_negotiation_class = ErrorsInJson
    renderer_classes = [JSONRenderer]


@extend_schema_view(get=_download_schema(
    "org_reports_csv", "A report as CSV", "text/csv",
    "Every table of the report, one section after another under a title row, figures unrounded; cells that a "
    "spreadsheet would run as formulas are neutralised. Viewers and up.",
    OpenApiExample("The first rows", value="AI Footprint report\nField,Value\nReport,#12\n", media_type="text/csv",
                   response_only=True),
))  # fmt: skip
class ReportCsvApi(ReportDownloadApi):
    def get(self, request, slug: str, report_id: int):
        report = self.report(report_id)
        response = report_csv(report, report_filename(report, self.organisation.slug, "csv"))
        patch_cache_control(response, private=True)
        return response


@extend_schema_view(get=_download_schema(
    "org_reports_pdf", "A report as PDF", "application/pdf",
    "The report's print view as a PDF, rendered offline from the snapshot. Viewers and up.",
    error_example(403),
))  # fmt: skip
class ReportPdfApi(ReportDownloadApi):
    def get(self, request, slug: str, report_id: int):
        report = self.report(report_id)
        page = request._request  # the template's request: Django's own, not DRF's wrapper
        html = render_to_string(
            "reports/report_print.html",
            report_print_context(page, self.organisation, self.membership, report),
            request=page,
        )
        pdf = report_pdf_bytes(html, page.build_absolute_uri("/"))
        response = pdf_response(pdf, report_filename(report, self.organisation.slug, "pdf"))
        patch_cache_control(response, private=True)
        return response
