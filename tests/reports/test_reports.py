"""Reports: generating them (services and pages), their figures against a direct computation, freezing, the
difference after a factor change, regeneration, and who may do what."""

from __future__ import annotations

import copy
import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from emissions.models import FootprintRate, Source, SpendFactor
from emissions.models.footprints import USAGE_FIELDS, rate_column
from emissions.services.factors import FactorInput, factor_approve, factor_create_draft
from reports.models import Report, UsageRecord
from reports.selectors import report_changes, report_periods
from reports.services.reports import report_generate, report_regenerate
from reports.services.usage import UsageInput, usage_records_create
from reports.snapshots.display import figure
from tests.vendors.dashboard_catalogue import run_pending_jobs
from vendors.models import AIModel, GridZone, Region

pytestmark = pytest.mark.django_db

MONTHS = [dt.date(2024, 12, 1), *(dt.date(2025, m, 1) for m in range(1, 7))]
SPEND_MONTH = dt.date(2025, 2, 1)
SPEND_FACTOR = (0.2, 0.35, 0.6)  # kg CO2e per USD (low, central, high): a test value


def record_usage(organisation) -> None:
    """Text and image usage in two regions (and one model with none) from December 2024 to June 2025."""
    llama, gemini = AIModel.objects.get(slug="meta/llama-3.1-8b"), AIModel.objects.get(slug="google/gemini-test")
    small, sd = AIModel.objects.get(slug="google/gemini-small-test"), AIModel.objects.get(slug="stability/sd-test")
    west, east = Region.objects.get(slug="gcp/europe-west4"), Region.objects.get(slug="gcp/us-east4")
    records = []
    for i, month in enumerate(MONTHS):
        records += [
            UsageInput(month=month, ai_model=gemini, region=west, requests=1_000 + i, input_tokens=900_000 + 13 * i,
                       output_tokens=350_000),
            UsageInput(month=month, ai_model=gemini, region=east, requests=400, input_tokens=300_000,
                       output_tokens=90_000 + i),
            UsageInput(month=month, ai_model=llama, requests=2_000, input_tokens=1_500_000, output_tokens=800_000),
            UsageInput(month=month, ai_model=sd, requests=50 + i, output_tokens=50 + i),
        ]  # fmt: skip
        if month.month % 2:
            records.append(UsageInput(month=month, ai_model=small, requests=10, input_tokens=7_000, output_tokens=900))
    usage_records_create(organisation=organisation, records=records)
    run_pending_jobs()


def add_spend_usage(organisation, *, month=SPEND_MONTH, spend=Decimal("1234.50"), factor=True) -> None:
    """Two spend-based records of Gemini in europe-west4 (and, unless told not to, a USD spend factor in force)."""
    if factor:
        SpendFactor.objects.create(
            currency="USD", kg_co2e_per_unit_low=SPEND_FACTOR[0], kg_co2e_per_unit=SPEND_FACTOR[1],
            kg_co2e_per_unit_high=SPEND_FACTOR[2], valid_from=dt.date(2024, 1, 1),
            source=Source.objects.get(key="ember-test"), note="test factor",
        )  # fmt: skip
    gemini, west = AIModel.objects.get(slug="google/gemini-test"), Region.objects.get(slug="gcp/europe-west4")
    usage_records_create(organisation=organisation, records=[
        UsageInput(month=month, ai_model=gemini, region=west, requests=0, tier="spend", spend=amount, currency="USD")
        for amount in (spend, Decimal("100"))
    ])  # fmt: skip
    run_pending_jobs()


METRIC_SUMS = {
    "energy_kwh": ("energy_kwh",),
    "co2e_location_kg": ("operational_co2e_kg", "embodied_co2e_kg"),
    "co2e_market_kg": ("operational_co2e_market_kg", "embodied_co2e_kg"),
    "water_l": ("water_l",),
}


def direct_footprint(records) -> dict[str, list[float]]:
    """Each record's usage times its rate, summed: computed here from the raw records, not from the rollups."""
    totals = {metric: [0.0, 0.0, 0.0] for metric in METRIC_SUMS}
    for record in records:
        for metric, stored in METRIC_SUMS.items():
            for side in range(3):
                totals[metric][side] += sum(
                    getattr(record, usage) * getattr(record.rate, rate_column(m, side, unit))
                    for m in stored
                    for unit, usage in enumerate(USAGE_FIELDS)
                )
        if record.tier == "spend":
            for side in range(3):
                totals["co2e_location_kg"][side] += float(record.spend) * SPEND_FACTOR[side]
                totals["co2e_market_kg"][side] += float(record.spend) * SPEND_FACTOR[side]
    return totals


