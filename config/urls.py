from django.contrib import admin
from django.urls import path

from config.health import healthz
from vendors.views import home

admin.site.site_header = "AI Footprint curation"
admin.site.site_title = "AI Footprint"
admin.site.index_title = "Catalogue and factors"

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
