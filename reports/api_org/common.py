"""What every organisation API view shares: the role check, pages, the error responses the schema documents, the
slug parameter, a JSON parser that lets NaN through to the checks, and downloads that answer errors in JSON."""

from __future__ import annotations

import datetime as dt

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from rest_framework import exceptions
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated

from config.api_errors import ErrorSerializer, error_body
from emissions.api.common import API_AUTHENTICATION, EXAMPLE_HOST, Pages
from reports.kpis.periods import parse_month
from reports.models import Membership, Organisation, Role
from reports.permissions import require_role

TAG = "organisations"
ORG_EXAMPLE = f"{EXAMPLE_HOST}/api/v1/orgs/acme"

ERROR_DESCRIPTIONS = {
    400: "Bad input: each problem names its field (records[i].column for records).",
    401: "Not signed in: send `Authorization: Bearer aif_…` (or use a session).",
    403: "A member whose role does not allow this (viewer < analyst < admin).",
    404: "No such organisation, or you are not a member of it; or no such object in it.",
    409: "Usage already exists for some months: send on_conflict (replace or merge).",
}
ROLE_MESSAGE = "This needs the analyst role in Acme."
ERROR_EXAMPLES = {
    403: {"detail": ROLE_MESSAGE, "errors": [{"field": None, "message": ROLE_MESSAGE}]},
    404: {"detail": "No such organisation.", "errors": [{"field": None, "message": "No such organisation."}]},
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """Schema entries for the error statuses an operation can answer, all with the one error body."""
    return {code: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code]) for code in codes}


def error_example(code: int) -> OpenApiExample:
    """An example of a 403 (role too low) or 404 (not a member) answer."""
    name = {403: "Role too low", 404: "Not a member"}[code]
    return OpenApiExample(name, value=ERROR_EXAMPLES[code], response_only=True, status_codes=[str(code)])


SLUG = OpenApiParameter(
    "slug", str, OpenApiParameter.PATH, description="The organisation's slug.",
    examples=[OpenApiExample("acme", value="acme")],
)  # fmt: skip


class LenientJSONParser(JSONParser):
    """JSON that may hold NaN or Infinity: they reach the checks, which name the field, instead of failing the
    whole body with a parse error that names none."""

    strict = False


class OrganisationApi(GenericAPIView):
    """A view of one organisation's data: ``self.organisation`` and ``self.membership`` are set before any
    handler runs, for the role ``roles`` gives the method (viewer for methods not listed, so outsiders get 404
    whatever they try)."""

    authentication_classes = API_AUTHENTICATION
    permission_classes = [IsAuthenticated]
    pagination_class = Pages
    roles: dict[str, str] = {"GET": Role.VIEWER}
    organisation: Organisation
    membership: Membership

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication first: anonymous callers get 401
        self.organisation, self.membership = require_role(
            request.user, kwargs["slug"], self.roles.get(request.method, Role.VIEWER)
        )

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "slug": self.kwargs.get("slug", "")}

    @property
    def schema_only(self) -> bool:
        """True while drf-spectacular builds the schema (no request, no organisation)."""
        return getattr(self, "swagger_fake_view", False)


class ErrorsInJson(BaseContentNegotiation):
    """Downloads (CSV, PDF) answer their errors in JSON whatever the client accepts: the file itself is not
    rendered by DRF, so ``Accept: text/csv`` must not turn a 404 into a 406."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def months_param(values: list[str], name: str = "month") -> list[dt.date]:
    """Months given as ``YYYY-MM`` (a repeated query parameter); a 400 naming the parameter otherwise."""
    months, problems = [], []
    for text in values:
        try:
            months.append(parse_month(text))
        except ValueError as exc:
            problems.append(str(exc))
    if problems:
        raise exceptions.ValidationError({name: problems})
    return months


def problem_body(field: str | None, message: str) -> dict:
    """The one error body, for responses a view builds itself (a 409 that also lists the months)."""
    return error_body({field: message} if field else message)
