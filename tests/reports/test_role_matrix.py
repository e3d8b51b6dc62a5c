"""Isolation and roles over EVERY organisation URL: pages, exports and API, each method.

The routes are discovered from the URL configuration, so a new organisation URL without a rule here fails the
first test. For each route: outsiders (members of another organisation) and unknown slugs get 404, so nothing of
an organisation leaks; members below the route's role get 403; members at or above it are let through (any
answer but 403/404/5xx). Object ids of another organisation are 404 too, whatever the caller's role there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from emissions.models import FootprintRate, Source
from reports.dashboard_exports import CHARTS
from reports.models import Organisation, Report, Role, UsageRecord, UsageUpload
from reports.snapshots.build import snapshot_build
from reports.snapshots.periods import Period
from vendors.models import AIModel, Vendor

pytestmark = pytest.mark.django_db

ROLES = ("viewer", "analyst", "admin")
RANK = {"viewer": 1, "analyst": 2, "admin": 3}


@dataclass(frozen=True)
class Rule:
    methods: dict[str, str]  # HTTP method -> least role allowed
    api: bool = False


RULES: dict[str, Rule] = {
    # pages and exports
    "org-dashboard": Rule({"GET": "viewer"}),
    "org-dashboard-export": Rule({"GET": "viewer"}),
    "org-usage": Rule({"GET": "viewer"}),
    "org-usage-sample": Rule({"GET": "viewer"}),
    "org-usage-submit": Rule({"POST": "analyst"}),
    "org-usage-upload": Rule({"GET": "analyst"}),
    "org-usage-upload-progress": Rule({"GET": "analyst"}),
    "org-usage-upload-confirm": Rule({"POST": "analyst"}),
    "org-usage-upload-decide": Rule({"POST": "analyst"}),
    "org-usage-upload-cancel": Rule({"POST": "analyst"}),
    "org-reports": Rule({"GET": "viewer"}),
    "org-report-generate": Rule({"POST": "analyst"}),
    "org-report": Rule({"GET": "viewer"}),
    "org-report-csv": Rule({"GET": "viewer"}),
    "org-report-pdf": Rule({"GET": "viewer"}),
    "org-report-regenerate": Rule({"POST": "analyst"}),
    "org-members": Rule({"GET": "admin", "POST": "admin"}),
    "org-settings": Rule({"GET": "admin", "POST": "admin"}),
    # API
    "api-usage-upload-list": Rule({"GET": "viewer", "POST": "analyst"}, api=True),
    "api-usage-upload-detail": Rule({"GET": "viewer"}, api=True),
    "api-usage-upload-confirm": Rule({"POST": "analyst"}, api=True),
    "api-usage-upload-decide": Rule({"POST": "analyst"}, api=True),
    "api-usage-upload-cancel": Rule({"POST": "analyst"}, api=True),
    "api-org-usage-record-list": Rule({"GET": "viewer", "POST": "analyst", "DELETE": "analyst"}, api=True),
    "api-org-usage-record-detail": Rule({"GET": "viewer", "DELETE": "analyst"}, api=True),
    "api-org-footprint-list": Rule({"GET": "viewer"}, api=True),
    "api-org-kpis": Rule({"GET": "viewer"}, api=True),
    "api-org-report-list": Rule({"GET": "viewer", "POST": "analyst"}, api=True),
    "api-org-report-detail": Rule({"GET": "viewer"}, api=True),
    "api-org-report-csv": Rule({"GET": "viewer"}, api=True),
    "api-org-report-pdf": Rule({"GET": "viewer"}, api=True),
    "api-org-report-regenerate": Rule({"POST": "analyst"}, api=True),
}


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and p.name:
            yield p.name, prefix + str(p.pattern)


def organisation_routes() -> dict[str, str]:
    return {
        name: route
        for name, route in _walk(get_resolver().url_patterns)
        if route.startswith(("orgs/<slug:slug>/", "api/v1/orgs/<slug:slug>/"))
    }


def test_every_organisation_url_has_a_rule_in_this_matrix():
    routes = organisation_routes()
    assert routes, "no organisation URLs found"
    assert sorted(set(routes) - set(RULES)) == [], "organisation URLs without a role rule"
    assert sorted(set(RULES) - set(routes)) == [], "rules for URLs that no longer exist"


@pytest.fixture
def objects(people):
    """An upload and a report in each organisation (ids are what the object URLs take)."""
    made = {}
    for organisation in (people.organisation, people.other):
        upload = UsageUpload.objects.create(
            organisation=organisation, filename="usage.csv", format="csv", sha256="0" * 64,
            status=UsageUpload.Status.REJECTED, errors=[{"row": 2, "column": "model", "message": "unknown"}],
        )  # fmt: skip
        period = Period(dt.date(2025, 1, 1), "monthly")
        snapshot = snapshot_build(  # a report of no usage: enough to render every report URL
            [], organisation={"name": organisation.name, "slug": organisation.slug}, period=period,
            methodology_version="test", inputs={"usage": "u", "factors": "f"}, citations=[], spend_sources={},
            generated_at=timezone.now(),
        )  # fmt: skip
        report = Report.objects.create(
            organisation=organisation, kind=period.kind, period_start=period.start, period_end=period.end,
            methodology_version="test", fingerprint="0" * 64, snapshot=snapshot,
        )  # fmt: skip
        made[organisation.slug] = {"upload_id": upload.pk, "report_id": report.pk, "chart": next(iter(CHARTS)),
                                   "record_id": _record(organisation).pk}  # fmt: skip
    return made


def _record(organisation: Organisation) -> UsageRecord:
    """A usage record (its rate need not be computed: the matrix reads permissions, not figures)."""
    vendor = Vendor.objects.get_or_create(slug="matrix", defaults={"name": "Matrix", "source": _source()})[0]
    model = AIModel.objects.get_or_create(
        slug="matrix/model", defaults={"vendor": vendor, "name": "Matrix model", "task": "text-generation",
                                       "architecture": "dense", "source": _source()},
    )[0]  # fmt: skip
    rate = FootprintRate.objects.get_or_create(ai_model=model, region=None, month=dt.date(2025, 1, 1))[0]
    return UsageRecord.objects.create(organisation=organisation, month=rate.month, ai_model=model, rate=rate,
                                      requests=10, input_tokens=100, output_tokens=50)  # fmt: skip


def _source() -> Source:
    return Source.objects.get_or_create(
        key="matrix", defaults={"publisher": "Tests", "title": "Matrix", "licence": "-"}
    )[0]


def _url(name: str, slug: str, ids: dict) -> str:
    route = organisation_routes()[name]
    kwargs = {"slug": slug, **{k: v for k, v in ids.items() if f":{k}>" in route}}
    return reverse(name, kwargs=kwargs)


def _call(client, method: str, url: str, api: bool):
    if method == "GET":
        return client.get(url, HTTP_ACCEPT="application/json" if api else "text/html")
    if method == "DELETE":
        return client.delete(url, HTTP_ACCEPT="application/json")
    return client.post(url, {}, content_type="application/json") if api else client.post(url, {})


CASES = [(name, method) for name, rule in RULES.items() for method in rule.methods]


@pytest.mark.parametrize(("name", "method"), CASES, ids=[f"{m} {n}" for n, m in CASES])
def test_roles_get_exactly_their_rights_and_outsiders_nothing(client, people, objects, name, method):
    rule = RULES[name]
    needed = rule.methods[method]
    acme = _url(name, "acme", objects["acme"])
    for role in ROLES:
        client.force_login(people.by_role(role))
        if method == "DELETE" and "record_id" in organisation_routes()[name]:  # each role deletes its own record
            acme = _url(name, "acme", {**objects["acme"], "record_id": _record(people.organisation).pk})
        status = _call(client, method, acme, rule.api).status_code
        if RANK[role] >= RANK[needed]:
            assert status not in (403, 404) and status < 500, f"{role} {method} {acme}: {status}"
        else:
            assert status == 403, f"{role} {method} {acme}: {status}, expected 403"
    client.force_login(people.outsider)  # admin of globex, nothing in acme
    assert _call(client, method, acme, rule.api).status_code == 404, f"outsider {method} {acme}"
    assert _call(client, method, _url(name, "no-such-org", objects["acme"]), rule.api).status_code == 404


OBJECT_CASES = [(name, method) for name, method in CASES if "_id>" in organisation_routes().get(name, "")]


@pytest.mark.parametrize(("name", "method"), OBJECT_CASES, ids=[f"{m} {n}" for n, m in OBJECT_CASES])
def test_an_object_of_another_organisation_is_not_found_through_this_one(client, people, objects, name, method):
    client.force_login(people.admin)  # admin of acme asks for globex's object through acme's address
    crossed = _url(name, "acme", {**objects["acme"], **{k: v for k, v in objects["globex"].items() if k != "chart"}})
    assert _call(client, method, crossed, RULES[name].api).status_code == 404, crossed


@pytest.mark.parametrize(("name", "method"), CASES, ids=[f"{m} {n}" for n, m in CASES])
def test_anonymous_visitors_are_sent_to_sign_in_or_refused(client, people, objects, name, method):
    response = _call(client, method, _url(name, "acme", objects["acme"]), RULES[name].api)
    if RULES[name].api:
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_role_change_takes_effect_at_once(client, people, objects):
    client.force_login(people.viewer)
    url = _url("org-members", "acme", objects["acme"])
    assert client.get(url).status_code == 403
    people.organisation.memberships.filter(user=people.viewer).update(role=Role.ADMIN)
    assert client.get(url).status_code == 200
    assert Organisation.objects.count() == 2
