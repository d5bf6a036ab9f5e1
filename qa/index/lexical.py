"""BM25 over jieba tokens of text converted to Simplified Chinese.

Converting both passages and questions to Simplified (OpenCC ``t2s``) lets a Simplified question
find a Traditional passage and the reverse; jieba's search mode adds the sub-words of long words so
that 区域协调发展 also matches 协调.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import bm25s
import jieba
import numpy as np
from opencc import OpenCC

jieba.setLogLevel(logging.WARNING)
DOC_FREQ = "doc_freq.json"
_t2s = OpenCC("t2s")
_WORD = re.compile(r"[\w\u4e00-\u9fff]")
STOPWORDS = frozenset(
    "的 了 和 与 及 是 在 有 为 对 把 被 就 也 都 而 并 等 之 其 这 那 哪 哪些 什么 怎么 怎样 如何 为什么 吗 呢 吧 啊 "
    "中 上 下 个 些 里 要 将 从 以 于 由 向 给 让 到 或 还 又 很 更 最 一 我们 你 我 他 她 它 文章 文中 提到 提出 "
    "是否 多少 几 哪个 什么样 请问 请 说 说明 谈 谈到 主要 具体 方面 内容 问题 the a an of to in and is are what which "
    "how why does do for on with by".split()
)


def to_simplified(text: str) -> str:
    """Traditional → Simplified (idempotent on Simplified text)."""
    return _t2s.convert(text)


def char_runs(text: str, length: int) -> set[str]:
    """Every ``length`` characters in a row of ``text`` (a title's runs a question may share)."""
    return {text[i : i + length] for i in range(len(text) - length + 1)}


def simplified_library(texts: list[str]) -> str:
    """The library's texts in Simplified, lower-cased, one per line: what "the library mentions X" is
    checked against (the composer's unknown names, the translation table's absent names)."""
    return "\n".join(to_simplified(t).lower() for t in texts)


def tokenize(text: str) -> list[str]:
    """Lower-cased jieba search-mode tokens of the Simplified text, without punctuation, stopwords or
    single Latin letters (an English "I" would otherwise match every DOI)."""
    tokens = jieba.lcut_for_search(to_simplified(text).lower())
    return [t for t in tokens if _WORD.search(t) and t not in STOPWORDS and not (t.isascii() and len(t) < 2)]


@lru_cache(maxsize=1024)
def question_tokens(text: str) -> tuple[str, ...]:
    """:func:`tokenize` for questions, remembered: a question is tokenised for BM25 and again by the answer step."""
    return tuple(tokenize(text))


class LexicalIndex:
    """BM25 scores of every chunk for a question (bm25s, sparse, fast)."""

    def __init__(self, retriever: bm25s.BM25, size: int, doc_freq: dict[str, int]) -> None:
        self.retriever = retriever
        self.size = size
        self.doc_freq = doc_freq

    @classmethod
    def build(cls, texts: list[str]) -> "LexicalIndex":
        corpus = [tokenize(t) for t in texts]
        retriever = bm25s.BM25()
        retriever.index([tokens or [""] for tokens in corpus], show_progress=False)
        doc_freq = Counter(token for tokens in corpus for token in set(tokens))
        return cls(retriever, len(texts), dict(doc_freq))

    def save(self, folder: Path) -> None:
        self.retriever.save(str(folder))
        (folder / DOC_FREQ).write_text(json.dumps(self.doc_freq, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, size: int) -> "LexicalIndex":
        doc_freq = json.loads((folder / DOC_FREQ).read_text(encoding="utf-8"))
        return cls(bm25s.BM25.load(str(folder)), size, doc_freq)

    def idf(self, token: str) -> float:
        """Inverse document frequency (BM25's form); a word absent from the library weighs the most."""
        df = self.doc_freq.get(token, 0)
        return math.log(1 + (self.size - df + 0.5) / (df + 0.5))

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk (zeros when no query word is in the vocabulary)."""
        vocab = self.retriever.vocab_dict
        tokens = [t for t in question_tokens(query) if t in vocab]
        if not tokens:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self.retriever.get_scores(tokens), dtype=np.float32)

    def weighted_scores(self, terms: dict[str, float]) -> np.ndarray:
        """Sum of each term's BM25 scores times its weight (a translated query's terms are unequal).

        bm25s takes no per-term weights, so this reads its precomputed score matrix (one column of
        (document, score) pairs per token: ``scores["data"/"indices"/"indptr"]``) in one vectorised pass
        rather than calling ``get_scores`` once per term.
        """
        vocab = self.retriever.vocab_dict
        known = [(vocab[t], w) for t, w in terms.items() if t in vocab]
        total = np.zeros(self.size, dtype=np.float32)
        if not known:
            return total
        ids = np.array([i for i, _ in known], dtype=np.int64)
        weights = np.array([w for _, w in known], dtype=np.float32)
        matrix = self.retriever.scores
        starts, ends = matrix["indptr"][ids], matrix["indptr"][ids + 1]
        rows = np.concatenate([np.arange(a, b) for a, b in zip(starts, ends)])
        np.add.at(total, matrix["indices"][rows], np.repeat(weights, ends - starts) * matrix["data"][rows])
        if self.retriever.nonoccurrence_array is not None:  # BM25L / BM25+ variants
            total += float(weights @ self.retriever.nonoccurrence_array[ids])
        return total
