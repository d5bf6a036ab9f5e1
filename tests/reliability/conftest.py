"""Fixtures for the reliability suite: servers around the session's Assistant, headless Chromium.
Every server listens on 127.0.0.1 only; every wait is bounded in time."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from qa.config import Settings, load_settings
from tests.api.conftest import LiveServer, free_port



@pytest.fixture(scope="session")
def rel_settings(core_index_dir: Path) -> Settings:
    """Environment-independent settings over the core index: no keys, no rate limit."""
    return dataclasses.replace(
        load_settings(), index_dir=core_index_dir, api_keys="", api_key_file=None, rate_limit_per_minute=0
    )


@pytest.fixture(scope="session")
def rel_serve(core_assistant, rel_settings: Settings) -> Iterator[Callable[..., LiveServer]]:
    """Factory: ``rel_serve(ui=False, assistant=None, **settings_changes)`` starts a uvicorn server in a
    thread around the session's loaded Assistant (or another one sharing its model)."""
    from qa.api.app import create_app

    servers: list[LiveServer] = []

    def start(ui: bool = False, assistant=None, **changes: object) -> LiveServer:
        settings = dataclasses.replace(rel_settings, **changes)
        server = LiveServer(create_app(assistant or core_assistant, settings, ui=ui), free_port()).__enter__()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.__exit__()


@pytest.fixture(scope="session")
def canonical(core_assistant) -> dict[str, str]:
    """doc_id → canonical text of the core index."""
    return {d["doc_id"]: core_assistant.canonical_text(d["doc_id"]) for d in core_assistant.documents()}
