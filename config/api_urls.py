"""The REST API, version 1 (/api/v1/): each app keeps its own routes."""

from django.urls import include, path

from config.api_views import PingApi

urlpatterns = [
    path("ping", PingApi.as_view(), name="api-ping"),
    path("", include("vendors.api_urls")),
    path("", include("emissions.api_urls")),
    path("", include("reports.api_urls")),
    path("", include("reports.api_org_urls")),
]
