"""Intensity counts usage-based rows only (spend-based ones are out of numerator and denominator), per token only
the models whose tokens are tokens; the low-carbon share is of energy at or under the threshold."""

from __future__ import annotations

import datetime as dt
import math

from hypothesis import given
from hypothesis import strategies as st

from reports.kpis.intensity import intensity, low_carbon_share
from tests.reports.kpis.rows import row, rows_strategy, spend_row

JAN = dt.date(2025, 1, 1)


def test_intensity_is_grams_per_thousand_requests_and_per_million_tokens_without_spend_rows():
    rows = [
        row(JAN, model="meta/llama", location=(1, 2, 4), market=(0.5, 1, 2), requests=400, input_tokens=3_000,
            output_tokens=1_000),
        row(JAN, model="google/gemini", location=(2, 3, 5), market=(1, 1.5, 2), requests=100, input_tokens=5_000,
            output_tokens=1_000, tier="request"),
        spend_row(JAN, spend=10_000),  # 2,000 kg CO2e central: would dwarf everything if it were counted
    ]  # fmt: skip
    i = intensity(rows)
    # (2 + 3) kg over 500 requests -> 10 g per request -> 10,000 g per 1,000 requests
    assert [round(v, 9) for v in i.per_1k_requests_location_g] == [6_000, 10_000, 18_000]
    assert [round(v, 9) for v in i.per_1k_requests_market_g] == [3_000, 5_000, 8_000]
    # (2 + 3) kg over 10,000 tokens -> 0.5 g per token -> 500,000 g per 1,000,000 tokens
    assert math.isclose(i.per_1m_tokens_location_g[1], 500_000)
    assert (i.requests, i.tokens, i.spend_rows_left_out, i.non_text_rows_left_out) == (500, 10_000, 1, 0)


def test_per_token_intensity_counts_only_the_models_given():
    rows = [row(JAN, model="meta/llama", location=(1, 2, 4), input_tokens=1_000, output_tokens=0),
            row(JAN, model="google/imagen", location=(10, 20, 40), input_tokens=0, output_tokens=5)]  # fmt: skip
    i = intensity(rows, token_models={"meta/llama"})
    assert math.isclose(i.per_1m_tokens_location_g[1], 2 * 1000 / 1_000 * 1_000_000)
    assert i.tokens == 1_000 and i.non_text_rows_left_out == 1
    assert math.isclose(i.per_1k_requests_location_g[1], 22 * 1000 / 200 * 1000)  # per request: both models


def test_no_requests_or_tokens_gives_no_intensity():
    i = intensity([spend_row(JAN), row(JAN, requests=0, input_tokens=0, output_tokens=0)])
    assert i.per_1k_requests_location_g is None and i.per_1m_tokens_market_g is None


def test_the_low_carbon_share_is_of_energy_at_or_under_the_threshold():
    rows = [row(JAN, energy=(1, 10, 20), grid=100.0), row(JAN, energy=(1, 30, 50), grid=100.01),
            row(JAN, energy=(0, 0, 0), grid=None), spend_row(JAN)]  # fmt: skip
    share = low_carbon_share(rows, 100)
    assert (share.low_carbon_kwh, share.total_kwh) == (10, 40)
    assert share.share == 0.25 and share.percent == 25
    assert low_carbon_share([spend_row(JAN)], 100).share is None


@given(rows_strategy(), st.integers(0, 1000))
def test_the_low_carbon_share_is_between_zero_and_one_and_grows_with_the_threshold(rows, threshold):
    lower, higher = low_carbon_share(rows, threshold), low_carbon_share(rows, threshold + 100)
    if lower.share is not None:
        assert 0 <= lower.share <= 1 + 1e-12
        assert lower.low_carbon_kwh <= higher.low_carbon_kwh
