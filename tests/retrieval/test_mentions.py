"""Named documents: a question naming a document by author, venue or title gets its passages first."""

from __future__ import annotations

from qa.documents.loader import Document
from qa.retrieval.mentions import DocumentMentions, prefer


def _library() -> list[Document]:
    return [
        Document("a", "推動區域間聯動融合發展", "區域協調發展的正文，談聯動融合。"),
        Document("b", "内涵式发展:区域协调发展战略", "区域协调发展的正文。侯冠宇", authors=("侯冠宇",), venue="技术经济",
                 aliases=("Hou Guanyu",)),
        Document("c", "促进区域协调发展 增强区域发展活力", "区域协调发展的正文。", authors=("范从来",), venue="光明日报"),
    ]


def test_authors_venues_and_distinctive_title_runs_name_a_document() -> None:
    mentions = DocumentMentions(_library())
    assert mentions.named("侯冠宇那篇论文怎么说？") == {"b"}
    assert mentions.named("光明日報那篇文章主張什麼？") == {"c"}  # Traditional question, Simplified catalogue
    assert mentions.named("联动融合一文提了哪些做法？") == {"a"}
    assert mentions.named("内涵式 发展那篇的结论是什么？") == {"b"}  # whitespace is ignored
    assert mentions.named("What does Hou  guanyu's paper propose?") == {"b"}  # a catalogue alias, any case


def test_runs_shared_with_another_text_name_nothing() -> None:
    mentions = DocumentMentions(_library())
    assert mentions.named("区域协调发展有哪些难点？") == frozenset()  # in every title and text
    assert "区域协调" not in mentions.cues["b"]


def test_naming_every_document_names_none() -> None:
    mentions = DocumentMentions(_library())
    assert mentions.named("侯冠宇、范从来和联动融合一文有何不同？") == frozenset()


def test_prefer_moves_the_named_documents_chunks_first_in_order() -> None:
    fused = [(0, 0.9), (1, 0.8), (2, 0.7), (3, 0.6)]
    chunk_doc = ["a", "b", "a", "b"]
    assert prefer(fused, chunk_doc, frozenset({"b"})) == [(1, 0.8), (3, 0.6), (0, 0.9), (2, 0.7)]
    assert prefer(fused, chunk_doc, frozenset()) == fused


def test_a_paraphrase_naming_its_author_finds_the_passage_on_the_seeds(core_assistant) -> None:
    """A colloquial question sharing few words with its passage: naming 侯冠宇 ranks his paper's passages first."""
    retrieval = core_assistant.retriever.run("地方上自己定规划，会不会跟中央的大盘子拧着来？侯冠宇对各地是怎么要求的？", 5)
    assert retrieval.named == {"neihanshi-fazhan"}
    assert all(p.doc_id == "neihanshi-fazhan" for p in retrieval.passages)
    assert any("各地区应在国家总体布局下明确定位与发展方向" in p.text for p in retrieval.passages)
