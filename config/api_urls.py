"""The REST API, version 1 (/api/v1/): each app keeps its own routes."""

from django.urls import include, path

urlpatterns = [
    path("", include("vendors.api_urls")),
    path("", include("emissions.api_urls")),
    path("", include("reports.api_urls")),
]
