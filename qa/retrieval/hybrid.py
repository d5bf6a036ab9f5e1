"""Fuse dense and lexical rankings into one: reciprocal-rank fusion or a weighted score sum.

Both methods sit behind :func:`fuse`, so the choice is one setting (``QA_FUSION``) and the
evaluation can compare them on the gold set.
"""

from __future__ import annotations

import numpy as np

RRF_K = 60
DENSE_WEIGHT = 0.5
METHODS = ("rrf", "weighted", "dense", "lexical")


def _ranked(scores: dict[int, float]) -> list[int]:
    return sorted(scores, key=lambda i: (-scores[i], i))


def rrf(dense: dict[int, float], lexical: dict[int, float], k: int = RRF_K) -> dict[int, float]:
    """Reciprocal-rank fusion: sum of 1/(k + rank) over the two rankings."""
    fused: dict[int, float] = {}
    for ranking in (_ranked(dense), _ranked(lexical)):
        for rank, idx in enumerate(ranking):
            fused[idx] = fused.get(idx, 0.0) + 1.0 / (k + rank + 1)
    return fused


def weighted(dense: dict[int, float], lexical: dict[int, float], dense_weight: float | None = None) -> dict[int, float]:
    """Weighted sum of min-max normalised scores (a chunk absent from one list scores 0 there)."""

    def norm(scores: dict[int, float]) -> dict[int, float]:
        if not scores:
            return {}
        values = np.fromiter(scores.values(), dtype=np.float64)
        lo, hi = float(values.min()), float(values.max())
        span = hi - lo or 1.0
        return {i: (s - lo) / span for i, s in scores.items()}

    dense_weight = DENSE_WEIGHT if dense_weight is None else dense_weight
    d, l = norm(dense), norm(lexical)
    return {i: dense_weight * d.get(i, 0.0) + (1 - dense_weight) * l.get(i, 0.0) for i in set(d) | set(l)}


def fuse(dense: dict[int, float], lexical: dict[int, float], method: str = "rrf",
         dense_weight: float | None = None) -> list[tuple[int, float]]:
    """Chunk ids with fused scores, best first (``dense_weight`` only matters to the weighted sum)."""
    if method == "rrf":
        scores = rrf(dense, lexical)
    elif method == "weighted":
        scores = weighted(dense, lexical, dense_weight)
    elif method == "dense":
        scores = dict(dense)
    elif method == "lexical":
        scores = {i: s for i, s in lexical.items() if s > 0}
    else:
        raise ValueError(f"unknown fusion method {method!r}; choose one of {', '.join(METHODS)}")
    return [(i, scores[i]) for i in _ranked(scores)]
