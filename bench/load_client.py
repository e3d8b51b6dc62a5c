"""The load generator of ``bench/load.py``: N concurrent HTTP/1.1 clients in one asyncio process, standard library only.

    .venv/bin/python bench/load_client.py < plan.json

It is a separate process from the server and from ``bench/load.py`` (which starts it), and it imports nothing
from the project, so its own cost is easy to see: ``bench/load.py`` reads this process's CPU time from /proc.
Every client is a closed loop with no think time: send a request, read the whole answer, send the next one. A
client keeps its connection open when the server allows it (gthread workers) and opens a new one per request
when the server closes it (sync workers), reading to the server's close first so that no TIME_WAIT socket piles
up on this side. A request's latency runs from just before the connection is opened (or the request written, on
a kept connection) to the last byte of the body: what a client would see.

The plan (JSON on stdin, one line) names the endpoints and the slices to run: ``[endpoint, seconds]`` each, all
clients on that one endpoint for that long. Before each slice and after it this process prints ``SLICE i`` /
``DONE i`` and waits for a line on stdin, so that the parent can read CPU counters at the exact boundaries. A
slice ends when its time is up and the requests in flight have completed; its duration runs to the last
completion. Each request carries ``X-Bench-Slice`` (the slice number, or ``warmup``) for the server's access log.
The last line printed is ``RESULT {json}``.
"""

from __future__ import annotations

import asyncio
import json
import math
import sys
import time

HEADER_END = b"\r\n\r\n"
PERCENTILES = {"p50_ms": 0.50, "p95_ms": 0.95, "p99_ms": 0.99}


def request_bytes(*, host: str, port: int, method: str, path: str, body: bytes | None, tag: str) -> bytes:
    """A complete HTTP/1.1 request, built once per endpoint and slice and sent as is."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Accept: application/json",
             "User-Agent: aifootprint-bench-load", f"X-Bench-Slice: {tag}"]  # fmt: skip
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + (body or b"")


class Answer(asyncio.Protocol):
    """One TCP connection, reading HTTP/1.1 answers (Content-Length bodies; the API sends nothing chunked).

    A plain protocol rather than asyncio streams, which add a reader, a writer and their buffering per connection:
    with sync workers every request is a new connection."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.waiter: asyncio.Future | None = None
        self.closed = False
        self.buffer = bytearray()
        self.status = self.length = None
        self.closing = False

    def connection_made(self, transport) -> None:
        self.transport = transport

    def send(self, request: bytes) -> asyncio.Future:
        self.buffer.clear()
        self.status = self.length = None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return self.waiter

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.status is None:
            end = self.buffer.find(HEADER_END)
            if end < 0:
                return
            head = bytes(self.buffer[:end])
            del self.buffer[: end + len(HEADER_END)]
            self.status, self.length, self.closing = int(head[9:12]), 0, False
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    self.length = int(value)
                elif name == b"connection" and value.strip().lower() == b"close":
                    self.closing = True
        if len(self.buffer) >= self.length and not self.closing:
            self._resolve(self.status)  # a kept connection: the answer is complete

    def eof_received(self) -> bool:
        return False  # close the transport; connection_lost follows

    def connection_lost(self, exc) -> None:
        # The server closes first (Connection: close), so TIME_WAIT stays on its side, not on this one.
        self.closed = True
        if self.status is not None and len(self.buffer) >= self.length:
            self._resolve(self.status)
        elif self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(exc or ConnectionResetError("closed before a complete answer"))

    def _resolve(self, status: int) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(status)


