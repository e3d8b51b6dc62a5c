"""URLs of the organisation's report pages (under /orgs/<slug>/reports/)."""

from django.urls import path

from reports import views_reports

urlpatterns = [
    path("", views_reports.report_list, name="org-reports"),
    path("generate/", views_reports.report_generate, name="org-report-generate"),
    path("<int:report_id>/", views_reports.report_detail, name="org-report"),
    path("<int:report_id>.csv", views_reports.report_csv_download, name="org-report-csv"),
    path("<int:report_id>.pdf", views_reports.report_pdf_download, name="org-report-pdf"),
    path("<int:report_id>/regenerate/", views_reports.report_regenerate, name="org-report-regenerate"),
]
