"""Engines that turn texts into vectors: sentence-transformers (torch) or an ONNX Runtime session."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Protocol

import numpy as np

PASSAGE_TOKEN_BUDGET = 8192  # tokens per ONNX batch of passages (sorted by length, so little padding)


def load_tokenizer(model_dir: Path):
    """The folder's fast tokenizer, truncating at the model's max_seq_length and padding batches."""
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


def tokenize_batch(tok, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Token ids and attention mask of ``texts``, padded to the longest."""
    encodings = tok.encode_batch(texts) if len(texts) > 1 else [tok.encode(texts[0])]
    ids = np.array([e.ids for e in encodings], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
    return ids, mask


def onnx_session(path: Path, threads: int):
    """An ONNX Runtime CPU session with ``threads`` intra-op threads and no busy-waiting."""
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
        self.tokenizer = tokenizer or load_tokenizer(model_dir)  # ≈ 300 MB: share it between engines
        self.session = onnx_session(onnx_path, threads)
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
        ids, mask = tokenize_batch(self.tokenizer, texts)
        return self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
