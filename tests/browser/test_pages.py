"""Every page in a real browser, on the shipped catalogue: no console error, no request leaving 127.0.0.1, the
charts drawn with one bar or point per figure, a ranking filter that reorders, a model added on the compare page
that adds its bars, a planner that returns options, a label SVG that parses, no page wider than a phone, and a
skip link the keyboard reaches first.

Fixtures (Chromium, the request guard, screenshots, the catalogue) are in tests/browser/conftest.py.
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET

from django.urls import Resolver404, resolve

from emissions.models import ModelFootprint, ModelFootprintVersion

SVG = "{http://www.w3.org/2000/svg}"
MODEL = "google/gemini-2.5-flash"  # three serving regions, a history, a label
PAGES = {
    "home": "/",
    "rankings": "/rankings/",
    "rankings-vendors": "/rankings/?task=image-generation&metric=energy_per_request&group=vendor",
    "model": f"/models/{MODEL}/",
    "label": f"/labels/{MODEL}/",
    "label-svg": f"/labels/{MODEL}.svg",
    "methodology": "/methodology/",
    "vendor": "/vendors/google/",
    "vendor-without-regions": "/vendors/stability/",
    # the planning pages, when their routes exist
    "compare": "/compare/?models=meta/llama-3.1-8b,google/gemini-2.5-flash,mistral/mistral-7b",
    "procurement": "/procurement/",
}


ALL_CHARTS_DRAWN = "[...document.querySelectorAll('.chart-box')].every(box => box.querySelector('.main-svg'))"


def _exists(path: str) -> bool:
    try:
        resolve(path.split("?", 1)[0])
    except Resolver404:
        return False
    return True


def _ranking_names(page) -> list[str]:
    return page.locator("table.ranking tbody th[scope=row]").all_inner_texts()


def _chart_rows(page) -> list[str]:
    """The ranking chart's category labels from top to bottom."""
    ticks = page.evaluate(
        """[...document.querySelectorAll('#ranking-chart .yaxislayer-above .ytick text')]
             .map(t => [t.getBoundingClientRect().top, t.textContent])"""
    )
    return [text for _, text in sorted(ticks)]


def _wait_for_plot(page, selector: str) -> None:
    page.wait_for_selector(f"{selector} .main-svg", state="attached", timeout=15_000)


