"""Routes of the organisation API (under /api/v1/orgs/<slug>/): usage records, footprint rows, KPIs, reports.
Usage uploads are in ``reports.api_urls``."""

from django.urls import path

from reports.api_org import figures, records, reports

ORG = "orgs/<slug:slug>/"
RECORDS = f"{ORG}usage/records/"
REPORTS = f"{ORG}reports/"

urlpatterns = [
    path(RECORDS, records.UsageRecordListApi.as_view(), name="api-org-usage-record-list"),
    path(f"{RECORDS}<int:record_id>/", records.UsageRecordDetailApi.as_view(), name="api-org-usage-record-detail"),
    path(f"{ORG}footprints/", figures.FootprintListApi.as_view(), name="api-org-footprint-list"),
    path(f"{ORG}kpis/", figures.KpiApi.as_view(), name="api-org-kpis"),
    path(REPORTS, reports.ReportListApi.as_view(), name="api-org-report-list"),
    path(f"{REPORTS}<int:report_id>/", reports.ReportDetailApi.as_view(), name="api-org-report-detail"),
    path(f"{REPORTS}<int:report_id>.csv", reports.ReportCsvApi.as_view(), name="api-org-report-csv"),
    path(f"{REPORTS}<int:report_id>.pdf", reports.ReportPdfApi.as_view(), name="api-org-report-pdf"),
    path(
        f"{REPORTS}<int:report_id>/regenerate/", reports.ReportRegenerateApi.as_view(), name="api-org-report-regenerate"
    ),
]
