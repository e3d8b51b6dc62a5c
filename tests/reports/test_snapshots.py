"""The pure part of reports: periods, snapshot sums, fingerprints, differences and display, on hand-made rows."""

from __future__ import annotations

import datetime as dt

import pytest

from reports.footprint_rows import FootprintRow, SpendFactorUsed
from reports.snapshots import (
    Period,
    difference_view,
    fingerprints,
    period_containing,
    period_from_token,
    periods_with_data,
    report_view,
    snapshot_build,
    snapshot_difference,
    snapshot_figures,
)
from reports.snapshots.display import figure, percent

JAN, FEB, MAR, APR = (dt.date(2025, m, 1) for m in (1, 2, 3, 4))
Q1 = Period(JAN, "quarterly")
USD = SpendFactorUsed(7, "USD", (0.1, 0.2, 0.4), dt.date(2024, 1, 1), "Test source")


def row(month=JAN, vendor="Google", model="Gemini", region="gcp/west", tier="token", *, co2e=(1.0, 2.0, 4.0),
        market=None, energy=(10.0, 20.0, 40.0), water=(3.0, 5.0, 9.0), requests=100, rate_id=1, rate_version=1,
        spend=0.0, currency="", spend_factor=None, missing=False, grid=400.0) -> FootprintRow:  # fmt: skip
    return FootprintRow(
        month=month, vendor=vendor, vendor_slug=vendor.lower(), model=model, model_slug=f"{vendor.lower()}/{model}",
        region=region.upper() if region else "", region_slug=region, tier=tier, currency=currency, spend=spend,
        records=2, requests=requests, input_tokens=10 * requests, output_tokens=4 * requests, energy_kwh=energy,
        co2e_location_kg=co2e, co2e_market_kg=market or co2e, water_l=water, grid_g_per_kwh=grid, rate_id=rate_id,
        rate_version=rate_version, spend_factor=spend_factor, missing=missing,
    )  # fmt: skip


ROWS = [
    row(JAN, "Google", "Gemini", "gcp/west", co2e=(1.0, 2.0, 4.0), market=(0.5, 1.0, 2.0), rate_id=1),
    row(JAN, "Google", "Gemini", "gcp/east", co2e=(2.0, 3.0, 5.0), energy=(5.0, 10.0, 20.0), grid=300.0, rate_id=2),
    row(MAR, "Meta", "Llama", "", co2e=(0.25, 0.5, 1.0), rate_id=3, grid=None),
    row(FEB, "Google", "Gemini", "gcp/west", "spend", co2e=(20.0, 40.0, 80.0), energy=(0.0, 0.0, 0.0),
        water=(0.0, 0.0, 0.0), requests=0, spend=200.0, currency="USD", spend_factor=USD, rate_id=4, grid=None),
]  # fmt: skip


# -- periods -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "day", "start", "end", "label", "token"),
    [
        ("monthly", dt.date(2025, 12, 31), dt.date(2025, 12, 1), dt.date(2026, 1, 1), "December 2025", "2025-12"),
        ("quarterly", dt.date(2025, 11, 15), dt.date(2025, 10, 1), dt.date(2026, 1, 1), "Q4 2025", "2025-Q4"),
        ("quarterly", dt.date(2025, 4, 1), dt.date(2025, 4, 1), dt.date(2025, 7, 1), "Q2 2025", "2025-Q2"),
        ("yearly", dt.date(2024, 2, 29), dt.date(2024, 1, 1), dt.date(2025, 1, 1), "2024", "2024"),
    ],
)
def test_a_period_is_the_calendar_month_quarter_or_year_a_day_falls_in(kind, day, start, end, label, token):
    period = period_containing(kind, day)
    assert (period.start, period.end, period.label, period.token) == (start, end, label, token)
    assert period_from_token(token) == period
    assert period.slug == token.lower()


def test_a_quarter_spells_out_its_months():
    assert Q1.long_label == "Q1 2025 (January–March 2025)"
    assert Q1.months == [JAN, FEB, MAR]
    assert Period(JAN, "monthly").long_label == "January 2025"
    assert Period(JAN, "yearly").long_label == "2025"


@pytest.mark.parametrize("token", ["2025-13", "2025-Q5", "25-01", "2025-1", "Q1", ""])
def test_a_token_that_names_no_period_is_refused_with_the_accepted_forms(token):
    with pytest.raises(ValueError, match=r"use a month \(2025-03\), a quarter \(2025-Q1\) or a year \(2025\)"):
        period_from_token(token)


def test_periods_with_data_are_grouped_by_kind_newest_first():
    periods = periods_with_data([dt.date(2024, 12, 1), JAN, APR, FEB])
    assert [p.token for p in periods["monthly"]] == ["2025-04", "2025-02", "2025-01", "2024-12"]
    assert [p.token for p in periods["quarterly"]] == ["2025-Q2", "2025-Q1", "2024-Q4"]
    assert [p.token for p in periods["yearly"]] == ["2025", "2024"]
    assert periods_with_data([]) == {"monthly": [], "quarterly": [], "yearly": []}


