"""Small helpers for the Markdown reports: tables and number formats."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A GitHub Markdown table; ``|`` and line breaks inside cells are escaped."""

    def cell(value: object) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(map(cell, headers)) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(map(cell, row)) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def pct(value: float | None) -> str:
    """A share as a percentage with one decimal (— when not applicable)."""
    return "—" if value is None else f"{100 * value:.1f}%"


def num(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} ms"


def signed(value: float, as_pct: bool) -> str:
    """A delta with its sign: percentage points for shares, plain otherwise."""
    return f"{100 * value:+.1f} pp" if as_pct else f"{value:+.3f}"


def clip(text: str, limit: int = 80) -> str:
    """``text`` on one line, cut to ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
