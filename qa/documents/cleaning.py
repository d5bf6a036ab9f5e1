"""Repair text-extraction damage without changing a single word.

Cleaning only removes or inserts whitespace and deletes stray ASCII quote marks used as separators;
it never alters a character of the wording. The result is the document's *canonical text*: every
offset in the system (chunks, sentences, citations) points into it.

Repairs:
- lines broken inside a sentence (newspaper columns, page breaks) are re-joined;
- spaced-out characters (``协 调 发 展``) and spaces between Chinese characters and digits are removed;
- runs of ``"`` used as separators (``區域發展" 區域合作"``) become a single space;
- headings are kept on their own line and reported, so chunks can carry their section.

This is heuristic by nature (a PDF keeps no paragraph structure); the rules are deliberately few
and each is tested on the seed texts.
"""

from __future__ import annotations

import bisect
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

# Characters of Chinese text: Han ideographs, CJK punctuation, full-width forms.
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\u2018-\u201d\u2014\u2026\u2236\u00b7"
_SPACE = r"[ \t\u3000\u00a0]"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}]){_SPACE}+(?=[{_CJK}])")
_CJK_DIGIT_GAP = re.compile(rf"(?<=[{_CJK}]){_SPACE}+(?=[0-9])|(?<=[0-9]){_SPACE}+(?=[{_CJK}])")
# A stray ASCII quote used as a separator: after a Han character or digit, followed by a space or line end.
_STRAY_QUOTES = re.compile(rf'(?<=[{_CJK}0-9])"(?:{_SPACE}*")*(?:{_SPACE}+|$)')

SENTENCE_END = "。！？!?；;….．"
_CLOSERS = "”’\"'」』）)】》"
_INNER_PUNCT = set("，,。；;：:！？!?、")
_NUMBERED_HEADING = re.compile(
    r"^(第[一二三四五六七八九十百\d]+[章节部分篇]|[一二三四五六七八九十]+[、．.]|[（(][一二三四五六七八九十]+[）)]|\d+(\.\d+)*[.、．]\s*\S)"
)
_HEADING_LEVELS = [re.compile(p) for p in (r"第[一二三四五六七八九十百\d]+[章节部分篇]", r"[一二三四五六七八九十]+[、．.]",
                                             r"[（(][一二三四五六七八九十]+[）)]", r"\d+[.、．]\s*\D", r"\d+\.\d+")]
_LIST_ITEM = re.compile(r"^(-\s|\*\s|\[\d+\]|[①-⑳])")
_LABEL_LINE = re.compile(r"^(【[^】]{1,12}】|[\u4e00-\u9fffA-Za-z ]{2,8}[:：])")
_OPEN_BRACKETS = "（(【《"
_CLOSE_BRACKETS = "）)】》"


@dataclass(frozen=True)
class Heading:
    """A heading line of the canonical text, starting at ``start``."""

    start: int
    text: str

    @cached_property
    def level(self) -> int | None:
        """Depth by numbering style (第一章 0, 一、 1, （一） 2, 1. 3, 1.1 4); None when unnumbered."""
        for level, pattern in enumerate(_HEADING_LEVELS):
            if pattern.match(self.text):
                return level
        return None


def heading_at(headings: list[Heading], offset: int) -> int | None:
    """Index of the last heading that starts at or before ``offset`` (None before the first)."""
    i = bisect.bisect_right([h.start for h in headings], offset) - 1
    return i if i >= 0 else None


def section_end(headings: list[Heading], i: int) -> int:
    """Index of the heading that closes numbered heading ``i``'s section: the next one at its level or
    above, or an unnumbered one (``len(headings)`` when the section runs to the end of the text)."""
    level = headings[i].level
    return next((j for j in range(i + 1, len(headings))
                 if headings[j].level is None or headings[j].level <= level), len(headings))


@dataclass
class CleanText:
    """Canonical text plus the headings found while cleaning it."""

    text: str
    headings: list[Heading] = field(default_factory=list)

    def section_at(self, offset: int) -> str | None:
        """The last heading that starts at or before ``offset``."""
        i = heading_at(self.headings, offset)
        return None if i is None else self.headings[i].text


def _fix_spacing(line: str) -> str:
    line = _CJK_GAP.sub("", line)
    line = _CJK_DIGIT_GAP.sub("", line)
    line = _STRAY_QUOTES.sub(" ", line)
    return line.strip(" \t\u3000\u00a0")