# -- sums ----------------------------------------------------------------------------------------------------------


def test_totals_are_the_sums_of_each_side_over_the_rows():
    figures = snapshot_figures(ROWS, Q1)
    totals = figures["totals"]
    assert totals["co2e_location_kg"] == [1 + 2 + 0.25 + 20, 2 + 3 + 0.5 + 40, 4 + 5 + 1 + 80]
    assert totals["co2e_market_kg"] == [0.5 + 2 + 0.25 + 20, 1 + 3 + 0.5 + 40, 2 + 5 + 1 + 80]
    assert totals["energy_kwh"] == [10 + 5 + 10, 20 + 10 + 20, 40 + 20 + 40]
    assert totals["co2e_spend_based_kg"] == [20.0, 40.0, 80.0]
    assert (totals["records"], totals["requests"], totals["input_tokens"]) == (8, 300, 3000)
    assert totals["spend"] == {"USD": 200.0}


def test_breakdowns_split_the_totals_by_vendor_model_region_month_and_tier():
    figures = snapshot_figures(ROWS, Q1)
    total = 45.5
    assert [(v["vendor"], v["co2e_location_kg"][1], v["share"]) for v in figures["by_vendor"]] == [
        ("Google", 45.0, 45.0 / total), ("Meta", 0.5, 0.5 / total),
    ]  # fmt: skip
    gemini = figures["by_model"][0]
    assert [(r["region_slug"], r["co2e_location_kg"][1]) for r in gemini["regions"]] == [
        ("gcp/west", 42.0), ("gcp/east", 3.0),
    ]  # fmt: skip
    west = gemini["regions"][0]
    assert west["grid_g_per_kwh"] == 400.0  # the spend row (no energy, no grid) does not dilute it
    assert [(m["month"], m["co2e_location_kg"][1]) for m in figures["by_month"]] == [
        ("2025-01-01", 5.0), ("2025-02-01", 40.0), ("2025-03-01", 0.5),
    ]  # fmt: skip
    tiers = {t["tier"]: t for t in figures["by_tier"]}
    assert list(tiers) == ["token", "request", "spend"]
    assert (tiers["token"]["records"], tiers["request"]["records"], tiers["spend"]["records"]) == (6, 0, 2)
    assert tiers["spend"]["share"] == pytest.approx(40 / total) and tiers["request"]["share"] == 0.0
    assert "Spend-based method" in tiers["spend"]["method"] and "Average-data method" in tiers["token"]["method"]
    [factor] = figures["spend_factors"]
    assert (factor["id"], factor["kg_co2e_per_unit"], factor["months"]) == (7, [0.1, 0.2, 0.4], ["2025-02-01"])


def test_an_energy_weighted_grid_intensity_per_region():
    rows = [row(JAN, grid=400.0, energy=(1.0, 1.0, 1.0)), row(FEB, grid=100.0, energy=(3.0, 3.0, 3.0), rate_id=2)]
    [region] = snapshot_figures(rows, Q1)["by_model"][0]["regions"]
    assert region["grid_g_per_kwh"] == pytest.approx((400 * 1 + 100 * 3) / 4)


def test_rows_that_could_not_be_priced_are_listed_as_gaps_with_their_reason():
    rows = [row(missing=True), row(FEB, "Google", tier="spend", spend=50.0, currency="EUR", missing=True, rate_id=9)]
    gaps = snapshot_figures(rows, Q1)["gaps"]
    assert [(g["reason"], g["tier"], g["currency"]) for g in gaps] == [
        ("rate_not_computed", "token", ""), ("no_spend_factor", "spend", "EUR"),
    ]  # fmt: skip


def test_an_empty_period_has_zero_totals_and_every_month_listed():
    figures = snapshot_figures([], Q1)
    assert figures["totals"]["co2e_location_kg"] == [0.0, 0.0, 0.0]
    assert len(figures["by_month"]) == 3 and all(m["share"] == 0.0 for m in figures["by_month"])


# -- fingerprints --------------------------------------------------------------------------------------------------


