"""Shared fixtures: the curation users, service guards and a small catalogue.

Under ``REQUIRE_SERVICES=true`` (CI) a missing PostgreSQL or Redis fails the run instead of skipping.
"""

from __future__ import annotations

import os
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission

FIXTURE_CATALOGUE = Path(__file__).parent / "fixtures" / "catalogue"


def pytest_configure(config):
    if os.environ.get("REQUIRE_SERVICES", "").lower() in {"1", "true", "yes"}:
        missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not os.environ.get(name)]
        if missing:
            raise pytest.UsageError(f"REQUIRE_SERVICES is set but {', '.join(missing)} is not.")
        if not os.environ["DATABASE_URL"].startswith(("postgres://", "postgresql://")):
            raise pytest.UsageError("REQUIRE_SERVICES is set but DATABASE_URL is not a PostgreSQL URL.")


def require_service(name: str, reason: str) -> None:
    """Skip locally, fail under CI, when a real service a test needs is not available."""
    if settings.REQUIRE_SERVICES:
        pytest.fail(f"{name} is required under REQUIRE_SERVICES but {reason}")
    pytest.skip(f"{name} not available: {reason}")


@pytest.fixture
def postgres(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        require_service("PostgreSQL", "DATABASE_URL does not point at PostgreSQL")
    return connection


@pytest.fixture
def redis_url():
    if not settings.REDIS_URL:
        require_service("Redis", "REDIS_URL is not set")
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        require_service("Redis", f"it does not answer at {settings.REDIS_URL}: {exc}")
    return settings.REDIS_URL


@pytest.fixture(autouse=True)
def tasks_run_in_process():
    """Tasks run in the test's own process, even when REDIS_URL is set: only tests/emissions/worker starts a real
    worker (its fixture switches this off), so no other test leaves messages in the broker."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(scope="session")
def schema(django_db_setup, django_db_blocker) -> dict:
    """The OpenAPI document ``manage.py spectacular`` writes, generated once per run; generating it with
    ``--validate --fail-on-warn`` raises on any warning or error, so a fixture that loads is a clean schema."""
    import yaml
    from django.core.management import call_command

    with django_db_blocker.unblock():
        out = StringIO()
        call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    return yaml.safe_load(out.getvalue())


@pytest.fixture(autouse=True)
def catalogue_memos_start_empty():
    """Each test starts with this process's catalogue memos empty (emissions.catalogue_version). The version alone
    does not tell tests apart on SQLite, which rolls back its id counters with each test's transaction."""
    from emissions.catalogue_version import catalogue_memos_clear

    catalogue_memos_clear()
    yield
    catalogue_memos_clear()


@pytest.fixture
def curator(django_user_model):
    user = django_user_model.objects.create_user("curator", "curator@example.org", "pw", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="approve_emissionfactor"),
        *Permission.objects.filter(content_type__app_label__in=["emissions", "vendors"]),
    )
    return django_user_model.objects.get(pk=user.pk)  # fresh instance: permission cache empty


@pytest.fixture
def editor(django_user_model):
    """Staff who may edit drafts and import them, but not approve."""
    user = django_user_model.objects.create_user("editor", "editor@example.org", "pw", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label__in=["emissions", "vendors"]).exclude(
            codename="approve_emissionfactor"
        )
    )
    return django_user_model.objects.get(pk=user.pk)


@pytest.fixture
def catalogue_dir(tmp_path) -> Path:
    """A writable copy of the small test catalogue, so a test can edit it."""
    target = tmp_path / "data"
    shutil.copytree(FIXTURE_CATALOGUE, target)
    return target


@pytest.fixture
def small_catalogue(db, catalogue_dir):
    from emissions.services.catalogue import catalogue_load

    catalogue_load(data_dir=catalogue_dir)
    return catalogue_dir
