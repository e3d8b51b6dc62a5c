"""Recompute job admin (read-only, progress bar) and the impact preview before approving or superseding a factor."""

import datetime as dt
import math
import re

import pytest
from django.urls import reverse

from emissions.admin import impact_line
from emissions.impact import ImpactLine, factor_impact_preview
from emissions.models import EmissionFactor, ModelFootprint, RecomputeJob, Source, UsageRollup
from emissions.services.factors import FactorInput, factor_create_draft
from reports.models import Organisation
from reports.services.usage import UsageInput, usage_records_create
from vendors.models import AIModel, GridZone, Region

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:emissions_emissionfactor_changelist")
JOBS = reverse("admin:emissions_recomputejob_changelist")


def total_co2e(row) -> float:
    return row.operational_co2e_kg + row.embodied_co2e_kg


@pytest.fixture
def usage(small_catalogue, django_capture_on_commit_callbacks):
    llama, gemini = AIModel.objects.get(slug="meta/llama-3.1-8b"), AIModel.objects.get(slug="google/gemini-test")
    east, west = Region.objects.get(slug="gcp/us-east4"), Region.objects.get(slug="gcp/europe-west4")
    acme = Organisation.objects.create(name="Acme", slug="acme")
    beta = Organisation.objects.create(name="Beta", slug="beta")
    with django_capture_on_commit_callbacks(execute=True):
        usage_records_create(organisation=acme, records=[
            UsageInput(dt.date(2025, 3, 1), llama, requests=1000, input_tokens=500_000, output_tokens=300_000),
            UsageInput(dt.date(2025, 3, 1), gemini, 2000, 1_000_000, 600_000, region=west),
        ])  # fmt: skip
        usage_records_create(organisation=beta, records=[
            UsageInput(dt.date(2025, 6, 1), gemini, 4000, 2_000_000, 900_000, region=east),
        ])  # fmt: skip
    assert not RecomputeJob.objects.exclude(status=RecomputeJob.Status.SUCCEEDED).exists()


def pjm_draft(value: float = 300.0) -> EmissionFactor:
    """A new PJM grid intensity from 2025: it reaches both models in us-east4 (usage and this month's footprints)."""
    return factor_create_draft(
        data=FactorInput(
            kind="grid_intensity_location",
            subject=GridZone.objects.get(code="US-MIDA-PJM"),
            value=value,
            unit="gCO2e/kWh",
            valid_from=dt.date(2025, 1, 1),
            source=Source.objects.get(key="ember-test"),
        )
    )


def act(client, action: str, factors, **extra):
    return client.post(CHANGELIST, {"action": action, "_selected_action": [f.pk for f in factors], **extra})


def progress_cell(page: str, job: RecomputeJob) -> re.Match | None:
    return re.search(
        rf'<progress[^>]*value="(\d+)" max="100" aria-label="Recompute job #{job.pk} progress"[^>]*>'
        rf"\d+ %</progress> <span[^>]*>(\d+) %</span>",
        page,
    )


# -- recompute job admin -------------------------------------------------------------------------------


def test_job_list_shows_a_progress_bar_with_each_jobs_percentage(client, db, curator):
    running = RecomputeJob.objects.create(
        trigger=RecomputeJob.Trigger.FACTOR_APPROVED, status=RecomputeJob.Status.RUNNING,
        progress_done=3, progress_total=8, affected_rates=5, affected_rollups=2, affected_usage_records=41,
    )  # fmt: skip
    pending = RecomputeJob.objects.create(trigger=RecomputeJob.Trigger.USAGE)
    done = RecomputeJob.objects.create(
        trigger=RecomputeJob.Trigger.MANUAL, status=RecomputeJob.Status.SUCCEEDED, progress_done=0, progress_total=0
    )
    client.force_login(curator)
    page = client.get(JOBS).content.decode()
    assert progress_cell(page, running).groups() == ("37", "37")  # 3 of 8, rounded down
    assert progress_cell(page, pending).groups() == ("0", "0")
    assert progress_cell(page, done).groups() == ("100", "100")
    assert ">7 / 41</span>" in page  # affected footprints (5 rates + 2 rollups) / usage records


