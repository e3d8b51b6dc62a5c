"""A database outage answers 503 with Retry-After, briefly and in the client's language, never a traceback.

Django would answer 500 and log a stack for every request while PostgreSQL restarts. The connection is
closed so the next request opens a fresh one (``conn_health_checks`` also checks it before reuse).
"""

from __future__ import annotations

import logging

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
