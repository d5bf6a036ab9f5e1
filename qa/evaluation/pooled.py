"""Several gold splits scored together ("pooled"): the measure a rule is kept or dropped by.

One split of 45 questions moves by a question or two with any change; the spent splits together
(hundreds of questions) show whether a rule helps more questions than it hurts. Each split is scored
by :func:`qa.evaluation.runner.run_gold` with one assistant loaded once.
"""

from __future__ import annotations

from qa.assistant import Assistant
from qa.evaluation.gold import gold_path
from qa.evaluation.runner import run_gold, split_name


def split_counts(results: dict) -> dict[str, float]:
    """Counts of one split's results: answerable questions, evidence in the top 5, summed answer evidence
    recall, false abstentions; unanswerable questions and those abstained on."""
    questions = results["questions"]
    answerable = [q for q in questions if q["answerable"]]
    unanswerable = [q for q in questions if not q["answerable"]]
    return {
        "answerable": len(answerable),
        "found_at_5": sum(q["found_at"] is not None and q["found_at"] <= 5 for q in answerable),
        "answer_recall_sum": sum(q["evidence_recall"] for q in answerable),
        "false_abstentions": sum(q["abstained"] for q in answerable),
        "unanswerable": len(unanswerable),
        "unanswerable_abstained": sum(q["abstained"] for q in unanswerable),
    }


def run_pooled(assistant: Assistant, splits: list[str]) -> dict:
    """Per-split counts and their totals (recall@5, mean answer evidence recall, abstention rates)."""
    per_split = {split_name(s): split_counts(run_gold(assistant, gold_path(s))) for s in splits}
    total = {k: sum(c[k] for c in per_split.values()) for k in next(iter(per_split.values()), {})}
    n, u = max(1, total.get("answerable", 0)), max(1, total.get("unanswerable", 0))
    figures = {"recall@5": total.get("found_at_5", 0) / n, "answer_evidence_recall": total.get("answer_recall_sum", 0) / n,
               "false_abstain": total.get("false_abstentions", 0) / n,
               "unanswerable_abstained": total.get("unanswerable_abstained", 0) / u}
    return {"splits": per_split, "total": total, "figures": figures}


def render_line(name: str, c: dict[str, float]) -> str:
    """One line of counts, as ``qa eval pooled`` prints it."""
    return (f"{name:<12} recall@5 {c['found_at_5']}/{c['answerable']}  answers {c['answer_recall_sum'] / max(1, c['answerable']):.3f}  "
            f"false abstentions {c['false_abstentions']}/{c['answerable']}  "
            f"unanswerable abstained {c['unanswerable_abstained']}/{c['unanswerable']}")
