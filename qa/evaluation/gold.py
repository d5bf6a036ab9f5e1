"""Gold question sets: load, and check that every evidence string is verbatim in its document."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

GOLD_DIR = Path(__file__).resolve().parents[2] / "eval" / "gold"


@dataclass(frozen=True)
class GoldItem:
    """One gold question; ``evidence`` strings are copied verbatim from document ``doc_id``."""

    id: str
    question: str
    kind: str
    lang: str
    answerable: bool
    doc_id: str | None
    evidence: tuple[str, ...] = ()
    history: tuple[str, ...] = ()
    note: str = ""
    extra: dict = field(default_factory=dict)


def gold_path(split: str | Path) -> Path:
    """A gold file: a split of ``eval/gold`` by its bare name (``dev``, ``holdout2``), else the path given."""
    path = Path(split)
    if not path.exists() and (GOLD_DIR / f"{path}.jsonl").exists():
        return GOLD_DIR / f"{path}.jsonl"
    return path


def load_gold(path: Path) -> list[GoldItem]:
    """Items of a JSONL gold file (a split of ``eval/gold`` may be given by its bare name: see :func:`gold_path`)."""
    path = gold_path(path)
    items = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            raw = json.loads(line)
            try:
                items.append(GoldItem(
                    id=raw["id"], question=raw["question"], kind=raw["kind"], lang=raw.get("lang", ""),
                    answerable=bool(raw["answerable"]), doc_id=raw.get("doc_id"),
                    evidence=tuple(raw.get("evidence", ())),
                    history=tuple(h["question"] if isinstance(h, dict) else h for h in raw.get("history", ())),
                    note=raw.get("note", ""),
                ))
            except KeyError as exc:
                raise ValueError(f"{path}:{n}: missing field {exc}") from exc
    return items
