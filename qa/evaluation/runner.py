"""Run the assistant over a gold split and score every question, per kind and overall.

Each question is asked as a user would (a follow-up with its history), then retrieved again with
every fusion method (plain BM25, plain dense, RRF, weighted) for the retrieval baselines. Retrieval
recall@10 needs ten passages while the answer shows ``top_k``: the scored passage list is the
answer's passages followed by the rest of the assistant's own ranking (see :func:`scoring_passages`).
"""

from __future__ import annotations

from pathlib import Path

from qa.answer.contract import Answer, Passage
from qa.assistant import Assistant
from qa.config import Settings
from qa.evaluation.common import method_rankings, run_meta, same_ranking, warm_up
from qa.evaluation.gold import GoldItem, load_gold
from qa.evaluation.metrics import (answer_evidence_recall, evidence_found_at, evidence_rank, grounded, passage_rank,
                                   question_score, retrieval_figures, summarise, summary_figures)
from qa.index.builder import ensure_index
from qa.retrieval.hybrid import METHODS
from qa.retrieval.retriever import retrieval_query

RETRIEVE_K = 10


def split_name(split: str) -> str:
    """A bare split name as given, else the stem of a gold file path."""
    return split if split in ("dev", "test") else Path(split).stem


def load_assistant(settings: Settings) -> Assistant:
    """The assistant over ``settings.index_dir``, built from the seeds first when missing."""
    ensure_index(settings)
    return Assistant.load(settings=settings)


def _key(p: Passage) -> tuple[str, int, int]:
    return p.doc_id, p.start, p.end


def scoring_passages(shown: list[Passage], ranking: list[Passage]) -> list[Passage]:
    """The answer's passages, then the assistant's further-ranked passages not among them."""
    seen = {_key(p) for p in shown}
    return list(shown) + [p for p in ranking if _key(p) not in seen][: max(0, RETRIEVE_K - len(shown))]


def _passage_rows(passages: list[Passage]) -> list[dict]:
    return [{"doc_id": p.doc_id, "start": p.start, "end": p.end, "score": p.score} for p in passages]


def _problems(item: GoldItem, answer: Answer, found_at: int | None, recall: float, ok: int, total: int) -> list[str]:
    problems = []
    if ok < total:
        problems.append(f"ungrounded: {total - ok} of {total} spans not verbatim")
    if not item.answerable:
        return problems + ([] if answer.abstained else ["answered an unanswerable question"])
    if found_at is None or found_at > 5:
        problems.append("retrieval: evidence not in the top 5 passages")
    if answer.abstained:
        problems.append("false abstention")
    elif recall == 0:
        problems.append("answer quotes none of the evidence")
    elif recall < 1:
        problems.append("answer quotes part of the evidence")
    return problems


def evaluate_item(assistant: Assistant, item: GoldItem) -> tuple[Answer, dict]:
    """Ask one gold question; the answer (with its scoring passages) and the question's record."""
    history = list(item.history)
    answer = assistant.ask(item.question, history=history)
    query = retrieval_query(item.question.strip(), assistant.context(item.question, history))
    retrieval, rankings = method_rankings(assistant, query, RETRIEVE_K)
    scored = answer.model_copy(update={"passages": scoring_passages(answer.passages, retrieval.passages)})
    found_at = evidence_found_at(item, scored.passages)
    recall = answer_evidence_recall(item, scored) if item.answerable else 0.0
    ok, total = grounded(answer, assistant.canonical_text)
    record = {
        "id": item.id, "kind": item.kind, "lang": item.lang, "question": item.question, "history": history,
        "answerable": item.answerable, "doc_id": item.doc_id, "expected_evidence": list(item.evidence),
        "answer": answer.answer, "abstained": answer.abstained, "reason": answer.reason,
        "sentences": [{"doc_id": s.doc_id, "start": s.start, "end": s.end, "text": s.text} for s in answer.sentences],
        "evidence_recall": recall, "score": question_score(item, answer),
        "rank": evidence_rank(item, scored) if item.answerable else None, "found_at": found_at,
        "grounded": [ok, total], "latency_ms": round(answer.timing_ms.total, 1),
        "passages": _passage_rows(scored.passages), "shown_passages": len(answer.passages),
        "retrieval": {m: {"found_at": evidence_found_at(item, ps), "rank": passage_rank(item, ps) if item.answerable else None}
                      for m, ps in rankings.items()},
        "ranking_consistent": same_ranking(rankings.get(assistant.retriever.fusion, []), retrieval.passages),
    }
    record["problems"] = _problems(item, answer, found_at, recall, ok, total)
    return scored, record


