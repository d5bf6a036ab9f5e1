"""API keys: from ``QA_API_KEYS`` and/or a key file, kept only as SHA-256 digests.

Auth is on as soon as a key is configured or a key file is named (a named but missing or empty file
fails closed: nothing gets in). The key file holds one key per line, ``#`` starts a comment; it is
re-read when its modification time or size changes, so keys rotate without a restart.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import secrets
import threading
from pathlib import Path

from fastapi import Request

from qa.api.errors import ApiError
from qa.config import Settings

log = logging.getLogger("qa.api")


def generate_key() -> str:
    """A new random API key (256 bits, URL-safe); what ``qa keys new`` prints."""
    return secrets.token_urlsafe(32)


def digest(key: str) -> bytes:
    """SHA-256 of a key: the only form in which keys are kept in memory."""
    return hashlib.sha256(key.encode("utf-8")).digest()


def parse_key_lines(text: str) -> list[str]:
    """Keys of a key file: one per line, blank lines and ``#`` comments ignored."""
    keys = []
    for line in text.splitlines():
        key = line.split("#", 1)[0].strip()
        if key:
            keys.append(key)
    return keys


class KeyStore:
    """The configured keys; :meth:`verify` checks a presented key without leaking timing."""

    def __init__(self, keys: list[str] | tuple[str, ...] = (), key_file: Path | None = None) -> None:
        self._static = tuple(digest(k) for k in keys if k.strip())
        self._key_file = key_file
        self._file_digests: tuple[bytes, ...] = ()
        self._file_stamp: tuple[int, int] | None = None
        self._lock = threading.Lock()
        if key_file is not None and not key_file.exists():
            log.warning("API key file %s does not exist: every protected request will be refused", key_file)

    @classmethod
    def from_settings(cls, settings: Settings) -> "KeyStore":
        """Keys of ``settings.api_keys`` (comma-separated) and ``settings.api_key_file``."""
        keys = [k.strip() for k in settings.api_keys.split(",") if k.strip()]
        return cls(keys, settings.api_key_file)

    @property
    def enabled(self) -> bool:
        """Whether requests must present a key."""
        return bool(self._static) or self._key_file is not None

    def _digests(self) -> tuple[bytes, ...]:
        if self._key_file is None:
            return self._static
        try:
            st = self._key_file.stat()
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        with self._lock:
            if stamp != self._file_stamp:
                self._file_digests = self._read_file() if stamp else ()
                self._file_stamp = stamp
            return self._static + self._file_digests

    def _read_file(self) -> tuple[bytes, ...]:
        assert self._key_file is not None
        try:
            keys = parse_key_lines(self._key_file.read_text(encoding="utf-8"))
        except OSError as exc:
            log.warning("cannot read API key file %s: %s", self._key_file, exc)
            return ()
        log.info("loaded %d key(s) from %s", len(keys), self._key_file)
        return tuple(digest(k) for k in keys)

    def verify_digest(self, presented: bytes) -> bool:
        """Whether a key digest matches a configured key; compares against all of them."""
        match = False
        for known in self._digests():
            match |= hmac.compare_digest(presented, known)
        return match

    def verify(self, key: str | None) -> bool:
        """Whether ``key`` is a configured key (always True when auth is off)."""
        if not self.enabled:
            return True
        return key is not None and self.verify_digest(digest(key))


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if any."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def client_identity(request: Request, auth_on: bool) -> str:
    """Who is calling, for rate limits: the (already verified) key when auth is on, else the client IP.

    With auth off a presented token is ignored, so made-up tokens cannot buy fresh buckets.
    """
    token = bearer_token(request)
    if token and auth_on:
        return "key:" + digest(token).hex()[:16]
    return "ip:" + (request.client.host if request.client else "unknown")


def require_key(request: Request) -> None:
    """FastAPI dependency: refuse the request with 401 unless it carries a valid key.

    Wrong keys are counted per client IP (``app.state.auth_failures``, a rate limiter): once a client
    has used up its allowance it gets 429 *before* its key is checked, so keys cannot be guessed at speed.
    """
    store: KeyStore = request.app.state.keys
    if not store.enabled:
        return
    token = bearer_token(request)
    if token is None:
        raise ApiError(401, "unauthorized", "Missing API key. Send 'Authorization: Bearer <key>'.",
                       {"WWW-Authenticate": "Bearer"})
    failures = request.app.state.auth_failures
    client = "ip:" + (request.client.host if request.client else "unknown")
    wait = failures.waiting(client)
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        raise ApiError(429, "rate_limited", f"Too many invalid API keys from this client; retry in {seconds} s.",
                       {"Retry-After": str(seconds)})
    if not store.verify(token):
        failures.acquire(client)
        raise ApiError(401, "unauthorized", "Invalid API key. Send 'Authorization: Bearer <key>'.",
                       {"WWW-Authenticate": "Bearer"})