def records_in(organisation, start, end, **filters):
    return UsageRecord.objects.filter(
        organisation=organisation, month__gte=start, month__lt=end, **filters
    ).select_related("rate")


def assert_triples_equal(actual: dict, expected: dict) -> None:
    for metric, sides in expected.items():
        assert actual[metric] == pytest.approx(sides, rel=1e-9), metric


@pytest.fixture
def acme(people, usage_catalogue):
    record_usage(people.organisation)
    return people.organisation


def approve_nld_grid(curator, value: float) -> None:
    """A new grid intensity for the Netherlands (gcp/europe-west4) from 2025, recomputed in-process."""
    draft = factor_create_draft(data=FactorInput(
        kind="grid_intensity_location", subject=GridZone.objects.get(code="NLD"), value=value, unit="gCO2e/kWh",
        valid_from=dt.date(2025, 1, 1), source=Source.objects.get(key="ember-test"),
    ))  # fmt: skip
    factor_approve(factor=draft, user=curator)
    run_pending_jobs()


# -- generating -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "start", "end", "label"),
    [
        ("monthly", dt.date(2025, 2, 1), dt.date(2025, 3, 1), "February 2025"),
        ("quarterly", dt.date(2025, 1, 1), dt.date(2025, 4, 1), "Q1 2025"),
        ("yearly", dt.date(2025, 1, 1), dt.date(2026, 1, 1), "2025"),
    ],
)
def test_each_kind_of_report_covers_its_calendar_period_and_matches_usage_times_rates(acme, people, kind, start, end,
                                                                                     label):  # fmt: skip
    report = report_generate(organisation=acme, kind=kind, period_start=start, user=people.analyst)
    assert (report.kind, report.period_start, report.period_end, report.created_by) == (
        kind,
        start,
        end,
        people.analyst,
    )
    snapshot = report.snapshot
    assert (snapshot["period"]["label"], snapshot["organisation"]["name"]) == (label, "Acme")
    records = list(records_in(acme, start, end))
    assert_triples_equal(snapshot["totals"], direct_footprint(records))
    assert snapshot["totals"]["requests"] == sum(r.requests for r in records)
    assert snapshot["totals"]["records"] == len(records)
    assert [m["month"] for m in snapshot["by_month"]] == [
        dt.date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1).isoformat()
        for i in range((end.year - start.year) * 12 + end.month - start.month)
    ]


def test_every_vendor_model_and_month_of_a_yearly_report_matches_its_own_records(acme, people):
    start, end = dt.date(2025, 1, 1), dt.date(2026, 1, 1)
    snapshot = report_generate(organisation=acme, kind="yearly", period_start=start, user=people.analyst).snapshot
    for vendor in snapshot["by_vendor"]:
        expected = direct_footprint(records_in(acme, start, end, ai_model__vendor__slug=vendor["vendor_slug"]))
        assert_triples_equal(vendor, expected)
    for model in snapshot["by_model"]:
        assert_triples_equal(model, direct_footprint(records_in(acme, start, end, ai_model__slug=model["model_slug"])))
        for region in model["regions"]:
            place = {"region__slug": region["region_slug"]} if region["region_slug"] else {"region__isnull": True}
            in_region = records_in(acme, start, end, ai_model__slug=model["model_slug"], **place)
            assert_triples_equal(region, direct_footprint(in_region))
    for month in snapshot["by_month"]:
        assert_triples_equal(month, direct_footprint(records_in(acme, start, end, month=month["month"])))
    assert sum(v["share"] for v in snapshot["by_vendor"]) == pytest.approx(1.0, rel=1e-12)
    assert {v["vendor_slug"] for v in snapshot["by_vendor"]} == {"google", "meta", "stability"}
    locations = [v["co2e_location_kg"][1] for v in snapshot["by_vendor"]]
    assert locations == sorted(locations, reverse=True)