def _method_figures(records: list[dict]) -> dict[str, dict]:
    """Retrieval recall@k and MRR per fusion method, overall and per kind (answerable questions)."""
    answerable = [r for r in records if r["answerable"]]
    kinds = sorted({r["kind"] for r in answerable})

    def figures(method: str, rows: list[dict]) -> dict[str, float]:
        return retrieval_figures([r["retrieval"][method]["found_at"] for r in rows],
                                 [r["retrieval"][method]["rank"] for r in rows])

    return {m: {"overall": figures(m, answerable),
                "per_kind": {k: figures(m, [r for r in answerable if r["kind"] == k]) for k in kinds}}
            for m in METHODS}


def run_gold(assistant: Assistant, split: str | Path) -> dict:
    """Score every question of a gold split; the results behind ``gold-<split>.json``."""
    items = load_gold(Path(split))
    warm_up(assistant)
    pairs, records = [], []
    for item in items:
        scored, record = evaluate_item(assistant, item)
        pairs.append((item, scored))
        records.append(record)
    kinds = list(dict.fromkeys(i.kind for i in items))
    per_kind = {k: summary_figures(summarise([(i, a) for i, a in pairs if i.kind == k], assistant.canonical_text))
                for k in kinds}
    failures = [{"id": r["id"], "kind": r["kind"], "question": r["question"], "problems": r["problems"],
                 "abstained": r["abstained"], "answer": r["answer"], "reason": r["reason"]} for r in records if r["problems"]]
    return {
        "meta": {**run_meta(assistant), "split": split_name(str(split)), "gold_file": str(split),
                 "rankings_differing_from_retriever": sum(not r["ranking_consistent"] for r in records)},
        "overall": summary_figures(summarise(pairs, assistant.canonical_text)),
        "per_kind": per_kind,
        "retrieval_methods": _method_figures(records),
        "questions": records,
        "failures": failures,
    }


def compare(baseline: dict, results: dict) -> dict:
    """Overall deltas against a previous results JSON, and the questions that got better or worse."""
    before, after = baseline.get("overall", {}), results["overall"]
    deltas = {k: {"before": before[k], "after": v, "delta": v - before[k]}
              for k, v in after.items() if isinstance(before.get(k), (int, float))}
    old = {q["id"]: q for q in baseline.get("questions", [])}
    better, worse, retrieval_better, retrieval_worse = [], [], [], []
    for q in results["questions"]:
        prev = old.get(q["id"])
        if prev is None:
            continue
        row = {"id": q["id"], "kind": q["kind"], "question": q["question"], "before": prev.get("score"), "after": q["score"]}
        if q["score"] > prev.get("score", 0) + 1e-9:
            better.append(row)
        elif q["score"] < prev.get("score", 0) - 1e-9:
            worse.append(row)
        hit_before, hit_after = _top5(prev.get("found_at")), _top5(q["found_at"])
        if q["answerable"] and hit_before != hit_after:
            (retrieval_better if hit_after else retrieval_worse).append(
                {"id": q["id"], "question": q["question"], "before": prev.get("found_at"), "after": q["found_at"]})
    current = {q["id"] for q in results["questions"]}
    return {
        "baseline_measured_at": baseline.get("meta", {}).get("measured_at"),
        "overall": deltas, "better": better, "worse": worse,
        "retrieval_better": retrieval_better, "retrieval_worse": retrieval_worse,
        "only_in_baseline": sorted(set(old) - current), "only_now": sorted(current - set(old)),
    }


def _top5(found_at: int | None) -> bool:
    return found_at is not None and found_at <= 5
