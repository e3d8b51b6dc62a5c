"""URLs of the organisation's dashboard pages (under /orgs/<slug>/)."""

from django.urls import path

from reports import views_dashboard

urlpatterns = [
    path("", views_dashboard.dashboard, name="org-dashboard"),
    path("export/<slug:chart>.csv", views_dashboard.export, name="org-dashboard-export"),
]
