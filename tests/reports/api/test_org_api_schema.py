"""The organisation API in the OpenAPI schema: it validates with no warning, and every operation is tagged
"organisations" and documented (operation id, summary, description, described parameters, an example, the
error responses with the one error body)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

TAG = "organisations"
ORG = "/api/v1/orgs/{slug}"
OPERATIONS = {  # operation id: (method, path)
    "org_usage_records_list": ("get", f"{ORG}/usage/records/"),
    "org_usage_records_create": ("post", f"{ORG}/usage/records/"),
    "org_usage_records_delete_months": ("delete", f"{ORG}/usage/records/"),
    "org_usage_records_retrieve": ("get", f"{ORG}/usage/records/{{record_id}}/"),
    "org_usage_records_destroy": ("delete", f"{ORG}/usage/records/{{record_id}}/"),
    "org_footprints_list": ("get", f"{ORG}/footprints/"),
    "org_kpis_retrieve": ("get", f"{ORG}/kpis/"),
    "org_reports_list": ("get", f"{ORG}/reports/"),
    "org_reports_create": ("post", f"{ORG}/reports/"),
    "org_reports_retrieve": ("get", f"{ORG}/reports/{{report_id}}/"),
    "org_reports_csv": ("get", f"{ORG}/reports/{{report_id}}.csv"),
    "org_reports_pdf": ("get", f"{ORG}/reports/{{report_id}}.pdf"),
    "org_reports_regenerate": ("post", f"{ORG}/reports/{{report_id}}/regenerate/"),
}


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if TAG in operation.get("tags", []):
                yield path, method, operation


def test_every_route_is_in_the_schema_under_its_operation_id(schema):
    found = {operation["operationId"]: (method, path) for path, method, operation in operations(schema)}
    assert found == OPERATIONS


def test_every_operation_is_documented_with_an_example_its_parameters_and_its_errors(schema):
    for path, method, operation in operations(schema):
        where = f"{method.upper()} {path}"
        assert operation.get("summary") and len(operation.get("description", "")) > 40, where
        assert operation["tags"] == [TAG], where
        examples = [
            name
            for part in [*operation["responses"].values(), operation.get("requestBody", {})]
            for content in part.get("content", {}).values()
            for name in content.get("examples", {})
        ]
        assert examples, f"{where} has no example"
        assert {"401", "403", "404"} <= set(operation["responses"]), where
        for code, response in operation["responses"].items():
            if code in ("400", "401", "403", "404"):
                assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
        for parameter in operation.get("parameters", []):
            assert parameter.get("description"), (where, parameter["name"])
        if method == "post" and not path.endswith("/regenerate/"):
            assert "requestBody" in operation, where


def test_the_lists_are_paged_and_the_downloads_are_files(schema):
    paths = schema["paths"]
    for path in (f"{ORG}/usage/records/", f"{ORG}/footprints/", f"{ORG}/reports/"):
        names = {p["name"] for p in paths[path]["get"]["parameters"]}
        assert "page" in names, path
    assert {"month_after", "month_before", "model", "vendor", "region", "tier", "upload", "ordering"} <= {
        p["name"] for p in paths[f"{ORG}/usage/records/"]["get"]["parameters"]
    }
    assert "409" in paths[f"{ORG}/usage/records/"]["post"]["responses"]
    assert set(paths[f"{ORG}/reports/{{report_id}}.csv"]["get"]["responses"]["200"]["content"]) == {"text/csv"}
    assert set(paths[f"{ORG}/reports/{{report_id}}.pdf"]["get"]["responses"]["200"]["content"]) == {"application/pdf"}
