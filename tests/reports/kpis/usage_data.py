"""Usage written through ``usage_records_create`` on the ``usage_catalogue``, and its footprint computed directly
from the records: each record's usage times its own rate's columns (spend x the spend factor for spend-based
records), summed in Python. No ``footprint_rows``, no rollups: the independent side of the KPI tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal

from emissions.models import Source, SpendFactor
from emissions.models.footprints import USAGE_FIELDS, rate_column
from reports.models import Organisation, Tier, UsageRecord
from reports.services.usage import UsageInput, usage_records_create
from tests.vendors.dashboard_catalogue import run_pending_jobs
from vendors.models import AIModel

TEXT_MODELS = ("meta/llama-3.1-8b", "google/gemini-test", "google/gemini-small-test")
IMAGE_MODELS = ("stability/sd-test", "google/imagen-test")
SPEND_MODEL = "meta/llama-3.1-8b"
SPEND_FACTOR = (0.25, 0.5, 1.0)  # kg CO2e per USD (low, central, high): test values, not a published factor
METRICS = ("energy_kwh", "co2e_location_kg", "co2e_market_kg", "water_l")
STORED = {  # a dashboard metric as the stored metrics it adds up
    "energy_kwh": ("energy_kwh",),
    "co2e_location_kg": ("operational_co2e_kg", "embodied_co2e_kg"),
    "co2e_market_kg": ("operational_co2e_market_kg", "embodied_co2e_kg"),
    "water_l": ("water_l",),
}


def months_from(first: dt.date, count: int) -> list[dt.date]:
    index = first.year * 12 + first.month - 1
    return [dt.date((index + i) // 12, (index + i) % 12 + 1, 1) for i in range(count)]


def write_usage(
    organisation: Organisation, months: Iterable[dt.date], models: Iterable[str] = TEXT_MODELS + IMAGE_MODELS
) -> None:
    """Usage of each model in each of its serving regions (its world-average place when it has none), every
    month given, with amounts that differ by model, region and month; then the new rates computed."""
    inputs = []
    catalogue = {m.slug: m for m in AIModel.objects.prefetch_related("serving_regions")}
    for i, month in enumerate(months):
        for j, slug in enumerate(models):
            model = catalogue[slug]
            for k, region in enumerate(sorted(model.serving_regions.all(), key=lambda r: r.slug) or [None]):
                requests = 1_000 + 370 * i + 1_100 * j + 90 * k
                text = slug in TEXT_MODELS
                inputs.append(UsageInput(month, model, requests, input_tokens=requests * (600 + 13 * j) if text else 0,
                                         output_tokens=requests * (250 + 7 * i) if text else requests * (1 + k),
                                         region=region))  # fmt: skip
    usage_records_create(organisation=organisation, records=inputs)
    run_pending_jobs()


def spend_factor(currency: str = "USD", valid_from: dt.date = dt.date(2020, 1, 1)) -> SpendFactor:
    source, _ = Source.objects.get_or_create(
        key="test-spend-factors", defaults={"publisher": "Tests", "title": "Spend factors for tests", "licence": "-"}
    )
    low, central, high = SPEND_FACTOR
    return SpendFactor.objects.create(currency=currency, kg_co2e_per_unit=central, kg_co2e_per_unit_low=low,
                                      kg_co2e_per_unit_high=high, valid_from=valid_from, source=source)  # fmt: skip


def write_spend(organisation: Organisation, month: dt.date, amount: str, currency: str = "USD") -> None:
    """A spend-based record: spend only, no usage."""
    model = AIModel.objects.get(slug=SPEND_MODEL)
    usage_records_create(organisation=organisation, records=[
        UsageInput(month, model, 0, tier=Tier.SPEND, spend=Decimal(amount), currency=currency)])  # fmt: skip
    run_pending_jobs()


def record_footprint(record: UsageRecord) -> dict[str, list[float]]:
    """One record's footprint per dashboard metric and side: usage x rate, plus spend x factor (CO2e only)."""
    usage = [getattr(record, name) for name in USAGE_FIELDS]
    out = {}
    for metric, stored in STORED.items():
        out[metric] = [
            sum(amount * getattr(record.rate, rate_column(m, side, unit)) for m in stored
                for unit, amount in enumerate(usage))
            for side in range(3)
        ]  # fmt: skip
    if record.tier == Tier.SPEND:
        for metric in ("co2e_location_kg", "co2e_market_kg"):
            out[metric] = [v + float(record.spend) * k for v, k in zip(out[metric], SPEND_FACTOR, strict=True)]
    return out


def records_of(organisation: Organisation, start: dt.date, end: dt.date) -> list[UsageRecord]:
    return list(
        UsageRecord.objects.filter(organisation=organisation, month__gte=start, month__lt=end)
        .select_related("rate", "ai_model__vendor", "region")
        .order_by("pk")
    )


def expected_sums(
    records: Iterable[UsageRecord], key: Callable[[UsageRecord], object] = lambda r: None
) -> dict[object, dict[str, list[float]]]:
    """Footprints summed per key (one key: the total), side by side."""
    out: dict[object, dict[str, list[float]]] = {}
    for record in records:
        sums = out.setdefault(key(record), {metric: [0.0, 0.0, 0.0] for metric in METRICS})
        for metric, sides in record_footprint(record).items():
            sums[metric] = [a + b for a, b in zip(sums[metric], sides, strict=True)]
    return out


def grid_of(record: UsageRecord) -> float:
    """The location-based grid intensity behind a record's rate, g/kWh: operational CO2e per kWh of any unit."""
    return 1000 * record.rate.operational_co2e_kg_per_output_token / record.rate.energy_kwh_per_output_token
