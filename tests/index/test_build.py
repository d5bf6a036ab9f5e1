"""Index build: manifest, unchanged rebuild, failed builds keep the old index, faults detected at load."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from qa.config import load_settings
from qa.index import layout
from qa.index.builder import build_index, swap_in
from qa.index.store import IndexError, load_store
from tests.conftest import SEEDS

pytestmark = pytest.mark.slow


def _copy(src: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "index"
    shutil.copytree(src, dst)
    return dst


def test_manifest_records_what_built_it(core_index_dir):
    m = layout.read_manifest(core_index_dir)
    assert m["documents"] == 3 and m["chunks"] > 50 and m["dimension"] == 384
    assert m["model"] and m["corpus_hash"] and m["created_at"] and "faiss-cpu" in m["libraries"]
    assert set(m["files"]) >= {layout.CHUNKS, layout.DENSE, layout.DOCUMENTS}


def test_unchanged_rebuild_is_a_no_op(core_index_dir, capsys):
    settings = load_settings().with_overrides(index_dir=core_index_dir)
    before = layout.read_manifest(core_index_dir)["created_at"]
    t0 = time.perf_counter()
    build_index(settings, [SEEDS])
    assert time.perf_counter() - t0 < 30
    assert "up to date" in capsys.readouterr().err
    assert layout.read_manifest(core_index_dir)["created_at"] == before


def test_corrupted_file_is_detected(core_index_dir, tmp_path):
    index = _copy(core_index_dir, tmp_path)
    with open(index / layout.CHUNK_VECTORS, "r+b") as f:
        f.seek(200)
        f.write(b"\xff\xff\xff\xff")
    with pytest.raises(IndexError, match="corrupted.*qa build"):
        load_store(index)


def test_truncated_file_is_detected(core_index_dir, tmp_path):
    index = _copy(core_index_dir, tmp_path)
    data = (index / layout.DENSE).read_bytes()
    (index / layout.DENSE).write_bytes(data[: len(data) // 2])
    with pytest.raises(IndexError, match="corrupted"):
        load_store(index)


def test_other_model_is_detected(core_index_dir, tmp_path):
    index = _copy(core_index_dir, tmp_path)
    with pytest.raises(IndexError, match="built with model"):
        load_store(index, model_fingerprint="another-model")


def test_failed_build_keeps_the_previous_index(core_index_dir, tmp_path):
    index = _copy(core_index_dir, tmp_path)
    empty = tmp_path / "empty-library"
    empty.mkdir()
    settings = load_settings().with_overrides(index_dir=index)
    with pytest.raises(ValueError, match="no usable documents"):
        build_index(settings, [empty])
    assert load_store(index).manifest["documents"] == 3


def test_swap_keeps_old_index_until_the_new_one_is_in_place(tmp_path):
    old, new = tmp_path / "index", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    (old / "manifest.json").write_text(json.dumps({"v": 1}))
    (new / "manifest.json").write_text(json.dumps({"v": 2}))
    swap_in(new, old)
    assert json.loads((old / "manifest.json").read_text()) == {"v": 2}
    assert not (tmp_path / "index.prev").exists()


def test_library_grows_and_reuses_cached_vectors(core_index_dir, tmp_path, capsys):
    index = _copy(core_index_dir, tmp_path)
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "note.txt").write_text("新增文件：东北全面振兴需要加快传统优势产业转型升级。", encoding="utf-8")
    (extra / "bad.txt").write_bytes(b"\x00\x00binary")
    settings = load_settings().with_overrides(index_dir=index)
    build_index(settings, [SEEDS, extra])
    err = capsys.readouterr().err
    assert "skipped" in err and "bad.txt" in err
    assert "to encode" in err and "from cache" in err
    store = load_store(index)
    assert {d.doc_id for d in store.documents} >= {"note", "liandong-ronghe"}


def test_a_second_build_waits_for_the_first(core_index_dir, tmp_path, capsys):
    import threading

    from filelock import FileLock

    index_dir = _copy(core_index_dir, tmp_path)
    settings = load_settings().with_overrides(index_dir=index_dir)
    held = FileLock(index_dir.with_name(".index.lock"))
    held.acquire()
    worker = threading.Thread(target=build_index, args=(settings, [SEEDS]))
    worker.start()
    worker.join(timeout=3)
    assert worker.is_alive(), "the build should wait for the lock"
    held.release()
    worker.join(timeout=60)
    assert not worker.is_alive()
    err = capsys.readouterr().err
    assert "another build" in err and "up to date" in err
