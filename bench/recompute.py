"""Benchmark of the recompute pipeline: a factor approval to every footprint fresh, with a real Celery worker.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aifootprint_bench REDIS_URL=redis://127.0.0.1:6379/6 \
        .venv/bin/python bench/recompute.py [--records 1000000] [--sample 20000]

PostgreSQL and Redis only. The benchmark DROPS AND RECREATES its own database (``--database``, default
``aifootprint_bench``, on the server of DATABASE_URL; the database named in DATABASE_URL is not touched unless
it is that one), migrates it and loads the shipped catalogue. Give REDIS_URL a database number of its own
(e.g. /6) so that no other worker takes the benchmark's tasks.

Phases:

1. seed: catalogue, 50 models served on the NVIDIA H100 SXM, 40 regions in 40 distinct grid zones, 24 months
   (2024-01 to 2025-12), 5 organisations; the rates those records need (``rates_ensure``, computed inline),
   N usage records bulk-loaded with COPY, rollups rebuilt per organisation (``rollups_rebuild``). One zone
   carries 20 % of the usage so that (a) below touches about 10 % of the records.
2. a real worker (``celery -A config worker --concurrency=1 --pool=prefork``) is started;
   (a) a draft correcting the 2025 location-based grid intensity of the heavy zone is approved (about 10 % of
   the records), then (b) a draft correcting the H100 SXM TDP (every selected model is served on it, so
   every rate and every record). Each is timed from the approval's commit until the job has succeeded, no
   job is active and no rate is stale (rates, rollups and model footprints are published together).
3. the same recompute as (b), run inline in this process with timers around each step (the breakdown).
4. the naive path on a sample: per record, ``estimate_inference`` reading factors from the database and a
   ``save()`` of the result into the record's rollup (rolled back).

Peak worker RSS: the sum over the worker's processes (main + pool child) of VmHWM from /proc/<pid>/status,
i.e. each process's own high-water mark; pages the child shares with its parent count twice, so it is an
upper bound. The last line printed is JSON: records, seconds_10pct, seconds_all, records_per_second,
naive_records_per_second, ratio_vs_naive, peak_worker_rss_mb (and a few extra figures).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MONTHS = [dt.date(2024 + i // 12, i % 12 + 1, 1) for i in range(24)]
N_MODELS = 50
N_REGIONS = 40
N_ORGANISATIONS = 5
HEAVY_ZONE_SHARE = 0.20  # of all usage; the 2025 factor covers half the months, so (a) touches ~10 %
PREFERRED_HEAVY_REGION = "aws/us-east-1"
ACCELERATOR = "nvidia-h100-sxm"
POLL_SECONDS = 0.02
WORKER_ENV = {"DJANGO_SETTINGS_MODULE": "config.settings.local", "DEBUG": "false", "LOG_LEVEL": "WARNING"}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# -- environment -----------------------------------------------------------------------------------


def bench_database_url(database: str) -> tuple[str, str]:
    """(benchmark database URL, maintenance database URL) on DATABASE_URL's server; exits when unusable."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/recompute.py needs PostgreSQL: set DATABASE_URL=postgres://USER@HOST:PORT/aifootprint_bench "
                 f"(got {url or 'nothing'!r}).")  # fmt: skip
    if not os.environ.get("REDIS_URL"):
        sys.exit("bench/recompute.py needs Redis for a real worker: set REDIS_URL, with a database number of its "
                 "own, e.g. REDIS_URL=redis://127.0.0.1:6379/6.")  # fmt: skip
    if "bench" not in database:
        sys.exit(f"--database {database!r}: the benchmark drops and recreates its database; use a name with "
                 "'bench' in it.")  # fmt: skip
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
    for name, value in WORKER_ENV.items():
        os.environ[name] = value
    import django

    django.setup()


@contextlib.contextmanager
def eager_tasks():
    """Tasks run in this process while seeding (no worker yet, nothing left in the queue)."""
    from config.celery import app

    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False


# -- seeding ---------------------------------------------------------------------------------------


