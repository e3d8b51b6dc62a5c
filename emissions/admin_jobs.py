"""Admin of recompute jobs: read-only, with each job's progress bar, counts, timings and errors."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from emissions.models import EmissionFactor, RecomputeJob


def _duration(seconds: float | None) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s" if seconds >= 0.1 else f"{seconds * 1000:.0f} ms"
    minutes, rest = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {rest:02d} s"


@admin.register(RecomputeJob)
class RecomputeJobAdmin(admin.ModelAdmin):
    """Read-only: the audit trail and progress of footprint recomputes. Jobs are written by the pipeline only."""

    list_display = ("id", "trigger", "status", "progress_bar", "affected", "recomputed", "duration", "triggered_by",
                    "created_at")  # fmt: skip
    list_display_links = ("id",)
    empty_value_display = "—"
    list_filter = ("status", "trigger")
    list_select_related = ("triggered_by",)
    search_fields = ("note", "error")
    date_hierarchy = "created_at"
    fieldsets = (
        (None, {"fields": ("trigger", "status", "note", "triggered_by", "factor_links", "covered_by_link", "error")}),
        ("Progress", {"fields": ("progress_bar", "progress_done", "progress_total", "attempts")}),
        ("Timing", {"fields": ("created_at", "enqueued_at", "started_at", "heartbeat_at", "finished_at", "duration")}),
        (
            "Affected when marked stale",
            {
                "fields": (
                    "affected_rates",
                    "affected_rollups",
                    "affected_usage_records",
                    "affected_model_footprints",
                    "affected_training_footprints",
                )
            },
        ),
        (
            "Recomputed",
            {
                "fields": (
                    "recomputed_rates",
                    "recomputed_rollups",
                    "recomputed_model_footprints",
                    "recomputed_training_footprints",
                    "skipped_newer",
                )
            },
        ),
    )
    readonly_fields = tuple(field for _, options in fieldsets for field in options["fields"])

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="progress")
    def progress_bar(self, job: RecomputeJob) -> str:
        return format_html(
            '<progress class="recompute-progress" value="{}" max="100" aria-label="Recompute job #{} progress" '
            'title="{} of {} done">{} %</progress> <span class="recompute-percent">{} %</span>',
            job.percent, job.pk, job.progress_done, job.progress_total, job.percent, job.percent,
        )  # fmt: skip

    @admin.display(description="affected: footprints / usage records")
    def affected(self, job: RecomputeJob) -> str:
        # Model footprints are views of rates (written with them), so the total counts rates, rollups, training.
        footprints = job.affected_rates + job.affected_rollups + job.affected_training_footprints
        return format_html(
            '<span title="{} rates, {} rollups, {} model footprints, {} training footprints">{} / {}</span>',
            job.affected_rates, job.affected_rollups, job.affected_model_footprints,
            job.affected_training_footprints, f"{footprints:,}", f"{job.affected_usage_records:,}",
        )  # fmt: skip

    @admin.display(description="recomputed")
    def recomputed(self, job: RecomputeJob) -> str:
        total = job.recomputed_rates + job.recomputed_rollups + job.recomputed_training_footprints
        skipped = f" ({job.skipped_newer:,} newer, left for a later pass)" if job.skipped_newer else ""
        return format_html(
            '<span title="{} rates, {} rollups, {} model footprints, {} training footprints">{}{}</span>',
            job.recomputed_rates, job.recomputed_rollups, job.recomputed_model_footprints,
            job.recomputed_training_footprints, f"{total:,}", skipped,
        )  # fmt: skip

    @admin.display(description="duration")
    def duration(self, job: RecomputeJob) -> str:
        if job.duration_seconds is not None:
            return _duration(job.duration_seconds)
        if job.started_at and job.status == RecomputeJob.Status.RUNNING:
            return f"running for {_duration((timezone.now() - job.started_at).total_seconds())}"
        return "—"

    @admin.display(description="factors")
    def factor_links(self, job: RecomputeJob) -> str:
        if not job.factor_ids:
            return "—"
        existing = EmissionFactor.objects.in_bulk(job.factor_ids)
        return format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:emissions_emissionfactor_change", args=[pk]), f"#{pk} {existing[pk]}")
                if pk in existing
                else ("#", f"#{pk} (deleted)")
                for pk in job.factor_ids
            ),
        )

    @admin.display(description="covered by")
    def covered_by_link(self, job: RecomputeJob) -> str:
        if job.covered_by_id is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a> (its run recomputed this job\'s footprints)',
            reverse("admin:emissions_recomputejob_change", args=[job.covered_by_id]),
            f"Recompute job #{job.covered_by_id}",
        )