def ends_sentence(line: str) -> bool:
    """True when the line ends with sentence-final punctuation (closing quotes allowed after it)."""
    stripped = line.rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in SENTENCE_END


def _column_width(lines: list[str]) -> int | None:
    """The fixed line width of a columnar (newspaper) layout, or None when lines are paragraphs."""
    lengths = [len(x) for x in lines if x]
    if len(lengths) < 20:
        return None
    width, count = Counter(lengths).most_common(1)[0]
    near = sum(1 for n in lengths if abs(n - width) <= 1)
    if width <= 30 and near / len(lengths) > 0.3 and statistics.median(lengths) <= 30:
        return width
    return None


def _heading_shaped(line: str) -> bool:
    """Short, no inner punctuation, no sentence end, not a ``label:`` line."""
    return (
        2 <= len(line) <= 30
        and not ends_sentence(line)
        and not _LABEL_LINE.match(line)
        and not any(ch in _INNER_PUNCT for ch in line)
    )


def _is_heading(lines: list[str], i: int, previous_closed: bool, column_width: int | None) -> bool:
    """Whether ``lines[i]`` is a heading.

    Numbered headings (``一、``, ``（二）``, ``1.``) always are. Otherwise a heading is a short line
    without punctuation that follows a finished paragraph; in a columnar layout it must also differ
    from the column width and stand before a blank line (possibly after a second heading line),
    because paragraph-first lines of a column look alike otherwise; elsewhere it must not be followed
    by a line of similar length (the rest of a sentence broken across lines).
    """
    line = lines[i]
    if ends_sentence(line) or len(line) > 40 or _LABEL_LINE.match(line):
        return False
    if _NUMBERED_HEADING.match(line):
        return True
    if not previous_closed or not _heading_shaped(line):
        return False
    nxt = lines[i + 1] if i + 1 < len(lines) else ""
    after = lines[i + 2] if i + 2 < len(lines) else ""
    if column_width is None:
        # A line broken mid-sentence continues with a line of similar length; a heading
        # is followed by a blank line, another heading, or a much longer paragraph line.
        return not nxt or _heading_shaped(nxt) or len(nxt) >= 2 * len(line)
    if abs(len(line) - column_width) <= 1:
        return False
    return not nxt or (_heading_shaped(nxt) and not after)


def _closes_bracketed_paragraph(paragraph: str) -> bool:
    """A paragraph that opened with a bracket and closes it here, e.g. ``（作者：…）``."""
    return bool(paragraph) and paragraph[0] in _OPEN_BRACKETS and paragraph[-1] in _CLOSE_BRACKETS


def _glue(left: str, right: str) -> str:
    """Join two pieces of one broken line: a space only between two Latin words."""
    if left and right and left[-1].isascii() and left[-1].isalnum() and right[0].isascii() and right[0].isalnum():
        return " "
    return ""


def clean_text(raw: str) -> CleanText:
    """Turn extracted text into canonical text: re-join broken lines, fix spacing, keep headings."""
    raw = raw.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    lines = [_fix_spacing(x) for x in raw.split("\n")]
    width = _column_width(lines)

    paragraphs: list[tuple[str, bool]] = []  # (text, is_heading)
    current = ""
    closed = True  # the previous line ended a paragraph (the start of the text counts)
    for i, line in enumerate(lines):
        if not line:
            continue
        heading = _is_heading(lines, i, closed, width)
        if current and (heading or _LIST_ITEM.match(line) or _LABEL_LINE.match(line)):
            paragraphs.append((current, False))
            current = ""
        if heading:
            paragraphs.append((line, True))
            closed = True
            continue
        single_label_line = not current and bool(_LABEL_LINE.match(line))
        current = current + _glue(current, line) + line if current else line
        closed = ends_sentence(line) or _closes_bracketed_paragraph(current) or single_label_line
        if closed:
            paragraphs.append((current, False))
            current = ""
    if current:
        paragraphs.append((current, False))

    text_parts: list[str] = []
    headings: list[Heading] = []
    offset = 0
    for paragraph, is_heading in paragraphs:
        if is_heading:
            headings.append(Heading(offset, paragraph))
        text_parts.append(paragraph)
        offset += len(paragraph) + 1
    return CleanText("\n".join(text_parts), headings)


def wording(text: str) -> str:
    """The text with whitespace and ASCII double quotes removed: cleaning must preserve this exactly."""
    return re.sub(r'[\s"]', "", text)