def choose_models():
    from vendors.models import AIModel

    models = list(AIModel.objects.filter(serving_accelerator__slug=ACCELERATOR).order_by("slug")[:N_MODELS])
    if len(models) < N_MODELS:
        sys.exit(f"the catalogue has only {len(models)} models served on {ACCELERATOR}; {N_MODELS} needed")
    return models


def choose_regions():
    """40 regions in 40 distinct zones, each zone with a location-based grid intensity on 2024-01-01 and
    2025-01-01; the heavy region first (its zone's 2025 factor is the one (a) corrects)."""
    from emissions.models import EmissionFactor
    from vendors.models import Region

    def in_force(on):
        return set(
            EmissionFactor.objects.filter(kind="grid_intensity_location", status="approved", valid_from__lte=on)
            .exclude(valid_to__lte=on)
            .values_list("zone_id", flat=True)
        )

    usable = in_force(MONTHS[0]) & in_force(dt.date(2025, 1, 1))
    by_zone = {}
    for region in Region.objects.select_related("zone").order_by("slug"):
        if region.zone_id in usable:
            by_zone.setdefault(region.zone_id, region)
    preferred = Region.objects.filter(slug=PREFERRED_HEAVY_REGION).first()
    regions = list(by_zone.values())
    if preferred and preferred.zone_id in by_zone:
        regions.remove(by_zone[preferred.zone_id])
        regions.insert(0, preferred)
    if len(regions) < N_REGIONS:
        sys.exit(f"only {len(regions)} regions with distinct zones and grid factors; {N_REGIONS} needed")
    return regions[:N_REGIONS]


def make_curator():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.create_user("bench-curator", "bench@example.org", "bench", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="approve_emissionfactor"))
    return get_user_model().objects.get(pk=user.pk)  # fresh permission cache


def generate_usage(n: int, n_models: int, n_regions: int):
    import numpy as np

    rng = np.random.default_rng(2026)
    weights = np.full(n_regions, (1.0 - HEAVY_ZONE_SHARE) / (n_regions - 1))
    weights[0] = HEAVY_ZONE_SHARE
    return {
        "organisation": rng.integers(0, N_ORGANISATIONS, n),
        "model": rng.integers(0, n_models, n),
        "region": rng.choice(n_regions, size=n, p=weights),
        "month": rng.integers(0, len(MONTHS), n),
        "input_tokens": rng.integers(0, 2_000_000, n),
        "output_tokens": rng.integers(0, 400_000, n),
        "requests": rng.integers(1, 2_000, n),
    }


def copy_usage(usage, organisation_ids, model_ids, region_ids, rate_of) -> None:
    """COPY the records into reports_usagerecord (text format, 100,000 rows a chunk)."""
    from django.db import connection, transaction

    n = len(usage["model"])
    created = dt.datetime.now(dt.UTC).isoformat()
    month_text = [m.isoformat() for m in MONTHS]
    columns = "organisation_id, month, ai_model_id, region_id, region_assumed, rate_id, requests, input_tokens, " \
              "output_tokens, created_at"  # fmt: skip
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY reports_usagerecord ({columns}) FROM STDIN") as copy,
    ):
        for start in range(0, n, 100_000):
            part = slice(start, start + 100_000)
            org = organisation_ids[usage["organisation"][part]].tolist()
            model = usage["model"][part]
            region = usage["region"][part]
            month = usage["month"][part]
            rate = rate_of[model, region, month].tolist()
            lines = [
                f"{o}\t{month_text[mo]}\t{m}\t{r}\tf\t{ra}\t{rq}\t{it}\t{ot}\t{created}\n"
                for o, mo, m, r, ra, rq, it, ot in zip(
                    org, month.tolist(), model_ids[model].tolist(), region_ids[region].tolist(), rate,
                    usage["requests"][part].tolist(), usage["input_tokens"][part].tolist(),
                    usage["output_tokens"][part].tolist(), strict=True,
                )
            ]  # fmt: skip
            copy.write("".join(lines))


def vacuum_analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("reports_usagerecord", "emissions_usagerollup", "emissions_footprintrate"):
            cursor.execute(f"VACUUM ANALYZE {table}")


