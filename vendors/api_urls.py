"""API routes of the vendors app (under /api/v1/): the catalogue, found by the identifiers the site uses."""

from django.urls import path

import vendors.urls  # noqa: F401 - registers the "model" converter: the part of a model slug after the slash
from vendors import api

urlpatterns = [
    path("vendors/", api.VendorListApi.as_view(), name="api-vendor-list"),
    path("vendors/<slug:slug>/", api.VendorDetailApi.as_view(), name="api-vendor-detail"),
    path("models/", api.AIModelListApi.as_view(), name="api-model-list"),
    path("models/<slug:vendor>/<model:model>/", api.AIModelDetailApi.as_view(), name="api-model-detail"),
    path("accelerators/", api.AcceleratorListApi.as_view(), name="api-accelerator-list"),
    path("accelerators/<slug:slug>/", api.AcceleratorDetailApi.as_view(), name="api-accelerator-detail"),
    path("regions/", api.RegionListApi.as_view(), name="api-region-list"),
    path("regions/<slug:operator>/<slug:code>/", api.RegionDetailApi.as_view(), name="api-region-detail"),
    path("zones/", api.GridZoneListApi.as_view(), name="api-zone-list"),
    path("zones/<str:code>/", api.GridZoneDetailApi.as_view(), name="api-zone-detail"),
]
