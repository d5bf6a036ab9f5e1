"""Index faults: a build killed with SIGKILL leaves the previous index serving; a damaged index, or one
built with another model, is refused at load with a message saying how to rebuild — and ``qa serve``
exits instead of serving wrong citations."""

from __future__ import annotations

import json
import queue
import re
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from qa.config import load_settings
from qa.index import layout
from qa.index.builder import build_index
from qa.index.store import REBUILD_HINT, IndexError, load_store
from tests.api.conftest import free_port
from tests.reliability.helpers import REPO, SEEDS, assert_grounded, qa_command, qa_env, qa_serve, stop

pytestmark = pytest.mark.slow

PROVINCES = ["河北", "山西", "辽宁", "吉林", "江苏", "浙江", "安徽", "福建", "江西", "山东", "河南", "湖北"]
TOPICS = ["数字基础设施", "跨省生态补偿", "产业园区共建", "公共服务共享", "人才互认互通"]
BUILD_TIMEOUT = 300  # seconds for a `qa build` subprocess on a busy 2-core machine


def _new_document(folder: Path) -> Path:
    """A document of 60 sentences the previous index has never seen (so the build must encode it)."""
    folder.mkdir()
    sentences = [f"第{i + 1}条：{p}要推进{t}建设，形成区域协调发展新格局。"
                 for i, (p, t) in enumerate((p, t) for p in PROVINCES for t in TOPICS)]
    path = folder / "kill-test.txt"
    path.write_text("\n".join("".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4)), encoding="utf-8")
    return path


