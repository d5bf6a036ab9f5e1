"""``qa serve``: build the index if needed, load the Assistant once, serve API + chat on one port."""

from __future__ import annotations

import logging
import sys
import time

import uvicorn

from qa.api.app import create_app
from qa.assistant import Assistant
from qa.config import Settings
from qa.index.builder import ensure_index
from qa.index.store import IndexError as QaIndexError

log = logging.getLogger("qa.api")


def run_server(settings: Settings, build_if_missing: bool = True) -> None:
    """Run until interrupted. Exits with status 2 and a clear message when the index cannot be loaded."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    started = time.perf_counter()
    index_dir = ensure_index(settings) if build_if_missing else settings.index_dir
    try:
        assistant = Assistant.load(index_dir=str(index_dir), settings=settings)
    except QaIndexError as exc:
        print(f"qa serve: cannot load the index at {index_dir}: {exc}", file=sys.stderr)
        print("Build it with `qa build` (or run `qa serve` without --no-build).", file=sys.stderr)
        raise SystemExit(2) from exc
    app = create_app(assistant, settings)
    config = uvicorn.Config(app, host=settings.host, port=settings.port, log_level="info", timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    log.info("ready in %.1f s: http://%s:%d/ (API docs at /api/docs)", time.perf_counter() - started, settings.host, settings.port)
    server.run()
