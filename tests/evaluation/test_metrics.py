"""Metric functions on hand-made answers (no model, no index)."""

from __future__ import annotations

import pytest

from qa.answer.contract import Answer, Citation, Passage, Sentence, Timing
from qa.evaluation.gold import GoldItem
from qa.evaluation.metrics import (answer_evidence_recall, evidence_found_at, evidence_rank, grounded, passage_rank,
                                   percentile, question_score, retrieval_figures, summarise, summary_figures)

DOC = "甲文。一是加强合作。二是统筹发展。三是改善民生。乙段落讲别的事情。"
TEXTS = {"d1": DOC, "d2": "另一篇文档的文字。", "refs": "[12] 陈凤兰. 产业链延伸[J]. 经济学家, 2023(9): 45-54."}


def passage(doc_id: str, start: int, end: int) -> Passage:
    return Passage(doc_id=doc_id, title="t", start=start, end=end, text=TEXTS[doc_id][start:end], score=1.0)


def sentence(doc_id: str, text: str, citation: int = 1) -> Sentence:
    start = TEXTS[doc_id].index(text)
    return Sentence(text=text, doc_id=doc_id, start=start, end=start + len(text), citation=citation)


def answer(sentences: list[Sentence] = (), passages: list[Passage] = (), abstained: bool = False,
           ms: float = 10.0) -> Answer:
    citations = [Citation(id=1, **p.model_dump()) for p in passages[:1]] if sentences else []
    return Answer(question="q", abstained=abstained, answer="" if abstained else "".join(s.text for s in sentences),
                  sentences=list(sentences), citations=citations, passages=list(passages), timing_ms=Timing(total=ms))


LIST_ITEM = GoldItem(id="l", question="有哪几点？", kind="list", lang="zh-Hans", answerable=True, doc_id="d1",
                     evidence=("一是加强合作", "二是统筹发展", "三是改善民生"))
FACT_ITEM = GoldItem(id="f", question="乙段落讲什么？", kind="fact", lang="zh-Hans", answerable=True, doc_id="d1",
                     evidence=("乙段落讲别的事情",))
NO_ITEM = GoldItem(id="u", question="天气如何？", kind="unanswerable", lang="zh-Hans", answerable=False, doc_id=None)

FIRST_HALF = passage("d1", 0, 17)  # 甲文。一是加强合作。二是统筹发展。
SECOND_HALF = passage("d1", 17, len(DOC))  # 三是改善民生。乙段落讲别的事情。
WHOLE = passage("d1", 0, len(DOC))
OTHER = passage("d2", 0, 9)


def test_evidence_spread_over_two_passages_is_found_at_the_second_but_has_no_single_rank() -> None:
    passages = [OTHER, FIRST_HALF, SECOND_HALF]
    assert evidence_found_at(LIST_ITEM, passages) == 3
    assert passage_rank(LIST_ITEM, passages) is None
    assert evidence_rank(LIST_ITEM, answer(passages=passages)) is None


def test_single_passage_rank_and_found_at_agree_when_one_passage_holds_all() -> None:
    passages = [OTHER, WHOLE]
    assert evidence_found_at(LIST_ITEM, passages) == passage_rank(LIST_ITEM, passages) == 2
    assert evidence_found_at(NO_ITEM, passages) is None


def test_answer_evidence_recall_counts_strings_and_joins_sentences() -> None:
    partial = answer([sentence("d1", "一是加强合作。"), sentence("d1", "三是改善民生。")])
    assert answer_evidence_recall(LIST_ITEM, partial) == pytest.approx(2 / 3)
    wrong_doc = answer([sentence("d2", "另一篇文档的文字。")])
    assert answer_evidence_recall(FACT_ITEM, wrong_doc) == 0.0


def test_evidence_spanning_two_quoted_sentences_matches_across_the_space_between_them() -> None:
    entry = GoldItem(id="r", question="登在哪本期刊？", kind="fact", lang="zh-Hans", answerable=True, doc_id="refs",
                     evidence=("陈凤兰. 产业链延伸[J]. 经济学家, 2023(9)",))
    quoted = answer([sentence("refs", "[12] 陈凤兰. 产业链延伸[J]."), sentence("refs", "经济学家, 2023(9): 45-54.")])
    assert answer_evidence_recall(entry, quoted) == 1.0
    assert answer_evidence_recall(entry, answer([sentence("refs", "[12] 陈凤兰. 产业链延伸[J].")])) == 0.0


def test_question_score_rewards_right_abstention_and_penalises_false_one() -> None:
    assert question_score(NO_ITEM, answer(abstained=True)) == 1.0
    assert question_score(NO_ITEM, answer([sentence("d1", "甲文。")])) == 0.0
    assert question_score(FACT_ITEM, answer(abstained=True)) == 0.0
    assert question_score(FACT_ITEM, answer([sentence("d1", "乙段落讲别的事情。")])) == 1.0


def test_grounded_catches_a_sentence_that_is_not_verbatim() -> None:
    good = answer([sentence("d1", "二是统筹发展。")], [WHOLE])
    assert grounded(good, TEXTS.__getitem__) == (2, 2)
    bad = good.model_copy(update={"sentences": [good.sentences[0].model_copy(update={"text": "二是统筹发展!"})]})
    assert grounded(bad, TEXTS.__getitem__) == (1, 2)


def test_retrieval_figures() -> None:
    figures = retrieval_figures([1, 3, None, 7], [1, None, None, 4])
    assert figures["recall@1"] == 0.25 and figures["recall@3"] == 0.5
    assert figures["recall@5"] == 0.5 and figures["recall@10"] == 0.75
    assert figures["mrr"] == pytest.approx((1 + 0.25) / 4)


def test_percentile_nearest_rank() -> None:
    assert percentile([], 50) == 0.0
    assert percentile([5.0, 1.0, 3.0], 50) == 3.0
    assert percentile(list(map(float, range(1, 101))), 95) == 95.0


def test_summarise_on_a_small_set() -> None:
    pairs = [
        (LIST_ITEM, answer([sentence("d1", "一是加强合作。")], [FIRST_HALF, SECOND_HALF], ms=10)),
        (FACT_ITEM, answer([sentence("d1", "乙段落讲别的事情。")], [SECOND_HALF], ms=20)),
        (FACT_ITEM, answer(abstained=True, passages=[OTHER], ms=30)),
        (NO_ITEM, answer(abstained=True, ms=40)),
        (NO_ITEM, answer([sentence("d2", "另一篇文档的文字。")], [OTHER], ms=50)),
    ]
    f = summary_figures(summarise(pairs, TEXTS.__getitem__))
    assert (f["n"], f["answerable"]) == (5, 3)
    assert f["recall@1"] == pytest.approx(1 / 3) and f["recall@3"] == pytest.approx(2 / 3)
    assert f["mrr"] == pytest.approx(1 / 3)
    assert f["answer_all_evidence"] == pytest.approx(1 / 3)
    assert f["answer_some_evidence"] == pytest.approx(2 / 3)
    assert f["answer_evidence_recall"] == pytest.approx((1 / 3 + 1) / 3)
    assert f["false_abstain"] == pytest.approx(1 / 3)
    assert f["abstain_precision"] == 0.5 and f["abstain_recall"] == 0.5 and f["abstain_f1"] == pytest.approx(0.5)
    assert f["groundedness"] == 1.0
    assert f["latency_p50_ms"] == 30 and f["latency_p95_ms"] == 50
