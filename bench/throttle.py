"""What one throttle check costs: DRF's list of timestamps against the API's window counter (config/throttling.py).

    .venv/bin/python bench/throttle.py [--calls 2000]

For each case (a rate, and how many requests the client already sent in the current window), each throttle
class first sees that many requests, then ``--calls`` more are timed. Both use the local-memory cache, as the
API does. The last line printed is JSON: per case, milliseconds per ``allow_request`` for each class.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from rest_framework.request import Request  # noqa: E402
from rest_framework.test import APIRequestFactory  # noqa: E402
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle  # noqa: E402

from config.throttling import AnonWindowThrottle  # noqa: E402

CASES = (  # (rate, requests already in the window)
    ("1000000/min", 30_000),  # a long window at load-test rates: DRF's list holds 30,000 times
    ("1000000/s", 0),  # the load benchmark's setting: the list holds the last second's requests
    ("120/min", 120),  # production's anonymous rate, client already over it: every call refuses
)


def ms_per_call(throttle_class, rate: str, already: int, calls: int) -> float:
    SimpleRateThrottle.THROTTLE_RATES = {"anon": rate}
    cache.clear()
    request = Request(APIRequestFactory().get("/api/v1/ping"))
    for _ in range(already):
        throttle_class().allow_request(request, None)
    started = time.perf_counter()
    for _ in range(calls):
        throttle_class().allow_request(request, None)
    return (time.perf_counter() - started) / calls * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    calls = parser.parse_args().calls
    results = []
    for rate, already in CASES:
        row = {"rate": rate, "already_in_window": already}
        for name, throttle_class in (("drf_list_ms", AnonRateThrottle), ("window_counter_ms", AnonWindowThrottle)):
            row[name] = round(ms_per_call(throttle_class, rate, already, calls), 4)
        print(f"{rate:>12} after {already:>6,}: DRF list {row['drf_list_ms']:.4f} ms, "
              f"window counter {row['window_counter_ms']:.4f} ms per check")  # fmt: skip
        results.append(row)
    print(json.dumps({"calls": calls, "cases": results}))


if __name__ == "__main__":
    main()
