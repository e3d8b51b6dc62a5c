"""Stored footprints: what pages read instead of computing.

The engine's inference footprint is linear in usage (input tokens, output tokens, requests) once the model,
its hardware and the place and month are fixed. So the store keeps:

- ``FootprintRate``: the footprint of ONE input token, ONE output token and ONE request of a model served in a
  region during a month: 5 metrics x 3 usage units x 3 sides (low, central, high) = 45 numbers, with the factor
  versions they came from. A few thousand rows cover a million usage records.
- ``UsageRollup``: usage summed per organisation x month x model x region, and its footprint (usage x rate),
  which dashboards read. Vendor and region views group these rows; pages never read raw usage.
- ``ModelFootprint``: a model's footprint per typical request in each serving region this month (rankings).
- ``TrainingFootprint``: our estimate of each disclosed training run.

A usage record's own footprint is its usage times its rate (``reports.selectors_usage.record_footprint``).
Rates, rollups and model footprints are rewritten together, in one transaction, by the recompute pipeline
(``emissions.services.recompute``); docs/architecture.md explains the design and why.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

# The five stored metrics (total CO2e is operational + embodied, so it is derived, not stored).
STORED_METRICS = ("energy_kwh", "operational_co2e_kg", "operational_co2e_market_kg", "embodied_co2e_kg", "water_l")
SIDE_SUFFIXES = ("_low", "", "_high")  # engine sides 0 low, 1 central, 2 high
USAGE_FIELDS = ("input_tokens", "output_tokens", "requests")  # the usage a rate multiplies
RATE_UNITS = ("input_token", "output_token", "request")  # ... per unit of each


def metric_column(metric: str, side: int) -> str:
    """Column of a metric on one side, e.g. ``operational_co2e_kg_low``."""
    return metric + SIDE_SUFFIXES[side]


def rate_column(metric: str, side: int, unit: int) -> str:
    """Column of a rate, e.g. ``energy_kwh_per_output_token_high``."""
    return f"{metric}_per_{RATE_UNITS[unit]}{SIDE_SUFFIXES[side]}"


METRIC_COLUMNS = tuple(metric_column(m, s) for m in STORED_METRICS for s in range(3))
RATE_COLUMNS = tuple(rate_column(m, s, u) for m in STORED_METRICS for s in range(3) for u in range(3))


def _abstract_columns(name: str, columns: tuple[str, ...], doc: str) -> type[models.Model]:
    """An abstract model with one nullable float per column (empty until first computed)."""
    attrs = {column: models.FloatField(null=True, blank=True, editable=False) for column in columns}
    attrs |= {"__module__": __name__, "__doc__": doc, "Meta": type("Meta", (), {"abstract": True})}
    return type(name, (models.Model,), attrs)


MetricColumns = _abstract_columns(
    "MetricColumns", METRIC_COLUMNS, "The five stored metrics on three sides: energy (kWh), CO2e (kg), water (L)."
)
RateColumns = _abstract_columns(
    "RateColumns", RATE_COLUMNS, "Each metric per input token, per output token and per request, on three sides."
)


class Freshness(models.Model):
    """Optimistic versioning shared by everything the pipeline recomputes.

    Marking stale bumps ``version`` and sets ``stale_since``. A worker remembers the version it read, and
    publishes its result only where the version is still the same; otherwise a newer change arrived and the
    row stays stale for the next pass. So an older computation can never overwrite a newer one.
    """

    version = models.PositiveBigIntegerField(default=1, editable=False)
    computed_version = models.PositiveBigIntegerField(default=0, editable=False)
    # Not indexed, and the job link not a checked constraint: every mark and every publish changes these two
    # columns, and an index on either forbids PostgreSQL's HOT updates (no index writes) on these wide rows; a
    # checked foreign key costs one deferred check per marked row at commit. Stale rows are found by a scan.
    stale_since = models.DateTimeField(null=True, blank=True, editable=False)
    stale_job = models.ForeignKey(
        "emissions.RecomputeJob",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        db_index=False,
        db_constraint=False,
    )
    computed_at = models.DateTimeField(null=True, blank=True, editable=False)
    factor_versions = models.JSONField(
        default=dict, blank=True, editable=False, help_text="Factor id -> version (history id) used."
    )
    methodology_version = models.CharField(max_length=20, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def is_stale(self) -> bool:
        return self.stale_since is not None


class FootprintRate(Freshness, RateColumns):
    """Footprint per input token, output token and request of a model in a region (or nowhere given) in a month."""

    ai_model = models.ForeignKey("vendors.AIModel", on_delete=models.CASCADE, related_name="footprint_rates")
    region = models.ForeignKey(
        "vendors.Region",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="footprint_rates",
        help_text="Empty: no region known; the world-average grid and default PUE/WUE apply.",
    )
    month = models.DateField(help_text="First day of the month; the factors in force on that day apply.")

    class Meta:
        ordering = ["ai_model", "region", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["ai_model", "region", "month"], condition=Q(region__isnull=False), name="rate_unique_place"
            ),
            models.UniqueConstraint(
                fields=["ai_model", "month"], condition=Q(region__isnull=True), name="rate_unique_unplaced"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="rate_month_is_first_day"),
        ]
        indexes = [
            models.Index(fields=["region", "month"], name="rate_region_month"),
            # Pages ask for "this month's rates"; month never changes after insert, so HOT updates still apply.
            models.Index(fields=["month"], name="rate_month"),
        ]

    def __str__(self) -> str:
        place = self.region.slug if self.region_id else "world average"
        return f"{self.ai_model.slug} in {place}, {self.month:%Y-%m}"


class UsageRollup(MetricColumns):
    """Usage and its footprint per organisation x month x model x region x data-quality tier: what dashboards read.

    Spend-based rows carry spend (per currency) and no usage, so their metric columns are zero; their CO2e is
    spend x the spend factor in force, applied when read (``reports.footprint_rows``).
    """

    organisation = models.ForeignKey("reports.Organisation", on_delete=models.CASCADE, related_name="rollups")
    month = models.DateField()
    ai_model = models.ForeignKey("vendors.AIModel", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("vendors.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    rate = models.ForeignKey(FootprintRate, on_delete=models.PROTECT, related_name="rollups")
    records = models.PositiveIntegerField()
    requests = models.BigIntegerField()
    input_tokens = models.BigIntegerField()
    output_tokens = models.BigIntegerField()
    tier = models.CharField(max_length=8, db_default="token")
    currency = models.CharField(max_length=3, blank=True, db_default="", help_text="Of the spend; spend-based only.")
    spend = models.DecimalField(max_digits=20, decimal_places=4, db_default=0)

    class Meta:
        ordering = ["organisation", "month", "ai_model"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "rate", "tier", "currency"], name="rollup_unique_cell"),
        ]
        indexes = [models.Index(fields=["organisation", "month"], name="rollup_org_month")]

    def __str__(self) -> str:
        return f"{self.organisation} {self.month:%Y-%m} {self.ai_model}"


class ModelFootprint(MetricColumns):
    """A model's footprint per typical request in one serving region, this month (rankings and labels).

    Fresh exactly when its rate is: both are written in the same transaction.
    """

    ai_model = models.ForeignKey("vendors.AIModel", on_delete=models.CASCADE, related_name="footprints")
    region = models.ForeignKey(
        "vendors.Region", on_delete=models.CASCADE, null=True, blank=True, related_name="model_footprints"
    )
    rate = models.ForeignKey(FootprintRate, on_delete=models.PROTECT, related_name="model_footprints")
    month = models.DateField()
    input_tokens = models.PositiveIntegerField(help_text="Input tokens of the typical request.")
    output_tokens = models.PositiveIntegerField(help_text="Output tokens (or functional units) of the request.")
    requests = models.PositiveSmallIntegerField(default=1, editable=False)
    breakdown = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["ai_model", "region"]
        constraints = [
            models.UniqueConstraint(
                fields=["ai_model", "region"], condition=Q(region__isnull=False), name="model_footprint_unique_place"
            ),
            models.UniqueConstraint(
                fields=["ai_model"], condition=Q(region__isnull=True), name="model_footprint_unique_unplaced"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ai_model} per request in {self.region or 'world average'}"


class ModelFootprintVersion(models.Model):
    """One line per change of a model footprint: how its per-request CO2e moved across factor versions."""

    model_footprint = models.ForeignKey(ModelFootprint, on_delete=models.CASCADE, related_name="versions")
    job = models.ForeignKey("emissions.RecomputeJob", on_delete=models.SET_NULL, null=True, related_name="+")
    computed_at = models.DateTimeField()
    month = models.DateField()
    total_co2e_kg = models.FloatField()
    total_co2e_kg_low = models.FloatField()
    total_co2e_kg_high = models.FloatField()
    energy_kwh = models.FloatField()
    water_l = models.FloatField()
    factor_versions = models.JSONField(default=dict)

    class Meta:
        ordering = ["model_footprint", "computed_at", "id"]

    def __str__(self) -> str:
        return f"{self.model_footprint} at {self.computed_at:%Y-%m-%d %H:%M}"


class TrainingFootprint(Freshness, MetricColumns):
    """Our estimate of a disclosed training run, from its own disclosed inputs."""

    training_run = models.OneToOneField("vendors.TrainingRun", on_delete=models.CASCADE, related_name="footprint")
    result = models.JSONField(default=dict, blank=True, editable=False)
    estimable = models.BooleanField(default=True, editable=False, help_text="False: too little is disclosed.")

    def __str__(self) -> str:
        return f"Training footprint of {self.training_run}"