def test_fingerprints_ignore_row_order_and_name_what_changed():
    base = fingerprints(ROWS, "2026.11")
    assert fingerprints(list(reversed(ROWS)), "2026.11") == base
    recomputed = [row(rate_version=2), *ROWS[1:]]
    assert fingerprints(recomputed, "2026.11")["usage"] == base["usage"]
    assert fingerprints(recomputed, "2026.11")["factors"] != base["factors"]
    more_usage = [row(requests=101, co2e=(1.0, 2.0, 4.0), market=(0.5, 1.0, 2.0)), *ROWS[1:]]
    assert fingerprints(more_usage, "2026.11")["usage"] != base["usage"]
    new_spend_value = [*ROWS[:3], row(FEB, tier="spend", spend=200.0, currency="USD", rate_id=4,
                                      spend_factor=SpendFactorUsed(7, "USD", (0.1, 0.25, 0.4), JAN, "x"))]  # fmt: skip
    assert fingerprints(new_spend_value, "2026.11")["factors"] != base["factors"]
    assert fingerprints(ROWS, "2027.01")["factors"] != base["factors"]
    assert len({base["usage"], base["factors"], base["combined"]}) == 3


# -- differences and display ---------------------------------------------------------------------------------------


def test_the_difference_sets_old_and_new_central_figures_side_by_side():
    old = snapshot_figures(ROWS[:3], Q1)
    new = snapshot_figures([*ROWS[:2], row(MAR, "OpenAI", "GPT", co2e=(1.0, 1.5, 2.0), rate_id=5)], Q1)
    difference = snapshot_difference(old, new)
    location = difference["totals"][0]
    assert (location["metric"], location["old"], location["new"]) == ("co2e_location_kg", 5.5, 6.5)
    assert location["change"] == 1.0 and location["percent"] == pytest.approx(100 / 5.5)
    vendors = {v["vendor_slug"]: v for v in difference["vendors"]}
    assert vendors["meta"]["location"] == {"old": 0.5, "new": 0.0, "change": -0.5, "percent": -100.0}
    assert vendors["openai"]["location"] == {"old": 0.0, "new": 1.5, "change": 1.5, "percent": None}
    shown = {v["name"]: v for v in difference_view(difference)["vendors"]}
    assert (shown["Meta"]["location"]["change"], shown["Meta"]["location"]["percent"]) == ("−0.5", "−100.0 %")
    assert shown["OpenAI"]["location"]["percent"] == "new"


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0"), (0.000123456, "0.000123"), (1.23456, "1.23"), (999.6, "1,000"), (123456.7, "123,000"), (None, "—")],
)
def test_figures_are_three_significant_figures_with_thousands_separators(value, text):
    assert figure(value) == text


def test_the_view_of_a_snapshot_prints_its_stored_figures():
    snapshot = snapshot_build(
        ROWS, organisation={"name": "Acme", "slug": "acme"}, period=Q1, methodology_version="2026.11",
        inputs={"usage": "u", "factors": "f"}, citations=[], spend_sources={7: {"note": "n", "valid_to": None}},
        generated_at=dt.datetime(2025, 4, 2, 9, 30, tzinfo=dt.UTC),
    )  # fmt: skip
    view = report_view(snapshot)
    assert (view["kind_label"], view["period"]["long_label"], view["last_day"]) == (
        "Quarterly", "Q1 2025 (January–March 2025)", dt.date(2025, 3, 31),
    )  # fmt: skip
    location = view["headline"][0]
    assert (location["label"], location["central"], location["range"]) == ("CO₂e, location-based", "45.5", "23.2–90")
    assert [v["share"] for v in view["vendors"]] == [percent(45 / 45.5), percent(0.5 / 45.5)]
    assert view["has_spend_based"] and view["spend"] == [{"currency": "USD", "amount": "200.00"}]
    assert view["spend_factors"][0]["value_text"] == "0.2 (0.1–0.4) kg CO₂e per USD"


def test_cited_factor_values_are_printed_as_curated_not_rounded_and_gaps_are_spelt_out():
    source = {"publisher": "Maker", "title": "Datasheet", "year": 2024}
    citation = {"factor_id": 3, "version": 41, "kind": "embodied", "subject": "H100", "value": 12345.6,
                "value_low": 9876.54, "value_high": 15000.0, "unit": "kgCO2e", "valid_from": "2024-01-01",
                "valid_to": None, "note": "", "source": source}  # fmt: skip
    rows = [row(FEB, tier="spend", spend=1234.5, currency="EUR", missing=True, energy=(0.0, 0.0, 0.0))]
    snapshot = snapshot_build(
        rows, organisation={"name": "Acme", "slug": "acme"}, period=Q1, methodology_version="2026.11",
        inputs={}, citations=[citation], spend_sources={}, generated_at=dt.datetime(2025, 4, 2, tzinfo=dt.UTC),
    )  # fmt: skip
    view = report_view(snapshot)
    [cited] = view["citations"]
    assert (cited["kind_label"], cited["value_text"], cited["validity"]) == (
        "Embodied emissions per card", "12,345.6 (9,876.54–15,000)", "2024-01-01 → open",
    )  # fmt: skip
    assert cited["source"]["text"] == "Maker: Datasheet (2024)"
    [gap] = view["gaps"]
    assert gap["text"].startswith("February 2025: 2 spend-based record(s) of Gemini (1,234.50 EUR) had no spend factor")
