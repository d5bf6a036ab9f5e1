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
from qa.index.lexical import char_runs, to_simplified

RUN = 4  # title run length: three characters (「区域间」) name too much, five miss 「联动融合」
_HAN_RUN = re.compile(rf"[\u3400-\u9fff]{{{RUN}}}")


def _plain(text: str) -> str:
    """Simplified, lower-cased, without whitespace (a title may break over lines)."""
    return re.sub(r"\s+", "", to_simplified(text)).lower()


class DocumentMentions:
    """Finds the library documents a question names by a distinctive catalogue cue."""

    def __init__(self, documents: list[Document]) -> None:
        candidates: dict[str, set[str]] = {}
        for d in documents:
            title = _plain(d.title)
            runs = {run for run in char_runs(title, RUN) if _HAN_RUN.fullmatch(run)}
            candidates[d.doc_id] = runs | {_plain(n) for n in (*d.authors, d.venue or "", *d.aliases) if n.strip()}
        holders = _holders({c for cues in candidates.values() for c in cues}, {d.doc_id: d.text for d in documents})
        self.cues = {doc_id: {c for c in cues if holders.get(c, set()) <= {doc_id}} for doc_id, cues in candidates.items()}

    def named(self, question: str) -> frozenset[str]:
        """Ids of the documents ``question`` names (empty when it names none, or every one)."""
        plain = _plain(question)
        found = frozenset(doc_id for doc_id, cues in self.cues.items() if any(c in plain for c in cues))
        return found if len(found) < len(self.cues) else frozenset()


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
