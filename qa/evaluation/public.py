"""Public reading-comprehension benchmarks (CMRC 2018 dev, DRCD dev) as an open-library test.

Every passage of a split becomes one document of a library (doc_id = context_id); each question is
asked against the whole library. Scored: whether the gold passage is retrieved (recall@1/5/10 over
distinct documents, for the assistant's fusion and for plain BM25 / dense / the other fusion), and
whether the quoted answer sentences contain a reference answer. The data is read from
``../shared/data`` beside the checkout and never copied into the repository.
"""

from __future__ import annotations

import json
import random
import re
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from qa.answer.contract import Answer, Passage
from qa.assistant import Assistant, QuestionError
from qa.config import Settings
from qa.embedding.encoder import Encoder
from qa.evaluation.common import CACHE_DIR, REPO_ROOT, method_rankings, run_meta, same_ranking, warm_up
from qa.evaluation.metrics import percentile
from qa.index.builder import build_index
from qa.index.lexical import to_simplified
from qa.retrieval.hybrid import METHODS

BENCHMARKS = ("cmrc2018", "drcd")
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data"
RECALL_KS = (1, 5, 10)
RETRIEVE_CHUNKS = 50  # chunks fetched per method, so that ten distinct passages are nearly always among them


@dataclass(frozen=True)
class Context:
    context_id: str
    title: str
    text: str


@dataclass(frozen=True)
class PublicQuestion:
    id: str
    question: str
    answers: tuple[str, ...]
    context_id: str


def _jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_benchmark(data_dir: Path, name: str) -> tuple[list[Context], list[PublicQuestion]]:
    """Passages and questions of ``<data_dir>/<name>/dev*.jsonl``; ``FileNotFoundError`` if absent."""
    folder = Path(data_dir) / name
    contexts = [Context(r["context_id"], r.get("title") or "", r["text"]) for r in _jsonl(folder / "dev.contexts.jsonl")]
    questions = [PublicQuestion(r["id"], r["question"], tuple(r["answers"]), r["context_id"])
                 for r in _jsonl(folder / "dev.jsonl")]
    return contexts, questions


def sample_questions(questions: list[PublicQuestion], limit: int | None, seed: int = 0) -> list[PublicQuestion]:
    """A fixed random sample of ``limit`` questions (all when ``limit`` is None or large), in file order."""
    if limit is None or limit >= len(questions):
        return list(questions)
    picked = sorted(random.Random(seed).sample(range(len(questions)), limit))
    return [questions[i] for i in picked]


def write_library(contexts: list[Context], folder: Path) -> None:
    """One ``<context_id>.txt`` per passage plus a ``catalog.toml`` giving doc_id and title."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for c in contexts:
        (folder / f"{c.context_id}.txt").write_text(c.text, encoding="utf-8")
        entry = f"[[document]]\nfile = {json.dumps(c.context_id + '.txt')}\ndoc_id = {json.dumps(c.context_id)}\n"
        if c.title:
            entry += f"title = {json.dumps(c.title, ensure_ascii=False)}\n"
        entries.append(entry)
    (folder / "catalog.toml").write_text("\n".join(entries), encoding="utf-8")


def build_benchmark_index(name: str, contexts: list[Context], settings: Settings, encoder: Encoder,
                          cache_dir: Path = CACHE_DIR, force: bool = False) -> Path:
    """The benchmark's index under ``cache_dir/<name>-index``, rebuilt only when its inputs changed."""
    index_dir = Path(cache_dir) / f"{name}-index"
    with tempfile.TemporaryDirectory(prefix=f"qa-{name}-") as tmp:
        library = Path(tmp) / name
        write_library(contexts, library)
        build_index(settings.with_overrides(index_dir=index_dir), [library], force=force, encoder=encoder)
    return index_dir


def distinct_docs(passages: list[Passage]) -> list[str]:
    """Document ids of ranked passages, first occurrence only, order kept."""
    return list(dict.fromkeys(p.doc_id for p in passages))


def doc_rank(doc_ids: list[str], gold: str) -> int | None:
    """1-based rank of ``gold`` among distinct documents (None if not retrieved)."""
    return doc_ids.index(gold) + 1 if gold in doc_ids else None


def normalise(text: str) -> str:
    """Simplified script (OpenCC t2s), whitespace removed: how answers are compared across scripts."""
    return re.sub(r"\s+", "", to_simplified(text))


def quoted_texts(answer: Answer, doc_id: str | None = None) -> list[str]:
    """The quoted sentences (of one document when ``doc_id`` is given), each and all joined."""
    texts = [s.text for s in answer.sentences if doc_id is None or s.doc_id == doc_id]
    return texts + ["".join(texts)] if texts else []


def contains_reference(texts: list[str], references: tuple[str, ...], normalised: bool = False) -> bool:
    """Whether some text contains some (non-empty) reference answer, raw or after :func:`normalise`."""
    prep = normalise if normalised else (lambda t: t)
    texts = [prep(t) for t in texts]
    return any(ref and ref in t for ref in map(prep, references) for t in texts)


