"""The recompute pipeline end to end: a real Celery worker (with beat), PostgreSQL and a private Redis.

Each test ends by comparing every stored footprint with a computation from scratch
(``tests.emissions.from_scratch``), so "the worker did something" is never enough: it must have done exactly
what a full recompute would.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.urls import reverse

from emissions.models import EmissionFactor, FootprintRate, ModelFootprint, RecomputeJob, Source, UsageRollup
from emissions.services.factors import FactorInput, factor_approve, factor_create_draft
from emissions.services.footprints import rollups_rebuild
from emissions.services.recompute import active_jobs, footprints_mark_all_stale, recompute_run
from reports.models import Organisation, UsageRecord
from reports.services.usage import UsageInput, usage_records_create
from tests.emissions.from_scratch import assert_footprints_match_from_scratch
from tests.emissions.worker.conftest import Worker
from vendors.models import AIModel, GridZone, Region

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

TIMEOUT = 30.0
CHANGELIST = reverse("admin:emissions_emissionfactor_changelist")
NLD_GRID_2024 = 268.0  # tests/fixtures/catalogue/zone_factors.csv
Status = RecomputeJob.Status


# -- helpers ---------------------------------------------------------------------------------------


def jobs_table() -> str:
    rows = RecomputeJob.objects.order_by("pk").values_list(
        "pk", "trigger", "status", "attempts", "progress_done", "progress_total", "affected_rates",
        "recomputed_rates", "skipped_newer", "covered_by_id", "error",
    )  # fmt: skip
    header = "(id, trigger, status, attempts, done, total, affected, recomputed, skipped, covered_by, error)"
    return "\n".join([header, *(str(row) for row in rows)])


def wait_for(what: str, condition: Callable[[], object], *workers: Worker, timeout: float = TIMEOUT):
    """Poll ``condition`` until it is truthy; on timeout fail with the jobs and the workers' logs."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- log of {w.name} (running: {w.running}) ---\n{w.log()}" for w in workers)
            pytest.fail(f"timed out after {timeout:g} s waiting for {what}\n{jobs_table()}\n{logs}")
        time.sleep(0.05)


def all_fresh() -> bool:
    return not (active_jobs().exists() or FootprintRate.objects.filter(stale_since__isnull=False).exists())


def wait_until_all_fresh(*workers: Worker, timeout: float = TIMEOUT) -> None:
    wait_for("every job to finish and every footprint to be fresh", all_fresh, *workers, timeout=timeout)


def months(first: dt.date, count: int) -> list[dt.date]:
    return [dt.date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1) for i in range(count)]


def draft(kind: str, subject, value: float, unit: str, valid_from: dt.date, **extra) -> EmissionFactor:
    source = Source.objects.get(key="ember-test" if kind.startswith("grid") else "google-test")
    return factor_create_draft(
        data=FactorInput(
            kind=kind, subject=subject, value=value, unit=unit, valid_from=valid_from, source=source, **extra
        )
    )


def nld_grid_draft(value: float, valid_from: dt.date, **extra) -> EmissionFactor:
    return draft("grid_intensity_location", GridZone.objects.get(code="NLD"), value, "gCO2e/kWh", valid_from, **extra)


def europe_west4_pue_draft(value: float, valid_from: dt.date, **extra) -> EmissionFactor:
    return draft("pue", Region.objects.get(slug="gcp/europe-west4"), value, "ratio", valid_from, **extra)


def serving_cells() -> list[tuple[AIModel, Region]]:
    """(model, region) for every serving region of the small catalogue's models."""
    return [(model, region) for model in AIModel.objects.order_by("pk") for region in model.serving_regions.all()]


def add_usage(organisation: Organisation, usage_months: list[dt.date], copies: int = 2) -> None:
    """``copies`` records per model, serving region and month, with different amounts (rollups must sum)."""
    usage_records_create(
        organisation=organisation,
        records=[
            UsageInput(month=month, ai_model=model, region=region, requests=100 + i, input_tokens=20_000 * (i + 1),
                       output_tokens=7_000 + 13 * i)
            for month in usage_months
            for model, region in serving_cells()
            for i in range(copies)
        ],
    )  # fmt: skip


def job_for(factor: EmissionFactor) -> RecomputeJob:
    """The job of the factor's approval (a later approval that closes the factor's period names it too)."""
    return RecomputeJob.objects.filter(factor_ids__contains=[factor.pk]).order_by("pk").first()


