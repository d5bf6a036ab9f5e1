"""Read a folder of source files into cleaned :class:`Document` objects.

Accepts ``.txt`` and ``.md`` in UTF-8, GB18030 or Big5 (and UTF-16 with a byte-order mark). A file that cannot be used (empty, binary,
undecodable, too large, a duplicate) is skipped with a message naming it; the rest still load.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from opencc import OpenCC

from qa.documents.catalog import CatalogEntry, load_catalog
from qa.documents.cleaning import CleanText, Heading, clean_text

SUFFIXES = (".txt", ".md")
MAX_FILE_BYTES = 20 * 1024 * 1024
MIN_PLAUSIBILITY = 0.5  # real Chinese text scores above 0.9; another encoding's bytes far below
_t2s = OpenCC("t2s")


@dataclass
class Document:
    """One source text: its canonical (cleaned) text, where its headings are, and its metadata."""

    doc_id: str
    title: str
    text: str
    headings: list[Heading] = field(default_factory=list)
    authors: tuple[str, ...] = ()
    venue: str | None = None
    date: str | None = None
    script: str = "Simplified"
    aliases: tuple[str, ...] = ()
    source: str = ""
    sha256: str = ""

    def section_at(self, offset: int) -> str | None:
        """Heading of the section holding ``offset`` (None before the first heading)."""
        return CleanText(self.text, self.headings).section_at(offset)

    def metadata(self) -> dict[str, object]:
        """Catalogue fields as a plain dict (for the API and the index)."""
        return {
            "doc_id": self.doc_id,
            "title": self.title,
            "author": ", ".join(self.authors) or None,
            "venue": self.venue,
            "date": self.date,
            "script": self.script,
            "aliases": list(self.aliases),
            "chars": len(self.text),
        }


@dataclass(frozen=True)
class Skipped:
    """A file left out of the library, and why."""

    path: str
    reason: str


class DecodeError(ValueError):
    """A file's bytes are not text in any supported encoding."""


_CJK_PUNCTUATION = frozenset("，。、；：？！“”‘’（）《》【】—…·「」『』〈〉％＋－．／０１２３４５６７８９")


def _is_common_han(ch: str) -> bool:
    if not "\u4e00" <= ch <= "\u9fff":
        return False
    try:
        ch.encode("gb2312")  # the ~6,800 characters of everyday Simplified text
    except UnicodeEncodeError:
        return False
    return True


