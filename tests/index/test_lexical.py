"""The lexical index: BM25 over jieba tokens of Simplified text, and weighted (translated) queries."""

from __future__ import annotations

import numpy as np

from qa.index.lexical import LexicalIndex

TEXTS = ["推动区域协调发展", "區域協調發展戰略機制", "数字产业集群跨区域发展", "生态保护补偿机制", "长江经济带发展"]


def test_traditional_and_simplified_share_tokens() -> None:
    index = LexicalIndex.build(TEXTS)
    scores = index.scores("区域协调")
    assert scores[0] > 0 and scores[1] > 0 and scores[3] == 0


def test_weighted_scores_equal_the_weighted_sum_of_single_term_queries() -> None:
    index = LexicalIndex.build(TEXTS)
    terms = {"区域": 0.3, "发展": 1.0, "机制": 0.5, "不在词表": 2.0}
    expected = sum(w * index.scores(t) for t, w in terms.items() if t in index.retriever.vocab_dict)
    np.testing.assert_allclose(index.weighted_scores(terms), expected, rtol=1e-6)
    assert not index.weighted_scores({"不在词表": 1.0}).any()
