"""Where each sentence of the library stands: its text, its paragraph and section, and the kind of line it is.

The answer step quotes whole sentences; which ones go together (a paragraph, a heading and what it
heads, a reference entry split at its 「[J].」) and which lines are not body text (an abstract, the
reference list, a paper's bibliographic lines) is read here once per index, from the sentence table
of :class:`~qa.index.store.IndexStore` and the documents' headings.
"""

from __future__ import annotations

import re
from functools import cached_property

import numpy as np

from qa.documents.cleaning import heading_at, section_end
from qa.index.lexical import to_simplified
from qa.index.store import IndexStore
from qa.index.translation import english_stems
from qa.retrieval.retriever import is_latin

# A paper's abstract opens 摘要 / 【摘要】 / Abstract.
ABSTRACT = re.compile(r"^\W*(摘\s*要|abstract)\W", re.IGNORECASE)
# A reference list (参考文献) names titles on every topic: its entries answer questions about sources only
# (「…引用的…登在哪个期刊」), or questions naming an entry's title — not 「创业担保贷款要准备哪些材料」.
REFERENCES_HEADING = re.compile(r"^\W*(参考文献|參考文獻|references|bibliography)\W*$", re.IGNORECASE)
WORDS = re.compile(r"[\u3400-\u9fff]{2}|[A-Za-z]{3}")  # a sentence to quote has words, not just "1." or "[3]"
NUMBERED_ENTRY = re.compile(r"^\W*\[[0-9]{1,3}\]")  # 「[29] 汪彬. 多层次交互式制度创新…」
# A paper's bibliographic lines (labelled 引用格式, 作者简介, 基金项目, 收稿日期, DOI…, the byline with its
# affiliation marks, a newspaper's 责编 / （作者：…） line) name the paper's author and title, so they match
# any question naming them (「侯冠宇为什么主张…」); they answer only questions about the paper itself.
BIBLIOGRAPHIC = re.compile(r"^\W*(?:引用格式|作者简介|作者簡介|基金项目|基金項目|收稿日期|关键词|關鍵詞|中图分类号|中圖分類號|"
                           r"文献标志码|文獻標識碼|文章编号|文章編號|DOI|責編|责编|美編|美编|作者[:：])|\^\{[0-9, ]+\}", re.IGNORECASE)


