"""HTML for the chat page: answer bubbles, the sources panel, abstentions.

Every piece of source text and every question goes through :func:`html.escape` here, after any
Simplified/Traditional conversion, so a document containing ``<script>`` shows as text.
"""

from __future__ import annotations

import html
from functools import lru_cache
from urllib.parse import quote, urlencode

from opencc import OpenCC

from qa.answer.contract import ABSTAIN_MESSAGE, Answer, Citation, Passage

SCRIPTS = {"original": "原文 / original", "simplified": "简体", "traditional": "繁體"}
_OPENCC_CONFIG = {"simplified": "t2s", "traditional": "s2t"}
MAY_READ = "你可能想读 / you may want to read"
SUGGESTIONS = 3


@lru_cache(maxsize=2)
def _converter(config: str) -> OpenCC:
    return OpenCC(config)


def convert(text: str, script: str) -> str:
    """``text`` in the chosen script (display only: offsets always refer to the original)."""
    config = _OPENCC_CONFIG.get(script)
    return _converter(config).convert(text) if config else text


def show(text: str, script: str) -> str:
    """Converted, then HTML-escaped: the only way source text or questions enter the page."""
    return html.escape(convert(text, script))


def source_id(turn: int, key: str | int) -> str:
    """Element id of a source entry; unique per conversation turn."""
    return f"src-{turn}-{key}"


def document_link(doc_id: str, start: int, end: int, script: str = "original") -> str:
    """URL of the document viewer, scrolled to and highlighting ``[start, end)``."""
    query = {"start": start, "end": end} | ({"script": script} if script != "original" else {})
    return f"/doc/{quote(doc_id, safe='')}?{urlencode(query)}#c-{start}"


def _jump(turn: int, key: str | int, label_html: str) -> str:
    """A link to a source entry of the panel (the page script scrolls to it)."""
    return f'<a class="qa-cite" href="#{source_id(turn, key)}">{label_html}</a>'


def _mark_ranges(passage: Passage, ranges: list[tuple[int, int]], script: str) -> str:
    """The passage text with the given document ranges wrapped in ``<mark>``."""
    spans = sorted((max(s, passage.start), min(e, passage.end)) for s, e in ranges)
    spans = [(s, e) for s, e in spans if s < e]
    out, pos = [], passage.start
    for start, end in spans:
        if end <= pos:
            continue
        start = max(start, pos)
        out.append(show(passage.text[pos - passage.start : start - passage.start], script))
        out.append(f"<mark>{show(passage.text[start - passage.start : end - passage.start], script)}</mark>")
        pos = end
    out.append(show(passage.text[pos - passage.start :], script))
    return "".join(out)


def _source_entry(
    turn: int, key: str | int, label: str, passage: Passage, ranges: list[tuple[int, int]], script: str
) -> str:
    start, end = ranges[0] if ranges else (passage.start, passage.end)
    meta = [show(passage.section, script)] if passage.section else []
    meta.append(f"字符 chars {passage.start}–{passage.end}")
    link = html.escape(document_link(passage.doc_id, start, end, script))
    return (
        f'<section class="qa-source" id="{source_id(turn, key)}">'
        f'<div class="qa-source-head"><span class="qa-num">{html.escape(label)}</span> '
        f"<strong>{show(passage.title, script)}</strong></div>"
        f'<div class="qa-meta">{" · ".join(meta)} · '
        f'<a href="{link}" target="_blank" rel="noopener">在原文中查看 / open in document</a></div>'
        f'<blockquote class="qa-passage">{_mark_ranges(passage, ranges, script)}</blockquote>'
        "</section>"
    )


def _ranges_for(answer: Answer, citation: Citation) -> list[tuple[int, int]]:
    return [
        (s.start, s.end) for s in answer.sentences if s.citation == citation.id and s.doc_id == citation.doc_id
    ]


def answer_message(answer: Answer, turn: int, script: str) -> str:
    """The assistant's chat bubble: quoted sentences with clickable ``[n]`` markers."""
    if answer.abstained:
        items = "".join(
            f"<li>{_jump(turn, f'p{i}', show(' · '.join(filter(None, [p.title, p.section])), script))}</li>"
            for i, p in enumerate(answer.passages[:SUGGESTIONS], 1)
        )
        suggestions = f'<p class="qa-may-read">{MAY_READ}:</p><ol>{items}</ol>' if items else ""
        abstain = f'<p class="qa-abstain">{html.escape(ABSTAIN_MESSAGE)}</p>'
        return f'<div class="qa-answer qa-abstained">{abstain}{suggestions}</div>'
    if not answer.sentences:
        return f'<div class="qa-answer"><p>{show(answer.answer, script)}</p></div>'
    lines = "".join(
        f'<p class="qa-sentence">{show(s.text, script)} {_jump(turn, s.citation, f"[{s.citation}]")}</p>' for s in answer.sentences
    )
    return f'<div class="qa-answer">{lines}</div>'


def sources_panel(answer: Answer | None, turn: int, script: str) -> str:
    """The sources of one answer, or the closest passages when it abstained."""
    if answer is None:
        return '<div class="qa-sources qa-empty">来源会显示在这里。<br>Sources of the answer appear here.</div>'
    if answer.abstained:
        entries = "".join(
            _source_entry(turn, f"p{i}", f"{i}.", p, [], script)
            for i, p in enumerate(answer.passages[:SUGGESTIONS], 1)
        )
        body = entries or "<p>没有相近的段落。No close passages.</p>"
        return f'<div class="qa-sources"><h3>{MAY_READ}</h3>{body}</div>'
    entries = "".join(
        _source_entry(turn, c.id, f"[{c.id}]", c, _ranges_for(answer, c), script) for c in answer.citations
    )
    return f'<div class="qa-sources"><h3>来源 / Sources</h3>{entries}</div>'


def chat_messages(turns: list[dict], script: str) -> list[dict]:
    """Chatbot messages for the whole conversation (``turns``: {"question", "answer"} dicts)."""
    messages: list[dict] = []
    for turn, item in enumerate(turns, 1):
        messages.append({"role": "user", "content": html.escape(item["question"])})
        answer = Answer.model_validate(item["answer"])
        messages.append({"role": "assistant", "content": answer_message(answer, turn, script)})
    return messages


def latest_sources(turns: list[dict], script: str) -> str:
    """Sources panel of the newest answer."""
    if not turns:
        return sources_panel(None, 0, script)
    return sources_panel(Answer.model_validate(turns[-1]["answer"]), len(turns), script)
