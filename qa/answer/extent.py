"""How much of the source an answer quotes around its best sentence.

A list question gets the items of the enumeration (一是…二是…, 首先…其次…) or the sub-headings of the
section the best sentence heads; a heading or a short topic sentence gets the sentences that spell it
out; a why-question the reason next to its premise; a how-question the remedy after the problem; a
question about each of several things a sentence on each; an ordinal follow-up (「第三点呢」) the item
the source numbers so. Everything stays within a length budget.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from qa.answer.answer_type import asks_count, expected_type
from qa.answer.layout import SentenceLayout
from qa.documents.cleaning import heading_at
from qa.index.lexical import char_runs, to_simplified
from qa.retrieval.followup import item_number

LIST_QUESTION = re.compile(r"哪些|哪几|哪幾|哪[两兩二三四五六七八九十]|几个方面|几方面|几点|[几幾][项項条條]|包括|包含|措施|举措|舉措|途徑|途径|路径|路徑|方面|有何|列举|列舉|"
                           r"what are|which|list|ways|measures|steps", re.IGNORECASE)
ENUMERATION = re.compile(r"^(首先|其次|再次|最后|最後|此外|另外|同时|同時|一方面|另一方面|[一二三四五六七八九十][是要則则]|"
                         r"第[一二三四五六七八九十]|[（(]?[1-9一二三四五六七八九十][)）、.．])")
ITEM_MARKER = re.compile(r"[一二三四五六七八九十][是要]|首先|其次|第[一二三四五六七八九十]")
# 「有三个方面值得关注：首先，实施生态优先战略。」: the introduction and the first item are one sentence.
FIRST_ITEM_AFTER_COLON = re.compile(r"[：:]\s*(?:首先|一是|一要|第一)")
SHORT_SENTENCE = 40
# The sentence matching a why-question best often restates its premise; the reason tends to follow it.
WHY_QUESTION = re.compile(r"为什么|為什麼|为何|為何|原因|\bwhy\b", re.IGNORECASE)
# 「如何防止…垄断」 is best matched by the sentence naming the problem; 「为此，需要…」 after it is the remedy.
HOW_QUESTION = re.compile(r"怎么|怎樣|怎样|如何|\bhow\b", re.IGNORECASE)
_THEREFORE = "为此|為此|因此|所以|由此|鉴于此|鑒於此"
REMEDY = re.compile(rf"^\W*(?:{_THEREFORE}|对此|對此)")
# 「…建立…沟通协调机制，避免…政策错位等问题。同时，强化法规与监管机制建设…」: a further step of the same remedy.
FURTHER = re.compile(r"^\W*(?:同时|同時|与此同时|與此同時|此外|另外|并且|並且|还要|還要|还应|還應)")
# 「在此背景下，…提出了“五个统筹”」 best matches 「为什么提出“五个统筹”」; the reason is the sentence before it.
CONSEQUENCE = re.compile(rf"^\W*(?:{_THEREFORE}|在此背景下|在這一背景下|在这一背景下|在此基础上|基于此|基於此|因而|正因如此)")
MAX_LIST_SENTENCES = 7
MAX_LED_PARAGRAPHS = 4
ITEM_RUN = 3  # a question's listed thing (「生态脆弱区」) is named by a sentence sharing 3 characters in a row of it
MAX_ITEM_DISTANCE = 60  # sentences between two items of one list (the items of 「路径举措」 run over pages)
MAX_LIST_CHARS = 750
MIN_SERIES = 3  # clauses closed by semicolons that make a list
NAMED_ITEM_RUN = 4  # a question naming one item of a list (「在法治环境方面…」) shares this many characters in a row
PLURAL = re.compile(r"哪些|哪几|哪幾|哪[两兩二三四五六七八九十]|几个|幾個|几方面|幾方面|几点|幾點|分别|分別|各自|都有|\bwhat are\b|\bwhich\b", re.IGNORECASE)
MAX_PLAIN_CHARS = 300


class Extent:
    """Chooses the sentences that go with an answer's best sentence."""

    def __init__(self, layout: SentenceLayout) -> None:
        self.layout = layout

    def shape(self, best: int, question: str, history: list[str] | None, cover: Callable[[int], float],
               ordinal: bool) -> list[int]:
        """The sentences around the best one that answer the question: an ordinal follow-up's item, a list's
        items, a heading's or short sentence's elaboration, a reference entry whole, a why-question's reason,
        a how-question's remedy."""
        if ordinal:
            return self.item_body(best)
        if asks_list(question, history) or (HOW_QUESTION.search(question) and self.layout.is_line(best)):  # 「怎样消除市场壁垒」 → 首先…其次…最后
            chosen = self.enumeration(best, cover, series=expected_type(question) is None)
            named = None if PLURAL.search(question) or HOW_QUESTION.search(question) else self.named_item(chosen, question)
            return self.item_body(named) if named is not None else chosen
        if self.layout.reference[best]:  # an entry is one line, split at its 「[J].」: quote it whole
            return self.layout.paragraph(best)
        if not self.layout.is_line(best) and self.layout.chars([best]) < SHORT_SENTENCE and is_item(self.layout.text(best)):
            return self.item_body(best)  # 「第二,细化主体功能区划分。」: the rest of the item spells it out
        if self.layout.is_line(best) or self.layout.chars([best]) < SHORT_SENTENCE:
            return self.elaboration(best, whole_series=bool(HOW_QUESTION.search(question)))
        if WHY_QUESTION.search(question) and CONSEQUENCE.match(self.layout.text(best)) \
                and self.layout.paragraph(best)[0] < best and self.layout.chars([best - 1, best]) <= MAX_PLAIN_CHARS:
            return [best - 1, best]
        if WHY_QUESTION.search(question) or (HOW_QUESTION.search(question) and self.remedy_follows(best)):
            return self.with_next(best)
        return [best]

    def enumeration(self, best: int, cover: Callable[[int], float], series: bool = True) -> list[int]:
        """For a list question: the sub-headings of the section the best sentence heads or introduces;
        else the enumerated items (一是…二是…, 首先…其次…) of the best sentence's
        paragraph — or of the paragraph it leads to when it is a heading or an introduction (see
        :meth:`asked_paragraph`; ``cover`` gives the question's coverage of a sentence) —
        after the best sentence when it introduces them; else (no enumeration, or the best sentence is a
        detail within one item) the best sentence alone."""
        sub_headings = self.layout.sub_headings(best)
        if sub_headings:
            return self.within_list_budget([best] + sub_headings)
        items = [s for s in self.layout.paragraph(best) if is_item(self.layout.text(s))]
        if len(items) < 2 and (self.layout.is_line(best) or self.layout.paragraph(best)[-1] == best):
            items = [s for s in self.asked_paragraph(best, cover) if is_item(self.layout.text(s))]
        if len(items) < 2 and series:  # not for a typed question: a series names places and figures of its own
            items = self.clause_series(self.layout.paragraph(best), best)
        if len(items) < 2:
            return self.elaboration(best) if self.layout.chars([best]) < SHORT_SENTENCE else [best]
        if best > items[0] and best not in items:
            return [best]  # the best sentence is a detail inside one item: that detail is the answer
        return self.within_list_budget(([best] if best < items[0] else []) + items)

    def within_list_budget(self, chosen: list[int]) -> list[int]:
        """A list answer cut, from its end, to ``MAX_LIST_CHARS`` characters and ``MAX_LIST_SENTENCES``
        sentences (its first two sentences always kept)."""
        while len(chosen) > 2 and (self.layout.chars(chosen) > MAX_LIST_CHARS or len(chosen) > MAX_LIST_SENTENCES):
            chosen.pop()
        return chosen

    def named_item(self, items: list[int], question: str) -> int | None:
        """The one item of a list the question names by ``NAMED_ITEM_RUN`` characters in a row of its text after
        its marker (「在法治环境方面存在什么问题」 → 「六是法治環境有待完善。」), if exactly one is."""
        asked = re.sub(r"\W+", "", to_simplified(question))
        named = [s for s in items if is_item(text := self.layout.simplified(s))
                 and names_any(asked, char_runs(re.sub(r"\W+", "", ENUMERATION.sub("", text)), NAMED_ITEM_RUN))]
        return named[0] if len(named) == 1 and len(items) > 2 else None

    def clause_series(self, paragraph: list[int], best: int) -> list[int]:
        """A series of at least three clauses closed by semicolons (「…设计产业链升级政策，…；…设计产业链协调政策，…；
        …设计产业链跨区域布局政策，…。」) in ``paragraph`` that holds ``best`` or follows it: a list without
        item markers."""
        run: list[int] = []
        for s in paragraph:
            run.append(s)
            if not self.layout.text(s).rstrip().endswith(("；", ";")):
                if len(run) >= MIN_SERIES and run[-1] >= best:
                    return run
                run = []
        return []

    def asked_paragraph(self, best: int, cover: Callable[[int], float]) -> list[int]:
        """The paragraph a heading or introduction leads to that the question asks about: of the next
        paragraphs up to the next heading line (at most ``MAX_LED_PARAGRAPHS``), the one whose opening
        sentence covers most of the question, the first on a tie (「思路重點」 leads to 「新要求」 and
        「主要思路」 paragraphs; 「主要思路有哪幾條」 asks for the second)."""
        options: list[list[int]] = []
        last = best
        while len(options) < MAX_LED_PARAGRAPHS:
            paragraph = self.layout.next_paragraph(last)
            if not paragraph or (options and self.layout.is_line(paragraph[0])):
                break
            options.append(paragraph)
            last = paragraph[-1]
        if not options:
            return []
        return max(options, key=lambda p: (cover(p[0]), -options.index(p)))

    def item_body(self, best: int) -> list[int]:
        """The best sentence and the rest of its item: the following sentences of its paragraph up to the
        next enumerated item, within the length budget (「二是…。充分发挥…。加快…。三是…」); a heading's
        (or a short item's closing its paragraph) elaboration."""
        if self.layout.is_line(best) or (self.layout.paragraph(best)[-1] == best and self.layout.chars([best]) < SHORT_SENTENCE):
            return self.elaboration(best)  # 「三是构建区域联动机制。」 ends its line; the next one spells it out
        chosen = [best]
        for t in [t for t in self.layout.paragraph(best) if t > best]:
            if is_item(self.layout.text(t)) or self.layout.chars(chosen + [t]) > MAX_PLAIN_CHARS:
                break
            chosen.append(t)
        return chosen

    def elaboration(self, best: int, whole_series: bool = False) -> list[int]:
        """A heading or a short topic sentence, followed by the sentences that spell it out — with
        ``whole_series``, all of a series of clauses (…；…；…。) they reach: the steps a how-question asks for."""
        following = [t for t in self.layout.paragraph(best) if t > best] or self.layout.next_paragraph(best)
        chosen = [best]
        for t in following:
            if self.layout.chars(chosen + [t]) > MAX_PLAIN_CHARS and len(chosen) > 1:
                break
            chosen.append(t)
            if self.layout.chars(chosen) >= 2 * SHORT_SENTENCE + self.layout.chars([best]):
                break
        series = self.clause_series(self.layout.paragraph(chosen[-1]), chosen[-1]) if whole_series else []
        if chosen[-1] in series:
            return self.within_list_budget(chosen + [t for t in series if t > chosen[-1]])
        return chosen

    def with_next(self, best: int) -> list[int]:
        """The best sentence and the next one of its paragraph, if that fits the length budget."""
        following = [t for t in self.layout.paragraph(best) if t > best][:1]
        return [best] + following if following and self.layout.chars([best] + following) <= MAX_PLAIN_CHARS else [best]

    def remedy_follows(self, s: int) -> bool:
        """Whether the next sentence of ``s``'s paragraph opens with 为此 / 因此 (what to do about it) or adds a
        further step (同时, 此外…)."""
        if self.layout.paragraph(s)[-1] <= s:
            return False
        following = self.layout.text(s + 1)
        return bool(REMEDY.match(following) or FURTHER.match(following))

    def each_item(self, items: list[str], chosen: list[int], best: int, ids: np.ndarray, texts: list[str],
                   scores: np.ndarray) -> list[int]:
        """For a question asking about each of several things (「X、Y和Z分别…」): the chosen sentences plus, for
        each thing none of them names, the best-scoring candidate of the best sentence's document naming it
        (by ``ITEM_RUN`` characters in a row), within the list budget — the chosen elaboration gives way."""
        doc = self.layout.store.sentence_doc[best]
        added: list[int] = []
        for thing in items:
            runs = char_runs(re.sub(r"\W+", "", thing), ITEM_RUN) or {thing}
            if any(names_any(self.layout.simplified(s), runs) for s in chosen + added):
                continue
            holders = [pos for pos, (s, t) in enumerate(zip(ids.tolist(), texts))
                       if self.layout.store.sentence_doc[s] == doc and np.isfinite(scores[pos]) and names_any(t, runs)]
            if holders:
                added.append(int(ids[max(holders, key=lambda pos: scores[pos])]))
        if not added:
            return chosen
        kept = list(chosen)
        while len(kept) > 1 and self.layout.chars(kept + added) > MAX_LIST_CHARS:
            kept.pop()
        return kept + [s for s in added if s not in kept]

    def list_item(self, doc_id: str, start: int, n: int) -> str | None:
        """The sentence numbered ``n`` in the list whose item is the sentence at ``start`` of ``doc_id``, in the
        same numbering style (「一是」 → 「三是」), searched on from it within its section while the numbers keep
        their direction."""
        doc = self.layout.store.doc_pos[doc_id]
        s = self.layout.sentence_at(doc, start)
        numbered = item_number(self.layout.text(s)) if s is not None else None
        if s is None or numbered is None or not numbered[1]:
            return None
        style, k = numbered
        step = 1 if n > k else -1
        headings = self.layout.store.documents[doc].headings
        section = heading_at(headings, int(self.layout.store.sentence_start[s]))
        for t in range(s + step, s + step * (MAX_ITEM_DISTANCE + 1), step):
            if not 0 <= t < len(self.layout.store.sentence_doc) or self.layout.store.sentence_doc[t] != doc:
                return None
            found = item_number(self.layout.text(t))
            here = heading_at(headings, int(self.layout.store.sentence_start[t]))
            if found is None or found[0] != style:
                if here != section:
                    return None  # a list does not run past its section (its items may be headings themselves)
                continue
            section = here
            m = found[1] or k + step  # 「最后，…」 closes the list
            if m == n:
                return self.layout.text(t)
            if (m - k) * step <= 0:
                return None  # numbering went back: another list
            k = m
        return None


def asks_list(question: str, history: list[str] | None) -> bool:
    """Whether the question (or the one it follows up) asks for a list or a count of items."""
    return bool(LIST_QUESTION.search(question) or asks_count(question)
                or any(LIST_QUESTION.search(h) for h in (history or [])[-1:]))


def names_any(text: str, runs: set[str]) -> bool:
    """Whether ``text`` holds one of ``runs`` (a question sharing a title's run of characters names it)."""
    return any(run in text for run in runs)


def is_item(sentence: str) -> bool:
    """Whether a sentence opens an item of an enumeration."""
    return bool(ENUMERATION.match(sentence) or ITEM_MARKER.search(sentence[:8]) or FIRST_ITEM_AFTER_COLON.search(sentence))
