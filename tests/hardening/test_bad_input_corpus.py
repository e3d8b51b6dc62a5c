"""Bad input corpus, API side: malformed estimates, curation drafts, path identifiers, usage uploads (CSV and JSON
files, the upload actions) and organisation usage records and reports. Each is a clear 4xx whose error names the
field (or the row and column of the file), and the database is as it was (tests/hardening/corpus.py says which
one change a rejected upload may make). The pages' side is in test_bad_input_pages.py.
"""

from __future__ import annotations

import codecs

import pytest
from django.conf import settings
from django.test import Client

from reports.ingest import limits
from tests.hardening.corpus import JSON, Bad, database_state, json_problems, names_it, unexpected_changes
from tests.reports.ingest.support import HEADER, csv_bytes

pytestmark = pytest.mark.django_db

ESTIMATE, TRAINING, FACTORS = "/api/v1/estimates/inference", "/api/v1/estimates/training", "/api/v1/factors/"
UPLOADS = "/api/v1/orgs/acme/usage/uploads/"
RECORDS, REPORTS = "/api/v1/orgs/acme/usage/records/", "/api/v1/orgs/acme/reports/"
CSV, XML, TEXT = "text/csv", "application/xml", "text/plain; charset=utf-8"
INFERENCE = {"model": "meta/llama-3.1-8b", "output_tokens": 400, "input_tokens": 1000, "requests": 1}
TRAINING_RUN = {"accelerator": "nvidia-h100-sxm", "accelerator_count": 8, "hours": 100, "grid_intensity": 400}
DRAFT = {"kind": "grid_intensity_location", "zone": "FRA", "value": 41.0, "unit": "gCO2e/kWh",
         "valid_from": "2025-01-01", "source": "ember-test"}  # fmt: skip
GOOD_ROW = ["2025-09", "meta/llama-3.1-8b", "gcp/us-east4", 10, 1_000, 400]
FORMULA = "=cmd|' /C calc'!A0"
OVERSIZE = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1


def estimate(**changes) -> dict:
    return {**INFERENCE, **changes}


def draft(**changes) -> dict:
    return {**DRAFT, **changes}


def one_row(**cells) -> bytes:
    """A one-row usage CSV: the good row with some cells changed (row 2 of the file, as a spreadsheet counts)."""
    values = dict(zip(HEADER, GOOD_ROW, strict=True)) | cells
    return csv_bytes([[values[column] for column in HEADER]])


def record(**changes) -> dict:
    return {"records": [{"month": "2025-09", "model": "meta/llama-3.1-8b", "requests": 10} | changes],
            "on_conflict": "merge"}  # fmt: skip


ESTIMATES = [
    Bad("estimate: a word for a number", "post", ESTIMATE, estimate(output_tokens="lots"), names="output_tokens"),
    Bad("estimate: NaN as a string", "post", ESTIMATE, estimate(output_tokens="NaN"), names="output_tokens"),
    Bad("estimate: Infinity as a string", "post", ESTIMATE, estimate(output_tokens="Infinity"), names="output_tokens"),
    Bad("estimate: 1e400 literal (overflows to inf)", "post", ESTIMATE,
        '{"model": "meta/llama-3.1-8b", "output_tokens": 1e400}', names="output_tokens"),
    Bad("estimate: NaN literal (not JSON)", "post", ESTIMATE, '{"model": "meta/llama-3.1-8b", "output_tokens": NaN}'),
    Bad("estimate: negative requests", "post", ESTIMATE, estimate(requests=-5), names="requests"),
    Bad("estimate: 10**30 requests", "post", ESTIMATE, estimate(requests=10**30), names="requests"),
    Bad("estimate: a nested object for a number", "post", ESTIMATE, estimate(output_tokens={"value": 400}),
        names="output_tokens"),
    Bad("estimate: a list for a number", "post", ESTIMATE, estimate(input_tokens=[1000]), names="input_tokens"),
    Bad("estimate: true for a number", "post", ESTIMATE, estimate(output_tokens=True), names="output_tokens"),
    Bad("estimate: right-to-left override in the model", "post", ESTIMATE, estimate(model="meta/llama\u202e-3.1-8b"),
        names="model"),
    Bad("estimate: zero-width space in the model", "post", ESTIMATE, estimate(model="meta/llama-3.1-8b\u200b"),
        names="model"),
    Bad("estimate: emoji model", "post", ESTIMATE, estimate(model="🦙/llama-3.1-8b"), names="model"),
    Bad("estimate: NUL byte in the model", "post", ESTIMATE, estimate(model="meta/llama-3.1-8b\x00"), names="model"),
    Bad("estimate: a region and a zone", "post", ESTIMATE, estimate(region="gcp/us-east4", zone="FRA"), names="zone"),
    Bad("estimate: a list for the body", "post", ESTIMATE, [INFERENCE]),
    Bad("estimate: malformed JSON", "post", ESTIMATE, '{"model": "meta/'),
    Bad("estimate: text/plain", "post", ESTIMATE, "model=meta/llama-3.1-8b", TEXT, status=415),
    Bad("estimate: XML", "post", ESTIMATE, "<estimate><model>meta/llama-3.1-8b</model></estimate>", XML, status=415),
    Bad("estimate: body over DATA_UPLOAD_MAX_MEMORY_SIZE", "post", ESTIMATE,
        '{"model": "' + "m" * OVERSIZE + '", "output_tokens": 1}', status=413),
    Bad("training: PUE below 1", "post", TRAINING, {**TRAINING_RUN, "pue": 0.5}, names="pue"),
    Bad("training: 1e3 as a count", "post", TRAINING, {**TRAINING_RUN, "accelerator_count": "1e3"},
        names="accelerator_count"),
    Bad("training: no hours or energy", "post", TRAINING, {"accelerator": "nvidia-h100-sxm"},
        names="accelerator_hours"),
]  # fmt: skip

