"""Hybrid retriever: dense (FAISS) and lexical (BM25) candidates, fused, as cited passages."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from qa.answer.contract import Passage
from qa.chunks.splitter import Chunk
from qa.embedding.encoder import Encoder
from qa.index.lexical import simplified_library, to_simplified
from qa.index.store import IndexStore
from qa.retrieval.hybrid import fuse
from qa.retrieval.mentions import DocumentMentions, prefer
from qa.retrieval.merging import SectionMerger, Span
from qa.index.translation import QueryTranslator, Translation

CANDIDATES = 50
# Sections are merged over the top MERGE_WINDOW chunks even when fewer passages are asked for, so that a
# section whose chunks rank 3rd and 8th is returned whole at 3rd (top_k 5 and 10 then agree on their first
# five). Chosen on the spent gold splits: recall@5 +2 questions of 629, none lost.
MERGE_WINDOW = 10
# Section merging and the named-document preference belong to the hybrid retriever; plain baselines stay plain.
MERGED_METHODS = ("rrf", "weighted")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
LATIN_MARGIN = 0.02
# The encoder reads English questions poorly against Chinese text: an English question's translated BM25
# leads. Chosen on the gold dev English questions (evidence rank over 0.0-0.5; 0.2 best).
TRANSLATED_DENSE_WEIGHT = 0.2


@dataclass
class Retrieval:
    """Fused passages plus what the answer step reuses (query vector, raw scores) and timings."""

    passages: list[Passage]
    chunk_ids: list[int]  # the retrieved chunks the passages hold (a merged section holds several), best first
    query_vector: np.ndarray
    dense_scores: dict[int, float]
    lexical_scores: dict[int, float]
    translation: Translation | None = None  # an English question's library words (see translation.py)
    dense_weight: float | None = None  # the weighted fusion's dense weight when not the default
    named: frozenset[str] = frozenset()  # documents the query names (see mentions.py), ranked first
    timing_ms: dict[str, float] = field(default_factory=dict)


def is_latin(text: str) -> bool:
    """Mostly Latin-script text (an English question, an English abstract)."""
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and sum(ch.isascii() for ch in letters) / len(letters) > 0.5


def language_balanced(dense: dict[int, float], latin: np.ndarray) -> dict[int, float]:
    """Dense scores with the Latin-script passages shifted down to just below the best Chinese one.

    A multilingual encoder scores an English question much closer to the library's few English
    passages (abstracts, references) than to any Chinese passage; aligning the groups' tops lets the
    Chinese passages compete on their own merit.
    """
    chinese = {i: s for i, s in dense.items() if not latin[i]}
    latin_group = {i: s for i, s in dense.items() if latin[i]}
    if not chinese or not latin_group:
        return dense
    shift = max(chinese.values()) - LATIN_MARGIN - max(latin_group.values())
    return {**chinese, **{i: s + min(0.0, shift) for i, s in latin_group.items()}}


def is_english(text: str) -> bool:
    """A question written in English: Latin letters and no Chinese character (「Stam1na成立于哪年？」 is a
    Chinese question about a Latin name, and BM25 reads it as it is)."""
    return any(ch.isascii() and ch.isalpha() for ch in text) and not _CJK.search(text)


def passage_of(chunk: Chunk, score: float) -> Passage:
    """A chunk as a cited passage of the answer contract."""
    return Passage(doc_id=chunk.doc_id, title=chunk.title, section=chunk.section, start=chunk.start, end=chunk.end,
                   text=chunk.text, score=score)


def span_passage(store: IndexStore, span: Span) -> Passage:
    """A retrieved span (one chunk, or a merged section) as a cited passage."""
    if len(span.chunk_ids) == 1 and (c := store.chunks[span.chunk_ids[0]]).start == span.start and c.end == span.end:
        return passage_of(c, round(float(span.score), 6))
    doc = store.documents[store.doc_pos[span.doc_id]]
    first = store.chunk_at(span.doc_id, span.start)
    return Passage(doc_id=span.doc_id, title=first.title, section=first.section, start=span.start, end=span.end,
                   text=doc.text[span.start : span.end], score=round(float(span.score), 6))


def retrieval_query(question: str, history: list[str] | None) -> str:
    """The text retrieved for: a follow-up is read together with the question before it."""
    if history:
        return f"{history[-1]} {question}"
    return question


class Retriever:
    """Returns the top passages of the library for a question."""

    def __init__(self, store: IndexStore, encoder: Encoder, fusion: str = "rrf") -> None:
        self.store = store
        self.encoder = encoder
        self.fusion = fusion
        self.latin = np.array([is_latin(c.text) for c in store.chunks], dtype=bool)
        self.sentence_chunk = store.sentence_chunks()
        self.merger = SectionMerger(store.documents, store.chunks)
        self.mentions = DocumentMentions(store.documents)
        self.chunk_doc = [c.doc_id for c in store.chunks]
        self._translator: QueryTranslator | None = None
        self._translator_lock = threading.Lock()

    def translator(self) -> QueryTranslator:
        """The English→library-words translator: the index's, or built once for an index from before it
        (about a second and a half: the dictionary is parsed)."""
        with self._translator_lock:
            if self._translator is None:
                self._translator = self.store.translator or QueryTranslator.build(
                    self.store.lexical.doc_freq, simplified_library([d.text for d in self.store.documents]))
            return self._translator

    def translated(self, query: str) -> Translation:
        """The library words of an English query."""
        return self.translator().translate(query)

    def _top_sentences(self, vector: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Ids and cosines of the sentences closest to the query: by the sentence HNSW index of a
        large library, else by scoring every sentence."""
        if self.store.sentence_index is not None:
            return self.store.sentence_index.search(vector, CANDIDATES)
        sims = self.store.sentence_vectors @ vector
        top = np.argpartition(-sims, min(CANDIDATES, len(sims) - 1))[:CANDIDATES] if len(sims) > CANDIDATES else np.arange(len(sims))
        return top, sims[top]

    def _best_sentence_scores(self, vector: np.ndarray) -> dict[int, float]:
        """Per chunk, the cosine of its best-matching sentence (top candidates only).

        A fact question often matches one sentence far better than the whole passage around it;
        scoring a chunk by max(chunk cosine, best sentence cosine) lifts such passages.
        """
        best: dict[int, float] = {}
        for s, sim in zip(*self._top_sentences(vector)):
            c = int(self.sentence_chunk[s])
            best[c] = max(best.get(c, -1.0), float(sim))
        return best

    def run(self, query: str, top_k: int = 5, fusion: str | None = None) -> Retrieval:
        """Retrieve ``top_k`` passages for ``query`` (questions are matched in Simplified script)."""
        timing: dict[str, float] = {}
        t0 = time.perf_counter()
        named = self.mentions.named(query)
        content = self.mentions.unnamed(query, named) if named else to_simplified(query)
        vector = self.encoder.encode_queries([content])[0]
        t1 = time.perf_counter()
        latin_query = is_latin(query)
        translated = None
        if is_english(query) and self.latin.mean() < 0.5:
            # English words only match the few English passages of a Chinese library: translate them.
            translated = self.translated(query)
            bm25 = self.store.lexical.weighted_scores(translated.terms)
        else:
            bm25 = self.store.lexical.scores(content)
        top = np.argsort(-bm25)[:CANDIDATES]
        lexical = {int(i): float(bm25[i]) for i in top if bm25[i] > 0}
        t_lexical = time.perf_counter()
        ids, scores = self.store.dense.search(vector, CANDIDATES)
        t_index = time.perf_counter()  # timing only: chunk index search vs the sentence scores below
        dense = {int(i): float(s) for i, s in zip(ids, scores)}
        for i, s in self._best_sentence_scores(vector).items():
            dense[i] = max(dense.get(i, -1.0), s)
        if latin_query:
            dense = language_balanced(dense, self.latin)
        t3 = time.perf_counter()
        dense_weight = TRANSLATED_DENSE_WEIGHT if translated is not None else None
        method = fusion or self.fusion
        fused = fuse(dense, lexical, method, dense_weight)
        passages, chunk_ids = self.passages(fused, top_k, method, named)
        t4 = time.perf_counter()
        timing.update(embed=(t1 - t0) * 1e3, dense=(t3 - t_lexical) * 1e3, lexical=(t_lexical - t1) * 1e3, fusion=(t4 - t3) * 1e3,
                      dense_index=(t_index - t_lexical) * 1e3, dense_sentences=(t3 - t_index) * 1e3)
        return Retrieval(passages, chunk_ids, vector, dense, lexical, translated, dense_weight, named, timing)

    def passages(self, fused: list[tuple[int, float]], top_k: int, method: str,
                 named: frozenset[str] = frozenset()) -> tuple[list[Passage], list[int]]:
        """The top passages of a fused chunk ranking — for the hybrid methods, the ``named`` documents' chunks
        first and short sections merged — and the retrieved chunks they hold, in ranking order."""
        if method not in MERGED_METHODS:
            fused = fused[:top_k]
            return [passage_of(self.store.chunks[i], round(float(s), 6)) for i, s in fused], [i for i, _ in fused]
        fused = prefer(fused, self.chunk_doc, named)
        spans = self.merger.merge(fused[:CANDIDATES], max(top_k, MERGE_WINDOW))[:top_k]
        return [span_passage(self.store, s) for s in spans], [i for s in spans for i in s.chunk_ids]
