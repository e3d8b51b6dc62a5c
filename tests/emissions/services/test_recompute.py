"""The recompute pipeline in-process: what a change marks, what a run publishes, and that it matches per-record
estimates. (The same pipeline with a real worker process, a broker and faults: tests/emissions/worker.)"""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest

from emissions import estimation
from emissions.models import EmissionFactor, FootprintRate, ModelFootprint, RecomputeJob, Source, UsageRollup
from emissions.models.footprints import STORED_METRICS, metric_column
from emissions.services import recompute
from emissions.services.factors import FactorInput, factor_approve, factor_create_draft
from emissions.services.footprints import rates_ensure
from reports.models import Organisation, UsageRecord
from reports.services.usage import UsageInput, usage_records_create
from vendors.models import AIModel, GridZone, Region, Vendor

pytestmark = pytest.mark.django_db

MONTHS = [dt.date(year, month, 1) for year in (2023, 2024, 2025) for month in (1, 6, 11)]


def run_all() -> None:
    """Run every active job in-process, as a worker would."""
    for job in RecomputeJob.objects.filter(status__in=["pending", "running"]).order_by("pk"):
        recompute.recompute_run(job_id=job.pk)


@pytest.fixture
def usage(small_catalogue):
    """An organisation using both models in both regions (and once with no region) over three years."""
    organisation = Organisation.objects.create(name="Acme", slug="acme")
    llama, gemini = AIModel.objects.get(slug="meta/llama-3.1-8b"), AIModel.objects.get(slug="google/gemini-test")
    west, east = Region.objects.get(slug="gcp/europe-west4"), Region.objects.get(slug="gcp/us-east4")
    records = []
    for i, month in enumerate(MONTHS):
        records += [
            UsageInput(month=month, ai_model=gemini, region=west, requests=1_000 + i, input_tokens=900_000,
                       output_tokens=350_000 + 7 * i),
            UsageInput(month=month, ai_model=gemini, region=east, requests=500, input_tokens=400_000,
                       output_tokens=120_000),
            UsageInput(month=month, ai_model=llama, region=None, requests=2_000, input_tokens=1_500_000,
                       output_tokens=800_000),
        ]  # fmt: skip
    usage_records_create(organisation=organisation, records=records)
    run_all()
    return organisation


def draft(*, zone=None, region=None, kind="grid_intensity_location", value, unit="gCO2e/kWh", valid_from,
          valid_to=None, supersedes=None) -> EmissionFactor:  # fmt: skip
    subject = GridZone.objects.get(code=zone) if zone else Region.objects.get(slug=region)
    data = FactorInput(kind=kind, subject=subject, value=value, unit=unit, valid_from=valid_from, valid_to=valid_to,
                       source=Source.objects.get(key="ember-test"))  # fmt: skip
    return factor_create_draft(data=data, supersedes=supersedes)


def rollup_total(organisation, column="operational_co2e_kg", **filters) -> float:
    return sum(getattr(r, column) for r in UsageRollup.objects.filter(organisation=organisation, **filters))


def assert_rollups_equal_per_record_estimates(organisation) -> None:
    """Every rollup equals the sum of its records' footprints, each estimated on its own from the database."""
    expected: dict[int, dict[str, float]] = {}
    for record in UsageRecord.objects.filter(organisation=organisation).select_related("ai_model", "region__zone"):
        result = estimation.estimate_inference(
            model=record.ai_model, place=estimation.Place(region=record.region), on=record.month,
            input_tokens=record.input_tokens, output_tokens=record.output_tokens, requests=record.requests,
        )  # fmt: skip
        totals = expected.setdefault(record.rate_id, dict.fromkeys(STORED_METRICS_COLUMNS, 0.0))
        for metric in STORED_METRICS:
            for side, value in enumerate(getattr(result, metric).as_tuple()):
                totals[metric_column(metric, side)] += value
    rollups = {r.rate_id: r for r in UsageRollup.objects.filter(organisation=organisation)}
    assert rollups.keys() == expected.keys()
    for rate_id, totals in expected.items():
        for column, value in totals.items():
            assert getattr(rollups[rate_id], column) == pytest.approx(value, rel=1e-9), column


