"""Load on loopback against a real ``qa serve``: a bounded burst of 500 requests from 32 clients (each with
its own key, rate limit on), and a 5-minute soak (``QA_RUN_SOAK=1``). No 5xx, nothing lost, no answer
given to the wrong question, memory stable. Figures are printed and written to ``reliability-*.json``
in pytest's base temp folder."""

from __future__ import annotations

import json
import os
import queue
import random
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
import pytest

from tests.reliability.helpers import REPO, qa_serve

CLIENTS = 32
BURST = 500
BURST_DEADLINE = 240.0  # seconds for the whole burst (about 30 s on an idle 2-core machine)
SOAK_SECONDS = 300.0
SOAK_CLIENTS = 4
KEYS = [f"load-key-{i:02d}-" + "x" * 24 for i in range(CLIENTS)]


def _questions(n: int = 40) -> list[str]:
    """Distinct gold questions (both splits), in a fixed order."""
    seen: dict[str, None] = {}
    for split in ("dev", "test"):
        for line in (REPO / "eval" / "gold" / f"{split}.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                seen.setdefault(json.loads(line)["question"], None)
    return list(seen)[:n]


def _rss_mb(proc: psutil.Process) -> float:
    return proc.memory_info().rss / 2**20


def _key(answer: dict) -> list[tuple]:
    return [(s["doc_id"], s["start"], s["end"]) for s in answer["sentences"]]


def _search_key(body: dict) -> list[tuple]:
    return [(p["doc_id"], p["start"], p["end"]) for p in body["passages"]]


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    transport_errors: list[str] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: int, latency: float, mismatch: str | None = None) -> None:
        with self.lock:
            self.latencies.append(latency)
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if mismatch:
                self.mismatches.append(mismatch)

    @property
    def sent(self) -> int:
        return len(self.latencies) + len(self.transport_errors)

    def figures(self) -> dict:
        lat = sorted(self.latencies) or [0.0]
        pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1e3  # noqa: E731
        return {"requests": self.sent, "responses": len(self.latencies), "statuses": self.statuses,
                "errors_5xx": sum(n for s, n in self.statuses.items() if s >= 500),
                "transport_errors": len(self.transport_errors), "mismatches": len(self.mismatches),
                "p50_ms": round(pick(0.50), 1), "p99_ms": round(pick(0.99), 1), "max_ms": round(lat[-1] * 1e3, 1)}


class Traffic:
    """Requests whose responses can be checked: /api/ask (question echoed, same sentences as the reference),
    /api/search (same passages) and /api/documents/{id} (same document)."""

    def __init__(self, url: str, questions: list[str]) -> None:
        self.url, self.questions = url, questions
        self.answers: dict[str, list[tuple]] = {}
        self.searches: dict[str, list[tuple]] = {}
        self.doc_ids: list[str] = []

    def reference(self) -> None:
        """Each distinct request once, one at a time: what every later response must equal."""
        with httpx.Client(base_url=self.url, timeout=120, headers={"Authorization": f"Bearer {KEYS[0]}"}) as c:
            self.doc_ids = [d["doc_id"] for d in c.get("/api/documents").json()["documents"]]
            for q in self.questions:
                answer = c.post("/api/ask", json={"question": q})
                assert answer.status_code == 200, answer.text
                self.answers[q] = _key(answer.json())
            for q in self.questions[:5]:
                self.searches[q] = _search_key(c.post("/api/search", json={"query": q, "top_k": 3}).json())

    def plan(self, n: int, seed: int = 0) -> list[tuple[str, str]]:
        rng = random.Random(seed)
        kinds = rng.choices(["ask", "search", "document"], weights=[85, 10, 5], k=n)
        out = []
        for kind in kinds:
            if kind == "ask":
                out.append((kind, rng.choice(self.questions)))
            elif kind == "search":
                out.append((kind, rng.choice(list(self.searches))))
            else:
                out.append((kind, rng.choice(self.doc_ids)))
        return out

    def send(self, client: httpx.Client, kind: str, arg: str, tally: Tally) -> None:
        t0 = time.perf_counter()
        try:
            if kind == "ask":
                r = client.post("/api/ask", json={"question": arg})
            elif kind == "search":
                r = client.post("/api/search", json={"query": arg, "top_k": 3})
            else:
                r = client.get(f"/api/documents/{arg}")
        except httpx.TransportError as exc:
            with tally.lock:
                tally.transport_errors.append(f"{kind} {arg[:20]}: {exc!r}")
            return
        latency = time.perf_counter() - t0
        mismatch = None
        if r.status_code == 200:
            body = r.json()
            if kind == "ask" and (body["question"] != arg or _key(body) != self.answers[arg]):
                mismatch = f"ask {arg[:30]!r} got answer for {body['question'][:30]!r}"
            elif kind == "search" and _search_key(body) != self.searches[arg]:
                mismatch = f"search {arg[:30]!r} got other passages"
            elif kind == "document" and body["doc_id"] != arg:
                mismatch = f"document {arg} got {body['doc_id']}"
        tally.add(r.status_code, latency, mismatch)


