"""Usage records: list (filtered, ordered, paged, each with its footprint), add a few as JSON, delete one, delete
whole months.

- ``GET …/usage/records/`` (viewer): the records, ``?month_after=&month_before=`` (YYYY-MM, included),
  ``model``, ``vendor``, ``region``, ``tier``, ``upload``; ``?ordering=month|model|requests`` (``-`` descending).
- ``POST …/usage/records/`` (analyst) ``{"records": [...], "on_conflict": "replace"|"merge"}``: checked exactly as
  a JSON upload's records; 201 with the records written; 400 naming ``records[i].column``; 409 when months already
  hold usage and ``on_conflict`` is not given (nothing written).
- ``DELETE …/usage/records/?month=YYYY-MM`` (analyst; repeat ``month`` for several): every record of those months,
  all or nothing (400 when one of them holds none).
- ``GET``/``DELETE …/usage/records/<id>/`` (viewer / analyst).

Every deletion re-sums the months' rollups in its transaction and leaves an audit event.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, status
from rest_framework.response import Response

from emissions.api.common import LIST_FILTER_BACKENDS
from reports.api_org.common import (
    ERROR_DESCRIPTIONS,
    ORG_EXAMPLE,
    SLUG,
    TAG,
    LenientJSONParser,
    OrganisationApi,
    error_example,
    error_responses,
    months_param,
    problem_body,
)
from reports.api_org.filters import UsageRecordFilter
from reports.api_org_serializers import (
    MonthsDeletedSerializer,
    MonthsTakenSerializer,
    RecordsAddedSerializer,
    UsageRecordsCreateSerializer,
    UsageRecordSerializer,
)
from reports.models import Role, UsageRecord
from reports.selectors_usage import record_rows, usage_record_of, usage_records_of
from reports.services.usage_records import (
    UsageMonthsTaken,
    usage_months_delete,
    usage_record_delete,
    usage_records_add,
)


def _triple(low: float, central: float, high: float) -> dict:
    return {"low": low, "central": central, "high": high}


RECORD_EXAMPLE = {
    "id": 4812, "url": f"{ORG_EXAMPLE}/usage/records/4812/", "month": "2025-03", "model": "google/gemini-2.5-flash",
    "vendor": "google", "region": "gcp/europe-west4", "region_assumed": False, "tier": "token", "requests": 120000,
    "input_tokens": 96000000, "output_tokens": 31000000, "spend": None, "currency": "", "upload": 77,
    "upload_url": f"{ORG_EXAMPLE}/usage/uploads/77/", "source_row": 2, "created_at": "2025-04-02T08:15:00Z",
    "energy_kwh": _triple(21.4, 48.9, 103.0), "co2e_location_kg": _triple(6.1, 14.2, 31.5),
    "co2e_market_kg": _triple(5.8, 13.5, 30.1), "water_l": _triple(31.0, 74.0, 160.0),
    "footprint_pending": False, "rate": 5521, "rate_version": 3, "spend_factor": None,
}  # fmt: skip
ADD_EXAMPLE = {
    "records": [
        {"month": "2025-03", "model": "google/gemini-2.5-flash", "region": "gcp/europe-west4", "requests": 120000,
         "input_tokens": 96000000, "output_tokens": 31000000},
        {"start": "2025-03-20", "end": "2025-04-10", "model": "meta/llama-3.1-8b", "requests": 4400},
    ],
    "on_conflict": "merge",
}  # fmt: skip
ADDED_EXAMPLE = {"created": 1, "replaced": 0, "months": ["2025-03"], "tier_counts": {"token": 1},
                 "records": [RECORD_EXAMPLE | {"upload": None, "upload_url": None, "source_row": 1}]}  # fmt: skip
BAD_RECORDS_EXAMPLE = {
    "detail": "records[0].requests: “-5” is negative: counts are whole numbers of 0 or more. records[1].model: "
    "Unknown model “gemini flsh”: did you mean google/gemini-2.5-flash? Give the catalogue slug: the API does not "
    "guess model names.",
    "errors": [
        {"field": "records[0].requests", "message": "“-5” is negative: counts are whole numbers of 0 or more."},
        {"field": "records[1].model", "message": "Unknown model “gemini flsh”: did you mean google/gemini-2.5-flash? "
         "Give the catalogue slug: the API does not guess model names."},
    ],
}  # fmt: skip


def conflict_message(months: list[str]) -> str:
    return (
        f"Usage already exists for {', '.join(months)}: send on_conflict=replace (the records' months replace it) "
        "or merge (they are added to it)."
    )


CONFLICT_MESSAGE = conflict_message(["2025-03"])
CONFLICT_EXAMPLE = {
    "detail": f"on_conflict: {CONFLICT_MESSAGE}",
    "errors": [{"field": "on_conflict", "message": CONFLICT_MESSAGE}],
    "months": ["2025-03"],
}
MONTH_PARAMETER = OpenApiParameter(
    "month", str, many=True, required=True, description="A month to delete, YYYY-MM; repeat for several.",
    examples=[OpenApiExample("March 2025", value=["2025-03"])],
)  # fmt: skip
RECORD_ID = OpenApiParameter(
    "record_id", int, OpenApiParameter.PATH, description="The record's id.",
    examples=[OpenApiExample("4812", value=4812)],
)  # fmt: skip


def conflict_response(months) -> Response:
    shown = [f"{m:%Y-%m}" for m in months]
    return Response({**problem_body("on_conflict", conflict_message(shown)), "months": shown}, status=409)


@extend_schema_view(
    get=extend_schema(
        operation_id="org_usage_records_list", summary="The organisation's usage records", tags=[TAG],
        description="Each record with its footprint: usage x the rate of its model, region and month (spend-based "
        "records: spend x the spend factor in force, CO2e only). Filter by month range, model, vendor, region, tier "
        "or upload; order by month, model or requests. Viewers and up.",
        parameters=[SLUG], responses={200: UsageRecordSerializer(many=True), **error_responses(400, 401, 403, 404)},
        examples=[OpenApiExample("A token-level record", value=RECORD_EXAMPLE, response_only=True),
                  error_example(404)],
    ),
    post=extend_schema(
        operation_id="org_usage_records_create", summary="Add usage records", tags=[TAG],
        description="1 to 1,000 records as JSON, each as a record of a JSON upload (docs/usage-formats.md): checked "
        "exactly as uploads are, written all or none, the rollups of their months re-summed. A model name must be "
        "a catalogue slug or exact name (nothing is guessed). Months that already hold usage need `on_conflict`: "
        "`replace` deletes their records first, `merge` adds to them; without it the answer is 409 and nothing is "
        "written. Analysts and admins.",
        parameters=[SLUG], request=UsageRecordsCreateSerializer,
        responses={201: RecordsAddedSerializer, **error_responses(400, 401, 403, 404),
                   409: OpenApiResponse(MonthsTakenSerializer, description=ERROR_DESCRIPTIONS[409])},
        examples=[OpenApiExample("Two records", value=ADD_EXAMPLE, request_only=True),
                  OpenApiExample("Written", value=ADDED_EXAMPLE, response_only=True, status_codes=["201"]),
                  OpenApiExample("Bad records", value=BAD_RECORDS_EXAMPLE, response_only=True, status_codes=["400"]),
                  OpenApiExample("Months taken", value=CONFLICT_EXAMPLE, response_only=True, status_codes=["409"])],
    ),
    delete=extend_schema(
        operation_id="org_usage_records_delete_months", summary="Delete every record of some months", tags=[TAG],
        description="All the organisation's usage records of the months given (`?month=2025-03`, repeatable), all "
        "or nothing: refused when one of the months holds no record. Their rollups are re-summed in the same "
        "transaction and an audit event is recorded. Analysts and admins.",
        parameters=[SLUG, MONTH_PARAMETER], request=None,
        responses={200: MonthsDeletedSerializer, **error_responses(400, 401, 403, 404)},
        examples=[OpenApiExample("Deleted", value={"deleted": 412, "months": ["2025-03"]}, response_only=True)],
    ),
)  # fmt: skip
class UsageRecordListApi(OrganisationApi):
    roles = {"GET": Role.VIEWER, "POST": Role.ANALYST, "DELETE": Role.ANALYST}
    parser_classes = [LenientJSONParser]
    queryset = UsageRecord.objects.none()  # the schema's model; requests read usage_records_of(organisation)
    serializer_class = UsageRecordSerializer
    filterset_class = UsageRecordFilter
    filter_backends = LIST_FILTER_BACKENDS
    ordering_map = {"month": "month", "model": "ai_model__slug", "requests": "requests"}
    ordering = ["month", "id"]

    def get_queryset(self):
        return self.queryset if self.schema_only else usage_records_of(self.organisation)

    def get(self, request, slug: str):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = UsageRecordSerializer(record_rows(page), many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(rows)

    def post(self, request, slug: str):
        incoming = UsageRecordsCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            added = usage_records_add(
                organisation=self.organisation, user=request.user, records=incoming.validated_data["records"],
                on_conflict=incoming.validated_data.get("on_conflict", ""),
            )  # fmt: skip
        except UsageMonthsTaken as taken:
            return conflict_response(taken.months)
        context = {**self.get_serializer_context(), "rows": record_rows(added.created)}
        return Response(RecordsAddedSerializer(added, context=context).data, status=status.HTTP_201_CREATED)

    def delete(self, request, slug: str):
        months = months_param(request.query_params.getlist("month"))
        deleted = usage_months_delete(organisation=self.organisation, months=months, user=request.user)
        return Response(MonthsDeletedSerializer({"deleted": deleted, "months": sorted(set(months))}).data)


@extend_schema_view(
    get=extend_schema(
        operation_id="org_usage_records_retrieve", summary="One usage record", tags=[TAG],
        description="The record and its footprint (usage x its rate; spend-based: spend x the spend factor). "
        "Viewers and up.",
        parameters=[SLUG, RECORD_ID], responses={200: UsageRecordSerializer, **error_responses(401, 403, 404)},
        examples=[OpenApiExample("A token-level record", value=RECORD_EXAMPLE, response_only=True)],
    ),
    delete=extend_schema(
        operation_id="org_usage_records_destroy", summary="Delete a usage record", tags=[TAG],
        description="Deletes the record; its month's rollups are re-summed in the same transaction (the dashboard "
        "drops by exactly its footprint) and an audit event is recorded. Analysts and admins.",
        parameters=[SLUG, RECORD_ID], request=None,
        responses={204: OpenApiResponse(description="Deleted."), **error_responses(401, 403, 404)},
        examples=[error_example(403), error_example(404)],
    ),
)  # fmt: skip
class UsageRecordDetailApi(OrganisationApi):
    roles = {"GET": Role.VIEWER, "DELETE": Role.ANALYST}
    queryset = UsageRecord.objects.none()
    serializer_class = UsageRecordSerializer

    def _record(self, record_id: int) -> UsageRecord:
        record = usage_record_of(self.organisation, record_id)
        if record is None:
            raise exceptions.NotFound({"record_id": f"No usage record {record_id} in this organisation."})
        return record

    def get(self, request, slug: str, record_id: int):
        row = record_rows([self._record(record_id)])[0]
        return Response(UsageRecordSerializer(row, context=self.get_serializer_context()).data)

    def delete(self, request, slug: str, record_id: int):
        record = self._record(record_id)
        try:
            usage_record_delete(record=record, user=request.user)
        except UsageRecord.DoesNotExist:
            raise exceptions.NotFound({"record_id": f"No usage record {record_id} in this organisation."}) from None
        return Response(status=status.HTTP_204_NO_CONTENT)
