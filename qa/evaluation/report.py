"""Markdown report of a gold run (see :func:`qa.evaluation.runner.run_gold`)."""

from __future__ import annotations

from qa.evaluation.markdown import clip, ms, num, pct, signed, table
from qa.evaluation.public_report import ASSISTANT_MARK, METHOD_LABELS

# (key in ``overall``, label, is a share)
OVERALL_ROWS = [
    ("recall@1", "evidence recall@1 (all evidence in the top passage)", True),
    ("recall@3", "evidence recall@3", True),
    ("recall@5", "evidence recall@5", True),
    ("recall@10", "evidence recall@10", True),
    ("mrr", "MRR (first single passage holding all evidence)", False),
    ("answer_all_evidence", "answers quoting all evidence", True),
    ("answer_some_evidence", "answers quoting some evidence", True),
    ("answer_evidence_recall", "mean answer evidence recall", False),
    ("answer_chars_median", "answer length, median characters", False),
    ("groundedness", "groundedness (quoted spans verbatim; must be 100%)", True),
    ("abstain_precision", "abstention precision", True),
    ("abstain_recall", "abstention recall", True),
    ("abstain_f1", "abstention F1", False),
    ("false_abstain", "false abstentions (answerable questions)", True),
    ("latency_p50_ms", "latency p50", False),
    ("latency_p95_ms", "latency p95", False),
]
SHARES = {key for key, _, share in OVERALL_ROWS if share}


def _value(key: str, value: float) -> str:
    if key.startswith("latency"):
        return ms(value)
    if key == "answer_chars_median":
        return f"{value:.0f}"
    return pct(value) if key in SHARES else num(value)


def _delta(key: str, value: float) -> str:
    if key.startswith("latency"):
        return f"{value:+.0f} ms"
    if key == "answer_chars_median":
        return f"{value:+.1f}"
    return signed(value, key in SHARES)


def _header(meta: dict, overall: dict) -> list[str]:
    return [
        f"# Gold evaluation: {meta['split']}\n",
        f"Measured {meta['measured_at']} on {meta['machine']}, from `{meta['gold_file']}`: {overall['n']} questions "
        f"({overall['answerable']} answerable). Index `{meta['index_dir']}` built {meta['index_built_at']}: "
        f"{meta['documents']} documents, {meta['chunks']} chunks of ≤ {meta['chunk_size']} characters, model "
        f"{meta['model']} ({meta.get('encoder_backend', 'torch')}). Fusion **{meta['fusion']}**, top_k {meta['top_k']}, "
        f"abstention threshold {meta['abstain_threshold']}. Latency is `ask()` wall time after one warm-up question.\n",
    ]


def _gate(gate: dict) -> list[str]:
    lines = [f"## Gate: {'passed' if gate['passed'] else 'FAILED'}\n"]
    lines += [f"- {f}" for f in gate["failures"]] or ["All figures are at or above eval/thresholds.toml."]
    return lines + [""]


def _per_kind(per_kind: dict) -> str:
    answer_keys = ["recall@1", "recall@5", "recall@10", "mrr", "answer_all_evidence", "answer_evidence_recall",
                   "false_abstain"]
    rows = []
    for kind, f in per_kind.items():
        answered = [_value(k, f[k]) if f["answerable"] else "—" for k in answer_keys]
        rows.append([kind, f["n"], *answered, pct(f["abstain_recall"]) if f["n"] > f["answerable"] else "—",
                     _value("answer_chars_median", f["answer_chars_median"]) if f["answerable"] else "—",
                     pct(f["groundedness"]), ms(f["latency_p50_ms"])])
    return table(["kind", "n", "R@1", "R@5", "R@10", "MRR", "all ev.", "ans. recall", "false abst.",
                  "abst. recall", "chars", "grounded", "p50"], rows)


def _methods(methods: dict, fusion: str) -> list[str]:
    rows = []
    for m, f in methods.items():
        label = METHOD_LABELS.get(m, m) + (ASSISTANT_MARK if m == fusion else "")
        o = f["overall"]
        rows.append([label, pct(o["recall@1"]), pct(o["recall@3"]), pct(o["recall@5"]), pct(o["recall@10"]), num(o["mrr"])])
    kinds = list(next(iter(methods.values()))["per_kind"]) if methods else []
    by_kind = [[k] + [pct(methods[m]["per_kind"][k]["recall@5"]) for m in methods] for k in kinds]
    best = max(("rrf", "weighted"), key=lambda m: (methods[m]["overall"]["recall@5"], methods[m]["overall"]["mrr"]))
    return [
        "## Retrieval: baselines and fusion methods\n",
        "Same index and query (a follow-up is retrieved together with the question before it); recall@k is the "
        "share of answerable questions whose evidence is all within the top k passages.\n",
        table(["method", "R@1", "R@3", "R@5", "R@10", "MRR"], rows),
        f"\nBetter fusion on this split (recall@5, then MRR): **{best}**.\n",
        "Recall@5 per kind:\n",
        table(["kind"] + list(methods), by_kind),
    ]


def _comparison(c: dict) -> list[str]:
    rows = [[key, _value(key, d["before"]), _value(key, d["after"]), _delta(key, d["delta"])]
            for key, d in c["overall"].items() if key not in ("n", "answerable")]
    lines = [f"## Compared with the baseline measured {c['baseline_measured_at']}\n",
             table(["metric", "before", "after", "delta"], rows)]
    for title, key in (("Better answers", "better"), ("Worse answers", "worse")):
        if c[key]:
            lines += [f"\n{title} (score: answer evidence recall, or 1 for a right abstention):\n",
                      table(["id", "kind", "question", "before", "after"],
                            [[r["id"], r["kind"], clip(r["question"], 50), num(r["before"], 2), num(r["after"], 2)]
                             for r in c[key]])]
    moves = (("Evidence newly in the top 5", "retrieval_better"), ("Evidence dropped from the top 5", "retrieval_worse"))
    for title, key in moves:
        if c[key]:
            lines.append(f"\n{title}: " + ", ".join(f"{r['id']} ({r['before']}→{r['after']})" for r in c[key]))
    if not (c["better"] or c["worse"]):
        lines.append("\nNo question's score changed.")
    return lines + [""]


def render_gold(results: dict) -> str:
    """The whole report."""
    meta, overall = results["meta"], results["overall"]
    out = _header(meta, overall)
    if "gate" in results:
        out += _gate(results["gate"])
    out += ["## Overall\n", table(["metric", "value"], [[label, _value(k, overall[k])] for k, label, _ in OVERALL_ROWS])]
    out += ["\n## Per kind\n", _per_kind(results["per_kind"])]
    out += _methods(results["retrieval_methods"], meta["fusion"])
    if "comparison" in results:
        out += [""] + _comparison(results["comparison"])
    failures = results["failures"]
    out += [f"\n## Failures ({len(failures)})\n"]
    if failures:
        out.append(table(["id", "kind", "question", "problems", "answer", "reason"],
                         [[f["id"], f["kind"], clip(f["question"], 40), "; ".join(f["problems"]),
                           "(abstained)" if f["abstained"] else clip(f["answer"], 50), clip(f["reason"], 80)]
                          for f in failures]))
    return "\n".join(out) + "\n"
