"""Public pages about models and vendors: rankings, model pages, carbon labels, methodology, vendor profiles."""

from django.urls import path, register_converter

from vendors import views, views_planning, views_vendor


class ModelPartConverter:
    """The part of a model slug after the vendor, e.g. ``llama-3.1-8b`` (dots allowed, no slash)."""

    regex = r"[a-z0-9][a-z0-9.-]*"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ModelPartConverter, "model")

urlpatterns = [
    path("rankings/", views.rankings, name="rankings"),
    path("models/<slug:vendor>/<model:model>/", views.model_detail, name="model-detail"),
    path("labels/<slug:vendor>/<model:model>.svg", views.label_svg, name="label-svg"),
    path("labels/<slug:vendor>/<model:model>/", views.label_page, name="label"),
    path("methodology/", views.methodology, name="methodology"),
    path("compare/", views_planning.compare, name="compare"),
    path("procurement/", views_planning.procurement, name="procurement"),
    path("vendors/<slug:slug>/", views_vendor.vendor_detail, name="vendor"),
]
