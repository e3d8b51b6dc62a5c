"""Public reads kept in memory per process (emissions.api.caching) and estimates from a per-process factor index:
a repeat costs one query, and a curation change, a recompute or a catalogue edit shows at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from rest_framework.throttling import SimpleRateThrottle

from emissions.api.caching import RESPONSES
from emissions.api.estimates import COEFFICIENTS
from emissions.catalogue_version import _version_sql
from emissions.models import EmissionFactor, Source
from emissions.services.factors import FactorInput, factor_approve, factor_create_draft
from tests.emissions.api.api_helpers import contract_renewables, counted_queries, results
from tests.emissions.api.test_estimates_api import INFERENCE, command_json
from vendors.models import AIModel, Region

pytestmark = pytest.mark.django_db
RANKINGS = "/api/v1/rankings/"
KEPT_READS = [
    RANKINGS,
    f"{RANKINGS}?group=vendor&basis=market",
    "/api/v1/footprints/?task=text-generation",
    "/api/v1/models/google/gemini-test/footprints/",
    "/api/v1/labels/",
    "/api/v1/labels/meta/llama-3.1-8b/",
]


def only_version_reads(queries) -> int:
    """How many queries ran, after checking each was the catalogue version's."""
    version_sql = _version_sql(connection.vendor)
    assert [query["sql"] for query in queries.captured_queries] == [version_sql] * len(queries)
    return len(queries)


@pytest.mark.parametrize("url", KEPT_READS)
def test_a_repeated_read_costs_one_query_and_gives_the_same_bytes(api, catalogue, url):
    first = api.get(url)
    with counted_queries() as queries:
        again = api.get(url)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content and again["Content-Type"] == first["Content-Type"] == "application/json"
    assert only_version_reads(queries) == 1


def test_an_approved_factor_shows_in_the_ranking_at_once(api, catalogue, curator):
    url = f"{RANKINGS}?basis=market&region=gcp/us-east4"
    before = {row["model"]["slug"]: row["central"] for row in results(api.get(url))}
    contract_renewables(region="gcp/us-east4", share=0.5, curator=curator)  # approve and recompute
    after = {row["model"]["slug"]: row["central"] for row in results(api.get(url))}
    assert before.keys() == after.keys() and before
    assert all(after[slug] < before[slug] for slug in before)


def test_a_footprint_marked_for_recompute_says_so_at_once(api, catalogue, curator):
    url = "/api/v1/footprints/?region=gcp/us-east4"
    assert not any(row["is_stale"] for row in results(api.get(url)))
    draft = factor_create_draft(data=FactorInput(
        kind="renewable_share", subject=Region.objects.get(slug="gcp/us-east4"), value=0.3, unit="fraction",
        valid_from=dt.date(2023, 1, 1), source=Source.objects.get(key="google-test"),
    ))  # fmt: skip
    factor_approve(factor=draft, user=curator)  # no worker has run: the footprints are stale
    assert all(row["is_stale"] for row in results(api.get(url)))


def test_a_renamed_model_shows_in_rankings_and_labels_at_once(api, catalogue):
    urls = [RANKINGS, "/api/v1/labels/meta/llama-3.1-8b/", "/api/v1/models/meta/llama-3.1-8b/footprints/"]
    for url in urls:
        assert "Renamed Llama" not in api.get(url).content.decode()
    model = AIModel.objects.get(slug="meta/llama-3.1-8b")
    model.name = "Renamed Llama"
    model.save()
    for url in urls:
        assert "Renamed Llama" in api.get(url).content.decode(), url


def test_answers_for_another_host_keep_their_own_links(api, catalogue):
    one = api.get(RANKINGS, HTTP_HOST="one.example").json()
    other = api.get(RANKINGS, HTTP_HOST="other.example").json()
    assert one["results"][0]["model"]["url"].startswith("http://one.example/")
    assert other["results"][0]["model"]["url"].startswith("http://other.example/")


def test_errors_and_the_browsable_api_are_not_kept(api, catalogue):
    assert api.get(f"{RANKINGS}?metric=nonsense").status_code == 400
    assert api.get(RANKINGS, HTTP_ACCEPT="text/html").status_code == 200
    assert not RESPONSES._entries


def test_throttling_still_counts_answers_kept_in_memory(api, catalogue, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/min", "user": "1000/min"})
    monkeypatch.setattr(SimpleRateThrottle, "timer", staticmethod(lambda: 1_800_000_000.0))  # one window
    cache.clear()
    try:
        statuses = [api.get(RANKINGS).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
    finally:
        cache.clear()


def test_an_estimate_uses_a_factor_approved_a_moment_ago(api, catalogue, curator):
    body = {"model": "meta/llama-3.1-8b", "output_tokens": 400, "input_tokens": 1000, "zone": "USA"}
    before = api.post(INFERENCE, body, format="json").json()
    current = EmissionFactor.objects.get(zone__code="USA", kind="grid_intensity_location", valid_to__isnull=True)
    draft = factor_create_draft(data=FactorInput(
        kind="grid_intensity_location", subject=current.zone, value=current.value / 2, unit="gCO2e/kWh",
        valid_from=dt.date(2024, 1, 1), source=current.source,
    ))  # fmt: skip
    factor_approve(factor=draft, user=curator)  # in force from 2024: the old value stops there
    after = api.post(INFERENCE, body, format="json").json()
    assert after["operational_co2e_kg"] == pytest.approx(before["operational_co2e_kg"] / 2)
    assert after == command_json("inference", body)


def test_a_repeated_estimate_reads_only_the_catalogue_version(api, catalogue):
    body = {"model": "google/gemini-test", "output_tokens": 250, "zone": "FRA"}
    first = api.post(INFERENCE, body, format="json")
    with counted_queries() as queries:
        again = api.post(INFERENCE, body | {"output_tokens": 500}, format="json")
    assert first.status_code == again.status_code == 200
    assert again.json()["energy_kwh"] > first.json()["energy_kwh"]
    # Tests re-read the version on every use (CATALOGUE_RECHECK_MS=0): once for each index and once for the
    # engine's coefficients, nothing else.
    assert only_version_reads(queries) == 3, "factors, models, regions and zones come from this process's indexes"


def test_estimates_of_one_model_in_one_place_share_their_coefficients_and_match_the_command(api, catalogue):
    bodies = [
        {"model": "meta/llama-3.1-8b", "output_tokens": 400, "input_tokens": 1000, "zone": "USA"},
        {"model": "meta/llama-3.1-8b", "output_tokens": 40, "input_tokens": 7, "requests": 250, "zone": "USA"},
        {"model": "meta/llama-3.1-8b", "output_tokens": 400, "input_tokens": 1000, "zone": "FRA"},
    ]
    answers = [api.post(INFERENCE, body, format="json").json() for body in bodies]
    assert len(COEFFICIENTS._entries) == 2, "one set for the model in the USA, one in France"
    for body, answer in zip(bodies, answers, strict=True):
        assert answer == command_json("inference", body)
    assert answers[0]["energy_kwh"] != answers[1]["energy_kwh"] != answers[2]["energy_kwh"]


def test_a_model_added_to_the_catalogue_can_be_estimated_at_once(api, catalogue):
    body = {"model": "meta/llama-new", "output_tokens": 400}
    assert api.post(INFERENCE, body, format="json").status_code == 400
    llama = AIModel.objects.get(slug="meta/llama-3.1-8b")
    AIModel.objects.create(vendor=llama.vendor, slug="meta/llama-new", name="Llama new", task=llama.task,
                           architecture="dense", source=llama.source)  # fmt: skip
    response = api.post(INFERENCE, body, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == command_json("inference", body)
