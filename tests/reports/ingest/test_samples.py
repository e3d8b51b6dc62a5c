"""The sample files of docs/samples/ are valid against the shipped catalogue (data/*.csv) as they are, and read as
documented in docs/usage-formats.md. Checked with the validation alone, over a catalogue snapshot built from the
CSV files: no database."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

from emissions.engine import TYPICAL_REQUESTS
from reports.ingest.batch import TIERS
from reports.ingest.catalogue import Catalogue, CatalogueModel
from reports.ingest.validate import validate_file

ROOT = Path(settings.BASE_DIR)
SAMPLES = ROOT / "docs" / "samples"
TODAY = dt.date(2026, 1, 1)


def shipped_catalogue() -> Catalogue:
    def rows(name):
        with (ROOT / "data" / name).open(encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    regions = {row["slug"]: pk for pk, row in enumerate(rows("regions.csv"), start=1)}
    vendors = {row["slug"]: row["name"] for row in rows("vendors.csv")}
    models = []
    for pk, row in enumerate(rows("models.csv"), start=1):
        served = sorted(row["serving_regions"].split())
        typical = TYPICAL_REQUESTS[row["task"]]
        models.append(
            CatalogueModel(
                pk,
                row["slug"],
                row["name"],
                row["vendor"],
                vendors[row["vendor"]],
                row["task"],
                regions[served[0]] if served else None,
                typical.input_tokens,
                typical.output_units,
            )
        )
    return Catalogue(models, regions)


@pytest.mark.parametrize(
    ("name", "file_format"),
    [
        ("usage.csv", "csv"),
        ("usage.json", "json"),
        ("openai-usage-completions.json", "openai-usage"),
    ],
)
def test_each_sample_is_valid_against_the_shipped_catalogue(name, file_format):
    validation = validate_file(
        (SAMPLES / name).read_bytes(),
        file_format,
        catalogue=shipped_catalogue(),
        confirmed={},
        today=TODAY,
        spend_factors=lambda keys: keys,
    )
    assert validation.ok, (validation.errors.listed, validation.proposals)
    assert len(validation.batch) > 0


def test_the_csv_and_json_samples_hold_the_same_usage_one_row_of_each_kind():
    batches = [
        validate_file(
            (SAMPLES / name).read_bytes(),
            fmt,
            catalogue=shipped_catalogue(),
            confirmed={},
            today=TODAY,
            spend_factors=lambda keys: keys,
        ).batch
        for name, fmt in (("usage.csv", "csv"), ("usage.json", "json"))
    ]
    csv_rows, json_rows = ([r[1:] for r in batch.rows()] for batch in batches)  # all but the source row
    assert csv_rows == json_rows
    assert [r[0] for r in batches[0].rows()] == [2, 3, 4, 4, 5, 6]  # CSV rows (header = 1); row 4 spans two months
    assert set(batches[0].tier_counts()) == set(TIERS)
    assert len(batches[0]) == 6  # five rows, one of them over two months
