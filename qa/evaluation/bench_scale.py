"""Benchmark section 5: how query latency grows with library size, up to ≥ 100,000 chunks.

The synthetic library (no model call is needed to make it):

- a *pool* of real sentences with their real vectors and jieba tokens, from a built index (the large
  library: DRCD + CMRC 2018 dev; the seeds in ``--quick``);
- each synthetic chunk is random pool sentences concatenated up to 250-400 characters; five chunks
  make a document. A sentence's vector is its real vector plus Gaussian noise (cosine ≈ 0.97 to the
  original, so repeated sentences are not exact duplicates), a chunk's vector the normalised mean
  of its sentences' vectors plus the same noise; BM25 is built over the sentences' real tokens.

At each size the real ``Assistant`` answers real questions (public dev questions against the pool's
passages, plus gold questions), with the exact FAISS index and with HNSW (the builder's choice from
``HNSW_FROM`` chunks), and HNSW's recall@10 against exact search is measured on encoded questions.
The retriever's brute-force ``sentence_vectors @ query`` is timed apart, next to an IVF index over the
sentences as the candidate fix.
"""

from __future__ import annotations

import gc
import json
import random
import time
from pathlib import Path

import numpy as np

from qa.evaluation.bench_common import summary
from qa.evaluation.bench_query import Capture

DESCRIPTION = (
    "How it was made: a pool of real sentences with their real vectors and jieba tokens from a built index "
    "(the larger library; the seeds in --quick). Each synthetic chunk is random pool sentences concatenated to "
    "250-400 characters, five chunks a document. A sentence's vector is its real vector plus Gaussian noise "
    "(cosine ≈ 0.97 to the original, so repeated sentences are not exact duplicates); a chunk's vector is the "
    "normalised mean of its sentences' vectors plus the same noise; BM25 is built over the sentences' real tokens. "
    "The real `Assistant` (retriever + composer) answers real questions at each size, with the exact FAISS index "
    "and with HNSW.")
NOISE = 0.25  # norm of the noise added to a unit vector: cosine ≈ 1/sqrt(1 + 0.0625) ≈ 0.97
CHUNKS_PER_DOC = 5


class Pool:
    """Real sentences (Simplified-agnostic text), their vectors and their BM25 tokens."""

    def __init__(self, index_dir: Path) -> None:
        from qa.index.lexical import tokenize

        docs = json.loads((index_dir / "documents.json").read_text(encoding="utf-8"))
        vectors = np.load(index_dir / "sentence_vectors.npy")
        texts, keep = [], []
        with open(index_dir / "sentences.jsonl", encoding="utf-8") as f:
            for i, row in enumerate(map(json.loads, f)):
                text = docs[row["doc"]]["text"][row["start"]:row["end"]]
                if 4 <= len(text) <= 200 and "\n" not in text:
                    texts.append(text)
                    keep.append(i)
        self.texts = texts
        self.vectors = np.ascontiguousarray(vectors[keep], dtype=np.float32)
        self.tokens = [tokenize(t) for t in texts]
        self.source = str(index_dir)


