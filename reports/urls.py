"""Organisation pages: /orgs/ and everything under /orgs/<slug>/. Each area keeps its own URL list."""

from django.urls import include, path

from reports import views_account, views_org

urlpatterns = [
    path("account/", views_account.account, name="account"),
    path("orgs/", views_org.organisation_list, name="org-list"),
    path("orgs/<slug:slug>/members/", views_org.members, name="org-members"),
    path("orgs/<slug:slug>/settings/", views_org.settings_page, name="org-settings"),
    path("orgs/<slug:slug>/", include("reports.urls_dashboard")),
    path("orgs/<slug:slug>/usage/", include("reports.urls_usage")),
    path("orgs/<slug:slug>/reports/", include("reports.urls_reports")),
]
