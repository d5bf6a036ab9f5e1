"""Helpers of the reliability suite: ``qa`` subprocesses on loopback, grounding checks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.api.conftest import free_port

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"
SERVE_START_TIMEOUT = 180  # model load on a busy 2-core machine


def qa_command() -> list[str]:
    """The ``qa`` console script of this interpreter's venv (``python -m qa.cli`` if not installed)."""
    qa = Path(sys.executable).with_name("qa")
    return [str(qa)] if qa.exists() else [sys.executable, "-m", "qa.cli"]


def qa_env(index_dir: Path, **changes: str) -> dict[str, str]:
    """Environment of a ``qa`` subprocess: this one's (model, backend, threads...), with the index given,
    no keys and no rate limit unless ``changes`` say otherwise."""
    env = {k: v for k, v in os.environ.items() if k != "QA_API_KEY_FILE"}
    env.update({"QA_INDEX_DIR": str(index_dir), "QA_API_KEYS": "", "QA_RATE_LIMIT_PER_MINUTE": "0",
                "PYTHONUNBUFFERED": "1"})
    env.update(changes)
    return env


def stop(proc: subprocess.Popen, timeout: float = 15) -> None:
    """Terminate a process this suite started (by its own handle), then kill it if it lingers."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout)


@contextmanager
def qa_serve(index_dir: Path, log_path: Path, **env_changes: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """``qa serve --no-build`` on a free loopback port; yields (base URL, process) once it is healthy."""
    port = free_port()
    log = log_path.open("w")
    proc = subprocess.Popen(
        [*qa_command(), "serve", "--no-build", "--host", "127.0.0.1", "--port", str(port)],
        env=qa_env(index_dir, **env_changes), cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVE_START_TIMEOUT
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"qa serve exited with {proc.returncode}: {log_path.read_text()[-2000:]}")
            try:
                if httpx.get(url + "/api/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"qa serve not ready after {SERVE_START_TIMEOUT} s: {log_path.read_text()[-2000:]}")
            time.sleep(0.3)
        yield url, proc
    finally:
        stop(proc)
        log.close()


def assert_grounded(answer: dict, texts: dict[str, str]) -> None:
    """Every sentence, citation and passage is the canonical text at its offsets."""
    for item in answer["sentences"] + answer["citations"] + answer["passages"]:
        text = texts[item["doc_id"]]
        assert 0 <= item["start"] < item["end"] <= len(text), item
        assert text[item["start"] : item["end"]] == item["text"], item
    citation_ids = {c["id"] for c in answer["citations"]}
    assert {s["citation"] for s in answer["sentences"]} <= citation_ids
    if answer["abstained"]:
        assert answer["sentences"] == []
    else:
        assert answer["answer"] == "".join(f"{s['text']}[{s['citation']}]" for s in answer["sentences"])
