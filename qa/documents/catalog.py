"""The library catalogue: metadata for each source file (``catalog.toml`` beside the texts)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

CATALOG_NAME = "catalog.toml"


@dataclass(frozen=True)
class CatalogEntry:
    """Metadata of one source file; only ``file`` is required."""

    file: str
    doc_id: str | None = None
    title: str | None = None
    authors: tuple[str, ...] = ()
    venue: str | None = None
    date: str | None = None
    script: str | None = None
    aliases: tuple[str, ...] = ()  # other names readers use for the document (「Hou Guanyu」): found by retrieval
    extra: dict[str, object] = field(default_factory=dict)


def load_catalog(folder: Path) -> dict[str, CatalogEntry]:
    """Entries of ``folder/catalog.toml`` keyed by file name; empty when there is no catalogue."""
    path = folder / CATALOG_NAME
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML: {exc}") from exc
    entries: dict[str, CatalogEntry] = {}
    for raw in data.get("document", []):
        if "file" not in raw:
            raise ValueError(f"{path}: every [[document]] needs a 'file' field")
        known = {"file", "doc_id", "title", "authors", "venue", "date", "script", "aliases"}
        entries[raw["file"]] = CatalogEntry(
            file=raw["file"],
            doc_id=raw.get("doc_id"),
            title=raw.get("title"),
            authors=tuple(raw.get("authors", ())),
            venue=raw.get("venue"),
            date=raw.get("date"),
            script=raw.get("script"),
            aliases=tuple(raw.get("aliases", ())),
            extra={k: v for k, v in raw.items() if k not in known},
        )
    return entries
