"""Auto-merging: retrieved chunks of one short section or paragraph are returned as that whole span.

A list spread over numbered sub-sections (「（三）关键特征」 then 「1. …」「2. …」「3. …」) is chunked
one sub-section at a time, and a long paragraph enumerating 「一是…六是…」 is cut into several chunks,
so the top passages hold the heading, or two of the items, and miss the rest. When a top chunk opens a
numbered section or a paragraph of at most ``MAX_SECTION_CHARS`` characters, or two or more top chunks
lie in one, they are replaced by that span (the smallest such one), and the freed places go to the
next chunks of the ranking. The idea is LlamaIndex's auto-merging retriever, over the document's own
heading tree and paragraphs rather than a second chunking.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from qa.chunks.splitter import Chunk
from qa.documents.cleaning import section_end
from qa.documents.loader import Document

# Chosen on gold dev (recall@5 .946 → .959 at 1,000–3,000, no change below): see eval/README.md, "Tuning record".
MAX_SECTION_CHARS = 1500


Section = tuple[str, int, int]  # doc_id, start, end


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
        if h.level is None:
            continue
        j = section_end(headings, i)
        end = headings[j].start if j < len(headings) else len(doc.text)
        while end > h.start and doc.text[end - 1].isspace():
            end -= 1
        spans.append((h.start, end))
    return spans


def _paragraphs(doc: Document) -> list[tuple[int, int]]:
    """[start, end) of every non-empty line, in order. Merging paragraphs too was chosen on the 32 spent gold
    splits (recall@5 979 → 987 of 1,055, answers .840 → .839; CMRC 2018 and DRCD retrieval unchanged)."""
    spans, start = [], 0
    for line in doc.text.split("\n"):
        if line.strip():
            spans.append((start, start + len(line)))
        start += len(line) + 1
    return spans


class SectionMerger:
    """Merges ranked chunks into sections and paragraphs for one index (found once, at load)."""

    def __init__(self, documents: list[Document], chunks: list[Chunk], max_chars: int = MAX_SECTION_CHARS) -> None:
        self.chunks = chunks
        sections = {d.doc_id: [s for s in _sections(d) if s[1] - s[0] <= max_chars] for d in documents}
        paragraphs = {d.doc_id: _paragraphs(d) for d in documents}
        starts = {doc_id: [p[0] for p in spans] for doc_id, spans in paragraphs.items()}
        # For each chunk, the short sections and the short paragraph holding it whole, smallest first (a
        # paragraph within one chunk merges nothing: no chunk opens it and ends before it does).
        self.enclosing: list[list[tuple[int, int]]] = []
        for c in chunks:
            spans = {s for s in sections.get(c.doc_id, ()) if s[0] <= c.start and c.end <= s[1]}
            i = bisect.bisect_right(starts.get(c.doc_id, []), c.start) - 1
            if i >= 0 and (p := paragraphs[c.doc_id][i])[1] >= c.end and p[1] - p[0] <= max_chars:
                spans.add(p)
            self.enclosing.append(sorted(spans, key=lambda s: (s[1] - s[0], s)))

    def merge(self, ranked: list[tuple[int, float]], top_k: int) -> list[Span]:
        """The first ``top_k`` passages of a ranking of (chunk id, score), best first, with merging."""
        window, rest = list(ranked[:top_k]), list(ranked[top_k:])
        while True:
            spans = self._group(window)
            if len(spans) >= top_k or not rest:
                return spans[:top_k]
            while rest:  # the next chunk; one inside a merged section joins it without taking a place
                window.append(rest.pop(0))
                chunk = self.chunks[window[-1][0]]
                if not any(s.doc_id == chunk.doc_id and s.start <= chunk.start and chunk.end <= s.end for s in spans):
                    break

    def _section_of(self, chunk_id: int, members: dict[Section, list[int]]) -> Section | None:
        """The smallest short section the chunk opens or shares with another chunk of the window."""
        c = self.chunks[chunk_id]
        return next(((c.doc_id, s, e) for s, e in self.enclosing[chunk_id]
                     if len(members[(c.doc_id, s, e)]) >= 2 or (s == c.start and e > c.end)), None)

    def _group(self, window: list[tuple[int, float]]) -> list[Span]:
        """The window's chunks in ranking order, those of one chosen section merged into it (placed at its
        best chunk); a chosen section inside another chosen one joins the outer one."""
        members: dict[Section, list[int]] = {}
        for chunk_id, _ in window:
            for start, end in self.enclosing[chunk_id]:
                members.setdefault((self.chunks[chunk_id].doc_id, start, end), []).append(chunk_id)
        chosen = {i: key for i, _ in window if (key := self._section_of(i, members)) is not None}
        sections = set(chosen.values())
        for i, key in chosen.items():
            chosen[i] = max((k for k in sections if k[0] == key[0] and k[1] <= key[1] and key[2] <= k[2]),
                            key=lambda k: k[2] - k[1])
        spans: list[Span] = []
        position: dict[Section, int] = {}
        for chunk_id, score in window:
            key = chosen.get(chunk_id)
            if key is None:
                c = self.chunks[chunk_id]
                spans.append(Span(c.doc_id, c.start, c.end, (chunk_id,), score))
            elif key in position:  # ranked below the section's best chunk: only joins it
                first = spans[position[key]]
                spans[position[key]] = Span(*key, first.chunk_ids + (chunk_id,), first.score)
            else:
                position[key] = len(spans)
                spans.append(Span(*key, (chunk_id,), score))
        return spans
