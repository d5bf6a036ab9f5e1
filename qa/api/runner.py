"""Runs the Assistant's CPU-bound calls off the event loop, one at a time.

The embedding model already uses every core for one query, and its tokenizer is not guaranteed to
be thread-safe, so the HTTP API and the chat page share one lock instead of racing each other.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from qa.assistant import Assistant

T = TypeVar("T")


class ModelRunner:
    """The loaded Assistant plus the lock that serialises its model calls."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self._lock = threading.Lock()
        self._limiter: anyio.CapacityLimiter | None = None

    def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call ``fn`` under the model lock in the current (worker) thread."""
        with self._lock:
            return fn(*args, **kwargs)

    async def run_async(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call ``fn`` under the model lock in a worker thread; waiting callers hold no thread."""
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(1)
        return await anyio.to_thread.run_sync(partial(self.run, fn, *args, **kwargs), limiter=self._limiter)
