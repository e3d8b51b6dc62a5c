"""Sources and curated emission factors.

A factor is one number that feeds footprints (a grid intensity, a PUE, an accelerator's power, a model's
parameter count…) with its subject, unit, validity period, source and approval state. Only approved
factors feed footprints; approved periods of the same subject and kind never overlap (enforced by an
exclusion constraint on PostgreSQL, see migration 0003, and by the services everywhere).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from emissions.factor_kinds import KIND_CHOICES, KIND_SPECS, UNIT_CHOICES, Subject, kinds_for


class Source(models.Model):
    """A publication that numbers come from."""

    key = models.CharField(
        max_length=100,
        unique=True,
        validators=[RegexValidator(r"^[a-z0-9][a-z0-9.-]*$", "Lower case letters, digits, '.' and '-'.")],
    )
    publisher = models.CharField(max_length=200)
    title = models.CharField(max_length=500)
    url = models.URLField(max_length=500, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    licence = models.CharField(max_length=200)
    note = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        year = f" ({self.year})" if self.year else ""
        return f"{self.publisher}: {self.title}{year}"


SUBJECT_FIELDS = {
    Subject.ZONE: "zone",
    Subject.REGION: "region",
    Subject.ACCELERATOR: "accelerator",
    Subject.AI_MODEL: "ai_model",
}


def _exactly_one_subject_for_its_kind() -> Q:
    """The subject column matching the kind is set and every other subject column is empty."""
    condition = Q()
    for subject, field in SUBJECT_FIELDS.items():
        others = {f"{other}__isnull": True for other in SUBJECT_FIELDS.values() if other != field}
        condition |= Q(kind__in=kinds_for(subject), **{f"{field}__isnull": False}, **others)
    return condition


def _value_within_kind_bounds() -> Q:
    condition = Q()
    for spec in KIND_SPECS.values():
        bounds = Q(value__gte=spec.minimum)
        if spec.maximum is not None:
            bounds &= Q(value__lte=spec.maximum)
        condition |= Q(kind=spec.kind) & bounds
    return condition


class EmissionFactor(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"
        SUPERSEDED = "superseded", "Superseded"

    kind = models.CharField(max_length=40, choices=KIND_CHOICES, db_index=True)
    zone = models.ForeignKey(
        "vendors.GridZone", on_delete=models.PROTECT, null=True, blank=True, related_name="factors"
    )
    region = models.ForeignKey(
        "vendors.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="factors"
    )
    accelerator = models.ForeignKey(
        "vendors.Accelerator", on_delete=models.PROTECT, null=True, blank=True, related_name="factors"
    )
    ai_model = models.ForeignKey(
        "vendors.AIModel", on_delete=models.PROTECT, null=True, blank=True, related_name="factors"
    )
    value = models.FloatField(help_text="Central value, in the factor's unit.")
    value_low = models.FloatField(null=True, blank=True, help_text="Lower bound, when the value is uncertain.")
    value_high = models.FloatField(null=True, blank=True, help_text="Upper bound, when the value is uncertain.")
    unit = models.CharField(max_length=32, choices=UNIT_CHOICES)
    valid_from = models.DateField(help_text="First day the value applies to (inclusive).")
    valid_to = models.DateField(null=True, blank=True, help_text="First day it no longer applies; empty: open.")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="factors")
    note = models.TextField(blank=True, help_text="Whose estimate, how it was derived, caveats.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        help_text="The approved factor this draft corrects; approving the draft supersedes it.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "valid_from", "id"]
        permissions = [("approve_emissionfactor", "Can approve and supersede emission factors")]
        indexes = [
            models.Index(fields=["kind", "status", "valid_from"], name="factor_kind_status_from"),
        ]
        constraints = [
            models.CheckConstraint(condition=_exactly_one_subject_for_its_kind(), name="factor_subject_matches_kind"),
            models.CheckConstraint(condition=_value_within_kind_bounds(), name="factor_value_within_kind_bounds"),
            models.CheckConstraint(
                condition=Q(value_low__isnull=True) | Q(value_low__lte=models.F("value")),
                name="factor_low_not_above_value",
            ),
            models.CheckConstraint(
                condition=Q(value_high__isnull=True) | Q(value_high__gte=models.F("value")),
                name="factor_high_not_below_value",
            ),
            models.CheckConstraint(
                condition=Q(value_low__isnull=True) | Q(value_low__gte=0), name="factor_low_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_from__lt=models.F("valid_to")),
                name="factor_valid_from_before_valid_to",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_at__isnull=False),
                name="factor_approved_has_timestamp",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.subject}: {self.display_value} ({self.period_label})"

    @property
    def spec(self):
        return KIND_SPECS[self.kind]

    @property
    def subject_field(self) -> str:
        return SUBJECT_FIELDS[self.spec.subject]

    @property
    def subject(self):
        return getattr(self, self.subject_field, None) if self.kind in KIND_SPECS else None

    @property
    def display_value(self) -> str:
        value = f"{self.value:,.6g}"
        if self.value_low is not None and self.value_high is not None:
            value += f" ({self.value_low:,.6g}–{self.value_high:,.6g})"
        return f"{value} {self.unit}"

    @property
    def period_label(self) -> str:
        end = self.valid_to.isoformat() if self.valid_to else "open"
        return f"{self.valid_from.isoformat()} → {end}"
