"""The FastAPI application: JSON API under ``/api``, chat page at ``/``, one process, one port.

The Assistant (model + index) is loaded once, in the lifespan, before the first request; handlers
reach it through ``app.state.runner``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI

from qa.api.auth import KeyStore
from qa.api.bodylimit import DEFAULT_MAX_BODY, BodySizeLimit
from qa.api.errors import install_error_handlers
from qa.api.ratelimit import RateLimiter
from qa.api.routes import build_router
from qa.api.runner import ModelRunner
from qa.assistant import Assistant
from qa.config import Settings, load_settings

DESCRIPTION = """\
Extractive question answering over Chinese regional-development policy documents.

Every answer sentence is quoted verbatim from a source: for each sentence and citation,
`GET /api/documents/{{doc_id}}` → `text[start:end] == text`. When the sources do not answer the
question the assistant abstains (`abstained: true`) and lists the closest passages.

**Auth**: when the server has API keys (`QA_API_KEYS`, `QA_API_KEY_FILE`), send
`Authorization: Bearer <key>`; `/api/health` and these docs stay open.

**Limits**: questions and queries of at most {max_chars} characters (`QA_MAX_QUESTION_CHARS`),
request bodies of at most {max_body} bytes (413), {per_minute} requests per minute per key or client
(`QA_RATE_LIMIT_PER_MINUTE`, 0 = off; 429 with `Retry-After`). A client that sends more than
{auth_failures} invalid keys a minute gets 429 until its allowance refills (`QA_AUTH_FAILURES_PER_MINUTE`).

**Errors** always look like `{{"error": {{"code": "...", "message": "..."}}}}`: `unauthorized` (401),
`not_found`/`document_not_found` (404), `payload_too_large` (413), `invalid_request`, `invalid_json`,
`question_too_long`, `invalid_question` (422), `rate_limited` (429), `internal_error` (500).
"""

AssistantSource = Assistant | Callable[[], Assistant]


def create_app(
    assistant: AssistantSource,
    settings: Settings | None = None,
    *,
    ui: bool = True,
    max_body_bytes: int = DEFAULT_MAX_BODY,
) -> FastAPI:
    """Build the app around a loaded Assistant or a factory called once at start-up."""
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        loaded = assistant if hasattr(assistant, "ask") else await anyio.to_thread.run_sync(assistant)
        app.state.runner = ModelRunner(loaded)  # type: ignore[arg-type]
        yield

    app = FastAPI(
        title="qa — cited answers from policy documents",
        version="0.1.0",
        description=DESCRIPTION.format(
            max_chars=settings.max_question_chars, max_body=max_body_bytes, per_minute=settings.rate_limit_per_minute,
            auth_failures=settings.auth_failures_per_minute,
        ),
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.keys = KeyStore.from_settings(settings)
    app.state.limiter = RateLimiter(settings.rate_limit_per_minute)
    app.state.auth_failures = RateLimiter(settings.auth_failures_per_minute)
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes, prefixes=("/api", "/signin", "/gradio_api"))
    app.include_router(build_router(settings))
    if ui:
        from qa.ui.chat import mount_ui

        mount_ui(app, settings)
    return app
