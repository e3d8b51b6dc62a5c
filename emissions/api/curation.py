"""Curation over the API: create draft factors, preview their impact, approve them, supersede approved ones.

Every change goes through ``emissions.services.factors`` exactly as the admin's does: the same validation (a
``ValidationError`` naming the field becomes a 400), the same curator rule, and approval or supersession marks
the footprints it affects stale and enqueues their recompute when the transaction commits. Creating drafts needs
``emissions.add_emissionfactor``; the impact preview, approving and superseding need
``emissions.approve_emissionfactor`` (the admin's curators).
"""

from __future__ import annotations

from django.db.models import Max
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView, ListCreateAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from emissions.api.common import API_AUTHENTICATION, error_responses, requires_permission
from emissions.api.factors import (
    FACTOR_EXAMPLE,
    LIST_FACTORS,
    FactorListMixin,
    factor_id_parameter,
    visible_factor,
    visible_factors,
)
from emissions.api_serializers import (
    CurationResultSerializer,
    FactorDraftSerializer,
    FactorSerializer,
    ImpactSerializer,
)
from emissions.factor_kinds import KIND_SPECS
from emissions.impact import factor_impact_preview
from emissions.models import SUBJECT_FIELDS, EmissionFactor, RecomputeJob
from emissions.services.factors import (
    APPROVE_PERMISSION,
    FactorInput,
    factor_approve,
    factor_create_draft,
    factor_supersede,
)

TAG = "curation"
ADD_PERMISSION = "emissions.add_emissionfactor"
# What each action needs the factor to be (the admin's impact preview offers the same two).
ACTIONS = {"approve": EmissionFactor.Status.DRAFT, "supersede": EmissionFactor.Status.APPROVED}

DRAFT_EXAMPLE = {"kind": "grid_intensity_location", "zone": "FRA", "value": 30.0, "unit": "gCO2e/kWh",
                 "valid_from": "2026-01-01", "source": "electricitymaps-yearly-2021-2025",
                 "note": "Electricity Maps yearly average 2026, zone FR", "supersedes": None}  # fmt: skip
JOB_EXAMPLE = {"id": 88, "trigger": "factor_approved", "status": "pending", "factor_ids": [413, 412],
               "affected_rates": 1240, "affected_rollups": 310, "affected_usage_records": 48211,
               "affected_model_footprints": 14, "affected_training_footprints": 0,
               "created_at": "2025-02-03T10:12:00Z"}  # fmt: skip
LINE_EXAMPLE = {"label": "mistral/mistral-large-2", "before_kg": 1520.4, "after_kg": 1411.9, "change_kg": -108.5,
                "change_percent": -7.14}  # fmt: skip
IMPACT_EXAMPLE = {"factor": 413, "action": "approve", "rates": 1240, "rollups": 310, "usage_records": 48211,
                  "model_footprints": 14, "training_footprints": 0,
                  "total": LINE_EXAMPLE | {"label": "affected usage"}, "vendors": [LINE_EXAMPLE | {"label": "Mistral"}],
                  "models": [LINE_EXAMPLE], "organisations": [LINE_EXAMPLE | {"label": "Acme"}],
                  "per_request": [LINE_EXAMPLE | {"label": "mistral/mistral-large-2 in azure/francecentral",
                                                  "before_kg": 0.00021, "after_kg": 0.000195, "change_kg": -0.000015,
                                                  "change_percent": -7.14}]}  # fmt: skip


def _draft_input(data: dict) -> FactorInput:
    """The service's input; the subject is the one subject field the kind uses, and any other is refused."""
    subject_field = SUBJECT_FIELDS[KIND_SPECS[data["kind"]].subject]
    extra = [field for field in SUBJECT_FIELDS.values() if field != subject_field and data.get(field) is not None]
    if extra:
        raise exceptions.ValidationError(
            {field: f"{data['kind']} is a factor of a {subject_field.replace('_', ' ')}: leave {field} out."
             for field in extra}
        )  # fmt: skip
    return FactorInput(
        kind=data["kind"], subject=data.get(subject_field), value=data["value"], unit=data["unit"],
        valid_from=data["valid_from"], source=data["source"], valid_to=data.get("valid_to"),
        value_low=data.get("value_low"), value_high=data.get("value_high"), note=data.get("note", ""),
    )  # fmt: skip


@extend_schema_view(
    get=LIST_FACTORS,
    post=extend_schema(
        operation_id="factors_create", summary="Create a draft factor", tags=[TAG],
        description="A new factor, always a draft: it feeds no footprint until a curator approves it. Needs "
        f"`{ADD_PERMISSION}`. Give the subject its kind applies to (`zone`, `region`, `accelerator` or "
        "`ai_model`); set `supersedes` to correct an approved factor of the same kind and subject.",
        request=FactorDraftSerializer, responses={201: FactorSerializer, **error_responses(400, 401, 403)},
        examples=[OpenApiExample("A new grid intensity", value=DRAFT_EXAMPLE, request_only=True),
                  OpenApiExample("The draft", value=FACTOR_EXAMPLE | {"id": 413, "status": "draft", "value": 30.0,
                                 "valid_from": "2026-01-01", "approved_at": None}, response_only=True,
                                 status_codes=["201"])],
    ),
)  # fmt: skip
class FactorListCreateApi(FactorListMixin, ListCreateAPIView):
    """GET is public (the factor list); POST creates a draft."""

    authentication_classes = API_AUTHENTICATION

    def get_permissions(self):
        if self.request.method == "POST":
            return [requires_permission(ADD_PERMISSION)()]
        return [AllowAny()]

    def get_serializer_class(self):
        return FactorDraftSerializer if self.request.method == "POST" else FactorSerializer

    def create(self, request, *args, **kwargs):
        incoming = FactorDraftSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        draft = factor_create_draft(data=_draft_input(data), created_by=request.user, supersedes=data.get("supersedes"))
        factor = visible_factor(request.user, draft.pk)  # with the relations its representation reads
        return Response(FactorSerializer(factor, context=self.get_serializer_context()).data, status.HTTP_201_CREATED)


