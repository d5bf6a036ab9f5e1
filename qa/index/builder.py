"""``qa build``: documents → chunks → vectors + BM25 → an index folder, swapped in atomically.

The new index is written to a temporary sibling folder and renamed into place only when complete,
so a failed or killed build never destroys the last good index. Vectors of chunks and sentences
whose text did not change are reused from the previous index (same model and prompt).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import time
from dataclasses import asdict
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import numpy as np
from filelock import FileLock, Timeout

from qa.chunks.sentences import sentence_spans
from qa.chunks.splitter import Chunk, chunk_documents
from qa.config import Settings
from qa.documents.loader import Document, Skipped, deduplicate, load_folder
from qa.embedding.encoder import Encoder
from qa.index import layout
from qa.index.dense import SENTENCE_EF_SEARCH, SENTENCE_HNSW_FROM, DenseIndex
from qa.index.lexical import LexicalIndex, simplified_library, to_simplified
from qa.index.translation import QueryTranslator

FORMAT_VERSION = 6  # bump when cleaning, chunking, sentence splitting, tokenising or the translation table changes


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def load_library(sources: list[Path]) -> tuple[list[Document], list[Skipped]]:
    """Documents of every source folder; duplicates across folders are skipped, ids kept unique."""
    documents: list[Document] = []
    skipped: list[Skipped] = []
    for folder in sources:
        docs, skips = load_folder(folder)
        documents.extend(docs)
        skipped.extend(skips)
    unique, duplicates = deduplicate(documents)
    return unique, skipped + duplicates


def corpus_hash(documents: list[Document], settings: Settings, model_fingerprint: str) -> str:
    """Changes when any input of the index changes: texts, metadata, chunking, model, format."""
    h = hashlib.sha256(f"v{FORMAT_VERSION}|{settings.chunk_size}|{settings.chunk_overlap}|{model_fingerprint}".encode())
    for doc in documents:
        h.update(json.dumps(doc.metadata(), ensure_ascii=False, sort_keys=True).encode())
        h.update(doc.sha256.encode())
    return h.hexdigest()


def _library_versions() -> dict[str, str]:
    names = ["sentence-transformers", "torch", "faiss-cpu", "bm25s", "jieba", "opencc",
             "langchain-text-splitters"]
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _text_key(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def _cached_vectors(index_dir: Path, fingerprint: str) -> dict[str, np.ndarray]:
    """Text-hash → vector from the previous index, when it was built with the same model and prompt."""
    try:
        manifest = json.loads((index_dir / layout.MANIFEST).read_text())
        if manifest.get("model_fingerprint") != fingerprint:
            return {}
        cache: dict[str, np.ndarray] = {}
        for texts_file, vectors_file in ((layout.CHUNKS, layout.CHUNK_VECTORS), (layout.SENTENCES, layout.SENTENCE_VECTORS)):
            vectors = np.load(index_dir / vectors_file)
            with open(index_dir / texts_file, encoding="utf-8") as f:
                for row, line in zip(vectors, f):
                    cache[json.loads(line)["key"]] = row
        return cache
    except (OSError, ValueError, KeyError):
        return {}


def _embed(encoder: Encoder, texts: list[str], cache: dict[str, np.ndarray], label: str) -> np.ndarray:
    keys = [_text_key(t) for t in texts]
    todo = sorted({i for i, k in enumerate(keys) if k not in cache}, key=lambda i: keys[i])
    todo_texts = list(dict.fromkeys(texts[i] for i in todo))
    _say(f"{label}: {len(texts)} texts, {len(texts) - len(todo)} from cache, {len(todo_texts)} to encode")
    if todo_texts:
        fresh = encoder.encode_passages(todo_texts, show_progress=True)
        cache.update({_text_key(t): v for t, v in zip(todo_texts, fresh)})
    if not texts:
        return np.zeros((0, encoder.dimension), dtype=np.float32)
    return np.stack([cache[k] for k in keys]).astype(np.float32)


def _sentences(documents: list[Document]) -> list[tuple[int, int, int]]:
    """(document index, start, end) of every sentence of the library."""
    return [(d, a, b) for d, doc in enumerate(documents) for a, b in sentence_spans(doc.text)]


def _file_digests(folder: Path) -> dict[str, str]:
    digests = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != layout.MANIFEST):
        digests[path.relative_to(folder).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def _write(tmp: Path, documents: list[Document], chunks: list[Chunk], sentences: list[tuple[int, int, int]],
           chunk_vectors: np.ndarray, sentence_vectors: np.ndarray, skipped: list[Skipped]) -> None:
    docs_json = [{**doc.metadata(), "authors": list(doc.authors), "text": doc.text, "source": doc.source,
                  "sha256": doc.sha256, "headings": [[h.start, h.text] for h in doc.headings]} for doc in documents]
    (tmp / layout.DOCUMENTS).write_text(json.dumps(docs_json, ensure_ascii=False), encoding="utf-8")
    with open(tmp / layout.CHUNKS, "w", encoding="utf-8") as f:
        for chunk in chunks:
            key = _text_key(to_simplified(chunk.text))
            f.write(json.dumps({**asdict(chunk), "key": key}, ensure_ascii=False) + "\n")
    with open(tmp / layout.SENTENCES, "w", encoding="utf-8") as f:
        for d, a, b in sentences:
            key = _text_key(to_simplified(documents[d].text[a:b]))
            f.write(json.dumps({"doc": d, "start": a, "end": b, "key": key}) + "\n")
    np.save(tmp / layout.CHUNK_VECTORS, chunk_vectors)
    np.save(tmp / layout.SENTENCE_VECTORS, sentence_vectors)
    DenseIndex.build(chunk_vectors).save(tmp / layout.DENSE)
    if len(sentence_vectors) >= SENTENCE_HNSW_FROM:
        _say(f"sentences: HNSW index over {len(sentence_vectors):,} sentence vectors")
        DenseIndex.build(sentence_vectors, approximate=True, ef_search=SENTENCE_EF_SEARCH).save(tmp / layout.SENTENCE_DENSE)
    lexical = LexicalIndex.build([c.text for c in chunks])
    lexical.save(tmp / layout.LEXICAL)
    QueryTranslator.build(lexical.doc_freq, simplified_library([d.text for d in documents])).save(tmp / layout.TRANSLATION)
    (tmp / layout.SKIPPED).write_text(json.dumps([asdict(s) for s in skipped], ensure_ascii=False, indent=1))


def _remove_stale_builds(index_dir: Path) -> None:
    """Delete temporary folders left by builds that were killed before their swap (never the index)."""
    for stale in index_dir.parent.glob(f".{index_dir.name}.tmp-*"):
        if stale.is_dir():
            _say(f"removing {stale}, left by an interrupted build")
            shutil.rmtree(stale, ignore_errors=True)


def swap_in(tmp: Path, index_dir: Path) -> None:
    """Replace ``index_dir`` by ``tmp`` with two renames; the old index survives until the new one is in place."""
    previous = index_dir.with_name(index_dir.name + ".prev")
    if previous.exists():
        shutil.rmtree(previous)
    if index_dir.exists():
        index_dir.rename(previous)
    tmp.rename(index_dir)
    shutil.rmtree(previous, ignore_errors=True)


def build_index(settings: Settings, sources: list[Path] | None = None, force: bool = False,
                encoder: Encoder | None = None) -> Path:
    """Build (or refresh) the index of the library in ``sources`` (default: the seeds folder).

    One build per index folder at a time (a lock file beside it): a second build waits, then finds
    the index up to date or builds on top of the first one's result.
    """
    index_dir = Path(settings.index_dir)
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(index_dir.with_name(f".{index_dir.name}.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        _say(f"another build of {index_dir} is running; waiting for it to finish")
        lock.acquire()
    try:
        return _build(settings, index_dir, sources, force, encoder)
    finally:
        lock.release()


def _build(settings: Settings, index_dir: Path, sources: list[Path] | None, force: bool,
           encoder: Encoder | None) -> Path:
    started = time.perf_counter()
    layout.recover(index_dir)  # a build killed between its two renames: its library folders are recorded there
    sources = [Path(s) for s in (sources or layout.recorded_sources(index_dir) or [settings.seeds_dir])]
    documents, skipped = load_library(sources)
    for skip in skipped:
        _say(f"skipped {skip.path}: {skip.reason}")
    if not documents:
        raise ValueError(f"no usable documents in {', '.join(map(str, sources))}")
    encoder = encoder or Encoder.load(settings)
    digest = corpus_hash(documents, settings, encoder.fingerprint)
    if not force and layout.manifest_hash(index_dir) == digest:
        _say(f"index in {index_dir} is up to date ({len(documents)} documents); nothing to do")
        return index_dir

    chunks = chunk_documents(documents, settings.chunk_size, settings.chunk_overlap)
    sentences = _sentences(documents)
    _say(f"{len(documents)} documents → {len(chunks)} chunks, {len(sentences)} sentences")
    cache = _cached_vectors(index_dir, encoder.fingerprint)
    # Embedded in Simplified script, like the questions: the model matches across scripts less well.
    chunk_vectors = _embed(encoder, [to_simplified(c.text) for c in chunks], cache, "chunks")
    sentence_vectors = _embed(encoder, [to_simplified(documents[d].text[a:b]) for d, a, b in sentences], cache, "sentences")

    _remove_stale_builds(index_dir)
    tmp = index_dir.with_name(f".{index_dir.name}.tmp-{int(time.time() * 1000)}")
    tmp.mkdir()
    try:
        _write(tmp, documents, chunks, sentences, chunk_vectors, sentence_vectors, skipped)
        manifest = {
            "format_version": FORMAT_VERSION,
            "model": encoder.model_id,
            "model_fingerprint": encoder.fingerprint,
            "dimension": encoder.dimension,
            "query_prompt": encoder.query_prompt,
            "passage_prompt": encoder.passage_prompt,
            "chunk_size": settings.chunk_size,
            "chunk_overlap": settings.chunk_overlap,
            "corpus_hash": digest,
            "sources": [str(s) for s in sources],
            "documents": len(documents),
            "chunks": len(chunks),
            "sentences": len(sentences),
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "libraries": _library_versions(),
            "files": _file_digests(tmp),
        }
        (tmp / layout.MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        swap_in(tmp, index_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _say(f"index written to {index_dir} in {time.perf_counter() - started:.1f} s")
    return index_dir


def ensure_index(settings: Settings) -> Path:
    """The index folder, built from the seeds first when there is none."""
    index_dir = Path(settings.index_dir)
    layout.recover(index_dir)
    if not (index_dir / layout.MANIFEST).exists():
        _say(f"no index in {index_dir}: building it from {settings.seeds_dir} (first run only)")
        build_index(settings)
    return index_dir
