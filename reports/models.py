"""Organisations, their people and their AI usage, uploads and reports.

A usage record is what an organisation used of one model in one month (and region, when known). Its footprint
is never stored per record: it is the record's usage times the rate of its model, region and month
(``emissions.FootprintRate``), and dashboards read the per-month rollups (``emissions.UsageRollup``). Records
of the spend-based tier carry no usage, only spend; their CO2e is spend x the spend factor in force
(``emissions.SpendFactor``), applied when the rollups are read.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


class Role(models.TextChoices):
    """What a member may do, each role including the ones before it."""

    VIEWER = "viewer", "Viewer"  # reads dashboards and reports
    ANALYST = "analyst", "Analyst"  # uploads usage, generates reports
    ADMIN = "admin", "Admin"  # manages members, targets and settings


ROLE_RANK = {Role.VIEWER: 1, Role.ANALYST: 2, Role.ADMIN: 3}


class Tier(models.TextChoices):
    """Data-quality tier of a usage record (GHG Protocol Scope 3 data hierarchy, best first)."""

    TOKEN = "token", "Token-level"
    REQUEST = "request", "Request-level"
    SPEND = "spend", "Spend-based"


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Targets (Admin role). A reduction target: emissions in target_year at most (100 - reduction) % of the
    # baseline year's; a net-zero year: a straight line from the baseline to zero.
    baseline_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    target_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    reduction_target_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Reduction of total location-based CO2e from the baseline year to the target year, %.",
    )
    net_zero_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    low_carbon_threshold_g_per_kwh = models.PositiveIntegerField(
        default=100,
        validators=[MaxValueValidator(2000)],
        help_text="A region counts as low-carbon when its grid intensity (location-based) is at most this.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_year__isnull=True) | Q(baseline_year__isnull=True)
                | Q(target_year__gt=models.F("baseline_year")),
                name="org_target_after_baseline",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "user__username"]
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="membership_unique_user")]

    def __str__(self) -> str:
        return f"{self.user} in {self.organisation} ({self.role})"

    def allows(self, role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


class UsageUpload(models.Model):
    """One uploaded file: what it held, how its checks went, and where its processing stands.

    The row is the record of what still has to be done: a worker picks up an upload by id; the file's bytes
    stay here until its records are written.
    """

    class Format(models.TextChoices):
        CSV = "csv", "CSV (AI Footprint columns)"
        JSON = "json", "JSON (AI Footprint records)"
        OPENAI = "openai-usage", "OpenAI Usage API export (completions, grouped by model)"

    class Status(models.TextChoices):
        NEEDS_CONFIRMATION = "needs_confirmation", "Model names to confirm"
        NEEDS_DECISION = "needs_decision", "Replace or merge?"
        QUEUED = "queued", "Queued"
        PROCESSING = "processing", "Processing"
        DONE = "done", "Done"
        REJECTED = "rejected", "Rejected"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    class Mode(models.TextChoices):
        REPLACE = "replace", "Replace the months it covers"
        MERGE = "merge", "Add to what is there"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="uploads")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    filename = models.CharField(max_length=255)
    format = models.CharField(max_length=16, choices=Format.choices)
    size_bytes = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField(null=True, blank=True, editable=False, help_text="Emptied once processed.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True)
    mode = models.CharField(max_length=8, choices=Mode.choices, blank=True)
    model_mapping = models.JSONField(
        default=dict, blank=True, help_text="Model names in the file -> catalogue slugs, as confirmed."
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    records_created = models.PositiveIntegerField(default=0)
    records_replaced = models.PositiveIntegerField(default=0)
    months = models.JSONField(default=list, blank=True, help_text="Months (YYYY-MM-01) the file covers.")
    errors = models.JSONField(default=list, blank=True, help_text="[{row, column, message}], row 1 = header.")
    tier_counts = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="upload_org_created")]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0


class UsageRecord(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="usage_records")
    month = models.DateField(help_text="First day of the month the usage belongs to.")
    ai_model = models.ForeignKey("vendors.AIModel", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(
        "vendors.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Where the requests were served; when not given, the model's first serving region.",
    )
    region_assumed = models.BooleanField(default=False, help_text="True when the region was not given.")
    rate = models.ForeignKey("emissions.FootprintRate", on_delete=models.PROTECT, related_name="usage_records")
    tier = models.CharField(max_length=8, choices=Tier.choices, db_default=Tier.TOKEN)
    requests = models.BigIntegerField(validators=[MinValueValidator(0)])
    input_tokens = models.BigIntegerField(default=0, validators=[MinValueValidator(0)])
    output_tokens = models.BigIntegerField(
        default=0, validators=[MinValueValidator(0)], help_text="Or functional units (images, audio seconds)."
    )
    spend = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True, db_default="")
    upload = models.ForeignKey(UsageUpload, on_delete=models.SET_NULL, null=True, blank=True, related_name="records")
    source_row = models.PositiveIntegerField(
        null=True, blank=True,
        help_text="Where in the upload: the CSV row (1 = header) or the JSON record number; empty for vendor exports.",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "month", "id"]
        indexes = [models.Index(fields=["organisation", "month"], name="usage_org_month")]
        constraints = [
            models.CheckConstraint(
                condition=Q(requests__gte=0) & Q(input_tokens__gte=0) & Q(output_tokens__gte=0),
                name="usage_non_negative",
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="usage_month_is_first_day"),
            models.CheckConstraint(condition=Q(spend__isnull=True) | Q(spend__gte=0), name="usage_spend_non_negative"),
            models.CheckConstraint(
                condition=~Q(tier="spend") | (Q(spend__isnull=False) & ~Q(currency="")),
                name="usage_spend_tier_has_spend",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.month:%Y-%m} {self.ai_model_id}: {self.requests} requests"


class Report(models.Model):
    """A frozen report: the figures as they were computed, with the factor versions they came from."""

    class Kind(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"
        YEARLY = "yearly", "Yearly"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    period_start = models.DateField(help_text="First day of the first month.")
    period_end = models.DateField(help_text="First day of the month after the last.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    methodology_version = models.CharField(max_length=32)
    fingerprint = models.CharField(max_length=64, help_text="Hash of the inputs: usage sums and factor versions.")
    snapshot = models.JSONField(help_text="Every figure of the report, as generated.")
    supersedes = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="superseded_by"
    )

    class Meta:
        ordering = ["-period_start", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(period_start__lt=models.F("period_end")), name="report_period_order"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.get_kind_display()} report {self.period_label}"

    @property
    def period_label(self) -> str:
        last_day = self.period_end - dt.timedelta(days=1)
        if (last_day.year, last_day.month) == (self.period_start.year, self.period_start.month):
            return f"{self.period_start:%B %Y}"
        return f"{self.period_start:%b %Y} – {last_day:%b %Y}"


class ApiToken(models.Model):
    """A personal API token for scripts. Only a hash of the secret is stored: the token is shown once.

    A token reads ``aif_<prefix>_<secret>``; the prefix finds the row, the SHA-256 of the whole token is compared.
    It acts as its user, with the user's memberships and roles.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'nightly usage upload'.")
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64, help_text="SHA-256 of the token, hex.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…) of {self.user}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class AuditEvent(models.Model):
    """Who did what, when: curation (factors), organisation administration, uploads, reports and tokens.

    Written by the services in the same transaction as the change, so an event exists exactly when its change
    does. Factor values also keep their full history (django-simple-history); this is the one list across areas.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True, help_text="Kept when the user is deleted.")
    action = models.CharField(max_length=40, db_index=True, help_text="e.g. factor.approve, member.add")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="audit_events"
    )
    target = models.CharField(max_length=200, blank=True, help_text="What was acted on, e.g. 'factor #12'.")
    summary = models.CharField(max_length=500)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or 'system'} {self.action}: {self.summary}"
