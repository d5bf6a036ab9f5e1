"""``GET /doc/{doc_id}``: a whole source document as a page, scrolled to a highlighted range.

Linked from the sources panel as ``/doc/{doc_id}?start=S&end=E#c-S``; the range is wrapped in
``<mark id="c-S">`` so the browser scrolls to it. Text is HTML-escaped after script conversion.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from qa.api.runner import ModelRunner
from qa.ui.render import SCRIPTS, show
from qa.ui.signin import sign_in_url

_STYLE = """body{font-family:system-ui,"Noto Sans CJK SC","PingFang SC",sans-serif;max-width:48rem;margin:0 auto;
padding:1rem;line-height:1.8}
.meta{color:#555;font-size:.9rem}.doc{white-space:pre-wrap;word-break:break-word;font-size:1.05rem}
mark{background:#fde68a;scroll-margin-top:30vh}nav a{margin-right:.8rem}"""


def document_page(doc: dict, start: int | None, end: int | None, script: str) -> str:
    """The HTML page of ``doc`` (as returned by ``Assistant.document``) with ``[start, end)`` marked."""
    text: str = doc["text"]
    if start is None or end is None or not 0 <= start < end <= len(text):
        start = end = None
    if start is None:
        body = show(text, script)
    else:
        body = (
            f"{show(text[:start], script)}<mark id=\"c-{start}\">{show(text[start:end], script)}</mark>"
            f"{show(text[end:], script)}"
        )
    author = doc.get("author")
    authors = "、".join(author) if isinstance(author, list) else author
    meta = " · ".join(html.escape(str(v)) for v in (authors, doc.get("venue"), doc.get("date")) if v)
    doc_id = html.escape(doc["doc_id"])
    here = f"?start={start}&amp;end={end}" if start is not None else "?"
    switch = "".join(
        f'<a href="{here}&amp;script={key}{f"#c-{start}" if start is not None else ""}">{label}</a>'
        for key, label in SCRIPTS.items()
    )
    title = show(doc.get("title") or doc["doc_id"], script)
    return f"""<!doctype html><html lang="zh"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title><style>{_STYLE}</style></head>
<body><nav><a href="/">← 返回 / back to chat</a>{switch}</nav><h1>{title}</h1>
<p class="meta">{meta} · doc_id {doc_id} · {len(text)} 字符 chars</p>
<div class="doc">{body}</div></body></html>"""


def document_router(get_runner: Callable[[], ModelRunner], user: Callable[[Request], str | None]) -> APIRouter:
    """The viewer route; ``user`` decides access like the chat page does."""
    router = APIRouter(include_in_schema=False)

    @router.get("/doc/{doc_id}", response_model=None)
    async def view(
        request: Request, doc_id: str, start: int | None = None, end: int | None = None, script: str = "original"
    ) -> Response:
        if user(request) is None:
            return RedirectResponse(sign_in_url(request), status_code=303)
        try:
            doc = await run_in_threadpool(get_runner().assistant.document, doc_id)
        except KeyError:
            page = f"<!doctype html><meta charset=utf-8><p>没有这个文档 / No document {html.escape(doc_id)}.</p>"
            return HTMLResponse(page, status_code=404)
        return HTMLResponse(document_page(doc, start, end, script if script in SCRIPTS else "original"))

    return router