CURATION = [
    Bad("draft: 1e400 literal", "post", FACTORS,
        '{"kind": "grid_intensity_location", "zone": "FRA", "value": 1e400, "unit": "gCO2e/kWh", '
        '"valid_from": "2025-01-01", "source": "ember-test"}', names="value"),
    Bad("draft: a list for the value", "post", FACTORS, draft(value=[41]), names="value"),
    Bad("draft: zero-width space in the zone", "post", FACTORS, draft(zone="FRA\u200b"), names="zone"),
    Bad("draft: an operator object for the kind", "post", FACTORS, draft(kind={"$gt": ""}), names="kind"),
    Bad("draft: NUL byte in the source", "post", FACTORS, draft(source="ember-test\x00"), names="source"),
    Bad("draft: a datetime for a date", "post", FACTORS, draft(valid_from="2025-01-01T00:00:00Z"),
        names="valid_from"),
    Bad("draft: 2**70 supersedes", "post", FACTORS, draft(supersedes=2**70), names="supersedes"),
    Bad("draft: right-to-left override in the unit", "post", FACTORS, draft(unit="gCO2e/kWh\u202e"), names="unit"),
    Bad("factor: a 30-digit id", "get", f"{FACTORS}{10**30}/", status=404, names="id"),
    Bad("zone: an emoji code", "get", "/api/v1/zones/%F0%9F%A6%99/", status=404, names="code"),
]  # fmt: skip

UPLOAD_FILES = [
    Bad("csv: =cmd formula for the model", "post", UPLOADS, one_row(model=FORMULA), CSV, names=(2, "model")),
    Bad("csv: +formula for the region", "post", UPLOADS, one_row(region="+" + FORMULA[1:]), CSV,
        names=(2, "region")),
    Bad("csv: -2+3 for a count", "post", UPLOADS, one_row(input_tokens="-2+3"), CSV, names=(2, "input_tokens")),
    Bad("csv: @SUM for the model", "post", UPLOADS, one_row(model="@SUM(A1:A2)"), CSV, names=(2, "model")),
    Bad("csv: NaN requests", "post", UPLOADS, one_row(requests="NaN"), CSV, names=(2, "requests")),
    Bad("csv: Infinity output tokens", "post", UPLOADS, one_row(output_tokens="Infinity"), CSV,
        names=(2, "output_tokens")),
    Bad("csv: negative requests", "post", UPLOADS, one_row(requests=-5), CSV, names=(2, "requests")),
    Bad("csv: 1e30 requests", "post", UPLOADS, one_row(requests="1e30"), CSV, names=(2, "requests")),
    Bad("csv: requests over 64 bits", "post", UPLOADS, one_row(requests=2**64), CSV, names=(2, "requests")),
    Bad("csv: month 13", "post", UPLOADS, one_row(month="2025-13"), CSV, names=(2, "month")),
    Bad("csv: year 0225", "post", UPLOADS, one_row(month="0225-01"), CSV, names=(2, "month")),
    Bad("csv: a BOM inside a cell", "post", UPLOADS, one_row(month="\ufeff2025-13"), CSV, names=(2, "month")),
    Bad("csv: two BOMs before the header", "post", UPLOADS, b"\xef\xbb\xbf" + codecs.BOM_UTF8 + one_row(), CSV),
    Bad("csv: UTF-16", "post", UPLOADS, one_row().decode().encode("utf-16"), CSV),
    Bad("csv: Latin-1 bytes", "post", UPLOADS, one_row(model="gemini-tést").decode().encode("latin-1"), CSV),
    Bad("csv: empty file", "post", UPLOADS, b"", CSV),
    Bad("csv: header only", "post", UPLOADS, (",".join(HEADER) + "\n").encode(), CSV),
    Bad("csv: the same row twice", "post", UPLOADS, csv_bytes([GOOD_ROW, GOOD_ROW]), CSV, names=(3, "model")),
    Bad("csv: a NUL byte in a model name", "post", UPLOADS, one_row(model="meta/llama\x00-3.1-8b"), CSV,
        names=(2, "model")),
    Bad("csv: a model far from any", "post", UPLOADS, one_row(model="zzqx/qqqq-zzzz"), CSV, names=(2, "model")),
    Bad("csv: a formula file read as an OpenAI export", "post", UPLOADS + "?format=openai-usage",
        one_row(model=FORMULA), JSON),
    Bad("json: records is a string", "post", UPLOADS, {"records": "x"}),
    Bad("json: a list of numbers", "post", UPLOADS, [1, 2, 3], names=(1, "")),
    Bad("json: malformed", "post", UPLOADS, b'[{"month": '),
    Bad("json: NaN literal", "post", UPLOADS, '[{"month": "2025-09", "model": "meta/llama-3.1-8b", "requests": NaN}]',
        names=(1, "requests")),
    Bad("json: an object for requests", "post", UPLOADS,
        [{"month": "2025-09", "model": "meta/llama-3.1-8b", "requests": {"n": 1}}], names=(1, "requests")),
    Bad("upload: format=xlsx", "post", UPLOADS + "?format=xlsx", one_row(), CSV, names="format"),
    Bad("upload: on_conflict=overwrite", "post", UPLOADS + "?on_conflict=overwrite", one_row(), CSV,
        names="on_conflict"),
    Bad("upload: multipart without the file", "post", UPLOADS, b"", "multipart/form-data; boundary=x", names="file"),
    Bad("upload: XML", "post", UPLOADS, b"<usage/>", XML, status=415),
    Bad("upload: over the size limit", "post", UPLOADS, one_row(), CSV, status=413, limits={"MAX_BYTES": 20}),
    Bad("upload: over the row limit", "post", UPLOADS, csv_bytes([GOOD_ROW, ["2025-10", *GOOD_ROW[1:]]]), CSV,
        status=413, limits={"MAX_ROWS": 1}),
]  # fmt: skip

