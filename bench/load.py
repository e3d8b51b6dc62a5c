"""API load benchmark: gunicorn (2 workers) on PostgreSQL with the demo data, driven by 50 concurrent clients.

    .venv/bin/python bench/load.py [--clients 50] [--duration 60] [--worker-class sync]

The benchmark DROPS AND RECREATES its own database: BENCH_DATABASE_URL (or ``--database-url``), default
postgres://postgres@127.0.0.1:5432/aifootprint_bench_load; its name must contain "bench". A ``sqlite:///`` URL
works too (the smoke test uses one); its file is deleted first. It migrates the database and runs ``manage.py
demo`` (with DEBUG=true in that command's environment only: demo refuses to run otherwise), or, with
``--data-dir``, loads that catalogue folder instead. ``--reuse-database`` skips all of this.

The server: ``gunicorn config.wsgi:application`` with ``--workers 2`` (``--worker-class sync`` or ``gthread``
with ``--threads``), settings ``config.settings.production`` (DEBUG is always off there) with a random
SECRET_KEY, ALLOWED_HOSTS=127.0.0.1, SECURE_SSL_REDIRECT=false, and the API throttles raised out of reach
(API_THROTTLE_ANON / API_THROTTLE_USER = ``--throttle``, default 1000000/s; see docs/benchmarks.md for why per
second and not per minute). Its access log goes to a temporary file and gives the server's own time per request.

The load: a second process, ``--clients`` closed-loop clients with no think time: Debian's ``wrk``
(``bench/load_wrk.py``) when it is installed, else ``bench/load_client.py`` (asyncio, standard library); ``--client``
chooses.
Endpoints: the trivial JSON ping (the ceiling), the rankings, a model's footprints (the text model with the
most serving regions) and the inference estimate (that model, its typical request). They are measured one at a
time, all clients on one endpoint, in ``--rounds`` rounds (rotated order) of equal slices that add up to
``--duration`` seconds, so that each endpoint's requests/s is what the server can do on it, and its ratio to the
ping's is a ratio of capacities under the same conditions (a mixed run would give every endpoint the same
requests/s by construction). The last line printed is JSON: per endpoint requests, rps, p50/p95/p99 (ms) and
errors, the run's parameters, and the target checks with the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import load_wrk
from load_measure import ACCESS_LOG_FORMAT, CpuMeter, add_usage, server_times
from load_report import ENDPOINTS, print_table, summarise, targets

ROOT = Path(__file__).resolve().parents[1]
CLIENT = Path(__file__).resolve().with_name("load_client.py")
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/aifootprint_bench_load"
CLIENT_SATURATED_CORES = 0.9  # the client is one event loop: near one core busy, it would be the limit
SERVER_START_SECONDS = 60


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# -- the database ----------------------------------------------------------------------------------------------------


def check_database_url(url: str) -> str:
    """The database's vendor; exits unless the URL is PostgreSQL or SQLite and names a scratch database."""
    parts = urlsplit(url)
    name = parts.path.rsplit("/", 1)[-1]
    if parts.scheme not in ("postgres", "postgresql", "sqlite"):
        sys.exit(f"--database-url {url!r}: use postgres://USER@HOST:PORT/NAME or sqlite:///PATH.")
    if "bench" not in name:
        sys.exit(f"--database-url {url!r}: the benchmark drops and recreates its database; use a name with 'bench'.")
    return "sqlite" if parts.scheme == "sqlite" else "postgresql"


def recreate_database(url: str, vendor: str) -> None:
    if vendor == "sqlite":
        path = Path(url.split(":///", 1)[1])  # sqlite:////absolute/path or sqlite:///relative/path
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
            leftover.unlink(missing_ok=True)
        return
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    database = parts.path.lstrip("/")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))


def base_env(database_url: str) -> dict[str, str]:
    """The children's environment: this benchmark's database, and no broker (the catalogue's recompute runs inside
    the loading command; a REDIS_URL would send it to whichever worker listens, with another database)."""
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "DEBUG", "SECRET_KEY")}
    return env | {"DATABASE_URL": database_url, "LOG_LEVEL": "WARNING", "PYTHONDONTWRITEBYTECODE": "1"}


def manage(env: dict[str, str], *args: str) -> None:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    log(f"manage.py {' '.join(args)}: {time.monotonic() - started:.1f} s")


