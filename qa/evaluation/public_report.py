"""Markdown report of a public-benchmark run (see :mod:`qa.evaluation.public`)."""

from __future__ import annotations

from qa.answer.rerank import RERANK_POOL
from qa.evaluation.markdown import clip, ms, num, pct, table

METHOD_LABELS = {
    "lexical": "plain BM25 (bm25s + jieba)",
    "dense": "plain dense (FAISS, e5)",
    "rrf": "hybrid, reciprocal-rank fusion + named document first + section merging",
    "weighted": "hybrid, weighted score sum + named document first + section merging",
}
# Appended to the assistant's own method: the headline recall of a report is of the passages its answer shows.
ASSISTANT_MARK = f" ← the assistant's retriever (its answer step then reranks the top {RERANK_POOL})"


def _answer_cell(record: dict) -> str:
    docs = ", ".join(dict.fromkeys(span[0] for span in record.get("answer_spans") or []))
    return f"{record['answer_chars']} chars" + (f" from {docs}" if docs else "")


def render_public(results: dict) -> str:
    """The report: setup, retrieval per method, answer figures, a few misses."""
    meta, summary = results["meta"], results["summary"]
    name = meta["benchmark"]
    sample = "all questions" if meta["limit"] is None else f"a random sample of {summary['questions']} (seed {meta['seed']})"
    out = [
        f"# Public benchmark: {name} dev\n",
        f"Measured {meta['measured_at']} on {meta['machine']}. Library: all {meta['passages']} passages of the split "
        f"as documents ({meta['chunks']} chunks of ≤ {meta['chunk_size']} characters, model {meta['model']}, "
        f"{meta.get('encoder_backend', 'torch')}); "
        f"questions: {sample} of {meta['questions_total']}. The assistant's fusion is **{meta['fusion']}**, "
        f"abstention threshold {meta['abstain_threshold']}. Gold passages missing from the index: "
        f"{meta['gold_passage_not_indexed']}. Index ready in {meta['index_ready_s']} s (cached in eval/.cache/).\n",
        "## Retrieval of the gold passage\n",
        "Recall@k: share of questions whose passage is among the first k distinct documents returned. All methods "
        "rank the same candidates (the 50 best chunks by dense and by BM25 score of one retrieval); questions whose "
        f"fused ranking differed from the assistant's own retriever output: {meta['rankings_differing_from_retriever']}.\n",
    ]
    rows = []
    for method, figures in summary["retrieval"].items():
        label = METHOD_LABELS.get(method, method) + (ASSISTANT_MARK if method == meta["fusion"] else "")
        rows.append([label, pct(figures["recall@1"]), pct(figures["recall@5"]), pct(figures["recall@10"]),
                     num(figures["mrr@10"])])
    out.append(table(["method", "R@1", "R@5", "R@10", "MRR@10"], rows))
    out += [
        "\n## Answers\n",
        "The assistant quotes whole sentences; an answer counts when its quoted text contains a reference answer "
        "(any of the references). *Normalised* compares after OpenCC t2s and without whitespace; *raw* compares "
        "the strings as they are; *from the gold passage* counts only sentences quoted from the question's own passage.\n",
        table(["figure", "value"], [
            ["answers containing a reference (normalised)", pct(summary["answer_contains_reference"])],
            ["answers containing a reference (raw)", pct(summary["answer_contains_reference_raw"])],
            ["… quoted from the gold passage (normalised)", pct(summary["answer_contains_reference_from_gold"])],
            ["answered questions containing a reference", pct(summary["answered_contains_reference"])],
            ["abstention rate (every question is answerable)", pct(summary["abstention_rate"])],
            ["answer length, median characters (answered)", f"{summary.get('answer_chars_median', 0):.0f}"],
            ["latency p50 / p95 (ask, after one warm-up)",
             f"{ms(summary['latency_p50_ms'])} / {ms(summary['latency_p95_ms'])}"],
        ]),
    ]
    misses = [r for r in results["questions"] if not r["contains"]][:15]
    if misses:
        out += ["\n## First misses\n",
                "Ids only: the benchmark's text stays in ../shared/data (look a question up by its id).\n",
                table(["id", "gold passage", "its rank (assistant)", "answer", "reason"],
                      [[r["id"], r["context_id"], r["rank"].get(meta["fusion"]) or "—",
                        "abstained" if r["abstained"] else _answer_cell(r), clip(r["reason"], 70)]
                       for r in misses])]
    return "\n".join(out)
