"""Sentence boundaries in Chinese (and English) text, as character spans.

Shared by the chunker (chunks end at sentence ends) and the answer composer (answers quote whole
sentences), so both agree on what a sentence is.
"""

from __future__ import annotations

import re

_ENDS = "。！？!?；;…"
_CLOSERS = "”’」』）)\"'"
# A boundary after a sentence end (and after any closing quotes that follow it), or after an
# ASCII full stop after a letter or bracket and before whitespace (not "1. " list numbers). Lookbehinds keep the punctuation with its sentence.
SENTENCE_BOUNDARY = (
    rf"(?:(?<=[{_ENDS}])(?![{_ENDS}{_CLOSERS}])"
    rf"|(?<=[{_ENDS}][{_CLOSERS}])(?![{_CLOSERS}])"
    r"|(?<=[A-Za-z\]\)][.!?])(?=\s))"
)
_BOUNDARY_RE = re.compile(SENTENCE_BOUNDARY + r"|\n")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """``[start, end)`` spans of the sentences of ``text[start:end]``, whitespace trimmed, empty ones dropped."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _BOUNDARY_RE.finditer(text, start, end):
        spans.append((cursor, match.start()))
        cursor = match.end()
    spans.append((cursor, end))
    trimmed = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            trimmed.append((a, b))
    return trimmed
