"""PostgreSQL stopped and restarted under live requests: requests fail cleanly (503 + Retry-After, no traceback,
no hang) while it is down, and the app recovers by itself once it is back, without a restart of its own."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.services

PAGES = ("/rankings/", "/api/v1/vendors/")  # an HTML page and an API list, both read the database
REQUEST_TIMEOUT = 10


def fetch(url: str) -> tuple[int, str, dict]:
    try:
        with urllib.request.urlopen(url, timeout=REQUEST_TIMEOUT) as response:  # noqa: S310 - local test server
            return response.status, response.read().decode(errors="replace"), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace"), dict(error.headers)


def test_requests_fail_cleanly_while_the_database_is_down_and_recover_when_it_is_back(
    app_on_private_postgres, private_postgres
):
    app = app_on_private_postgres
    for page in PAGES:
        assert fetch(app.base + page)[0] == 200, page

    private_postgres.stop()
    for page in PAGES:
        status, body, headers = fetch(app.base + page)
        assert status == 503, (page, status, body[:300])
        assert headers.get("Retry-After") and "Traceback" not in body and "OperationalError" not in body
    assert fetch(app.base + "/healthz")[0] == 503

    private_postgres.start()
    deadline = time.monotonic() + 15
    statuses = []
    while time.monotonic() < deadline:
        statuses = [fetch(app.base + page)[0] for page in PAGES]
        if statuses == [200, 200]:
            break
        time.sleep(0.3)
    assert statuses == [200, 200], f"not recovered 15 s after the database came back: {statuses}"


def test_a_restart_during_a_stream_of_requests_gives_only_successes_and_clean_refusals(
    app_on_private_postgres, private_postgres
):
    app = app_on_private_postgres
    seen: list[int] = []
    stop = threading.Event()

    def hammer():
        while not stop.is_set():
            for page in PAGES:
                seen.append(fetch(app.base + page)[0])

    threads = [threading.Thread(target=hammer) for _ in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    private_postgres.stop()
    time.sleep(1.0)
    private_postgres.start()
    time.sleep(2.0)
    stop.set()
    for thread in threads:
        thread.join(timeout=REQUEST_TIMEOUT * 2)
    assert set(seen) <= {200, 503}, f"unexpected statuses: {sorted(set(seen))}"
    assert 503 in seen and seen[-1] == 200 and fetch(app.base + PAGES[0])[0] == 200
