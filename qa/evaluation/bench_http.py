"""Benchmark sections 2 and 4: ``/api/ask`` under concurrent clients, and ``qa serve``'s start-up and memory.

The server is a real ``qa serve`` subprocess on 127.0.0.1 (a free port), with the rate limit off and
the query cache off, so every request does the full work. Each load level runs for a bounded time
and a bounded number of requests; the server is stopped (SIGINT, then SIGKILL) at the end.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from qa.evaluation.bench_common import (Questions, current_rss_mb, free_port, median_of, peak_rss_mb, qa_command,
                                        summary)

READY_TIMEOUT_S = 180
MAX_REQUESTS_PER_LEVEL = 20_000


@contextmanager
def serving(index_dir: Path, extra_env: dict[str, str] | None = None):
    """A ``qa serve --no-build`` on a free loopback port; yields (base_url, Popen, ready info)."""
    import httpx

    port = free_port()
    env = {**os.environ, "QA_RATE_LIMIT_PER_MINUTE": "0", "QA_QUERY_CACHE": "0", "QA_API_KEYS": "",
           "QA_API_KEY_FILE": "", **(extra_env or {})}
    log = open(os.devnull, "wb")
    started = time.perf_counter()
    proc = subprocess.Popen(qa_command("serve", "--index", str(index_dir), "--host", "127.0.0.1", "--port", str(port),
                                       "--no-build"), env=env, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    info: dict[str, float] = {}
    try:
        with httpx.Client(timeout=10) as client:
            while time.perf_counter() - started < READY_TIMEOUT_S:
                if proc.poll() is not None:
                    raise RuntimeError(f"qa serve exited with {proc.returncode} before it was ready")
                try:
                    if client.get(f"{base}/api/health").status_code == 200:
                        info["health_s"] = time.perf_counter() - started
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
            else:
                raise RuntimeError(f"qa serve was not ready within {READY_TIMEOUT_S} s")
            r = client.post(f"{base}/api/ask", json={"question": "区域协调发展的总体要求是什么？"})
            info["first_answer_s"] = time.perf_counter() - started
            info["first_status"] = r.status_code
        info["rss_ready_mb"] = current_rss_mb(proc.pid)
        yield base, proc, info
    finally:
        info["peak_rss_mb"] = peak_rss_mb(proc.pid)
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)
        log.close()


def load_level(base: str, questions: list[str], clients: int, duration_s: float) -> dict:
    """``clients`` threads POST /api/ask back to back for ``duration_s`` (and at most a bounded count)."""
    import httpx

    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    error_kinds: dict[str, int] = {}
    lock = threading.Lock()
    stop_at = time.perf_counter() + duration_s
    budget = MAX_REQUESTS_PER_LEVEL // clients
    barrier = threading.Barrier(clients)

    def worker(i: int) -> None:
        with httpx.Client(timeout=30) as client:
            barrier.wait(timeout=30)
            n = 0
            while time.perf_counter() < stop_at and n < budget:
                q = questions[(i * 7 + n) % len(questions)]
                t = time.perf_counter()
                try:
                    r = client.post(f"{base}/api/ask", json={"question": q})
                    ok = r.status_code == 200
                    kind = str(r.status_code)
                except httpx.HTTPError as exc:
                    ok, kind = False, type(exc).__name__
                latencies[i].append((time.perf_counter() - t) * 1e3)
                if not ok:
                    errors[i] += 1
                    with lock:
                        error_kinds[kind] = error_kinds.get(kind, 0) + 1
                n += 1

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=duration_s + 60)
    elapsed = time.perf_counter() - t0
    flat = [x for per in latencies for x in per]
    return {"clients": clients, "requests": len(flat), "seconds": elapsed, "rps": len(flat) / elapsed if elapsed else 0.0,
            **{k: v for k, v in summary(flat).items() if k in ("p50", "p95", "p99")}, "errors": sum(errors),
            "error_kinds": error_kinds}


def run_http(index_dir: Path, questions: Questions, levels: tuple[int, ...], duration_s: float, repeats: int) -> dict:
    """Section 2: every load level ``repeats`` times against one server; medians per level."""
    qs = [q for q, _ in questions.items]
    with serving(index_dir) as (base, proc, info):
        load_level(base, qs, 1, min(2.0, duration_s))  # warm-up
        runs: dict[int, list[dict]] = {c: [] for c in levels}
        for _ in range(repeats):
            for c in levels:
                runs[c].append(load_level(base, qs, c, duration_s))
    out = {}
    for c, rs in runs.items():
        out[str(c)] = {"clients": c, "repeats": len(rs), "duration_s": duration_s,
                       **{k: median_of(rs, k) for k in ("rps", "p50", "p95", "p99")},
                       "requests": sum(r["requests"] for r in rs), "errors": sum(r["errors"] for r in rs),
                       "error_kinds": {k: v for r in rs for k, v in r["error_kinds"].items()},
                       "rps_all": [round(r["rps"], 1) for r in rs]}
    return {"levels": out, "server": info}


def run_memory(libraries: dict[str, Path], questions: Questions, duration_s: float, repeats: int) -> dict:
    """Section 4: per library, start ``qa serve`` ``repeats`` times: ready time, RSS when ready, peak RSS
    after a short load (4 clients)."""
    qs = [q for q, _ in questions.items]
    out = {}
    for name, index_dir in libraries.items():
        rows = []
        for _ in range(repeats):
            with serving(index_dir) as (base, proc, info):
                load_level(base, qs, 4, duration_s)
            rows.append(dict(info))
        out[name] = {"repeats": len(rows), **{k: median_of(rows, k) for k in ("health_s", "first_answer_s", "rss_ready_mb",
                                                                               "peak_rss_mb")},
                     "peak_rss_mb_max": max(r["peak_rss_mb"] for r in rows), "runs": rows}
    return out
