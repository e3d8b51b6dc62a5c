"""URLs of the organisation's usage pages (under /orgs/<slug>/usage/)."""

from django.urls import path

from reports import views_usage

urlpatterns = [
    path("", views_usage.usage, name="org-usage"),
]
