"""The usage pages: who sees and does what, the upload form and its redirect, each upload's page (errors with row
and column, the confirmation and decision forms, progress), the sample CSV (which uploads as it is) and the
monthly summary read from the rollups."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.ingest import limits
from reports.models import UsageRecord, UsageUpload
from tests.reports.ingest.support import DatabaseState, add_usd_spend_factor, csv_bytes, rollup_sums, submit

pytestmark = pytest.mark.django_db

Status = UsageUpload.Status
ROWS = [
    ["2025-01", "meta/llama-3.1-8b", "gcp/us-east4", 1000, 800_000, 300_000],
    ["2025-02", "google/gemini-test", "", 700, 560_000, 210_000],
]


def post_file(client, content: bytes, file_format: str = "csv", name: str = "usage.csv"):
    url = reverse("org-usage-submit", args=["acme"])
    return client.post(url, {"file": SimpleUploadedFile(name, content), "format": file_format})


def upload_urls(upload_id: int) -> dict[str, tuple[str, str]]:
    """Every usage URL about one upload: name -> (method, url)."""
    args = ["acme", upload_id]
    return {
        "detail": ("get", reverse("org-usage-upload", args=args)),
        "progress": ("get", reverse("org-usage-upload-progress", args=args)),
        "confirm": ("post", reverse("org-usage-upload-confirm", args=args)),
        "decide": ("post", reverse("org-usage-upload-decide", args=args)),
        "cancel": ("post", reverse("org-usage-upload-cancel", args=args)),
    }


# -- who may do what ---------------------------------------------------------------------------------------------


def test_viewers_see_the_usage_page_and_the_sample_but_not_the_form(client, people, usage_catalogue):
    client.force_login(people.viewer)
    page = client.get(reverse("org-usage", args=["acme"]))
    assert page.status_code == 200 and 'enctype="multipart/form-data"' not in page.content.decode()
    assert client.get(reverse("org-usage-sample", args=["acme"])).status_code == 200
    client.force_login(people.analyst)
    assert 'enctype="multipart/form-data"' in client.get(reverse("org-usage", args=["acme"])).content.decode()


def test_viewers_get_403_on_uploading_and_on_every_upload_url(client, people, usage_catalogue):
    upload = submit(people, csv_bytes(ROWS))
    client.force_login(people.viewer)
    assert post_file(client, csv_bytes(ROWS)).status_code == 403
    for name, (method, url) in upload_urls(upload.pk).items():
        assert getattr(client, method)(url).status_code == 403, name
    assert UsageUpload.objects.count() == 1


def test_outsiders_get_404_on_every_usage_url(client, people, usage_catalogue):
    upload = submit(people, csv_bytes(ROWS))
    client.force_login(people.outsider)
    urls = {
        "usage": ("get", reverse("org-usage", args=["acme"])),
        "sample": ("get", reverse("org-usage-sample", args=["acme"])),
        "submit": ("post", reverse("org-usage-submit", args=["acme"])),
        **upload_urls(upload.pk),
    }
    for name, (method, url) in urls.items():
        assert getattr(client, method)(url).status_code == 404, name


def test_anonymous_visitors_are_sent_to_sign_in(client, people, usage_catalogue):
    response = client.get(reverse("org-usage", args=["acme"]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_an_upload_of_another_organisation_is_not_found(client, people, usage_catalogue):
    upload = submit(people, csv_bytes(ROWS))
    UsageUpload.objects.filter(pk=upload.pk).update(organisation=people.other)
    client.force_login(people.admin)
    assert client.get(reverse("org-usage-upload", args=["acme", upload.pk])).status_code == 404


# -- uploading ---------------------------------------------------------------------------------------------------


def test_uploading_redirects_to_the_uploads_page_which_says_what_was_written(client, people, usage_catalogue):
    client.force_login(people.analyst)
    response = post_file(client, csv_bytes(ROWS))
    upload = UsageUpload.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("org-usage-upload", args=["acme", upload.pk])
    page = client.get(response["Location"]).content.decode()
    assert upload.status == Status.DONE and "2 usage records from 2" in page and "Token-level" in page
    assert UsageRecord.objects.filter(upload=upload).count() == 2


def test_a_form_without_a_file_is_refused_naming_the_field(client, people, usage_catalogue):
    client.force_login(people.analyst)
    response = client.post(reverse("org-usage-submit", args=["acme"]), {"format": "csv"})
    assert response.status_code == 400 and "Usage file" in response.content.decode()
    response = post_file(client, csv_bytes(ROWS), file_format="xml")
    assert response.status_code == 400 and "xml is not one of the available choices" in response.content.decode()
    assert not UsageUpload.objects.exists()


def test_a_rejected_upload_lists_its_errors_by_row_and_column(client, people, usage_catalogue):
    client.force_login(people.analyst)
    bad = [*ROWS, ["2025-03", "google/gemini-test", "gcp/mars", "-4", "1", "1"]]
    page = client.get(post_file(client, csv_bytes(bad))["Location"]).content.decode()
    assert "The file was rejected: nothing was written" in page and "2 errors" in page
    assert '<td class="num">4</td><td><code>region</code></td><td>Unknown region “gcp/mars”' in page
    assert '<td class="num">4</td><td><code>requests</code></td><td>“-4” is negative' in page
    assert not UsageRecord.objects.exists()


def test_a_json_upload_names_records_not_rows(client, people, usage_catalogue):
    client.force_login(people.analyst)
    content = b'[{"month": "2025-01", "model": "google/gemini-test", "requests": -1}]'
    page = client.get(post_file(client, content, "json", "usage.json")["Location"]).content.decode()
    assert '<th scope="col" class="num">Record</th>' in page
    assert "-1 is negative" in page


def test_the_confirmation_form_proposes_a_model_and_confirming_writes_the_chosen_one(client, people, usage_catalogue):
    client.force_login(people.analyst)
    rows = [["2025-01", "Gemini Tset", "", 10, 100, 10]]
    detail = post_file(client, csv_bytes(rows))["Location"]
    page = client.get(detail).content.decode()
    assert '<label for="model-0">Gemini Tset</label>' in page
    assert '<option value="google/gemini-test" selected>' in page
    response = client.post(
        reverse("org-usage-upload-confirm", args=["acme", UsageUpload.objects.get().pk]),
        {"model-0": "google/gemini-small-test"},
    )
    assert response.status_code == 302 and UsageUpload.objects.get().status == Status.DONE
    assert UsageRecord.objects.get().ai_model.slug == "google/gemini-small-test"


def test_an_unknown_model_in_the_confirmation_is_refused_with_a_message(client, people, usage_catalogue):
    client.force_login(people.analyst)
    detail = post_file(client, csv_bytes([["2025-01", "Gemini Tset", "", 10, 100, 10]]))["Location"]
    upload = UsageUpload.objects.get()
    client.post(reverse("org-usage-upload-confirm", args=["acme", upload.pk]), {"model-0": "nope/nothing"})
    page = client.get(detail).content.decode()
    assert "Gemini Tset: “nope/nothing” is not a catalogue model slug." in page
    assert UsageUpload.objects.get().status == Status.NEEDS_CONFIRMATION and not UsageRecord.objects.exists()


def test_a_second_upload_of_a_month_asks_to_replace_or_merge_then_replaces(client, people, usage_catalogue):
    client.force_login(people.analyst)
    post_file(client, csv_bytes(ROWS))
    before = DatabaseState.of(people.organisation)
    detail = post_file(client, csv_bytes([["2025-01", "google/gemini-small-test", "", 5, 50, 5]]))["Location"]
    page = client.get(detail).content.decode()
    assert "Usage already exists for 1 month of this file" in page and "January 2025" in page
    assert DatabaseState.of(people.organisation) == before
    upload = UsageUpload.objects.first()  # newest first
    client.post(reverse("org-usage-upload-decide", args=["acme", upload.pk]), {"on_conflict": "replace"})
    upload.refresh_from_db()
    assert upload.status == Status.DONE and upload.records_replaced == 1
    january = rollup_sums(people.organisation, month="2025-01-01")
    assert january == {"records": 1, "requests": 5, "input_tokens": 50, "output_tokens": 5}


def test_cancelling_from_the_page_writes_nothing(client, people, usage_catalogue):
    client.force_login(people.analyst)
    post_file(client, csv_bytes(ROWS))
    before = DatabaseState.of(people.organisation)
    post_file(client, csv_bytes(ROWS))
    upload = UsageUpload.objects.first()
    response = client.post(reverse("org-usage-upload-cancel", args=["acme", upload.pk]), follow=True)
    assert "cancelled; nothing of it was written" in response.content.decode()
    upload.refresh_from_db()
    assert upload.status == Status.CANCELLED and DatabaseState.of(people.organisation) == before


def test_a_queued_upload_shows_a_progress_bar_and_its_progress_json(client, people, usage_catalogue, monkeypatch):
    monkeypatch.setattr(limits, "QUEUE_THRESHOLD_ROWS", 1)
    client.force_login(people.analyst)
    detail = post_file(client, csv_bytes(ROWS))["Location"]  # queued: its message goes out on commit
    page = client.get(detail).content.decode()
    assert '<progress id="upload-progress" max="100" value="0"' in page and "js/upload.js" in page
    upload = UsageUpload.objects.get()
    progress = client.get(reverse("org-usage-upload-progress", args=["acme", upload.pk])).json()
    assert progress == {
        "status": "queued",
        "label": "Queued",
        "rows_done": 0,
        "rows_total": 2,
        "percent": 0,
        "finished": False,
    }


# -- the sample and the summary ------------------------------------------------------------------------------------


def test_the_sample_csv_uploads_as_it_is_with_one_row_of_each_tier(client, people, usage_catalogue):
    add_usd_spend_factor()
    client.force_login(people.analyst)
    response = client.get(reverse("org-usage-sample", args=["acme"]))
    assert response["Content-Disposition"] == 'attachment; filename="usage-sample.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["month", "start", "end", "model"] and len(rows) == 6
    post_file(client, response.content)
    upload = UsageUpload.objects.get()
    assert upload.status == Status.DONE, upload.errors
    assert upload.tier_counts == {"token": 4, "request": 1, "spend": 1}  # the start/end row spans two months


def test_the_monthly_summary_is_read_from_the_rollups_and_matches_them(client, people, usage_catalogue):
    submit(people, csv_bytes(ROWS))
    client.force_login(people.viewer)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("org-usage", args=["acme"])).content.decode()
    assert not [q for q in queries.captured_queries if "reports_usagerecord" in q["sql"]]
    january = rollup_sums(people.organisation, month="2025-01-01")
    assert f'<td class="num">{january["input_tokens"]:,}</td>' in page and "January 2025" in page
    assert "usage.csv" in page and "Done" in page
