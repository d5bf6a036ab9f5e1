"""Rebuilding the same library gives the same index: identical texts, offsets and metadata, vectors equal
within 1e-6 — whether encoded afresh or reused from the previous index."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from qa.config import load_settings
from qa.index import layout
from qa.index.builder import build_index
from tests.reliability.helpers import SEEDS

pytestmark = pytest.mark.slow

TEXT_FILES = (layout.CHUNKS, layout.SENTENCES, layout.DOCUMENTS, layout.SKIPPED)
TOLERANCE = 1e-6


@pytest.fixture(scope="module")
def small_library(tmp_path_factory) -> Path:
    """The first paragraphs of each seed (same catalogue): small enough to encode from scratch twice."""
    folder = tmp_path_factory.mktemp("small-library")
    shutil.copy(SEEDS / "catalog.toml", folder / "catalog.toml")
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        (folder / path.name).write_text(text[: text.find("\n", 900) + 1 or 900], encoding="utf-8")
    return folder


def _build(index: Path, library: Path, encoder, force: bool = False) -> Path:
    build_index(load_settings().with_overrides(index_dir=index), [library], force=force, encoder=encoder)
    return index


def _vectors_by_key(index: Path) -> dict[str, np.ndarray]:
    out = {}
    for texts, vectors in ((layout.CHUNKS, layout.CHUNK_VECTORS), (layout.SENTENCES, layout.SENTENCE_VECTORS)):
        with open(index / texts, encoding="utf-8") as f:
            keys = [json.loads(line)["key"] for line in f]
        out.update(zip(keys, np.load(index / vectors)))
    return out


def _documents(index: Path) -> list[dict]:
    """documents.json without ``source``, which records the library folder as it was named (relative or not)."""
    return [{k: v for k, v in d.items() if k != "source"} for d in json.loads((index / layout.DOCUMENTS).read_text())]


def _assert_same_index(a: Path, b: Path, same_folder_name: bool = True) -> None:
    for name in TEXT_FILES:
        if name == layout.DOCUMENTS and not same_folder_name:
            assert _documents(a) == _documents(b)
            continue
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    for name in (layout.CHUNK_VECTORS, layout.SENTENCE_VECTORS):
        va, vb = np.load(a / name), np.load(b / name)
        assert va.shape == vb.shape and va.dtype == vb.dtype == np.float32
        assert float(np.abs(va - vb).max(initial=0.0)) <= TOLERANCE, name
    ma, mb = (json.loads((d / layout.MANIFEST).read_text()) for d in (a, b))
    for field in ("corpus_hash", "documents", "chunks", "sentences", "model_fingerprint", "dimension"):
        assert ma[field] == mb[field], field


def test_two_fresh_builds_are_identical(small_library, core_assistant, tmp_path) -> None:
    first = _build(tmp_path / "first", small_library, core_assistant.encoder)
    second = _build(tmp_path / "second", small_library, core_assistant.encoder)
    _assert_same_index(first, second)
    assert json.loads((first / layout.MANIFEST).read_text())["documents"] == 3


def test_reused_vectors_equal_fresh_ones(small_library, core_index_dir, core_assistant, tmp_path) -> None:
    """Sentences shared by the small library and the seeds: encoded afresh in one, in other batches in the
    other — the same vectors either way, so an incremental build equals a full one."""
    fresh = _vectors_by_key(_build(tmp_path / "fresh", small_library, core_assistant.encoder))
    full = _vectors_by_key(core_index_dir)
    shared = sorted(set(fresh) & set(full))
    assert len(shared) >= 20
    worst = max(float(np.abs(fresh[k] - full[k]).max()) for k in shared)
    assert worst <= TOLERANCE, worst


def test_forced_rebuild_of_the_seeds_equals_the_index(core_index_dir, core_assistant, tmp_path) -> None:
    index = shutil.copytree(core_index_dir, tmp_path / "index")
    _build(index, SEEDS, core_assistant.encoder, force=True)
    _assert_same_index(core_index_dir, index, same_folder_name=False)