def assert_ran_on_the_worker(worker: Worker, job: RecomputeJob) -> None:
    """The task's result, as the worker logs it: the job really ran in the worker process."""
    assert f"{{'job': {job.pk}, 'status': 'succeeded'" in worker.output(), (
        f"job {job.pk} did not run on {worker.name}:\n{worker.log()}"
    )


def assert_sweeper_sent(worker: Worker, job: RecomputeJob) -> None:
    """The beat-driven sweep task ran on the worker and returned this job among those it sent."""
    sent = re.findall(r"sweep_stale_footprints\[[^\]]+\] succeeded in [^:]+: \[([\d, ]*)\]", worker.output())
    assert any(str(job.pk) in ids.replace(" ", "").split(",") for ids in sent), (
        f"the sweeper on {worker.name} never sent job {job.pk} (it sent {sent}):\n{worker.log()}"
    )


@pytest.fixture
def catalogue(private_redis, small_catalogue):
    """The small catalogue, loaded once the test process publishes to the private Redis (its job goes there)."""
    return small_catalogue


@pytest.fixture
def organisation(db) -> Organisation:
    return Organisation.objects.create(name="Acme", slug="acme")


# -- 1. the normal path ----------------------------------------------------------------------------


def test_an_approved_factor_is_recomputed_by_the_worker_exactly_as_from_scratch(
    start_worker, catalogue, organisation, curator
):
    worker = start_worker()
    other = Organisation.objects.create(name="Other", slug="other")
    add_usage(organisation, months(dt.date(2024, 7, 1), 12))
    add_usage(other, months(dt.date(2024, 10, 1), 6), copies=1)
    wait_until_all_fresh(worker)
    rates = FootprintRate.objects.values_list("pk", "computed_at", "operational_co2e_kg_per_output_token")
    before = {pk: (computed_at, co2e) for pk, computed_at, co2e in rates}

    factor = nld_grid_draft(200.0, dt.date(2025, 1, 1))
    factor_approve(factor=factor, user=curator)
    job = job_for(factor)
    wait_for("the approval's job to succeed", lambda: job_for(factor).status == Status.SUCCEEDED, worker)
    wait_until_all_fresh(worker)

    job.refresh_from_db()
    affected = set(
        FootprintRate.objects.filter(region__zone__code="NLD", month__gte=dt.date(2025, 1, 1)).values_list(
            "pk", flat=True
        )
    )
    # 6 usage months of 2025 for the one model served in europe-west4, and the catalogue's current month.
    assert len(affected) == 7
    rollups = UsageRollup.objects.filter(rate_id__in=affected)
    counts = {
        "affected_rates": job.affected_rates,
        "recomputed_rates": job.recomputed_rates,
        "affected_rollups": job.affected_rollups,
        "recomputed_rollups": job.recomputed_rollups,
        "affected_usage_records": job.affected_usage_records,
        "affected_model_footprints": job.affected_model_footprints,
        "recomputed_model_footprints": job.recomputed_model_footprints,
        "affected_training_footprints": job.affected_training_footprints,
        "skipped_newer": job.skipped_newer,
    }
    assert counts == {
        "affected_rates": 7,
        "recomputed_rates": 7,
        "affected_rollups": rollups.count(),
        "recomputed_rollups": rollups.count(),
        "affected_usage_records": UsageRecord.objects.filter(rate_id__in=affected).count(),
        "affected_model_footprints": ModelFootprint.objects.filter(rate_id__in=affected).count(),
        "recomputed_model_footprints": 1,
        "affected_training_footprints": 0,
        "skipped_newer": 0,
    }, jobs_table()
    assert rollups.count() == 9 and counts["affected_usage_records"] == 15  # 6 months x 2 + 3 months x 1
    assert job.progress_done == job.progress_total > 0
    assert (job.attempts, job.error, job.covered_by_id) == (1, "", None)

    # Only the affected rates were rewritten, and the location CO2e moved with the grid intensity.
    after = {pk: (computed_at, co2e) for pk, computed_at, co2e in rates.all()}
    rewritten = [pk for pk in before if pk not in affected and after[pk][0] != before[pk][0]]
    assert not rewritten, f"unaffected rates were rewritten: {rewritten}"
    for pk in affected:
        assert after[pk][1] / before[pk][1] == pytest.approx(200.0 / NLD_GRID_2024, rel=1e-12)
    assert_ran_on_the_worker(worker, job)
    assert_footprints_match_from_scratch()


