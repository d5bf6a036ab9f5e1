"""Documents a question names: 「侯冠宇的论文…」, 「光明日报那篇…」, 「聯動融合一文…」.

Students name the article they ask about far more often than they quote it: two questions in three of
the gold sets name their document by an author, the venue, or a run of its title. A paraphrase that
shares few words with its passage is then found among that document's passages rather than the whole
library's (a self-query filter, as LangChain's self-query retriever builds from metadata, but read
from the catalogue rather than generated).

A cue must be *distinctive*: an author or venue, or a four-character run of the title, that no other
document's text contains. 「区域发展」 is in every title and names nothing; 「联动融合」 names one text.
Measured on the eighteen gold splits: 383 of 629 answerable questions name their document, none names
another one.
"""

from __future__ import annotations

import re

from qa.documents.loader import Document
from qa.index.lexical import char_runs, question_tokens, to_simplified

MIN_UNNAMED_TERMS = 2
# A title run names its document when the question calls it an article: 「…那篇文章」「…一文」. Not 《…》
# alone: 「《战栗游戏》的作者是谁」 asks about the book an encyclopedia article is titled after.
_TITLE_AFTER = re.compile(r"[》」”\"']?的?(?:[这那一此](?:篇|份)|一文|文章|论文|文中|文里|报道)")
RUN = 4  # title run length: three characters (「区域间」) name too much, five miss 「联动融合」
_HAN_RUN = re.compile(rf"[\u3400-\u9fff]{{{RUN}}}")


def _plain(text: str) -> str:
    """Simplified, lower-cased, without whitespace (a title may break over lines)."""
    return re.sub(r"\s+", "", to_simplified(text)).lower()


class DocumentMentions:
    """Finds the library documents a question names by a distinctive catalogue cue."""

    def __init__(self, documents: list[Document]) -> None:
        self.titles = {d.doc_id: _plain(d.title) for d in documents}
        self.title_runs = {doc_id: {run for run in char_runs(title, RUN) if _HAN_RUN.fullmatch(run)}
                           for doc_id, title in self.titles.items()}
        candidates = {d.doc_id: self.title_runs[d.doc_id] | {_plain(n) for n in (*d.authors, d.venue or "", *d.aliases) if n.strip()}
                      for d in documents}
        holders = _holders({c for cues in candidates.values() for c in cues}, {d.doc_id: d.text for d in documents})
        self.cues = {doc_id: {c for c in cues if holders.get(c, set()) <= {doc_id}} for doc_id, cues in candidates.items()}

    def named(self, question: str) -> frozenset[str]:
        """Ids of the documents ``question`` names (empty when it names none, or every one)."""
        plain = _plain(question)
        found = frozenset(doc_id for doc_id, cues in self.cues.items() if any(c in plain for c in cues))
        return found if len(found) < len(self.cues) else frozenset()

    def unnamed(self, question: str, named: frozenset[str]) -> str:
        """``question`` in Simplified, without the title words that name the ``named`` documents.

        Once the named documents' passages are ranked first, their title only matches every one of them
        alike: 「推動區域間聯動融合發展那篇文章裡，京津冀協同發展要怎麼推進」 must rank its passages by
        京津冀. A title run is a name only where the question calls it an article (「…那篇文章」, 「…一文」):
        「价值意蕴是什么」 asks about the title's own words. Authors and venues stay: 「侯冠宇的论文
        列了哪些关键词」 is answered by the line that holds the name. The question is kept whole when
        nothing but question words would be left.
        Measured on the 36 spent gold splits: recall@5 +4 of 1,170, answers +0.07 points, one more
        unanswerable question abstains; the question is encoded once, without the title, for both the
        retrieval and the answer step.  Known loss: a heading that repeats the title (「推動區域間聯動融合發展
        具有堅實基礎」) is no longer found for 「推動區域間聯動融合發展這篇文章說，區域間合作的基礎…」.
        """
        text = to_simplified(question)
        kept = [i for i, ch in enumerate(text) if not ch.isspace()]
        plain = "".join(text[i] for i in kept).lower()
        hidden: set[int] = set()
        for doc_id in named:
            title = self.titles[doc_id]
            for cue in self.cues[doc_id] & self.title_runs[doc_id]:
                for m in re.finditer(re.escape(cue), plain):
                    start, end = _widened(plain, m.start(), m.end(), title)
                    if _TITLE_AFTER.match(plain, end):
                        hidden.update(kept[start:end])
        if not hidden:
            return text
        rest = "".join(" " if i in hidden else ch for i, ch in enumerate(text))
        return rest if len(question_tokens(rest)) >= MIN_UNNAMED_TERMS else text


def _widened(text: str, start: int, end: int, title: str) -> tuple[int, int]:
    """The span ``[start, end)`` of ``text`` widened while it stays a run of ``title``."""
    while start > 0 and text[start - 1 : end] in title:
        start -= 1
    while end < len(text) and text[start : end + 1] in title:
        end += 1
    return start, end


def _holders(cues: set[str], texts: dict[str, str]) -> dict[str, set[str]]:
    """For each cue, the documents whose text contains it.

    One pass over every text per cue length, looking each run up in a set: testing each cue against
    each text would be quadratic in the library's size (3,000 passages of CMRC 2018 are a library too).
    """
    lengths = {len(c) for c in cues}
    holders: dict[str, set[str]] = {}
    for doc_id, text in texts.items():
        plain = _plain(text)
        for n in lengths:
            for run in char_runs(plain, n) & cues:
                holders.setdefault(run, set()).add(doc_id)
    return holders


def prefer(fused: list[tuple[int, float]], chunk_doc: list[str], named: frozenset[str]) -> list[tuple[int, float]]:
    """A fused ranking with the named documents' chunks first, each group in its own order."""
    if not named:
        return fused
    return [f for f in fused if chunk_doc[f[0]] in named] + [f for f in fused if chunk_doc[f[0]] not in named]
