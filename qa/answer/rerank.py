"""Rerank retrieved passages by the sentence that would answer from each.

The fused retrieval scores a chunk by its vector and its BM25 terms; the answer step scores single
sentences (cosine with the question plus coverage of its words, see :meth:`Composer.candidates`).
A passage whose one sentence answers the question can rank 6th–10th on the chunk score and yet hold the
best sentence of all. Ordering the top ``RERANK_POOL`` passages by their best sentence's score, plus
``RANK_WEIGHT / rank`` of their retrieval rank, lets the answer step read it — a late-interaction rerank
with the vectors already in memory, no second model.

Chosen on the 34 spent gold splits pooled (1,112 answerable, 470 unanswerable questions): recall@5
1,042 → 1,056, answer evidence recall .8410 → .8423, false abstentions 20 → 20, unanswerable abstained
416 → 415. A pool of 15 and a weight of 0.1 rank more evidence in the top five (1,059) but answer less
well (.8368). English questions keep the fused order: their sentence scores come from dictionary words,
and reranking them lost 4 of 109. The best of more passages scores higher on any question, so the
abstention threshold still judges the fused ranking's first passages (see :meth:`Composer.select`):
judged on the reranked ones, 6 more unanswerable questions were answered. Known losses: a passage brought
in can hold a sentence that outscores the answer (「…在法治環境方面存在什麼問題」 now gets the remedy
「法治環境方面,健全…」 before the list item 「六是法治環境有待完善」).
"""

from __future__ import annotations

import math
from dataclasses import replace

from qa.answer.composer import Candidates
from qa.answer.layout import SentenceLayout
from qa.retrieval.retriever import Retrieval

RERANK_POOL = 10
RANK_WEIGHT = 0.3


def rerank(retrieval: Retrieval, scored: Candidates, layout: SentenceLayout) -> Retrieval:
    """``retrieval`` with its passages ordered by their best sentence's score plus a share of their rank; each
    passage's score becomes that key (rounded). English questions (translated) keep the fused order."""
    if retrieval.translation is not None:
        return retrieval
    sentence_scores = dict(zip(scored.ids.tolist(), scored.scores.tolist()))

    def key(rank: int) -> float:
        p = retrieval.passages[rank]
        scores = [sentence_scores[s] for s in layout.sentences_in(p.doc_id, p.start, p.end)
                  if math.isfinite(sentence_scores.get(s, -math.inf))]
        return (max(scores) if scores else -1.0) + RANK_WEIGHT / (rank + 1)

    keys = {rank: key(rank) for rank in range(len(retrieval.passages))}
    order = sorted(keys, key=lambda rank: (-keys[rank], rank))
    passages = [retrieval.passages[rank].model_copy(update={"score": round(keys[rank], 6)}) for rank in order]
    return replace(retrieval, passages=passages)