def seed(n: int):
    import numpy as np
    from django.core.management import call_command

    from emissions.services.catalogue import catalogue_load
    from emissions.services.footprints import rates_ensure, rollups_rebuild
    from reports.models import Organisation

    timings = {}
    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    timings["migrate"] = time.perf_counter() - start
    log(f"migrated in {timings['migrate']:.1f} s")

    start = time.perf_counter()
    with eager_tasks():
        report = catalogue_load()
    timings["catalogue"] = time.perf_counter() - start
    log(f"catalogue loaded and its footprints computed in {timings['catalogue']:.1f} s "
        f"({len(report.changed_factor_ids)} factors)")  # fmt: skip

    models, regions = choose_models(), choose_regions()
    organisations = [
        Organisation.objects.create(name=f"Bench organisation {i + 1}", slug=f"bench-{i + 1}")
        for i in range(N_ORGANISATIONS)
    ]
    usage = generate_usage(n, len(models), len(regions))
    model_ids = np.array([m.pk for m in models])
    region_ids = np.array([r.pk for r in regions])
    organisation_ids = np.array([o.pk for o in organisations])

    start = time.perf_counter()
    cells = np.unique(
        (usage["model"] * len(regions) + usage["region"]) * len(MONTHS) + usage["month"]
    ).tolist()  # fmt: skip
    keys = {}
    for cell in cells:
        rest, month = divmod(cell, len(MONTHS))
        model, region = divmod(rest, len(regions))
        keys[(int(model_ids[model]), int(region_ids[region]), MONTHS[month])] = (model, region, month)
    with eager_tasks():
        found = rates_ensure(keys=set(keys))
    rate_of = np.zeros((len(models), len(regions), len(MONTHS)), dtype=np.int64)
    for key, (model, region, month) in keys.items():
        rate_of[model, region, month] = found[key]
    timings["rates"] = time.perf_counter() - start
    log(f"{len(keys):,} rates created and computed in {timings['rates']:.1f} s")

    start = time.perf_counter()
    copy_usage(usage, organisation_ids, model_ids, region_ids, rate_of)
    timings["copy"] = time.perf_counter() - start
    log(f"{n:,} usage records loaded with COPY in {timings['copy']:.1f} s")

    start = time.perf_counter()
    rollups = sum(rollups_rebuild(organisation_id=o.pk, months=MONTHS) for o in organisations)
    timings["rollups"] = time.perf_counter() - start
    log(f"{rollups:,} rollups rebuilt and priced in {timings['rollups']:.1f} s")

    start = time.perf_counter()
    vacuum_analyze()
    timings["vacuum"] = time.perf_counter() - start
    log(f"VACUUM ANALYZE in {timings['vacuum']:.1f} s")
    return models, regions, len(keys), rollups, timings


# -- the worker ------------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError), open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    found.append(int(entry))
    return found


def _status_kb(pid: int, field: str) -> int:
    with contextlib.suppress(OSError), open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class Worker:
    """A real Celery worker in a subprocess, and the memory of its processes."""

    def __init__(self, database_url: str):
        self.hostname = f"bench-recompute-{os.getpid()}@%h"
        self.log_path = Path(tempfile.gettempdir()) / f"bench_recompute_worker_{os.getpid()}.log"
        env = {**os.environ, "DATABASE_URL": database_url, **WORKER_ENV}
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency=1", "--pool=prefork",
                   "-l", "warning", "-n", self.hostname, "--without-gossip", "--without-mingle"]  # fmt: skip
        self.log_file = self.log_path.open("w")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log_file, stderr=subprocess.STDOUT)
        self.peak_rss_sum_kb = 0
        self._sampling = False
        self._thread: threading.Thread | None = None
        self._pids: list[int] = []

    def pids(self) -> list[int]:
        """The main process and its pool child (looked up once ready: scanning /proc costs CPU)."""
        return self._pids or [self.process.pid, *_children(self.process.pid)]

    def wait_ready(self, timeout: float = 90.0) -> None:
        from config.celery import app

        name = self.hostname.replace("%h", os.uname().nodename)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"the worker exited ({self.process.returncode}); see {self.log_path}")
            if app.control.ping(destination=[name], timeout=0.5) and len(self.pids()) > 1:
                self._pids = self.pids()
                return
        sys.exit(f"the worker did not answer within {timeout:.0f} s; see {self.log_path}")

    def _sample(self) -> None:
        while self._sampling:
            total = sum(_status_kb(pid, "VmRSS") for pid in self.pids())
            self.peak_rss_sum_kb = max(self.peak_rss_sum_kb, total)
            time.sleep(0.05)

    def start_sampling(self) -> None:
        self._sampling = True
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def stop_sampling(self) -> None:
        self._sampling = False
        if self._thread:
            self._thread.join()

    def high_water_marks_kb(self) -> dict[int, int]:
        return {pid: _status_kb(pid, "VmHWM") for pid in self.pids()}

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_file.close()
        if self.process.returncode == 0:
            self.log_path.unlink(missing_ok=True)


