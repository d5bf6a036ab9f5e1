"""The answer contract shared by the Python API, ``qa ask --json``, the HTTP API, the chat page and
the evaluation. Pydantic models so the HTTP schema is generated from the same definitions."""

from __future__ import annotations

from pydantic import BaseModel, Field

ABSTAIN_MESSAGE = "资料中没有找到能回答这个问题的内容。(The sources do not answer this question.)"


class Passage(BaseModel):
    """A retrieved passage: ``canonical_text(doc_id)[start:end] == text``."""

    doc_id: str
    title: str
    section: str | None = None
    start: int
    end: int
    text: str
    score: float


class Citation(Passage):
    """A cited passage, numbered as it is referred to by ``[id]`` in the answer."""

    id: int


class Sentence(BaseModel):
    """A sentence quoted verbatim from a source: ``canonical_text(doc_id)[start:end] == text``."""

    text: str
    doc_id: str
    start: int
    end: int
    citation: int


class Timing(BaseModel):
    retrieve: float = 0.0
    answer: float = 0.0
    total: float = 0.0


class Answer(BaseModel):
    """What the assistant says to one question."""

    question: str
    abstained: bool
    answer: str
    sentences: list[Sentence] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    passages: list[Passage] = Field(default_factory=list)
    timing_ms: Timing = Field(default_factory=Timing)
    reason: str = Field("", description="Why the assistant answered or abstained: the signal and its threshold.")

    def to_dict(self) -> dict:
        """Plain JSON-ready dict of the contract."""
        return self.model_dump()
