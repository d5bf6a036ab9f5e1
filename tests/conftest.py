"""Shared fixtures: the seed library and an index built from it (real model, built once per session)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from qa.config import load_settings

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def seed_documents():
    from qa.documents.loader import load_folder

    docs, skipped = load_folder(SEEDS)
    assert not skipped
    return {d.doc_id: d for d in docs}


@pytest.fixture(scope="session")
def core_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds' index in a temp folder; the repo's index/ (if built) is copied first as a vector cache."""
    from qa.index.builder import build_index

    target = tmp_path_factory.mktemp("core") / "index"
    if (REPO / "index" / "manifest.json").exists():
        shutil.copytree(REPO / "index", target)
    build_index(load_settings().with_overrides(index_dir=target), [SEEDS])
    return target


@pytest.fixture(scope="session")
def core_assistant(core_index_dir: Path):
    from qa.assistant import Assistant

    return Assistant.load(index_dir=core_index_dir)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium driven by Playwright; the tests skip when it is not installed."""
    if not CHROMIUM.exists():
        pytest.skip("needs /usr/bin/chromium (apt-get install -y chromium chromium-driver)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