def test_job_list_filters_on_status_and_trigger(client, db, curator):
    failed = RecomputeJob.objects.create(trigger=RecomputeJob.Trigger.SWEEPER, status=RecomputeJob.Status.FAILED)
    RecomputeJob.objects.create(trigger=RecomputeJob.Trigger.SWEEPER, status=RecomputeJob.Status.SUCCEEDED)
    RecomputeJob.objects.create(trigger=RecomputeJob.Trigger.USAGE, status=RecomputeJob.Status.FAILED)
    client.force_login(curator)
    response = client.get(JOBS, {"status__exact": "failed", "trigger__exact": "sweeper"})
    assert [job.pk for job in response.context["cl"].result_list] == [failed.pk]


def test_jobs_cannot_be_added_changed_or_deleted_in_the_admin(client, db, curator):
    job = RecomputeJob.objects.create(trigger=RecomputeJob.Trigger.MANUAL, note="by hand")
    client.force_login(curator)
    assert client.get(reverse("admin:emissions_recomputejob_add")).status_code == 403
    change = reverse("admin:emissions_recomputejob_change", args=[job.pk])
    response = client.post(change, {"note": "edited", "status": "failed"})
    job.refresh_from_db()
    assert (job.note, job.status) == ("by hand", RecomputeJob.Status.PENDING)
    assert response.status_code == 403
    assert (
        client.post(reverse("admin:emissions_recomputejob_delete", args=[job.pk]), {"post": "yes"}).status_code == 403
    )
    assert RecomputeJob.objects.filter(pk=job.pk).exists()
    page = client.get(change).content.decode()
    assert 'name="_save"' not in page


def test_job_detail_shows_error_factor_links_and_the_covering_job(client, small_catalogue, curator):
    factors = list(EmissionFactor.objects.order_by("pk")[:2])
    cover = RecomputeJob.objects.create(trigger=RecomputeJob.Trigger.USAGE, status=RecomputeJob.Status.SUCCEEDED)
    job = RecomputeJob.objects.create(
        trigger=RecomputeJob.Trigger.FACTOR_APPROVED, factor_ids=[f.pk for f in factors], covered_by=cover,
        status=RecomputeJob.Status.FAILED, error="OperationalError: server closed the connection",
        progress_done=1, progress_total=4, skipped_newer=2,
    )  # fmt: skip
    client.force_login(curator)
    page = client.get(reverse("admin:emissions_recomputejob_change", args=[job.pk])).content.decode()
    assert "OperationalError: server closed the connection" in page
    for factor in factors:
        assert f'<a href="{reverse("admin:emissions_emissionfactor_change", args=[factor.pk])}">#{factor.pk} ' in page
    assert (
        f'<a href="{reverse("admin:emissions_recomputejob_change", args=[cover.pk])}">Recompute job #{cover.pk}' in page
    )
    assert progress_cell(page, job).groups() == ("25", "25")


# -- impact preview before approving ------------------------------------------------------------------


def test_curator_sees_the_impact_preview_with_the_counts_and_totals_of_factor_impact_preview(client, usage, curator):
    draft = pjm_draft()
    jobs_before = RecomputeJob.objects.count()
    client.force_login(curator)
    response = act(client, "approve_selected", [draft])
    assert response.status_code == 200
    assert "admin/emissions/emissionfactor/impact_confirmation.html" in [t.name for t in response.templates]
    expected = factor_impact_preview(factor=draft, action="approve")
    # Both us-east4 usage rollups (Acme's Llama in March, Beta's Gemini in June) and both models' footprints of
    # this month in us-east4; Acme's Gemini usage in europe-west4 (Netherlands grid) is not touched.
    assert (expected.rates, expected.rollups, expected.usage_records, expected.model_footprints,
            expected.training_footprints) == (4, 2, 2, 2, 0)  # fmt: skip
    shown = response.context["impacts"][0]["preview"]
    assert (shown.rates, shown.rollups, shown.usage_records, shown.model_footprints, shown.training_footprints) == (
        4, 2, 2, 2, 0,
    )  # fmt: skip
    assert shown.total == expected.total
    assert shown.total.after_kg < shown.total.before_kg  # 380 -> 300 gCO2e/kWh
    page = response.content.decode()
    for key, count in {"rates": 4, "rollups": 2, "usage_records": 2, "model_footprints": 2,
                       "training_footprints": 0, "footprints": 6}.items():  # fmt: skip
        assert re.search(rf'data-count="{key}">{count}<', page), key
    total = impact_line(expected.total)
    assert f'impact-total-before">{total["before"]}<' in page
    assert f'impact-total-after">{total["after"]}<' in page
    assert total["before"].endswith(" kg") and total["after"].endswith(" kg")
    for line in [*expected.vendors, *expected.models, *expected.organisations, *expected.per_request]:
        assert f'<th scope="row">{line.label}</th>' in page
    assert "g CO2e per typical request" in page
    assert 'name="confirm" value="yes"' in page
    # Nothing happened yet.
    draft.refresh_from_db()
    assert draft.status == EmissionFactor.Status.DRAFT
    assert RecomputeJob.objects.count() == jobs_before


