"""The catalogue's version: one value that changes whenever a public figure can have changed.

Public reads (rankings, footprints, labels) and estimates are the same for everyone until the catalogue or the
stored footprints change, so a process may keep what it computed while the version stays the same
(``CatalogueMemo``). Every write that can change those figures leaves a trace the version reads:

- an edit of a vendor, model, region, accelerator, grid zone, source, factor, quality score, training run or
  spend factor (admin, curation API, catalogue loads with ``bulk_create_with_history``) adds a
  django-simple-history row: the largest history id of each history table grows;
- the recompute pipeline marks rates stale (``version`` + 1) and publishes them (``computed_version`` set), in
  the same transaction as the model footprints' new figures: the sums of both change;
- model footprints created, re-pointed to another rate or deleted change their count, largest id or rate sum.

One query reads it all. A process re-reads it at most every ``CATALOGUE_RECHECK_MS`` milliseconds (1,000 by
default), so a change reaches every process within that time; tests set 0 (re-read on every use).
"""

from __future__ import annotations

import functools
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.apps import apps
from django.conf import settings
from django.db import connection
from simple_history.models import HistoricalChanges

CATALOGUE_APPS = ("vendors", "emissions")
T = TypeVar("T")


def _history_tables() -> list[tuple[str, str]]:
    """(table, primary key column) of every django-simple-history table of the catalogue apps, m2m ones too."""
    return sorted(
        (model._meta.db_table, model._meta.pk.column)
        for model in apps.get_models()
        if model._meta.app_label in CATALOGUE_APPS and issubclass(model, HistoricalChanges)
    )


@functools.cache
def _version_sql(vendor: str) -> str:
    """One SELECT over derived tables (SQLite and PostgreSQL both accept it). Built once per database vendor."""
    from emissions.models import FootprintRate, ModelFootprint

    quote = connection.ops.quote_name
    rates, footprints = quote(FootprintRate._meta.db_table), quote(ModelFootprint._meta.db_table)
    parts = [
        f"(SELECT COUNT(*) AS n, MAX(id) AS top, SUM(version) AS marked, SUM(computed_version) AS published "
        f"FROM {rates}) AS rates",
        f"(SELECT COUNT(*) AS n, MAX(id) AS top, SUM(rate_id) AS rates FROM {footprints}) AS footprints",
        *(
            f"(SELECT MAX({quote(pk)}) AS top FROM {quote(table)}) AS h{index}"
            for index, (table, pk) in enumerate(_history_tables())
        ),
    ]
    return "SELECT * FROM " + ", ".join(parts)


def catalogue_version() -> tuple:
    """The catalogue's version now: equal values mean no public figure changed in between."""
    with connection.cursor() as cursor:
        cursor.execute(_version_sql(connection.vendor))
        return tuple(cursor.fetchone())


class CatalogueWatch:
    """This process's idea of the catalogue version, re-read at most every ``recheck_seconds``."""

    def __init__(self, *, recheck_seconds: Callable[[], float], clock: Callable[[], float] = time.monotonic):
        self._recheck_seconds, self._clock = recheck_seconds, clock
        self._version: tuple | None = None
        self._read_at = 0.0

    def current(self) -> tuple:
        now = self._clock()
        if self._version is None or now - self._read_at >= self._recheck_seconds():
            self._version, self._read_at = catalogue_version(), now
        return self._version

    def forget(self) -> None:
        self._version = None


def _recheck_seconds() -> float:
    return settings.CATALOGUE_RECHECK_MS / 1000


WATCH = CatalogueWatch(recheck_seconds=_recheck_seconds)


MEMOS: weakref.WeakSet[CatalogueMemo] = weakref.WeakSet()


def catalogue_memos_clear() -> None:
    """Empty every memo of this process and forget the version read (tests start each case from nothing)."""
    for memo in list(MEMOS):
        memo.clear()
    WATCH.forget()


class CatalogueMemo:
    """Values computed from the catalogue, kept in this process while its version is unchanged.

    At most ``maxsize`` entries, least recently used dropped first. The version is read before computing, so an
    entry is never older than the version it is filed under; a write committed meanwhile changes the version and
    empties the memo at the next re-read.
    """

    def __init__(self, *, maxsize: int, watch: CatalogueWatch = WATCH):
        self.maxsize, self.watch = maxsize, watch
        self._entries: OrderedDict[Hashable, object] = OrderedDict()
        self._version: tuple | None = None
        self._lock = threading.Lock()  # runserver and threaded servers share one memo between threads
        MEMOS.add(self)

    def lookup(self, key: Hashable) -> tuple[object | None, tuple]:
        """The value kept for ``key`` (None when there is none) and the current version, to file a new one under."""
        version = self.watch.current()
        with self._lock:
            if version != self._version:
                self._entries.clear()
                self._version = version
                return None, version
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value, version

    def put(self, key: Hashable, value: object, *, version: tuple) -> None:
        """Keep ``value``, computed after ``version`` was read; dropped if the version moved on meanwhile."""
        with self._lock:
            if version != self._version:
                return
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        value, version = self.lookup(key)
        if value is None:
            value = compute()
            self.put(key, value, version=version)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._version = None
