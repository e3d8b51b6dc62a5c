"""An organisation's footprint as plain rows: the one read that dashboards, exports and reports share.

Each row is one ``UsageRollup`` (organisation x month x model x region x data-quality tier) with its footprint
on three sides (low, central, high). Token- and request-level rows are priced by their rate (the rollup's
stored metric columns); spend-based rows carry no usage, and their CO2e is spend x the spend factor in force for
the currency on the first day of the month. A spend factor says nothing of energy or water, so spend-based rows
add CO2e only, and the same figure on both bases (an input-output factor is neither location- nor market-based).

Everything downstream (``reports.kpis``, ``reports.snapshots``) is arithmetic over these rows: no ORM.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from emissions.models import SpendFactor, UsageRollup
from emissions.models.footprints import SIDE_SUFFIXES
from reports.models import Organisation, Tier

Triple = tuple[float, float, float]  # (low, central, high)
ZERO: Triple = (0.0, 0.0, 0.0)


@dataclass(frozen=True)
class SpendFactorUsed:
    id: int
    currency: str
    kg_per_unit: Triple
    valid_from: dt.date
    source: str


@dataclass
class FootprintRow:
    month: dt.date
    vendor: str  # vendor name
    vendor_slug: str
    model: str  # model name
    model_slug: str
    region: str  # region name, or "" when the usage has no place (world average)
    region_slug: str
    tier: str
    currency: str
    spend: float
    records: int
    requests: int
    input_tokens: int
    output_tokens: int
    energy_kwh: Triple
    co2e_location_kg: Triple  # operational (location-based) + embodied; spend-based: spend x factor
    co2e_market_kg: Triple
    water_l: Triple
    grid_g_per_kwh: float | None  # effective location-based intensity of the row's electricity
    rate_id: int
    rate_version: int  # the rate's computed version: changes when a factor behind it changes
    spend_factor: SpendFactorUsed | None = None
    missing: bool = False  # priced by a rate not computed yet (counts as zero until the recompute finishes)
    extra: dict = field(default_factory=dict)

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def co2e_kg(self, basis: str) -> Triple:
        return self.co2e_market_kg if basis == "market" else self.co2e_location_kg


ROLLUP_FIELDS = (
    "month", "tier", "currency", "spend", "records", "requests", "input_tokens", "output_tokens", "rate_id",
    "ai_model__slug", "ai_model__name", "ai_model__vendor__slug", "ai_model__vendor__name",
    "region__slug", "region__name", "rate__computed_version",
)  # fmt: skip
METRICS = ("energy_kwh", "operational_co2e_kg", "operational_co2e_market_kg", "embodied_co2e_kg", "water_l")


def _triple(values: dict, metric: str) -> Triple | None:
    sides = [values[metric + suffix] for suffix in SIDE_SUFFIXES]
    return None if any(v is None for v in sides) else (sides[0], sides[1], sides[2])


def _add(a: Triple, b: Triple) -> Triple:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


def spend_factors_in_force(
    currencies: Iterable[str], months: Iterable[dt.date]
) -> dict[tuple[str, dt.date], SpendFactorUsed]:
    """The spend factor in force on each month's first day, per currency (missing when there is none)."""
    currencies, months = set(currencies), sorted(set(months))
    if not currencies or not months:
        return {}
    factors = list(
        SpendFactor.objects.filter(currency__in=currencies, valid_from__lte=months[-1])
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=months[0]))
        .select_related("source")
        .order_by("currency", "valid_from", "id")
    )
    found = {}
    for currency in currencies:
        for month in months:
            in_force = [
                f for f in factors
                if f.currency == currency and f.valid_from <= month and (f.valid_to is None or month < f.valid_to)
            ]  # fmt: skip
            if in_force:
                f = in_force[-1]  # the latest start wins when periods overlap
                found[(currency, month)] = SpendFactorUsed(
                    f.id, currency, (f.low, f.kg_co2e_per_unit, f.high), f.valid_from, str(f.source)
                )
    return found


def footprint_rows(organisation: Organisation, start: dt.date, end: dt.date) -> list[FootprintRow]:
    """The organisation's rollups for months in [start, end), as priced rows. Two queries whatever the size."""
    values = list(
        UsageRollup.objects.filter(organisation=organisation, month__gte=start, month__lt=end)
        .order_by("month", "ai_model__vendor__name", "ai_model__name", "region__name", "tier")
        .values(*ROLLUP_FIELDS, *(m + s for m in METRICS for s in SIDE_SUFFIXES))
    )
    spend_keys = [(v["currency"], v["month"]) for v in values if v["tier"] == Tier.SPEND]
    factors = spend_factors_in_force({c for c, _ in spend_keys}, {m for _, m in spend_keys})
    return [_row(v, factors) for v in values]


def _row(v: dict, factors: dict) -> FootprintRow:
    triples = {metric: _triple(v, metric) for metric in METRICS}
    missing = any(t is None for t in triples.values())
    t = {metric: triple or ZERO for metric, triple in triples.items()}
    location = _add(t["operational_co2e_kg"], t["embodied_co2e_kg"])
    market = _add(t["operational_co2e_market_kg"], t["embodied_co2e_kg"])
    spend = float(v["spend"] or 0)
    factor = None
    if v["tier"] == Tier.SPEND:  # no usage, so the rate does not matter: only the spend factor
        factor = factors.get((v["currency"], v["month"]))
        missing = factor is None
        if factor is not None:
            from_spend = tuple(spend * k for k in factor.kg_per_unit)
            location, market = _add(location, from_spend), _add(market, from_spend)
    energy = t["energy_kwh"][1]
    grid = 1000.0 * t["operational_co2e_kg"][1] / energy if energy > 0 else None
    return FootprintRow(
        month=v["month"], vendor=v["ai_model__vendor__name"], vendor_slug=v["ai_model__vendor__slug"],
        model=v["ai_model__name"], model_slug=v["ai_model__slug"], region=v["region__name"] or "",
        region_slug=v["region__slug"] or "", tier=v["tier"], currency=v["currency"], spend=spend,
        records=v["records"], requests=v["requests"], input_tokens=v["input_tokens"],
        output_tokens=v["output_tokens"], energy_kwh=t["energy_kwh"], co2e_location_kg=location,
        co2e_market_kg=market, water_l=t["water_l"], grid_g_per_kwh=grid, rate_id=v["rate_id"],
        rate_version=v["rate__computed_version"], spend_factor=factor, missing=missing,
    )  # fmt: skip