class Connection:
    """One client's connection, opened again whenever the server closed the previous one."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.answer: Answer | None = None

    def close(self) -> None:
        if self.answer is not None and self.answer.transport is not None:
            self.answer.transport.close()
        self.answer = None

    async def exchange(self, request: bytes) -> int:
        """Send the request, read the whole answer; returns the status code."""
        if self.answer is None or self.answer.closed:
            loop = asyncio.get_running_loop()
            _, self.answer = await loop.create_connection(Answer, self.host, self.port)
        return await self.answer.send(request)


class Tally:
    """Latencies (ns) and errors of one endpoint, across its slices."""

    def __init__(self) -> None:
        self.latencies: list[int] = []
        self.errors: dict[str, int] = {}
        self.seconds = 0.0

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    def summary(self) -> dict:
        count = len(self.latencies)
        out = {"requests": count, "errors": sum(self.errors.values()), "error_kinds": self.errors,
               "seconds": round(self.seconds, 3)}  # fmt: skip
        if count:
            ordered = sorted(self.latencies)  # nearest rank, as for wrk's histogram (bench/load_wrk.py)
            out |= {
                name: round(ordered[max(1, math.ceil(q * count - 1e-9)) - 1] / 1e6, 2)
                for name, q in PERCENTILES.items()
            }
            out["max_ms"] = round(ordered[-1] / 1e6, 2)
        return out


async def client_loop(connection: Connection, request: bytes, deadline: float, tally: Tally | None, timeout: float):
    """One closed-loop client: requests back to back until the deadline. ``tally`` None: warm-up, not counted."""
    clock = time.perf_counter_ns
    while time.monotonic() < deadline:
        start = clock()
        try:
            async with asyncio.timeout(timeout):  # a timer, not a task per request as wait_for would make
                status = await connection.exchange(request)
        except (TimeoutError, OSError, ValueError) as exc:
            connection.close()
            if tally is not None:
                tally.error("timeout" if isinstance(exc, TimeoutError) else type(exc).__name__)
            continue
        if tally is None:
            continue
        if 200 <= status < 300:
            tally.latencies.append(clock() - start)
        else:
            tally.error(f"HTTP {status}")


async def run_slice(plan: dict, connections: list[Connection], endpoint: str, seconds: float, tag: str, tally):
    spec = plan["endpoints"][endpoint]
    body = json.dumps(spec["body"]).encode() if spec.get("body") is not None else None
    request = request_bytes(host=plan["host"], port=plan["port"], method=spec["method"], path=spec["path"],
                            body=body, tag=tag)  # fmt: skip
    started = time.monotonic()
    await asyncio.gather(*(client_loop(c, request, started + seconds, tally, plan["timeout"]) for c in connections))
    if tally is not None:
        tally.seconds += time.monotonic() - started


def handshake(word: str, index: int, detail: dict | None = None) -> None:
    """Tell the parent where we are and wait for its go (it reads CPU counters meanwhile)."""
    print(f"{word} {index}" + (f" {json.dumps(detail)}" if detail else ""), flush=True)
    if not sys.stdin.readline():
        sys.exit("bench/load_client.py: the parent went away")


async def main_async(plan: dict) -> dict:
    connections = [Connection(plan["host"], plan["port"]) for _ in range(plan["clients"])]
    names = list(plan["endpoints"])
    warmup = names if plan["warmup_seconds"] else []  # every endpoint in every worker: imports, caches, connections
    for name in warmup:
        await run_slice(plan, connections, name, plan["warmup_seconds"] / len(names), "warmup", None)
    tallies = {name: Tally() for name in names}
    slices = []
    for index, (endpoint, seconds) in enumerate(plan["slices"]):
        handshake("SLICE", index)
        before = len(tallies[endpoint].latencies), sum(tallies[endpoint].errors.values())
        started = time.monotonic()
        await run_slice(plan, connections, endpoint, seconds, str(index), tallies[endpoint])
        elapsed = time.monotonic() - started
        done = {"endpoint": endpoint, "seconds": round(elapsed, 3),
                "requests": len(tallies[endpoint].latencies) - before[0],
                "errors": sum(tallies[endpoint].errors.values()) - before[1]}  # fmt: skip
        handshake("DONE", index, done)
        slices.append(done)
    for connection in connections:
        connection.close()
    return {"endpoints": {name: tally.summary() for name, tally in tallies.items()}, "slices": slices}


def main() -> None:
    plan = json.loads(sys.stdin.readline())
    result = asyncio.run(main_async(plan))
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
