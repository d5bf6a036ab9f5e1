"""What the gold and public evaluations share: where things live, run metadata, writing results."""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path

from qa.answer.contract import Passage
from qa.assistant import Assistant
from qa.retrieval.hybrid import METHODS, fuse
from qa.retrieval.retriever import Retrieval

REPO_ROOT = Path(__file__).resolve().parents[2]
REPORTS_DIR = REPO_ROOT / "eval" / "reports"
CACHE_DIR = REPO_ROOT / "eval" / ".cache"
THRESHOLDS = REPO_ROOT / "eval" / "thresholds.toml"
WARM_UP_QUESTION = "区域协调发展"


def now() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def run_meta(assistant: Assistant) -> dict:
    """What a result depends on: index, model, settings that steer answering, and the machine."""
    manifest = assistant.store.manifest
    s = assistant.settings
    return {
        "measured_at": now(),
        "index_dir": str(s.index_dir),
        "index_built_at": manifest.get("created_at"),
        "documents": len(assistant.store.documents),
        "chunks": len(assistant.store.chunks),
        "model": manifest.get("model"),
        "encoder_backend": getattr(assistant.encoder, "backend", "torch"),
        "chunk_size": manifest.get("chunk_size"),
        "fusion": s.fusion,
        "top_k": s.top_k,
        "abstain_threshold": assistant.composer.rule.threshold,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
    }


def warm_up(assistant: Assistant) -> None:
    """Ask one unscored question and wait for the background start-up work, so one-off loading (jieba's
    dictionary and tagger, the English-question table) is not counted as latency."""
    assistant.ask(WARM_UP_QUESTION)
    assistant.wait_until_ready()


def write_outputs(out_dir: Path, stem: str, results: dict, markdown: str) -> tuple[Path, Path]:
    """Write ``<stem>.json`` and ``<stem>.md`` into ``out_dir``; return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / f"{stem}.json", out_dir / f"{stem}.md"
    json_path.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    md_path.write_text(markdown, encoding="utf-8")
    return json_path, md_path


def method_rankings(assistant: Assistant, query: str, k: int) -> tuple[Retrieval, dict[str, list[Passage]]]:
    """The retriever's own result for ``query`` and the top ``k`` passages of every fusion method.

    All methods rank the candidates of that one retrieval (its best chunks by dense and by BM25
    score), exactly as ``retriever.run(query, k, fusion=method)`` does, but with one query encoding
    instead of four.
    """
    retrieval = assistant.retriever.run(query, k)
    rankings = {}
    for method in METHODS:
        fused = fuse(retrieval.dense_scores, retrieval.lexical_scores, method, retrieval.dense_weight)
        rankings[method] = assistant.retriever.passages(fused, k, method, retrieval.named)[0]
    return retrieval, rankings


def same_ranking(a: list[Passage], b: list[Passage]) -> bool:
    """Whether two passage lists hold the same spans in the same order."""
    return [(p.doc_id, p.start, p.end) for p in a] == [(p.doc_id, p.start, p.end) for p in b]