def test_spend_based_records_add_co2e_from_their_spend_factor_and_no_energy_or_water(acme, people):
    start = dt.date(2025, 1, 1)
    before = report_generate(organisation=acme, kind="quarterly", period_start=start).snapshot
    add_spend_usage(acme)
    after = report_generate(organisation=acme, kind="quarterly", period_start=start, user=people.analyst).snapshot
    spend = 1234.5 + 100
    expected_co2e = [spend * k for k in SPEND_FACTOR]
    assert after["totals"]["co2e_spend_based_kg"] == pytest.approx(expected_co2e, rel=1e-12)
    for basis in ("co2e_location_kg", "co2e_market_kg"):
        added = [a - b for a, b in zip(after["totals"][basis], before["totals"][basis], strict=True)]
        assert added == pytest.approx(expected_co2e, rel=1e-9)
    assert after["totals"]["energy_kwh"] == before["totals"]["energy_kwh"]
    assert after["totals"]["water_l"] == before["totals"]["water_l"]
    assert_triples_equal(after["totals"], direct_footprint(records_in(acme, start, dt.date(2025, 4, 1))))
    tiers = {t["tier"]: t for t in after["by_tier"]}
    assert tiers["spend"]["records"] == 2 and tiers["spend"]["spend"] == {"USD": pytest.approx(spend)}
    total = after["totals"]["co2e_location_kg"][1]
    assert tiers["spend"]["share"] == pytest.approx(expected_co2e[1] / total, rel=1e-9)
    assert sum(t["share"] for t in after["by_tier"]) == pytest.approx(1.0, rel=1e-12)
    [factor] = after["spend_factors"]
    assert (factor["currency"], factor["kg_co2e_per_unit"], factor["months"]) == (
        "USD", list(SPEND_FACTOR), [SPEND_MONTH.isoformat()],
    )  # fmt: skip
    assert factor["source"]["key"] == "ember-test" and factor["note"] == "test factor"


def test_spend_without_a_spend_factor_is_reported_as_a_gap_not_as_zero_silently(acme):
    add_spend_usage(acme, factor=False)
    snapshot = report_generate(organisation=acme, kind="monthly", period_start=SPEND_MONTH).snapshot
    [gap] = snapshot["gaps"]
    assert (gap["reason"], gap["currency"], gap["records"]) == ("no_spend_factor", "USD", 2)
    assert snapshot["totals"]["co2e_spend_based_kg"] == [0.0, 0.0, 0.0]


def test_citations_are_the_factor_versions_each_rate_recorded(acme):
    start, end = dt.date(2025, 1, 1), dt.date(2025, 4, 1)
    snapshot = report_generate(organisation=acme, kind="quarterly", period_start=start).snapshot
    rate_ids = records_in(acme, start, end).values_list("rate_id", flat=True)
    expected = set()
    for versions in FootprintRate.objects.filter(pk__in=rate_ids).values_list("factor_versions", flat=True):
        expected |= {(int(factor_id), version) for factor_id, version in versions.items()}
    assert {(c["factor_id"], c["version"]) for c in snapshot["citations"]} == expected
    grid = next(c for c in snapshot["citations"] if c["kind"] == "grid_intensity_location" and "NLD" in c["subject"])
    assert (grid["value"], grid["unit"], grid["source"]["key"], grid["source"]["licence"]) == (
        268, "gCO2e/kWh", "ember-test", Source.objects.get(key="ember-test").licence,
    )  # fmt: skip


def test_a_report_is_refused_for_a_period_without_usage_or_a_misaligned_start_or_an_unknown_kind(acme):
    with pytest.raises(ValidationError) as error:
        report_generate(organisation=acme, kind="monthly", period_start=dt.date(2023, 5, 1))
    assert "no usage in May 2023" in error.value.message_dict["period"][0]
    with pytest.raises(ValidationError) as error:
        report_generate(organisation=acme, kind="quarterly", period_start=dt.date(2025, 2, 1))
    assert "1 January 2025, not 1 February 2025" in error.value.message_dict["period"][0]
    with pytest.raises(ValidationError) as error:
        report_generate(organisation=acme, kind="weekly", period_start=dt.date(2025, 1, 1))
    assert "kind" in error.value.message_dict
    assert not Report.objects.exists()


def test_a_report_waits_for_footprints_still_being_computed(acme, people, client):
    llama = AIModel.objects.get(slug="meta/llama-3.1-8b")
    usage_records_create(organisation=acme, records=[UsageInput(month=dt.date(2025, 9, 1), ai_model=llama, requests=5)])
    with pytest.raises(ValidationError) as error:
        report_generate(organisation=acme, kind="monthly", period_start=dt.date(2025, 9, 1))
    assert "still being computed" in error.value.message_dict["period"][0]
    client.force_login(people.analyst)
    response = client.post("/orgs/acme/reports/generate/", {"kind": "monthly", "period": "2025-09"})
    assert response.status_code == 400
    assert ">Period</a>: Footprints for September 2025 are still being computed" in response.content.decode()
    assert not Report.objects.exists()
    run_pending_jobs()
    assert report_generate(organisation=acme, kind="monthly", period_start=dt.date(2025, 9, 1)).pk


