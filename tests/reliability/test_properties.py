"""Properties (hypothesis) of decoding and answering that the unit tests' examples do not pin down.

Cleaning and chunking already have properties in tests/documents and tests/chunks; here: any bytes
load or are refused with a reason; Chinese text in any supported encoding decodes to itself; and
the real assistant, on questions made of seed fragments (or any text at all), quotes only verbatim
text at valid offsets, or refuses the question with a QuestionError.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from opencc import OpenCC

from qa.assistant import QuestionError
from qa.chunks.splitter import chunk_document
from qa.documents.loader import decode_bytes, load_document
from tests.reliability.helpers import SEEDS

SEED_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
_s2t, _t2s = OpenCC("s2t"), OpenCC("t2s")
SUSPECT = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
                   deadline=None, derandomize=True)


@st.composite
def fragments(draw, min_size: int = 2, max_size: int = 40) -> str:
    text = draw(st.sampled_from(SEED_TEXTS))
    size = draw(st.integers(min_size, max_size))
    start = draw(st.integers(0, len(text) - size))
    return text[start : start + size]


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3000))
def test_any_bytes_load_or_are_refused_with_a_reason(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "file.txt"
        path.write_bytes(data)
        try:
            doc = load_document(path)
        except ValueError as exc:
            assert str(exc)
            return
        assert doc.text.strip() and doc.doc_id and doc.title
        for c in chunk_document(doc, 100):
            assert 0 <= c.start < c.end <= len(doc.text) and doc.text[c.start : c.end] == c.text


@settings(max_examples=150, deadline=None)
@given(fragments(min_size=20, max_size=400), st.sampled_from(["utf-8", "gb18030", "big5"]))
def test_chinese_text_in_any_supported_encoding_decodes_to_itself(fragment: str, encoding: str) -> None:
    text = _s2t.convert(fragment) if encoding == "big5" else fragment
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return  # a character the encoding cannot hold: no such file can exist
    if sum("\u4e00" <= ch <= "\u9fff" for ch in text) < 10 or not data.strip():
        return
    assert decode_bytes(data)[0] == text


GLUE = ["", "的", "和", "，", " ", "？", "是什么？", "有哪些？", "面临哪些难点？", "What is ", " and ", "多少？"]


@st.composite
def seed_questions(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        fragment = draw(fragments(2, 30))
        script = draw(st.sampled_from(["as is", "simplified", "traditional"]))
        fragment = {"simplified": _t2s.convert, "traditional": _s2t.convert}.get(script, str)(fragment)
        parts.append(fragment + draw(st.sampled_from(GLUE)))
    noise = draw(st.sampled_from(["", "😀", "\x00", "<b>", "\u200b", "  \n"]))
    return (noise + "".join(parts))[:500]


def _assert_contract(assistant, answer) -> None:
    for s in answer.sentences:
        text = assistant.canonical_text(s.doc_id)
        assert 0 <= s.start < s.end <= len(text) and text[s.start : s.end] == s.text
        cited = next(c for c in answer.citations if c.id == s.citation)
        assert cited.doc_id == s.doc_id and cited.start < s.end and s.start < cited.end  # the citation holds it
    for p in answer.citations + answer.passages:
        text = assistant.canonical_text(p.doc_id)
        assert 0 <= p.start < p.end <= len(text) and text[p.start : p.end] == p.text
    assert [c.id for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert len(answer.passages) <= assistant.settings.top_k
    if answer.abstained:
        assert answer.sentences == [] and answer.reason
    else:
        assert answer.sentences and answer.answer == "".join(f"{s.text}[{s.citation}]" for s in answer.sentences)


@pytest.mark.slow
@settings(SUSPECT, max_examples=25)
@given(question=seed_questions(), history=st.lists(fragments(2, 20), max_size=2))
def test_answers_quote_verbatim_for_questions_built_from_the_seeds(core_assistant, question: str,
                                                                   history: list[str]) -> None:
    try:
        answer = core_assistant.ask(question, history=history or None)
    except QuestionError:
        assert not any(ch.isalnum() for ch in question)
        return
    assert answer.question == question
    _assert_contract(core_assistant, answer)


@pytest.mark.slow
@settings(SUSPECT, max_examples=30)
@given(st.text(max_size=600))
def test_any_text_is_answered_or_refused_as_a_question_error(core_assistant, question: str) -> None:
    try:
        answer = core_assistant.ask(question)
    except QuestionError as exc:
        assert str(exc)
        return
    _assert_contract(core_assistant, answer)