# -- approvals -------------------------------------------------------------------------------------


def _scaled(value: float | None, factor: float) -> float | None:
    return None if value is None else value * factor


def draft_correction(kind: str, subject_field: str, subject, on: dt.date, factor: float, curator):
    """A draft superseding the approved factor in force on ``on``, same period, value x ``factor``."""
    from emissions.models import EmissionFactor, Source
    from emissions.services.factors import FactorInput, factor_create_draft

    old = (
        EmissionFactor.objects.filter(kind=kind, status="approved", valid_from__lte=on, **{subject_field: subject})
        .exclude(valid_to__lte=on)
        .get()
    )
    source, _ = Source.objects.get_or_create(
        key="bench-correction", defaults={"publisher": "bench/recompute.py", "title": "Benchmark correction",
                                          "licence": "n/a"},
    )  # fmt: skip
    data = FactorInput(
        kind=kind, subject=subject, value=old.value * factor, unit=old.unit, valid_from=old.valid_from,
        valid_to=old.valid_to, source=source, value_low=_scaled(old.value_low, factor),
        value_high=_scaled(old.value_high, factor), note="benchmark correction",
    )  # fmt: skip
    return factor_create_draft(data=data, created_by=curator, supersedes=old)


def approve_and_wait(draft, curator, label: str, timeout: float = 600.0) -> dict:
    """Approve ``draft``; time from its commit until the job succeeded, no job is active, no rate is stale."""
    from django.db import transaction

    from emissions.models import FootprintRate, RecomputeJob
    from emissions.services.factors import factor_approve
    from emissions.services.recompute import active_jobs

    last_job = RecomputeJob.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    start = time.perf_counter()
    with transaction.atomic():
        factor_approve(factor=draft, user=curator)
        committing = time.perf_counter()
        committed_at = dt.datetime.now(dt.UTC)
    enqueued = time.perf_counter()
    job = RecomputeJob.objects.filter(pk__gt=last_job, trigger=RecomputeJob.Trigger.FACTOR_APPROVED).get()
    deadline = committing + timeout
    while True:
        status = RecomputeJob.objects.filter(pk=job.pk).values_list("status", flat=True).get()
        if status == RecomputeJob.Status.FAILED:
            job.refresh_from_db()
            sys.exit(f"{label}: recompute job {job.pk} failed: {job.error}")
        if (
            status == RecomputeJob.Status.SUCCEEDED
            and not active_jobs().exists()
            and not FootprintRate.objects.filter(stale_since__isnull=False).exists()
        ):
            done = time.perf_counter()
            break
        if time.perf_counter() > deadline:
            sys.exit(f"{label}: not fresh after {timeout:.0f} s (job {job.pk} {status})")
        time.sleep(POLL_SECONDS)
    job.refresh_from_db()
    return {
        "job": job,
        "approve_seconds": committing - start,
        "commit_enqueue_seconds": enqueued - committing,
        "seconds": done - committing,
        "queue_seconds": (job.started_at - committed_at).total_seconds(),
        "run_seconds": job.duration_seconds,
    }


