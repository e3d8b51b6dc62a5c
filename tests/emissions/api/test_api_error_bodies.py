"""config/api_errors.py: every 4xx of the API has one body, {"detail", "errors": [{"field", "message"}]}, whatever
raised it: a serializer, a filter set, a service's Django ValidationError, a 404, a permission, the wrong method."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from rest_framework import exceptions

from config.api_errors import api_exception_handler, error_body
from tests.emissions.api.api_helpers import problems


def handled(exc: Exception):
    return api_exception_handler(exc, {"view": None, "request": None})


def test_nested_errors_are_flattened_with_their_path():
    body = error_body({"ranges": {"energy_kwh": ["Too short."]}, "items": [{}, {"value": ["Bad."]}],
                       "non_field_errors": ["Inconsistent."]})  # fmt: skip
    assert body["errors"] == [
        {"field": "ranges.energy_kwh", "message": "Too short."},
        {"field": "items[1].value", "message": "Bad."},
        {"field": None, "message": "Inconsistent."},
    ]
    assert body["detail"] == "ranges.energy_kwh: Too short. items[1].value: Bad. Inconsistent."


def test_a_plain_message_has_no_field_and_detail_ends_every_sentence():
    assert error_body("Not found") == {"detail": "Not found.", "errors": [{"field": None, "message": "Not found"}]}


def test_a_services_validation_error_is_a_400_naming_its_fields():
    response = handled(ValidationError({"valid_from": "Overlaps factor #3.", "__all__": "Also this."}))
    assert response.status_code == 400
    assert response.data["errors"] == [{"field": "valid_from", "message": "Overlaps factor #3."},
                                       {"field": None, "message": "Also this."}]  # fmt: skip


def test_a_message_only_validation_error_is_a_400_without_a_field():
    response = handled(ValidationError("The engine cannot use this."))
    assert (response.status_code, response.data["errors"]) == (
        400,
        [{"field": None, "message": "The engine cannot use this."}],
    )


@pytest.mark.parametrize(
    "exc, status",
    [
        (Http404("No such thing."), 404),
        (PermissionDenied("Curators only."), 403),
        (exceptions.NotAuthenticated(), 401),
        (exceptions.Throttled(30), 429),
    ],
)
def test_djangos_and_drfs_errors_keep_their_status_and_get_the_body(exc, status):
    response = handled(exc)
    assert response.status_code == status
    assert set(response.data) == {"detail", "errors"} and response.data["errors"][0]["field"] is None
    if status == 429:
        assert response["Retry-After"] == "30"


def test_anything_else_is_left_to_django_as_a_500():
    assert handled(RuntimeError("bug")) is None


@pytest.mark.django_db
@pytest.mark.parametrize("method, url, kwargs, status", [
    ("delete", "/api/v1/vendors/", {}, 405),
    ("post", "/api/v1/estimates/inference", {"data": "model=x", "content_type": "text/plain"}, 415),
    ("get", "/api/v1/vendors/", {"HTTP_ACCEPT": "application/xml"}, 406),
    ("get", "/api/v1/vendors/", {"HTTP_AUTHORIZATION": "Bearer aif_nope_nope"}, 401),
])  # fmt: skip
def test_protocol_errors_have_the_same_body(api, method, url, kwargs, status):
    response = getattr(api, method)(url, **kwargs)
    assert response.status_code == status
    assert problems(response)[None]
