"""Bad input corpus, pages side: the planner (/procurement/) and /compare/ query strings, the dashboard's period
parameters and its chart CSVs, the organisation settings form and the member add form. Each is the page's 400
with its error summary naming the field (a CSV download: a text/plain 400 naming it), and the database is as it
was. The API's side is in test_bad_input_corpus.py.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from tests.hardening.corpus import Bad, database_state, error_summary, unexpected_changes

pytestmark = pytest.mark.django_db

PLAN = "/procurement/?requests_per_month=1000000&input_tokens=1000&output_tokens=400&task=text-generation"
COMPARE, DASHBOARD, EXPORT = "/compare/", "/orgs/acme/", "/orgs/acme/export/trend.csv"
SETTINGS, MEMBERS = "/orgs/acme/settings/", "/orgs/acme/members/"
OVERSIZE = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
SETTINGS_FORM = {"name": "Acme", "baseline_year": "", "target_year": "", "reduction_target_percent": "",
                 "net_zero_year": "", "low_carbon_threshold_g_per_kwh": "100"}  # fmt: skip


def plan(**params) -> str:
    """The planner's address with some parameters replaced (the last of a repeated parameter wins in Django)."""
    return PLAN + "".join(f"&{name}={value}" for name, value in params.items())


def settings_form(**changes) -> dict:
    return {**SETTINGS_FORM, **changes}


def member(user: str, role: str = "viewer") -> dict:
    return {"action": "add", "user": user, "role": role}


PAGES = [
    Bad("planner: a word for requests", "get", plan(requests_per_month="abc"), names="Requests per month"),
    Bad("planner: 1e400 requests", "get", plan(requests_per_month="1e400"), names="Requests per month"),
    Bad("planner: NaN input tokens", "get", plan(input_tokens="NaN"), names="Average input tokens per request"),
    Bad("planner: negative input tokens", "get", plan(input_tokens="-5"), names="Average input tokens per request"),
    Bad("planner: right-to-left override in the region", "get", plan(region="%E2%80%AEgcp/us-east4"),
        names="Only in region"),
    Bad("planner: NUL byte in the current model", "get", plan(current="meta/llama-3.1-8b%00"),
        names="Current model"),
    Bad("planner: emoji region", "get", plan(region="%F0%9F%A6%99"), names="Only in region"),
    Bad("planner: an unknown format", "get", plan(format="xlsx"), names="Format"),
    Bad("planner CSV: negative requests", "get", plan(format="csv", requests_per_month="-1"),
        names="requests_per_month"),
    Bad("compare: one model", "get", COMPARE + "?models=meta/llama-3.1-8b", names="models"),
    Bad("compare: an emoji slug", "get", COMPARE + "?models=%F0%9F%A6%99/x,meta/llama-3.1-8b", names="models"),
    Bad("compare: nothing chosen", "get", COMPARE + "?models=", names="models"),
    Bad("compare: a script tag for a slug", "get",
        COMPARE + "?models=%3Cscript%3Ealert(1)%3C/script%3E,meta/llama-3.1-8b", names="models"),
    Bad("compare: a NUL byte in a slug", "get", COMPARE + "?models=meta/llama-3.1-8b%00,google/gemini-test",
        names="models"),
    Bad("dashboard: month 13", "get", DASHBOARD + "?start=2025-13&end=2025-03", who="session", names="start"),
    Bad("dashboard: end before start", "get", DASHBOARD + "?start=2025-03&end=2025-01", who="session",
        names="end"),
    Bad("dashboard: an emoji preset", "get", DASHBOARD + "?preset=%F0%9F%A6%99", who="session", names="preset"),
    Bad("dashboard: a period of 25 years", "get", DASHBOARD + "?start=2001-01&end=2025-03", who="session",
        names="end"),
    Bad("dashboard: the year 1999", "get", DASHBOARD + "?start=1999-01&end=2025-03", who="session", names="start"),
    Bad("dashboard CSV: a word for the start", "get", EXPORT + "?start=abc&end=2025-03", who="session",
        names="start"),
    Bad("settings: a word for the baseline year", "post", SETTINGS, settings_form(baseline_year="abc"),
        who="session", names="Baseline year"),
    Bad("settings: NaN reduction", "post", SETTINGS,
        settings_form(baseline_year="2024", target_year="2030", reduction_target_percent="NaN"), who="session",
        names="Reduction target (%)"),
    Bad("settings: a 1e30 threshold", "post", SETTINGS, settings_form(low_carbon_threshold_g_per_kwh="1e30"),
        who="session", names="Low-carbon threshold"),
    Bad("settings: an empty name", "post", SETTINGS, settings_form(name=""), who="session", names="Name"),
    Bad("settings: a NUL byte in the name", "post", SETTINGS, settings_form(name="Acme\x00"), who="session",
        names="Name"),
    Bad("settings: the target before the baseline", "post", SETTINGS,
        settings_form(baseline_year="2030", target_year="2025", reduction_target_percent="50"), who="session",
        names="Target year"),
    Bad("settings: a body over DATA_UPLOAD_MAX_MEMORY_SIZE", "post", SETTINGS, settings_form(name="x" * OVERSIZE),
        who="session"),
    Bad("settings: over DATA_UPLOAD_MAX_NUMBER_FIELDS fields", "post", SETTINGS,
        settings_form() | {f"f{i}": "1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}, who="session"),
    Bad("members: someone without an account", "post", MEMBERS, member("nobody@example.org"), who="session",
        names="User"),
    Bad("members: an owner role", "post", MEMBERS, member("acme-outsider", role="owner"), who="session",
        names="Role"),
    Bad("members: a zero-width space in the name", "post", MEMBERS, member("acme-outsider\u200b"), who="session",
        names="User"),
    Bad("members: a NUL byte in the name", "post", MEMBERS, member("acme-outsider\x00"), who="session",
        names="User"),
]  # fmt: skip


def send(case: Bad, world):
    client = Client()
    if case.who == "session":
        client.force_login(world.curator)
    if case.method == "get":
        return client.get(case.url)
    return client.post(case.url, case.body)


def test_the_page_corpus_names_every_case_once():
    assert len({case.name for case in PAGES}) == len(PAGES)


@pytest.mark.parametrize("case", PAGES, ids=str)
def test_bad_page_input_is_a_400_naming_the_field_and_writes_nothing(case, hardening_world):
    before = database_state()
    response = send(case, hardening_world)
    assert response.status_code == case.status, response.content[:500]
    text = response.content.decode()
    if case.names is not None:
        said = text if response["Content-Type"].startswith("text/plain") else error_summary(text)
        assert case.names in said, said or text[:1000]
    assert unexpected_changes(before, database_state()) == {}
