"""A per-client rate limit: one token bucket per key (a client's address), in memory.

Each key may spend ``per_minute`` requests at once, then one more every ``60 / per_minute``
seconds. Buckets of clients not seen for a while are forgotten (a bounded ``cachetools`` TTL
cache, so many clients cannot grow it without end). One process counts alone: with several
workers a client gets up to ``workers x per_minute``.

>>> limit = RateLimit(per_minute=2)
>>> limit.wait_s("a", now=0.0), limit.wait_s("a", now=0.0), limit.wait_s("a", now=0.0)
(0.0, 0.0, 30.0)
>>> limit.wait_s("a", now=30.0), limit.wait_s("b", now=30.0)
(0.0, 0.0)
"""

from __future__ import annotations

import threading
import time

import cachetools


class RateLimit:
    """Token buckets of ``per_minute`` tokens per key; :meth:`wait_s` spends one."""

    def __init__(self, per_minute: int, max_clients: int = 100_000) -> None:
        self.capacity = float(per_minute)
        self.per_s = per_minute / 60.0
        # a bucket untouched for a minute is full again: forgetting it changes nothing
        self._buckets: cachetools.TTLCache = cachetools.TTLCache(maxsize=max_clients, ttl=60.0)
        self._lock = threading.Lock()

    def wait_s(self, key: str, now: float | None = None) -> float:
        """Spend a token of ``key``: 0.0 if there was one, else the seconds until there is."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.per_s)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.per_s
