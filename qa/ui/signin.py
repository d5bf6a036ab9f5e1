"""Browser access when API keys are configured: a sign-in form that trades a key for a cookie.

The chat page and document viewer accept either ``Authorization: Bearer <key>`` (scripts,
``gradio_client.Client(url, headers=...)``) or the ``qa_session`` cookie set by ``/signin``. Sessions
live in memory, expire, and die as soon as their key is removed from the key store.
"""

from __future__ import annotations

import html
import secrets
import threading
import time
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from qa.api.auth import KeyStore, bearer_token, digest
from qa.api.ratelimit import RateLimiter

COOKIE = "qa_session"
SESSION_SECONDS = 12 * 3600


class Sessions:
    """Browser sessions: random id → (key digest, expiry)."""

    def __init__(self, keys: KeyStore, ttl: float = SESSION_SECONDS) -> None:
        self.keys, self.ttl = keys, ttl
        self._sessions: dict[str, tuple[bytes, float]] = {}
        self._lock = threading.Lock()

    def create(self, key: str) -> str | None:
        """A new session id for a valid key, else None."""
        if not self.keys.verify(key):
            return None
        sid = secrets.token_urlsafe(32)
        now = time.monotonic()
        with self._lock:
            self._sessions = {k: v for k, v in self._sessions.items() if v[1] > now}
            self._sessions[sid] = (digest(key), now + self.ttl)
        return sid

    def end(self, sid: str | None) -> None:
        """Forget a session."""
        with self._lock:
            self._sessions.pop(sid or "", None)

    def user(self, request: Request) -> str | None:
        """Who is calling ("api-key", or "anonymous" with auth off), None when unauthenticated.

        This is Gradio's ``auth_dependency`` contract; the document viewer uses it as well.
        """
        if not self.keys.enabled:
            return "anonymous"
        token = bearer_token(request)
        if token is not None:
            return "api-key" if self.keys.verify(token) else None
        with self._lock:
            entry = self._sessions.get(request.cookies.get(COOKIE, ""))
        if entry is None or entry[1] < time.monotonic():
            return None
        return "api-key" if self.keys.verify_digest(entry[0]) else None


def safe_next(target: str | None) -> str:
    """A local path to go back to after sign-in (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def sign_in_url(request: Request) -> str:
    """``/signin`` with the current path to come back to."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/signin?next={quote(here, safe='')}"


def _form(next_path: str, error: str = "") -> str:
    message = f'<p class="err" role="alert">{html.escape(error)}</p>' if error else ""
    return f"""<!doctype html><html lang="zh"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>qa · 登录 / sign in</title>
<style>body{{font-family:system-ui,sans-serif;max-width:24rem;margin:15vh auto;padding:0 1rem}}
input{{width:100%;padding:.6rem;font-size:1rem;box-sizing:border-box}}
button{{margin-top:.8rem;padding:.6rem 1.2rem;font-size:1rem}}
.err{{color:#b91c1c}}</style></head><body><h1>qa</h1>
<form method="post" action="/signin"><label for="key">API key / 访问密钥</label>
<input id="key" name="key" type="password" autocomplete="current-password" autofocus required>
<input type="hidden" name="next" value="{html.escape(next_path)}">{message}
<button type="submit">登录 / Sign in</button></form></body></html>"""


def signin_router(sessions: Sessions, limiter: RateLimiter) -> APIRouter:
    """``GET/POST /signin`` and ``GET /signout``."""
    router = APIRouter(include_in_schema=False)

    @router.get("/signin", response_class=HTMLResponse)
    async def signin_page(next: str = "/") -> HTMLResponse:
        return HTMLResponse(_form(safe_next(next)))

    @router.post("/signin", response_model=None)
    async def signin(request: Request, key: str = Form(""), next: str = Form("/")) -> Response:
        limiter.check("signin:" + (request.client.host if request.client else "unknown"))
        sid = sessions.create(key.strip())
        if sid is None:
            return HTMLResponse(_form(safe_next(next), "密钥无效 / Invalid key."), status_code=401)
        response = RedirectResponse(safe_next(next), status_code=303)
        response.set_cookie(
            COOKIE, sid, max_age=int(sessions.ttl), httponly=True, samesite="lax", secure=request.url.scheme == "https"
        )
        return response

    @router.get("/signout")
    async def signout(request: Request) -> RedirectResponse:
        sessions.end(request.cookies.get(COOKIE))
        response = RedirectResponse("/signin", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    return router


class SignInRedirect:
    """Send browsers that open the chat page without a session to ``/signin`` instead of a bare 401."""

    def __init__(self, app: ASGIApp, sessions: Sessions) -> None:
        self.app, self.sessions = app, sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == "/":
            request = Request(scope)
            if self.sessions.user(request) is None:
                await RedirectResponse(sign_in_url(request), status_code=303)(scope, receive, send)
                return
        await self.app(scope, receive, send)