def score_question(q: PublicQuestion, answer: Answer, rankings: dict[str, list[str]]) -> dict:
    """One question's record: gold-passage rank per method and reference containment of the answer.

    Records hold ids, offsets and figures but no text of the benchmark (questions, references, passages):
    the data stays in ../shared/data, where an id finds it.
    """
    return {
        "id": q.id, "context_id": q.context_id, "abstained": answer.abstained, "reason": answer.reason,
        "answer_chars": sum(len(s.text) for s in answer.sentences),
        "answer_spans": [[s.doc_id, s.start, s.end] for s in answer.sentences],
        "answer_docs": distinct_docs(answer.passages),
        "rank": {m: doc_rank(docs, q.context_id) for m, docs in rankings.items()},
        "contains_raw": contains_reference(quoted_texts(answer), q.answers),
        "contains": contains_reference(quoted_texts(answer), q.answers, normalised=True),
        "contains_from_gold": contains_reference(quoted_texts(answer, q.context_id), q.answers, normalised=True),
        "latency_ms": round(answer.timing_ms.total, 1),
    }


def summarise_public(records: list[dict], methods: tuple[str, ...] = METHODS) -> dict:
    """Aggregate figures of question records (see :func:`score_question`)."""
    n = max(1, len(records))
    answered = [r for r in records if not r["abstained"]]
    latencies = [r["latency_ms"] for r in records]
    retrieval = {}
    for m in methods:
        ranks = [r["rank"].get(m) for r in records]
        retrieval[m] = {f"recall@{k}": sum(1 for x in ranks if x and x <= k) / n for k in RECALL_KS}
        retrieval[m]["mrr@10"] = sum(1 / x for x in ranks if x and x <= 10) / n
    return {
        "questions": len(records),
        "retrieval": retrieval,
        "answer_contains_reference": sum(r["contains"] for r in records) / n,
        "answer_contains_reference_raw": sum(r["contains_raw"] for r in records) / n,
        "answer_contains_reference_from_gold": sum(r["contains_from_gold"] for r in records) / n,
        "answered_contains_reference": sum(r["contains"] for r in answered) / max(1, len(answered)),
        "abstention_rate": 1 - len(answered) / n,
        "answer_chars_median": statistics.median(r["answer_chars"] for r in answered) if answered else 0.0,
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
        "latency_mean_ms": statistics.fmean(latencies) if latencies else 0.0,
    }


def doc_rankings(assistant: Assistant, question: str) -> tuple[dict[str, list[str]], bool]:
    """Distinct-document rankings of every fusion method (see :func:`common.method_rankings`), and
    whether the assistant's own method's ranking equals what its retriever returned."""
    retrieval, rankings = method_rankings(assistant, question, RETRIEVE_CHUNKS)
    consistent = same_ranking(rankings.get(assistant.retriever.fusion, []), retrieval.passages)
    return {m: distinct_docs(ps) for m, ps in rankings.items()}, consistent


def ask_all(assistant: Assistant, questions: list[PublicQuestion], progress: bool = True) -> list[dict]:
    """Ask every question and rank the passages with each fusion method; one record per question."""
    records = []
    started = time.perf_counter()
    for i, q in enumerate(questions, 1):
        try:
            answer = assistant.ask(q.question)
        except QuestionError as exc:
            answer = Answer(question=q.question, abstained=True, answer="", reason=f"question rejected: {exc}")
        rankings, consistent = doc_rankings(assistant, q.question)
        records.append({**score_question(q, answer, rankings), "ranking_consistent": consistent})
        if progress and (i % 100 == 0 or i == len(questions)):
            print(f"  {i}/{len(questions)} questions, {time.perf_counter() - started:.0f} s", flush=True)
    return records


def run_public(name: str, settings: Settings, data_dir: Path = DEFAULT_DATA_DIR, limit: int | None = None,
               seed: int = 0, cache_dir: Path = CACHE_DIR, rebuild: bool = False) -> dict:
    """Build (or reuse) the benchmark index, ask the sampled questions, and return the results."""
    contexts, questions = load_benchmark(data_dir, name)
    sample = sample_questions(questions, limit, seed)
    encoder = Encoder.load(settings, show_progress=False)
    t0 = time.perf_counter()
    index_dir = build_benchmark_index(name, contexts, settings, encoder, cache_dir, force=rebuild)
    build_s = time.perf_counter() - t0
    assistant = Assistant.load(settings=settings.with_overrides(index_dir=index_dir))
    indexed = {d.doc_id for d in assistant.store.documents}
    warm_up(assistant)
    records = ask_all(assistant, sample)
    meta = {**run_meta(assistant), "benchmark": name, "data_dir": str(data_dir), "passages": len(contexts),
            "questions_total": len(questions), "limit": limit, "seed": seed, "index_ready_s": round(build_s, 1),
            "gold_passage_not_indexed": sum(r["context_id"] not in indexed for r in records),
            "rankings_differing_from_retriever": sum(not r["ranking_consistent"] for r in records)}
    return {"meta": meta, "summary": summarise_public(records), "questions": records}
