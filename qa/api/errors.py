"""One JSON error shape for every failure: ``{"error": {"code": ..., "message": ...}}``.

FastAPI's default handlers answer ``{"detail": ...}``; they are replaced here so that clients can
rely on ``error.code`` whatever went wrong (401, 404, 413, 422, 429, 500).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("qa.api")

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    """An error to return to the client as it is (status, stable code, message, headers)."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def error_body(code: str, message: str, details: list[dict] | None = None) -> dict:
    """The JSON document of an error."""
    error: dict = {"code": code, "message": message}
    if details:
        error["details"] = details
    return {"error": error}


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None, details: list[dict] | None = None
) -> JSONResponse:
    """A JSONResponse carrying :func:`error_body`."""
    return JSONResponse(error_body(code, message, details), status_code=status, headers=headers)


def _validation_details(exc: RequestValidationError) -> tuple[str, str, list[dict]]:
    """Stable code, one-line message and per-field details (never echoing the input back)."""
    details = [
        {"loc": [str(p) for p in err.get("loc", ())], "type": err.get("type", ""), "msg": err.get("msg", "")}
        for err in exc.errors()
    ]
    types = {d["type"] for d in details}
    if "json_invalid" in types:
        return "invalid_json", "The request body is not valid JSON.", details
    summary = "; ".join(f"{'.'.join(d['loc'][1:]) or 'body'}: {d['msg']}" for d in details)
    code = "question_too_long" if "string_too_long" in types else "invalid_request"
    return code, summary or "The request is not valid.", details


async def _on_api_error(_: Request, exc: ApiError) -> JSONResponse:
    return error_response(exc.status, exc.code, exc.message, exc.headers)


async def _on_validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
    code, message, details = _validation_details(exc)
    return error_response(422, code, message, details=details)


async def _on_http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = _STATUS_CODES.get(exc.status_code, "error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    return error_response(exc.status_code, code, message, headers=getattr(exc, "headers", None))


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error", "Internal server error; see the server log.")


def install_error_handlers(app: FastAPI) -> None:
    """Route every exception raised by API handlers to the JSON error shape."""
    app.add_exception_handler(ApiError, _on_api_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _on_validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _on_http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _on_unexpected)
