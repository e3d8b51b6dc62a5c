"""A database outage answers 503 with Retry-After, briefly and in the client's language, never a traceback.

Django would answer 500 and log a stack for every request while PostgreSQL restarts. The connection is
closed so the next request opens a fresh one (``conn_health_checks`` also checks it before reuse).
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5
MESSAGE = "The database is unavailable for a moment. Please retry shortly."


def _connection_lost(exception: Exception) -> bool:
    """Operational/interface errors mean the server or the link is gone; other database errors are bugs."""
    if isinstance(exception, OperationalError | InterfaceError):
        return True
    return isinstance(exception, DatabaseError) and "connection" in str(exception).lower()


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not _connection_lost(exception):
            return None
        logger.warning("database unavailable during %s %s: %s", request.method, request.path, exception)
        for connection in connections.all(initialized_only=True):
            connection.close_if_unusable_or_obsolete()
        if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
            response = JsonResponse({"detail": MESSAGE, "errors": []}, status=503)
        else:
            response = HttpResponse(
                f"<!doctype html><title>Unavailable</title><h1>Back in a moment</h1><p>{MESSAGE}</p>",
                status=503, content_type="text/html; charset=utf-8",
            )  # fmt: skip
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


class RejectNulCharactersMiddleware:
    """API: 400 for a NUL character in the address, the query string or a JSON body, before any view sees it.

    No name, slug or value of this application contains one, and PostgreSQL cannot store one in text: left in,
    it turns a lookup into a database error (a 500) instead of a clear refusal. The answer names the parameter
    or JSON field that holds it. Uploaded files are checked by the ingestion, row by row; bodies are only read
    here when JSON and within Django's in-memory size limit.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        found = self._nul_in(request) if request.path.startswith("/api/") else None  # pages' forms refuse NULs
        if found is None:
            return self.get_response(request)
        field, where = found
        message = f"{field or where}: contains a NUL character (byte 0), which no value here can hold."
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message, "errors": [{"field": field, "message": message}]}, status=400)
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")

    @staticmethod
    def _nul_in(request) -> tuple[str | None, str] | None:
        if "\x00" in request.path:
            return None, "address"
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return key.replace("\x00", ""), "query string"
        length = request.META.get("CONTENT_LENGTH") or "0"
        if request.content_type != "application/json" or not length.isdigit():
            return None
        if not 0 < int(length) <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return None
        if b"\\u0000" not in request.body and b"\x00" not in request.body:
            return None
        try:
            return _nul_path(json.loads(request.body)), "request body"
        except ValueError:  # not JSON: the parser will say so
            return None


def _nul_path(value, path: str = "") -> str | None:
    """The JSON path (``a.b``, ``records[0].model``) of the first key or string holding a NUL."""
    if isinstance(value, str):
        return path or None if "\x00" in value else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, item in items:
        inner = f"{path}[{key}]" if isinstance(key, int) else (f"{path}.{key}" if path else str(key))
        if isinstance(key, str) and "\x00" in key:
            return inner.replace("\x00", "")
        found = _nul_path(item, inner)
        if found:
            return found
    return None
