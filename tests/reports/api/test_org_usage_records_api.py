"""/api/v1/orgs/<slug>/usage/records/: each record with its footprint (usage x its own rate, spend x the spend
factor) against a computation from the records; filters, ordering, pages and a pinned query count; adding records
(checked exactly as a JSON upload's records, conflicts, replace and merge, rollups updated); deleting one record or
whole months (rollups re-summed, totals down by exactly what was deleted, audit events)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from emissions.engine import TYPICAL_REQUESTS
from emissions.models import UsageRollup
from reports.footprint_rows import footprint_rows
from reports.models import AuditEvent, UsageRecord, UsageUpload
from reports.services.uploads import upload_submit
from tests.emissions.api.api_helpers import problems
from tests.reports.api.org_api_support import (
    METRICS,
    MONTHS,
    SPEND_AMOUNT,
    SPEND_MONTH,
    all_pages,
    client_for,
    triple,
    url,
)
from tests.reports.kpis.usage_data import SPEND_FACTOR, record_footprint, write_usage
from tests.vendors.dashboard_catalogue import run_pending_jobs

pytestmark = pytest.mark.django_db

LIST, DETAIL = "api-org-usage-record-list", "api-org-usage-record-detail"
NEW_MONTH = "2025-06"  # no usage yet
TEXT = TYPICAL_REQUESTS["text-generation"]


def records_of(organisation, **filters) -> dict[int, UsageRecord]:
    found = UsageRecord.objects.filter(organisation=organisation, **filters)
    return {r.pk: r for r in found.select_related("rate", "ai_model__vendor", "region")}


def post(client, body, *, raw: bool = False):
    return client.generic("POST", url(LIST), body if raw else json.dumps(body), content_type="application/json")


def rollup_requests(organisation, month: str) -> int:
    first = dt.date.fromisoformat(f"{month}-01")
    return UsageRollup.objects.filter(organisation=organisation, month=first).aggregate(n=Sum("requests"))["n"] or 0


def central_co2e(organisation, month: dt.date) -> tuple[float, float]:
    end = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    rows = footprint_rows(organisation, month, end)
    return sum(r.co2e_location_kg[1] for r in rows), sum(r.co2e_market_kg[1] for r in rows)


# -- the list and its footprints -----------------------------------------------------------------------------------


def test_every_record_is_listed_with_its_usage_times_its_own_rate(org_usage):
    listed = all_pages(client_for(org_usage.viewer), url(LIST))
    records = records_of(org_usage.organisation)
    assert sorted(item["id"] for item in listed) == sorted(records)
    for item in listed:
        record = records[item["id"]]
        assert item["month"] == f"{record.month:%Y-%m}" and item["model"] == record.ai_model.slug
        assert item["vendor"] == record.ai_model.vendor.slug
        assert item["region"] == (record.region.slug if record.region else None)
        assert (item["requests"], item["input_tokens"], item["output_tokens"], item["tier"]) == (
            record.requests, record.input_tokens, record.output_tokens, record.tier,
        )  # fmt: skip
        assert item["url"].endswith(url(DETAIL, record.pk)) and item["footprint_pending"] is False
        expected = record_footprint(record)
        for metric in METRICS:
            assert triple(item, metric) == pytest.approx(expected[metric], rel=1e-12), (record, metric)


def test_a_spend_based_record_is_spend_times_the_spend_factor_in_co2e_only(org_usage):
    [item] = client_for(org_usage.viewer).get(url(LIST, query="tier=spend")).json()["results"]
    amount = float(SPEND_AMOUNT)
    assert item["month"] == f"{SPEND_MONTH:%Y-%m}" and item["spend"] == "1200.0000" and item["currency"] == "USD"
    for metric in ("co2e_location_kg", "co2e_market_kg"):
        assert triple(item, metric) == pytest.approx([amount * k for k in SPEND_FACTOR])
    assert triple(item, "energy_kwh") == triple(item, "water_l") == [0.0, 0.0, 0.0]
    assert [item["spend_factor"]["kg_co2e_per_unit"][side] for side in ("low", "central", "high")] == list(SPEND_FACTOR)


def test_one_record_reads_as_it_is_listed_and_an_unknown_id_is_a_404_naming_it(org_usage):
    client = client_for(org_usage.viewer)
    record = UsageRecord.objects.filter(organisation=org_usage.organisation, region__isnull=False).first()
    [listed] = [item for item in all_pages(client, url(LIST)) if item["id"] == record.pk]
    assert client.get(url(DETAIL, record.pk)).json() == listed
    response = client.get(url(DETAIL, 999_999))
    assert response.status_code == 404 and "record_id" in problems(response)


def test_records_of_another_organisation_are_neither_listed_nor_found(org_usage):
    write_usage(org_usage.other, MONTHS[:1])
    theirs = UsageRecord.objects.filter(organisation=org_usage.other).first()
    client = client_for(org_usage.admin)
    assert theirs.pk not in {item["id"] for item in all_pages(client, url(LIST))}
    assert client.get(url(DETAIL, theirs.pk)).status_code == 404
    assert client.delete(url(DETAIL, theirs.pk)).status_code == 404
    assert UsageRecord.objects.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize(
    ("query", "filters"),
    [
        ("month_after=2025-02&month_before=2025-03", {"month__gte": "2025-02-01", "month__lte": "2025-03-01"}),
        ("month_after=2025-04", {"month__gte": "2025-04-01"}),
        ("model=google/gemini-test", {"ai_model__slug": "google/gemini-test"}),
        ("vendor=google", {"ai_model__vendor__slug": "google"}),
        ("region=gcp/us-east4", {"region__slug": "gcp/us-east4"}),
        ("tier=spend", {"tier": "spend"}),
        ("vendor=google&region=gcp/europe-west4&month_before=2025-01",
         {"ai_model__vendor__slug": "google", "region__slug": "gcp/europe-west4", "month__lte": "2025-01-01"}),
    ],
)  # fmt: skip
def test_filters_give_exactly_the_records_they_name(org_usage, query, filters):
    listed = all_pages(client_for(org_usage.viewer), url(LIST, query=query))
    expected = records_of(org_usage.organisation, **filters)
    assert expected and sorted(item["id"] for item in listed) == sorted(expected)


def test_the_upload_filter_gives_the_records_of_that_upload(org_usage):
    content = b"month,model,requests\n2025-05,meta/llama-3.1-8b,10\n2025-05,google/gemini-test,20\n"
    upload = upload_submit(organisation=org_usage.organisation, user=org_usage.analyst, filename="may.csv",
                           file_format="csv", source=io.BytesIO(content), size_bytes=len(content))  # fmt: skip
    listed = client_for(org_usage.viewer).get(url(LIST, query=f"upload={upload.pk}")).json()["results"]
    assert sorted(item["source_row"] for item in listed) == [2, 3]
    assert {item["upload"] for item in listed} == {upload.pk}
    assert all(item["upload_url"].endswith(url("api-usage-upload-detail", upload.pk)) for item in listed)


@pytest.mark.parametrize(
    ("query", "field"),
    [("month_after=2025-13", "month_after"), ("month_before=March", "month_before"), ("model=nope/none", "model"),
     ("vendor=nobody", "vendor"), ("region=mars/base", "region"), ("tier=gold", "tier"), ("upload=x", "upload"),
     ("ordering=colour", "ordering"), ("page=99", "page")],
)  # fmt: skip
def test_a_bad_filter_is_a_400_naming_the_parameter(org_usage, query, field):
    response = client_for(org_usage.viewer).get(url(LIST, query=query))
    assert response.status_code in (400, 404) and field in problems(response), response.json()


@pytest.mark.parametrize("ordering", ["month", "-month", "model", "-model", "requests", "-requests"])
def test_records_are_ordered_by_month_model_or_requests(org_usage, ordering):
    listed = all_pages(client_for(org_usage.viewer), url(LIST, query=f"ordering={ordering}"))
    key = ordering.removeprefix("-")
    values = [item[key] for item in listed]
    assert values == sorted(values, reverse=ordering.startswith("-")) and len(set(values)) > 1


def test_pages_hold_fifty_records_and_the_query_count_does_not_grow_with_the_page(org_usage):
    write_usage(org_usage.organisation, [dt.date(2024, m, 1) for m in range(1, 13)])  # 72 more records
    client = client_for(org_usage.viewer)
    with CaptureQueriesContext(connection) as small:
        assert len(client.get(url(LIST, query="tier=token&month_before=2024-01")).json()["results"]) == 6
    with CaptureQueriesContext(connection) as full:
        body = client.get(url(LIST, query="tier=token")).json()
    assert len(body["results"]) == 50 and body["count"] == UsageRecord.objects.filter(tier="token").count()
    with CaptureQueriesContext(connection) as with_spend:
        assert client.get(url(LIST, query="month_after=2025-01")).status_code == 200
    with CaptureQueriesContext(connection) as by_model:
        assert client.get(url(LIST, query="model=google/gemini-test")).status_code == 200
    # membership, count, page (records with model, vendor, region and rate in one query)
    assert len(small) == len(full) == 3, [q["sql"] for q in full.captured_queries]
    assert len(with_spend) == 4  # + the spend factors, read only when the page holds spend-based records
    assert len(by_model) == 4  # + the model filter's slug


# -- adding --------------------------------------------------------------------------------------------------------


def test_posted_records_are_written_with_their_tier_and_the_rollups_follow(org_usage):
    records = [
        {"month": NEW_MONTH, "model": "google/gemini-test", "region": "gcp/us-east4", "requests": 300,
         "input_tokens": 240_000, "output_tokens": 90_000},
        {"month": NEW_MONTH, "vendor": "Meta", "model_name": "Llama 3.1 8B", "requests": 1_000},
        {"month": NEW_MONTH, "model": "google/gemini-small-test", "spend": "250.50", "currency": "usd"},
    ]  # fmt: skip
    response = post(client_for(org_usage.analyst), {"records": records})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["created"], body["replaced"], body["months"]) == (3, 0, [NEW_MONTH])
    assert body["tier_counts"] == {"token": 1, "request": 1, "spend": 1}
    token, request, spend = sorted(body["records"], key=lambda item: ["token", "request", "spend"].index(item["tier"]))
    assert (token["requests"], token["input_tokens"], token["output_tokens"]) == (300, 240_000, 90_000)
    assert token["region"] == "gcp/us-east4" and token["region_assumed"] is False
    assert request["model"] == "meta/llama-3.1-8b" and request["region_assumed"] is True
    assert (request["input_tokens"], request["output_tokens"]) == (1_000 * TEXT.input_tokens, 1_000 * TEXT.output_units)
    assert (spend["spend"], spend["currency"], spend["requests"]) == ("250.5000", "USD", 0)
    assert {item["upload"] for item in body["records"]} == {None}
    assert [item["source_row"] for item in body["records"]] == [1, 2, 3]
    assert set(records_of(org_usage.organisation, month=f"{NEW_MONTH}-01")) == {item["id"] for item in body["records"]}
    assert rollup_requests(org_usage.organisation, NEW_MONTH) == 1_300
    event = AuditEvent.objects.get(action="usage.create")
    assert event.actor == org_usage.analyst and event.organisation == org_usage.organisation
    run_pending_jobs()  # the new months' rates, as a worker computes them
    client = client_for(org_usage.viewer)
    for item in body["records"]:
        record = records_of(org_usage.organisation)[item["id"]]
        detail = client.get(url(DETAIL, item["id"])).json()
        for metric in METRICS:
            assert triple(detail, metric) == pytest.approx(record_footprint(record)[metric], rel=1e-12)


def test_a_period_over_two_months_is_split_by_days_as_uploads_split_it(org_usage):
    records = [{"start": "2025-06-21", "end": "2025-07-10", "model": "meta/llama-3.1-8b", "input_tokens": 2_001}]
    body = post(client_for(org_usage.analyst), {"records": records}).json()
    assert body["months"] == ["2025-06", "2025-07"]
    split = [(item["month"], item["input_tokens"]) for item in body["records"]]
    assert split == [("2025-06", 1_001), ("2025-07", 1_000)]  # 10 days each; the odd token to the first


def test_records_for_months_with_usage_answer_409_listing_them_and_nothing_is_written(org_usage):
    before = UsageRecord.objects.count()
    records = [{"month": m, "model": "meta/llama-3.1-8b", "requests": 5} for m in ("2025-01", NEW_MONTH, "2025-03")]
    response = post(client_for(org_usage.analyst), {"records": records})
    assert response.status_code == 409
    body = response.json()
    assert body["months"] == ["2025-01", "2025-03"] and body["errors"][0]["field"] == "on_conflict"
    assert "2025-01, 2025-03" in body["detail"]
    assert UsageRecord.objects.count() == before and not AuditEvent.objects.filter(action="usage.create").exists()


def test_merge_adds_to_the_month_and_replace_takes_its_place(org_usage):
    client, organisation = client_for(org_usage.analyst), org_usage.organisation
    january = records_of(organisation, month="2025-01-01")
    requests_before = rollup_requests(organisation, "2025-01")
    merge = {"records": [{"month": "2025-01", "model": "meta/llama-3.1-8b", "requests": 7}], "on_conflict": "merge"}
    assert post(client, merge).status_code == 201
    assert len(records_of(organisation, month="2025-01-01")) == len(january) + 1
    assert rollup_requests(organisation, "2025-01") == requests_before + 7
    february = records_of(organisation, month="2025-02-01")
    replace = {"records": [{"month": "2025-02", "model": "meta/llama-3.1-8b", "requests": 9}], "on_conflict": "replace"}
    body = post(client, replace).json()
    assert body["replaced"] == len(february) and body["created"] == 1
    assert [r.requests for r in records_of(organisation, month="2025-02-01").values()] == [9]
    assert rollup_requests(organisation, "2025-02") == 9


RECORD = {"month": NEW_MONTH, "model": "meta/llama-3.1-8b", "requests": 10}
BAD_RECORDS = {
    "NaN": ('{"records": [{"month": "2025-06", "model": "meta/llama-3.1-8b", "requests": NaN}]}',
            "records[0].requests", "not a number"),
    "Infinity": ('{"records": [{"month": "2025-06", "model": "meta/llama-3.1-8b", "output_tokens": Infinity}]}',
                 "records[0].output_tokens", "not a number"),
    "negative": ({"records": [RECORD, RECORD | {"model": "google/gemini-test", "input_tokens": -5}]},
                 "records[1].input_tokens", "negative"),
    "fraction": ({"records": [RECORD | {"requests": 2.5}]}, "records[0].requests", "not a whole number"),
    "unknown model": ({"records": [RECORD | {"model": "acme/nothing-like-it"}]}, "records[0].model", "Unknown model"),
    "close model": ({"records": [RECORD | {"model": "google/gemini-tst"}]}, "records[0].model",
                    "did you mean google/gemini-test"),
    "bad month": ({"records": [RECORD | {"month": "2025-13"}]}, "records[0].month", "not a month"),
    "future month": ({"records": [RECORD | {"month": "2099-01"}]}, "records[0].month", "in the future"),
    "unknown region": ({"records": [RECORD | {"region": "mars/base"}]}, "records[0].region", "Unknown region"),
    "no usage": ({"records": [{"month": NEW_MONTH, "model": "meta/llama-3.1-8b"}]}, "records[0].requests", "No usage"),
    "spend, no currency": ({"records": [{"month": NEW_MONTH, "model": "meta/llama-3.1-8b", "spend": 5}]},
                           "records[0].currency", "no currency"),
    "no spend factor": ({"records": [{"month": NEW_MONTH, "model": "meta/llama-3.1-8b", "spend": 5,
                                      "currency": "EUR"}]}, "records[0].currency", "No spend factor"),
    "duplicate": ({"records": [RECORD, RECORD]}, "records[1].model", "same period"),
    "not an object": ({"records": ["2025-06 llama 10"]}, "records[0]", "not a record"),
    "no records": ({"on_conflict": "merge"}, "records", "required"),
    "empty list": ({"records": []}, "records", "at least one"),
    "too many": ({"records": [RECORD] * 1_001}, "records", "at most 1,000"),
    "bad on_conflict": ({"records": [RECORD], "on_conflict": "sometimes"}, "on_conflict", "valid choice"),
}  # fmt: skip


@pytest.mark.parametrize(("body", "field", "words"), BAD_RECORDS.values(), ids=BAD_RECORDS)
def test_bad_records_are_a_400_naming_record_and_column_and_nothing_is_written(org_usage, body, field, words):
    before = (UsageRecord.objects.count(), UsageRollup.objects.count())
    response = post(client_for(org_usage.analyst), body, raw=isinstance(body, str))
    assert response.status_code == 400, response.json()
    found = problems(response)
    assert field in found and words in found[field], found
    assert (UsageRecord.objects.count(), UsageRollup.objects.count()) == before


def test_the_api_refuses_exactly_what_a_json_upload_refuses_with_the_same_messages(org_usage):
    records = [
        RECORD, RECORD | {"requests": -1}, RECORD | {"month": "2025-6"}, RECORD | {"model": "x/y"},
        {"month": NEW_MONTH, "model": "google/gemini-test", "spend": "12,50", "currency": "USD"},
        RECORD | {"region": "gcp/nowhere", "input_tokens": "1e3"}, RECORD,
    ]  # fmt: skip
    api_errors = post(client_for(org_usage.analyst), {"records": records}).json()["errors"]
    content = json.dumps(records).encode()
    upload = upload_submit(organisation=org_usage.organisation, user=org_usage.analyst, filename="r.json",
                           file_format="json", source=io.BytesIO(content), size_bytes=len(content))  # fmt: skip
    assert upload.status == UsageUpload.Status.REJECTED
    as_fields = [
        {"field": f"records[{e['row'] - 1}]" + (f".{e['column']}" if e["column"] else ""), "message": e["message"]}
        for e in upload.errors
    ]
    assert len(api_errors) >= 6 and sorted(api_errors, key=str) == sorted(as_fields, key=str)


# -- deleting ------------------------------------------------------------------------------------------------------


def test_deleting_a_record_resums_its_month_and_the_totals_drop_by_exactly_that_record(org_usage):
    organisation, month = org_usage.organisation, dt.date(2025, 3, 1)
    record = UsageRecord.objects.select_related("rate", "ai_model", "region").get(
        organisation=organisation, month=month, ai_model__slug="google/gemini-test", region__slug="gcp/europe-west4"
    )
    location_before, market_before = central_co2e(organisation, month)
    requests_before = rollup_requests(organisation, "2025-03")
    expected = record_footprint(record)
    response = client_for(org_usage.analyst).delete(url(DETAIL, record.pk))
    assert response.status_code == 204
    location_after, market_after = central_co2e(organisation, month)
    assert location_before - location_after == pytest.approx(expected["co2e_location_kg"][1], rel=1e-9)
    assert market_before - market_after == pytest.approx(expected["co2e_market_kg"][1], rel=1e-9)
    assert rollup_requests(organisation, "2025-03") == requests_before - record.requests
    assert not UsageRecord.objects.filter(pk=record.pk).exists()
    event = AuditEvent.objects.get(action="usage.delete")
    assert event.target == f"usage record #{record.pk}" and event.actor == org_usage.analyst
    assert "gemini-test" in event.summary and event.organisation == organisation
    assert client_for(org_usage.viewer).get(url(DETAIL, record.pk)).status_code == 404


def test_deleting_months_removes_all_their_records_and_rollups_and_nothing_else(org_usage):
    organisation = org_usage.organisation
    kept = records_of(organisation, month__in=["2025-01-01", "2025-02-01"])
    doomed = records_of(organisation, month__in=["2025-03-01", "2025-04-01"])
    response = client_for(org_usage.admin).delete(url(LIST, query="month=2025-03&month=2025-04"))
    assert response.status_code == 200
    assert response.json() == {"deleted": len(doomed), "months": ["2025-03", "2025-04"]}
    assert set(records_of(organisation)) == set(kept)
    assert not UsageRollup.objects.filter(organisation=organisation, month__gte="2025-03-01").exists()
    assert rollup_requests(organisation, "2025-01") == sum(r.requests for r in kept.values() if r.month.month == 1)
    event = AuditEvent.objects.get(action="usage.delete")
    assert event.target == "usage 2025-03, 2025-04" and str(len(doomed)) in event.summary


@pytest.mark.parametrize(
    ("query", "words"),
    [("month=2025-03&month=2025-06", "No usage records in 2025-06"), ("", "Give the month"),
     ("month=2025-3", "not a month"), ("month_after=2025-01", "Give the month")],
)  # fmt: skip
def test_deleting_months_is_all_or_nothing_and_needs_the_month(org_usage, query, words):
    before = UsageRecord.objects.count()
    response = client_for(org_usage.analyst).delete(url(LIST, query=query))
    assert response.status_code == 400 and words in problems(response)["month"]
    assert UsageRecord.objects.count() == before and not AuditEvent.objects.filter(action="usage.delete").exists()
