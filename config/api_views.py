"""The API's own endpoints that belong to no app: a ping for clients and load tests (no database, no auth)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from emissions.engine import METHODOLOGY_VERSION


class PingApi(APIView):
    """Answers without touching the database: the ceiling of what the server can do per request."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="ping",
        tags=["service"],
        summary="Ping",
        description="Whether the API answers, and the methodology version its footprints follow. No database read.",
        responses=inline_serializer(
            "Ping", {"ok": serializers.BooleanField(), "methodology_version": serializers.CharField()}
        ),
        examples=[OpenApiExample("Up", value={"ok": True, "methodology_version": METHODOLOGY_VERSION})],
    )
    def get(self, request):
        return Response({"ok": True, "methodology_version": METHODOLOGY_VERSION})
