"""The API's rate limits: one counter per client and calendar window, instead of DRF's list of timestamps.

DRF's ``SimpleRateThrottle`` keeps every request time of the window in the cache and reads, trims, pickles and
writes that whole list back on each request, so a throttle's cost grows with the rate it allows (docs/benchmarks.md,
"Throttling"). Here a request costs one ``incr`` of an integer whatever the rate, and the counter is exact under
concurrency where the cache's ``incr`` is atomic (Redis; within one process for the local-memory cache), where the
list's read-then-write would lose requests.

The window is fixed: "120/min" allows 120 requests in each minute counted from the epoch, and a refused client is
told to retry when its window ends (``Retry-After``). A client can therefore send up to twice the rate across a
window's boundary, the usual trade of fixed-window counters for their constant cost.
"""

from __future__ import annotations

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class WindowCounterMixin:
    """``allow_request`` and ``wait`` for a ``SimpleRateThrottle``: its rate, key and cache, counted per window."""

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        client = self.get_cache_key(request, view)
        if client is None:  # e.g. the anonymous throttle for a signed-in user
            return True
        now = self.timer()
        window = int(now // self.duration)
        self.window_ends_at = (window + 1) * self.duration
        return self._count(f"{client}:{window}") <= self.num_requests

    def _count(self, key: str) -> int:
        """This request's number in its window: the counter after adding one (created at 1 if it is new)."""
        try:
            return self.cache.incr(key)
        except ValueError:  # no counter yet for this window
            pass
        if self.cache.add(key, 1, timeout=self.duration + 1):  # lives past the window's end, whenever it starts
            return 1
        return self.cache.incr(key)  # another process created it between the two calls

    def wait(self) -> float:
        """Seconds until this client's window ends and its counter starts again (DRF rounds it up for Retry-After)."""
        return max(self.window_ends_at - self.timer(), 0.0)


class AnonWindowThrottle(WindowCounterMixin, AnonRateThrottle):
    """Anonymous clients, per address: the ``anon`` rate (``API_THROTTLE_ANON``)."""


class UserWindowThrottle(WindowCounterMixin, UserRateThrottle):
    """Signed-in users per account, others per address: the ``user`` rate (``API_THROTTLE_USER``)."""
