"""Benchmark section 3: ``qa build`` wall time (cold, warm, unchanged) against encoding the same texts alone.

Builds run as real ``qa build`` subprocesses (imports, model loading and all), into folders under the
bench work folder. *Cold*: the model cache is an empty folder, so the bundled weights are converted
(and exported to ONNX) first. *Warm*: the model is materialised but the index folder is new, so every
chunk and sentence is encoded. *Unchanged*: ``qa build`` again over the same library.
The floor is ``Encoder.encode_passages`` of the index's chunk texts in this process, and, to explain
the ratio, of its sentence texts too.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from qa.evaluation.bench_common import median_of, qa_command, run_child


def write_large_library(data_dir: Path, folder: Path) -> dict:
    """All passages of DRCD dev and CMRC 2018 dev as documents (one folder per data set)."""
    from qa.evaluation.public import load_benchmark, write_library

    folders, passages, chars = [], 0, 0
    for name in ("drcd", "cmrc2018"):
        contexts, _ = load_benchmark(data_dir, name)
        target = folder / name
        if not (target / "catalog.toml").exists():
            write_library(contexts, target)
        folders.append(target)
        passages += len(contexts)
        chars += sum(len(c.text) for c in contexts)
    return {"folders": [str(f) for f in folders], "passages": passages, "characters": chars}


def _build(index_dir: Path, sources: list[Path], env: dict[str, str] | None = None, force: bool = False) -> dict:
    args = ["build", *map(str, sources), "--index", str(index_dir)] + (["--force"] if force else [])
    result = run_child(qa_command(*args), env=env, timeout_s=7200)
    if result.returncode != 0:
        raise RuntimeError(f"qa build failed ({result.returncode}):\n{result.output[-3000:]}")
    manifest = json.loads((index_dir / "manifest.json").read_text(encoding="utf-8"))
    return {"wall_s": result.wall_s, "cpu_s": result.cpu_s, "max_rss_mb": result.max_rss_mb,
            "chunks": manifest["chunks"], "sentences": manifest["sentences"], "documents": manifest["documents"],
            "log_tail": "\n".join(l for l in result.output.splitlines()[-8:] if "it/s]" not in l)}


def encode_alone(index_dir: Path, settings, repeats: int = 1) -> dict:
    """Encode the index's chunk texts (and its sentence texts) alone, as the build does (Simplified)."""
    from qa.embedding.encoder import Encoder
    from qa.index.lexical import to_simplified

    encoder = Encoder.load(settings, show_progress=False)
    with open(index_dir / "chunks.jsonl", encoding="utf-8") as f:
        chunk_texts = [to_simplified(json.loads(line)["text"]) for line in f]
    docs = json.loads((index_dir / "documents.json").read_text(encoding="utf-8"))
    with open(index_dir / "sentences.jsonl", encoding="utf-8") as f:
        sentence_texts = [to_simplified(docs[r["doc"]]["text"][r["start"]:r["end"]]) for r in map(json.loads, f)]
    encoder.encode_passages(chunk_texts[:8])  # warm-up
    runs = []
    for _ in range(repeats):
        t = time.perf_counter()
        encoder.encode_passages(chunk_texts)
        chunks_s = time.perf_counter() - t
        t = time.perf_counter()
        encoder.encode_passages(list(dict.fromkeys(sentence_texts)))
        sentences_s = time.perf_counter() - t
        runs.append({"chunks_s": chunks_s, "sentences_s": sentences_s})
    return {"chunks_s": median_of(runs, "chunks_s"), "sentences_s": median_of(runs, "sentences_s"),
            "chunk_texts": len(chunk_texts), "chunk_chars": sum(map(len, chunk_texts)),
            "sentence_texts": len(set(sentence_texts)), "sentence_chars": sum(map(len, set(sentence_texts))),
            "backend": encoder.backend, "repeats": len(runs)}


def run_build(work: Path, seeds: Path, settings, large: dict | None, repeats: int, cold: bool, large_repeats: int = 1) -> dict:
    """Section 3; leaves ``work/seeds-index`` and ``work/large-index`` for the other sections."""
    out: dict = {}
    seeds_index = work / "seeds-index"
    if cold:
        cache = work / "cold-model-cache"
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(seeds_index, ignore_errors=True)
        out["seeds_cold"] = _build(seeds_index, [seeds], env={"QA_MODEL_CACHE": str(cache)})
        shutil.rmtree(cache, ignore_errors=True)
    warm = []
    for _ in range(repeats):
        shutil.rmtree(seeds_index, ignore_errors=True)
        warm.append(_build(seeds_index, [seeds]))
    out["seeds_warm"] = _summarise(warm)
    out["seeds_unchanged"] = _summarise([_build(seeds_index, [seeds]) for _ in range(repeats)])
    out["seeds_encode_alone"] = encode_alone(seeds_index, settings, repeats)
    if large:
        large_index = work / "large-index"
        sources = [Path(f) for f in large["folders"]]
        runs = []
        for _ in range(large_repeats):
            shutil.rmtree(large_index, ignore_errors=True)
            runs.append(_build(large_index, sources))
        out["large_warm"] = _summarise(runs)
        out["large_unchanged"] = _summarise([_build(large_index, sources) for _ in range(repeats)])
        out["large_encode_alone"] = encode_alone(large_index, settings, 1)
        out["large_library"] = large
    for key in ("seeds", "large"):
        if f"{key}_warm" in out:
            b, e = out[f"{key}_warm"], out[f"{key}_encode_alone"]
            b["chunks_per_s"] = b["chunks"] / b["wall_s"]
            out[f"{key}_ratio"] = b["wall_s"] / e["chunks_s"]
            out[f"{key}_ratio_chunks_and_sentences"] = b["wall_s"] / (e["chunks_s"] + e["sentences_s"])
    return out


def _summarise(runs: list[dict]) -> dict:
    keys = ("wall_s", "cpu_s", "max_rss_mb")
    return {**runs[-1], **{k: median_of(runs, k) for k in keys}, "repeats": len(runs),
            "wall_s_all": [round(r["wall_s"], 1) for r in runs]}