STORED_METRICS_COLUMNS = [metric_column(m, s) for m in STORED_METRICS for s in range(3)]


def test_loading_the_catalogue_creates_each_model_footprint_stale_under_one_job(small_catalogue):
    assert ModelFootprint.objects.count() == 3  # llama in us-east4; gemini in us-east4 and europe-west4
    assert not FootprintRate.objects.filter(stale_since__isnull=True).exists()
    job = RecomputeJob.objects.get()
    assert (job.trigger, job.status, job.affected_rates, job.affected_training_footprints) == (
        "catalogue_load", "pending", 3, 1,
    )  # fmt: skip


def test_a_run_publishes_rollups_equal_to_per_record_estimates(usage):
    assert not FootprintRate.objects.filter(stale_since__isnull=False).exists()
    assert_rollups_equal_per_record_estimates(usage)
    footprint = ModelFootprint.objects.select_related("ai_model", "region").get(
        ai_model__slug="google/gemini-test", region__slug="gcp/europe-west4"
    )
    direct = estimation.estimate_inference(
        model=footprint.ai_model, place=estimation.Place(region=footprint.region), on=footprint.month,
        input_tokens=1_000, output_tokens=400, requests=1,
    )  # fmt: skip
    assert footprint.operational_co2e_kg == pytest.approx(direct.operational_co2e_kg.central, rel=1e-12)
    assert footprint.breakdown["factors"] == [dict(ref) for ref in direct.factors]


def test_a_job_for_new_usage_counts_the_usage_it_covers(small_catalogue):
    organisation = Organisation.objects.create(name="Beta", slug="beta")
    gemini = AIModel.objects.get(slug="google/gemini-test")
    usage_records_create(organisation=organisation, records=[
        UsageInput(month=month, ai_model=gemini, requests=10, output_tokens=4_000) for month in MONTHS
    ])  # fmt: skip
    job = RecomputeJob.objects.get(trigger="usage")
    counts = (job.affected_rates, job.affected_rollups, job.affected_usage_records)
    assert counts == (len(MONTHS), len(MONTHS), len(MONTHS))


def test_usage_without_a_region_is_placed_in_the_models_first_serving_region(usage):
    record = UsageRecord.objects.filter(ai_model__slug="meta/llama-3.1-8b").first()
    assert (record.region.slug, record.region_assumed) == ("gcp/us-east4", True)


def test_a_2025_value_leaves_earlier_footprints_untouched(usage, curator, django_capture_on_commit_callbacks):
    before_2024 = rollup_total(usage, region__slug="gcp/europe-west4", month__lt=dt.date(2025, 1, 1))
    before_2025 = rollup_total(usage, region__slug="gcp/europe-west4", month__gte=dt.date(2025, 1, 1))
    factor = draft(zone="NLD", value=268 * 2, valid_from=dt.date(2025, 1, 1))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        factor_approve(factor=factor, user=curator)
    stale = FootprintRate.objects.filter(stale_since__isnull=False)
    # The 2025 usage months, and this month's rate behind the model footprint shown in rankings.
    expected = [("gcp/europe-west4", m) for m in [*MONTHS, recompute.current_month()] if m.year >= 2025]
    assert sorted({(r.region.slug, r.month) for r in stale}) == expected
    job = RecomputeJob.objects.get(trigger="factor_approved")
    counts = (job.affected_rates, job.affected_rollups, job.affected_usage_records, job.affected_model_footprints)
    assert counts == (4, 3, 3, 1)
    closed = EmissionFactor.objects.get(zone__code="NLD", valid_from=dt.date(2023, 1, 1))
    assert job.triggered_by == curator
    assert job.factor_ids == sorted([factor.pk, closed.pk])
    assert len(callbacks) == 1  # the task is sent only once the approval commits
    run_all()
    assert rollup_total(usage, region__slug="gcp/europe-west4", month__lt=dt.date(2025, 1, 1)) == before_2024
    assert rollup_total(usage, region__slug="gcp/europe-west4", month__gte=dt.date(2025, 1, 1)) == pytest.approx(
        2 * before_2025, rel=1e-12
    )
    assert_rollups_equal_per_record_estimates(usage)


