"""HTML of the chat page and document viewer: escaping, highlighting, script conversion."""

from __future__ import annotations

from qa.answer.contract import ABSTAIN_MESSAGE, Answer, Citation, Passage, Sentence
from qa.ui import render
from qa.ui.docpage import document_page
from qa.ui.signin import safe_next

TEXT = "前言。区域<script>alert(1)</script>协调发展。推動區域間聯動融合發展面臨若干難點。结语。"


def _span(sub: str) -> tuple[int, int]:
    start = TEXT.index(sub)
    return start, start + len(sub)


def _answer() -> Answer:
    p_start, p_end = _span("区域<script>alert(1)</script>协调发展。推動區域間聯動融合發展面臨若干難點。")
    s_start, s_end = _span("推動區域間聯動融合發展面臨若干難點。")
    passage = dict(
        doc_id="d<1>", title="T<i>", section="一、<b>", start=p_start, end=p_end, text=TEXT[p_start:p_end], score=0.5
    )
    return Answer(
        question="难点<script>？",
        abstained=False,
        answer=TEXT[s_start:s_end] + "[1]",
        sentences=[Sentence(text=TEXT[s_start:s_end], doc_id="d<1>", start=s_start, end=s_end, citation=1)],
        citations=[Citation(id=1, **passage)],
        passages=[Passage(**passage)],
    )


def test_sources_escape_text_and_mark_the_quote() -> None:
    html = render.sources_panel(_answer(), 1, "original")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<mark>推動區域間聯動融合發展面臨若干難點。</mark>" in html
    assert 'id="src-1-1"' in html and "T&lt;i&gt;" in html and "一、&lt;b&gt;" in html
    assert "/doc/d%3C1%3E?start=" in html


def test_answer_bubble_links_markers_to_sources() -> None:
    html = render.answer_message(_answer(), 2, "simplified")
    assert '<a class="qa-cite" href="#src-2-1"' in html and "[1]</a>" in html
    assert "推动区域间联动融合发展面临若干难点。" in html


def test_script_toggle_is_display_only() -> None:
    answer = _answer()
    assert "推动区域间" in render.sources_panel(answer, 1, "simplified")
    assert "區域<" not in render.sources_panel(answer, 1, "traditional")
    assert "協調發展" in render.sources_panel(answer, 1, "traditional")
    assert answer.sentences[0].text == "推動區域間聯動融合發展面臨若干難點。"


def test_abstention_offers_close_passages() -> None:
    answer = _answer().model_copy(update={"abstained": True, "sentences": [], "citations": [], "answer": ABSTAIN_MESSAGE})
    bubble = render.answer_message(answer, 3, "original")
    assert ABSTAIN_MESSAGE in bubble and render.MAY_READ in bubble and 'href="#src-3-p1"' in bubble
    panel = render.sources_panel(answer, 3, "original")
    assert render.MAY_READ in panel and 'id="src-3-p1"' in panel and "<mark>" not in panel


def test_questions_are_escaped_in_the_chat() -> None:
    messages = render.chat_messages([{"question": "<script>alert(1)</script>", "answer": _answer().model_dump()}], "original")
    assert messages[0] == {"role": "user", "content": "&lt;script&gt;alert(1)&lt;/script&gt;"}
    assert messages[1]["role"] == "assistant"


def test_document_page_escapes_and_marks_the_range() -> None:
    start, end = _span("推動區域間聯動融合發展面臨若干難點。")
    page = document_page({"doc_id": "d", "title": "<t>", "author": "甲", "text": TEXT}, start, end, "original")
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert f'<mark id="c-{start}">推動區域間聯動融合發展面臨若干難點。</mark>' in page
    assert "<title>&lt;t&gt;</title>" in page
    assert "<mark" not in document_page({"doc_id": "d", "text": TEXT}, 5, 10_000, "original")


def test_sign_in_redirects_stay_local() -> None:
    assert safe_next("/doc/x?start=1") == "/doc/x?start=1"
    for target in ("//evil.example", "https://evil.example", "/\\evil", "", None):
        assert safe_next(target) == "/"
