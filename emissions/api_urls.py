"""API routes of the emissions app (under /api/v1/)."""

from django.urls import path

import vendors.urls  # noqa: F401 - registers the "model" converter: the part of a model slug after the slash
from emissions.api import curation, estimates, factors, footprints, labels, rankings

urlpatterns = [
    path("factors/", curation.FactorListCreateApi.as_view(), name="api-factor-list"),
    path("factors/<int:pk>/", factors.FactorDetailApi.as_view(), name="api-factor-detail"),
    path("factors/<int:pk>/history/", factors.FactorHistoryApi.as_view(), name="api-factor-history"),
    path("factors/<int:pk>/impact/", curation.FactorImpactApi.as_view(), name="api-factor-impact"),
    path("factors/<int:pk>/approve/", curation.FactorApproveApi.as_view(), name="api-factor-approve"),
    path("factors/<int:pk>/supersede/", curation.FactorSupersedeApi.as_view(), name="api-factor-supersede"),
    path("sources/", factors.SourceListApi.as_view(), name="api-source-list"),
    path("sources/<str:key>/", factors.SourceDetailApi.as_view(), name="api-source-detail"),
    path("rankings/", rankings.RankingApi.as_view(), name="api-rankings"),
    path("footprints/", footprints.FootprintListApi.as_view(), name="api-footprint-list"),
    path(
        "models/<slug:vendor>/<model:model>/footprints/",
        footprints.ModelFootprintsApi.as_view(),
        name="api-model-footprints",
    ),
    path("labels/", labels.LabelListApi.as_view(), name="api-label-list"),
    path("labels/<slug:vendor>/<model:model>/", labels.LabelDetailApi.as_view(), name="api-label-detail"),
    path("estimates/inference", estimates.InferenceEstimateApi.as_view(), name="api-estimate-inference"),
    path("estimates/training", estimates.TrainingEstimateApi.as_view(), name="api-estimate-training"),
]