def describe(label: str, result: dict, total_records: int) -> None:
    job = result["job"]
    log(f"{label}: {job.affected_usage_records:,} records ({job.affected_usage_records / total_records:.1%}), "
        f"{job.recomputed_rates:,} rates, {job.recomputed_rollups:,} rollups, "
        f"{job.recomputed_model_footprints} model footprints fresh {result['seconds']:.2f} s after the commit "
        f"(approval transaction {result['approve_seconds']:.2f} s; commit+enqueue "
        f"{result['commit_enqueue_seconds']:.3f} s; worker started {result['queue_seconds']:.3f} s after the commit "
        f"began; worker run {result['run_seconds']:.2f} s)")  # fmt: skip


def check_rollups() -> float:
    """Relative difference between the rollups' CO2e and usage x rates summed over every record."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT SUM(u.input_tokens * r.operational_co2e_kg_per_input_token + u.output_tokens * "
            "r.operational_co2e_kg_per_output_token + u.requests * r.operational_co2e_kg_per_request) "
            "FROM reports_usagerecord u JOIN emissions_footprintrate r ON r.id = u.rate_id"
        )
        from_records = cursor.fetchone()[0]
        cursor.execute("SELECT SUM(operational_co2e_kg) FROM emissions_usagerollup")
        from_rollups = cursor.fetchone()[0]
    return abs(from_rollups - from_records) / abs(from_records)


def rate_snapshot() -> dict[int, tuple]:
    from emissions.models import FootprintRate

    columns = ("energy_kwh_per_output_token", "embodied_co2e_kg_per_output_token", "operational_co2e_kg_per_request")
    return {pk: values for pk, *values in FootprintRate.objects.values_list("pk", *columns)}


def changed_share(before: dict[int, tuple], after: dict[int, tuple]) -> float:
    return sum(1 for pk, values in before.items() if after.get(pk) != values) / len(before)


# -- where the time goes ---------------------------------------------------------------------------


class Timers:
    """Wall time per step of ``recompute_run``, from wrappers installed in this process only."""

    def __init__(self):
        self.seconds: dict[str, float] = defaultdict(float)
        self.active = False
        self._undo: list = []

    def wrap(self, owner, names: str | tuple[str, ...], label: str, pick=None) -> None:
        """Time ``owner.<name>`` (the first of ``names`` that exists) under ``label``."""
        names = (names,) if isinstance(names, str) else names
        name = next((n for n in names if hasattr(owner, n)), None)
        if name is None:
            log(f"profile: {getattr(owner, '__name__', owner)}.{'/'.join(names)} not found, not timed")
            return
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                if self.active:
                    self.seconds[pick(args) if pick else label] += time.perf_counter() - start

        setattr(owner, name, timed)
        self._undo.append((owner, name, original))

    def statement(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if self.active:
                text = sql.replace('"', "")
                if text.startswith("UPDATE emissions_usagerollup"):
                    key = "SQL: UPDATE rollups"
                elif text.startswith("UPDATE emissions_footprintrate AS r SET"):
                    key = "SQL: UPDATE rates"
                elif text.startswith("SELECT COUNT(*) AS __count FROM emissions_usagerollup"):
                    key = "SQL: count stale rollups"
                else:
                    key = "SQL: other statements"
                self.seconds["  " + key] += time.perf_counter() - start

    def run(self, original):
        def timed_run(*args, **kwargs):
            self.active = True
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds["total recompute_run"] += time.perf_counter() - start
                self.active = False

        return timed_run

    def undo(self) -> None:
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)


def profile_inline(curator) -> dict[str, float]:
    """Recompute everything once more (an H100 SXM embodied correction), inline, with timers."""
    from django.db import connection

    from emissions import tasks
    from emissions.recompute import compute, sql
    from emissions.services import recompute
    from vendors.models import Accelerator

    timers = Timers()
    timers.wrap(recompute, "_claim", "claim (read stale rates)")
    timers.wrap(recompute, "load_index", "load factor index")
    timers.wrap(recompute, "rate_calculator", "load models and regions")
    timers.wrap(compute.RateCalculator, "rates", "compute rates (engine + NumPy)")
    timers.wrap(recompute, "_heartbeat", "heartbeats")
    timers.wrap(sql, "publish_rates", "publish rates (rows -> COPY -> UPDATE)")
    timers.wrap(sql, "_fill", "", pick=lambda a: f"  COPY into {a[1]} (incl. building the rows)")
    timers.wrap(sql, "refresh_rollups_of_rates", "refresh rollups (COPY ids + UPDATE)")
    timers.wrap(recompute, ("publish_model_footprints", "_publish_model_footprints"), "model footprints")
    timers.wrap(recompute, ("publish_training", "_publish_training"), "training footprints")
    timers.wrap(connection, "commit", "commit")
    original_run = tasks.recompute_run
    tasks.recompute_run = timers.run(original_run)
    accelerator = Accelerator.objects.get(slug=ACCELERATOR)
    draft = draft_correction("embodied", "accelerator", accelerator, MONTHS[0], 1.05, curator)
    try:
        with connection.execute_wrapper(timers.statement), eager_tasks():
            approved = approve_and_wait(draft, curator, "profile")
    finally:
        tasks.recompute_run = original_run
        timers.undo()
    log(
        f"profile (inline, same rows as (b)): recompute_run {timers.seconds['total recompute_run']:.2f} s, "
        f"{approved['job'].recomputed_rollups:,} rollups; approval transaction {approved['approve_seconds']:.2f} s"
    )
    return dict(timers.seconds)


# -- the naive path --------------------------------------------------------------------------------


def naive(sample: int) -> tuple[float, float]:
    """Per record: factors from the database, the engine, and a save() into its rollup. Rolled back."""
    from django.db import connection, transaction

    from emissions.estimation import Place, estimate_inference
    from emissions.models import UsageRollup
    from emissions.models.footprints import METRIC_COLUMNS, STORED_METRICS, metric_column
    from reports.models import UsageRecord

    records = list(
        UsageRecord.objects.select_related("ai_model__serving_accelerator", "region__zone").order_by("pk")[:sample]
    )
    central = {}
    touched = set()
    start = time.perf_counter()
    with transaction.atomic():
        for record in records:
            result = estimate_inference(
                model=record.ai_model, place=Place(region=record.region), on=record.month,
                input_tokens=record.input_tokens, output_tokens=record.output_tokens, requests=record.requests,
            )  # fmt: skip
            rollup = UsageRollup.objects.get(
                organisation_id=record.organisation_id, rate_id=record.rate_id, tier=record.tier, currency=""
            )
            if rollup.pk not in touched:
                touched.add(rollup.pk)
                for column in METRIC_COLUMNS:
                    setattr(rollup, column, 0.0)
            for metric in STORED_METRICS:
                for side, value in enumerate(getattr(result.metrics, metric).as_tuple()):
                    column = metric_column(metric, side)
                    setattr(rollup, column, getattr(rollup, column) + value)
            rollup.save(update_fields=list(METRIC_COLUMNS))
            central[record.pk] = result.metrics.operational_co2e_kg.central
        seconds = time.perf_counter() - start
        transaction.set_rollback(True)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT u.id, u.input_tokens * r.operational_co2e_kg_per_input_token + u.output_tokens * "
            "r.operational_co2e_kg_per_output_token + u.requests * r.operational_co2e_kg_per_request "
            "FROM reports_usagerecord u JOIN emissions_footprintrate r ON r.id = u.rate_id WHERE u.id = ANY(%s)",
            [list(central)],
        )
        worst = max(abs(v - central[pk]) / max(abs(central[pk]), 1e-300) for pk, v in cursor.fetchall())
    return len(records) / seconds, worst


# -- main ------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, help="records for the naive path (default 20,000, fewer below 1 M)")
    parser.add_argument("--database", default="aifootprint_bench", help="dropped and recreated")
    parser.add_argument("--no-profile", action="store_true", help="skip the inline, instrumented recompute")
    args = parser.parse_args()

    database_url, maintenance_url = bench_database_url(args.database)
    recreate_database(maintenance_url, args.database)
    setup_django(database_url)
    log(f"database {args.database} recreated; broker {os.environ['REDIS_URL']}; {os.cpu_count()} CPUs")

    from vendors.models import Accelerator

    seed_start = time.perf_counter()
    models, regions, n_rates, n_rollups, seed_timings = seed(args.records)
    seed_seconds = time.perf_counter() - seed_start
    log("seed phases: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in seed_timings.items()))
    log(f"seeded in {seed_seconds:.1f} s: {args.records:,} records, {len(models)} models, {len(regions)} regions "
        f"in {len({r.zone_id for r in regions})} zones, {len(MONTHS)} months, {N_ORGANISATIONS} organisations, "
        f"{n_rates:,} rates, {n_rollups:,} rollups")  # fmt: skip
    curator = make_curator()

    worker = Worker(database_url)
    try:
        worker.wait_ready()
        log(f"worker ready (pids {worker.pids()}, log {worker.log_path})")
        worker.start_sampling()
        heavy = regions[0]
        draft = draft_correction("grid_intensity_location", "zone", heavy.zone, dt.date(2025, 1, 1), 1.10, curator)
        partial = approve_and_wait(draft, curator, "(a)")
        describe(f"(a) grid intensity of {heavy.zone.code} in 2025 ({heavy.slug})", partial, args.records)

        before = rate_snapshot()
        accelerator = Accelerator.objects.get(slug=ACCELERATOR)
        draft = draft_correction("tdp", "accelerator", accelerator, MONTHS[0], 1.10, curator)
        everything = approve_and_wait(draft, curator, "(b)")
        describe(f"(b) TDP of {ACCELERATOR}", everything, args.records)
        worker.stop_sampling()
        high_water = worker.high_water_marks_kb()
    finally:
        worker.stop()
    peak_rss_mb = sum(high_water.values()) / 1024
    log(
        f"worker memory: VmHWM per process {', '.join(f'{pid}: {kb / 1024:.0f} MB' for pid, kb in high_water.items())}"
        f" (sum {peak_rss_mb:.0f} MB); largest sampled sum of VmRSS {worker.peak_rss_sum_kb / 1024:.0f} MB"
    )
    log(f"(b) changed the values of {changed_share(before, rate_snapshot()):.1%} of the rates; "
        f"rollups vs records x rates: relative difference {check_rollups():.1e}")  # fmt: skip
    if everything["job"].affected_usage_records != args.records:
        sys.exit(f"(b) reached {everything['job'].affected_usage_records:,} records, not {args.records:,}")

    if not args.no_profile:
        vacuum_analyze()  # as autovacuum would between two jobs: the profiled run starts where (b) did
        phases = profile_inline(curator)
        total = phases["total recompute_run"]
        accounted = sum(v for k, v in phases.items() if not k.startswith(" ") and k != "total recompute_run")
        phases["other (job bookkeeping, counts, Python glue)"] = total - accounted
        for name, seconds in sorted(phases.items(), key=lambda kv: kv[0].startswith(" ")):
            log(f"  {name:<58} {seconds:7.3f} s ({seconds / total:6.1%})")

    sample = min(args.sample or max(200, min(20_000, args.records // 50)), args.records)
    naive_rate, worst = naive(sample)
    log(f"naive path: {naive_rate:,.0f} records/s on {sample:,} records; largest relative difference from "
        f"usage x rate: {worst:.1e}")  # fmt: skip

    records_per_second = args.records / everything["seconds"]
    print(json.dumps({
        "records": args.records,
        "seconds_10pct": round(partial["seconds"], 3),
        "seconds_all": round(everything["seconds"], 3),
        "records_per_second": round(records_per_second),
        "naive_records_per_second": round(naive_rate, 1),
        "ratio_vs_naive": round(records_per_second / naive_rate, 1),
        "peak_worker_rss_mb": round(peak_rss_mb, 1),
        "share_10pct": round(partial["job"].affected_usage_records / args.records, 4),
        "seed_seconds": round(seed_seconds, 1),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