# -- 2. a worker killed mid-job --------------------------------------------------------------------

BIG_MONTHS = 6_000  # x 3 (model, region) pairs: ~18,000 rates, usage records and rollups in one job


def add_many_months_of_usage(organisation: Organisation, count: int) -> list[dt.date]:
    """One usage record per serving cell and month for ``count`` months from 1700, created in SQL.

    Creating this many wide rate rows through the ORM takes ~10 s, so the rows are inserted set-based
    (fresh-looking, empty), and the services then do the rest: rollups are rebuilt from the records and
    ``footprints_mark_all_stale`` gives everything to one job, in the same transaction.
    """
    all_months = months(dt.date(1700, 1, 1), count)
    pairs = [(model.pk, region.pk) for model, region in serving_cells()]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO emissions_footprintrate (ai_model_id, region_id, month, version, computed_version, "
            "factor_versions, methodology_version) "
            "SELECT p.model_id, p.region_id, m.month::date, 1, 0, '{}', '' "
            "FROM unnest(%s::bigint[], %s::bigint[]) AS p(model_id, region_id), "
            "generate_series(%s::date, %s::date, interval '1 month') AS m(month) ON CONFLICT DO NOTHING",
            [[m for m, _ in pairs], [r for _, r in pairs], all_months[0], all_months[-1]],
        )
        cursor.execute(
            "INSERT INTO reports_usagerecord (organisation_id, month, ai_model_id, region_id, region_assumed, "
            "rate_id, requests, input_tokens, output_tokens, created_at) "
            "SELECT %s, month, ai_model_id, region_id, false, id, 1 + id %% 7, 1000 * (id %% 11), 10 * id, now() "
            "FROM emissions_footprintrate WHERE region_id IS NOT NULL AND month BETWEEN %s AND %s",
            [organisation.pk, all_months[0], all_months[-1]],
        )
        rollups_rebuild(organisation_id=organisation.pk, months=all_months)
        footprints_mark_all_stale(note="worker test: a big job")
    return all_months


def test_a_worker_killed_mid_job_is_replaced_and_the_sweeper_finishes_the_job(start_worker, catalogue, organisation):
    worker = start_worker()
    wait_until_all_fresh(worker)
    add_many_months_of_usage(organisation, BIG_MONTHS)
    big = RecomputeJob.objects.get(trigger=RecomputeJob.Trigger.MANUAL)
    assert big.affected_rates > 3 * BIG_MONTHS - 10 and big.affected_usage_records == UsageRecord.objects.count()
    wait_for(
        "the big job to be running with some progress",
        lambda: RecomputeJob.objects.filter(pk=big.pk, status=Status.RUNNING, progress_done__gt=0).exists(),
        worker,
    )
    worker.kill()  # SIGKILL to the whole process group: main process, pool child and beat

    big.refresh_from_db()
    stale = FootprintRate.objects.filter(stale_since__isnull=False).count()
    assert big.status == Status.RUNNING and stale == big.affected_rates, (
        f"the job was not interrupted (status {big.status}, {stale} stale rates): make it bigger\n{worker.log()}"
    )

    replacement = start_worker()
    wait_until_all_fresh(worker, replacement)
    big.refresh_from_db()
    assert (big.status, big.attempts, big.covered_by_id) == (Status.SUCCEEDED, 2, None), jobs_table()
    assert big.recomputed_rates == big.affected_rates, jobs_table()
    assert not RecomputeJob.objects.filter(status=Status.FAILED).exists(), jobs_table()
    assert_sweeper_sent(replacement, big)
    assert_ran_on_the_worker(replacement, big)
    assert_footprints_match_from_scratch()


# -- 3. the broker down while a curator approves ---------------------------------------------------


