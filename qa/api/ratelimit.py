"""Token-bucket rate limit per API key (or per client IP when auth is off).

Each caller may burst up to ``rate_limit_per_minute`` requests, refilled continuously at that rate;
0 turns the limit off. Refused requests get 429 with ``Retry-After`` (whole seconds).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from fastapi import Request

from qa.api.auth import client_identity
from qa.api.errors import ApiError

_MAX_BUCKETS = 10_000


class RateLimiter:
    """Buckets keyed by caller; thread-safe so the chat page (worker threads) can share it."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """Whether requests are limited at all."""
        return self.capacity > 0

    def _tokens(self, caller: str, now: float) -> float:
        """Tokens ``caller`` has at ``now`` (call with the lock held)."""
        tokens, last = self._buckets.get(caller, (self.capacity, now))
        return min(self.capacity, tokens + (now - last) * self.rate)

    def acquire(self, caller: str) -> float:
        """Take one token for ``caller``: 0.0 if allowed, else seconds until a token is available."""
        if not self.enabled:
            return 0.0
        now = self._clock()
        with self._lock:
            tokens = self._tokens(caller, now)
            allowed = tokens >= 1.0
            self._buckets[caller] = (tokens - 1.0 if allowed else tokens, now)
            if len(self._buckets) > _MAX_BUCKETS:
                self._forget_idle(now)
        return 0.0 if allowed else (1.0 - tokens) / self.rate

    def waiting(self, caller: str) -> float:
        """Seconds until ``caller`` has a token again (0.0 if it has one), without taking it."""
        if not self.enabled:
            return 0.0
        with self._lock:
            tokens = self._tokens(caller, self._clock())
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate

    def _forget_idle(self, now: float) -> None:
        """Drop buckets that have refilled completely: they behave exactly like new ones."""
        full = [k for k, (t, last) in self._buckets.items() if t + (now - last) * self.rate >= self.capacity]
        for key in full:
            del self._buckets[key]

    def check(self, caller: str) -> None:
        """Raise a 429 :class:`ApiError` when ``caller`` is over the limit."""
        wait = self.acquire(caller)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise ApiError(
                429, "rate_limited", f"Too many requests; retry in {seconds} s.", {"Retry-After": str(seconds)}
            )


def rate_limit(request: Request) -> None:
    """FastAPI dependency: one token per request from the caller's bucket."""
    limiter: RateLimiter = request.app.state.limiter
    limiter.check(client_identity(request, request.app.state.keys.enabled))
