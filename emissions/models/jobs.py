"""Recompute jobs: the record of why footprints went stale, who caused it, and how the recompute went.

The stale marks on the footprint rows are what remains to be done; a job is the audit trail and the progress
bar. Jobs are created in the same transaction as the change that caused them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class RecomputeJob(models.Model):
    class Trigger(models.TextChoices):
        FACTOR_APPROVED = "factor_approved", "Factor approved"
        FACTOR_SUPERSEDED = "factor_superseded", "Factor superseded"
        FACTOR_IMPORT = "factor_import", "Factors imported"
        CATALOGUE_LOAD = "catalogue_load", "Catalogue loaded"
        USAGE = "usage", "Usage added"
        MANUAL = "manual", "Requested by hand"
        SWEEPER = "sweeper", "Found by the sweeper"
        NEW_MONTH = "new_month", "New month"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    trigger = models.CharField(max_length=24, choices=Trigger.choices)
    factor_ids = models.JSONField(default=list, blank=True, help_text="The factors whose change caused the job.")
    note = models.CharField(max_length=300, blank=True)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="Last sign of life of the worker.")
    attempts = models.PositiveIntegerField(default=0)
    enqueued_at = models.DateTimeField(null=True, blank=True, help_text="Last time the task was sent to the broker.")

    affected_rates = models.PositiveIntegerField(default=0)
    affected_rollups = models.PositiveIntegerField(default=0)
    affected_usage_records = models.PositiveBigIntegerField(default=0)
    affected_model_footprints = models.PositiveIntegerField(default=0)
    affected_training_footprints = models.PositiveIntegerField(default=0)

    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    recomputed_rates = models.PositiveIntegerField(default=0)
    recomputed_rollups = models.PositiveIntegerField(default=0)
    recomputed_model_footprints = models.PositiveIntegerField(default=0)
    recomputed_training_footprints = models.PositiveIntegerField(default=0)
    skipped_newer = models.PositiveIntegerField(
        default=0, help_text="Rows changed again while this job computed them; a later pass recomputes them."
    )
    covered_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="The job that recomputed this job's footprints.",
    )  # fmt: skip
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Recompute #{self.pk} ({self.get_trigger_display()}, {self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, int(100 * self.progress_done / self.progress_total))

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)