def seed(database_url: str, vendor: str, data_dir: Path | None) -> None:
    recreate_database(database_url, vendor)
    env = base_env(database_url) | {"DJANGO_SETTINGS_MODULE": "config.settings.local", "DEBUG": "false"}
    manage(env, "migrate", "--noinput", "-v0")
    if data_dir is None:
        manage(env | {"DEBUG": "true"}, "demo", "-v0")  # demo refuses without DEBUG: it sets known passwords
    else:
        manage(env, "load_catalogue", "--data-dir", str(data_dir), "-v0")


def workload(database_url: str) -> dict:
    """The model the footprint and estimate requests use: the text model with computed footprints and the most
    serving regions (as bench/pages.py picks), and its task's typical request."""
    os.environ.update({"DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings.local",
                       "DEBUG": "false", "LOG_LEVEL": "WARNING"})  # fmt: skip
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db.models import Count

    from emissions.engine import TYPICAL_REQUESTS
    from vendors.models import AIModel

    model = (
        AIModel.objects.filter(footprints__energy_kwh__isnull=False, task="text-generation")
        .annotate(places=Count("serving_regions", distinct=True))
        .order_by("-places", "slug")
        .first()
    )
    if model is None:
        sys.exit("no text model with a computed footprint in the benchmark database: did the demo load?")
    typical = TYPICAL_REQUESTS[model.task]
    estimate = {"model": model.slug, "input_tokens": typical.input_tokens, "output_tokens": typical.output_units,
                "requests": 1}  # fmt: skip
    return {
        "model": model.slug,
        "endpoints": {
            "ping": {"method": "GET", "path": "/api/v1/ping"},
            "rankings": {"method": "GET", "path": "/api/v1/rankings/"},
            "model_footprints": {"method": "GET", "path": f"/api/v1/models/{model.slug}/footprints/"},
            "estimate": {"method": "POST", "path": "/api/v1/estimates/inference", "body": estimate},
        },
    }


def postgres_backends(database: str):
    """A function listing the PostgreSQL backends of the benchmark's database (not this process's own)."""
    from django.db import connection

    def pids() -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [database]
            )
            return [row[0] for row in cursor.fetchall()]

    return pids


# -- the server --------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(args, database_url: str, port: int, logs: Path) -> subprocess.Popen:
    env = base_env(database_url) | {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "API_THROTTLE_ANON": args.throttle,
        "API_THROTTLE_USER": args.throttle,
    }
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", str(args.workers), "--worker-class", args.worker_class, "--threads", str(args.threads),
               "--access-logfile", str(logs / "access.log"), "--access-logformat", ACCESS_LOG_FORMAT,
               "--error-logfile", "-", "--log-level", "warning"]  # fmt: skip
    with open(logs / "error.log", "ab") as output:  # the workers' own warnings too, not on our terminal
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=output, stderr=output)
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited ({server.returncode}):\n{tail(logs / 'error.log')}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/ping", timeout=2) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    stop(server)
    sys.exit(f"gunicorn did not answer /api/v1/ping within {SERVER_START_SECONDS} s:\n{tail(logs / 'error.log')}")


def tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text().splitlines()[-lines:]) if path.exists() else "(no log)"


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def preflight(port: int, endpoints: dict) -> None:
    """Each endpoint once, its answer checked, so a broken endpoint is an error here and not 0 errors of a 404."""
    expected = {"ping": lambda a: a.get("ok") is True, "rankings": lambda a: bool(a.get("results")),
                "model_footprints": lambda a: isinstance(a, list) and bool(a),
                "estimate": lambda a: "total_co2e_kg" in a}  # fmt: skip
    for name, spec in endpoints.items():
        body = json.dumps(spec["body"]).encode() if spec.get("body") else None
        request = urllib.request.Request(f"http://127.0.0.1:{port}{spec['path']}", data=body, method=spec["method"],
                                         headers={"Content-Type": "application/json", "Accept": "application/json",
                                                  "X-Bench-Slice": "preflight"})  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - our own server on 127.0.0.1
                payload = json.loads(answer.read())
        except OSError as exc:
            sys.exit(f"preflight: {spec['method']} {spec['path']} failed: {exc}")
        if not expected[name](payload):
            sys.exit(f"preflight: {spec['method']} {spec['path']} answered something unexpected: {str(payload)[:300]}")


# -- the load ----------------------------------------------------------------------------------------------------


