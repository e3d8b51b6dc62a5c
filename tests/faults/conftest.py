"""A private PostgreSQL server and the app served by gunicorn on it, so a test can stop and restart the database
under live requests without touching the machine's shared PostgreSQL.

The cluster is made with the machine's own PostgreSQL binaries (``initdb``/``pg_ctl``), run as the ``postgres``
user (PostgreSQL refuses to run as root), on a free port, with its socket and data in a temporary folder.
Without the binaries the tests skip locally and fail under ``REQUIRE_SERVICES``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.conftest import require_service
from tests.emissions.worker.conftest import free_port

PROJECT = Path(__file__).resolve().parents[2]
CATALOGUE = PROJECT / "tests" / "fixtures" / "catalogue"


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


class PrivatePostgres:
    def __init__(self, bin_dir: Path, workdir: Path):
        self.bin = bin_dir
        self.data = workdir / "data"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/app"
        self.log = workdir / "postgres.log"
        self.workdir = workdir

    def _as_postgres(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(a) for a in args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=60)

    def init(self) -> None:
        self.workdir.chmod(0o777)
        if os.geteuid() == 0:
            shutil.chown(self.workdir, user="postgres")
        self._as_postgres(self.bin / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()
        self._as_postgres(self.bin / "createdb", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres", "app")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.workdir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres(self.bin / "pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w", "start")

    def stop(self) -> None:
        self._as_postgres(self.bin / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop", check=False)


class App:
    """gunicorn serving the project on the private database (test settings, no broker: tasks in-process)."""

    def __init__(self, database_url: str, workdir: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings.test",
                    "DB_CONN_MAX_AGE": "60"}  # fmt: skip
        self.env.pop("REDIS_URL", None)
        self.log = workdir / "gunicorn.log"
        self.process: subprocess.Popen | None = None

    def manage(self, *args: str) -> None:
        subprocess.run([sys.executable, "manage.py", *args], cwd=PROJECT, env=self.env, check=True,
                       capture_output=True, timeout=300)  # fmt: skip

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{self.port}", "-w", "1",
                 "--threads", "4", "--timeout", "30"],
                cwd=PROJECT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        import urllib.request

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=2)  # noqa: S310 - our own local server
                return
            except OSError:
                assert self.process.poll() is None, self.log.read_text(errors="replace")[-4000:]
                time.sleep(0.2)
        raise AssertionError("gunicorn did not answer in 30 s:\n" + self.log.read_text(errors="replace")[-4000:])

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)


@pytest.fixture
def private_postgres():
    bin_dir = _pg_bin()
    can_switch = os.geteuid() != 0 or _has_user("postgres")
    if bin_dir is None or shutil.which("runuser") is None or not can_switch:
        require_service("postgres", "PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    # Not under pytest's tmp folder: that one is private to root, and the server runs as ``postgres``.
    workdir = Path(tempfile.mkdtemp(prefix="aifootprint-pg-"))
    server = PrivatePostgres(bin_dir, workdir)
    try:
        server.init()
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@pytest.fixture
def app_on_private_postgres(private_postgres, tmp_path_factory):
    app = App(private_postgres.url, tmp_path_factory.mktemp("app"))
    app.manage("migrate", "--noinput")
    app.manage("load_catalogue", "--data-dir", str(CATALOGUE))
    app.start()
    yield app
    app.stop()