class BuildProcess:
    """``qa build`` in a subprocess whose stderr lines (split on \\n and \\r) are read by a thread."""

    def __init__(self, index: Path, sources: list[Path]) -> None:
        self.proc = subprocess.Popen(
            [*qa_command(), "build", "--index", str(index), *map(str, sources)],
            env=qa_env(index), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for raw in iter(lambda: self.proc.stderr.readline(), b""):
            for part in re.split(rb"[\r\n]+", raw):
                if part.strip():
                    self.lines.put(part.decode("utf-8", "replace"))

    def wait_for(self, pattern: str, deadline: float) -> str:
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.proc.poll() is not None and self.lines.empty():
                    break
                continue
            self.seen.append(line)
            if re.search(pattern, line):
                return line
        raise AssertionError(f"`qa build` never printed {pattern!r}; it printed: {self.seen[-15:]}")

    def sigkill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        assert self.proc.wait(timeout=30) == -signal.SIGKILL


def _tmp_builds(index: Path) -> list[Path]:
    return sorted(index.parent.glob(f".{index.name}.tmp-*"))


def test_sigkill_mid_build_keeps_the_previous_index_serving(core_index_dir, core_assistant, tmp_path, capsys):
    index = shutil.copytree(core_index_dir, tmp_path / "index")
    before = json.loads((index / layout.MANIFEST).read_text())
    extra = _new_document(tmp_path / "extra").parent

    # 1. killed while encoding the new document
    build = BuildProcess(index, [SEEDS, extra])
    try:
        build.wait_for(r"chunks: \d+ texts, \d+ from cache, [1-9]\d* to encode", time.monotonic() + BUILD_TIMEOUT)
        build.sigkill()
    finally:
        stop(build.proc)
    assert json.loads((index / layout.MANIFEST).read_text()) == before
    assert len(load_store(index).documents) == 3

    # 2. killed while writing the new index into its temporary folder
    build = BuildProcess(index, [SEEDS, extra])
    try:
        build.wait_for(r"sentences: \d+ texts", time.monotonic() + BUILD_TIMEOUT)
        deadline = time.monotonic() + BUILD_TIMEOUT
        while not _tmp_builds(index) and build.proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        assert build.proc.poll() is None, "the build finished before it could be killed while writing"
        build.sigkill()
    finally:
        stop(build.proc)
    assert _tmp_builds(index), "expected the killed build's temporary folder"
    assert json.loads((index / layout.MANIFEST).read_text()) == before

    # the previous index still loads, and a real `qa serve` answers from it
    store = load_store(index, core_assistant.encoder.fingerprint)
    texts = {d.doc_id: d.text for d in store.documents}
    assert set(texts) == {d.doc_id for d in core_assistant.store.documents}
    with qa_serve(index, tmp_path / "serve.log") as (url, _):
        assert httpx.get(url + "/api/health", timeout=30).json()["documents"] == 3
        answer = httpx.post(url + "/api/ask", json={"question": "推动区域间联动融合发展面临哪些难点？"}, timeout=120)
        assert answer.status_code == 200
        assert not answer.json()["abstained"]
        assert_grounded(answer.json(), texts)

    # the next build completes, indexes the new document and clears the killed build's leftovers
    capsys.readouterr()
    build_index(load_settings().with_overrides(index_dir=index), [SEEDS, extra], encoder=core_assistant.encoder)
    assert "left by an interrupted build" in capsys.readouterr().err
    assert not _tmp_builds(index)
    assert "kill-test" in {d.doc_id for d in load_store(index).documents}


def test_crash_between_the_two_renames_is_recovered_with_its_library(core_index_dir, core_assistant, tmp_path):
    """Killed after moving the old index aside but before moving the new one in: the next load or build
    puts the previous index back, and a plain `qa build` still knows all its library folders."""
    index = shutil.copytree(core_index_dir, tmp_path / "index")
    extra = _new_document(tmp_path / "extra").parent
    settings = load_settings().with_overrides(index_dir=index)
    build_index(settings, [SEEDS, extra], encoder=core_assistant.encoder)
    index.rename(tmp_path / "index.prev")
    assert not index.exists()
    build_index(settings, None, force=True, encoder=core_assistant.encoder)  # sources: those recorded
    assert "kill-test" in {d.doc_id for d in load_store(index).documents}
    assert not (tmp_path / "index.prev").exists()

    index.rename(tmp_path / "index.prev")
    assert len(load_store(index).documents) == 4  # loading recovers too


# -- damaged indexes -----------------------------------------------------------------------------

def _flip(path: Path, at: float = 0.5) -> None:
    data = bytearray(path.read_bytes())
    pos = min(len(data) - 1, int(len(data) * at))
    data[pos] ^= 0xFF
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _edit_manifest(index: Path, change) -> None:
    manifest = json.loads((index / layout.MANIFEST).read_text())
    change(manifest)
    (index / layout.MANIFEST).write_text(json.dumps(manifest))


FAULTS = {
    "corrupted vectors": (lambda ix: _flip(ix / layout.CHUNK_VECTORS), "corrupted"),
    "truncated FAISS index": (lambda ix: _truncate(ix / layout.DENSE), "corrupted"),
    "another model": (lambda ix: _edit_manifest(ix, lambda m: m.update(model_fingerprint="0123456789abcdef",
                                                                        model="BAAI/bge-small-zh-v1.5")),
                      "built with model 'BAAI/bge-small-zh-v1.5'"),
    "checksums removed": (lambda ix: _edit_manifest(ix, lambda m: m.update(files={})), "no checksum for"),
    "truncated manifest": (lambda ix: _truncate(ix / layout.MANIFEST), "manifest.json missing or unreadable"),
    "missing file": (lambda ix: (ix / layout.SENTENCES).unlink(), "is missing"),
}


@pytest.mark.parametrize("fault", FAULTS)
def test_damaged_index_is_refused_at_load(core_index_dir, core_assistant, tmp_path, fault: str) -> None:
    index = shutil.copytree(core_index_dir, tmp_path / "index")
    damage, message = FAULTS[fault]
    damage(index)
    with pytest.raises(IndexError) as refused:
        load_store(index, core_assistant.encoder.fingerprint)
    assert message in str(refused.value) and REBUILD_HINT in str(refused.value)


def test_every_index_file_is_covered_by_a_checksum(core_index_dir, tmp_path) -> None:
    manifest = json.loads((core_index_dir / layout.MANIFEST).read_text())
    on_disk = {p.relative_to(core_index_dir).as_posix() for p in core_index_dir.rglob("*")
               if p.is_file() and p.name != layout.MANIFEST}
    assert set(manifest["files"]) == on_disk
    for name in sorted(on_disk):
        index = shutil.copytree(core_index_dir, tmp_path / name.replace("/", "_"))
        _flip(index / name, at=0.9)
        with pytest.raises(IndexError, match="corrupted"):
            load_store(index)
        shutil.rmtree(index)


def test_qa_serve_refuses_to_start_on_a_bad_index(core_index_dir, tmp_path) -> None:
    """Each fault in its own `qa serve`, run side by side: exit status 2, a message naming the problem
    and `qa build`, and nothing ever listening. One runs without --no-build: a damaged index is not
    silently rebuilt or served either."""
    runs: dict[str, tuple[Path, dict[str, str], list[str], str]] = {}
    for fault, flags in (("corrupted vectors", []), ("truncated FAISS index", ["--no-build"]),
                         ("another model", ["--no-build"])):
        index = shutil.copytree(core_index_dir, tmp_path / fault.replace(" ", "-") / "index")
        FAULTS[fault][0](index)
        runs[fault] = (index, {}, flags, FAULTS[fault][1])
    runs["configured with other prompts"] = (core_index_dir, {"QA_PASSAGE_PROMPT": "passage text: "}, ["--no-build"],
                                             "built with model")
    runs["no index at all"] = (tmp_path / "nothing" / "index", {}, ["--no-build"], "no index in")
    procs = {}
    try:
        for fault, (index, env, flags, _) in runs.items():
            cmd = [*qa_command(), "serve", *flags, "--host", "127.0.0.1", "--port", str(free_port())]
            procs[fault] = subprocess.Popen(cmd, env=qa_env(index, **env), cwd=REPO, stdout=subprocess.PIPE,
                                            stderr=subprocess.STDOUT)
        for fault, proc in procs.items():
            out, _ = proc.communicate(timeout=BUILD_TIMEOUT)
            text = out.decode("utf-8", "replace")
            index, _, _, expected = runs[fault]
            assert proc.returncode == 2, (fault, text[-1500:])
            assert f"qa serve: cannot load the index in {index}" in text, (fault, text[-1500:])
            assert expected in text and "qa build" in text, (fault, text[-1500:])
            assert "Uvicorn running" not in text and "ready in" not in text
    finally:
        for proc in procs.values():
            stop(proc)
