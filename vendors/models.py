"""The things footprints are about: vendors, their models, the hardware and places that serve them."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords

ISO3_VALIDATOR = RegexValidator(r"^[A-Z]{3}$", "Use an ISO 3166-1 alpha-3 country code, e.g. FRA.")
SLUG_VALIDATOR = RegexValidator(r"^[a-z0-9][a-z0-9.-]*$", "Lower case letters, digits, '.' and '-' only.")
MODEL_SLUG_VALIDATOR = RegexValidator(
    r"^[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9.-]*$", "Use <vendor>/<model>, lower case, e.g. meta/llama-3.1-8b."
)
REGION_SLUG_VALIDATOR = RegexValidator(r"^[a-z0-9-]+/[a-z0-9-]+$", "Use <operator>/<region code>, e.g. aws/us-east-1.")


class Task(models.TextChoices):
    TEXT_GENERATION = "text-generation", "Text generation"
    EMBEDDINGS = "embeddings", "Embeddings"
    IMAGE_GENERATION = "image-generation", "Image generation"
    SPEECH_TO_TEXT = "speech-to-text", "Speech to text"
    TEXT_TO_SPEECH = "text-to-speech", "Text to speech"


class Architecture(models.TextChoices):
    DENSE = "dense", "Dense transformer"
    MOE = "moe", "Mixture of experts"
    DIFFUSION = "diffusion", "Diffusion"
    ENCODER = "encoder", "Encoder"
    ENCODER_DECODER = "encoder-decoder", "Encoder–decoder"


class GridZone(models.Model):
    class Kind(models.TextChoices):
        COUNTRY = "country", "Country"
        SUBNATIONAL = "subnational", "Sub-national grid"

    code = models.CharField(max_length=32, unique=True, help_text="ISO-3 for countries, e.g. US-CAL-CISO below.")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    country = models.CharField(max_length=3, validators=[ISO3_VALIDATOR])
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    source = models.ForeignKey("emissions.Source", on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class Vendor(models.Model):
    slug = models.SlugField(max_length=64, unique=True, validators=[SLUG_VALIDATOR])
    name = models.CharField(max_length=200)
    website = models.URLField(blank=True)
    hq_country = models.CharField(max_length=3, validators=[ISO3_VALIDATOR])
    net_zero_year = models.PositiveSmallIntegerField(null=True, blank=True)
    renewable_claim_pct = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    commitment_note = models.TextField(blank=True)
    source = models.ForeignKey("emissions.Source", on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(renewable_claim_pct__isnull=True)
                | models.Q(renewable_claim_pct__gte=0, renewable_claim_pct__lte=100),
                name="vendor_renewable_claim_is_a_percentage",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Accelerator(models.Model):
    class Kind(models.TextChoices):
        GPU = "gpu", "GPU"
        TPU = "tpu", "TPU"
        ASIC = "asic", "ASIC"

    slug = models.SlugField(max_length=64, unique=True, validators=[SLUG_VALIDATOR])
    name = models.CharField(max_length=200)
    maker = models.CharField(max_length=100)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    memory_gb = models.FloatField(validators=[MinValueValidator(0)])
    release_year = models.PositiveSmallIntegerField(null=True, blank=True)
    source = models.ForeignKey("emissions.Source", on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["maker", "release_year", "slug"]
        constraints = [models.CheckConstraint(condition=models.Q(memory_gb__gt=0), name="accelerator_memory_positive")]

    def __str__(self) -> str:
        return self.name


class Region(models.Model):
    """A cloud region or data centre that serves models."""

    slug = models.CharField(max_length=80, unique=True, validators=[REGION_SLUG_VALIDATOR])
    operator = models.CharField(max_length=32)
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    city = models.CharField(max_length=200, blank=True)
    country = models.CharField(max_length=3, validators=[ISO3_VALIDATOR])
    zone = models.ForeignKey(GridZone, on_delete=models.PROTECT, related_name="regions")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    source = models.ForeignKey("emissions.Source", on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["operator", "code"]
        constraints = [models.UniqueConstraint(fields=["operator", "code"], name="region_unique_operator_code")]

    def __str__(self) -> str:
        return self.slug


class AIModel(models.Model):
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="models")
    slug = models.CharField(max_length=140, unique=True, validators=[MODEL_SLUG_VALIDATOR])
    name = models.CharField(max_length=200)
    family = models.CharField(max_length=100, blank=True)
    task = models.CharField(max_length=32, choices=Task.choices)
    release_date = models.DateField(null=True, blank=True)
    open_weights = models.BooleanField(default=False)
    architecture = models.CharField(max_length=16, choices=Architecture.choices)
    serving_accelerator = models.ForeignKey(
        Accelerator, on_delete=models.PROTECT, related_name="served_models", null=True, blank=True
    )
    serving_regions = models.ManyToManyField(Region, related_name="served_models", blank=True)
    source = models.ForeignKey("emissions.Source", on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    history = HistoricalRecords(m2m_fields=[serving_regions])

    class Meta:
        ordering = ["slug"]
        verbose_name = "AI model"

    def __str__(self) -> str:
        return self.slug

    @property
    def model_part(self) -> str:
        """The part of the slug after the vendor, as used in URLs like /models/<vendor>/<model>/."""
        return self.slug.split("/", 1)[1]


class QualityScore(models.Model):
    model = models.ForeignKey(AIModel, on_delete=models.CASCADE, related_name="quality_scores")
    benchmark = models.CharField(max_length=100)
    value = models.FloatField()
    source = models.ForeignKey("emissions.Source", on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["model", "benchmark"]
        constraints = [models.UniqueConstraint(fields=["model", "benchmark"], name="quality_unique_benchmark")]

    def __str__(self) -> str:
        return f"{self.model} {self.benchmark}={self.value}"


class TrainingRun(models.Model):
    """A training run as its maker disclosed it: the inputs, and any reported energy or emissions."""

    model = models.ForeignKey(AIModel, on_delete=models.CASCADE, related_name="training_runs")
    accelerator = models.ForeignKey(Accelerator, on_delete=models.PROTECT, null=True, blank=True)
    accelerator_count = models.PositiveIntegerField(null=True, blank=True)
    accelerator_hours = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0)])
    power_w = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0)])
    pue = models.FloatField(null=True, blank=True, validators=[MinValueValidator(1)])
    zone = models.ForeignKey(GridZone, on_delete=models.PROTECT, null=True, blank=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    reported_energy_mwh = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0)])
    reported_co2e_t_location = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0)])
    reported_co2e_t_market = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0)])
    source = models.ForeignKey("emissions.Source", on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["model"]
        constraints = [
            models.UniqueConstraint(fields=["model", "source"], name="training_run_unique_model_source"),
            models.CheckConstraint(
                condition=models.Q(pue__isnull=True) | models.Q(pue__gte=1), name="training_run_pue_at_least_one"
            ),
            models.CheckConstraint(
                condition=models.Q(accelerator_hours__isnull=True) | models.Q(accelerator_hours__gte=0),
                name="training_run_hours_non_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(period_start__isnull=True)
                | models.Q(period_end__isnull=True)
                | models.Q(period_start__lt=models.F("period_end")),
                name="training_run_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"Training of {self.model}"
