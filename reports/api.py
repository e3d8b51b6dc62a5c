"""The usage-upload API (under /api/v1/orgs/<slug>/usage/uploads/). Thin: parse the request, call the services,
answer with the upload and the status that says what happens next.

- ``POST …/uploads/``: a multipart ``file`` field, or the file itself as the body (``Content-Type: text/csv`` or
  ``application/json``); ``format`` (csv, json, openai-usage; default from the file name or content type),
  ``on_conflict`` (replace, merge) and, for raw bodies, ``filename`` as fields or query parameters.
  201: written; 202: queued for a worker or waiting for model names to be confirmed; 400: the file was rejected
  (nothing written) with every error's row and column; 409: usage already exists for some of its months (decide
  with ``…/decide/``); 413: over the size or row limit.
- ``POST …/<id>/confirm/`` ``{"mapping": {"name in file": "vendor/model"}}``, ``POST …/<id>/decide/``
  ``{"on_conflict": "replace"|"merge"}``, ``POST …/<id>/cancel/``.

Viewers may read uploads; analysts and admins upload and answer. Outsiders get 404, lower roles 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import BinaryIO

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import BaseParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import APISettings
from rest_framework.views import APIView

from reports.api_serializers import (
    ConfirmSerializer,
    DecideSerializer,
    UploadCreateSerializer,
    UploadProblemSerializer,
    UploadSerializer,
    api_errors,
)
from reports.ingest import limits
from reports.ingest.errors import RowError, split_stored
from reports.ingest.selectors import upload_conflicts, upload_of, uploads_of
from reports.models import Role, UsageUpload
from reports.permissions import require_role
from reports.services.uploads import (
    UploadActionError,
    upload_cancel,
    upload_confirm,
    upload_decide,
    upload_submit,
)

TAG = "usage uploads"
Status = UsageUpload.Status
WAITING = {Status.QUEUED, Status.PROCESSING, Status.NEEDS_CONFIRMATION}


# -- request bodies --------------------------------------------------------------------------------------------


@dataclass
class RawBody:
    """A file sent as the request body: read by the service, at most ``MAX_BYTES`` + 1 bytes."""

    stream: BinaryIO
    size: int  # Content-Length
    media_type: str


class CsvBodyParser(BaseParser):
    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None) -> RawBody:
        meta = parser_context["request"].META
        return RawBody(stream, int(meta.get("CONTENT_LENGTH") or 0), self.media_type)


class JsonBodyParser(CsvBodyParser):
    media_type = "application/json"


class FileFormatParameter(DefaultContentNegotiation):
    """``?format=`` names the uploaded file's format here, so it must not choose DRF's response renderer."""

    settings = APISettings({"URL_FORMAT_OVERRIDE": None})


# -- responses -------------------------------------------------------------------------------------------------


def problem(message: str, errors: list[RowError], code: int, **extra) -> Response:
    return Response({"detail": message, "errors": api_errors([e.as_dict() for e in errors]), **extra}, status=code)


def upload_response(request, upload: UsageUpload, *, created: bool = False) -> Response:
    """The upload, with the status that says what happens next (see the module docstring)."""
    conflicts = upload_conflicts(upload) if upload.status == Status.NEEDS_DECISION else []
    data = UploadSerializer(upload, context={"request": request, "conflicts": {upload.pk: conflicts}}).data
    if upload.status == Status.REJECTED:
        listed, total = split_stored(upload.errors)
        code = 413 if limits.over_limit(size_bytes=upload.size_bytes, rows=upload.rows_total) else 400
        detail = f"The file was rejected ({total:,} error{'s' if total != 1 else ''}): nothing was written."
        body = {"detail": detail, "errors": api_errors(listed), "error_count": total, "upload": data}
        return Response(body, status=code)
    if upload.status == Status.NEEDS_DECISION:
        months = [m.strftime("%Y-%m") for m in conflicts]
        message = (
            f"Usage already exists for {', '.join(months)}: send on_conflict=replace (the file's months replace "
            "it) or merge (added to it) to …/decide/."
        )
        return problem(message, [RowError(None, "on_conflict", message)], 409, months=months, upload=data)
    if upload.status in WAITING:
        return Response(data, status=status.HTTP_202_ACCEPTED)
    return Response(data, status=status.HTTP_201_CREATED if created and upload.status == Status.DONE else 200)


def _upload(organisation, upload_id: int) -> UsageUpload:
    upload = upload_of(organisation, upload_id)
    if upload is None:
        raise exceptions.NotFound("No such upload in this organisation.")
    return upload


def _action_failed(error: UploadActionError) -> Response:
    return problem(str(error), error.errors, 400)


UPLOAD_RESPONSES = {
    201: OpenApiResponse(UploadSerializer, description="Checked and written."),
    202: OpenApiResponse(
        UploadSerializer, description="Queued for a worker, or waiting for model names to be confirmed (see proposals)."
    ),
    400: OpenApiResponse(
        UploadProblemSerializer, description="Rejected: nothing written; every error's row and column."
    ),
    403: OpenApiResponse(description="Your role in the organisation does not allow this."),
    404: OpenApiResponse(description="No such organisation (or you are not a member), or no such upload."),
    409: OpenApiResponse(UploadProblemSerializer, description="Usage exists for some of the file's months: decide."),
    413: OpenApiResponse(UploadProblemSerializer, description="Over 50 MB or 1,000,000 rows."),
}
ACTION_RESPONSES = {200: UPLOAD_RESPONSES[201], **{k: v for k, v in UPLOAD_RESPONSES.items() if k != 201}}
SLUG = OpenApiParameter("slug", str, OpenApiParameter.PATH, description="The organisation's slug.")
UPLOAD_ID = OpenApiParameter("upload_id", int, OpenApiParameter.PATH, description="The upload's id.")


# -- views -----------------------------------------------------------------------------------------------------


class UploadListApi(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, CsvBodyParser, JsonBodyParser]
    content_negotiation_class = FileFormatParameter
    pagination_class = PageNumberPagination

    @extend_schema(
        operation_id="usage_uploads_list",
        summary="The organisation's uploads, newest first",
        tags=[TAG],
        parameters=[SLUG],
        responses={200: UploadSerializer(many=True)},
    )
    def get(self, request, slug: str):
        organisation, _ = require_role(request.user, slug, Role.VIEWER)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(uploads_of(organisation), request, view=self)
        return paginator.get_paginated_response(UploadSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(
        operation_id="usage_uploads_create",
        summary="Upload usage (CSV, JSON or an OpenAI usage export)",
        tags=[TAG],
        request={
            "multipart/form-data": UploadCreateSerializer,
            "text/csv": OpenApiTypes.BINARY,
            "application/json": OpenApiTypes.OBJECT,
        },
        parameters=[
            SLUG,
            OpenApiParameter(
                "format",
                str,
                enum=UsageUpload.Format.values,
                description="Raw bodies: csv, json or openai-usage (default from the Content-Type).",
            ),
            OpenApiParameter(
                "on_conflict",
                str,
                enum=["replace", "merge"],
                description="Raw bodies: what to do with months that already hold usage.",
            ),
            OpenApiParameter("filename", str, description="Raw bodies: the name to show in the upload history."),
        ],
        responses=UPLOAD_RESPONSES,
    )
    def post(self, request, slug: str):
        organisation, _ = require_role(request.user, slug, Role.ANALYST)
        body, params = request.data, request.query_params
        if isinstance(body, RawBody):
            default_format = "json" if body.media_type == "application/json" else "csv"
            filename = params.get("filename") or f"api-upload.{default_format}"
            source, size, fields = body.stream, body.size, params
        else:
            upload_file = request.FILES.get("file")
            if upload_file is None:
                message = (
                    "Send the file as a multipart field named “file”, or as the body (text/csv or application/json)."
                )
                return problem(message, [RowError(None, "file", message)], 400)
            filename = upload_file.name
            default_format = "json" if PurePath(filename).suffix.lower() == ".json" else "csv"
            source, size, fields = upload_file, upload_file.size, {**params.dict(), **body.dict()}
        try:
            upload = upload_submit(
                organisation=organisation,
                user=request.user,
                filename=filename,
                source=source,
                size_bytes=size,
                file_format=fields.get("format") or default_format,
                on_conflict=fields.get("on_conflict", ""),
            )
        except UploadActionError as error:
            return _action_failed(error)
        return upload_response(request, upload, created=True)


class UploadDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="usage_uploads_retrieve",
        summary="One upload: status, progress, errors, proposals",
        tags=[TAG],
        parameters=[SLUG, UPLOAD_ID],
        responses={200: UploadSerializer},
    )
    def get(self, request, slug: str, upload_id: int):
        organisation, _ = require_role(request.user, slug, Role.VIEWER)
        upload = _upload(organisation, upload_id)
        conflicts = upload_conflicts(upload) if upload.status == Status.NEEDS_DECISION else []
        return Response(
            UploadSerializer(upload, context={"request": request, "conflicts": {upload.pk: conflicts}}).data
        )


class UploadConfirmApi(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="usage_uploads_confirm",
        summary="Confirm the catalogue model of each proposed name",
        tags=[TAG],
        parameters=[SLUG, UPLOAD_ID],
        request=ConfirmSerializer,
        responses=ACTION_RESPONSES,
    )
    def post(self, request, slug: str, upload_id: int):
        organisation, _ = require_role(request.user, slug, Role.ANALYST)
        upload = _upload(organisation, upload_id)
        serializer = ConfirmSerializer(data=request.data)
        if not serializer.is_valid():
            message = "mapping: give an object of name in the file -> catalogue slug."
            return problem(message, [RowError(None, "mapping", message)], 400)
        try:
            upload = upload_confirm(upload=upload, mapping=serializer.validated_data["mapping"])
        except UploadActionError as error:
            return _action_failed(error)
        return upload_response(request, upload)


class UploadDecideApi(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="usage_uploads_decide",
        summary="Replace the months' usage, or merge with it",
        tags=[TAG],
        parameters=[SLUG, UPLOAD_ID],
        request=DecideSerializer,
        responses=ACTION_RESPONSES,
    )
    def post(self, request, slug: str, upload_id: int):
        organisation, _ = require_role(request.user, slug, Role.ANALYST)
        upload = _upload(organisation, upload_id)
        if not isinstance(request.data, dict):
            raise ValidationError({"on_conflict": 'Send an object: {"on_conflict": "replace"} or "merge".'})
        body = DecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)  # 400 naming on_conflict
        try:
            upload = upload_decide(upload=upload, on_conflict=body.validated_data["on_conflict"])
        except UploadActionError as error:
            return _action_failed(error)
        return upload_response(request, upload)


class UploadCancelApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="usage_uploads_cancel",
        summary="Cancel an upload that is not finished",
        tags=[TAG],
        parameters=[SLUG, UPLOAD_ID],
        request=None,
        responses={
            200: UploadSerializer,
            400: UploadProblemSerializer,
            403: UPLOAD_RESPONSES[403],
            404: UPLOAD_RESPONSES[404],
        },
    )
    def post(self, request, slug: str, upload_id: int):
        organisation, _ = require_role(request.user, slug, Role.ANALYST)
        upload = _upload(organisation, upload_id)
        try:
            upload = upload_cancel(upload=upload)
        except UploadActionError as error:
            return _action_failed(error)
        return Response(UploadSerializer(upload, context={"request": request}).data)
