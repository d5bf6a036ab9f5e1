"""Benchmark section 5: how query latency grows with library size, up to ≥ 100,000 chunks.

The synthetic library needs no model call: see :data:`DESCRIPTION` (mixes of two real chunks of a
built index, with their real vectors, sentences and tokens).

At each size the real ``Assistant`` answers real questions (public dev questions against the pool's
passages, plus gold questions), with the exact FAISS index and with HNSW (the builder's choice from
``HNSW_FROM`` chunks), and HNSW's recall@10 against exact search is measured on encoded questions.
The retriever's brute-force ``sentence_vectors @ query`` is timed apart, next to an IVF index over the
sentences as the candidate fix.
"""

from __future__ import annotations

import gc
import random
import time
from pathlib import Path

import numpy as np

from qa.evaluation.bench_common import summary
from qa.evaluation.bench_query import Capture

DESCRIPTION = (
    "How it was made: from a built index (the larger library; the seeds in --quick) we take its real chunks, their "
    "real vectors, and their real sentences with their real vectors and jieba tokens. Each synthetic chunk joins "
    "the first share w (uniform in 0.5-1) of the sentences of one random real chunk and the first share 1-w of "
    "another's; its vector is the normalised mix w·v1 + (1-w)·v2 of the two real chunk vectors; each of its sentences "
    "gets the normalised mix u·s + (1-u)·s' (u uniform in 0.8-1) of its real vector s and a random real sentence's s', "
    "so that the ~40 copies of a pool sentence are distinct vectors (exact duplicates would degrade HNSW, which a "
    "real library does not do); BM25 is built over the real tokens; five chunks make a document. Mixing real "
    "vectors keeps the library on the real embeddings' manifold (isotropic noise would make it artificially "
    "high-dimensional and defeat any approximate index): mean pairwise cosine 0.90 against 0.86 for the real "
    "chunks, so if anything harder for an approximate index. The real `Assistant` (retriever + composer) answers "
    "real questions at each size, with the exact FAISS index and with HNSW.")
CHUNKS_PER_DOC = 5


class Pool:
    """Real chunks (vectors) and, per chunk, its real sentences (texts, vectors, BM25 tokens)."""

    def __init__(self, index_dir: Path) -> None:
        from qa.index.lexical import tokenize
        from qa.index.store import load_store

        store = load_store(index_dir)
        owner = store.sentence_chunks()
        texts, keep, members = [], [], {}
        for s, c in enumerate(owner):
            d = store.documents[int(store.sentence_doc[s])]
            text = d.text[int(store.sentence_start[s]):int(store.sentence_end[s])]
            if text.strip():
                members.setdefault(int(c), []).append(len(texts))
                texts.append(text)
                keep.append(s)
        self.texts = texts
        self.vectors = np.ascontiguousarray(store.sentence_vectors[keep], dtype=np.float32)
        self.tokens = [tokenize(t) for t in texts]
        self.chunk_ids = sorted(members)
        self.chunk_sentences = [members[c] for c in self.chunk_ids]
        self.chunk_vectors = np.ascontiguousarray(np.load(index_dir / "chunk_vectors.npy")[self.chunk_ids], dtype=np.float32)
        self.source = str(index_dir)


