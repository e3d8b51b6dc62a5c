"""The sample CSV offered on the usage page: one row of each kind, with this catalogue's own slugs, so the file
uploads as it is (a user's first upload should succeed, then be edited).

Rows: token-level with a region; request-level without one (the model's first serving region is assumed); a
start/end period over two months (split pro rata by days); a model named by vendor and model_name; and, when a
spend factor is in force, a spend-based row. Months are the last two complete months, so nothing is in the future.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reports.ingest.catalogue import Catalogue
from reports.ingest.readers import FIELDS


@dataclass(frozen=True)
class Column:
    label: str


@dataclass(frozen=True)
class Cell:
    text: str


@dataclass
class SampleTable:
    """The shape ``vendors.views.csv_response`` writes: columns with labels, rows of cells with text."""

    columns: list[Column]
    rows: list[list[Cell]]


def sample_months(today: dt.date) -> tuple[dt.date, dt.date]:
    """The first days of the two complete months before ``today``'s, older first."""
    last = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return (last - dt.timedelta(days=1)).replace(day=1), last


def sample_table(catalogue: Catalogue, today: dt.date, spend_currency: str | None) -> SampleTable:
    older, last = sample_months(today)
    text_models = [m for m in catalogue.models if m.task == "text-generation"] or catalogue.models
    regions = {pk: slug for slug, pk in catalogue.regions.items()}
    rows: list[dict[str, str]] = []
    if text_models:
        first = text_models[0]
        second = text_models[1 % len(text_models)]
        third = text_models[2 % len(text_models)]
        region = regions.get(first.default_region_id, "")
        rows += [
            {"month": f"{older:%Y-%m}", "model": first.slug, "region": region, "requests": "120000",
             "input_tokens": "96000000", "output_tokens": "36000000"},
            {"month": f"{older:%Y-%m}", "model": second.slug, "requests": "50000"},
            {"start": (older + dt.timedelta(days=14)).isoformat(), "end": (last + dt.timedelta(days=13)).isoformat(),
             "model": first.slug, "region": region, "requests": "30000", "input_tokens": "24000000",
             "output_tokens": "9000000"},
            {"month": f"{last:%Y-%m}", "vendor": third.vendor_name, "model_name": third.name, "requests": "8000",
             "input_tokens": "6400000", "output_tokens": "2400000"},
        ]  # fmt: skip
        if spend_currency:
            rows.append(
                {"month": f"{last:%Y-%m}", "model": second.slug, "spend": "1250.00", "currency": spend_currency}
            )
    return SampleTable(
        [Column(name) for name in FIELDS], [[Cell(row.get(name, "")) for name in FIELDS] for row in rows]
    )