class SentenceLayout:
    """The library's sentences (ids into the store's sentence table) with their paragraphs, sections and
    line kinds; texts also in Simplified, lower-cased, for matching questions."""

    def __init__(self, store: IndexStore) -> None:
        self.store = store
        self.doc_bounds = np.searchsorted(store.sentence_doc, np.arange(len(store.documents) + 1))
        self.simplified_docs = [to_simplified(doc.text).lower() for doc in store.documents]
        # Sentences are sliced from the converted text where t2s kept the length (almost always).
        self.sliceable = [len(s) == len(doc.text) for s, doc in zip(self.simplified_docs, store.documents)]
        self.library_text = "\n".join(self.simplified_docs)  # = lexical.simplified_library(texts)
        # What is said of every sentence of a document: its title, venue and authors (「光明日报那篇文章主张…」
        # names the page; it does not ask for the line that prints the venue).
        self.headers = [to_simplified(" ".join([doc.title, doc.venue or "", *doc.authors])).lower()
                        for doc in store.documents]
        # Names are looked up without whitespace: a title may break over lines (「促进区域协调发展\n增强…」).
        self.library_compact = re.sub(r"\s+", "", self.library_text + "".join(self.headers))
        self.paragraph_of = self._paragraph_ids()
        self.paragraph_first = np.searchsorted(self.paragraph_of, np.arange(int(self.paragraph_of[-1]) + 2)) \
            if len(self.paragraph_of) else np.zeros(1, dtype=np.int64)
        self.abstract = self._abstract_paragraphs()
        self.reference = self._reference_sentences()
        self.bibliographic = self._bibliographic_sentences()
        self._worded = np.full(len(store.sentence_doc), -1, dtype=np.int8)  # see has_words; -1: not yet known

    @cached_property
    def catalogue_stems(self) -> frozenset[str]:
        """The English words the catalogue names documents with (「Guangming Daily」, 「Hou Guanyu」): an English
        question naming its article by them asks about the library, not about something it lacks."""
        names = [n for d in self.store.documents for n in (*d.aliases, *d.authors, d.venue or "", d.title)]
        return frozenset(english_stems(" ".join(names)))

    @cached_property
    def has_english(self) -> bool:
        """Whether the library holds English text (an abstract): asked only by English questions naming it."""
        return any(is_latin(c.text) for c in self.store.chunks)

    def text(self, s: int) -> str:
        """The sentence as the source prints it."""
        doc = self.store.documents[int(self.store.sentence_doc[s])]
        return doc.text[int(self.store.sentence_start[s]) : int(self.store.sentence_end[s])]

    def simplified(self, s: int) -> str:
        """The sentence in Simplified, lower-cased."""
        d = int(self.store.sentence_doc[s])
        if self.sliceable[d]:
            return self.simplified_docs[d][int(self.store.sentence_start[s]) : int(self.store.sentence_end[s])]
        return to_simplified(self.text(s)).lower()

    def sentences_in(self, doc_id: str, start: int, end: int) -> list[int]:
        """Sentence ids overlapping ``[start, end)`` of a document (a passage), in document order."""
        d = self.store.doc_pos[doc_id]
        lo, hi = self.doc_bounds[d], self.doc_bounds[d + 1]
        first = lo + int(np.searchsorted(self.store.sentence_end[lo:hi], start, side="right"))
        last = lo + int(np.searchsorted(self.store.sentence_start[lo:hi], end, side="left"))
        return list(range(first, max(first, last)))

    def has_words(self, s: int) -> bool:
        """Whether sentence ``s`` has words (see :data:`WORDS`), remembered: the same sentences are retrieved
        question after question."""
        if self._worded[s] < 0:
            self._worded[s] = bool(WORDS.search(self.text(s)))
        return bool(self._worded[s])

    def chars(self, sentences: list[int]) -> int:
        """The length of these sentences together."""
        return sum(int(self.store.sentence_end[s] - self.store.sentence_start[s]) for s in sentences)

    def _paragraph_ids(self) -> np.ndarray:
        """For each sentence, the number of its paragraph (text between line breaks), library-wide."""
        store = self.store
        starts_paragraph = np.ones(len(store.sentence_doc), dtype=bool)
        for d, doc in enumerate(store.documents):
            lo, hi = int(self.doc_bounds[d]), int(self.doc_bounds[d + 1])
            if hi - lo < 2:
                continue
            newlines = np.array([m.start() for m in re.finditer("\n", doc.text)], dtype=np.int64)
            gap_start, gap_end = store.sentence_end[lo : hi - 1], store.sentence_start[lo + 1 : hi]
            starts_paragraph[lo + 1 : hi] = np.searchsorted(newlines, gap_end) > np.searchsorted(newlines, gap_start)
        return np.cumsum(starts_paragraph) - 1

    def paragraph(self, s: int) -> list[int]:
        """Sentence ids of the paragraph (text between line breaks) holding sentence ``s``."""
        p = self.paragraph_of[s]
        return list(range(int(self.paragraph_first[p]), int(self.paragraph_first[p + 1])))

    def _abstract_paragraphs(self) -> np.ndarray:
        """For each paragraph, whether it is a paper's abstract (opens 摘要 / 【摘要】 / Abstract)."""
        firsts = self.paragraph_first[:-1]
        return np.array([bool(ABSTRACT.match(self.text(int(s))[:16])) for s in firsts], dtype=bool)

    def _reference_sentences(self) -> np.ndarray:
        """For each sentence, whether it lies in its document's reference list (after a 参考文献 heading)."""
        flags = np.zeros(len(self.store.sentence_doc), dtype=bool)
        for d, doc in enumerate(self.store.documents):
            start = next((h.start for h in doc.headings if REFERENCES_HEADING.match(h.text)), None)
            if start is not None:
                lo, hi = int(self.doc_bounds[d]), int(self.doc_bounds[d + 1])
                flags[lo:hi] = self.store.sentence_start[lo:hi] >= start
        return flags

    def _bibliographic_sentences(self) -> np.ndarray:
        """For each sentence, whether its line is a bibliographic one (see :data:`BIBLIOGRAPHIC`) or the
        document's title (it names every topic of the paper, 「…关键特征、价值意蕴与实践进路」): a line's later
        sentences (「技术经济, 2025, 44(4): 49-56.」 after 「引用格式:…[J].」) are too."""
        titles = [re.sub(r"\s+", "", doc.title) for doc in self.store.documents]
        own = np.array([bool(BIBLIOGRAPHIC.search(text := self.text(s)))
                        or re.sub(r"\s+", "", text) == titles[int(self.store.sentence_doc[s])]  # the title line
                        for s in range(len(self.store.sentence_doc))], dtype=bool)
        return own | own[self.paragraph_first[:-1]][self.paragraph_of] if len(own) else own

    def is_line(self, s: int) -> bool:
        """The sentence is a whole line of its own (a heading, a caption)."""
        return self.paragraph(s) == [s]

    def next_paragraph(self, s: int) -> list[int]:
        """Sentence ids of the paragraph after ``s``'s, in the same document (none at its end)."""
        last = self.paragraph(s)[-1]
        if last + 1 >= len(self.store.sentence_doc) or self.store.sentence_doc[last + 1] != self.store.sentence_doc[s]:
            return []
        return self.paragraph(last + 1)

    def sentence_at(self, doc: int, offset: int) -> int | None:
        """The sentence of document number ``doc`` starting at ``offset``, if one does."""
        lo, hi = int(self.doc_bounds[doc]), int(self.doc_bounds[doc + 1])
        s = lo + int(np.searchsorted(self.store.sentence_start[lo:hi], offset))
        return s if s < hi and int(self.store.sentence_start[s]) == offset else None

    def _led_section(self, s: int) -> tuple[int, int, int] | None:
        """(document number, heading position, heading sentence) of the numbered section whose heading line
        ``s`` is, or introduces as the first sentence after it."""
        doc = int(self.store.sentence_doc[s])
        headings = self.store.documents[doc].headings
        pos = heading_at(headings, int(self.store.sentence_start[s]))
        if pos is None or headings[pos].level is None:
            return None
        head = self.sentence_at(doc, headings[pos].start)
        return (doc, pos, head) if head is not None and s in (head, *self.next_paragraph(head)[:1]) else None

    def led_heading(self, s: int) -> int | None:
        """The numbered heading line that ``s`` is, or introduces as the first sentence after it."""
        led = self._led_section(s)
        return led[2] if led is not None else None

    def sub_headings(self, best: int) -> list[int]:
        """Sentence ids of the sub-headings of the section that ``best`` heads or introduces (see
        :meth:`led_heading`): 「（三）关键特征」 → 「1. …」「2. …」「3. …」."""
        led = self._led_section(best)
        if led is None:
            return []
        doc, pos, _ = led
        headings = self.store.documents[doc].headings
        children = headings[pos + 1 : section_end(headings, pos)]
        depth = min((h.level for h in children), default=None)
        ids = [self.sentence_at(doc, h.start) for h in children if h.level == depth]
        return [s for s in ids if s is not None] if len(ids) >= 2 else []

    def reference_list(self, doc: int) -> list[int]:
        """Sentence ids of document number ``doc``'s reference list (none without one): its entries up to the
        last numbered one (「[29] …」) when they are numbered — an English title and abstract may follow."""
        lo, hi = int(self.doc_bounds[doc]), int(self.doc_bounds[doc + 1])
        entries = [s for s in range(lo, hi) if self.reference[s] and not self.bibliographic[s]
                   and not REFERENCES_HEADING.match(self.text(s))]
        numbered = [s for s in entries if NUMBERED_ENTRY.match(self.text(s))]
        return [s for s in entries if s <= self.paragraph(numbered[-1])[-1]] if numbered else entries
