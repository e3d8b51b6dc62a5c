"""Every unit conversion of the engine, in one place.

The engine computes internally in watt-hours (energy), grams CO2e (emissions) and litres (water);
results are reported in kWh, kg CO2e and L. Nothing else in the package multiplies by 1000.
"""

from __future__ import annotations

# Energy
WH_PER_KWH = 1_000.0
KWH_PER_MWH = 1_000.0
WH_PER_MWH = WH_PER_KWH * KWH_PER_MWH
JOULES_PER_WH = 3_600.0
SECONDS_PER_HOUR = 3_600.0
HOURS_PER_DAY = 24.0
DAYS_PER_YEAR = 365.25  # Julian year: lifetimes are averages, leap years included
HOURS_PER_YEAR = HOURS_PER_DAY * DAYS_PER_YEAR
SECONDS_PER_YEAR = HOURS_PER_YEAR * SECONDS_PER_HOUR

# Mass of CO2e
G_PER_KG = 1_000.0
KG_PER_TONNE = 1_000.0
G_PER_TONNE = G_PER_KG * KG_PER_TONNE

# Volume of water
ML_PER_L = 1_000.0

# Sizes
BYTES_PER_GB = 1e9  # accelerator memory is sold in decimal GB
PARAMS_PER_BILLION = 1e9


def wh_to_kwh(wh: float) -> float:
    return wh / WH_PER_KWH


def kwh_to_wh(kwh: float) -> float:
    return kwh * WH_PER_KWH


def kwh_to_mwh(kwh: float) -> float:
    return kwh / KWH_PER_MWH


def mwh_to_kwh(mwh: float) -> float:
    return mwh * KWH_PER_MWH


def joules_to_wh(joules: float) -> float:
    return joules / JOULES_PER_WH


def wh_to_joules(wh: float) -> float:
    return wh * JOULES_PER_WH


def watts_hours_to_kwh(watts: float, hours: float) -> float:
    """Energy drawn by ``watts`` for ``hours``, in kWh."""
    return watts * hours / WH_PER_KWH


def g_to_kg(g: float) -> float:
    return g / G_PER_KG


def kg_to_g(kg: float) -> float:
    return kg * G_PER_KG


def kg_to_tonnes(kg: float) -> float:
    return kg / KG_PER_TONNE


def tonnes_to_kg(t: float) -> float:
    return t * KG_PER_TONNE


def ml_to_l(ml: float) -> float:
    return ml / ML_PER_L


def l_to_ml(litres: float) -> float:
    return litres * ML_PER_L


def years_to_hours(years: float) -> float:
    return years * HOURS_PER_YEAR


def years_to_seconds(years: float) -> float:
    return years * SECONDS_PER_YEAR


def days_to_hours(days: float) -> float:
    return days * HOURS_PER_DAY


def g_per_kwh_to_kg_per_kwh(g_per_kwh: float) -> float:
    return g_per_kwh / G_PER_KG