def _report(name: str, figures: dict, tmp_path_factory) -> None:
    path = Path(tmp_path_factory.getbasetemp()) / f"reliability-{name}.json"
    path.write_text(json.dumps(figures, indent=1))
    print(f"\n{name}: {json.dumps(figures)}\n(written to {path})")


@pytest.fixture(scope="module")
def served(core_index_dir, tmp_path_factory):
    log = tmp_path_factory.mktemp("load") / "serve.log"
    # QA_QUERY_CACHE=0: every request goes through the model, as distinct questions from students would
    env = {"QA_API_KEYS": ",".join(KEYS), "QA_RATE_LIMIT_PER_MINUTE": "120", "QA_QUERY_CACHE": "0"}
    with qa_serve(core_index_dir, log, **env) as (url, proc):
        yield url, psutil.Process(proc.pid)


@pytest.mark.slow
def test_burst_of_500_requests_from_32_clients(served, tmp_path_factory) -> None:
    url, server = served
    traffic = Traffic(url, _questions())
    traffic.reference()
    rss_before = _rss_mb(server)
    work: queue.Queue[tuple[str, str]] = queue.Queue()
    for item in traffic.plan(BURST):
        work.put(item)
    tally = Tally()
    deadline = time.monotonic() + BURST_DEADLINE
    started = time.perf_counter()

    def client(i: int) -> None:
        with httpx.Client(base_url=url, timeout=120, headers={"Authorization": f"Bearer {KEYS[i]}"}) as c:
            while time.monotonic() < deadline:
                try:
                    kind, arg = work.get_nowait()
                except queue.Empty:
                    return
                traffic.send(c, kind, arg, tally)

    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(client, range(CLIENTS)))
    wall = time.perf_counter() - started
    figures = {**tally.figures(), "clients": CLIENTS, "wall_s": round(wall, 1),
               "throughput_rps": round(tally.sent / wall, 1),
               "rss_before_mb": round(rss_before, 1), "rss_after_mb": round(_rss_mb(server), 1)}
    _report("burst", figures, tmp_path_factory)
    assert tally.sent == BURST, f"only {tally.sent} of {BURST} requests sent within {BURST_DEADLINE} s: {figures}"
    assert not tally.transport_errors, tally.transport_errors[:5]
    assert figures["errors_5xx"] == 0 and tally.statuses == {200: BURST}, figures
    assert not tally.mismatches, tally.mismatches[:5]
    assert httpx.get(url + "/api/health", timeout=30).status_code == 200


@pytest.mark.soak
@pytest.mark.skipif(os.environ.get("QA_RUN_SOAK") != "1", reason="5-minute soak: set QA_RUN_SOAK=1")
def test_soak_five_minutes_memory_stable(served, tmp_path_factory) -> None:
    url, server = served
    traffic = Traffic(url, _questions())
    traffic.reference()
    tally = Tally()
    samples: list[tuple[float, float]] = []
    started = time.monotonic()
    stop_at = started + SOAK_SECONDS

    def client(i: int) -> None:
        plan = traffic.plan(100_000, seed=i)  # far more than fits: the clock stops the loop
        with httpx.Client(base_url=url, timeout=120, headers={"Authorization": f"Bearer {KEYS[i]}"}) as c:
            for kind, arg in plan:
                if time.monotonic() >= stop_at:
                    return
                traffic.send(c, kind, arg, tally)
                time.sleep(0.6)  # under 100 requests a minute per client: below each key's 120/min

    def sampler() -> None:
        while time.monotonic() < stop_at:
            samples.append((time.monotonic() - started, _rss_mb(server)))
            time.sleep(5)

    with ThreadPoolExecutor(SOAK_CLIENTS + 1) as pool:
        futures = [pool.submit(client, i) for i in range(SOAK_CLIENTS)] + [pool.submit(sampler)]
        for f in futures:
            f.result(timeout=SOAK_SECONDS + 180)
    warm = [rss for t, rss in samples if 30 <= t < 90]  # after warm-up, first minute
    last = [rss for t, rss in samples if t >= SOAK_SECONDS - 60]
    figures = {**tally.figures(), "seconds": SOAK_SECONDS, "clients": SOAK_CLIENTS,
               "rss_start_mb": round(samples[0][1], 1), "rss_warm_mb": round(statistics.median(warm), 1),
               "rss_end_mb": round(statistics.median(last), 1), "rss_max_mb": round(max(r for _, r in samples), 1),
               "rss_samples": [(round(t), round(r, 1)) for t, r in samples]}
    _report("soak", figures, tmp_path_factory)
    assert figures["errors_5xx"] == 0 and not tally.transport_errors and not tally.mismatches, figures
    assert set(tally.statuses) == {200}, figures
    growth = figures["rss_end_mb"] - figures["rss_warm_mb"]
    assert growth < max(64.0, 0.10 * figures["rss_warm_mb"]), f"RSS grew {growth:.0f} MB: {figures}"
