"""Helpers shared by the upload tests: files built from rows, the database state an upload must not change, a
spend factor, OpenAI-like models added to the test catalogue."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass

from django.db.models import Sum

from emissions.models import Source, SpendFactor, UsageRollup
from emissions.services.catalogue import catalogue_load
from reports.models import UsageRecord, UsageUpload
from reports.services.uploads import upload_submit
from tests.vendors.dashboard_catalogue import run_pending_jobs

HEADER = ["month", "model", "region", "requests", "input_tokens", "output_tokens"]
USD_KG_PER_UNIT = 0.25  # a test value, not a published factor


def csv_bytes(rows: list[list], header: list[str] = HEADER, *, delimiter: str = ",", bom: bool = False) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8")


def json_bytes(records, *, wrap: bool = False) -> bytes:
    return json.dumps({"records": records} if wrap else records).encode("utf-8")


def submit(people, content: bytes, file_format: str = "csv", *, on_conflict: str = "", user=None) -> UsageUpload:
    return upload_submit(
        organisation=people.organisation,
        user=user or people.analyst,
        filename=f"usage.{file_format}",
        file_format=file_format,
        source=io.BytesIO(content),
        size_bytes=len(content),
        on_conflict=on_conflict,
    )


@dataclass(frozen=True)
class DatabaseState:
    """What an upload may change: every record and rollup, and the organisation's rollup sums."""

    records: int
    rollups: int
    sums: dict

    @classmethod
    def of(cls, organisation) -> DatabaseState:
        sums = UsageRollup.objects.filter(organisation=organisation).aggregate(
            records=Sum("records"),
            requests=Sum("requests"),
            input_tokens=Sum("input_tokens"),
            output_tokens=Sum("output_tokens"),
            spend=Sum("spend"),
            co2e=Sum("operational_co2e_kg"),
        )
        return cls(UsageRecord.objects.count(), UsageRollup.objects.count(), sums)


def record_sums(organisation, **filters) -> dict:
    return UsageRecord.objects.filter(organisation=organisation, **filters).aggregate(
        requests=Sum("requests"), input_tokens=Sum("input_tokens"), output_tokens=Sum("output_tokens")
    )


def rollup_sums(organisation, **filters) -> dict:
    return UsageRollup.objects.filter(organisation=organisation, **filters).aggregate(
        records=Sum("records"),
        requests=Sum("requests"),
        input_tokens=Sum("input_tokens"),
        output_tokens=Sum("output_tokens"),
    )


def add_usd_spend_factor(valid_from: dt.date = dt.date(2020, 1, 1)) -> SpendFactor:
    source = Source.objects.create(key="spend-test", publisher="Test", title="A test spend factor", licence="n/a")
    return SpendFactor.objects.create(
        currency="USD", kg_co2e_per_unit=USD_KG_PER_UNIT, valid_from=valid_from, source=source
    )


OPENAI_ROWS = {
    "vendors.csv": ["openai,OpenAI Test,https://openai.com,USA,,,,meta-test"],
    "models.csv": [
        "openai/gpt-4o-mini,openai,GPT-4o mini,GPT-4o,text-generation,2024-07-18,false,dense,nvidia-h100-sxm,"
        "gcp/us-east4,meta-test,",
        "openai/gpt-4o,openai,GPT-4o,GPT-4o,text-generation,2024-05-13,false,dense,nvidia-h100-sxm,gcp/us-east4,"
        "meta-test,",
    ],
    "model_factors.csv": [
        "openai/gpt-4o-mini,total_params,8,,,B params,2024-07-18,,meta-test,test value",
        "openai/gpt-4o-mini,active_params,8,,,B params,2024-07-18,,meta-test,test value",
        "openai/gpt-4o,total_params,200,,,B params,2024-05-13,,meta-test,test value",
        "openai/gpt-4o,active_params,200,,,B params,2024-05-13,,meta-test,test value",
    ],
}


def add_openai_models(catalogue_dir) -> None:
    """Two OpenAI-like models in the test catalogue (as tests/vendors/dashboard_catalogue.py grows it)."""
    for name, rows in OPENAI_ROWS.items():
        path = catalogue_dir / name
        text = path.read_text(encoding="utf-8")
        path.write_text(text.rstrip("\n") + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    catalogue_load(data_dir=catalogue_dir)
    run_pending_jobs()
