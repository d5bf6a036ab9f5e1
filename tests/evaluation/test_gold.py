"""The gold sets themselves: evidence verbatim in the canonical texts, ids unique, splits disjoint, coverage."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.documents.loader import load_folder
from qa.evaluation.gold import GOLD_DIR, load_gold

ROOT = Path(__file__).resolve().parents[2]
SPLITS = tuple(sorted(p.stem for p in GOLD_DIR.glob("*.jsonl")))


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    documents, _ = load_folder(ROOT / "seeds")
    return {d.doc_id: d.text for d in documents}


@pytest.fixture(scope="module")
def gold() -> dict[str, list]:
    return {s: load_gold(GOLD_DIR / f"{s}.jsonl") for s in SPLITS}


@pytest.mark.parametrize("split", SPLITS)
def test_every_evidence_string_is_verbatim_in_its_document(split: str, gold: dict, texts: dict) -> None:
    missing = []
    for item in gold[split]:
        if not item.answerable:
            continue
        assert item.doc_id in texts, f"{item.id}: unknown doc_id {item.doc_id!r}"
        assert item.evidence, f"{item.id}: an answerable item needs evidence"
        missing += [f"{item.id}: {e!r}" for e in item.evidence if e not in texts[item.doc_id]]
    assert not missing, "evidence not verbatim in the canonical text:\n" + "\n".join(missing)


@pytest.mark.parametrize("split", SPLITS)
def test_unanswerable_items_carry_no_evidence(split: str, gold: dict) -> None:
    for item in gold[split]:
        if not item.answerable:
            assert not item.evidence and item.doc_id is None, item.id


def test_ids_are_unique_across_splits(gold: dict) -> None:
    ids = [item.id for items in gold.values() for item in items]
    assert len(ids) == len(set(ids))


def test_splits_share_no_question(gold: dict) -> None:
    def norm(q: str) -> str:
        return "".join(q.split())

    questions = {split: {norm(i.question) for i in items} for split, items in gold.items()}
    for a in SPLITS:
        for b in SPLITS:
            assert a == b or not questions[a] & questions[b], (a, b)


def test_followups_have_history(gold: dict) -> None:
    for items in gold.values():
        for item in items:
            if item.kind == "followup":
                assert item.history and all(h.strip() for h in item.history), item.id


def test_size_and_unanswerable_coverage(gold: dict) -> None:
    items = [i for items in gold.values() for i in items]
    unanswerable = [i for i in items if not i.answerable]
    assert len(items) >= 100
    assert len(unanswerable) >= 20
    assert sum(i.kind == "near-miss" for i in unanswerable) >= 10
