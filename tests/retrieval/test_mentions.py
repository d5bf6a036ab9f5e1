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


def test_an_article_title_is_left_out_of_the_question_it_names() -> None:
    mentions = DocumentMentions(_library())
    question = "推動區域間聯動融合發展那篇文章裡，京津冀協同發展要怎麼推進？"
    rest = mentions.unnamed(question, mentions.named(question))
    assert "联动融合" not in rest and "京津冀协同发展要怎么推进" in rest  # the title's words, in Simplified
    assert "区域协调" not in mentions.unnamed("《内涵式发展:区域协调发展战略》一文的结论是什么？", frozenset({"b"}))


def test_title_words_asked_about_authors_and_bare_names_stay() -> None:
    mentions = DocumentMentions(_library())
    asked = "联动融合发展有哪些难点？"  # the title's words, but not called an article: they are the topic
    assert mentions.unnamed(asked, mentions.named(asked)) == asked
    author = "侯冠宇那篇论文列了哪些关键词？"  # an author's line answers bibliographic questions
    assert mentions.unnamed(author, mentions.named(author)) == author
    bare = "聯動融合那篇文章？"  # nothing but question words would be left
    assert mentions.unnamed(bare, mentions.named(bare)) == "联动融合那篇文章？"


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


def test_a_question_naming_its_article_by_title_ranks_by_what_it_asks_on_the_seeds(core_assistant) -> None:
    """The title matches every passage of its article alike; without it, 京津冀 finds the 牛鼻子 sentence."""
    retrieval = core_assistant.retriever.run("推動區域間聯動融合發展那篇文章裡，京津冀協同發展要怎麼推進？", 5)
    assert any("北京非首都功能疏解這個“牛鼻子”" in p.text for p in retrieval.passages)
