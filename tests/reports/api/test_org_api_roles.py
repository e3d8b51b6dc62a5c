"""Who may call each organisation API operation: the least role of each route and method lets its role and those
above through and answers 403 below it; outsiders and unknown organisations get 404, anonymous callers 401;
objects of another organisation are 404 through this one's address. Personal API tokens act as their user."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from reports.models import ApiToken, Report, UsageRecord
from reports.services.reports import report_generate
from reports.services.tokens import api_token_create, api_token_revoke
from reports.services.usage import UsageInput, usage_records_create
from tests.reports.api.org_api_support import client_for
from tests.vendors.dashboard_catalogue import run_pending_jobs
from vendors.models import AIModel

pytestmark = pytest.mark.django_db

RANK = {"viewer": 1, "analyst": 2, "admin": 3}
MONTH = dt.date(2025, 3, 1)
# (URL name, method, least role). POST bodies are empty and DELETE of the list names no month: members allowed get
# a 400, which still proves they were let through.
OPERATIONS = [
    ("api-org-usage-record-list", "get", "viewer"),
    ("api-org-usage-record-list", "post", "analyst"),
    ("api-org-usage-record-list", "delete", "analyst"),
    ("api-org-usage-record-detail", "get", "viewer"),
    ("api-org-usage-record-detail", "delete", "analyst"),
    ("api-org-footprint-list", "get", "viewer"),
    ("api-org-kpis", "get", "viewer"),
    ("api-org-report-list", "get", "viewer"),
    ("api-org-report-list", "post", "analyst"),
    ("api-org-report-detail", "get", "viewer"),
    ("api-org-report-csv", "get", "viewer"),
    ("api-org-report-pdf", "get", "viewer"),
    ("api-org-report-regenerate", "post", "analyst"),
]
IDS = [f"{method.upper()} {name}" for name, method, _ in OPERATIONS]
REPORT_ROUTES = {"api-org-report-detail", "api-org-report-csv", "api-org-report-pdf", "api-org-report-regenerate"}
OBJECT_ROUTES = {"api-org-usage-record-detail", *REPORT_ROUTES}  # routes with an object id


def write_month(organisation) -> Report:
    llama = AIModel.objects.get(slug="meta/llama-3.1-8b")
    usage_records_create(organisation=organisation, records=[UsageInput(MONTH, llama, 100, input_tokens=80_000)])
    run_pending_jobs()
    return report_generate(organisation=organisation, kind="monthly", period_start=MONTH)


@pytest.fixture
def objects(people, usage_catalogue):
    """A month of usage and its report in each organisation."""
    return {org.slug: write_month(org) for org in (people.organisation, people.other)}


def address(name: str, slug: str, report: Report) -> str:
    """The operation's URL in an organisation; a record route gets a record of its own (a DELETE may take it)."""
    if name == "api-org-usage-record-detail":
        record = UsageRecord.objects.filter(organisation=report.organisation).order_by("-pk").first()
        return reverse(name, args=[slug, record.pk])
    if name in REPORT_ROUTES:
        return reverse(name, args=[slug, report.pk])
    return reverse(name, args=[slug])


def call(client: APIClient, method: str, path: str):
    return client.generic(method.upper(), path, "{}" if method == "post" else "", content_type="application/json")


def fresh_record(organisation) -> None:
    """Another record to be deleted (in a month of its own, so the report's month stays as generated)."""
    llama = AIModel.objects.get(slug="meta/llama-3.1-8b")
    usage_records_create(organisation=organisation, records=[UsageInput(dt.date(2025, 5, 1), llama, 1)])


@pytest.mark.parametrize(("name", "method", "least"), OPERATIONS, ids=IDS)
def test_each_role_gets_exactly_its_rights(people, objects, name, method, least):
    for role in RANK:
        fresh_record(people.organisation)
        response = call(client_for(people.by_role(role)), method, address(name, "acme", objects["acme"]))
        if RANK[role] >= RANK[least]:
            assert response.status_code not in (401, 403, 404) and response.status_code < 500, (role, response.content)
        else:
            assert response.status_code == 403, (role, response.status_code)
            assert "needs the analyst role" in response.json()["detail"]


@pytest.mark.parametrize(("name", "method", "least"), OPERATIONS, ids=IDS)
def test_outsiders_unknown_organisations_and_anonymous_callers_get_nothing(people, objects, name, method, least):
    before = (UsageRecord.objects.count(), Report.objects.count())
    outsider = client_for(people.outsider)  # an admin of Globex only
    assert call(outsider, method, address(name, "acme", objects["acme"])).status_code == 404
    assert call(client_for(people.admin), method, address(name, "no-such-org", objects["acme"])).status_code == 404
    anonymous = call(APIClient(), method, address(name, "acme", objects["acme"]))
    assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"].startswith("Bearer")
    assert (UsageRecord.objects.count(), Report.objects.count()) == before


OBJECT_OPERATIONS = [op for op in OPERATIONS if op[0] in OBJECT_ROUTES]


@pytest.mark.parametrize(
    ("name", "method", "least"), OBJECT_OPERATIONS, ids=[f"{m.upper()} {n}" for n, m, _ in OBJECT_OPERATIONS]
)
def test_an_object_of_another_organisation_is_not_found_through_this_one(people, objects, name, method, least):
    theirs = address(name, "globex", objects["globex"]).replace("/orgs/globex/", "/orgs/acme/")
    before = (UsageRecord.objects.count(), Report.objects.count())
    assert call(client_for(people.admin), method, theirs).status_code == 404
    assert (UsageRecord.objects.count(), Report.objects.count()) == before


def test_an_api_token_acts_as_its_user_with_its_role(people, objects):
    _, analyst_token = api_token_create(user=people.analyst, name="nightly usage")
    _, viewer_token = api_token_create(user=people.viewer, name="dashboard script")
    records = reverse("api-org-usage-record-list", args=["acme"])
    body = '{"records": [{"month": "2025-06", "model": "meta/llama-3.1-8b", "requests": 3}]}'
    analyst = APIClient()
    analyst.credentials(HTTP_AUTHORIZATION=f"Bearer {analyst_token}")
    assert analyst.get(records).json()["count"] == 1
    assert analyst.generic("POST", records, body, content_type="application/json").status_code == 201
    viewer = APIClient()
    viewer.credentials(HTTP_AUTHORIZATION=f"Bearer {viewer_token}")
    assert viewer.get(reverse("api-org-kpis", args=["acme"])).status_code == 200
    assert viewer.generic("POST", records, body, content_type="application/json").status_code == 403
    api_token_revoke(token=ApiToken.objects.get(user=people.viewer))
    assert viewer.get(records).status_code == 401
    forged = APIClient()
    forged.credentials(HTTP_AUTHORIZATION="Bearer aif_00000000_not-a-real-secret")
    assert forged.get(records).status_code == 401


def test_a_signed_in_browser_session_reads_the_api(people, objects):
    browser = APIClient()
    browser.force_login(people.viewer)
    response = browser.get(reverse("api-org-usage-record-list", args=["acme"]))
    assert response.status_code == 200 and response.json()["count"] == 1
