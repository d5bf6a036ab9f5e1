"""Fixtures for the browser tests: ``qa serve`` in a subprocess over the seeds' index (the shared
``browser`` fixture is in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reliability.helpers import qa_serve


@pytest.fixture(scope="session")
def qa_server(core_index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``qa serve`` in a subprocess (auth off); yields its base URL."""
    with qa_serve(core_index_dir, tmp_path_factory.mktemp("qa-ui-log") / "serve.log") as (url, _proc):
        yield url
