"""The API's rate limits (config/throttling.py): one counter per client and window, 429 with Retry-After beyond."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from config.throttling import AnonWindowThrottle, UserWindowThrottle
from reports.services.tokens import api_token_create

PING = "/api/v1/ping"
WINDOW_START = 1_800_000_000.0  # a minute boundary: 30,000,000 whole minutes after the epoch


@pytest.fixture
def clock(monkeypatch):
    """The throttles' time, set by the test: starts at a minute boundary."""
    now = [WINDOW_START]
    monkeypatch.setattr(SimpleRateThrottle, "timer", staticmethod(lambda: now[0]))
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "5/min"})
    cache.clear()
    yield now
    cache.clear()


def statuses(client: APIClient, count: int, **headers) -> list[int]:
    return [client.get(PING, **headers).status_code for _ in range(count)]


def test_an_anonymous_client_gets_its_rate_then_429_with_the_seconds_left_in_its_window(clock):
    client = APIClient()
    assert statuses(client, 3) == [200, 200, 200]
    clock[0] += 20.2
    refused = client.get(PING)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "40"  # 39.8 s to the minute's end, rounded up
    assert refused.json()["errors"] == [{"field": None, "message": refused.json()["detail"]}]


def test_a_new_window_starts_the_count_again(clock):
    client = APIClient()
    assert statuses(client, 4) == [200, 200, 200, 429]
    clock[0] += 60
    assert statuses(client, 4) == [200, 200, 200, 429]


def test_refused_requests_do_not_extend_the_wait(clock):
    client = APIClient()
    statuses(client, 10)
    clock[0] += 59.5
    assert client.get(PING)["Retry-After"] == "1"
    clock[0] += 0.5
    assert client.get(PING).status_code == 200


def test_addresses_are_counted_apart(clock):
    client = APIClient()
    assert statuses(client, 4, REMOTE_ADDR="192.0.2.1") == [200, 200, 200, 429]
    assert statuses(client, 3, REMOTE_ADDR="192.0.2.2") == [200, 200, 200]


@pytest.mark.django_db
def test_a_signed_in_user_gets_the_user_rate_whatever_the_address(clock, django_user_model):
    _, raw = api_token_create(user=django_user_model.objects.create_user("scripted"), name="load")
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {raw}")
    # The ping authenticates nobody; a catalogue list does, and is throttled per account.
    answers = [client.get("/api/v1/vendors/", REMOTE_ADDR=f"192.0.2.{i}").status_code for i in range(6)]
    assert answers == [200] * 5 + [429]
    assert APIClient().get("/api/v1/vendors/").status_code == 200  # anonymous, its own count


def test_each_client_costs_one_integer_in_the_cache_whatever_its_rate(clock):
    client = APIClient()
    statuses(client, 7)
    window = int(WINDOW_START // 60)
    anon = AnonWindowThrottle()
    user = UserWindowThrottle()
    assert cache.get(f"{anon.cache_format % {'scope': 'anon', 'ident': '127.0.0.1'}}:{window}") == 7
    assert cache.get(f"{user.cache_format % {'scope': 'user', 'ident': '127.0.0.1'}}:{window}") == 7
