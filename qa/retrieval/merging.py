"""Auto-merging: retrieved chunks of one short section are returned as that whole section.

A list spread over numbered sub-sections (「（三）关键特征」 then 「1. …」「2. …」「3. …」) is chunked
one sub-section at a time, so the top passages hold the section's heading, or two of its items, and
miss the rest. When a top chunk opens a numbered section of at most ``MAX_SECTION_CHARS`` characters,
or two or more top chunks lie in one, they are replaced by that section (the smallest such one), and
the freed places go to the next chunks of the ranking. The idea is LlamaIndex's auto-merging retriever, over the document's own
heading tree rather than a second chunking.
"""

from __future__ import annotations

from dataclasses import dataclass

from qa.chunks.splitter import Chunk
from qa.documents.loader import Document

# Chosen on gold dev (recall@5 .946 → .959 at 1,000–3,000, no change below): see eval/README.md, "Tuning record".
MAX_SECTION_CHARS = 1500


@dataclass(frozen=True)
class Span:
    """A retrieved passage: one chunk, or a section merged from several; ``chunk_ids`` in ranking order."""

    doc_id: str
    start: int
    end: int
    chunk_ids: tuple[int, ...]
    score: float


def _sections(doc: Document) -> list[tuple[int, int]]:
    """[start, end) of every numbered heading's section: up to the next heading at its level or above."""
    headings = doc.headings
    spans = []
    for i, h in enumerate(headings):
        level = h.level
        if level is None:
            continue
        end = next((g.start for g in headings[i + 1:] if g.level is None or g.level <= level), len(doc.text))
        while end > h.start and doc.text[end - 1].isspace():
            end -= 1
        spans.append((h.start, end))
    return spans


class SectionMerger:
    """Merges ranked chunks into sections for one index (the sections are found once, at load)."""

    def __init__(self, documents: list[Document], chunks: list[Chunk], max_chars: int = MAX_SECTION_CHARS) -> None:
        self.chunks = chunks
        self.max_chars = max_chars
        short = {d.doc_id: sorted(s for s in _sections(d) if s[1] - s[0] <= max_chars) for d in documents}
        # For each chunk, the short sections holding it whole, smallest first.
        self.enclosing: list[list[tuple[int, int]]] = []
        for c in chunks:
            spans = [s for s in short.get(c.doc_id, ()) if s[0] <= c.start and c.end <= s[1]]
            self.enclosing.append(sorted(spans, key=lambda s: s[1] - s[0]))

    def merge(self, ranked: list[tuple[int, float]], top_k: int) -> list[Span]:
        """The first ``top_k`` passages of a ranking of (chunk id, score), best first, with merging."""
        window = list(ranked[:top_k])
        rest = list(ranked[top_k:])
        while True:
            spans = self._group(window)
            if len(spans) >= top_k or not rest:
                return spans[:top_k]
            covered = {i for s in spans for i in s.chunk_ids}
            while rest and len(spans) < top_k:
                chunk_id, score = rest.pop(0)
                if chunk_id in covered:
                    continue
                c = self.chunks[chunk_id]
                if any(s.doc_id == c.doc_id and s.start <= c.start and c.end <= s.end for s in spans):
                    window.append((chunk_id, score))
                    continue
                window.append((chunk_id, score))
                break

    def _group(self, window: list[tuple[int, float]]) -> list[Span]:
        """Chunks of the window, those sharing a short section merged into it, in ranking order."""
        members: dict[tuple[str, int, int], list[int]] = {}
        for chunk_id, _ in window:
            for start, end in self.enclosing[chunk_id]:
                members.setdefault((self.chunks[chunk_id].doc_id, start, end), []).append(chunk_id)
        chosen: dict[int, tuple[str, int, int]] = {}
        for chunk_id, _ in window:
            c = self.chunks[chunk_id]
            key = next(((c.doc_id, s, e) for s, e in self.enclosing[chunk_id]
                        if len(members[(c.doc_id, s, e)]) >= 2 or (s == c.start and e > c.end)), None)
            if key is not None:
                chosen[chunk_id] = key
        for chunk_id, key in list(chosen.items()):  # a chosen section inside another chosen one joins it
            outer = [k for k in set(chosen.values()) if k[0] == key[0] and k[1] <= key[1] and key[2] <= k[2]]
            chosen[chunk_id] = max(outer, key=lambda k: k[2] - k[1])
        spans: list[Span] = []
        seen: dict[tuple[str, int, int], int] = {}
        scores = dict(window)
        for chunk_id, score in window:
            key = chosen.get(chunk_id)
            if key is None:
                c = self.chunks[chunk_id]
                spans.append(Span(c.doc_id, c.start, c.end, (chunk_id,), score))
            elif key in seen:
                s = spans[seen[key]]
                spans[seen[key]] = Span(s.doc_id, s.start, s.end, s.chunk_ids + (chunk_id,), max(s.score, scores[chunk_id]))
            else:
                seen[key] = len(spans)
                spans.append(Span(key[0], key[1], key[2], (chunk_id,), score))
        return spans
