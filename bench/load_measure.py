"""What ``bench/load.py`` measures besides the client's figures: CPU time per process group, and the server's own
time per request from gunicorn's access log.

CPU: utime + stime of each process from /proc/<pid>/stat, read at the boundaries of every slice. Groups: the
gunicorn workers (children of the master), the master, the load client, the PostgreSQL backends serving the
benchmark's database (found in pg_stat_activity, so other people's databases on the same server are not counted),
and the whole machine (/proc/stat: every core's busy time, whoever used it). "Cores" below means CPU seconds per
second of wall time.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")  # /proc times are in these ticks per second (usually 100)
ACCESS_LOG_FORMAT = "%({x-bench-slice}i)s %(m)s %(U)s %(s)s %(D)s"  # slice tag, method, path, status, microseconds
GROUPS = ("workers", "master", "client", "postgres", "machine")


def process_cpu_seconds(pid: int) -> float | None:
    """utime + stime of a process, or None when it is gone (or not visible from here)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # the command name may hold spaces and parentheses
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def children_of(parent: int) -> list[int]:
    """Direct children of a process, by scanning /proc (this kernel has no /proc/<pid>/task/<pid>/children)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
            found.append(int(entry.name))
    return found


def machine_busy_seconds() -> float:
    """CPU seconds every core has spent busy (not idle, not waiting on I/O) since boot."""
    values = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values[:8]) - idle) / CLOCK_TICKS


@dataclass
class Snapshot:
    at: float
    per_pid: dict[str, dict[int, float]]
    machine: float


@dataclass
class CpuMeter:
    """Reads every group's CPU time; ``usage(before, after)`` gives each group's cores over the interval."""

    master_pid: int
    client_pid: int | None  # None: the client's CPU is counted elsewhere (wrk: one process per slice)
    postgres_pids: Callable[[], list[int]] = field(default=list)  # the benchmark database's backends, now

    def snapshot(self) -> Snapshot:
        pids = {"workers": children_of(self.master_pid), "master": [self.master_pid],
                "client": [self.client_pid] if self.client_pid else [], "postgres": self.postgres_pids()}  # fmt: skip
        per_pid = {}
        for group, members in pids.items():
            readings = {pid: process_cpu_seconds(pid) for pid in members}
            per_pid[group] = {pid: seconds for pid, seconds in readings.items() if seconds is not None}
        return Snapshot(at=time.monotonic(), per_pid=per_pid, machine=machine_busy_seconds())

    @staticmethod
    def usage(before: Snapshot, after: Snapshot, busy_until: float | None = None) -> dict[str, float]:
        """CPU seconds of each group between two snapshots, and ``wall``: the seconds from the first to
        ``busy_until`` (default: the second; the server's last answer when a quiet wait follows it). A process that
        appeared in between counts with all of its CPU time (it started inside the interval); one that ended in
        between loses its last part."""
        seconds = {"wall": (busy_until or after.at) - before.at, "machine": after.machine - before.machine}
        for group, now in after.per_pid.items():
            then = before.per_pid.get(group, {})
            seconds[group] = sum(value - then.get(pid, 0.0) for pid, value in now.items())
        return seconds


def add_usage(total: dict[str, float], more: dict[str, float]) -> None:
    for group, seconds in more.items():
        total[group] = total.get(group, 0.0) + seconds


def server_times(log_path: Path, paths: dict[str, str]) -> dict[str, dict]:
    """The server's own time per request (gunicorn's %(D)s: from the parsed request to the response written), per
    endpoint, over measured requests only (warm-up tagged out), and the status codes it answered."""
    by_path = {path: name for name, path in paths.items()}
    micros: dict[str, list[int]] = {name: [] for name in paths}
    statuses: dict[str, dict[str, int]] = {name: {} for name in paths}
    if log_path.exists():
        for line in log_path.read_text().splitlines():
            parts = line.split()
            if len(parts) != 5 or not parts[0].isdigit() or parts[2] not in by_path:
                continue
            name = by_path[parts[2]]
            micros[name].append(int(parts[4]))
            statuses[name][parts[3]] = statuses[name].get(parts[3], 0) + 1
    out = {}
    for name, values in micros.items():
        row = {"logged": len(values), "statuses": statuses[name]}
        if len(values) >= 2:
            cuts = statistics.quantiles(values, n=100, method="inclusive")
            row |= {"p50_ms": round(cuts[49] / 1000, 2), "p95_ms": round(cuts[94] / 1000, 2)}
        out[name] = row
    return out
