"""The API's error bodies: one shape for every 4xx, each problem naming the field it is about.

    {"detail": "output_tokens: Ensure this value is greater than or equal to 0.",
     "errors": [{"field": "output_tokens", "message": "Ensure this value is greater than or equal to 0."}]}

``field`` is the request field, query parameter or path parameter at fault (nested ones joined with ``.``, list
items as ``[i]``), or null when the problem is not about one field (not found, not allowed, malformed JSON).
``detail`` repeats every problem in one line, so a client that reads only ``detail`` still learns which field.

Services raise Django's ``ValidationError`` (their message dicts name fields); it becomes a 400 here, so API views
call services without translating their errors. Wired as ``REST_FRAMEWORK["EXCEPTION_HANDLER"]``.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

NON_FIELD_KEYS = {api_settings.NON_FIELD_ERRORS_KEY, NON_FIELD_ERRORS}


def _problems(detail, field: str | None = None) -> Iterator[tuple[str | None, str]]:
    """(field, message) pairs of a DRF error detail, however deeply serializers nested it."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key in NON_FIELD_KEYS:
                yield from _problems(value, field)
            else:
                yield from _problems(value, f"{field}.{key}" if field else str(key))
    elif isinstance(detail, list | tuple):
        for index, item in enumerate(detail):
            nested = isinstance(item, dict | list | tuple)
            yield from _problems(item, f"{field}[{index}]" if nested and field else field)
    else:
        yield field, str(detail)


def error_body(detail) -> dict:
    """The body of an error response from a DRF error detail (a message, a list or a dict of them)."""
    errors = [{"field": field, "message": message} for field, message in _problems(detail)]
    return {"detail": " ".join(_sentence(error) for error in errors), "errors": errors}


def _sentence(error: dict) -> str:
    """One problem in ``detail``: prefixed with its field, ending with a full stop so problems read apart."""
    text = error["message"] if error["message"].endswith((".", "?", "!")) else error["message"] + "."
    return f"{error['field']}: {text}" if error["field"] else text


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's handler (status, WWW-Authenticate, Retry-After, rollback), with the body in the shape above."""
    if isinstance(exc, RequestDataTooBig):
        limit = f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes"
        body = error_body(f"The request body is larger than {limit}; upload files as multipart form data.")
        return Response(body, status=413)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=serializers.as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = exception_handler(exc, context)
    if response is None:  # not an API error: a 500, left to Django
        return None
    response.data = error_body(exc.detail)
    return response


class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True, help_text="The field or parameter at fault; null: the request.")
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    """What every 4xx response carries (for the OpenAPI schema)."""

    detail = serializers.CharField(help_text="Every problem in one line, each prefixed with its field.")
    errors = ErrorItemSerializer(many=True)
