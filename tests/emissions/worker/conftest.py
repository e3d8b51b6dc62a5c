"""A real Celery worker (with beat) against the pytest-django PostgreSQL test database and a private Redis.

- ``private_redis``: a ``redis-server`` of our own on a free port (the machine's Redis is shared; we never touch
  it). The test process's Celery app publishes to it; ``stop()``/``start()`` simulate a broker outage.
- ``start_worker()``: ``celery -A config worker -B`` in its own process group, pointed at the test database and
  the private Redis, with a 1 s sweep and a 2 s "stale after"; every worker started is killed at teardown,
  before pytest-django flushes the database.

Without PostgreSQL or REDIS_URL the tests skip locally and fail under ``REQUIRE_SERVICES``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

from tests.conftest import require_service

PROJECT = Path(__file__).resolve().parents[3]
SWEEP_SECONDS = 1
STALE_AFTER_SECONDS = 2
START_TIMEOUT = 30.0
LOG_TAIL = 6_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _read(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""


def _tail(path: Path) -> str:
    return _read(path)[-LOG_TAIL:]


class RedisServer:
    """A throwaway redis-server: no persistence, so a restart also loses every queued message."""

    def __init__(self, port: int, workdir: Path):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.workdir = workdir
        self.log_path = workdir / f"redis-{port}.log"
        self.process: subprocess.Popen | None = None

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.2).ping())
        except redis.RedisError:
            return False

    def start(self) -> None:
        assert self.process is None, "redis-server already running"
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", str(self.workdir)],
                stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 10
        while not self.ping():
            assert self.process.poll() is None, f"redis-server exited:\n{_tail(self.log_path)}"
            assert time.monotonic() < deadline, f"redis-server did not answer:\n{_tail(self.log_path)}"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.kill()
        self.process.wait(timeout=10)
        self.process = None


def point_celery_at(url: str) -> None:
    """Make the test process publish to ``url`` for real (not eagerly), dropping pooled connections."""
    from config.celery import app

    app.conf.broker_url = url
    app.conf.task_always_eager = False
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None


@pytest.fixture
def private_redis(tmp_path) -> Iterator[RedisServer]:
    """Our own Redis; the test process publishes to it for real (this overrides the autouse
    ``tasks_run_in_process`` of tests/conftest.py), and everything is restored afterwards."""
    if not settings.REDIS_URL:
        require_service("Redis", "REDIS_URL is not set")
    if shutil.which("redis-server") is None:
        require_service("Redis", "redis-server is not installed (the worker tests start a private one)")
    from config.celery import app

    saved = (app.conf.broker_url, app.conf.task_always_eager)
    server = RedisServer(free_port(), tmp_path)
    server.start()
    point_celery_at(server.url)
    try:
        yield server
    finally:
        point_celery_at(saved[0])
        app.conf.task_always_eager = saved[1]
        server.stop()


def worker_database_url(connection) -> str:
    """The URL of the database pytest-django created (``test_...``), for the worker subprocess."""
    s = connection.settings_dict
    credentials = quote(s["USER"] or "", safe="") + (f":{quote(s['PASSWORD'], safe='')}" if s["PASSWORD"] else "")
    host = s["HOST"] or "127.0.0.1"
    port = f":{s['PORT']}" if s["PORT"] else ""
    return f"postgres://{credentials}{'@' if credentials else ''}{host}{port}/{quote(s['NAME'], safe='')}"


class Worker:
    """``celery -A config worker -B`` in a new session: its whole process group can be killed at once."""

    def __init__(self, name: str, env: dict[str, str], workdir: Path):
        self.name = name
        self.env = env
        self.log_path = workdir / f"{name}.log"
        self.schedule = workdir / f"{name}-beat-schedule"
        self.process: subprocess.Popen | None = None

    def start(self) -> Worker:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency=1", "--pool=prefork", "-B",
                 "--schedule", str(self.schedule), "--loglevel=INFO", "--without-gossip", "--without-mingle",
                 "--hostname", f"{self.name}@%h"],
                cwd=PROJECT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT
        while " ready." not in self.output():
            assert self.process.poll() is None, f"worker {self.name} exited at start:\n{self.log()}"
            assert time.monotonic() < deadline, f"worker {self.name} not ready in {START_TIMEOUT:g} s:\n{self.log()}"
            time.sleep(0.1)
        return self

    def output(self) -> str:
        """Everything the worker logged so far (search this)."""
        return _read(self.log_path)

    def log(self) -> str:
        """The end of its log (quote this in failure messages)."""
        return _tail(self.log_path)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self, sig: signal.Signals = signal.SIGKILL, timeout: float = 10.0) -> None:
        """Signal the whole process group (main process, pool child, beat) and wait for the main process."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        # The pool child may outlive the main process by a moment: make sure the group is gone.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)


def _wait_for_worker_connections_to_close(connection, timeout: float = 10.0) -> None:
    """Before the flush (and the final DROP DATABASE), the killed workers' database sessions must be gone."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND backend_type = 'client backend'"
            )
            others = [row[0] for row in cursor.fetchall()]
            if not others:
                return
            if time.monotonic() > deadline:
                # Our private test database: any session left is a dead worker's (or a test thread's).
                cursor.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", [others])
                return
            time.sleep(0.1)


@pytest.fixture
def start_worker(postgres, private_redis, tmp_path) -> Iterator[Callable[..., Worker]]:
    """Start a worker (``start_worker()``; extra environment as keyword arguments); all are killed at teardown."""
    workers: list[Worker] = []
    base_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": worker_database_url(postgres),
        "REDIS_URL": private_redis.url,
        "RECOMPUTE_SWEEP_SECONDS": str(SWEEP_SECONDS),
        "RECOMPUTE_STALE_AFTER_SECONDS": str(STALE_AFTER_SECONDS),
        "PYTHONUNBUFFERED": "1",
    }

    def start(**env: str) -> Worker:
        worker = Worker(f"worker{len(workers) + 1}", {**base_env, **env}, tmp_path)
        workers.append(worker)
        return worker.start()

    try:
        yield start
    finally:
        for worker in workers:
            worker.kill(signal.SIGKILL)
        _wait_for_worker_connections_to_close(postgres)