def synthetic_store(pool: Pool, n_chunks: int, seed: int = 0, approximate: bool | None = None):
    """An in-memory ``IndexStore`` of ``n_chunks`` synthetic chunks (see :data:`DESCRIPTION`)."""
    import bm25s

    from qa.chunks.splitter import Chunk
    from qa.documents.loader import Document
    from qa.index.dense import DenseIndex
    from qa.index.lexical import LexicalIndex
    from qa.index.store import IndexStore

    rng = np.random.default_rng(seed)
    first = rng.integers(0, len(pool.chunk_ids), size=n_chunks)
    second = rng.integers(0, len(pool.chunk_ids), size=n_chunks)
    share = rng.uniform(0.5, 1.0, size=n_chunks).astype(np.float32)
    lengths = np.array([len(t) for t in pool.texts])
    documents, chunks, corpus = [], [], []
    s_doc, s_start, s_end, s_src = [], [], [], []
    parts: list[str] = []
    doc_len = 0
    for c in range(n_chunks):
        if c % CHUNKS_PER_DOC == 0:
            parts, doc_len = [], 0
        a, b = pool.chunk_sentences[first[c]], pool.chunk_sentences[second[c]]
        members = a[:max(1, round(float(share[c]) * len(a)))] + b[:round(float(1 - share[c]) * len(b))]
        start = doc_len
        for s in members:
            s_doc.append(len(documents))
            s_start.append(doc_len)
            doc_len += int(lengths[s])
            s_end.append(doc_len)
            s_src.append(s)
        text = "".join(pool.texts[s] for s in members)
        parts.append(text)
        doc_id = f"syn-{len(documents):06d}"
        chunks.append(Chunk(chunk_id=c, doc_id=doc_id, title=f"合成文档 {len(documents)}", section=None, start=start,
                            end=doc_len, text=text))
        corpus.append([tok for s in members for tok in pool.tokens[s]] or [""])
        if c % CHUNKS_PER_DOC == CHUNKS_PER_DOC - 1 or c == n_chunks - 1:
            documents.append(Document(doc_id=doc_id, title=f"合成文档 {len(documents)}", text="".join(parts)))
    u = rng.uniform(0.8, 1.0, size=(len(s_src), 1)).astype(np.float32)
    other = rng.integers(0, len(pool.vectors), size=len(s_src))
    sentence_vectors = u * pool.vectors[np.array(s_src, dtype=np.int64)] + (1 - u) * pool.vectors[other]
    sentence_vectors = np.ascontiguousarray(sentence_vectors / np.linalg.norm(sentence_vectors, axis=1, keepdims=True),
                                            dtype=np.float32)
    w = share[:, None]
    chunk_vectors = w * pool.chunk_vectors[first] + (1 - w) * pool.chunk_vectors[second]
    chunk_vectors /= np.linalg.norm(chunk_vectors, axis=1, keepdims=True)
    chunk_vectors = np.ascontiguousarray(chunk_vectors, dtype=np.float32)
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
    from qa.index.dense import HNSW_EF_SEARCH, HNSW_FROM, HNSW_M, SENTENCE_EF_SEARCH, SENTENCE_HNSW_FROM, DenseIndex
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
        sentence_hnsw_s = None
        if len(store.sentence_vectors) >= SENTENCE_HNSW_FROM:  # as the builder does
            t = time.perf_counter()
            store.sentence_index = DenseIndex.build(store.sentence_vectors, approximate=True, ef_search=SENTENCE_EF_SEARCH)
            sentence_hnsw_s = time.perf_counter() - t
        t = time.perf_counter()
        assistant = Assistant(store, encoder, settings)
        assistant_init_s = time.perf_counter() - t
        capture = Capture(assistant)
        row = {"chunks": n, "sentences": int(len(store.sentence_vectors)), "documents": len(store.documents),
               "make_s": make_s, "assistant_init_s": assistant_init_s, "hnsw_build_s": hnsw_build_s,
               "sentence_hnsw_build_s": sentence_hnsw_s,
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
            for ef in sorted({32, 64, 128, 256, 512, HNSW_EF_SEARCH}):
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
        row["sentences_search"] = _sentence_search(store.sentence_vectors, qv, faiss, store.sentence_index)
        rows.append(row)
        del assistant, store, exact, hnsw, capture
        gc.collect()
    return {"pool": {"source": pool.source, "sentences": len(pool.texts), "chunks": len(pool.chunk_ids), "load_s": pool_s}, "questions": len(questions),
            "recall_queries": len(recall_queries), "hnsw": {"M": HNSW_M, "efSearch": HNSW_EF_SEARCH, "from_chunks": HNSW_FROM},
            "rows": rows}


def _sentence_search(vectors: np.ndarray, queries: np.ndarray, faiss, hnsw=None) -> dict:
    """Brute-force sentence scoring vs the sentence HNSW index (when the size has one) and an IVF
    index over the sentences (top 50)."""
    k = 50
    t = time.perf_counter()
    kth = []
    for q in queries:
        sims = vectors @ q
        top = np.argpartition(-sims, min(k, len(sims) - 1))[:k]
        kth.append(float(sims[top].min()))
    brute_ms = (time.perf_counter() - t) * 1e3 / len(queries)
    out = {"brute_force_ms": brute_ms}
    if hnsw is not None:
        t = time.perf_counter()
        found = [hnsw.search(q, k)[1] for q in queries]
        ms = (time.perf_counter() - t) * 1e3 / len(queries)
        out["hnsw"] = {"ms": ms, "recall@50": float(np.mean([(scores >= edge - 1e-6).sum() / k
                                                             for scores, edge in zip(found, kth)]))}
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
    for nprobe in (16, 64, 128):
        ivf.nprobe = nprobe
        t = time.perf_counter()
        found = [ivf.search(q[None, :], k)[0][0] for q in queries]
        ms = (time.perf_counter() - t) * 1e3 / len(queries)
        # Tie-aware (sentences repeat in the synthetic library): a hit scores at least the exact 50th score.
        recall = float(np.mean([(scores >= edge - 1e-6).sum() / k for scores, edge in zip(found, kth)]))
        out[f"ivf_nprobe{nprobe}"] = {"ms": ms, "recall@50": recall}
    out["ivf_nlist"] = nlist
    out["ivf_build_s"] = build_s
    return out
