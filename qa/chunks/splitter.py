"""Split canonical texts into retrieval chunks that end at sentence boundaries.

The splitting itself is langchain-text-splitters' recursive splitter (paragraphs, then sentences,
then clauses, and characters only for a single sentence longer than a chunk); this module adds the
``[start, end)`` offsets into the canonical text and the section heading of each chunk.
"""

from __future__ import annotations

from dataclasses import dataclass

from langchain_text_splitters import RecursiveCharacterTextSplitter

from qa.chunks.sentences import SENTENCE_BOUNDARY
from qa.documents.loader import Document


@dataclass(frozen=True)
class Chunk:
    """A passage of one document: ``document.text[start:end] == text``."""

    chunk_id: int
    doc_id: str
    title: str
    section: str | None
    start: int
    end: int
    text: str


def make_splitter(chunk_size: int, chunk_overlap: int = 0) -> RecursiveCharacterTextSplitter:
    """The configured splitter: paragraph, sentence end, clause, then character as a last resort."""
    return RecursiveCharacterTextSplitter(
        separators=[r"\n", SENTENCE_BOUNDARY, r"(?<=[，,、：:])", ""],
        is_separator_regex=True,
        keep_separator="end",
        chunk_size=chunk_size,
        chunk_overlap=chunk_overlap,
        strip_whitespace=True,
    )


def _section_ranges(doc: Document) -> list[tuple[int, int]]:
    """``[start, end)`` of the text before the first heading and of each heading's section."""
    bounds = sorted({0, *(h.start for h in doc.headings), len(doc.text)})
    return [(a, b) for a, b in zip(bounds, bounds[1:]) if doc.text[a:b].strip()]


def chunk_document(doc: Document, chunk_size: int, chunk_overlap: int = 0, first_id: int = 0) -> list[Chunk]:
    """Chunks of one document, in document order, with offsets located in its canonical text.

    Sections are split separately, so a chunk never spans two sections and a heading always opens
    the first chunk of its section instead of trailing at the end of the previous one.
    """
    splitter = make_splitter(chunk_size, chunk_overlap)
    chunks: list[Chunk] = []
    for sec_start, sec_end in _section_ranges(doc):
        section_text = doc.text[sec_start:sec_end]
        section = doc.section_at(sec_start)
        spans: list[tuple[int, int]] = []
        cursor = 0
        for piece in splitter.split_text(section_text):
            start = section_text.find(piece, cursor)
            if start < 0:  # the splitter only ever returns substrings, in order
                raise AssertionError(f"chunk not found in {doc.doc_id} after offset {sec_start + cursor}")
            cursor = start + 1
            spans.append((sec_start + start, sec_start + start + len(piece)))
        if len(spans) > 1 and section is not None and doc.text[spans[0][0] : spans[0][1]] == section:
            spans[1] = (spans[0][0], spans[1][1])  # a heading alone opens the next chunk instead
            del spans[0]
        for a, b in spans:
            chunks.append(Chunk(first_id + len(chunks), doc.doc_id, doc.title, section, a, b, doc.text[a:b]))
    return chunks


def chunk_documents(docs: list[Document], chunk_size: int, chunk_overlap: int = 0) -> list[Chunk]:
    """Chunks of every document, numbered consecutively."""
    chunks: list[Chunk] = []
    for doc in docs:
        chunks.extend(chunk_document(doc, chunk_size, chunk_overlap, first_id=len(chunks)))
    return chunks
