"""The usage-upload API: uploads as multipart or as the raw body, CSV, JSON or an OpenAI export; the status says
what happens next (201 written, 202 queued or to confirm, 400 rejected with every error's row and column, 409 a
decision needed, 413 too large); confirm and decide; roles (viewers read, outsiders 404) on every endpoint."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from reports.ingest import limits
from reports.models import UsageRecord, UsageUpload
from tests.reports.ingest.support import DatabaseState, add_openai_models, csv_bytes, rollup_sums, submit

pytestmark = pytest.mark.django_db

Status = UsageUpload.Status
ROWS = [
    ["2025-01", "meta/llama-3.1-8b", "gcp/us-east4", 1000, 800_000, 300_000],
    ["2025-02", "google/gemini-test", "", 700, 560_000, 210_000],
]
LIST = reverse("api-usage-upload-list", args=["acme"])


@pytest.fixture
def api(people, usage_catalogue):
    client = APIClient()
    client.force_authenticate(people.analyst)
    return client


def detail_urls(upload_id: int) -> dict[str, tuple[str, str]]:
    args = ["acme", upload_id]
    return {
        name: (
            method,
            reverse(f"api-usage-upload-{name}" if name != "detail" else "api-usage-upload-detail", args=args),
        )
        for name, method in (("detail", "get"), ("confirm", "post"), ("decide", "post"), ("cancel", "post"))
    }


def post_csv(api, content: bytes, query: str = ""):
    return api.generic("POST", LIST + query, content, content_type="text/csv")


# -- uploading -----------------------------------------------------------------------------------------------------


def test_a_multipart_csv_is_written_and_answered_201_with_the_upload(api, people):
    response = api.post(LIST, {"file": SimpleUploadedFile("jan.csv", csv_bytes(ROWS))}, format="multipart")
    assert response.status_code == 201, response.json()
    body = response.json()
    upload = UsageUpload.objects.get()
    assert body["id"] == upload.pk and body["status"] == "done" and body["records_created"] == 2
    assert body["filename"] == "jan.csv" and body["format"] == "csv" and body["tier_counts"] == {"token": 2}
    assert body["url"].endswith(reverse("api-usage-upload-detail", args=["acme", upload.pk]))
    assert body["page_url"].endswith(reverse("org-usage-upload", args=["acme", upload.pk]))
    assert body["uploaded_by"] == people.analyst.username and body["errors"] == [] and body["error_count"] == 0


def test_a_raw_csv_body_and_a_raw_json_body_are_accepted(api, people):
    assert post_csv(api, csv_bytes(ROWS[:1]), "?filename=jan.csv").status_code == 201
    records = [{"month": "2025-02", "model": "google/gemini-test", "requests": 7}]
    response = api.generic("POST", LIST, json.dumps(records), content_type="application/json")
    assert response.status_code == 201 and response.json()["format"] == "json"
    assert list(UsageUpload.objects.order_by("pk").values_list("filename", "format")) == [
        ("jan.csv", "csv"),
        ("api-upload.json", "json"),
    ]
    assert UsageRecord.objects.get(month="2025-02-01").requests == 7


def test_an_openai_export_is_read_with_the_format_parameter(api, people, usage_catalogue):
    add_openai_models(usage_catalogue)
    page = {
        "object": "page",
        "has_more": False,
        "next_page": None,
        "data": [
            {
                "object": "bucket",
                "start_time": 1738368000,
                "end_time": 1738454400,  # 2025-02-01 00:00 UTC
                "results": [
                    {
                        "object": "organization.usage.completions.result",
                        "model": "gpt-4o-mini-2024-07-18",
                        "num_model_requests": 3,
                        "input_tokens": 30,
                        "output_tokens": 9,
                        "input_cached_tokens": 10,
                    }
                ],
            }
        ],
    }
    response = api.generic("POST", LIST + "?format=openai-usage", json.dumps(page), content_type="application/json")
    assert response.status_code == 201, response.json()
    record = UsageRecord.objects.get()
    assert (record.ai_model.slug, str(record.month), record.requests, record.input_tokens) == (
        "openai/gpt-4o-mini",
        "2025-02-01",
        3,
        30,
    )


def test_a_rejected_file_answers_400_with_each_errors_row_and_column(api, people):
    bad = [*ROWS, ["2025-03", "google/gemini-test", "", "1.5", "", ""]]
    response = post_csv(api, csv_bytes(bad))
    body = response.json()
    assert response.status_code == 400 and body["error_count"] == 1
    assert body["errors"] == [
        {
            "row": 4,
            "column": "requests",
            "field": "requests",
            "message": "“1.5” is not a whole number: counts have no fractional part.",
        }
    ]
    assert "nothing was written" in body["detail"] and body["upload"]["status"] == "rejected"
    assert not UsageRecord.objects.exists()


def test_over_the_size_or_row_limit_answers_413(api, people, monkeypatch):
    before = DatabaseState.of(people.organisation)
    monkeypatch.setattr(limits, "MAX_ROWS", 1)
    response = post_csv(api, csv_bytes(ROWS))
    assert response.status_code == 413 and "more than 1 rows" in response.json()["errors"][0]["message"]
    monkeypatch.setattr(limits, "MAX_ROWS", 1_000_000)
    monkeypatch.setattr(limits, "MAX_BYTES", 50)
    response = api.post(LIST, {"file": SimpleUploadedFile("big.csv", csv_bytes(ROWS))}, format="multipart")
    assert (
        response.status_code == 413
        and "the limit is" in response.json()["detail"] + response.json()["errors"][0]["message"]
    )
    assert post_csv(api, csv_bytes(ROWS)).status_code == 413  # a raw body: over Content-Length, never read
    assert DatabaseState.of(people.organisation) == before


def test_a_month_with_usage_answers_409_listing_the_months_then_decide_merges(api, people):
    post_csv(api, csv_bytes(ROWS))
    before = DatabaseState.of(people.organisation)
    response = post_csv(api, csv_bytes(ROWS[1:]))
    body = response.json()
    assert response.status_code == 409 and body["months"] == ["2025-02"]
    assert body["errors"][0]["column"] == "on_conflict" and body["upload"]["conflicting_months"] == ["2025-02"]
    assert DatabaseState.of(people.organisation) == before
    decided = api.post(
        reverse("api-usage-upload-decide", args=["acme", body["upload"]["id"]]), {"on_conflict": "merge"}, format="json"
    )
    assert decided.status_code == 200 and decided.json()["status"] == "done"
    assert rollup_sums(people.organisation, month="2025-02-01")["requests"] == 2 * 700


def test_on_conflict_replace_given_upfront_replaces_without_asking(api, people):
    post_csv(api, csv_bytes(ROWS))
    response = post_csv(api, csv_bytes([["2025-02", "google/gemini-test", "", 1, 1, 1]]), "?on_conflict=replace")
    assert response.status_code == 201 and response.json()["records_replaced"] == 1
    assert rollup_sums(people.organisation, month="2025-02-01")["requests"] == 1


def test_a_bad_decision_or_format_is_a_400_naming_the_field(api, people):
    response = post_csv(api, csv_bytes(ROWS), "?on_conflict=overwrite")
    assert response.status_code == 400 and response.json()["errors"][0]["column"] == "on_conflict"
    response = post_csv(api, csv_bytes(ROWS), "?format=xlsx")
    assert response.status_code == 400 and response.json()["errors"][0]["column"] == "format"
    response = api.post(LIST, {"format": "csv"}, format="multipart")
    assert response.status_code == 400 and response.json()["errors"][0]["column"] == "file"
    assert api.generic("POST", LIST, b"x", content_type="application/xml").status_code == 415
    assert not UsageUpload.objects.exists()


def test_close_names_answer_202_with_proposals_and_confirm_writes(api, people):
    response = post_csv(api, csv_bytes([["2025-01", "Gemini Tset", "", 10, 100, 10]]))
    body = response.json()
    assert response.status_code == 202 and body["proposals"] == [
        {"name": "Gemini Tset", "proposed": "google/gemini-test"}
    ]
    url = reverse("api-usage-upload-confirm", args=["acme", body["id"]])
    wrong = api.post(url, {"mapping": {"Gemini Tset": "nope/none", "Other": "google/gemini-test"}}, format="json")
    assert wrong.status_code == 400
    assert {(e["column"], e["message"]) for e in wrong.json()["errors"]} == {
        ("Gemini Tset", "“nope/none” is not a catalogue model slug."),
        ("Other", "“Other” is not a model name of this file waiting for confirmation."),
    }
    done = api.post(url, {"mapping": {"Gemini Tset": "google/gemini-test"}}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert UsageRecord.objects.get().ai_model.slug == "google/gemini-test"
    assert api.post(url, {"mapping": {"Gemini Tset": "google/gemini-test"}}, format="json").status_code == 400


def test_a_large_upload_answers_202_queued(api, people, monkeypatch):
    monkeypatch.setattr(limits, "QUEUE_THRESHOLD_ROWS", 1)
    response = post_csv(api, csv_bytes(ROWS))
    assert response.status_code == 202 and response.json()["status"] == "queued"


def test_the_list_pages_uploads_newest_first_and_the_detail_shows_one(api, people):
    first = submit(people, csv_bytes(ROWS[:1]))
    second = submit(people, b"")
    body = api.get(LIST).json()
    assert body["count"] == 2 and [u["id"] for u in body["results"]] == [second.pk, first.pk]
    detail = api.get(reverse("api-usage-upload-detail", args=["acme", second.pk])).json()
    assert detail["status"] == "rejected" and detail["error_count"] == 1 and detail["errors"][0]["row"] is None


def test_cancel_stops_a_waiting_upload(api, people):
    post_csv(api, csv_bytes(ROWS))
    waiting = post_csv(api, csv_bytes(ROWS)).json()["upload"]
    response = api.post(reverse("api-usage-upload-cancel", args=["acme", waiting["id"]]))
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert api.post(reverse("api-usage-upload-cancel", args=["acme", waiting["id"]])).status_code == 400


# -- roles -----------------------------------------------------------------------------------------------------------


def test_viewers_read_but_get_403_on_every_write(people, usage_catalogue):
    upload = submit(people, csv_bytes(ROWS))
    client = APIClient()
    client.force_authenticate(people.viewer)
    assert client.get(LIST).status_code == 200
    assert client.generic("POST", LIST, csv_bytes(ROWS), content_type="text/csv").status_code == 403
    for name, (method, url) in detail_urls(upload.pk).items():
        expected = 200 if method == "get" else 403
        assert getattr(client, method)(url, {}, format="json").status_code == expected, name
    assert UsageUpload.objects.count() == 1


def test_outsiders_get_404_and_anonymous_clients_403_on_every_endpoint(people, usage_catalogue):
    upload = submit(people, csv_bytes(ROWS))
    endpoints = {"list": ("get", LIST), "create": ("post", LIST), **detail_urls(upload.pk)}
    outsider = APIClient()
    outsider.force_authenticate(people.outsider)
    anonymous = APIClient()
    for name, (method, url) in endpoints.items():
        assert getattr(outsider, method)(url, {}, format="json").status_code == 404, name
        assert getattr(anonymous, method)(url, {}, format="json").status_code in (401, 403), name
    missing = reverse("api-usage-upload-detail", args=["acme", upload.pk + 1000])
    admin = APIClient()
    admin.force_authenticate(people.admin)
    assert admin.get(missing).status_code == 404
