"""Server time and SQL queries per page, in-process (Django's test client: URL routing, middleware, views,
selectors, templates; no network, no browser).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aifootprint_bench .venv/bin/python bench/pages.py [-n 50]

It measures whatever database DATABASE_URL names (SQLite by default), which must already hold a catalogue with
its footprints computed; ``--load-catalogue`` loads the shipped one first (``catalogue_load()`` with its
recompute run in-process). The figures in docs/benchmarks.md ("Pages") are for PostgreSQL holding the full
catalogue and the 1,000,000 usage records ``bench/recompute.py`` seeds: run that first and point DATABASE_URL at
its database (``aifootprint_bench``). None of these pages reads usage records or rollups, so the usage makes no
difference to them beyond the size of the database; it is there so that the figures hold for a loaded system.

Each page is requested ``--warmup`` times untimed, then ``-n`` times timed; a separate request counts its SQL
queries (``CaptureQueriesContext``). DEBUG is off, as in production. The last line printed is JSON:
``{page: {"p50_ms", "p95_ms", "queries"}}``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def load_catalogue() -> None:
    from config.celery import app
    from emissions.services.catalogue import catalogue_load

    app.conf.task_always_eager = True  # the recompute the load marks runs here, before the first page
    catalogue_load()


def pages() -> dict[str, str]:
    """The pages to time, on the catalogue in the database (a model with several regions, a big vendor)."""
    from django.db.models import Count
    from django.urls import Resolver404, resolve

    from vendors.models import AIModel, Region, Vendor

    model = (
        AIModel.objects.filter(footprints__energy_kwh__isnull=False, task="text-generation")
        .annotate(places=Count("serving_regions"))
        .order_by("-places", "slug")
        .first()
    )
    if model is None:
        sys.exit("no computed footprint in this database: load the catalogue first (--load-catalogue)")
    vendor = Vendor.objects.annotate(n=Count("models")).order_by("-n", "slug").first()
    region = Region.objects.filter(model_footprints__isnull=False).order_by("slug").first()
    others = AIModel.objects.filter(task=model.task).exclude(pk=model.pk).order_by("slug")[:2]
    vendor_part, model_part = model.slug.split("/", 1)
    found = {
        "/": "/",
        "/rankings/": "/rankings/",
        "/rankings/ image, energy": "/rankings/?task=image-generation&metric=energy_per_request",
        "/rankings/ vendors, market": "/rankings/?group=vendor&basis=market&sort=-central",
        "/rankings/ region, open weights": f"/rankings/?region={region.slug}&open_weights=on",
        "/models/<v>/<m>/": f"/models/{vendor_part}/{model_part}/",
        "/labels/<v>/<m>.svg": f"/labels/{vendor_part}/{model_part}.svg",
        "/methodology/": "/methodology/",
        "/vendors/<slug>/": f"/vendors/{vendor.slug}/",
        "/compare/ (3 models)": "/compare/?models=" + ",".join([model.slug, *(m.slug for m in others)]),
        "/procurement/ (a workload)": "/procurement/?requests_per_month=1000000&input_tokens=1000&output_tokens=400"
        "&task=text-generation",
    }
    present = {}
    for name, url in found.items():
        try:
            resolve(url.split("?", 1)[0])
        except Resolver404:
            continue  # a page not built yet in this checkout
        present[name] = url
    return present


def measure(client, url: str, n: int, warmup: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        response = client.get(url)
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code}")
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = len(captured)  # now: the next request_started signal empties the connection's query log
    times = []
    for _ in range(n):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(cuts[94], 1), "queries": queries}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=50, help="timed requests per page (default 50)")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--load-catalogue", action="store_true", help="load the shipped catalogue first")
    args = parser.parse_args()
    if args.n < 2:
        parser.error("-n must be at least 2")
    setup_django()

    from django.db import connection
    from django.test import Client

    if args.load_catalogue:
        load_catalogue()
    from emissions.models import FootprintRate
    from reports.models import UsageRecord

    records = UsageRecord.objects.count()
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; "
          f"{FootprintRate.objects.count():,} rates, {records:,} usage records", flush=True)  # fmt: skip
    client = Client(HTTP_HOST="127.0.0.1")
    results = {}
    for name, url in pages().items():
        results[name] = measure(client, url, args.n, args.warmup)
        row = results[name]
        print(f"{name:<34} p50 {row['p50_ms']:7.1f} ms   p95 {row['p95_ms']:7.1f} ms   {row['queries']:3d} queries",
              flush=True)  # fmt: skip
    print(json.dumps(results))


if __name__ == "__main__":
    main()
