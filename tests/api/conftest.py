"""Fixtures for the HTTP tests: a built index, one loaded Assistant, real uvicorn servers on free ports."""

from __future__ import annotations

import dataclasses
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import uvicorn

from qa.config import Settings, load_settings
from qa.evaluation.bench_common import free_port  # noqa: F401 - one helper; the reliability tests import it from here

REPO = Path(__file__).resolve().parents[2]


def build_test_index(target: Path) -> Path:
    """Build the seeds' index into ``target``; a repo ``index/`` is copied first as a vector cache,
    and ``build_index`` then refreshes it if the seeds or settings changed."""
    from qa.index.builder import build_index

    cached = REPO / "index"
    if (cached / "manifest.json").exists():
        shutil.copytree(cached, target)
    seeds = REPO / "seeds"
    settings = load_settings().with_overrides(index_dir=target, seeds_dir=seeds)
    build_index(settings, sources=[seeds])
    return target


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_test_index(tmp_path_factory.mktemp("qa") / "index")


@pytest.fixture(scope="session")
def base_settings(index_dir: Path) -> Settings:
    """Environment-independent settings: no keys, a generous rate limit."""
    return dataclasses.replace(
        load_settings(), index_dir=index_dir, api_keys="", api_key_file=None, rate_limit_per_minute=10_000
    )


@pytest.fixture(scope="session")
def assistant(base_settings: Settings):
    from qa.assistant import Assistant

    return Assistant.load(index_dir=base_settings.index_dir, settings=base_settings)


class LiveServer:
    """A uvicorn server running ``app`` in a background thread."""

    def __init__(self, app, port: int) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.url = f"http://127.0.0.1:{port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def serve(assistant, base_settings: Settings) -> Iterator[Callable[..., LiveServer]]:
    """Factory: ``serve(ui=..., **settings_changes)`` starts a server sharing the loaded Assistant."""
    from qa.api.app import create_app

    servers: list[LiveServer] = []

    def start(ui: bool = True, **changes: object) -> LiveServer:
        settings = dataclasses.replace(base_settings, **changes)
        server = LiveServer(create_app(assistant, settings, ui=ui), free_port()).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__()
