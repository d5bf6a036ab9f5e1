"""Retriever and fusion: behaviour on the seeds index with the real model."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from qa.evaluation.gold import load_gold
from qa.retrieval.hybrid import fuse, rrf, weighted
from qa.retrieval.retriever import is_english, is_latin, language_balanced, retrieval_query

GOLD = Path(__file__).resolve().parents[2] / "eval" / "gold"


def test_rrf_rewards_agreement() -> None:
    fused = rrf({1: 0.9, 2: 0.8}, {2: 5.0, 3: 4.0})
    assert max(fused, key=fused.get) == 2


def test_weighted_normalises_each_list() -> None:
    scores = weighted({1: 0.9, 2: 0.5}, {2: 10.0, 3: 0.0}, dense_weight=0.5)
    assert scores[2] == pytest.approx(0.5) and scores[1] == pytest.approx(0.5) and scores[3] == 0.0


def test_fuse_rejects_unknown_method() -> None:
    with pytest.raises(ValueError, match="unknown fusion"):
        fuse({}, {}, "borda")


def test_language_balance_and_followups() -> None:
    assert is_latin("What are the difficulties?") and not is_latin("有哪些难点？")
    assert is_english("What are the difficulties?") and not is_english("Stam1na成立于哪年？")
    balanced = language_balanced({0: 0.9, 1: 0.7}, latin=np.array([True, False]))
    assert balanced[0] < balanced[1]
    assert retrieval_query("为什么？", ["区域协调发展有哪些难点？"]) == "区域协调发展有哪些难点？ 为什么？"


@pytest.mark.slow
def test_large_library_sentence_index(core_index_dir, tmp_path, monkeypatch) -> None:
    """Past SENTENCE_HNSW_FROM sentences the build adds an HNSW sentence index, which the retriever
    uses instead of scoring every sentence, with the same passages."""
    from qa.assistant import Assistant
    from qa.config import load_settings
    from qa.index import builder, layout
    from tests.conftest import SEEDS

    brute = Assistant.load(index_dir=core_index_dir)
    index_dir = tmp_path / "index"
    shutil.copytree(core_index_dir, index_dir)
    monkeypatch.setattr(builder, "SENTENCE_HNSW_FROM", 10)
    builder.build_index(load_settings().with_overrides(index_dir=index_dir), [SEEDS], force=True)
    assert (index_dir / layout.SENTENCE_DENSE).exists()
    indexed = Assistant.load(index_dir=index_dir)
    assert indexed.store.sentence_index is not None and brute.store.sentence_index is None
    questions = [item.question for item in load_gold(GOLD / "dev.jsonl") if not item.history]
    same = sum(brute.retriever.run(q, 5).chunk_ids == indexed.retriever.run(q, 5).chunk_ids for q in questions)
    assert same / len(questions) >= 0.95
