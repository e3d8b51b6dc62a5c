"""Intensity (CO2e per unit of usage) and the share of energy used in low-carbon regions."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from emissions.rankings import G_PER_KG
from reports.footprint_rows import FootprintRow, Triple
from reports.kpis.totals import scale, totals
from reports.models import Tier

REQUESTS_PER_INTENSITY = 1_000  # intensity is per 1,000 requests (the unit)
TOKENS_PER_INTENSITY = 1_000_000  # ... and per 1,000,000 tokens, input + output (the unit)


@dataclass(frozen=True)
class Intensity:
    """g CO2e per 1,000 requests and per 1,000,000 tokens, on both bases; None where the denominator is zero.

    Spend-based rows have no requests or tokens, so they are left out of numerator and denominator alike. The
    per-token figure counts text-generation models only (``token_models``) when given: other tasks count their
    functional units (images, audio seconds, thousands of embedded tokens) in the token columns.
    """

    per_1k_requests_location_g: Triple | None
    per_1k_requests_market_g: Triple | None
    per_1m_tokens_location_g: Triple | None
    per_1m_tokens_market_g: Triple | None
    requests: int
    tokens: int
    spend_rows_left_out: int
    non_text_rows_left_out: int


def _per(co2e_kg: Triple, amount: int, unit: int) -> Triple | None:
    return scale(co2e_kg, G_PER_KG * unit / amount) if amount else None


def intensity(rows: Iterable[FootprintRow], token_models: Collection[str] | None = None) -> Intensity:
    """CO2e intensity of the usage-based rows; ``token_models``: the model slugs whose tokens are tokens."""
    rows = list(rows)
    usage_rows = [r for r in rows if r.tier != Tier.SPEND]
    token_rows = usage_rows if token_models is None else [r for r in usage_rows if r.model_slug in token_models]
    by_requests, by_tokens = totals(usage_rows), totals(token_rows)
    return Intensity(
        _per(by_requests.co2e_location_kg, by_requests.requests, REQUESTS_PER_INTENSITY),
        _per(by_requests.co2e_market_kg, by_requests.requests, REQUESTS_PER_INTENSITY),
        _per(by_tokens.co2e_location_kg, by_tokens.tokens, TOKENS_PER_INTENSITY),
        _per(by_tokens.co2e_market_kg, by_tokens.tokens, TOKENS_PER_INTENSITY),
        by_requests.requests, by_tokens.tokens, len(rows) - len(usage_rows), len(usage_rows) - len(token_rows),
    )  # fmt: skip


@dataclass(frozen=True)
class LowCarbonShare:
    threshold_g_per_kwh: float
    low_carbon_kwh: float  # central
    total_kwh: float  # central
    share: float | None  # 0–1; None when no energy was used

    @property
    def percent(self) -> float | None:
        return None if self.share is None else self.share * 100


def low_carbon_share(rows: Iterable[FootprintRow], threshold_g_per_kwh: float) -> LowCarbonShare:
    """The share of energy (central kWh) used in rows whose grid intensity is at most the threshold.

    A row's grid intensity is its effective location-based intensity (``FootprintRow.grid_g_per_kwh``); rows
    without energy (spend-based, or not computed yet) count on neither side.
    """
    low = total = 0.0
    for row in rows:
        energy = row.energy_kwh[1]
        total += energy
        if row.grid_g_per_kwh is not None and row.grid_g_per_kwh <= threshold_g_per_kwh:
            low += energy
    return LowCarbonShare(threshold_g_per_kwh, low, total, low / total if total > 0 else None)
