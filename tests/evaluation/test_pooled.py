"""Pooled scoring of several gold splits: counts per split and their totals."""

from __future__ import annotations

from qa.evaluation.gold import GOLD_DIR, gold_path
from qa.evaluation.pooled import render_line, split_counts


def _q(answerable: bool, abstained: bool, found_at: int | None = None, recall: float = 0.0) -> dict:
    return {"answerable": answerable, "abstained": abstained, "found_at": found_at, "evidence_recall": recall}


def test_split_counts_add_up_answers_and_abstentions() -> None:
    results = {"questions": [_q(True, False, 1, 1.0), _q(True, False, 7, 0.5), _q(True, True, 2),
                             _q(False, True), _q(False, False)]}
    counts = split_counts(results)
    assert counts == {"answerable": 3, "found_at_5": 2, "answer_recall_sum": 1.5, "false_abstentions": 1,
                      "unanswerable": 2, "unanswerable_abstained": 1}
    assert "recall@5 2/3" in render_line("dev", counts) and "answers 0.500" in render_line("dev", counts)


def test_splits_are_named_or_given_by_path(tmp_path) -> None:
    assert gold_path("dev") == GOLD_DIR / "dev.jsonl" and gold_path("dev").exists()
    assert gold_path(str(tmp_path / "mine.jsonl")) == tmp_path / "mine.jsonl"
