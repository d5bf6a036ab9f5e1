"""Per-question scores of an answer against gold evidence, and their aggregation."""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

from qa.answer.contract import Answer, Passage
from qa.evaluation.gold import GoldItem

_WHITESPACE = re.compile(r"\s+")


def _contains(texts: list[str], evidence: str) -> bool:
    return any(evidence in t for t in texts)


def evidence_rank(item: GoldItem, answer: Answer) -> int | None:
    """1-based rank of the first passage holding all of the item's evidence (None if none does)."""
    for rank, p in enumerate(answer.passages, 1):
        if p.doc_id == item.doc_id and all(e in p.text for e in item.evidence):
            return rank
    return None


def evidence_found_in_passages(item: GoldItem, answer: Answer, k: int) -> bool:
    """Every evidence string occurs in some passage of the top ``k`` (a list may span passages)."""
    texts = [p.text for p in answer.passages[:k] if p.doc_id == item.doc_id]
    return all(_contains(texts, e) for e in item.evidence)


def answer_evidence_recall(item: GoldItem, answer: Answer) -> float:
    """Share of the evidence strings found in the quoted sentences (joined per document).

    Compared without whitespace: evidence spanning two quoted sentences holds the space or line break
    between them (「…[J]. 经济学家, 2023(9)」), which no sentence quotes.
    """
    if not item.evidence:
        return 0.0
    sentences = [_WHITESPACE.sub("", s.text) for s in answer.sentences if s.doc_id == item.doc_id]
    quoted = sentences + ["".join(sentences)]
    return sum(_contains(quoted, _WHITESPACE.sub("", e)) for e in item.evidence) / len(item.evidence)


def grounded(answer: Answer, canonical_text) -> tuple[int, int]:
    """(verbatim sentences and citations, all sentences and citations) against the canonical texts."""
    spans = [(s.doc_id, s.start, s.end, s.text) for s in answer.sentences]
    spans += [(c.doc_id, c.start, c.end, c.text) for c in answer.citations]
    ok = sum(canonical_text(d)[a:b] == t for d, a, b, t in spans)
    return ok, len(spans)


@dataclass
class Summary:
    """Aggregate scores over a set of questions."""

    n: int
    answerable: int
    recall_at: dict[int, float]
    mrr: float
    answer_all: float
    answer_some: float
    answer_recall: float
    false_abstain: float
    abstain_precision: float
    abstain_recall: float
    abstain_f1: float
    groundedness: float
    answer_chars_median: float
    latency_p50: float
    latency_p95: float


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def summarise(pairs: list[tuple[GoldItem, Answer]], canonical_text) -> Summary:
    """Scores of (gold item, answer) pairs; ``canonical_text(doc_id)`` checks groundedness."""
    ans = [(i, a) for i, a in pairs if i.answerable]
    una = [(i, a) for i, a in pairs if not i.answerable]
    ranks = [evidence_rank(i, a) for i, a in ans]
    recall_at = {k: sum(evidence_found_in_passages(i, a, k) for i, a in ans) / max(1, len(ans)) for k in (1, 3, 5, 10)}
    recalls = [answer_evidence_recall(i, a) for i, a in ans]
    abstained_una = sum(a.abstained for _, a in una)
    abstained_ans = sum(a.abstained for _, a in ans)
    precision = abstained_una / max(1, abstained_una + abstained_ans)
    recall = abstained_una / max(1, len(una))
    ok = total = 0
    for _, a in pairs:
        g, t = grounded(a, canonical_text)
        ok, total = ok + g, total + t
    lengths = [len("".join(s.text for s in a.sentences)) for _, a in ans if not a.abstained]
    latencies = [a.timing_ms.total for _, a in pairs]
    return Summary(
        n=len(pairs), answerable=len(ans), recall_at=recall_at,
        mrr=sum(1 / r for r in ranks if r) / max(1, len(ans)),
        answer_all=sum(r == 1.0 for r in recalls) / max(1, len(ans)),
        answer_some=sum(r > 0 for r in recalls) / max(1, len(ans)),
        answer_recall=sum(recalls) / max(1, len(ans)),
        false_abstain=abstained_ans / max(1, len(ans)),
        abstain_precision=precision, abstain_recall=recall,
        abstain_f1=2 * precision * recall / max(1e-9, precision + recall),
        groundedness=ok / total if total else 1.0,
        answer_chars_median=statistics.median(lengths) if lengths else 0.0,
        latency_p50=percentile(latencies, 50), latency_p95=percentile(latencies, 95),
    )


def passages_hold_evidence(item: GoldItem, passages: list[Passage], k: int) -> bool:
    """Every evidence string occurs in some passage of ``item.doc_id`` among the first ``k``."""
    texts = [p.text for p in passages[:k] if p.doc_id == item.doc_id]
    return all(_contains(texts, e) for e in item.evidence)


def evidence_found_at(item: GoldItem, passages: list[Passage]) -> int | None:
    """Smallest k whose top-k passages hold all the evidence (so recall@k = share with found_at ≤ k)."""
    if not item.answerable or not item.evidence:
        return None
    return next((k for k in range(1, len(passages) + 1) if passages_hold_evidence(item, passages, k)), None)


def passage_rank(item: GoldItem, passages: list[Passage]) -> int | None:
    """Like :func:`evidence_rank` for a bare passage list: first single passage holding all the evidence."""
    for rank, p in enumerate(passages, 1):
        if p.doc_id == item.doc_id and all(e in p.text for e in item.evidence):
            return rank
    return None


def retrieval_figures(found_at: list[int | None], ranks: list[int | None],
                      ks: tuple[int, ...] = (1, 3, 5, 10)) -> dict[str, float]:
    """Recall@k from :func:`evidence_found_at` values and MRR from :func:`passage_rank` values
    (the definitions :func:`summarise` uses), over answerable questions."""
    n = max(1, len(found_at))
    figures = {f"recall@{k}": sum(1 for f in found_at if f is not None and f <= k) / n for k in ks}
    figures["mrr"] = sum(1 / r for r in ranks if r) / max(1, len(ranks))
    return figures


def question_score(item: GoldItem, answer: Answer) -> float:
    """One number per question for before/after comparisons: answer evidence recall, or 1 for a right abstention."""
    if item.answerable:
        return 0.0 if answer.abstained else answer_evidence_recall(item, answer)
    return 1.0 if answer.abstained else 0.0


def summary_figures(summary: Summary) -> dict[str, float]:
    """A :class:`Summary` as flat, JSON-ready figures (``recall@5``, ``abstain_f1``, ...)."""
    return {
        "n": summary.n, "answerable": summary.answerable,
        **{f"recall@{k}": v for k, v in summary.recall_at.items()},
        "mrr": summary.mrr,
        "answer_all_evidence": summary.answer_all, "answer_some_evidence": summary.answer_some,
        "answer_evidence_recall": summary.answer_recall, "answer_chars_median": summary.answer_chars_median,
        "groundedness": summary.groundedness,
        "abstain_precision": summary.abstain_precision, "abstain_recall": summary.abstain_recall,
        "abstain_f1": summary.abstain_f1, "false_abstain": summary.false_abstain,
        "latency_p50_ms": summary.latency_p50, "latency_p95_ms": summary.latency_p95,
    }
