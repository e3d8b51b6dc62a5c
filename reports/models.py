"""Organisations and their AI usage.

A usage record is what an organisation used of one model in one month (and region, when known). Its footprint
is never stored per record: it is the record's usage times the rate of its model, region and month
(``emissions.FootprintRate``), and dashboards read the per-month rollups (``emissions.UsageRollup``).
"""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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
    requests = models.BigIntegerField(validators=[MinValueValidator(0)])
    input_tokens = models.BigIntegerField(default=0, validators=[MinValueValidator(0)])
    output_tokens = models.BigIntegerField(
        default=0, validators=[MinValueValidator(0)], help_text="Or functional units (images, audio seconds)."
    )
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
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.month:%Y-%m} {self.ai_model_id}: {self.requests} requests"
