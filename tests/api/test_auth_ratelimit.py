"""API keys and the token bucket, without a server or a model."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from qa.api.auth import KeyStore, digest, generate_key, parse_key_lines
from qa.api.errors import ApiError
from qa.api.ratelimit import RateLimiter


def test_generate_key_is_random_and_url_safe() -> None:
    keys = {generate_key() for _ in range(50)}
    assert len(keys) == 50
    assert all(len(k) >= 43 and k.replace("-", "").replace("_", "").isalnum() for k in keys)


def test_key_file_lines_skip_comments_and_blanks() -> None:
    text = "# team keys\n\nalpha\n  beta   # laptop\n#gamma\n"
    assert parse_key_lines(text) == ["alpha", "beta"]


def test_no_keys_means_auth_off() -> None:
    store = KeyStore()
    assert not store.enabled and store.verify(None) and store.verify("anything")


def test_static_keys_are_kept_as_digests_only() -> None:
    store = KeyStore(["alpha", " ", "beta"])
    assert store.enabled
    assert store.verify("alpha") and store.verify("beta")
    assert not store.verify("gamma") and not store.verify(None) and not store.verify("")
    assert "alpha" not in repr(vars(store)) and digest("alpha") in store._static


def _touch_later(path: Path, seconds: float) -> None:
    stamp = time.time() + seconds
    os.utime(path, (stamp, stamp))


def test_key_file_is_reread_when_it_changes(tmp_path: Path) -> None:
    key_file = tmp_path / "keys"
    key_file.write_text("old-key\n")
    store = KeyStore(key_file=key_file)
    assert store.verify("old-key")
    key_file.write_text("new-key\n")
    _touch_later(key_file, 5)
    assert store.verify("new-key") and not store.verify("old-key")


def test_missing_or_empty_key_file_fails_closed(tmp_path: Path) -> None:
    store = KeyStore(key_file=tmp_path / "absent")
    assert store.enabled and not store.verify("anything")
    (tmp_path / "absent").write_text("# no keys yet\n")
    assert not store.verify("anything")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_a_burst_then_refills() -> None:
    clock = FakeClock()
    limiter = RateLimiter(60, clock=clock)
    assert [limiter.acquire("a") for _ in range(60)] == [0.0] * 60
    assert limiter.acquire("a") == pytest.approx(1.0)
    assert limiter.acquire("b") == 0.0
    clock.now += 1.0
    assert limiter.acquire("a") == 0.0


def test_check_raises_429_with_retry_after() -> None:
    clock = FakeClock()
    limiter = RateLimiter(2, clock=clock)
    limiter.check("a")
    limiter.check("a")
    with pytest.raises(ApiError) as refused:
        limiter.check("a")
    assert refused.value.status == 429 and refused.value.headers["Retry-After"] == "30"


def test_zero_turns_the_limit_off() -> None:
    limiter = RateLimiter(0)
    assert not limiter.enabled and all(limiter.acquire("a") == 0.0 for _ in range(1000))


def test_waiting_reports_without_taking_a_token() -> None:
    now = [0.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    assert limiter.waiting("a") == 0.0 and limiter.waiting("a") == 0.0
    limiter.acquire("a"), limiter.acquire("a")
    assert limiter.waiting("a") == pytest.approx(30.0)
    now[0] = 30.0
    assert limiter.waiting("a") == 0.0