def affected_rollup_total(rate_ids) -> float:
    return sum(total_co2e(rollup) for rollup in UsageRollup.objects.filter(rate_id__in=rate_ids))


def test_confirming_approves_starts_a_job_and_the_recompute_lands_on_the_previewed_totals(
    client, usage, curator, django_capture_on_commit_callbacks
):
    draft = pjm_draft()
    preview = factor_impact_preview(factor=draft, action="approve")
    east = Region.objects.get(slug="gcp/us-east4")
    affected = UsageRollup.objects.filter(region=east).values_list("rate_id", flat=True)
    assert len(affected) == 2
    assert math.isclose(affected_rollup_total(affected), preview.total.before_kg, rel_tol=1e-9)
    client.force_login(curator)
    with django_capture_on_commit_callbacks(execute=True):
        response = act(client, "approve_selected", [draft], confirm="yes")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.approved_by) == (EmissionFactor.Status.APPROVED, curator)
    job = RecomputeJob.objects.get(trigger=RecomputeJob.Trigger.FACTOR_APPROVED)
    assert draft.pk in job.factor_ids
    assert job.triggered_by == curator
    assert (job.status, job.affected_rates, job.recomputed_rates) == (RecomputeJob.Status.SUCCEEDED, 4, 4)
    assert math.isclose(affected_rollup_total(affected), preview.total.after_kg, rel_tol=1e-9)
    after = {f"{f.ai_model.slug} in {f.region.slug}": total_co2e(f) for f in ModelFootprint.objects.all()}
    for line in preview.per_request:
        assert math.isclose(after[line.label], line.after_kg, rel_tol=1e-9), line.label
    page = client.get(response["Location"]).content.decode()
    assert "1 factor(s) approved." in page
    assert (
        f'<a href="{reverse("admin:emissions_recomputejob_change", args=[job.pk])}">recompute job #{job.pk}</a>' in page
    )


def test_without_confirmation_or_after_cancel_nothing_is_approved(client, usage, curator):
    draft = pjm_draft()
    client.force_login(curator)
    preview_page = act(client, "approve_selected", [draft]).content.decode()
    back = re.search(r'<a href="([^"]+)" class="button cancel-link">No, take me back</a>', preview_page)
    assert back and back.group(1) == CHANGELIST
    assert client.get(back.group(1)).status_code == 200
    act(client, "approve_selected", [draft], confirm="no")
    draft.refresh_from_db()
    assert draft.status == EmissionFactor.Status.DRAFT
    assert not RecomputeJob.objects.filter(trigger=RecomputeJob.Trigger.FACTOR_APPROVED).exists()


def test_a_refused_approval_keeps_its_error_message(client, usage, curator):
    approved = EmissionFactor.objects.get(zone__code="US-MIDA-PJM", status="approved")
    client.force_login(curator)
    page = act(client, "approve_selected", [approved]).content.decode()
    assert "it cannot be approved, so it changes nothing" in page
    response = client.post(
        CHANGELIST, {"action": "approve_selected", "_selected_action": [approved.pk], "confirm": "yes"}, follow=True
    )
    page = response.content.decode()
    assert f"Factor #{approved.pk} not approved: Only drafts can be approved; this factor is approved." in page
    assert "factor(s) approved." not in page


def test_supersede_previews_then_retires_the_factor_with_a_job(
    client, usage, curator, django_capture_on_commit_callbacks
):
    approved = EmissionFactor.objects.get(zone__code="US-MIDA-PJM", status="approved")
    expected = factor_impact_preview(factor=approved, action="supersede")
    client.force_login(curator)
    response = act(client, "supersede_selected", [approved])
    shown = response.context["impacts"][0]["preview"]
    assert (shown.action, shown.rates, shown.rollups, shown.total) == ("supersede", 4, 2, expected.total)
    assert shown.total.after_kg != shown.total.before_kg  # the world-average grid takes over
    approved.refresh_from_db()
    assert approved.status == EmissionFactor.Status.APPROVED
    with django_capture_on_commit_callbacks(execute=True):
        act(client, "supersede_selected", [approved], confirm="yes")
    approved.refresh_from_db()
    assert approved.status == EmissionFactor.Status.SUPERSEDED
    job = RecomputeJob.objects.get(trigger=RecomputeJob.Trigger.FACTOR_SUPERSEDED)
    assert job.factor_ids == [approved.pk]
    east = Region.objects.get(slug="gcp/us-east4")
    affected = UsageRollup.objects.filter(region=east).values_list("rate_id", flat=True)
    assert math.isclose(affected_rollup_total(affected), expected.total.after_kg, rel_tol=1e-9)


