"""Plumbing every /api/v1/ view shares: strict ordering and boolean filters, pages, permissions, authentication
order, the error responses and Bearer-token scheme the schema documents, links, and finite numbers.

Public reads allow anyone; curation requires a Django permission. The token authenticator comes first, so an
anonymous curation request or a bad token gets 401 with ``WWW-Authenticate: Bearer`` (DRF answers 403 when the
first authenticator, the session one of the project defaults, names no scheme).
"""

from __future__ import annotations

import functools
from urllib.parse import quote

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import get_script_prefix
from django.urls import reverse as django_reverse
from django.utils.http import RFC3986_SUBDELIMS
from django_filters import rest_framework as filters
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny, BasePermission

from config.api_errors import ErrorSerializer
from reports.authentication import ApiTokenAuthentication

EXAMPLE_HOST = "https://aifootprint.example"  # the host of links in schema examples (a reserved example name)

# -- errors --------------------------------------------------------------------------------------------------------

ERROR_DESCRIPTIONS = {
    400: "Bad input: each problem names its field.",
    401: "Not signed in: send `Authorization: Bearer aif_…` (or use a session).",
    403: "Signed in, without the permission this needs.",
    404: "Nothing with that identifier (or page).",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """Schema entries for the error statuses an operation can answer, all with the one error body."""
    return {code: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code]) for code in codes}


def not_found(field: str, message: str) -> exceptions.NotFound:
    """A 404 whose error names the path parameter that matched nothing."""
    return exceptions.NotFound({field: message})


def unknown(noun: str, example: str) -> dict:
    """django-filter error messages for an identifier that matches nothing, with an example of a good one."""
    return {"invalid_choice": f"Unknown {noun} “%(value)s”: use {example}."}


def choice_messages(noun: str, choices) -> dict:
    listed = ", ".join(str(value) for value, _ in choices)
    return {"invalid_choice": f"Unknown {noun} “%(value)s”: use one of {listed}."}


# -- filters -------------------------------------------------------------------------------------------------------


class StrictBooleanField(forms.Field):
    """true/false (or 1/0); anything else is an error, where django-filter would silently ignore it."""

    widget = forms.TextInput
    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        found = self.VALUES.get(str(value).strip().lower())
        if found is None:
            raise DjangoValidationError(f"Use true or false, got “{value}”.", code="invalid")
        return found


class StrictBooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


class StrictOrderingFilter(OrderingFilter):
    """``?ordering=`` with public names (the view's ``ordering_map``: name -> ORM path); unknown names are a 400.

    DRF's own filter drops unknown names silently, so a typo would look like a working sort.
    """

    def get_ordering(self, request, queryset, view):
        raw = request.query_params.get(self.ordering_param)
        if not raw:
            return self.get_default_ordering(view)
        mapping = view.ordering_map
        ordering = []
        for term in (part.strip() for part in raw.split(",")):
            name = term.removeprefix("-")
            if name not in mapping:
                listed = ", ".join(mapping)
                raise exceptions.ValidationError(
                    {self.ordering_param: f"Cannot order by “{name}”: use {listed} (prefix - for descending)."}
                )
            ordering.append(("-" if term.startswith("-") else "") + mapping[name])
        return [*ordering, *self.get_default_ordering(view)]  # the default breaks ties: pages stay stable

    def get_schema_operation_parameters(self, view):
        names = list(view.ordering_map)
        return [{
            "name": self.ordering_param, "required": False, "in": "query",
            "description": f"Sort by {', '.join(names)}; prefix - for descending; several, comma separated.",
            "schema": {"type": "string"}, "example": f"-{names[0]}",
        }]  # fmt: skip


LIST_FILTER_BACKENDS = [filters.DjangoFilterBackend, StrictOrderingFilter]


class Pages(PageNumberPagination):
    """The project's page-number pagination (PAGE_SIZE a page), with an out-of-range page named as ``page``."""

    invalid_page_message = "Page “{page_number}” does not exist: {message}."

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound as exc:
            raise exceptions.NotFound({self.page_query_param: str(exc.detail)}) from None


# -- who may do what -----------------------------------------------------------------------------------------------


def requires_permission(permission: str) -> type[BasePermission]:
    """A DRF permission class: the user holds this Django permission (e.g. ``emissions.add_emissionfactor``)."""

    class HasPermission(BasePermission):
        message = f"This needs the permission {permission}."

        def has_permission(self, request, view) -> bool:
            return bool(request.user and request.user.is_authenticated and request.user.has_perm(permission))

    HasPermission.__name__ = f"Has_{permission.replace('.', '_')}"
    return HasPermission


# Tokens first, so a missing or bad credential is a 401 with a WWW-Authenticate header, not a 403.
API_AUTHENTICATION = [ApiTokenAuthentication, SessionAuthentication]


class PublicReadMixin:
    """Anyone may read: the catalogue, factors and footprints are public."""

    authentication_classes = API_AUTHENTICATION
    permission_classes = [AllowAny]
    pagination_class = Pages


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Documents the personal API tokens (reports.authentication) as HTTP Bearer auth."""

    target_class = "reports.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "aif_<prefix>_<secret>",
                "description": "A personal API token from your account page or `manage.py api_token`."}  # fmt: skip


# -- links ---------------------------------------------------------------------------------------------------------


# Stand-ins for route arguments: digits satisfy every converter the API's routes use (slug, model part, int, str).
ARGUMENT_STAND_INS = ("7303900001", "7303900002")
PATH_SAFE = RFC3986_SUBDELIMS + "/~:@"  # what Django's reverse() leaves unquoted


@functools.cache
def route_template(view_name: str, arity: int, script_prefix: str) -> str:
    """A route's path with ``{0}``, ``{1}`` where its arguments go: reverse() once per route, not once per link
    (a page of 50 models carries 250 links, and reverse() was a third of its time)."""
    path = django_reverse(view_name, args=ARGUMENT_STAND_INS[:arity])
    for index, stand_in in enumerate(ARGUMENT_STAND_INS[:arity]):
        path = path.replace(stand_in, f"{{{index}}}")
    return path


@extend_schema_field(OpenApiTypes.URI)
class LinkField(serializers.Field):
    """An absolute link to a named route, its arguments taken from the object (``args_of(obj)``)."""

    def __init__(self, view_name: str, args_of, **kwargs):
        self.view_name, self.args_of = view_name, args_of
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value) -> str:
        args = [quote(str(arg), safe=PATH_SAFE) for arg in self.args_of(value)]
        path = route_template(self.view_name, len(args), get_script_prefix()).format(*args)
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


def model_args(model) -> list[str]:
    """Route arguments of a model: its slug's vendor and model parts (``google/gemini-2.5-pro``)."""
    return model.slug.split("/", 1)


# -- numbers -------------------------------------------------------------------------------------------------------


class FiniteFloatField(serializers.FloatField):
    """A JSON number (or a numeric string): never NaN, Infinity or a boolean, which DRF would read as 1 or 0."""

    default_error_messages = {
        "invalid": "A finite number is required (NaN and Infinity are not numbers).",
        "boolean": "A number is required, not true or false.",
    }

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("boolean")
        return super().to_internal_value(data)
