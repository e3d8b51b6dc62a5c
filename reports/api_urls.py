"""Organisation-scoped API (under /api/v1/): usage uploads."""

from django.urls import path

from reports import api

UPLOADS = "orgs/<slug:slug>/usage/uploads/"

urlpatterns = [
    path(UPLOADS, api.UploadListApi.as_view(), name="api-usage-upload-list"),
    path(f"{UPLOADS}<int:upload_id>/", api.UploadDetailApi.as_view(), name="api-usage-upload-detail"),
    path(f"{UPLOADS}<int:upload_id>/confirm/", api.UploadConfirmApi.as_view(), name="api-usage-upload-confirm"),
    path(f"{UPLOADS}<int:upload_id>/decide/", api.UploadDecideApi.as_view(), name="api-usage-upload-decide"),
    path(f"{UPLOADS}<int:upload_id>/cancel/", api.UploadCancelApi.as_view(), name="api-usage-upload-cancel"),
]
