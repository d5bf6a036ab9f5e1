"""Follow-ups that point into the previous answer by position: 「第三个特征具体有哪些举措？」.

A follow-up is normally read together with the question before it. When it names an item of the
previous answer by its ordinal, the previous question alone does not say *which* part of the text is
meant; the previous answer's item numbered n does (「五是…」「5. …」「（五）…」「第五，…」「其次，…」), so that item
becomes the context. When the previous answer quoted part of a list without item n, the source's item n
of that list is (an answer is kept short; the text goes on 「三是…」). When the previous answer holds no
list at all (fewer than two numbered sentences), the follow-up is read with the previous question as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from qa.answer.answer_type import numeral

# An item's number and its numbering style: 「二是」「二要」, 「2.」, 「（二）」, 「二、」, 「第二，」, 「其次」.
ITEM_NUMBER = re.compile(r"^\W*(第)?([0-9]{1,2}|[一二三四五六七八九十]{1,3})\s*(是|要|则|則|[、.．，,）)])")
# 「具體來看,一是…」「有三个方面值得关注：首先，…」: a list's first item may follow a short lead-in.
LEAD_IN = re.compile(r"^\s*(?:具[体體](?:来看|來看|而言)[,，:：]?|[^。：:，,]{1,12}[：:])")
SEQUENCE_WORDS = {"首先": 1, "其次": 2, "再次": 3}
LAST_WORDS = ("最后", "最後")
_SAME_MARK = str.maketrans({"、": ".", "．": ".", "，": ",", "）": ")", "則": "则"})
ORDINAL = re.compile(r"第\s*([0-9]{1,2}|[一二三四五六七八九十]{1,3})\s*(?:个|個|条|條|点|點|项|項|方面|种|種|类|類|部分|特征|特徵)")


def ordinal_reference(question: str) -> int | None:
    """The position a follow-up points at (「第五點具體是什麼」 → 5), if it names one."""
    match = ORDINAL.search(question)
    return numeral(match.group(1)) if match else None


def item_number(sentence: str) -> tuple[str, int] | None:
    """The numbering style and number an enumerated item opens with (「二是…」 → ("是", 2), 「（三）…」 →
    (")", 3), 「4. …」 → (".", 4), 「其次，…」 → ("首先", 2)); 「最后，…」 is ("首先", 0), numbered by its list."""
    sentence = LEAD_IN.sub("", sentence, count=1)
    head = sentence.lstrip()[:4]
    for word, n in SEQUENCE_WORDS.items():
        if head.startswith(word):
            return "首先", n
    if head.startswith(LAST_WORDS):
        return "首先", 0
    match = ITEM_NUMBER.match(sentence)
    if not match:
        return None
    style = (match.group(1) or "") + match.group(3).translate(_SAME_MARK)
    n = numeral(match.group(2))
    return (style, n) if n else None


def numbered_items(sentences: list[str]) -> dict[int, str]:
    """The longest list of the sentences by numbering style, as number → sentence (「首先…其次…最后…」
    beats one 「1. …」 heading among them)."""
    lists: dict[str, dict[int, str]] = {}
    for sentence in sentences:
        found = item_number(sentence)
        if found is None:
            continue
        style, n = found
        items = lists.setdefault(style, {})
        items.setdefault(n or max(items, default=0) + 1, sentence)
    return max(lists.values(), key=len, default={})


def followup_context(question: str, history: list[str],
                     previous_answer: Callable[[str, list[str]], list[str]],
                     source_item: Callable[[str, int], str | None] | None = None) -> list[str]:
    """The history to read ``question`` with: the previous answer's item numbered n when the question
    points at item n, else the history as given.

    ``previous_answer(question, history)`` returns the sentences the assistant quotes for a question;
    ``source_item(item, n)`` the source's item n of the list a quoted item belongs to, if it has one.
    """
    n = ordinal_reference(question) if history else None
    if not n:
        return history
    numbered = numbered_items(previous_answer(history[-1], history[:-1]))
    if len(numbered) >= 2 and n not in numbered and source_item is not None:
        found = source_item(numbered[min(numbered, key=lambda k: abs(k - n))], n)
        if found is not None:
            numbered[n] = found
    if len(numbered) < 2 or n not in numbered:  # one numbered heading is not a list to point into
        return history
    return [*history[:-1], numbered[n]]