def _plausibility(text: str) -> float:
    """Share of the non-ASCII characters that are CJK punctuation or common Han characters (in either
    script): high for real Chinese text, low for GB18030 bytes read as Big5 or the other way round."""
    sample = "".join(ch for ch in text[:20_000] if ord(ch) > 0x7F and not ch.isspace())
    if not sample:
        return 1.0
    simplified = _t2s.convert(sample)
    good = sum(a in _CJK_PUNCTUATION or _is_common_han(a) or _is_common_han(b) for a, b in zip(sample, simplified))
    return good / len(sample)


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode as UTF-8, else GB18030 or Big5: whichever decodes strictly, the more plausible if both do.
    UTF-16 is read when the file starts with its byte-order mark (Windows Notepad's "Unicode")."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise DecodeError("starts with a UTF-16 byte-order mark but is not UTF-16 text") from None
        if "\x00" in text:
            raise DecodeError("binary file (contains NUL characters)")
        return text, "utf-16"
    if b"\x00" in data[:65536]:
        raise DecodeError("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    candidates = []
    for encoding in ("gb18030", "big5"):
        try:
            candidates.append((data.decode(encoding), encoding))
        except UnicodeDecodeError:
            pass
    if not candidates:
        raise DecodeError("not UTF-8, GB18030 or Big5 text")
    scored = [(_plausibility(text), text, encoding) for text, encoding in candidates]
    score, text, encoding = max(scored, key=lambda c: c[0])  # GB18030 on a tie
    if score < MIN_PLAUSIBILITY:
        raise DecodeError(f"not UTF-8, GB18030 or Big5 text (as {encoding} it reads as gibberish)")
    return text, encoding


def detect_script(text: str) -> str:
    """'Traditional' when converting to Simplified changes a noticeable share of Han characters."""
    sample = "".join(ch for ch in text[:5000] if "\u4e00" <= ch <= "\u9fff")
    if not sample:
        return "Simplified"
    changed = sum(a != b for a, b in zip(sample, _t2s.convert(sample)))
    return "Traditional" if changed / len(sample) > 0.03 else "Simplified"


def _slug(stem: str) -> str:
    slug = re.sub(r"[^0-9A-Za-z\u4e00-\u9fff_-]+", "-", stem).strip("-").lower()
    return slug or "doc"


def _title_from(clean: CleanText, path: Path) -> str:
    for line in clean.text.split("\n")[:5]:
        line = line.lstrip("# ").strip()
        if line:
            return line[:60]
    return path.stem


def display_path(path: Path | str) -> str:
    """``path`` as printable text, even when its name is not valid UTF-8 (bad bytes shown as ``\\xNN``)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def text_digest(doc: Document) -> str:
    """SHA-256 of a document's canonical text: the same text in two files or encodings is one document."""
    return hashlib.sha256(doc.text.encode("utf-8")).hexdigest()


def load_document(path: Path, entry: CatalogEntry | None = None) -> Document:
    """Load and clean one file; raises ``ValueError`` with the reason if it cannot be used."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:  # checked before reading: a huge file is never loaded into memory
        raise ValueError(f"file is {size / 1e6:.1f} MB, over the {MAX_FILE_BYTES // 1024 // 1024} MB limit")
    data = path.read_bytes()
    if not data.strip():
        raise ValueError("empty file")
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"file is {len(data) / 1e6:.1f} MB, over the {MAX_FILE_BYTES // 1024 // 1024} MB limit")
    raw, _encoding = decode_bytes(data)
    clean = clean_text(raw)
    if not clean.text.strip():
        raise ValueError("no text after cleaning")
    entry = entry or CatalogEntry(file=path.name)
    return Document(
        doc_id=entry.doc_id or _slug(path.stem),
        title=entry.title or _title_from(clean, path),
        text=clean.text,
        headings=clean.headings,
        authors=entry.authors,
        venue=entry.venue,
        date=entry.date,
        script=entry.script or detect_script(clean.text),
        aliases=entry.aliases,
        source=display_path(path),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def load_folder(folder: Path) -> tuple[list[Document], list[Skipped]]:
    """Every usable document of ``folder`` (sorted by file name) and the files skipped, with reasons."""
    if not folder.is_dir():
        raise FileNotFoundError(f"library folder not found: {folder}")
    catalog = load_catalog(folder)
    documents: list[Document] = []
    skipped: list[Skipped] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES):
        rel = path.relative_to(folder).as_posix()
        try:
            doc = load_document(path, catalog.get(rel) or catalog.get(path.name))
        except (ValueError, OSError) as exc:
            skipped.append(Skipped(display_path(path), str(exc)))
            continue
        documents.append(doc)
    unique, duplicates = deduplicate(documents)
    return unique, skipped + duplicates


def deduplicate(documents: list[Document]) -> tuple[list[Document], list[Skipped]]:
    """The documents minus repeats of an earlier one's text (skipped, naming it), with doc_ids made
    unique by a ``-2``, ``-3`` … suffix."""
    unique: list[Document] = []
    skipped: list[Skipped] = []
    seen_hashes: dict[str, str] = {}
    seen_ids: set[str] = set()
    for doc in documents:
        digest = text_digest(doc)
        if digest in seen_hashes:
            skipped.append(Skipped(doc.source, f"duplicate of {seen_hashes[digest]}"))
            continue
        base, n = doc.doc_id, 2
        while doc.doc_id in seen_ids:
            doc.doc_id, n = f"{base}-{n}", n + 1
        seen_hashes[digest] = doc.source
        seen_ids.add(doc.doc_id)
        unique.append(doc)
    return unique, skipped
