"""FAISS index over chunk vectors: exact inner product for small libraries, HNSW for large ones."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

HNSW_FROM = 50_000  # below this, exact search is fast enough (≈ 10 ms at 50k x 384)
HNSW_M = 32
HNSW_EF_SEARCH = 256  # recall@10 vs exact 0.988 at 100k chunks (qa bench scale sweep); 128 gave 0.973
# Sentence vectors are scored by one matrix product (~5 ms per 100k sentences) up to this many; a
# larger library (≈ 23,000 chunks and up) also gets an HNSW index over its sentences.
SENTENCE_HNSW_FROM = 200_000
SENTENCE_EF_SEARCH = 512  # top-50 sentences at 860k: 256 found 0.962 of the brute-force ones (qa bench scale)


class DenseIndex:
    """Cosine similarity search (vectors are L2-normalised, so inner product = cosine)."""

    def __init__(self, index: faiss.Index, ef_search: int = HNSW_EF_SEARCH) -> None:
        self.index = index
        if isinstance(index, faiss.IndexHNSWFlat):
            index.hnsw.efSearch = ef_search

    @classmethod
    def build(cls, vectors: np.ndarray, approximate: bool | None = None, ef_search: int = HNSW_EF_SEARCH) -> "DenseIndex":
        """Exact index, or HNSW when ``approximate`` (default: from :data:`HNSW_FROM` chunks on)."""
        n, dim = vectors.shape
        approximate = n >= HNSW_FROM if approximate is None else approximate
        if approximate:
            index: faiss.Index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = 200
        else:
            index = faiss.IndexFlatIP(dim)
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index, ef_search)

    def save(self, path: Path) -> None:
        faiss.write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path, ef_search: int = HNSW_EF_SEARCH) -> "DenseIndex":
        return cls(faiss.read_index(str(path)), ef_search)

    @property
    def size(self) -> int:
        return int(self.index.ntotal)

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` chunk ids and cosine scores for one query vector."""
        k = min(k, self.size)
        scores, ids = self.index.search(np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32), k)
        keep = ids[0] >= 0
        return ids[0][keep], scores[0][keep]
