"""Fixtures for the browser tests: a built index and a real ``qa serve`` process on a free port."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def ui_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds' index in a temp dir (a repo ``index/`` is reused as a vector cache)."""
    from qa.config import load_settings
    from qa.index.builder import build_index

    target = tmp_path_factory.mktemp("qa-ui") / "index"
    if (REPO / "index" / "manifest.json").exists():
        shutil.copytree(REPO / "index", target)
    seeds = REPO / "seeds"
    build_index(load_settings().with_overrides(index_dir=target, seeds_dir=seeds), sources=[seeds])
    return target


@pytest.fixture(scope="session")
def qa_server(ui_index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``qa serve`` in a subprocess (auth off); yields its base URL."""
    port = _free_port()
    env = {**os.environ, "QA_INDEX_DIR": str(ui_index_dir), "QA_API_KEYS": "", "QA_RATE_LIMIT_PER_MINUTE": "0"}
    env.pop("QA_API_KEY_FILE", None)
    log = (tmp_path_factory.mktemp("qa-ui-log") / "serve.log").open("w")
    qa = Path(sys.executable).with_name("qa")
    cmd = [str(qa)] if qa.exists() else [sys.executable, "-m", "qa.cli"]
    proc = subprocess.Popen(
        [*cmd, "serve", "--no-build", "--port", str(port)], env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"qa serve exited with {proc.returncode}; see {log.name}")
            try:
                if httpx.get(url + "/api/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"qa serve did not become ready; see {log.name}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def browser():
    """Headless system Chromium; the tests skip when it is not installed."""
    if not CHROMIUM.exists():
        pytest.skip("needs /usr/bin/chromium (apt-get install -y chromium chromium-driver)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"]
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=args)
        yield browser
        browser.close()