def test_the_periods_offered_are_those_with_usage_newest_first(acme):
    periods = report_periods(acme)
    assert [p.token for p in periods["monthly"]] == [f"{m:%Y-%m}" for m in reversed(MONTHS)]
    assert [p.token for p in periods["quarterly"]] == ["2025-Q2", "2025-Q1", "2024-Q4"]
    assert [p.token for p in periods["yearly"]] == ["2025", "2024"]


# -- frozen reports, differences and regeneration -------------------------------------------------------------------


DIFFERENCE_ROW = r'{label}</th><td>kg CO₂e</td><td class="num">([^<]*)</td><td class="num">([^<]*)</td>'


def test_a_factor_change_leaves_the_report_as_generated_and_shows_the_difference_to_regenerate(acme, people, curator,
                                                                                               client):  # fmt: skip
    report = report_generate(organisation=acme, kind="quarterly", period_start=dt.date(2025, 1, 1), user=people.analyst)
    frozen = copy.deepcopy(report.snapshot)
    assert not report_changes(report).changed
    approve_nld_grid(curator, 268 * 2)
    report.refresh_from_db()
    assert report.snapshot == frozen
    changes = report_changes(report)
    assert (changes.factors_changed, changes.usage_changed, changes.computing) == (True, False, False)
    client.force_login(people.analyst)
    page = client.get(f"/orgs/acme/reports/{report.pk}/").content.decode()
    assert "Emission factors changed since this report was generated" in page
    assert f'action="/orgs/acme/reports/{report.pk}/regenerate/"' in page

    response = client.post(f"/orgs/acme/reports/{report.pk}/regenerate/")
    new = Report.objects.exclude(pk=report.pk).get()
    assert response.status_code == 302 and response.url == f"/orgs/acme/reports/{new.pk}/"
    assert new.supersedes == report and new.created_by == people.analyst
    records = records_in(acme, dt.date(2025, 1, 1), dt.date(2025, 4, 1))
    assert_triples_equal(new.snapshot["totals"], direct_footprint(records))
    for line in changes.difference["totals"]:
        old, now = frozen["totals"][line["metric"]][1], new.snapshot["totals"][line["metric"]][1]
        assert (line["old"], line["new"]) == (old, now)
        assert line["change"] == pytest.approx(now - old, rel=1e-12)
        assert line["percent"] == pytest.approx(100 * (now - old) / old, rel=1e-9)
    google = next(v for v in changes.difference["vendors"] if v["vendor_slug"] == "google")
    new_google = next(v for v in new.snapshot["by_vendor"] if v["vendor_slug"] == "google")
    assert google["location"]["new"] == new_google["co2e_location_kg"][1]
    assert google["location"]["new"] > google["location"]["old"]  # twice the Dutch grid: more CO2e
    meta = next(v for v in changes.difference["vendors"] if v["vendor_slug"] == "meta")
    assert meta["location"]["change"] == 0  # Llama runs in Virginia: untouched
    difference_table = page[page.index('id="difference-totals-caption"') :]
    shown = re.search(DIFFERENCE_ROW.format(label="CO₂e, location-based"), difference_table)
    assert shown.groups() == (figure(frozen["totals"]["co2e_location_kg"][1]),
                              figure(new.snapshot["totals"]["co2e_location_kg"][1]))  # fmt: skip

    cited = {c["value"] for c in new.snapshot["citations"] if c["kind"] == "grid_intensity_location"}
    assert 536 in cited and 268 not in cited
    assert 268 in {c["value"] for c in frozen["citations"] if c["kind"] == "grid_intensity_location"}
    old_page = client.get(f"/orgs/acme/reports/{report.pk}/").content.decode()
    assert "Superseded." in old_page and f"/orgs/acme/reports/{new.pk}/" in old_page
    assert "changed since this report was generated" not in old_page
    new_page = client.get(f"/orgs/acme/reports/{new.pk}/").content.decode()
    assert f'supersedes <a href="/orgs/acme/reports/{report.pk}/">#{report.pk}</a>' in new_page
    assert "changed since" not in new_page
    listing = client.get("/orgs/acme/reports/").content.decode()
    assert f'Superseded by <a href="/orgs/acme/reports/{new.pk}/">#{new.pk}</a>' in listing