def _noisy(vectors: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    noise = rng.standard_normal(vectors.shape, dtype=np.float32)
    noise *= NOISE / np.sqrt(vectors.shape[1])
    out = vectors + noise
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out


def synthetic_store(pool: Pool, n_chunks: int, seed: int = 0, approximate: bool | None = None):
    """An in-memory ``IndexStore`` of ``n_chunks`` synthetic chunks (see the module docstring)."""
    import bm25s

    from qa.chunks.splitter import Chunk
    from qa.documents.loader import Document
    from qa.index.dense import DenseIndex
    from qa.index.lexical import LexicalIndex
    from qa.index.store import IndexStore

    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(pool.texts), size=n_chunks * 16)
    lengths = np.array([len(t) for t in pool.texts])
    documents, chunks, corpus = [], [], []
    s_doc, s_start, s_end, s_src = [], [], [], []
    chunk_rows: list[list[int]] = []
    p = 0
    parts: list[str] = []
    for c in range(n_chunks):
        if c % CHUNKS_PER_DOC == 0:
            parts, doc_len = [], 0
        target = 250 + int(rng.integers(0, 150))
        start = doc_len
        members, size = [], 0
        while size < target and len(members) < 16:
            s = int(picks[p % len(picks)])
            p += 1
            if members and size + lengths[s] > 400:
                break
            members.append(s)
            size += int(lengths[s])
        text_parts = []
        for s in members:
            s_doc.append(len(documents))
            s_start.append(doc_len)
            doc_len += int(lengths[s])
            s_end.append(doc_len)
            s_src.append(s)
            text_parts.append(pool.texts[s])
        text = "".join(text_parts)
        parts.append(text)
        doc_id = f"syn-{len(documents):06d}"
        chunks.append(Chunk(chunk_id=c, doc_id=doc_id, title=f"合成文档 {len(documents)}", section=None, start=start,
                            end=doc_len, text=text))
        chunk_rows.append(members)
        corpus.append([tok for s in members for tok in pool.tokens[s]] or [""])
        if c % CHUNKS_PER_DOC == CHUNKS_PER_DOC - 1 or c == n_chunks - 1:
            documents.append(Document(doc_id=doc_id, title=f"合成文档 {len(documents)}", text="".join(parts)))
    src = np.array(s_src, dtype=np.int64)
    sentence_vectors = _noisy(pool.vectors[src], rng)
    chunk_vectors = np.zeros((n_chunks, pool.vectors.shape[1]), dtype=np.float32)
    offset = 0
    for c, members in enumerate(chunk_rows):
        chunk_vectors[c] = sentence_vectors[offset:offset + len(members)].mean(axis=0)
        offset += len(members)
    chunk_vectors /= np.linalg.norm(chunk_vectors, axis=1, keepdims=True)
    chunk_vectors = _noisy(chunk_vectors, rng)
    retriever = bm25s.BM25()
    retriever.index(corpus, show_progress=False)
    doc_freq: dict[str, int] = {}
    for tokens in corpus:
        for tok in set(tokens):
            doc_freq[tok] = doc_freq.get(tok, 0) + 1
    t = time.perf_counter()
    dense = DenseIndex.build(chunk_vectors, approximate=approximate)
    dense_build_s = time.perf_counter() - t
    store = IndexStore(manifest={"model": "synthetic", "created_at": "synthetic"}, documents=documents, chunks=chunks,
                       sentence_doc=np.array(s_doc, dtype=np.int64), sentence_start=np.array(s_start, dtype=np.int64),
                       sentence_end=np.array(s_end, dtype=np.int64), sentence_vectors=sentence_vectors, dense=dense,
                       lexical=LexicalIndex(retriever, n_chunks, doc_freq))
    return store, chunk_vectors, dense_build_s


def recall_at(exact_ids: np.ndarray, approx_ids: np.ndarray, k: int) -> float:
    hits = [len(set(a[:k]) & set(b[:k])) / k for a, b in zip(exact_ids, approx_ids)]
    return float(np.mean(hits)) if hits else float("nan")