class _ConfirmationForm(HTMLParser):
    """The hidden fields of the page's form that posts back to the changelist (an admin confirmation page)."""

    def __init__(self):
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._inside = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._inside = a.get("method", "").lower() == "post" and a.get("action") in (None, "", CHANGELIST)
        elif tag == "input" and self._inside and (a.get("type") or "").lower() == "hidden" and a.get("name"):
            self.fields.append((a["name"], a.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._inside = False


def admin_approve(client, factor: EmissionFactor) -> list:
    """Approve through the changelist action, confirming if the admin asks for a confirmation first."""
    responses = [client.post(CHANGELIST, {"action": "approve_selected", "_selected_action": [factor.pk]})]
    factor.refresh_from_db()
    if factor.status == EmissionFactor.Status.DRAFT and responses[-1].status_code == 200:
        form = _ConfirmationForm()
        form.feed(responses[-1].content.decode())
        assert form.fields, f"neither approved nor asked to confirm:\n{responses[-1].content.decode()}"
        data: dict[str, list[str]] = {}
        for name, value in form.fields:
            data.setdefault(name, []).append(value)
        responses.append(client.post(CHANGELIST, data))
    if responses[-1].status_code == 302:
        responses.append(client.get(responses[-1].url))
    return responses


def test_approval_while_redis_is_down_succeeds_and_the_sweeper_recomputes_when_it_is_back(
    start_worker, private_redis, catalogue, organisation, curator, client
):
    worker = start_worker()
    add_usage(organisation, months(dt.date(2025, 1, 1), 4))
    wait_until_all_fresh(worker)
    factor = nld_grid_draft(150.0, dt.date(2025, 1, 1))
    client.force_login(curator)

    private_redis.stop()
    started = time.monotonic()
    responses = admin_approve(client, factor)
    elapsed = time.monotonic() - started
    codes = [r.status_code for r in responses]
    assert all(code < 500 for code in codes), codes
    page = responses[-1].content.decode()
    assert "not approved" not in page, page
    assert elapsed < 5, f"the approval waited {elapsed:.1f} s on the dead broker"
    factor.refresh_from_db()
    assert factor.status == EmissionFactor.Status.APPROVED
    job = job_for(factor)
    assert (job.status, job.enqueued_at) == (Status.PENDING, None), jobs_table()
    assert FootprintRate.objects.filter(stale_job=job).count() == job.affected_rates == 5  # 4 months + this month
    assert client.get(CHANGELIST).status_code == 200  # the admin keeps working without the broker
    wait_for("the worker to notice the outage", lambda: "Connection to broker lost" in worker.output(), worker)

    private_redis.start()  # empty: whatever was queued before the outage is gone as well
    wait_for("the sweeper to run the job", lambda: job_for(factor).status == Status.SUCCEEDED, worker)
    wait_until_all_fresh(worker)
    job.refresh_from_db()
    assert job.recomputed_rates == 5 and job.enqueued_at is not None, jobs_table()
    assert_sweeper_sent(worker, job)
    assert_footprints_match_from_scratch()


def test_reads_and_an_api_approval_keep_working_while_redis_is_down_and_the_recompute_catches_up(
    start_worker, private_redis, catalogue, organisation, curator, client
):
    worker = start_worker()
    add_usage(organisation, months(dt.date(2025, 1, 1), 3))
    wait_until_all_fresh(worker)
    factor = nld_grid_draft(140.0, dt.date(2025, 1, 1))
    client.force_login(curator)

    private_redis.stop()
    started = time.monotonic()
    reads = {
        url: client.get(url).status_code
        for url in (
            "/rankings/",
            "/api/v1/rankings/",
            "/api/v1/models/",
            f"/api/v1/factors/{factor.pk}/",
            "/methodology/",
        )
    }
    approval = client.post(reverse("api-factor-approve", args=[factor.pk]), content_type="application/json")
    elapsed = time.monotonic() - started
    assert set(reads.values()) == {200}, reads
    assert approval.status_code == 200, approval.content
    assert elapsed < 8, f"reads and the approval waited {elapsed:.1f} s on the dead broker"
    job = job_for(factor)
    assert job.status == Status.PENDING and job.enqueued_at is None, jobs_table()

    private_redis.start()
    wait_for("the sweeper to run the job", lambda: job_for(factor).status == Status.SUCCEEDED, worker)
    wait_until_all_fresh(worker)
    assert_footprints_match_from_scratch()


# -- 4. approvals racing each other and the worker -------------------------------------------------


def approve_in_threads(factors: list[EmissionFactor], user) -> list[BaseException]:
    """Approve each factor in its own thread (own database connection), all released at once."""
    barrier = threading.Barrier(len(factors))
    errors: list[BaseException] = []

    def approve(factor: EmissionFactor) -> None:
        try:
            barrier.wait(timeout=10)
            factor_approve(factor=factor, user=user)
        except BaseException as exc:  # noqa: BLE001 - reported to the test thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(f,)) for f in factors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


def test_overlapping_approvals_racing_each_other_and_a_running_job_end_equal_to_from_scratch(
    start_worker, catalogue, organisation, curator
):
    worker = start_worker()
    wait_until_all_fresh(worker)
    add_many_months_of_usage(organisation, BIG_MONTHS)
    big = RecomputeJob.objects.get(trigger=RecomputeJob.Trigger.MANUAL)
    wait_for(
        "the big job to be computing",
        lambda: RecomputeJob.objects.filter(pk=big.pk, status=Status.RUNNING, progress_done__gt=0).exists(),
        worker,
    )
    # While it computes: the grid of zone NLD and the PUE of europe-west4 (in NLD), approved at the same time,
    # both change rows the job has already claimed (europe-west4, the months before 2023), twice.
    approved = []
    for first, end, grid, pue in [(1800, 2023, 300.0, 1.3), (1750, 1800, 320.0, 1.4)]:
        start, stop = dt.date(first, 1, 1), dt.date(end, 1, 1)
        pair = [nld_grid_draft(grid, start, valid_to=stop), europe_west4_pue_draft(pue, start, valid_to=stop)]
        errors = approve_in_threads(pair, curator)
        assert not errors, errors
        approved += pair

    wait_until_all_fresh(worker)
    big.refresh_from_db()
    assert big.status == Status.SUCCEEDED, jobs_table()
    assert big.skipped_newer > 0, f"the approvals did not overlap the job's computation\n{jobs_table()}"
    assert {job_for(f).status for f in approved} == {Status.SUCCEEDED}, jobs_table()
    assert EmissionFactor.objects.filter(pk__in=[f.pk for f in approved], status="approved").count() == 4
    assert_ran_on_the_worker(worker, big)
    assert_footprints_match_from_scratch()


# -- 5. an invalid factor ------------------------------------------------------------------------------


def invalid_unit_draft() -> EmissionFactor:
    """Stored directly (as a broken import could): the database accepts the unit, validation does not."""
    return EmissionFactor.objects.create(
        kind="grid_intensity_location", zone=GridZone.objects.get(code="NLD"), value=200.0, unit="L/kWh",
        valid_from=dt.date(2025, 1, 1), source=Source.objects.get(key="ember-test"),
        status=EmissionFactor.Status.DRAFT,
    )  # fmt: skip


def overlapping_draft() -> EmissionFactor:
    """Inside the approved FRA 2023 period without superseding it: refused at approval, after the row locks."""
    return draft(
        "grid_intensity_location", GridZone.objects.get(code="FRA"), 50.0, "gCO2e/kWh", dt.date(2023, 6, 1),
        valid_to=dt.date(2023, 9, 1),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("make_draft", "bad_field"), [(invalid_unit_draft, "unit"), (overlapping_draft, "valid_from")],
    ids=["bad-unit", "overlap"],
)  # fmt: skip
def test_a_factor_failing_validation_is_not_approved_and_triggers_no_recompute(
    private_redis, postgres, catalogue, organisation, curator, make_draft, bad_field
):
    import redis

    add_usage(organisation, months(dt.date(2023, 1, 1), 3))
    for job in active_jobs():  # the baseline, computed here: no worker needed to prove nothing is sent
        recompute_run(job_id=job.pk)
    assert all_fresh()
    broker = redis.Redis.from_url(private_redis.url)
    queued = broker.llen("celery")
    jobs = RecomputeJob.objects.count()
    factors = list(EmissionFactor.objects.order_by("pk").values())
    factor = make_draft()

    with pytest.raises(ValidationError) as refused:
        factor_approve(factor=factor, user=curator)

    assert bad_field in refused.value.message_dict, refused.value
    factor.refresh_from_db()
    assert factor.status == EmissionFactor.Status.DRAFT
    assert list(EmissionFactor.objects.exclude(pk=factor.pk).order_by("pk").values()) == factors
    assert RecomputeJob.objects.count() == jobs
    assert broker.llen("celery") == queued
    assert_footprints_match_from_scratch()
