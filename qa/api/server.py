"""``qa serve``: build the index if needed, load the Assistant once, serve API + chat on one port."""

from __future__ import annotations

import logging
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import uvicorn

from qa.api.app import create_app
from qa.assistant import Assistant
from qa.config import Settings
from qa.index.builder import ensure_index
from qa.index.store import IndexError as QaIndexError

log = logging.getLogger("qa.api")


class _Server(uvicorn.Server):
    """uvicorn server that reports the total start-up time once it is listening."""

    def __init__(self, config: uvicorn.Config, started: float) -> None:
        super().__init__(config)
        self._started_at = started

    async def startup(self, sockets: list | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            host, port = self.config.host, self.config.port
            log.info(
                "ready in %.1f s: chat http://%s:%d/ · API docs http://%s:%d/api/docs",
                time.perf_counter() - self._started_at, host, port, host, port,
            )


def run_server(settings: Settings, build_if_missing: bool = True) -> None:
    """Serve until interrupted; exit with status 2 and a clear message if the index cannot be loaded."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    started = time.perf_counter()
    index_dir = ensure_index(settings) if build_if_missing else settings.index_dir
    with ThreadPoolExecutor(max_workers=1) as pool:
        loading = pool.submit(Assistant.load, index_dir=index_dir, settings=settings)
        app = create_app(loading.result, settings)  # builds the chat page while the model loads
        try:
            loading.result()
        except QaIndexError as exc:
            print(f"qa serve: cannot load the index in {index_dir}: {exc}", file=sys.stderr)
            raise SystemExit(2) from exc
    config = uvicorn.Config(app, host=settings.host, port=settings.port, log_level="info", timeout_graceful_shutdown=5)
    _Server(config, started).run()
