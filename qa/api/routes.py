"""The ``/api`` routes. Handlers only translate HTTP to Assistant calls; all work runs off-loop.

No ``from __future__ import annotations`` here: FastAPI must resolve the request models that
:func:`build_router` creates at run time.
"""

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer

from qa.answer.contract import Answer
from qa.api.auth import require_key
from qa.api.errors import ApiError
from qa.api.ratelimit import rate_limit
from qa.api.runner import ModelRunner
from qa.api.schemas import DocumentDetail, DocumentList, ErrorResponse, Health, SearchResponse, limit_text_fields
from qa.assistant import QuestionError
from qa.config import Settings


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": ErrorResponse} for status in statuses}


def _runner(request: Request) -> ModelRunner:
    return request.app.state.runner


def build_router(settings: Settings) -> APIRouter:
    """All ``/api`` routes; request models carry ``settings.max_question_chars``."""
    AskBody, SearchBody = limit_text_fields(settings.max_question_chars)
    bearer = HTTPBearer(auto_error=False, description="API key, when the server has keys configured.")
    protected = [Depends(bearer), Depends(require_key), Depends(rate_limit)]
    router = APIRouter(prefix="/api")

    @router.post(
        "/ask",
        response_model=Answer,
        dependencies=protected,
        responses=_errors(401, 413, 422, 429, 500),
        summary="Answer a question with quoted, cited sentences (or abstain)",
    )
    async def ask(body: AskBody, request: Request) -> Answer:  # type: ignore[valid-type]
        """Extractive answer: every sentence is quoted verbatim from a source, with offsets.

        ``history`` holds the earlier questions of the conversation (oldest first) so that a
        follow-up such as "那么实践进路有哪些？" is understood in context.
        """
        runner = _runner(request)
        history = [turn.question for turn in body.history] or None
        try:
            return await runner.run_async(runner.assistant.ask, body.question, top_k=body.top_k, history=history)
        except QuestionError as exc:
            raise ApiError(422, "invalid_question", str(exc)) from exc

    @router.post(
        "/search",
        response_model=SearchResponse,
        dependencies=protected,
        responses=_errors(401, 413, 422, 429, 500),
        summary="Retrieve the passages closest to a query",
    )
    async def search(body: SearchBody, request: Request) -> SearchResponse:  # type: ignore[valid-type]
        """Passages best first; ``text == document.text[start:end]``."""
        runner = _runner(request)
        try:
            passages = await runner.run_async(runner.assistant.search, body.query, top_k=body.top_k)
        except QuestionError as exc:
            raise ApiError(422, "invalid_question", str(exc)) from exc
        return SearchResponse(passages=passages)

    @router.get(
        "/documents",
        response_model=DocumentList,
        dependencies=protected,
        responses=_errors(401, 429),
        summary="List the documents of the index",
    )
    async def documents(request: Request) -> DocumentList:
        """Catalogue entries, without the texts."""
        return DocumentList(documents=await run_in_threadpool(_runner(request).assistant.documents))

    @router.get(
        "/documents/{doc_id}",
        response_model=DocumentDetail,
        dependencies=protected,
        responses=_errors(401, 404, 429),
        summary="One document with its canonical text",
    )
    async def document(doc_id: str, request: Request) -> DocumentDetail:
        """The text every ``start``/``end`` offset of answers and passages refers to."""
        try:
            return DocumentDetail(**await run_in_threadpool(_runner(request).assistant.document, doc_id))
        except KeyError:
            raise ApiError(404, "document_not_found", f"No document with doc_id {doc_id!r}.") from None

    @router.get("/health", response_model=Health, summary="Liveness and index summary (no key needed)")
    async def health(request: Request) -> Health:
        """``status`` is "ok" once the model and index are loaded."""
        summary = await run_in_threadpool(_runner(request).assistant.health)
        return Health.model_validate({**summary, "status": "ok"})

    known_routes = [route for route in router.routes if isinstance(route, APIRoute)]

    @router.api_route(
        "/{path:path}",
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        include_in_schema=False,
    )
    async def unknown(path: str, request: Request) -> None:
        """Keep unknown ``/api`` paths away from the chat page mounted at ``/`` (405 for a wrong method)."""
        allowed = sorted(
            method
            for route in known_routes
            if route.path_regex.match(request.url.path)
            for method in route.methods
        )
        if allowed:
            methods = ", ".join(allowed)
            raise ApiError(405, "method_not_allowed", f"Use {methods} for /api/{path}.", {"Allow": methods})
        raise ApiError(404, "not_found", f"No API route /api/{path}.")

    return router
