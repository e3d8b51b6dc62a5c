"""The OpenAI Usage API completions export, uploaded as downloaded: buckets summed per month and model, snapshot
names matched to catalogue models (vendor OpenAI, date suffix stripped), cached input counted once (it is part of
input_tokens), the model's first serving region assumed; names not in the catalogue go through confirmation."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest
from django.conf import settings

from reports.models import Tier, UsageRecord, UsageUpload
from reports.services.uploads import upload_confirm
from tests.reports.ingest.support import DatabaseState, add_openai_models, submit

pytestmark = pytest.mark.django_db

Status = UsageUpload.Status
SAMPLE = Path(settings.BASE_DIR) / "docs" / "samples" / "openai-usage-completions.json"


@pytest.fixture
def openai_catalogue(usage_catalogue):
    add_openai_models(usage_catalogue)
    return usage_catalogue


def expected_sums(page: dict) -> dict:
    """Read the export independently: (month, catalogue slug) -> [requests, input, output]."""
    sums = defaultdict(lambda: [0, 0, 0])
    for bucket in page["data"]:
        month = dt.datetime.fromtimestamp(bucket["start_time"], dt.UTC).date().replace(day=1)
        for result in bucket["results"]:
            slug = "openai/" + re.sub(r"-\d{4}-\d{2}-\d{2}$", "", result["model"])
            total = sums[(month, slug)]
            total[0] += result["num_model_requests"]
            total[1] += result["input_tokens"]
            total[2] += result["output_tokens"]
    return dict(sums)


def page_of(*buckets, has_more=False) -> dict:
    return {"object": "page", "data": list(buckets), "has_more": has_more, "next_page": None}


def bucket(day: dt.date, *results) -> dict:
    start = int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())
    return {"object": "bucket", "start_time": start, "end_time": start + 86_400, "results": list(results)}


def result(model, requests=1, input_tokens=10, output_tokens=5, **extra) -> dict:
    return {
        "object": "organization.usage.completions.result",
        "model": model,
        "num_model_requests": requests,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "input_cached_tokens": 0,
        **extra,
    }


def test_the_documented_sample_is_summed_per_month_and_model(people, openai_catalogue):
    content = SAMPLE.read_bytes()
    upload = submit(people, content, "openai-usage")
    assert upload.status == Status.DONE, upload.errors
    expected = expected_sums(json.loads(content))
    written = {
        (r.month, r.ai_model.slug): [r.requests, r.input_tokens, r.output_tokens]
        for r in UsageRecord.objects.select_related("ai_model")
    }
    assert written == expected and len(expected) == 4  # two models in January and in February
    assert upload.tier_counts == {Tier.TOKEN.value: 4}
    assert upload.rows_total == sum(len(b["results"]) for b in json.loads(content)["data"])
    record = UsageRecord.objects.filter(ai_model__slug="openai/gpt-4o").first()
    assert record.region_assumed and record.region.slug == "gcp/us-east4" and record.source_row is None


def test_cached_input_tokens_are_not_added_twice(people, openai_catalogue):
    page = page_of(bucket(dt.date(2025, 3, 2), result("gpt-4o-mini", input_tokens=1000, input_cached_tokens=800)))
    submit(people, json.dumps(page).encode(), "openai-usage")
    assert UsageRecord.objects.get().input_tokens == 1000


def test_several_pages_in_a_list_are_read_together(people, openai_catalogue):
    pages = [
        page_of(bucket(dt.date(2025, 3, 1), result("gpt-4o-2024-08-06", 2)), has_more=True),
        page_of(bucket(dt.date(2025, 3, 2), result("gpt-4o-2024-11-20", 3))),
    ]
    upload = submit(people, json.dumps(pages).encode(), "openai-usage")
    assert upload.status == Status.DONE and UsageRecord.objects.get().requests == 5


def test_a_name_not_in_the_catalogue_is_proposed_and_confirmed(people, openai_catalogue):
    page = page_of(bucket(dt.date(2025, 3, 1), result("gpt-4o-mini-2024-07-18", 4), result("gpt-4o-minii", 6)))
    upload = submit(people, json.dumps(page).encode(), "openai-usage")
    assert upload.status == Status.NEEDS_CONFIRMATION and upload.model_mapping == {"gpt-4o-minii": "openai/gpt-4o-mini"}
    done = upload_confirm(upload=upload, mapping={"gpt-4o-minii": "openai/gpt-4o"})
    assert done.status == Status.DONE
    assert dict(UsageRecord.objects.values_list("ai_model__slug", "requests")) == {
        "openai/gpt-4o-mini": 4,
        "openai/gpt-4o": 6,
    }


def test_without_openai_models_the_names_can_be_mapped_through_confirmation(people, usage_catalogue):
    page = page_of(bucket(dt.date(2025, 3, 1), result("gemini-test-001", 4)))
    upload = submit(people, json.dumps(page).encode(), "openai-usage")
    assert upload.status == Status.NEEDS_CONFIRMATION
    done = upload_confirm(upload=upload, mapping={"gemini-test-001": "google/gemini-small-test"})
    assert done.status == Status.DONE and UsageRecord.objects.get().ai_model.slug == "google/gemini-small-test"


@pytest.mark.parametrize(
    ("content", "row", "column", "fragment"),
    [
        (page_of(bucket(dt.date(2025, 3, 1), result(None))), 1, "model", "group_by=model"),
        (
            page_of(bucket(dt.date(2025, 3, 1)), bucket(dt.date(2025, 3, 2), result("gpt-4o", input_tokens=-1))),
            2,
            "input_tokens",
            "negative",
        ),
        (
            page_of(
                bucket(dt.date(2025, 3, 1), {**result("gpt-4o"), "object": "organization.usage.embeddings.result"})
            ),
            1,
            "object",
            "only the completions usage export",
        ),
        (
            page_of(bucket(dt.date(2025, 3, 1), result("gpt-4o")), bucket(dt.date(2025, 3, 1), result("gpt-4o"))),
            2,
            "start_time",
            "same time as bucket 1",
        ),
        (page_of(bucket(dt.date(2099, 3, 1), result("gpt-4o"))), 1, "start_time", "in the future"),
        (page_of(bucket(dt.date(2025, 3, 1), result("zzzz-qqqq"))), 1, "model", "Unknown model “zzzz-qqqq”"),
        (page_of(bucket(dt.date(2025, 3, 1), result("gpt-4o")), has_more=True), None, "", "has_more is true"),
        ({"object": "list", "data": []}, None, "", "not an OpenAI usage export"),
    ],
    ids=[
        "no model",
        "negative",
        "embeddings export",
        "page twice",
        "future",
        "unknown model",
        "more pages",
        "not a page",
    ],
)
def test_a_bad_export_is_rejected_naming_bucket_and_field(people, openai_catalogue, content, row, column, fragment):
    before = DatabaseState.of(people.organisation)
    upload = submit(people, json.dumps(content).encode(), "openai-usage")
    assert upload.status == Status.REJECTED
    assert any(e["row"] == row and e["column"] == column and fragment in e["message"] for e in upload.errors), (
        upload.errors
    )
    assert DatabaseState.of(people.organisation) == before