def test_new_usage_in_the_period_is_named_as_the_change(acme, people, client):
    report = report_generate(organisation=acme, kind="monthly", period_start=dt.date(2025, 3, 1))
    llama = AIModel.objects.get(slug="meta/llama-3.1-8b")
    usage_records_create(organisation=acme, records=[UsageInput(month=dt.date(2025, 3, 1), ai_model=llama, requests=9,
                                                                input_tokens=10_000, output_tokens=4_000)])  # fmt: skip
    changes = report_changes(report)
    assert changes.usage_changed
    client.force_login(people.viewer)
    page = client.get(f"/orgs/acme/reports/{report.pk}/").content.decode()
    assert "Usage changed since this report was generated" in page
    assert "regenerate/" not in page and "An analyst or an admin of Acme can regenerate it." in page
    energy = next(line for line in changes.difference["totals"] if line["metric"] == "energy_kwh")
    assert energy["new"] > energy["old"]


def test_regenerating_is_refused_when_nothing_changed_or_when_already_superseded(acme, people, curator, client):
    report = report_generate(organisation=acme, kind="monthly", period_start=dt.date(2025, 3, 1))
    with pytest.raises(ValidationError, match="Nothing changed"):
        report_regenerate(report=report, user=people.analyst)
    client.force_login(people.analyst)
    response = client.post(f"/orgs/acme/reports/{report.pk}/regenerate/", follow=True)
    assert f"Nothing changed since report #{report.pk} was generated." in response.content.decode()
    assert Report.objects.count() == 1
    approve_nld_grid(curator, 100)
    newer = report_regenerate(report=report, user=people.analyst)
    with pytest.raises(ValidationError, match=f"already superseded by report #{newer.pk}"):
        report_regenerate(report=report, user=people.analyst)
    assert Report.objects.count() == 2


# -- pages ---------------------------------------------------------------------------------------------------------


def test_the_list_page_offers_only_periods_with_usage_newest_first(acme, people, client):
    client.force_login(people.analyst)
    page = client.get("/orgs/acme/reports/").content.decode()
    assert '<option value="2025-06">June 2025</option>' in page
    assert '<option value="2025-Q1">Q1 2025 (January–March 2025)</option>' in page
    assert '<option value="2024">2024</option>' in page
    assert 'value="2025-07"' not in page and 'value="2023"' not in page and 'value="2025-Q3"' not in page
    assert page.index('value="2025-06"') < page.index('value="2025-05"') < page.index('value="2024-12"')


@pytest.mark.parametrize(
    ("kind", "period", "start", "end"),
    [
        ("monthly", "2025-02", dt.date(2025, 2, 1), dt.date(2025, 3, 1)),
        ("quarterly", "2025-Q1", dt.date(2025, 1, 1), dt.date(2025, 4, 1)),
        ("yearly", "2024", dt.date(2024, 1, 1), dt.date(2025, 1, 1)),
    ],
)
def test_the_list_page_generates_each_kind_of_report_and_lists_it(acme, people, client, kind, period, start, end):
    client.force_login(people.analyst)
    response = client.post("/orgs/acme/reports/generate/", {"kind": kind, "period": period})
    report = Report.objects.get()
    assert response.status_code == 302 and response.url == f"/orgs/acme/reports/{report.pk}/"
    assert (report.kind, report.period_start, report.period_end, report.created_by) == (
        kind, start, end, people.analyst,
    )  # fmt: skip
    assert_triples_equal(report.snapshot["totals"], direct_footprint(records_in(acme, start, end)))
    listing = client.get("/orgs/acme/reports/").content.decode()
    for suffix in ("/", ".csv", ".pdf"):
        assert f'href="/orgs/acme/reports/{report.pk}{suffix}"' in listing
    assert "acme-analyst" in listing and "Current" in listing
    assert client.get(response.url).status_code == 200


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "monthly", "period": "2025-Q1"}, "Period", "Q1 2025 is a quarter: a monthly report covers a month"),
        ({"kind": "yearly", "period": "2019"}, "Period", "“2019” is not a period with usage"),
        ({"kind": "weekly", "period": "2025"}, "Kind", "“weekly” is not a kind of report"),
        ({"kind": "yearly"}, "Period", "This field is required."),
    ],
)
def test_a_bad_generation_request_says_which_field_is_wrong_and_writes_nothing(acme, people, client, data, field,
                                                                              message):  # fmt: skip
    client.force_login(people.analyst)
    response = client.post("/orgs/acme/reports/generate/", data)
    page = response.content.decode()
    assert response.status_code == 400
    assert re.search(rf">{field}</a>: {re.escape(message)}", page), page[page.find('class="errors"') :][:600]
    assert 'aria-invalid="true"' in page
    assert not Report.objects.exists()


