"""Section merging: top chunks of one short numbered section or paragraph come back as that span."""

from __future__ import annotations

from qa.chunks.splitter import Chunk
from qa.documents.cleaning import Heading
from qa.documents.loader import Document
from qa.retrieval.merging import SectionMerger

LINES = ["（三）关键特征", "1. 统筹推进区域经济高质量发展。内容甲。", "2. 促进区域生态保护和绿色发展。内容乙。",
         "3. 支持革命老区和边疆地区加快发展。内容丙。", "三、价值意蕴", "另一节的正文。"]


def _library() -> tuple[Document, list[Chunk]]:
    text = "\n".join(LINES)
    starts = [sum(len(line) + 1 for line in LINES[:i]) for i in range(len(LINES))]
    doc = Document("d", "T", text, [Heading(starts[i], LINES[i]) for i in (0, 1, 2, 3, 4)])
    spans = [(starts[0], starts[1] - 1), (starts[1], starts[2] - 1), (starts[2], starts[3] - 1),
             (starts[3], starts[4] - 1), (starts[4], len(text))]
    chunks = [Chunk(i, "d", "T", None, a, b, text[a:b]) for i, (a, b) in enumerate(spans)]
    return doc, chunks


def test_a_section_heading_chunk_brings_its_whole_section() -> None:
    doc, chunks = _library()
    spans = SectionMerger([doc], chunks, max_chars=200).merge([(0, 0.9), (4, 0.5)], top_k=2)
    first = spans[0]
    assert (first.start, first.end) == (chunks[0].start, chunks[3].end)
    assert "3. 支持革命老区" in doc.text[first.start : first.end] and first.score == 0.9
    assert spans[1].chunk_ids == (4,)


def test_two_items_of_one_section_merge_and_free_a_place() -> None:
    doc, chunks = _library()
    spans = SectionMerger([doc], chunks, max_chars=200).merge([(1, 0.9), (3, 0.8), (4, 0.5)], top_k=2)
    assert [(s.start, s.end) for s in spans] == [(chunks[0].start, chunks[3].end), (chunks[4].start, chunks[4].end)]
    assert spans[0].chunk_ids == (1, 3)


def test_sections_over_the_limit_are_not_merged() -> None:
    doc, chunks = _library()
    spans = SectionMerger([doc], chunks, max_chars=50).merge([(1, 0.9), (3, 0.8), (4, 0.5)], top_k=3)
    assert [s.chunk_ids for s in spans] == [(1,), (3,), (4,)]


def test_a_chunk_opening_a_long_paragraph_brings_the_whole_paragraph() -> None:
    text = "面临的挑战。一是外部环境。二是内部环境。三是技术条件。四是人口结构。\n下一段。"
    doc = Document("p", "T", text, [])
    cut, end = text.index("三是"), text.index("\n")
    chunks = [Chunk(0, "p", "T", None, 0, cut, text[:cut]), Chunk(1, "p", "T", None, cut, end, text[cut:end]),
              Chunk(2, "p", "T", None, end + 1, len(text), text[end + 1 :])]
    spans = SectionMerger([doc], chunks, max_chars=200).merge([(0, 0.9), (2, 0.5)], top_k=2)
    assert [(s.start, s.end) for s in spans] == [(0, end), (end + 1, len(text))]


def test_a_list_over_sub_sections_is_retrieved_whole(core_assistant) -> None:
    passages = core_assistant.search("区域协调发展战略机制有哪些关键特征？")
    text = "".join(p.text for p in passages)
    for item in ("统筹推进区域经济高质量发展", "促进区域生态保护和绿色发展", "支持革命老区和边疆地区加快发展"):
        assert item in text
    for p in passages:
        assert core_assistant.canonical_text(p.doc_id)[p.start : p.end] == p.text


def test_merging_looks_past_top_k_so_five_and_ten_passages_agree(core_assistant) -> None:
    """Sections are merged over the top MERGE_WINDOW chunks: asking for 5 passages gives the first 5 of 10."""
    from pathlib import Path

    from qa.evaluation.gold import load_gold

    gold = Path(__file__).resolve().parents[2] / "eval" / "gold" / "dev.jsonl"
    for item in [i for i in load_gold(gold) if not i.history][:20]:
        five = core_assistant.retriever.run(item.question, 5).passages
        ten = core_assistant.retriever.run(item.question, 10).passages
        assert [(p.doc_id, p.start, p.end) for p in five] == [(p.doc_id, p.start, p.end) for p in ten[:5]]