def test_change_page_links_curators_to_a_read_only_impact_preview(client, usage, curator):
    draft = pjm_draft()
    url = reverse("admin:emissions_emissionfactor_impact", args=[draft.pk])
    client.force_login(curator)
    change_page = client.get(reverse("admin:emissions_emissionfactor_change", args=[draft.pk])).content.decode()
    assert f'<a href="{url}" class="impactlink">Impact preview</a>' in change_page
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r'data-count="rollups">2<', page)
    assert f'impact-total-after">{impact_line(factor_impact_preview(factor=draft).total)["after"]}<' in page
    assert 'name="confirm"' not in page and "<form" not in page.split('id="content-main"')[1]
    draft.refresh_from_db()
    assert draft.status == EmissionFactor.Status.DRAFT


def test_editor_cannot_reach_the_preview_nor_approve(client, usage, editor):
    draft = pjm_draft()
    client.force_login(editor)
    assert client.get(reverse("admin:emissions_emissionfactor_impact", args=[draft.pk])).status_code == 403
    change_page = client.get(reverse("admin:emissions_emissionfactor_change", args=[draft.pk])).content.decode()
    assert "impactlink" not in change_page
    assert "approve_selected" not in client.get(CHANGELIST).content.decode()
    response = act(client, "approve_selected", [draft])
    assert "impacts" not in (response.context or {})
    act(client, "approve_selected", [draft], confirm="yes")
    draft.refresh_from_db()
    assert draft.status == EmissionFactor.Status.DRAFT
    assert not RecomputeJob.objects.filter(trigger=RecomputeJob.Trigger.FACTOR_APPROVED).exists()


@pytest.mark.parametrize(
    ("line", "options", "printed"),
    [
        (ImpactLine("x", 1234.5, 2469.0), {}, ("1.23 t", "2.47 t", "+1.23 t", "+100.0 %")),
        (ImpactLine("x", 0.392093, 0.320859), {}, ("0.392 kg", "0.321 kg", "\u22120.0712 kg", "\u221218.2 %")),
        (ImpactLine("x", 0.0, 5.0), {}, ("0 kg", "5.00 kg", "+5.00 kg", "new")),
        (ImpactLine("x", 0.0, 0.0), {}, ("0 kg", "0 kg", "±0 kg", "—")),
        (ImpactLine("x", 1.7427e-4, 1.4262e-4), {"unit": "g", "scale": 1000.0},
         ("0.174 g", "0.143 g", "\u22120.0316 g", "\u221218.2 %")),
    ],
)  # fmt: skip
def test_impact_figures_are_printed_in_kg_or_t_with_three_significant_digits(line, options, printed):
    shown = impact_line(line, **options)
    assert (shown["before"], shown["after"], shown["change"], shown["percent"]) == printed


def test_preview_warns_when_recomputes_are_still_pending(client, small_catalogue, curator):
    # Usage added without running its recompute: its rates are not computed yet, so "before" reads as 0.
    llama = AIModel.objects.get(slug="meta/llama-3.1-8b")
    acme = Organisation.objects.create(name="Acme", slug="acme")
    usage_records_create(organisation=acme, records=[UsageInput(dt.date(2025, 3, 1), llama, 1000, 500_000, 300_000)])
    pending = RecomputeJob.objects.filter(status=RecomputeJob.Status.PENDING).count()
    assert pending >= 1
    client.force_login(curator)
    response = client.get(reverse("admin:emissions_emissionfactor_impact", args=[pjm_draft().pk]))
    page = response.content.decode()
    assert f"{pending} recompute job{'s' if pending > 1 else ''}</a> still to run" in page
    assert response.context["impact"]["preview"].total.before_kg == 0


def test_no_pending_warning_when_everything_is_computed(client, usage, curator):
    client.force_login(curator)
    page = client.get(reverse("admin:emissions_emissionfactor_impact", args=[pjm_draft().pk])).content.decode()
    assert "still to run" not in page
