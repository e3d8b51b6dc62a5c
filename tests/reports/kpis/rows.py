"""Footprint rows made by hand for the pure KPI tests, and a hypothesis strategy for lists of them."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from reports.footprint_rows import FootprintRow, SpendFactorUsed

VENDORS = {"meta/llama": ("meta", "Meta"), "google/gemini": ("google", "Google"), "google/imagen": ("google", "Google")}
REGIONS = ("gcp/europe-west4", "gcp/us-east4", "")


def row(
    month: dt.date = dt.date(2025, 1, 1),
    *,
    model: str = "meta/llama",
    region: str = "gcp/us-east4",
    tier: str = "token",
    energy=(1.0, 2.0, 4.0),
    location=(0.5, 1.0, 2.0),
    market=None,
    water=(3.0, 6.0, 12.0),
    requests: int = 100,
    input_tokens: int = 1_000,
    output_tokens: int = 400,
    records: int = 1,
    grid=...,  # g CO2e/kWh; left out: location / energy, as footprint_rows derives it
    spend: float = 0.0,
    factor: SpendFactorUsed | None = None,
    missing: bool = False,
    rate_id: int = 1,
    rate_version: int = 1,
) -> FootprintRow:
    vendor_slug, vendor = VENDORS.get(model, (model.split("/")[0], model.split("/")[0].title()))
    if grid is ...:
        grid = 1000 * location[1] / energy[1] if energy[1] else None
    return FootprintRow(
        month=month, vendor=vendor, vendor_slug=vendor_slug, model=model.split("/")[1].title(), model_slug=model,
        region=region.split("/")[-1] if region else "", region_slug=region, tier=tier,
        currency="USD" if tier == "spend" else "", spend=spend, records=records, requests=requests,
        input_tokens=input_tokens, output_tokens=output_tokens, energy_kwh=tuple(energy),
        co2e_location_kg=tuple(location), co2e_market_kg=tuple(market or location), water_l=tuple(water),
        grid_g_per_kwh=grid, rate_id=rate_id, rate_version=rate_version, spend_factor=factor, missing=missing,
    )  # fmt: skip


def spend_row(month: dt.date = dt.date(2025, 1, 1), *, spend: float = 100.0, kg_per_unit=(0.1, 0.2, 0.4), **kwargs):
    """A spend-based row as footprint_rows makes it: no usage, no energy or water, CO2e = spend x factor."""
    factor = SpendFactorUsed(7, "USD", tuple(kg_per_unit), dt.date(2020, 1, 1), "test")
    co2e = tuple(spend * k for k in kg_per_unit)
    return row(month, tier="spend", energy=(0.0, 0.0, 0.0), water=(0.0, 0.0, 0.0), location=co2e, market=co2e,
               requests=0, input_tokens=0, output_tokens=0, spend=spend, factor=factor, grid=None,
               **kwargs)  # fmt: skip


def _triple(draw, top: float = 1e4):
    central = draw(st.floats(0, top, allow_nan=False, allow_infinity=False))
    low = draw(st.floats(0, 1)) * central
    high = central * (1 + draw(st.floats(0, 10)))
    return (low, central, high)


@st.composite
def rows_strategy(draw, min_size: int = 0, max_size: int = 30):
    """Token-, request- and spend-based rows over two years, three models and three places."""
    out = []
    for _ in range(draw(st.integers(min_size, max_size))):
        month = dt.date(draw(st.integers(2024, 2025)), draw(st.integers(1, 12)), 1)
        model = draw(st.sampled_from(sorted(VENDORS)))
        region = draw(st.sampled_from(REGIONS))
        if draw(st.integers(0, 4)) == 0:
            out.append(spend_row(month, spend=draw(st.floats(0, 1e5)), model=model, region=region))
            continue
        location = _triple(draw)
        out.append(row(month, model=model, region=region, tier=draw(st.sampled_from(["token", "request"])),
                       energy=_triple(draw), location=location, market=_triple(draw), water=_triple(draw),
                       requests=draw(st.integers(0, 10**7)), input_tokens=draw(st.integers(0, 10**9)),
                       output_tokens=draw(st.integers(0, 10**9)), records=draw(st.integers(1, 50)),
                       grid=draw(st.one_of(st.none(), st.floats(0, 900)))))  # fmt: skip
    return out
