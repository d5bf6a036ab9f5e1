"""File names inside an index folder, and small helpers that read its manifest."""

from __future__ import annotations

import json
from pathlib import Path

MANIFEST = "manifest.json"
DOCUMENTS = "documents.json"
CHUNKS = "chunks.jsonl"
SENTENCES = "sentences.jsonl"
CHUNK_VECTORS = "chunk_vectors.npy"
SENTENCE_VECTORS = "sentence_vectors.npy"
DENSE = "dense.faiss"
SENTENCE_DENSE = "sentences.faiss"  # only in large libraries (see qa.index.dense.SENTENCE_HNSW_FROM)
LEXICAL = "bm25"
TRANSLATION = "translation.json"  # English question words → library words (absent from indexes built before it)
SKIPPED = "skipped.json"


def read_manifest(index_dir: Path) -> dict | None:
    """The manifest, or None when there is no readable one."""
    try:
        return json.loads((Path(index_dir) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def manifest_hash(index_dir: Path) -> str | None:
    manifest = read_manifest(index_dir)
    return manifest.get("corpus_hash") if manifest else None


def recorded_sources(index_dir: Path) -> list[Path]:
    """The library folders the current index was built from (so ``qa build`` alone rebuilds them)."""
    manifest = read_manifest(index_dir)
    return [Path(s) for s in manifest.get("sources", [])] if manifest else []


def recover(index_dir: Path) -> None:
    """Put back the previous index if a build was killed between its two renames."""
    index_dir = Path(index_dir)
    previous = index_dir.with_name(index_dir.name + ".prev")
    if not index_dir.exists() and (previous / MANIFEST).exists():
        previous.rename(index_dir)
