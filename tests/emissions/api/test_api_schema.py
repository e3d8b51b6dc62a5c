"""The OpenAPI schema (/api/schema/) validates with no warning and documents every public and curation operation
(summary, description, tag, example, error body); Swagger UI (/api/docs/) works offline on our static files."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db

OUR_TAGS = {"catalogue", "factors", "rankings", "footprints", "labels", "estimates", "curation"}
OUR_ROUTES = {  # operation id: (method, path)
    "vendors_list": ("get", "/api/v1/vendors/"), "vendors_retrieve": ("get", "/api/v1/vendors/{slug}/"),
    "models_list": ("get", "/api/v1/models/"), "models_retrieve": ("get", "/api/v1/models/{vendor}/{model}/"),
    "accelerators_list": ("get", "/api/v1/accelerators/"),
    "accelerators_retrieve": ("get", "/api/v1/accelerators/{slug}/"),
    "regions_list": ("get", "/api/v1/regions/"), "regions_retrieve": ("get", "/api/v1/regions/{operator}/{code}/"),
    "zones_list": ("get", "/api/v1/zones/"), "zones_retrieve": ("get", "/api/v1/zones/{code}/"),
    "factors_list": ("get", "/api/v1/factors/"), "factors_create": ("post", "/api/v1/factors/"),
    "factors_retrieve": ("get", "/api/v1/factors/{id}/"),
    "factors_history_list": ("get", "/api/v1/factors/{id}/history/"),
    "factors_impact_retrieve": ("get", "/api/v1/factors/{id}/impact/"),
    "factors_approve": ("post", "/api/v1/factors/{id}/approve/"),
    "factors_supersede": ("post", "/api/v1/factors/{id}/supersede/"),
    "sources_list": ("get", "/api/v1/sources/"), "sources_retrieve": ("get", "/api/v1/sources/{key}/"),
    "rankings_list": ("get", "/api/v1/rankings/"), "footprints_list": ("get", "/api/v1/footprints/"),
    "models_footprints_list": ("get", "/api/v1/models/{vendor}/{model}/footprints/"),
    "labels_list": ("get", "/api/v1/labels/"), "labels_retrieve": ("get", "/api/v1/labels/{vendor}/{model}/"),
    "estimates_inference_create": ("post", "/api/v1/estimates/inference"),
    "estimates_training_create": ("post", "/api/v1/estimates/training"),
}  # fmt: skip


def our_operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if OUR_TAGS & set(operation.get("tags", [])):
                yield path, method, operation


def test_the_schema_validates_without_warnings_and_has_every_route(schema):
    assert schema["openapi"].startswith("3.")
    found = {operation["operationId"]: (method, path) for path, method, operation in our_operations(schema)}
    assert found == OUR_ROUTES


def test_every_operation_is_documented_with_an_example_and_its_errors(schema):
    for path, method, operation in our_operations(schema):
        where = f"{method.upper()} {path}"
        assert operation.get("summary") and len(operation.get("description", "")) > 20, where
        assert len(operation["tags"]) == 1, where
        examples = [
            example
            for response in operation["responses"].values()
            for example in response.get("content", {}).get("application/json", {}).get("examples", {})
        ]
        examples += list(operation.get("requestBody", {}).get("content", {}).get("application/json", {})
                         .get("examples", {}))  # fmt: skip
        assert examples, f"{where} has no example"
        assert "200" in operation["responses"] or "201" in operation["responses"], where
        for code, response in operation["responses"].items():
            if code.startswith("4"):
                assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
        for parameter in operation.get("parameters", []):
            assert parameter.get("description") or parameter["in"] == "path", (where, parameter["name"])
        if method == "post":
            assert "requestBody" in operation or operation["operationId"] in {"factors_approve", "factors_supersede"}


def test_curation_documents_the_bearer_token_and_its_401_and_403(schema):
    assert schema["components"]["securitySchemes"]["apiToken"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "aif_<prefix>_<secret>",
        "description": schema["components"]["securitySchemes"]["apiToken"]["description"],
    }  # fmt: skip
    for path, method, operation in our_operations(schema):
        if operation["tags"] == ["curation"]:
            assert {"401", "403"} <= set(operation["responses"]), f"{method} {path}"
            assert {} not in operation["security"], "curation is never anonymous"


def test_the_schema_is_served(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert "/api/v1/estimates/inference" in response.json()["paths"]


def test_swagger_ui_references_only_our_own_static_files(client):
    response = client.get("/api/docs/")
    page = response.content.decode()
    assert response.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets and all(url.startswith(("/static/", "/api/")) for url in assets), assets
    for url in assets:
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), f"{url} is not a file we serve"
    script = client.get("/api/docs/?script=").content.decode()
    assert not re.search(r"https?://", page + script), "nothing is fetched from another site"
    assert '"validatorUrl": null' in script  # the swagger.io validator badge is off


BROWSABLE = ["/api/v1/vendors/", "/api/v1/vendors/google/", "/api/v1/models/", "/api/v1/models/meta/llama-3.1-8b/",
             "/api/v1/accelerators/", "/api/v1/regions/gcp/us-east4/", "/api/v1/zones/FRA/", "/api/v1/factors/",
             "/api/v1/sources/", "/api/v1/rankings/", "/api/v1/footprints/",
             "/api/v1/models/meta/llama-3.1-8b/footprints/", "/api/v1/labels/", "/api/v1/labels/meta/llama-3.1-8b/",
             "/api/v1/estimates/inference"]  # fmt: skip


@pytest.mark.parametrize("url", BROWSABLE)
def test_a_browser_gets_the_browsable_api_page(client, catalogue, curator, url):
    client.force_login(curator)  # signed in: the page also renders the forms of what the user may post
    response = client.get(url, HTTP_ACCEPT="text/html")
    assert response["Content-Type"].startswith("text/html")
    assert response.status_code == (405 if "estimates" in url else 200)