UPLOAD_ACTIONS = [
    Bad("confirm: a slug that is no model", "post", UPLOADS + "{needs_confirmation}/confirm/",
        {"mapping": {"Gemini Tset": "nope/none"}}, names="Gemini Tset"),
    Bad("confirm: a list for the mapping", "post", UPLOADS + "{needs_confirmation}/confirm/", {"mapping": []},
        names="mapping"),
    Bad("confirm: multipart", "post", UPLOADS + "{needs_confirmation}/confirm/", b"--x--\r\n",
        "multipart/form-data; boundary=x", status=415),
    Bad("confirm: malformed JSON", "post", UPLOADS + "{needs_confirmation}/confirm/", '{"mapping": {'),
    Bad("decide: overwrite", "post", UPLOADS + "{needs_decision}/decide/", {"on_conflict": "overwrite"},
        names="on_conflict"),
    Bad("decide: a list for the body", "post", UPLOADS + "{needs_decision}/decide/", [None, None],
        names="on_conflict"),
    Bad("decide: text/plain", "post", UPLOADS + "{needs_decision}/decide/", "merge", TEXT, status=415),
    Bad("records: NaN requests", "post", RECORDS, record(requests="NaN"), names="records[0].requests"),
    Bad("records: negative requests", "post", RECORDS, record(requests=-1), names="records[0].requests"),
    Bad("records: 2**70 requests", "post", RECORDS, record(requests=2**70), names="records[0].requests"),
    Bad("records: a string for the list", "post", RECORDS, {"records": "x"}, names="records"),
    Bad("org footprints: a NUL byte in the model filter", "get", "/api/v1/orgs/acme/footprints/?model=meta%00",
        content_type=None, names="model"),
    Bad("report: a weekly report", "post", REPORTS, {"kind": "weekly", "period_start": "2025-01-01"}, names="kind"),
    Bad("report: 30 February", "post", REPORTS, {"kind": "monthly", "period_start": "2025-02-30"},
        names="period_start"),
]  # fmt: skip

CORPUS = ESTIMATES + CURATION + UPLOAD_FILES + UPLOAD_ACTIONS


def send(case: Bad, world) -> object:
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {world.token}"} if case.who == "token" else {}
    url = case.url.format(**world.uploads)
    payload = case.payload()
    if case.content_type is None or payload is None:
        return client.generic(case.method.upper(), url, **headers)
    return client.generic(case.method.upper(), url, payload, content_type=case.content_type, **headers)


def test_the_api_corpus_is_large_and_every_case_is_named_once():
    assert len(CORPUS) >= 50 and len({case.name for case in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("case", CORPUS, ids=str)
def test_bad_api_input_is_a_clear_4xx_naming_the_field_and_writes_nothing(case, hardening_world, monkeypatch):
    for name, value in case.limits.items():
        monkeypatch.setattr(limits, name, value)
    before = database_state()
    response = send(case, hardening_world)
    assert response.status_code == case.status, response.content[:500]
    if "json" in response.get("Content-Type", ""):
        errors = json_problems(response)
        if case.names is not None:
            assert names_it(errors, case.names), errors
    else:
        assert case.names is None, f"a {response.status_code} without a JSON body: {response.content[:300]!r}"
    assert unexpected_changes(before, database_state()) == {}
