"""Set-based writes of the recompute pipeline, for PostgreSQL (COPY, advisory locks) and SQLite.

Statements are assembled only from the table and column names defined in this module and in
``emissions.models.footprints``; every value travels as a query parameter or through COPY.

Results reach the database through a temporary table and one ``UPDATE ... FROM`` per target table, never one
statement per row. A rate is written only where its version is still the one the worker read (see
``Freshness``); the rollups of every written rate are then recomputed from it in a single statement.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence

from django.db import connection

from emissions.models.footprints import (
    RATE_COLUMNS,
    STORED_METRICS,
    USAGE_FIELDS,
    metric_column,
    rate_column,
)

RATES = "emissions_footprintrate"
ROLLUPS = "emissions_usagerollup"
USAGE = "reports_usagerecord"

# Advisory lock keys (PostgreSQL): one worker recomputes at a time; markers and publishers take turns.
WORKER_LOCK = 7_402_301
WRITE_LOCK = 7_402_302


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def serialize_writes() -> None:
    """Inside a transaction: wait for any other marker or publisher to commit (no deadlocks, no interleaving)."""
    if _is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])


@contextlib.contextmanager
def worker_lock() -> Iterator[bool]:
    """Held for a whole recompute; yields False when another worker holds it. Released if the worker dies."""
    if not _is_postgres():
        yield True  # SQLite: one process, tasks run in-process
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [WORKER_LOCK])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [WORKER_LOCK])


def _temp_table(cursor, name: str, columns: Sequence[tuple[str, str]]) -> None:
    """A temporary table that vanishes at commit (PostgreSQL) or is replaced on next use (SQLite)."""
    definition = ", ".join(f"{column} {kind}" for column, kind in columns)
    # Dropped first too: two publishes can share one transaction (a caller's atomic block, a test).
    cursor.execute(f"DROP TABLE IF EXISTS {'pg_temp' if _is_postgres() else 'temp'}.{name}")
    on_commit = " ON COMMIT DROP" if _is_postgres() else ""
    cursor.execute(f"CREATE TEMP TABLE {name} ({definition}){on_commit}")


def _fill(cursor, name: str, columns: Sequence[str], rows: Iterable[Sequence], types: Sequence[str]) -> None:
    """COPY in binary (PostgreSQL types given per column): 4x faster than text for rows of 45 floats."""
    if _is_postgres():
        with cursor.cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(list(types))
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in columns)
        cursor.cursor.executemany(f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({marks})", list(rows))


def publish_rates(
    rows: Iterable[tuple[int, int, Sequence[float], dict]], *, methodology_version: str, computed_at: dt.datetime
) -> list[int]:
    """Write (rate id, version read, 45 values, factor versions) where the version is unchanged; return ids."""
    json_type = "jsonb" if _is_postgres() else "text"
    columns = [("id", "bigint"), ("claimed", "bigint"), *((c, "double precision") for c in RATE_COLUMNS),
               ("factor_versions", json_type)]  # fmt: skip
    with connection.cursor() as cursor:
        _temp_table(cursor, "recompute_rates", columns)
        _fill(
            cursor,
            "recompute_rates",
            [c for c, _ in columns],
            (
                (rate_id, claimed, *values, versions if _is_postgres() else json.dumps(versions))
                for rate_id, claimed, values, versions in rows
            ),
            ["int8", "int8", *["float8"] * len(RATE_COLUMNS), "jsonb"],
        )
        assignments = ", ".join(f"{c} = t.{c}" for c in RATE_COLUMNS)
        cursor.execute(
            f"UPDATE {RATES} AS r SET {assignments}, factor_versions = t.factor_versions, "
            "methodology_version = %s, computed_version = t.claimed, computed_at = %s, "
            "stale_since = NULL, stale_job_id = NULL "
            "FROM recompute_rates AS t WHERE r.id = t.id AND r.version = t.claimed "
            f"RETURNING {'r.id' if _is_postgres() else 'id'}",
            [methodology_version, computed_at],
        )
        return [row[0] for row in cursor.fetchall()]


def _rollup_assignments() -> str:
    """metric_side = input_tokens x rate per input token + output_tokens x ... + requests x ..."""
    parts = []
    for metric in STORED_METRICS:
        for side in range(3):
            terms = " + ".join(f"u.{usage} * r.{rate_column(metric, side, unit)}" for unit, usage in
                               enumerate(USAGE_FIELDS))  # fmt: skip
            parts.append(f"{metric_column(metric, side)} = {terms}")
    return ", ".join(parts)


ROLLUP_ASSIGNMENTS = _rollup_assignments()


def refresh_rollups_of_rates(rate_ids: Sequence[int]) -> int:
    """Recompute, in one statement, the footprint of every rollup of these rates. Returns the rows written."""
    if not rate_ids:
        return 0
    with connection.cursor() as cursor:
        _temp_table(cursor, "recompute_published", [("id", "bigint PRIMARY KEY")])
        _fill(cursor, "recompute_published", ["id"], ((i,) for i in rate_ids), ["int8"])
        cursor.execute(
            f"UPDATE {ROLLUPS} AS u SET {ROLLUP_ASSIGNMENTS} FROM {RATES} AS r, recompute_published AS p "
            "WHERE u.rate_id = r.id AND r.id = p.id"
        )
        return cursor.rowcount


def rebuild_rollups(organisation_id: int, months: Sequence[dt.date]) -> int:
    """Replace an organisation's rollups for ``months`` by sums over its usage records (footprints left empty)."""
    marks = ", ".join(["%s"] * len(months))
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {ROLLUPS} WHERE organisation_id = %s AND month IN ({marks})", [organisation_id, *months]
        )
        # Spend is summed per currency on spend-based rows only (other tiers' spend is informative).
        cursor.execute(
            f"INSERT INTO {ROLLUPS} (organisation_id, month, ai_model_id, region_id, rate_id, tier, currency, "
            "records, requests, input_tokens, output_tokens, spend) "
            "SELECT organisation_id, month, ai_model_id, region_id, rate_id, tier, "
            "CASE WHEN tier = 'spend' THEN currency ELSE '' END, "
            "COUNT(*), SUM(requests), SUM(input_tokens), SUM(output_tokens), "
            "COALESCE(SUM(CASE WHEN tier = 'spend' THEN spend END), 0) "
            f"FROM {USAGE} WHERE organisation_id = %s AND month IN ({marks}) "
            "GROUP BY organisation_id, month, ai_model_id, region_id, rate_id, tier, "
            "CASE WHEN tier = 'spend' THEN currency ELSE '' END",
            [organisation_id, *months],
        )
        return cursor.rowcount


def refresh_rollups_of_organisation(organisation_id: int, months: Sequence[dt.date]) -> int:
    """Price an organisation's rollups for ``months`` with their rates, in one statement."""
    marks = ", ".join(["%s"] * len(months))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ROLLUPS} AS u SET {ROLLUP_ASSIGNMENTS} FROM {RATES} AS r "
            f"WHERE u.rate_id = r.id AND u.organisation_id = %s AND u.month IN ({marks})",
            [organisation_id, *months],
        )
        return cursor.rowcount