def slices(duration: float, rounds: int) -> list[tuple[str, float]]:
    """Rounds of one slice per endpoint, the order rotated each round so that no endpoint always follows the
    same one; all slices equal, adding up to the duration."""
    seconds = duration / (rounds * len(ENDPOINTS))
    out = []
    for round_ in range(rounds):
        shift = round_ % len(ENDPOINTS)
        out += [(name, seconds) for name in ENDPOINTS[shift:] + ENDPOINTS[:shift]]
    return out


def log_slice(index: int, total: int, done: dict) -> None:
    rate = done["requests"] / done["seconds"] if done["seconds"] else 0.0
    log(f"slice {index + 1}/{total} {done['endpoint']:<16} {done['requests']:6d} requests in {done['seconds']:5.2f} s "
        f"= {rate:7.1f}/s, {done['errors']} errors")  # fmt: skip


def wait_until_idle(access_log: Path, quiet_seconds: float = 0.1, limit_seconds: float = 60.0) -> float:
    """Waits until the server has logged no request for ``quiet_seconds`` (nothing else sends it any, so it has
    finished the requests a stopped client left behind); returns when it logged its last one (monotonic)."""
    deadline = time.monotonic() + limit_seconds
    size, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        now_size = access_log.stat().st_size if access_log.exists() else 0
        if now_size != size:
            size, since = now_size, time.monotonic()
        elif time.monotonic() - since >= quiet_seconds:
            break
        time.sleep(0.01)
    return since


def drive(args, plan: dict, master_pid: int, postgres_pids) -> tuple[dict, dict]:
    """Runs the load; returns the client's result and the CPU seconds of each process group per endpoint."""
    cpu: dict[str, dict[str, float]] = {name: {} for name in ENDPOINTS}
    if args.client == "wrk":
        meter = CpuMeter(master_pid=master_pid, client_pid=None, postgres_pids=postgres_pids)
        before, busy_until = {}, {}

        def on_slice(index: int, endpoint: str) -> None:
            before[index] = meter.snapshot()

        def settle() -> None:
            busy_until["at"] = wait_until_idle(plan["access_log"])

        def on_done(index: int, done: dict, client_cpu: float) -> None:
            usage = meter.usage(before.pop(index), meter.snapshot(), busy_until=busy_until["at"])
            add_usage(cpu[done["endpoint"]], usage | {"client": client_cpu})
            log_slice(index, len(plan["slices"]), done)

        return load_wrk.drive(plan=plan, on_slice=on_slice, on_done=on_done, settle=settle), cpu
    client = subprocess.Popen([sys.executable, str(CLIENT)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True, bufsize=1)  # fmt: skip
    meter = CpuMeter(master_pid=master_pid, client_pid=client.pid, postgres_pids=postgres_pids)
    result, before = None, None
    try:
        client.stdin.write(json.dumps(plan, default=str) + "\n")
        client.stdin.flush()
        for line in client.stdout:
            word, _, rest = line.rstrip("\n").partition(" ")
            if word == "SLICE":
                before = meter.snapshot()
            elif word == "DONE":
                index, done = rest.split(" ", 1)
                done = json.loads(done)
                add_usage(cpu[done["endpoint"]], meter.usage(before, meter.snapshot()))
                log_slice(int(index), len(plan["slices"]), done)
            elif word == "RESULT":
                result = json.loads(rest)
                continue
            else:
                print(line, end="", flush=True)
                continue
            client.stdin.write("go\n")  # the next slice may start
            client.stdin.flush()
        client.wait(timeout=30)
    finally:
        stop(client)
    if result is None:
        sys.exit(f"the load client ended without a result (exit code {client.returncode})")
    return result, cpu


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    parser.add_argument("--duration", type=float, default=60.0, help="measured seconds in all (default 60)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of one slice per endpoint (default 3)")
    parser.add_argument("--warmup", type=float, default=4.0, help="untimed seconds first, over all endpoints (0: none)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--worker-class", choices=("sync", "gthread"), default="sync")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gthread)")
    parser.add_argument("--throttle", default="1000000/s", help="API_THROTTLE_ANON and _USER for the server")
    parser.add_argument(
        "--client",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="load generator: Debian's wrk, or bench/load_client.py (auto: wrk when installed)",
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds before a request counts as an error")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--data-dir", type=Path, help="load this catalogue folder instead of running the demo")
    parser.add_argument("--reuse-database", action="store_true", help="use the database as it is (no seeding)")
    parser.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    parser.add_argument("--keep-logs", action="store_true", help="keep gunicorn's access and error logs")
    args = parser.parse_args()
    if args.clients < 1 or args.duration <= 0 or args.rounds < 1 or args.workers < 1 or args.threads < 1:
        parser.error("--clients, --duration, --rounds, --workers and --threads must be positive")
    if args.warmup < 0:
        parser.error("--warmup must be 0 or more")
    slice_seconds, warmup_seconds = args.duration / (args.rounds * len(ENDPOINTS)), args.warmup / len(ENDPOINTS)
    whole = load_wrk.whole_seconds(slice_seconds) and (not args.warmup or load_wrk.whole_seconds(warmup_seconds))
    if args.client == "auto":
        args.client = "wrk" if load_wrk.available() and whole else "python"
    elif args.client == "wrk" and not load_wrk.available():
        parser.error("--client wrk: wrk is not installed (Debian: apt-get install wrk)")
    elif args.client == "wrk" and not whole:
        parser.error(f"--client wrk runs whole seconds: --duration / (--rounds x {len(ENDPOINTS)}) is "
                     f"{slice_seconds:g} s and --warmup / {len(ENDPOINTS)} is {warmup_seconds:g} s")  # fmt: skip
    return args


