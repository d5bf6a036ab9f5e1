"""Load a built index and check it is whole and matches the configured model before serving from it."""

from __future__ import annotations

import bisect
import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from qa.chunks.splitter import Chunk
from qa.documents.cleaning import Heading
from qa.documents.loader import Document
from qa.index import layout
from qa.index.dense import SENTENCE_EF_SEARCH, DenseIndex
from qa.index.lexical import LexicalIndex
from qa.index.translation import QueryTranslator

REBUILD_HINT = "Rebuild it with `qa build` (or delete the folder and run `qa serve`, which builds on first use)."


_CHECKSUMMED = (layout.DOCUMENTS, layout.CHUNKS, layout.SENTENCES, layout.CHUNK_VECTORS, layout.SENTENCE_VECTORS,
                layout.DENSE)


class IndexError(RuntimeError):  # noqa: A001 - the name users see in error messages
    """The index is missing, incomplete, corrupted or built with another model."""


@dataclass
class IndexStore:
    """Everything retrieval and answering read: documents, chunks, sentences, vectors, indexes."""

    manifest: dict
    documents: list[Document]
    chunks: list[Chunk]
    sentence_doc: np.ndarray
    sentence_start: np.ndarray
    sentence_end: np.ndarray
    sentence_vectors: np.ndarray
    dense: DenseIndex
    lexical: LexicalIndex
    sentence_index: DenseIndex | None = None  # large libraries only; else sentences are scored by brute force
    translator: QueryTranslator | None = None  # None in an index built before translation.json existed

    @cached_property
    def doc_pos(self) -> dict[str, int]:
        """Each document's position in ``documents`` (and in the per-document sentence bounds)."""
        return {d.doc_id: i for i, d in enumerate(self.documents)}

    def sentence_chunks(self) -> np.ndarray:
        """For each sentence, the id of the chunk holding its start."""
        return np.array([self.chunk_at(self.documents[int(d)].doc_id, int(a)).chunk_id
                         for d, a in zip(self.sentence_doc, self.sentence_start)], dtype=np.int64)

    def chunk_at(self, doc_id: str, offset: int) -> Chunk:
        """The chunk of ``doc_id`` that holds character ``offset``."""
        if not hasattr(self, "_chunk_starts"):
            self._chunk_starts: dict[str, list[tuple[int, int]]] = {}
            for i, c in enumerate(self.chunks):
                self._chunk_starts.setdefault(c.doc_id, []).append((c.start, i))
        starts = self._chunk_starts[doc_id]
        pos = max(0, bisect.bisect_right(starts, (offset, len(self.chunks))) - 1)
        return self.chunks[starts[pos][1]]


def verify(index_dir: Path) -> dict:
    """The manifest, after checking every file against its recorded SHA-256."""
    manifest = layout.read_manifest(index_dir)
    if manifest is None:
        raise IndexError(f"no index in {index_dir} (manifest.json missing or unreadable). {REBUILD_HINT}")
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, dict):
        raise IndexError(f"manifest.json in {index_dir} is not a valid index manifest. {REBUILD_HINT}")
    unchecked = [name for name in _CHECKSUMMED if name not in files]
    if not any(name.startswith(layout.LEXICAL + "/") for name in files):
        unchecked.append(layout.LEXICAL)
    if unchecked:
        raise IndexError(f"manifest.json in {index_dir} has no checksum for {', '.join(unchecked)}. {REBUILD_HINT}")
    for name, digest in files.items():
        path = index_dir / name
        if not path.exists():
            raise IndexError(f"index file {path} is missing. {REBUILD_HINT}")
        if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            raise IndexError(f"index file {path} is corrupted (checksum mismatch). {REBUILD_HINT}")
    return manifest


def _documents(path: Path) -> list[Document]:
    docs = []
    for d in json.loads(path.read_text(encoding="utf-8")):
        docs.append(Document(
            doc_id=d["doc_id"], title=d["title"], text=d["text"],
            headings=[Heading(a, t) for a, t in d["headings"]], authors=tuple(d.get("authors", ())),
            venue=d.get("venue"), date=d.get("date"), script=d.get("script") or "Simplified",
            aliases=tuple(d.get("aliases", ())),
            source=d.get("source", ""), sha256=d.get("sha256", ""),
        ))
    return docs


def load_store(index_dir: Path, model_fingerprint: str | None = None) -> IndexStore:
    """Load and verify an index; ``model_fingerprint`` must match the one it was built with."""
    index_dir = Path(index_dir)
    layout.recover(index_dir)
    manifest = verify(index_dir)
    if model_fingerprint is not None and manifest.get("model_fingerprint") != model_fingerprint:
        raise IndexError(
            f"index in {index_dir} was built with model {manifest.get('model')!r} (or other prompts), "
            f"not the configured one. {REBUILD_HINT}"
        )
    try:
        documents = _documents(index_dir / layout.DOCUMENTS)
        with open(index_dir / layout.CHUNKS, encoding="utf-8") as f:
            chunks = [Chunk(**{k: v for k, v in json.loads(line).items() if k != "key"}) for line in f]
        with open(index_dir / layout.SENTENCES, encoding="utf-8") as f:
            rows = np.array([[r["doc"], r["start"], r["end"]] for r in map(json.loads, f)], dtype=np.int64).reshape(-1, 3)
        store = IndexStore(
            manifest=manifest, documents=documents, chunks=chunks,
            sentence_doc=rows[:, 0], sentence_start=rows[:, 1], sentence_end=rows[:, 2],
            sentence_vectors=np.load(index_dir / layout.SENTENCE_VECTORS),
            dense=DenseIndex.load(index_dir / layout.DENSE),
            lexical=LexicalIndex.load(index_dir / layout.LEXICAL, len(chunks)),
            sentence_index=DenseIndex.load(index_dir / layout.SENTENCE_DENSE, SENTENCE_EF_SEARCH)
            if (index_dir / layout.SENTENCE_DENSE).exists() else None,
        )
        if (index_dir / layout.TRANSLATION).exists():
            store.translator = QueryTranslator.load(index_dir / layout.TRANSLATION, store.lexical.doc_freq)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise IndexError(f"index in {index_dir} cannot be read: {exc}. {REBUILD_HINT}") from exc
    if store.dense.size != len(chunks) or len(store.sentence_vectors) != len(rows) or \
            (store.sentence_index is not None and store.sentence_index.size != len(rows)):
        raise IndexError(f"index in {index_dir} is inconsistent (vector and chunk counts differ). {REBUILD_HINT}")
    return store
