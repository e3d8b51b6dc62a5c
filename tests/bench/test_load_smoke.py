"""bench/load.py end to end at a tiny scale: SQLite seeded with the small test catalogue, gunicorn with 2 workers,
3 clients for a few seconds, and the JSON line it ends with. Once with the Python client (2 s) and, where Debian's wrk
is installed, once more with wrk (4 s: it runs whole seconds) on the same database (about 20 s in all)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENDPOINTS = {"ping", "rankings", "model_footprints", "estimate"}
FIGURES = ("requests", "rps", "p50_ms", "p95_ms", "p99_ms", "errors")
DURATION = {"python": "2", "wrk": "4"}  # wrk runs whole seconds: one per endpoint
NO_WRK = shutil.which("wrk") is None
GENERATORS = ["python", pytest.param("wrk", marks=pytest.mark.skipif(NO_WRK, reason="Debian's wrk is not installed"))]


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Path:
    """One SQLite file for the module: the first run seeds it, the next one reuses it."""
    return tmp_path_factory.mktemp("load") / "load_bench.sqlite3"


@pytest.fixture(scope="module", params=GENERATORS)
def report(request, database) -> dict:
    seeding = [] if database.exists() else ["--data-dir", str(ROOT / "tests" / "fixtures" / "catalogue")]
    command = [sys.executable, str(ROOT / "bench" / "load.py"), "--database-url", f"sqlite:///{database}",
               *(seeding or ["--reuse-database"]), "--client", request.param, "--clients", "3",
               "--duration", DURATION[request.param], "--rounds", "1", "--warmup", "0"]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    lines = done.stdout.strip().splitlines()
    assert len(lines) > 1, "human-readable lines come before the JSON"
    return json.loads(lines[-1]) | {"generator": request.param}


def test_last_line_is_json_with_every_endpoints_figures(report):
    assert set(report["endpoints"]) == ENDPOINTS
    for name, row in report["endpoints"].items():
        assert all(key in row for key in FIGURES), name
        assert row["requests"] > 0, name
        assert row["errors"] == 0, (name, row["error_kinds"])
        assert 0 < row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"], name
        assert row["rps"] == pytest.approx(row["requests"] / row["seconds"], rel=0.01, abs=0.1), name


def test_the_server_logged_every_request_the_client_counted(report):
    """The access log (the server's count) and the client's count are kept apart; they must agree. wrk stops at
    its deadline without counting the requests still in flight (at most one per client), which the server logs."""
    in_flight = 0 if report["generator"] == "python" else report["parameters"]["clients"]
    for name, row in report["endpoints"].items():
        assert row["requests"] <= row["server_logged"] <= row["requests"] + in_flight, name


def test_run_parameters_are_the_ones_asked_for(report):
    parameters = report["parameters"]
    assert parameters["clients"] == 3
    assert parameters["duration_s"] == float(DURATION[report["generator"]])
    assert parameters["workers"] == 2
    assert parameters["database"] == "sqlite"
    assert parameters["debug"] is False
    assert parameters["paths"]["model_footprints"] == f"/api/v1/models/{parameters['model']}/footprints/"
    assert parameters["load_generator"].startswith(
        {"python": "bench/load_client.py", "wrk": "wrk"}[report["generator"]]
    )


def test_target_checks_follow_from_the_figures(report):
    rows, targets = report["endpoints"], report["targets"]
    ping = rows["ping"]["rps"]
    assert set(targets["ratios"]) == ENDPOINTS - {"ping"}
    for name, ratio in targets["ratios"].items():
        assert ratio == pytest.approx(rows[name]["rps"] / ping, abs=0.001)
    assert targets["zero_errors"] is True
    assert targets["ratios_ok"] is all(ratio >= 0.5 for ratio in targets["ratios"].values())
    assert targets["catalogue_p95_ok"] is all(rows[name]["p95_ms"] <= 50 for name in ("rankings", "model_footprints"))
    assert isinstance(report["client"]["saturated"], bool)
