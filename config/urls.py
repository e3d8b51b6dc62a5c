from django.contrib import admin
from django.urls import include, path

from config.health import healthz
from vendors.views import home

admin.site.site_header = "AI Footprint curation"
admin.site.site_title = "AI Footprint"
admin.site.index_title = "Catalogue and factors"

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("", include("vendors.urls")),
    path("admin/", admin.site.urls),
]
