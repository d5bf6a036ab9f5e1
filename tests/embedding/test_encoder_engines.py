"""The encoder's engines: ONNX Runtime (default for the bundled model) reproduces sentence-transformers."""

from __future__ import annotations

import numpy as np
import pytest

from qa.config import DEFAULT_MODEL, Settings
from qa.embedding.encoder import Encoder, choose_backend


class CountingEngine:
    dimension = 4

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts, prompt, batch_size, show_progress):
        self.calls += 1
        out = np.array([[len(t), len(prompt or ""), 1.0, 0.0] for t in texts], dtype=np.float32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def test_choose_backend() -> None:
    assert choose_backend(Settings(model=DEFAULT_MODEL)) == "onnx-int8-queries"
    assert choose_backend(Settings(model="some/other-model")) == "torch"
    assert choose_backend(Settings(model=DEFAULT_MODEL), "torch") == "torch"
    with pytest.raises(ValueError):
        choose_backend(Settings(model="some/other-model"), "onnx")
    with pytest.raises(ValueError, match="QA_ENCODER_BACKEND"):
        choose_backend(Settings(model=DEFAULT_MODEL, encoder_backend="tensorflow"))


def test_fingerprint_is_shared_by_fp32_passage_engines_not_int8() -> None:
    make = lambda backend: Encoder(CountingEngine(), DEFAULT_MODEL, "query: ", "passage: ", backend=backend)  # noqa: E731
    assert make("onnx").fingerprint == make("torch").fingerprint == make("onnx-int8-queries").fingerprint
    assert make("onnx-int8").fingerprint != make("torch").fingerprint


def test_query_cache_is_bounded_and_exact() -> None:
    engine = CountingEngine()
    enc = Encoder(engine, DEFAULT_MODEL, "query: ", "passage: ", cache_size=2)
    first = enc.encode_queries(["甲"])
    again = enc.encode_queries(["甲"])
    assert engine.calls == 1 and np.array_equal(first, again)
    again[0, 0] = 99  # callers may not change the cached vector
    assert enc.encode_queries(["甲"])[0, 0] != 99
    enc.encode_queries(["乙乙"])
    enc.encode_queries(["丙丙丙"])
    assert len(enc._cache) == 2
    enc.cache_size = 0
    enc.encode_queries(["甲"])
    assert engine.calls == 4
    assert enc.encode_passages(["长的段落文字", "短"]).shape == (2, 4)


def test_passage_engine_is_made_on_first_use() -> None:
    queries, made = CountingEngine(), []
    enc = Encoder(queries, DEFAULT_MODEL, "query: ", "passage: ", passage_engine=lambda: made.append(1) or CountingEngine())
    enc.encode_queries(["问题"])
    assert not made
    enc.encode_passages(["段落"])
    enc.encode_passages(["段落二"])
    assert made == [1] and queries.calls == 1


@pytest.mark.slow
def test_onnx_engine_reproduces_sentence_transformers() -> None:
    from qa.config import load_settings

    settings = load_settings()
    if settings.model != DEFAULT_MODEL:
        pytest.skip("the ONNX engine serves the bundled model only")
    onnx = Encoder.load(settings, show_progress=False, backend="onnx")
    torch = Encoder.load(settings, show_progress=False, backend="torch")
    assert onnx.backend == "onnx" and onnx.dimension == torch.dimension == 384
    assert onnx.fingerprint == torch.fingerprint
    queries = ["区域协调发展的难点是什么？", "西部大開發要怎麼推進？", "What is regional coordination?"]
    passages = ["推动区域间联动融合发展。" * 30, "短句。", "长三角地区生产总值" * 5] * 7  # > one batch, padded
    q_onnx = np.vstack([onnx.encode_queries([q]) for q in queries])
    assert (q_onnx * torch.encode_queries(queries)).sum(1).min() > 0.9999
    assert (onnx.encode_passages(passages) * torch.encode_passages(passages)).sum(1).min() > 0.9999
    default = Encoder.load(settings, show_progress=False, backend="onnx-int8-queries")
    assert default.fingerprint == torch.fingerprint  # passages in fp32: the same index
    assert (default.encode_passages(passages[:3]) * onnx.encode_passages(passages[:3])).sum(1).min() > 0.9999
    assert (np.vstack([default.encode_queries([q]) for q in queries]) * q_onnx).sum(1).min() > 0.97