def main() -> None:
    args = parse_args()
    vendor = check_database_url(args.database_url)
    log(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} on "
        f"{os.cpu_count()} cores")  # fmt: skip
    if not args.reuse_database:
        seed(args.database_url, vendor, args.data_dir)
    setup = workload(args.database_url)
    # SQLite runs inside the workers: no database processes to count.
    postgres_pids = postgres_backends(urlsplit(args.database_url).path.lstrip("/")) if vendor == "postgresql" else list
    logs = Path(tempfile.mkdtemp(prefix="bench-load-"))
    port = args.port or free_port()
    server, finished = None, False
    try:
        server = start_server(args, args.database_url, port, logs)
        preflight(port, setup["endpoints"])
        loadavg_before = os.getloadavg()
        log(f"gunicorn: {args.workers} {args.worker_class} workers (threads {args.threads}) on 127.0.0.1:{port}; "
            f"{args.clients} clients ({args.client}), {args.duration:g} s in {args.rounds} rounds of "
            f"{len(ENDPOINTS)} slices after {args.warmup:g} s of warm-up; model {setup['model']}")  # fmt: skip
        plan = {"host": "127.0.0.1", "port": port, "clients": args.clients, "timeout": args.timeout,
                "warmup_seconds": args.warmup, "endpoints": setup["endpoints"],
                "slices": slices(args.duration, args.rounds), "access_log": logs / "access.log"}  # fmt: skip
        result, cpu = drive(args, plan, server.pid, postgres_pids)
        loadavg_after = os.getloadavg()
        paths = {name: spec["path"] for name, spec in setup["endpoints"].items()}
        served = server_times(logs / "access.log", paths)
        finished = True
    finally:
        stop(server)
        if finished and not args.keep_logs:
            shutil.rmtree(logs)
        else:  # a failed run keeps them: the server's errors are in error.log
            log(f"gunicorn logs kept in {logs}")
    rows = summarise(result, cpu, served)
    checks = targets(rows)
    print_table(rows, checks)
    client_cores = max(row["cores"].get("client") or 0.0 for row in rows.values())
    parameters = {
        "clients": args.clients, "duration_s": args.duration, "rounds": args.rounds,
        "slice_s": round(args.duration / (args.rounds * len(ENDPOINTS)), 3), "warmup_s": args.warmup,
        "workers": args.workers, "worker_class": args.worker_class, "threads": args.threads,
        "load_generator": load_wrk.version() if args.client == "wrk" else "bench/load_client.py (asyncio)",
        "settings": "config.settings.production", "debug": False, "throttle": args.throttle,
        "database": vendor, "model": setup["model"], "paths": paths, "cores": os.cpu_count(),
        "python": platform.python_version(), "loadavg_before": [round(v, 2) for v in loadavg_before],
        "loadavg_after": [round(v, 2) for v in loadavg_after],
    }  # fmt: skip
    client = {"max_cores": round(client_cores, 2), "saturated": client_cores >= CLIENT_SATURATED_CORES}
    print(json.dumps({"endpoints": rows, "parameters": parameters, "client": client, "targets": checks}))


if __name__ == "__main__":
    main()
