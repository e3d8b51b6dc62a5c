"""URLs of the organisation's usage pages (under /orgs/<slug>/usage/)."""

from django.urls import path

from reports import views_usage

UPLOAD = "uploads/<int:upload_id>/"

urlpatterns = [
    path("", views_usage.usage, name="org-usage"),
    path("upload/", views_usage.upload_new, name="org-usage-submit"),
    path("sample.csv", views_usage.sample_csv, name="org-usage-sample"),
    path(UPLOAD, views_usage.upload_detail, name="org-usage-upload"),
    path(f"{UPLOAD}confirm/", views_usage.upload_confirm_view, name="org-usage-upload-confirm"),
    path(f"{UPLOAD}decide/", views_usage.upload_decide_view, name="org-usage-upload-decide"),
    path(f"{UPLOAD}cancel/", views_usage.upload_cancel_view, name="org-usage-upload-cancel"),
    path(f"{UPLOAD}progress.json", views_usage.upload_progress, name="org-usage-upload-progress"),
]
