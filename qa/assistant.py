"""The assistant: retrieval plus extractive answering over a built index, loaded once."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path

from qa.answer.composer import AbstainRule, Candidates, Composer
from qa.answer.contract import ABSTAIN_MESSAGE, Answer, Citation, Passage, Sentence, Timing
from qa.answer.names import named_entities
from qa.answer.rerank import RERANK_POOL, rerank
from qa.config import Settings, load_settings
from qa.embedding.encoder import Encoder
from qa.index.store import IndexStore, load_store
from qa.retrieval.followup import followup_context
from qa.retrieval.nicknames import in_library_words
from qa.retrieval.retriever import Retrieval, Retriever, passage_of, retrieval_query

# Chosen on the gold dev split (see README, 'When it abstains'); override with QA_ABSTAIN_THRESHOLD.
DEFAULT_RULE = AbstainRule()
CANDIDATE_PASSAGES = 5


def shown_passages(retrieved: list[Passage], citations: list[Citation], top_k: int) -> list[Passage]:
    """The ``top_k`` passages an answer shows: those its sentences are quoted from first (in ranking order; a
    list's items or a reference list can run past the retrieved passages), then the other retrieved ones."""
    cited = {(c.doc_id, c.start, c.end) for c in citations}
    retrieved_spans = {(p.doc_id, p.start, p.end) for p in retrieved}
    beyond = [Passage(**c.model_dump(exclude={"id"})) for c in citations if (c.doc_id, c.start, c.end) not in retrieved_spans]
    first = [p for p in retrieved if (p.doc_id, p.start, p.end) in cited]
    rest = [p for p in retrieved if (p.doc_id, p.start, p.end) not in cited]
    return (first + beyond + rest)[:top_k]


class QuestionError(ValueError):
    """The question cannot be asked: empty, over the documented length limit, not valid Unicode, or without words."""


class Assistant:
    """Answers questions with sentences quoted verbatim from the library, each cited."""

    def __init__(self, store: IndexStore, encoder: Encoder, settings: Settings) -> None:
        self.store = store
        self.encoder = encoder
        self.settings = settings
        self.retriever = Retriever(store, encoder, settings.fusion)
        threshold = settings.abstain_threshold
        rule = DEFAULT_RULE if threshold is None else AbstainRule(threshold, DEFAULT_RULE.cosine_weight)
        self.composer = Composer(store, rule)
        self._docs = {d.doc_id: d for d in store.documents}
        # The English-question dictionary and jieba's part-of-speech model take a second or two to load: do it
        # off the first question's path.
        self._background = threading.Thread(target=self._load_dictionaries, name="qa-dictionaries", daemon=True)
        self._background.start()

    def _load_dictionaries(self) -> None:
        self.retriever.translator()
        named_entities("区域协调发展")

    @classmethod
    def load(cls, index_dir: str | Path | None = None, settings: Settings | None = None) -> "Assistant":
        """Load the model and a verified index (raises ``qa.index.store.IndexError`` if unusable)."""
        settings = settings or load_settings()
        if index_dir is not None:
            settings = settings.with_overrides(index_dir=Path(index_dir))
        encoder = Encoder.load(settings, show_progress=False)
        store = load_store(Path(settings.index_dir), encoder.fingerprint)
        return cls(store, encoder, settings)

    def wait_until_ready(self) -> None:
        """Block until start-up work left to the background (the dictionaries) is done."""
        self._background.join()

    def _check(self, question: str) -> str:
        if not isinstance(question, str) or not question.strip():
            raise QuestionError("the question is empty")
        if len(question) > self.settings.max_question_chars:
            raise QuestionError(f"the question is {len(question)} characters; the limit is {self.settings.max_question_chars}")
        if any("\ud800" <= ch <= "\udfff" for ch in question):
            raise QuestionError("the question is not valid Unicode text (it holds a lone surrogate)")
        clean = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in question).strip()
        if not any(ch.isalnum() for ch in clean):
            raise QuestionError("the question has no words (letters, digits or Chinese characters)")
        return clean

    def search(self, query: str, top_k: int | None = None) -> list[Passage]:
        """The top passages for a query, ranked as :meth:`ask` ranks them, without composing an answer."""
        return self._retrieve(in_library_words(self._check(query)), None, top_k or self.settings.top_k)[1].passages

    def _retrieve(self, question: str, history: list[str] | None,
                  top_k: int) -> tuple[Retrieval, Retrieval, Candidates | None]:
        """The retriever's top ``RERANK_POOL`` passages for a question (fused), the ``top_k`` of them reranked by
        the sentence that would answer from each (see :mod:`qa.answer.rerank`), and those sentences scored."""
        fused = self.retriever.run(retrieval_query(question, history), max(top_k, RERANK_POOL))
        scored = self.composer.candidates(question, fused, history)
        reranked = rerank(fused, scored, self.composer.layout) if scored is not None else fused
        return fused, replace(reranked, passages=reranked.passages[:top_k]), scored

    def ask(self, question: str, top_k: int | None = None, history: list[str] | None = None) -> Answer:
        """Answer ``question`` (a follow-up is read in the context of ``history``, oldest first)."""
        t0 = time.perf_counter()
        clean = in_library_words(self._check(question))
        history = [in_library_words(h) for h in self.context(clean, history)]
        top_k = top_k or self.settings.top_k
        fused, retrieval, scored = self._retrieve(clean, history, max(top_k, CANDIDATE_PASSAGES))
        # The abstention threshold judges the fused ranking's first passages (see Composer.select).
        judged = self.composer.candidates_in(scored, fused.passages[:CANDIDATE_PASSAGES]) if scored is not None else None
        t1 = time.perf_counter()
        selection = self.composer.select(clean, retrieval, history, judged, scored)
        citations: list[Citation] = []
        sentences: list[Sentence] = []
        for s in selection.sentences:
            doc = self.store.documents[int(self.store.sentence_doc[s])]
            start, end = int(self.store.sentence_start[s]), int(self.store.sentence_end[s])
            citation = self._cite(citations, retrieval, doc.doc_id, start, end)
            sentences.append(Sentence(text=doc.text[start:end], doc_id=doc.doc_id, start=start, end=end, citation=citation))
        passages = shown_passages(retrieval.passages, citations, top_k)
        t2 = time.perf_counter()
        answer = ABSTAIN_MESSAGE if selection.abstained else "".join(f"{s.text}[{s.citation}]" for s in sentences)
        return Answer(
            question=question, abstained=selection.abstained, answer=answer, sentences=sentences,
            citations=citations, passages=passages, reason=selection.reason,
            timing_ms=Timing(retrieve=(t1 - t0) * 1e3, answer=(t2 - t1) * 1e3, total=(t2 - t0) * 1e3),
        )

    def context(self, question: str, history: list[str] | None) -> list[str]:
        """The conversation a question is read in: its history, the last question replaced by the item of
        the previous answer that the question points at by number (see ``qa.retrieval.followup``)."""
        history = [h for h in (history or []) if isinstance(h, str) and h.strip()]
        quoted: dict[str, tuple[str, int]] = {}  # a quoted sentence → where it is (doc_id, start)

        def previous_answer(previous: str, earlier: list[str]) -> list[str]:
            """The sentences an answer to the previous question quotes (none when it abstains)."""
            sentences = self.ask(previous, history=earlier).sentences
            quoted.update({s.text: (s.doc_id, s.start) for s in sentences})
            return [s.text for s in sentences]

        def source_item(item: str, n: int) -> str | None:
            return self.composer.extent.list_item(*quoted[item], n) if item in quoted else None

        return followup_context(question.strip(), history, previous_answer, source_item)

    def _cite(self, citations: list[Citation], retrieval, doc_id: str, start: int, end: int) -> int:
        """Number of the citation (a retrieved passage holding the sentence), adding it if new."""
        for c in citations:
            if c.doc_id == doc_id and c.start < end and start < c.end:
                return c.id
        holder = next((p for p in retrieval.passages if p.doc_id == doc_id and p.start < end and start < p.end), None)
        if holder is None:  # an enumeration can run past the retrieved passages: cite the chunk holding it
            holder = passage_of(self.store.chunk_at(doc_id, start), 0.0)
        citations.append(Citation(id=len(citations) + 1, **holder.model_dump()))
        return citations[-1].id

    def documents(self) -> list[dict]:
        """Catalogue entries of the library."""
        return [d.metadata() for d in self.store.documents]

    def document(self, doc_id: str) -> dict:
        """A document's catalogue entry and canonical text; ``KeyError`` if unknown."""
        doc = self._docs[doc_id]
        return {**doc.metadata(), "text": doc.text}

    def canonical_text(self, doc_id: str) -> str:
        return self._docs[doc_id].text

    def health(self) -> dict:
        m = self.store.manifest
        return {"status": "ok", "documents": len(self.store.documents), "chunks": len(self.store.chunks),
                "model": m.get("model"), "built_at": m.get("created_at")}
