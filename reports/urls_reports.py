"""URLs of the organisation's report pages (under /orgs/<slug>/reports/)."""

from django.urls import path

from reports import views_reports

urlpatterns = [
    path("", views_reports.report_list, name="org-reports"),
]