FRAMING = (
    "Scope 3, Category 1: Purchased goods and services — AI inference services",
    "Training of the models is excluded",
    "Location-based:",
    "Market-based:",
    "Average-data method",
    "Spend-based method",
    "scenario range",
    "methodology version 2026.11",
    'href="http://testserver/methodology/"',
)


def test_a_report_page_shows_the_snapshot_framing_and_one_h1(acme, people, client):
    report = report_generate(organisation=acme, kind="quarterly", period_start=dt.date(2025, 1, 1), user=people.admin)
    client.force_login(people.viewer)
    page = client.get(f"/orgs/acme/reports/{report.pk}/").content.decode()
    assert page.count("<h1") == 1
    framing = [*FRAMING, f"Report id</dt><dd>#{report.pk}", "1 January 2025 – 31 March 2025", "acme-admin"]
    for text in framing:
        assert text in page, text
    totals = report.snapshot["totals"]
    for metric in ("co2e_location_kg", "co2e_market_kg", "energy_kwh", "water_l"):
        low, central, high = (figure(v) for v in totals[metric])
        assert f'<td class="num">{low}</td><td class="num">{central}</td><td class="num">{high}</td>' in page
    # The page prints the snapshot, not current data: a doctored snapshot shows as stored.
    report.snapshot["totals"]["water_l"] = [1.0, 2.0, 3.0]
    report.save(update_fields=["snapshot"])
    page = client.get(f"/orgs/acme/reports/{report.pk}/").content.decode()
    assert '<td class="num">1</td><td class="num">2</td><td class="num">3</td>' in page


# -- who may do what ------------------------------------------------------------------------------------------------


@pytest.fixture
def reports_of_both(acme, people):
    """A report of Acme's, and one of Globex's (which the outsider administers)."""
    record_usage(people.other)
    mine = report_generate(organisation=acme, kind="monthly", period_start=dt.date(2025, 1, 1))
    theirs = report_generate(organisation=people.other, kind="monthly", period_start=dt.date(2025, 1, 1))
    return mine, theirs


def report_urls(slug: str, report_id: int) -> list[tuple[str, str]]:
    base = f"/orgs/{slug}/reports/"
    return [("get", base), ("post", base + "generate/"), ("get", f"{base}{report_id}/"),
            ("get", f"{base}{report_id}.csv"), ("get", f"{base}{report_id}.pdf"),
            ("post", f"{base}{report_id}/regenerate/")]  # fmt: skip


def test_a_viewer_reads_and_downloads_but_may_not_generate_or_regenerate(reports_of_both, people, client):
    mine, _ = reports_of_both
    client.force_login(people.viewer)
    for method, url in report_urls("acme", mine.pk):
        expected = 403 if method == "post" else 200
        assert getattr(client, method)(url, {"kind": "monthly", "period": "2025-02"}).status_code == expected, url
    assert Report.objects.count() == 2
    page = client.get("/orgs/acme/reports/").content.decode()
    assert "generate/" not in page and "Generate a report" not in page


def test_an_outsider_gets_404_on_every_report_url_even_for_a_report_id_of_their_own(reports_of_both, people, client):
    mine, theirs = reports_of_both
    client.force_login(people.outsider)
    for method, url in report_urls("acme", mine.pk) + report_urls("acme", theirs.pk):
        assert getattr(client, method)(url).status_code == 404, url
    client.force_login(people.admin)  # an Acme admin asking for Globex's report under Acme's address
    for method, url in report_urls("acme", theirs.pk)[2:]:
        assert getattr(client, method)(url).status_code == 404, url


def test_anonymous_visitors_are_sent_to_sign_in(reports_of_both, client):
    mine, _ = reports_of_both
    for method, url in report_urls("acme", mine.pk):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/?next="), url


def test_generating_and_regenerating_need_a_csrf_token(acme, people, curator):
    from django.test import Client

    report = report_generate(organisation=acme, kind="monthly", period_start=dt.date(2025, 1, 1))
    approve_nld_grid(curator, 300)
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.admin)
    assert client.post("/orgs/acme/reports/generate/", {"kind": "yearly", "period": "2025"}).status_code == 403
    assert client.post(f"/orgs/acme/reports/{report.pk}/regenerate/").status_code == 403
    assert Report.objects.count() == 1
