"""Benchmark of usage ingestion: a 1,000,000-row CSV from upload to records and rollups, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aifootprint_bench_ingest \
        .venv/bin/python bench/ingest.py [--rows 1000000]

PostgreSQL only. The benchmark DROPS AND RECREATES its own database (``--database``, default
``aifootprint_bench_ingest``, on the server of DATABASE_URL; the name must contain "bench"), migrates it and loads
the shipped catalogue (its footprints computed in-process, not timed).

The file: one row per (period, model, region) over the catalogue's models and their serving regions, periods of
1 to 4 days starting every day from 2020-01-01 (so no two rows are duplicates; about 5 % cross a month boundary
and are split in two);
85 % token-level rows, 10 % request-level (requests only), 5 % spend-based (USD, with an illustrative bench-only
spend factor). Such a file is ~75 MB, over the 50 MB upload limit: the benchmark raises ``MAX_BYTES`` for itself
(the per-row work does not depend on it) and says so.

Timed, in this process, as a worker runs it (``upload_submit`` with the queue threshold out of the way, so
``upload_process`` runs inline): (1) a first upload into an empty organisation, (2) the same file again with
``on_conflict=replace`` (1 M records deleted and 1 M written in one transaction). Phases: reading the bytes and
counting rows; parsing and validation; then, in the write transaction, ``rates_ensure``, the COPY of the records,
``rollups_rebuild`` and the rest: the COMMIT with its deferred foreign-key checks (five per record), the delete
(replace), job counts, the upload row.
Computing the new rates is a recompute job of its own (``bench/recompute.py``), not timed here.

Peak RSS: VmHWM of this process, reset before each upload when the kernel allows (``/proc/self/clear_refs``),
else the process's high-water mark since start. The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FIRST_DAY = dt.date(2020, 1, 1)
SHARES = {"token": 0.85, "request": 0.10, "spend": 0.05}
BENCH_SPEND_FACTOR = 0.3  # kg CO2e per USD: illustrative, for this benchmark only (spend rows need a factor)
SEED = 20261128
PERIOD_DAYS = (1, 2, 3, 4)  # periods of each length start every day: more distinct periods than days


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def bench_database_url(database: str) -> tuple[str, str]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        example = "postgres://USER@HOST:PORT/aifootprint_bench_ingest"
        sys.exit(f"bench/ingest.py needs PostgreSQL: set DATABASE_URL={example} (got {url or 'nothing'!r}).")
    if "bench" not in database:
        sys.exit(f"--database {database!r}: the benchmark drops and recreates its database; use a name with 'bench'.")
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}")), urlunsplit(parts._replace(path="/postgres"))


def recreate_database(maintenance_url: str, database: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(maintenance_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DEBUG"] = "false"  # DEBUG keeps every query, with its parameters (the file's bytes), in memory
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.pop("REDIS_URL", None)  # tasks in-process: nothing is sent anywhere
    import django

    django.setup()


def status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


# -- seeding -------------------------------------------------------------------------------------------------------


def seed():
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from emissions.models import Source, SpendFactor
    from emissions.services.catalogue import catalogue_load
    from reports.models import Membership, Organisation, Role

    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    catalogue_load()  # tasks are eager: the catalogue's footprints are computed here
    source = Source.objects.create(
        key="bench-spend", publisher="bench/ingest.py", title="Illustrative, bench only", licence="n/a"
    )
    SpendFactor.objects.create(
        currency="USD", kg_co2e_per_unit=BENCH_SPEND_FACTOR, valid_from=dt.date(2000, 1, 1), source=source
    )
    organisation = Organisation.objects.create(name="Bench", slug="bench")
    user = get_user_model().objects.create_user("bench-analyst", "bench@example.org", "x")
    Membership.objects.create(organisation=organisation, user=user, role=Role.ANALYST)
    log(f"migrated and loaded the catalogue in {time.perf_counter() - start:.1f} s")
    return organisation, user


def generate_csv(rows: int) -> tuple[bytes, dict]:
    """Unique (period, model, region) rows; returns the bytes and the totals the records must add up to."""
    from vendors.models import AIModel

    rng = random.Random(SEED)
    pairs = [
        (m.slug, r.slug)
        for m in AIModel.objects.prefetch_related("serving_regions").order_by("slug")
        for r in sorted(m.serving_regions.all(), key=lambda r: r.slug)
    ]
    buffer = io.StringIO()
    buffer.write("start,end,model,region,requests,input_tokens,output_tokens,spend,currency\n")
    totals = {"requests": 0, "tiers": {"token": 0, "request": 0, "spend": 0}}
    written = 0
    day = 0
    while written < rows:
        for length in PERIOD_DAYS:
            first = FIRST_DAY + dt.timedelta(days=day)
            last = first + dt.timedelta(days=length - 1)
            for model, region in pairs:
                if written == rows:
                    break
                tier = rng.choices(list(SHARES), weights=list(SHARES.values()))[0]
                requests = rng.randrange(1, 50_000)
                if tier == "token":
                    cells = (requests, requests * rng.randrange(200, 2_000), requests * rng.randrange(50, 800), "", "")
                elif tier == "request":
                    cells = (requests, "", "", "", "")
                else:
                    cells = ("", "", "", f"{rng.randrange(1, 10_000_000) / 100:.2f}", "USD")
                totals["requests"] += requests if tier != "spend" else 0
                totals["tiers"][tier] += 1
                buffer.write(
                    f"{first},{last},{model},{region},{cells[0]},{cells[1]},{cells[2]},{cells[3]},{cells[4]}\n"
                )
                written += 1
        day += 1
    if FIRST_DAY + dt.timedelta(days=day) > dt.date.today():
        sys.exit("too many rows for the days up to today with this catalogue")
    return buffer.getvalue().encode("utf-8"), totals


# -- timing --------------------------------------------------------------------------------------------------------


class Timers:
    """Wraps module functions so each call adds its duration to a named phase."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self._undo = []

    def wrap(self, module, name: str, phase: str) -> None:
        original = getattr(module, name)

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[phase] = self.seconds.get(phase, 0.0) + time.perf_counter() - start

        setattr(module, name, timed)
        self._undo.append((module, name, original))

    def restore(self) -> None:
        for module, name, original in reversed(self._undo):
            setattr(module, name, original)