def test_a_corrected_2023_value_recomputes_only_2023(usage, curator):
    factor_approve(factor=draft(zone="NLD", value=250, valid_from=dt.date(2024, 1, 1)), user=curator)
    run_all()
    closed = EmissionFactor.objects.get(zone__code="NLD", status="approved", valid_from=dt.date(2023, 1, 1))
    correction = draft(zone="NLD", value=300, valid_from=dt.date(2023, 1, 1), valid_to=dt.date(2024, 1, 1),
                       supersedes=closed)  # fmt: skip
    factor_approve(factor=correction, user=curator)
    stale_months = sorted(FootprintRate.objects.filter(stale_since__isnull=False).values_list("month", flat=True))
    assert stale_months == [m for m in MONTHS if m.year == 2023]  # not 2024 on, nor this month
    run_all()
    assert_rollups_equal_per_record_estimates(usage)


def test_factors_the_engine_does_not_read_change_nothing(usage, curator):
    factor_approve(factor=draft(region="gcp/europe-west4", kind="carbon_free_share", value=0.8, unit="fraction",
                                valid_from=dt.date(2025, 1, 1)), user=curator)  # fmt: skip
    job = RecomputeJob.objects.get(trigger="factor_approved")
    assert (job.status, job.affected_rates, job.affected_training_footprints) == ("succeeded", 0, 0)
    assert not FootprintRate.objects.filter(stale_since__isnull=False).exists()


def test_an_older_computation_never_overwrites_a_newer_change(usage, curator, monkeypatch):
    """A second approval lands while the worker computes with the factors it read before: the worker's results
    for the re-marked rows are discarded, and its next pass computes them with the newer factors."""
    first = draft(zone="NLD", value=500, valid_from=dt.date(2025, 1, 1))
    second = draft(region="gcp/europe-west4", kind="pue", value=1.5, unit="ratio", valid_from=dt.date(2025, 1, 1))
    factor_approve(factor=first, user=curator)
    original_load = recompute.load_index
    calls = []

    def load_then_approve_again():
        index = original_load()
        if not calls:
            factor_approve(factor=second, user=curator)  # lands after the worker read its factors
        calls.append(index)
        return index

    monkeypatch.setattr(recompute, "load_index", load_then_approve_again)
    first_job = RecomputeJob.objects.get(trigger="factor_approved")
    job = recompute.recompute_run(job_id=first_job.pk)
    second_job = RecomputeJob.objects.exclude(pk=first_job.pk).get(trigger="factor_approved")
    assert job.status == "succeeded"
    assert job.skipped_newer == 4  # the 2025 (and this month's) europe-west4 rates were re-marked mid-run
    assert len(calls) == 2
    assert not FootprintRate.objects.filter(stale_since__isnull=False).exists()
    assert_rollups_equal_per_record_estimates(usage)
    assert first.pk in first_job.factor_ids and second.pk in second_job.factor_ids
    assert (second_job.status, second_job.covered_by) == ("succeeded", job)


def test_running_a_job_twice_changes_nothing(usage, curator):
    factor_approve(factor=draft(zone="NLD", value=100, valid_from=dt.date(2025, 1, 1)), user=curator)
    job = RecomputeJob.objects.get(trigger="factor_approved")
    recompute.recompute_run(job_id=job.pk)
    snapshot = list(FootprintRate.objects.order_by("pk").values())
    rollups = list(UsageRollup.objects.order_by("pk").values())
    again = recompute.recompute_run(job_id=job.pk)
    assert again.status == "succeeded"
    assert list(FootprintRate.objects.order_by("pk").values()) == snapshot
    assert list(UsageRollup.objects.order_by("pk").values()) == rollups


