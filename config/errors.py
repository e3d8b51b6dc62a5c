"""Not-found answers: the API's JSON error body under /api/, the site's page everywhere else."""

from __future__ import annotations

from django.http import JsonResponse
from django.views.defaults import page_not_found


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        message = f"Nothing at {request.path}: see /api/docs/ for the operations."
        return JsonResponse({"detail": message, "errors": [{"field": None, "message": message}]}, status=404)
    return page_not_found(request, exception)
