"""Where sentences stand in the seed library: paragraphs, sections, line kinds."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def _sentence(layout, doc_id: str, text: str) -> int:
    d = layout.store.doc_pos[doc_id]
    start = layout.store.documents[d].text.index(text)
    s = layout.sentence_at(d, start)
    assert s is not None
    return s


def test_a_section_heading_knows_its_sub_headings(core_assistant):
    layout = core_assistant.composer.layout
    head = _sentence(layout, "neihanshi-fazhan", "(三) 区域协调发展战略机制的关键特征")
    assert layout.is_line(head)
    assert [layout.text(s) for s in layout.sub_headings(head)] == [
        "1. 统筹推进区域经济高质量发展", "2. 促进区域生态保护和绿色发展", "3. 支持革命老区和边疆地区加快发展"]


def test_bibliographic_lines_and_the_reference_list_are_marked(core_assistant):
    layout = core_assistant.composer.layout
    keywords = _sentence(layout, "neihanshi-fazhan", "关键词:中国式现代化;")
    assert layout.bibliographic[keywords] and not layout.reference[keywords]
    # the keyword line splits at its semicolons into one paragraph of five sentences
    assert len(layout.paragraph(keywords)) == 5
    body = _sentence(layout, "neihanshi-fazhan", "区域协调发展战略强调在推动经济发展的同时")
    assert not layout.bibliographic[body] and not layout.reference[body]


def test_a_numbered_reference_list_ends_at_its_last_entry(core_assistant):
    layout = core_assistant.composer.layout
    entries = layout.reference_list(layout.store.doc_pos["neihanshi-fazhan"])
    assert layout.text(entries[0]).lstrip("- ").startswith("[1]")
    assert layout.text(layout.paragraph(entries[-1])[0]).lstrip("- ").startswith("[29]")  # not the English abstract after it
