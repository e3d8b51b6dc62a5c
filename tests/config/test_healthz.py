"""/healthz reports the database and the broker; 503 as soon as a needed part is down."""

import pytest

pytestmark = pytest.mark.django_db


def test_healthy_with_the_real_broker(client, settings, redis_url):
    settings.REDIS_URL = redis_url
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"] == {"ok": True, "mode": "redis", "ms": body["checks"]["broker"]["ms"]}


def test_broker_down_is_503_and_says_which_part(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6390/0"  # nothing listens there
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "degraded"
    assert body["checks"]["broker"]["ok"] is False
    assert "Error" in body["checks"]["broker"]["error"]
    assert body["checks"]["database"]["ok"] is True


def test_without_a_broker_configured_tasks_run_in_process(client, settings):
    settings.REDIS_URL = None
    body = client.get("/healthz").json()
    assert body["checks"]["broker"]["mode"].startswith("in-process")
    assert body["status"] == "ok"


def test_database_down_is_503(client, monkeypatch):
    from config import health

    def broken():
        return {"ok": False, "error": "OperationalError: connection refused"}

    monkeypatch.setattr(health, "_check_database", broken)
    assert client.get("/healthz").status_code == 503


def test_only_get_is_allowed(client):
    assert client.post("/healthz").status_code == 405