def wait_for_charts(page, timeout: float = 15.0) -> None:
    """Polls ALL_CHARTS_DRAWN with page.evaluate: wait_for_function evaluates its predicate with eval, which the
    pages' Content-Security-Policy forbids (and should); page.evaluate goes through the DevTools protocol."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(ALL_CHARTS_DRAWN):
        assert time.monotonic() < deadline, "charts not drawn in time"
        time.sleep(0.1)


def test_every_page_loads_without_console_errors_or_requests_off_the_machine(
    page, live_server, shipped_catalogue, watch, screenshot
):
    problems = {}
    for name, path in PAGES.items():
        if not _exists(path):
            continue
        watch.clear()
        response = page.goto(live_server.url + path, wait_until="load")
        if response.status != 200:
            watch.failed.append(f"{response.status} {path}")
        if page.locator(".chart-box").count():  # a chart page: wait for every chart to be drawn
            wait_for_charts(page)
        screenshot(name, full_page=not path.endswith(".svg"))  # an SVG document has no page height to measure
        if watch.problems():
            problems[path] = watch.problems()
        assert watch.requested, "the request guard saw nothing: it is not routing"
    assert problems == {}


def test_the_ranking_chart_draws_one_bar_per_row_and_a_filter_reorders_both(
    page, live_server, shipped_catalogue, watch
):
    page.goto(live_server.url + "/rankings/")
    _wait_for_plot(page, "#ranking-chart")
    before = _ranking_names(page)
    assert len(before) > 10
    assert page.locator("#ranking-chart .barlayer .point").count() == len(before)

    page.select_option("#f-metric", "energy_per_request")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**metric=energy_per_request**")
    _wait_for_plot(page, "#ranking-chart")
    after = _ranking_names(page)
    assert sorted(after) == sorted(before) and after != before  # same models, another order
    assert page.locator("#ranking-chart .barlayer .point").count() == len(after)
    bars = _chart_rows(page)  # the bars follow the new order, top down (a shared name gets its vendor appended)
    assert len(bars) == len(after)
    assert all(bar == name or bar.startswith(f"{name} (") for bar, name in zip(bars, after, strict=True))
    assert watch.problems() == []


def test_the_model_page_draws_one_history_point_per_version(page, live_server, shipped_catalogue, watch):
    shown = ModelFootprint.objects.filter(ai_model__slug=MODEL).order_by("region__slug").first()
    versions = ModelFootprintVersion.objects.filter(model_footprint=shown).count()
    page.goto(live_server.url + f"/models/{MODEL}/")
    _wait_for_plot(page, "#history-chart")
    assert versions >= 1
    assert page.locator("#history-chart .scatterlayer .point").count() == versions
    assert watch.problems() == []


def test_the_vendor_map_draws_each_region_on_the_offline_world_map(page, live_server, shipped_catalogue, watch):
    page.goto(live_server.url + "/vendors/google/")
    _wait_for_plot(page, "#vendor-map")
    regions = page.locator("table.places tbody tr").count()
    assert regions >= 3
    assert page.locator("#vendor-map .scattergeo .point").count() == regions
    assert page.locator("#vendor-map .layer.countries path").count() >= 1  # the base map came from our copy
    assert any(url.endswith("/static/vendor/topojson/world_110m.json") for url in watch.requested)
    assert watch.problems() == []


def test_the_label_svg_parses_as_svg_with_a_title(page, live_server, shipped_catalogue, watch):
    response = page.goto(live_server.url + f"/labels/{MODEL}.svg")
    assert response.headers["content-type"] == "image/svg+xml"
    root = ET.fromstring(response.body())  # noqa: S314 - our own response, and the test is that it parses
    assert root.tag == f"{SVG}svg"
    assert "Gemini 2.5 Flash" in root.find(f"{SVG}title").text
    assert page.evaluate("document.documentElement.namespaceURI") == "http://www.w3.org/2000/svg"
    assert page.locator("parsererror").count() == 0
    assert watch.problems() == []


def _bars_in(page, selector: str) -> int:
    return page.locator(f"{selector} .barlayer .point").count()


def test_adding_a_model_on_the_compare_page_adds_its_bars(page, live_server, shipped_catalogue, watch):
    page.goto(live_server.url + "/compare/?models=meta/llama-3.1-8b,google/gemini-2.5-flash")
    wait_for_charts(page)
    before = _bars_in(page, ".chart-compare")
    assert before > 0
    page.select_option("#c-add", "mistral/mistral-7b")
    page.get_by_role("button", name="Update").click()
    page.wait_for_url("**mistral**")
    wait_for_charts(page)
    assert page.locator("input[name=models][value='mistral/mistral-7b']").is_checked()
    after = _bars_in(page, ".chart-compare")
    assert after * 2 == before * 3, (before, after)  # every metric chart: three models' bars where two were
    assert watch.problems() == []


def test_the_planner_returns_ranked_options_for_a_workload(page, live_server, shipped_catalogue, watch):
    page.goto(live_server.url + "/procurement/")
    page.fill("input[name=requests_per_month]", "1000000")
    page.fill("input[name=input_tokens]", "1000")
    page.fill("input[name=output_tokens]", "400")
    page.select_option("#p-current", "openai/gpt-4o")
    page.get_by_role("button", name="Plan").click()
    page.wait_for_url("**requests_per_month=1000000**")
    _wait_for_plot(page, "#planner-chart")
    rows = page.locator("table.planner tbody tr")
    assert rows.count() > 10
    assert page.locator("table.planner tbody tr.current").count() == 1
    assert _bars_in(page, "#planner-chart") > 1
    assert watch.problems() == []


PHONE_WIDTH = 390  # px, a common phone viewport


def test_no_page_is_wider_than_a_phone(page, live_server, shipped_catalogue, watch):
    """Wide tables scroll inside their own region; the page itself never scrolls sideways at phone width."""
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    too_wide = {}
    for name, path in PAGES.items():
        if path.endswith(".svg") or not _exists(path):
            continue
        page.goto(live_server.url + path, wait_until="load")
        if page.locator(".chart-box").count():
            wait_for_charts(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE_WIDTH:
            too_wide[name] = width
    assert too_wide == {}
    assert watch.problems() == []


def test_the_keyboard_reaches_the_skip_link_first_and_it_moves_focus_to_the_content(
    page, live_server, shipped_catalogue, watch
):
    page.goto(live_server.url + "/rankings/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    page.wait_for_url("**#main")
    page.keyboard.press("Tab")  # the next stop is inside the main content, not the site navigation
    assert page.evaluate("document.activeElement.closest('main') !== null")
    assert watch.problems() == []


UNNAMED_CONTROLS = """[...document.querySelectorAll('input, select, textarea, button')]
    .filter(e => e.type !== 'hidden' && !e.labels?.length && !e.getAttribute('aria-label')
                 && !e.getAttribute('aria-labelledby') && !(e.tagName === 'BUTTON' && e.textContent.trim()))
    .map(e => e.outerHTML.slice(0, 80))"""
UNNAMED_CHARTS = """[...document.querySelectorAll('.chart-box')]
    .filter(e => e.getAttribute('role') !== 'img' || !e.getAttribute('aria-label')).map(e => e.id)"""
# Tables of data need a caption; tables inside the rendered methodology document sit under their own heading
# (Markdown has no captions).
UNCAPTIONED_TABLES = """[...document.querySelectorAll('main table')]
    .filter(t => !t.closest('article.prose') && !t.querySelector('caption') && !t.getAttribute('aria-label'))
    .map(t => t.className || t.parentElement.className)"""


def test_every_page_has_one_main_one_heading_and_names_for_its_controls_charts_and_tables(
    page, live_server, shipped_catalogue, watch
):
    """What a screen reader needs: landmarks, a page title, a name for every control, chart and table."""
    problems = {}
    for name, path in PAGES.items():
        if path.endswith(".svg") or not _exists(path):
            continue
        page.goto(live_server.url + path, wait_until="load")
        found = {
            "main landmarks": page.locator("main").count(),
            "h1 headings": page.locator("h1").count(),
            "controls without a name": page.evaluate(UNNAMED_CONTROLS),
            "charts without a name": page.evaluate(UNNAMED_CHARTS),
            "tables without a caption": page.evaluate(UNCAPTIONED_TABLES),
        }
        wrong = {k: v for k, v in found.items() if v != (1 if k in ("main landmarks", "h1 headings") else [])}
        if wrong:
            problems[name] = wrong
    assert problems == {}
    assert watch.problems() == []