@contextlib.contextmanager
def instrumented():
    from emissions.services import recompute
    from reports.services import uploads, usage

    timers = Timers()
    timers.wrap(uploads, "validate_file", "parse + validate")
    timers.wrap(uploads, "_write", "write transaction (total)")
    timers.wrap(usage, "rates_ensure", "  rates_ensure")
    timers.wrap(usage, "_copy_records", "  COPY records")
    timers.wrap(usage, "rollups_rebuild", "  rollups_rebuild")
    sent = recompute.recompute_enqueue
    recompute.recompute_enqueue = lambda job_id: False  # the new rates' job is not run here (bench/recompute.py)
    try:
        yield timers
    finally:
        recompute.recompute_enqueue = sent
        timers.restore()


def run_upload(organisation, user, content: bytes, on_conflict: str, label: str) -> dict:
    from reports.models import UsageUpload
    from reports.services.uploads import upload_submit

    exact_peak = reset_peak()
    rss_before = status_kb("VmRSS")
    with instrumented() as timers:
        start = time.perf_counter()
        upload = upload_submit(
            organisation=organisation,
            user=user,
            filename="bench.csv",
            file_format="csv",
            source=io.BytesIO(content),
            size_bytes=len(content),
            on_conflict=on_conflict,
        )
        seconds = time.perf_counter() - start
    peak = status_kb("VmHWM")
    if upload.status != UsageUpload.Status.DONE:
        sys.exit(f"{label}: the upload ended {upload.status}: {upload.errors[:5]}")
    phases = dict(timers.seconds)
    write = phases.get("write transaction (total)", 0.0)
    timed_within = sum(v for k, v in phases.items() if k.startswith("  "))
    phases["  COMMIT (deferred FK checks), delete, rest"] = write - timed_within
    phases["read, count rows, claim, catalogue"] = seconds - write - phases["parse + validate"]
    rate = upload.rows_total / seconds
    since = "" if exact_peak else " (since start)"
    log(
        f"{label}: {upload.rows_total:,} rows -> {upload.records_created:,} records "
        f"({upload.records_replaced:,} replaced) in {seconds:.1f} s = {rate:,.0f} rows/s; peak RSS "
        f"{peak / 1024:.0f} MB{since} (before: {rss_before / 1024:.0f} MB)"
    )
    for name, value in phases.items():
        log(f"    {name:<42} {value:6.2f} s")
    return {
        "seconds": round(seconds, 2),
        "rows_per_second": round(rate),
        "records": upload.records_created,
        "replaced": upload.records_replaced,
        "peak_rss_mb": round(peak / 1024),
        "phases": {k.strip(): round(v, 2) for k, v in phases.items()},
    }


def check(organisation, totals: dict) -> None:
    from django.db.models import Sum

    from emissions.models import UsageRollup
    from reports.models import UsageRecord

    records = UsageRecord.objects.filter(organisation=organisation).aggregate(requests=Sum("requests"))["requests"]
    rollups = UsageRollup.objects.filter(organisation=organisation).aggregate(requests=Sum("requests"))["requests"]
    if not records == rollups == totals["requests"]:
        sys.exit(f"requests: file {totals['requests']:,}, records {records:,}, rollups {rollups:,}")
    log(f"checked: records and rollups hold the file's {totals['requests']:,} requests")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database", default="aifootprint_bench_ingest", help="dropped and recreated")
    args = parser.parse_args()

    database_url, maintenance_url = bench_database_url(args.database)
    recreate_database(maintenance_url, args.database)
    setup_django(database_url)
    from django.db import connection

    from reports.ingest import limits

    log(
        f"database {args.database} recreated; PostgreSQL {connection.cursor().connection.info.server_version}; "
        f"{os.cpu_count()} CPUs"
    )
    organisation, user = seed()
    start = time.perf_counter()
    content, totals = generate_csv(args.rows)
    log(
        f"generated {args.rows:,} rows ({len(content) / 2**20:.1f} MB; tiers {totals['tiers']}) in "
        f"{time.perf_counter() - start:.1f} s"
    )
    if len(content) > limits.MAX_BYTES:
        log(f"the file is over the {limits.megabytes(limits.MAX_BYTES)} upload limit: raised for the benchmark")
        limits.MAX_BYTES = len(content)
    limits.QUEUE_THRESHOLD_ROWS = args.rows  # processed inline, as a worker would

    first = run_upload(organisation, user, content, "", "(1) first upload")
    check(organisation, totals)
    again = run_upload(organisation, user, content, "replace", "(2) the same file, replace")
    check(organisation, totals)
    print(
        json.dumps(
            {
                "rows": args.rows,
                "file_mb": round(len(content) / 2**20, 1),
                "first": first,
                "replace": again,
                "seconds": first["seconds"],
                "rows_per_second": first["rows_per_second"],
                "peak_rss_mb": max(first["peak_rss_mb"], again["peak_rss_mb"]),
            }
        )
    )


if __name__ == "__main__":
    main()
