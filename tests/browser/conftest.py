"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

- Chromium is ``/usr/bin/chromium`` (``playwright install`` cannot download browsers here). When it is missing
  the tests skip, and fail under ``REQUIRE_SERVICES=true`` (CI, whose ``.ci/run`` installs it).
- Playwright's sync API keeps an asyncio loop in the test thread from its first use to the end of the session,
  and Django refuses ORM calls from a thread with a running loop. The loop only drives the browser, so
  ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set when the first browser test starts, before any of its fixtures touches
  the database, and the browser tests run last, so that no other test runs with it.
- The live server listens on 127.0.0.1, and the ``watch`` fixture aborts and records every request to any other host,
  so a test fails if a page tries to reach a CDN.
- Data: the shipped catalogue (``data/``) loaded with ``catalogue_load()`` and its recompute run in-process, in
  a transactional database (the live server's thread must see it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from tests.conftest import require_service

os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
LOCAL_HOSTS = {"127.0.0.1"}
SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"


@pytest.hookimpl(trylast=True)  # after pytest-django's own reordering (by database use), or it undoes this
def pytest_collection_modifyitems(items):
    """Marks the browser tests and runs them last: once Playwright's loop exists, the rest of the session needs
    ``DJANGO_ALLOW_ASYNC_UNSAFE``, which no other test should run with (``check --deploy`` rejects it)."""
    here = Path(__file__).parent
    browser = [item for item in items if here in Path(item.fspath).parents]
    for item in browser:
        item.add_marker(pytest.mark.browser)
    items[:] = [item for item in items if item not in browser] + browser


@pytest.fixture(scope="session", autouse=True)
def _orm_beside_playwrights_loop(django_db_setup):
    """Lets the ORM run in the thread that holds Playwright's loop, from the first browser test to the end.

    It asks for the test database first, so the database is created before Playwright's session fixtures start
    their loop and dropped after they stop it; the variable is removed again in between.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        require_service("Chromium", f"{CHROMIUM} is missing (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}, "service_workers": "block"}


@pytest.fixture
def shipped_catalogue(transactional_db):
    """The shipped catalogue with every footprint computed, as ``make demo`` has it (without usage data)."""
    from emissions.services.catalogue import catalogue_load
    from tests.vendors.dashboard_catalogue import run_pending_jobs

    catalogue_load(data_dir=Path(settings.BASE_DIR) / "data")
    run_pending_jobs()


@dataclass
class Watch:
    """What a page did: console errors, uncaught exceptions, requests off 127.0.0.1 (aborted), failed responses."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return [*(f"console: {m}" for m in self.console_errors), *(f"exception: {m}" for m in self.page_errors),
                *(f"left 127.0.0.1: {u}" for u in self.outside), *(f"failed: {u}" for u in self.failed)]  # fmt: skip

    def clear(self) -> None:
        for value in (self.console_errors, self.page_errors, self.outside, self.requested, self.failed):
            value.clear()


@pytest.fixture
def watch(page) -> Watch:
    """Routes every request of ``page``: local ones continue, any other is aborted and recorded."""
    seen = Watch()

    def route(route, request):
        seen.requested.append(request.url)
        if urlsplit(request.url).hostname in LOCAL_HOSTS or request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            seen.outside.append(request.url)
            route.abort()

    page.route("**/*", route)
    page.on("console", lambda message: message.type == "error" and seen.console_errors.append(message.text))
    page.on("pageerror", lambda error: seen.page_errors.append(str(error)))
    page.on("response", lambda response: response.status >= 400 and seen.failed.append(
        f"{response.status} {response.url}"))  # fmt: skip
    return seen


@pytest.fixture
def screenshot(page):
    """Saves the page as artifacts/screenshots/browser-<name>.png (artifacts/ is not committed)."""

    def take(name: str, full_page: bool = True) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"browser-{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take
