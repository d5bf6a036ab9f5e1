"""ASGI middleware refusing request bodies over a size limit with 413, before they are read whole.

A declared ``Content-Length`` over the limit is refused at once; a chunked body is counted as it
streams in and refused as soon as it passes the limit (the app then sees a client disconnect and
whatever it answers is dropped).
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qa.api.errors import error_body

DEFAULT_MAX_BODY = 64 * 1024


class BodySizeLimit:
    """Limit the body of HTTP requests whose path starts with one of ``prefixes``."""

    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY, prefixes: tuple[str, ...] = ("/api",)) -> None:
        self.app, self.max_bytes, self.prefixes = app, max_bytes, prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefixes):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(send)
            return
        received = 0
        refused = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    refused = True
                    await self._refuse(send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:
                await send(message)

        await self.app(scope, counting_receive, guarded_send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            error_body("payload_too_large", f"Request body over {self.max_bytes} bytes."), ensure_ascii=False
        ).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
