"""Cleaning repairs extraction damage and never changes the wording."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from qa.documents.cleaning import Heading, clean_text, wording
from tests.conftest import SEEDS


def test_every_seed_keeps_its_wording():
    for path in sorted(SEEDS.glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        assert wording(clean_text(raw).text) == wording(raw), path.name


def test_newspaper_columns_are_rejoined(seed_documents):
    text = seed_documents["guangming-2024-12-26"].text
    assert "基础设施互联互通性持续优化" in text  # broken across a column break in the PDF
    assert "惠及14亿多人口的现代化" in text


def test_spaced_out_characters_are_closed_up(seed_documents):
    text = seed_documents["guangming-2024-12-26"].text
    assert "推动区域协调发展迈向更高水平" in text
    assert "协 调" not in text


def test_stray_quote_separators_are_removed(seed_documents):
    text = seed_documents["liandong-ronghe"].text
    assert "【關鍵詞】區域發展 區域合作 聯動融合 一體化 協同創新" in text
    assert '"' not in text


def test_headings_are_found_and_kept_on_their_own_line(seed_documents):
    doc = seed_documents["liandong-ronghe"]
    titles = [h.text for h in doc.headings]
    assert "推動區域間聯動融合發展的難點挑戰" in titles
    for h in doc.headings:
        assert doc.text[h.start : h.start + len(h.text)] == h.text
        assert h.start == 0 or doc.text[h.start - 1] == "\n"
    numbered = [h.text for h in seed_documents["neihanshi-fazhan"].headings]
    assert "一、引言" in numbered and "(一) 区域协调发展战略的历史演进" in numbered


def test_mid_sentence_line_break_is_joined():
    assert clean_text("我国区域协调\n发展取得显著成就。\n新的段落。").text == "我国区域协调发展取得显著成就。\n新的段落。"


def test_english_words_broken_across_lines_keep_a_space():
    assert clean_text("regional coordinated\ndevelopment strategy.").text == "regional coordinated development strategy."


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('区域协调发展。，、；！？ \n"“”（）abc 12')), max_size=300))
def test_cleaning_never_changes_wording(raw):
    assert wording(clean_text(raw).text) == wording(raw)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_headings_always_point_into_the_text(raw):
    clean = clean_text(raw)
    for h in clean.headings:
        assert clean.text[h.start : h.start + len(h.text)] == h.text


@pytest.mark.parametrize("text, level", [("一、引言", 1), ("(一) 区域协调发展战略的历史演进", 2), ("（三）提升国家整体经济效率", 2),
                                         ("1. 统筹推进区域经济高质量发展", 3), ("推動區域間聯動融合發展的難點挑戰", None)])
def test_heading_level_follows_the_numbering(text, level):
    assert Heading(0, text).level == level