class CuratorApi(GenericAPIView):
    """A curator's action on one factor (any user may read factors; only curators act on them)."""

    authentication_classes = API_AUTHENTICATION
    permission_classes = [requires_permission(APPROVE_PERMISSION)]
    serializer_class = CurationResultSerializer  # what it answers (OPTIONS describes it)

    def factor(self) -> EmissionFactor:
        return visible_factor(self.request.user, self.kwargs["pk"])


@extend_schema_view(get=extend_schema(
    operation_id="factors_impact_retrieve", summary="Preview a factor's impact", tags=[TAG],
    description="What approving this draft (or superseding this approved factor) would change, before anyone "
    "does it: the stored rows affected, and kg CO₂e before and after for the affected usage, the most affected "
    "vendors, models and organisations, and model footprints per request. Reads only. Curators only.",
    parameters=[factor_id_parameter(), OpenApiParameter(
        "action", str, enum=["approve", "supersede"], description="Default: approve for a draft, supersede for an "
        "approved factor.")],
    responses={200: ImpactSerializer, **error_responses(400, 401, 403, 404)},
    examples=[OpenApiExample("A lower grid intensity", value=IMPACT_EXAMPLE, response_only=True)],
))  # fmt: skip
class FactorImpactApi(CuratorApi):
    serializer_class = ImpactSerializer

    def get(self, request, pk: int):
        factor = self.factor()
        default = next((action for action, needed in ACTIONS.items() if needed == factor.status), "")
        action = request.query_params.get("action") or default
        if action and action not in ACTIONS:
            raise exceptions.ValidationError({"action": f"Use approve or supersede, got “{action}”."})
        if not action or factor.status != ACTIONS[action]:
            raise exceptions.ValidationError({"action": f"Factor #{factor.pk} is {factor.status}: only drafts can be "
                                                        "approved, and only approved factors superseded."})  # fmt: skip
        preview = factor_impact_preview(factor=factor, action=action)
        return Response(ImpactSerializer(preview).data)


def _acted_on(request, factor: EmissionFactor, service, trigger: str) -> Response:
    """Run the service as the admin's actions do, then report what changed and the recompute jobs it enqueued."""
    since = RecomputeJob.objects.aggregate(last=Max("pk"))["last"] or 0
    result = service(factor=factor, user=request.user)
    changed_ids = [f.pk for f in (result if isinstance(result, list) else [result])]
    jobs = [job for job in RecomputeJob.objects.filter(pk__gt=since, trigger=trigger, triggered_by=request.user)
            if factor.pk in job.factor_ids]  # fmt: skip
    by_id = visible_factors(request.user).in_bulk(changed_ids)
    changed = [by_id[pk] for pk in changed_ids]
    context = {"request": request}
    return Response(CurationResultSerializer({"changed": changed, "jobs": jobs}, context=context).data)


def _action_schema(operation_id: str, summary: str, description: str, after: dict):
    example = {"changed": [after], "jobs": [JOB_EXAMPLE | {"factor_ids": [after["id"]]}]}
    return extend_schema(
        operation_id=operation_id, summary=summary, description=description, tags=[TAG], request=None,
        parameters=[factor_id_parameter()], responses={200: CurationResultSerializer,
                                                       **error_responses(400, 401, 403, 404)},
        examples=[OpenApiExample(summary, value=example, response_only=True)],
    )  # fmt: skip


@extend_schema_view(post=_action_schema(
    "factors_approve", "Approve a draft",
    "The draft starts feeding footprints. A factor it supersedes is retired; an approved open-ended factor of the "
    "same subject that started earlier is closed at the draft's start; any other overlap is a 400 naming "
    "`valid_from`. Affected footprints are marked stale and recomputed in the background (see `jobs`). Curators "
    "only.", FACTOR_EXAMPLE | {"id": 413}))  # fmt: skip
class FactorApproveApi(CuratorApi):
    def post(self, request, pk: int):
        return _acted_on(request, self.factor(), factor_approve, RecomputeJob.Trigger.FACTOR_APPROVED)


@extend_schema_view(post=_action_schema(
    "factors_supersede", "Supersede (retire) an approved factor",
    "The factor stops feeding footprints and stays in the record; footprints that used it are recomputed in the "
    "background (see `jobs`). Curators only.", FACTOR_EXAMPLE | {"status": "superseded"}))  # fmt: skip
class FactorSupersedeApi(CuratorApi):
    def post(self, request, pk: int):
        return _acted_on(request, self.factor(), factor_supersede, RecomputeJob.Trigger.FACTOR_SUPERSEDED)
