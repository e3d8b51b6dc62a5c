"""The load from Debian's ``wrk`` (C, one event-loop thread): the generator ``bench/load.py`` prefers when installed.

One wrk process per slice (``wrk -t1 -c<clients> -d<seconds>``) with a generated Lua script that sets the method,
the body and the ``X-Bench-Slice`` header, and whose ``done()`` prints the whole latency histogram (every distinct
microsecond value with its count), so that percentiles over all of an endpoint's slices are exact, as with the
Python client. wrk times a request from its write to the end of the answer; a new connection's connect() is not
in it (the Python client counts it; on the loopback it is a few tens of microseconds). Its CPU time is read with
``getrusage(RUSAGE_CHILDREN)`` around each run.
"""

from __future__ import annotations

import json
import math
import resource
import shutil
import subprocess
import tempfile
from collections.abc import Callable

MARK = "WRK-RESULT "
LUA = """
wrk.method = %(method)s
wrk.body = %(body)s
wrk.headers["Accept"] = "application/json"
wrk.headers["X-Bench-Slice"] = %(tag)s
%(content_type)s
done = function(summary, latency, requests)
  local pairs_ = {}
  for i = 1, #latency do
    local value, count = latency(i)
    pairs_[#pairs_ + 1] = string.format("[%%d,%%d]", value, count)
  end
  local e = summary.errors
  io.write(string.format(
    '%(mark)s{"requests":%%d,"duration_us":%%d,"errors":{"connect":%%d,"read":%%d,"write":%%d,"status":%%d,' ..
    '"timeout":%%d},"histogram":[%%s]}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout, table.concat(pairs_, ",")))
end
"""


def available() -> bool:
    return shutil.which("wrk") is not None


def whole_seconds(seconds: float) -> bool:
    """wrk takes durations in whole seconds only (``-d1s``; ``-d1.5s`` and ``-d500ms`` are refused)."""
    return seconds >= 1 and abs(seconds - round(seconds)) < 1e-9


def lua_string(text: str) -> str:
    return "[==[" + text + "]==]"  # a long bracket: no escaping (JSON bodies never hold "]==]")


def script(spec: dict, tag: str) -> str:
    body = json.dumps(spec["body"]) if spec.get("body") is not None else None
    return LUA % {
        "method": lua_string(spec["method"]),
        "body": lua_string(body) if body is not None else "nil",
        "tag": lua_string(tag),
        "content_type": 'wrk.headers["Content-Type"] = "application/json"' if body is not None else "",
        "mark": MARK,
    }


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(*, port: int, spec: dict, clients: int, seconds: float, tag: str, timeout: float) -> dict:
    """One wrk run; returns requests (answers below 400, as the Python client counts them), seconds, the error
    counts, the histogram [(microseconds, count)] and wrk's CPU seconds."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="bench-load-") as lua:
        lua.write(script(spec, tag))
        lua.flush()
        command = ["wrk", "-t1", f"-c{clients}", f"-d{round(seconds)}s", f"--timeout={round(timeout)}s",
                   "-s", lua.name, f"http://127.0.0.1:{port}{spec['path']}"]  # fmt: skip
        before = children_cpu_seconds()
        done = subprocess.run(command, capture_output=True, text=True)
        cpu = children_cpu_seconds() - before
    found = [line for line in done.stdout.splitlines() if line.startswith(MARK)]
    if done.returncode != 0 or not found:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout[-1000:]} {done.stderr[-1000:]}")
    result = json.loads(found[-1].removeprefix(MARK))
    errors = {kind: count for kind, count in result["errors"].items() if count}
    return {"requests": result["requests"] - result["errors"]["status"], "seconds": result["duration_us"] / 1e6,
            "errors": errors, "histogram": result["histogram"], "client_cpu_s": cpu}  # fmt: skip


def percentile(histogram: list[tuple[int, int]], fraction: float) -> float:
    """The nearest-rank percentile of a histogram of (value, count), in the values' unit."""
    ordered = sorted(histogram)
    total = sum(count for _, count in ordered)
    rank, seen = max(1, math.ceil(fraction * total - 1e-9)), 0
    for value, count in ordered:
        seen += count
        if seen >= rank:
            return value
    return ordered[-1][0]


def drive(
    *,
    plan: dict,
    on_slice: Callable[[int, str], None],
    on_done: Callable[[int, dict, float], None],
    settle: Callable[[], None],
) -> dict:
    """The same plan and result as ``bench/load_client.py``; ``on_slice`` / ``on_done`` bracket each slice (the
    caller reads CPU counters there; ``on_done`` also gets this slice's wrk CPU seconds).

    wrk stops at its deadline and closes its connections with requests still queued or running in the server
    (up to one per client), which the server completes anyway. ``settle`` waits for that after every run, so that
    this work is not done during the next slice (it counts, in CPU, for the slice that sent it)."""
    names = list(plan["endpoints"])
    common = {"port": plan["port"], "clients": plan["clients"], "timeout": plan["timeout"]}
    for name in names if plan["warmup_seconds"] else ():
        run(spec=plan["endpoints"][name], seconds=plan["warmup_seconds"] / len(names), tag="warmup", **common)
        settle()
    histograms: dict[str, list] = {name: [] for name in names}
    totals = {name: {"requests": 0, "seconds": 0.0, "errors": {}} for name in names}
    slices = []
    for index, (endpoint, seconds) in enumerate(plan["slices"]):
        on_slice(index, endpoint)
        measured = run(spec=plan["endpoints"][endpoint], seconds=seconds, tag=str(index), **common)
        settle()
        done = {"endpoint": endpoint, "seconds": round(measured["seconds"], 3), "requests": measured["requests"],
                "errors": sum(measured["errors"].values())}  # fmt: skip
        on_done(index, done, measured["client_cpu_s"])
        slices.append(done)
        histograms[endpoint] += measured["histogram"]
        total = totals[endpoint]
        total["requests"] += measured["requests"]
        total["seconds"] += measured["seconds"]
        for kind, count in measured["errors"].items():
            total["errors"][kind] = total["errors"].get(kind, 0) + count
    endpoints = {}
    for name, total in totals.items():
        row = {"requests": total["requests"], "errors": sum(total["errors"].values()), "error_kinds": total["errors"],
               "seconds": round(total["seconds"], 3)}  # fmt: skip
        if histograms[name]:
            row |= {f"p{p}_ms": round(percentile(histograms[name], p / 100) / 1000, 2) for p in (50, 95, 99)}
            row["max_ms"] = round(max(value for value, _ in histograms[name]) / 1000, 2)
        endpoints[name] = row
    return {"endpoints": endpoints, "slices": slices}


def version() -> str:
    done = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    return (done.stdout or done.stderr).split(" [", 1)[0].strip()