def scale_questions(data_dir: Path | None, gold: list[tuple[str, list[str]]], n_public: int, seed: int = 0) -> list[str]:
    """Public dev questions (their passages are in the pool) plus gold questions, fixed by ``seed``."""
    out = [q for q, _ in gold]
    if data_dir is not None:
        from qa.evaluation.public import load_benchmark

        rng = random.Random(seed)
        for name in ("drcd", "cmrc2018"):
            try:
                _, questions = load_benchmark(data_dir, name)
            except OSError:
                continue
            out += [q.question for q in rng.sample(questions, min(n_public // 2, len(questions)))]
    return out


def run_scale(pool_index: Path, settings, sizes: list[int], questions: list[str], recall_queries: list[str],
              time_budget_s: float = 2400) -> dict:
    """Section 5: per size, ask latency (exact and HNSW) with breakdown, HNSW recall@10, sentence search."""
    import faiss

    from qa.assistant import Assistant
    from qa.embedding.encoder import Encoder
    from qa.index.dense import HNSW_EF_SEARCH, HNSW_FROM, HNSW_M, DenseIndex
    from qa.index.lexical import to_simplified

    started = time.perf_counter()
    encoder = Encoder.load(settings, show_progress=False)
    encoder.cache_size = 0
    t = time.perf_counter()
    pool = Pool(pool_index)
    pool_s = time.perf_counter() - t
    query_vectors = encoder.encode_queries([to_simplified(q) for q in recall_queries]) if recall_queries else None
    qv = np.vstack([encoder.encode_queries([to_simplified(q)]) for q in questions])
    rows = []
    for n in sizes:
        if time.perf_counter() - started > time_budget_s:
            rows.append({"chunks": n, "skipped": "time budget"})
            continue
        t = time.perf_counter()
        store, chunk_vectors, _ = synthetic_store(pool, n, approximate=False)
        make_s = time.perf_counter() - t
        exact = store.dense
        t = time.perf_counter()
        hnsw = DenseIndex.build(chunk_vectors, approximate=True)
        hnsw_build_s = time.perf_counter() - t
        t = time.perf_counter()
        assistant = Assistant(store, encoder, settings)
        assistant_init_s = time.perf_counter() - t
        capture = Capture(assistant)
        row = {"chunks": n, "sentences": int(len(store.sentence_vectors)), "documents": len(store.documents),
               "make_s": make_s, "assistant_init_s": assistant_init_s, "hnsw_build_s": hnsw_build_s,
               "sentence_matrix_mb": store.sentence_vectors.nbytes / 1e6, "default_index": "hnsw" if n >= HNSW_FROM else "exact"}
        for q in questions[:3]:
            assistant.ask(q)
        for mode, index in (("exact", exact), ("hnsw", hnsw)):
            store.dense = index
            totals, parts = [], {k: [] for k in ("embed", "dense_index", "dense_sentences", "lexical", "fusion", "answer")}
            for q in questions:
                t = time.perf_counter()
                answer = assistant.ask(q)
                totals.append((time.perf_counter() - t) * 1e3)
                for k in parts:
                    parts[k].append(answer.timing_ms.answer if k == "answer" else capture.last.get(k, float("nan")))
            row[mode] = {"ask": summary(totals), **{k: summary(v)["p50"] for k, v in parts.items()}}
        store.dense = hnsw if n >= HNSW_FROM else exact
        # Recall of HNSW against exact search, on encoded questions.
        if query_vectors is not None and len(query_vectors):
            k = 10
            _, exact_ids = exact.index.search(query_vectors, k)
            sweep = {}
            for ef in (32, 64, HNSW_EF_SEARCH, 256):
                hnsw.index.hnsw.efSearch = ef
                t = time.perf_counter()
                for v in qv:
                    hnsw.index.search(v[None, :], 50)
                ms = (time.perf_counter() - t) * 1e3 / len(qv)
                _, approx_ids = hnsw.index.search(query_vectors, k)
                sweep[str(ef)] = {"recall@10": recall_at(exact_ids, approx_ids, k), "search_ms": ms}
            hnsw.index.hnsw.efSearch = HNSW_EF_SEARCH
            row["hnsw_recall"] = sweep
            row["recall@10"] = sweep[str(HNSW_EF_SEARCH)]["recall@10"]
        row["sentences_search"] = _sentence_search(store.sentence_vectors, qv, faiss)
        rows.append(row)
        del assistant, store, exact, hnsw, capture
        gc.collect()
    return {"pool": {"source": pool.source, "sentences": len(pool.texts), "load_s": pool_s}, "questions": len(questions),
            "recall_queries": len(recall_queries), "hnsw": {"M": HNSW_M, "efSearch": HNSW_EF_SEARCH, "from_chunks": HNSW_FROM},
            "rows": rows}


def _sentence_search(vectors: np.ndarray, queries: np.ndarray, faiss) -> dict:
    """The retriever's brute-force sentence scoring vs an IVF index over the sentences (top 50)."""
    k = 50
    t = time.perf_counter()
    exact_top = []
    for q in queries:
        sims = vectors @ q
        exact_top.append(np.argpartition(-sims, min(k, len(sims) - 1))[:k])
    brute_ms = (time.perf_counter() - t) * 1e3 / len(queries)
    out = {"brute_force_ms": brute_ms}
    n = len(vectors)
    if n < 20_000:
        return out
    nlist = int(4 * np.sqrt(n))
    t = time.perf_counter()
    quantiser = faiss.IndexFlatIP(vectors.shape[1])
    ivf = faiss.IndexIVFFlat(quantiser, vectors.shape[1], nlist, faiss.METRIC_INNER_PRODUCT)
    sample = vectors[np.random.default_rng(0).choice(n, size=min(n, 40 * nlist), replace=False)]
    ivf.train(sample)
    ivf.add(vectors)
    build_s = time.perf_counter() - t
    for nprobe in (8, 16, 32):
        ivf.nprobe = nprobe
        t = time.perf_counter()
        found = [ivf.search(q[None, :], k)[1][0] for q in queries]
        ms = (time.perf_counter() - t) * 1e3 / len(queries)
        out[f"ivf_nprobe{nprobe}"] = {"ms": ms, "recall@50": recall_at(np.array(exact_top), np.array(found), k)}
    out["ivf_nlist"] = nlist
    out["ivf_build_s"] = build_s
    return out