def test_a_closed_models_size_moves_the_bracket_of_unsized_models(usage, curator):
    vendor = Vendor.objects.get(slug="google")
    unsized = AIModel.objects.create(vendor=vendor, slug="google/unsized", name="Unsized", task="text-generation",
                                     open_weights=False, source=vendor.source)  # fmt: skip
    rates_ensure(keys={(unsized.pk, None, dt.date(2025, 6, 1))})
    run_all()
    gemini = AIModel.objects.get(slug="google/gemini-test")
    size = factor_create_draft(data=FactorInput(
        kind="active_params", subject=gemini, value=30, unit="B params", valid_from=dt.date(2025, 1, 1),
        source=Source.objects.get(key="google-test"),
    ))  # fmt: skip
    factor_approve(factor=size, user=curator)
    stale = set(FootprintRate.objects.filter(stale_since__isnull=False).values_list("ai_model__slug", flat=True))
    assert stale == {"google/gemini-test", "google/unsized"}


def test_the_sweeper_adopts_stale_rows_whose_job_was_lost(usage, curator, settings):
    settings.RECOMPUTE_STALE_AFTER_SECONDS = 0
    with mock.patch.object(recompute, "recompute_enqueue", return_value=False):
        factor_approve(factor=draft(zone="NLD", value=123, valid_from=dt.date(2025, 1, 1)), user=curator)
    RecomputeJob.objects.all().delete()  # the job and its message are lost; the stale marks remain
    sent = recompute.recompute_sweep()
    job = RecomputeJob.objects.get(pk__in=sent)
    assert job.trigger == "sweeper" and job.status == "succeeded"
    assert not FootprintRate.objects.filter(stale_since__isnull=False).exists()
    assert_rollups_equal_per_record_estimates(usage)


def test_the_sweeper_resends_a_job_that_went_quiet(usage, curator, settings):
    settings.RECOMPUTE_STALE_AFTER_SECONDS = 0
    with mock.patch.object(recompute, "recompute_enqueue", return_value=False):
        factor_approve(factor=draft(zone="NLD", value=123, valid_from=dt.date(2025, 1, 1)), user=curator)
    job = RecomputeJob.objects.get(trigger="factor_approved")
    assert recompute.recompute_sweep() == [job.pk]
    job.refresh_from_db()
    assert job.status == "succeeded" and job.recomputed_rates == job.affected_rates == 4


def test_a_broker_outage_keeps_the_job_pending_without_an_error(usage, curator):
    from kombu.exceptions import OperationalError

    with mock.patch("emissions.tasks.recompute_footprints.apply_async", side_effect=OperationalError("down")):
        factor_approve(factor=draft(zone="NLD", value=123, valid_from=dt.date(2025, 1, 1)), user=curator)
        job = RecomputeJob.objects.get(trigger="factor_approved")
        assert recompute.recompute_enqueue(job.pk) is False
    job.refresh_from_db()
    assert (job.status, job.enqueued_at) == ("pending", None)
    assert FootprintRate.objects.filter(stale_since__isnull=False).count() == job.affected_rates == 4


def test_pages_say_a_recompute_is_running(usage, curator, client):
    factor_approve(factor=draft(zone="NLD", value=123, valid_from=dt.date(2025, 1, 1)), user=curator)
    RecomputeJob.objects.filter(trigger="factor_approved").update(status="running", progress_done=1, progress_total=4)
    page = client.get("/").content.decode()
    assert "Recomputing footprints (25 %)" in page
    run_all()
    assert "Recomputing footprints" not in client.get("/").content.decode()
