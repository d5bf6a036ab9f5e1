"""``qa bench``: pure helpers always; the reduced run (``--quick``) only with QA_RUN_BENCHMARKS=1."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from qa.evaluation.bench import evaluate_targets, main, render
from qa.evaluation.bench_common import median_summary, percentile, summary


def test_percentiles_and_medians() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 99) == pytest.approx(99.01)
    runs = [summary(values), summary([v * 2 for v in values]), summary([v * 3 for v in values])]
    assert median_summary(runs)["p50"] == pytest.approx(101.0)
    assert median_summary(runs)["p50_min"] == pytest.approx(50.5)


def test_unknown_section_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--sections", "nope"]) == 2
    assert "unknown sections" in capsys.readouterr().err


def test_targets_from_figures() -> None:
    timing = {"p50": 10.0, "p95": 15.0, "p99": 20.0, "mean": 11.0, "n": 10}
    results = {"sections": {
        "query": {"timings": {"ask": {**timing, "p50": 12.0}, "floor": timing}},
        "http": {"levels": {"4": {"rps": 40.0, "p95": 90.0, "errors": 0}, "16": {"errors": 1}}},
    }}
    rows = {r["target"]: r["met"] for r in evaluate_targets(results)}
    assert rows["ask p50 ≤ 1.3 × query-embedding floor"] is True
    assert rows["ask p95 ≤ 2 × floor"] is True
    assert rows["/api/ask, 4 clients: ≥ 30 requests/s"] is True
    assert rows["/api/ask errors (all levels)"] is False


@pytest.mark.benchmark
@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("QA_RUN_BENCHMARKS") != "1", reason="set QA_RUN_BENCHMARKS=1 to run the benchmark")
def test_quick_bench_writes_a_report(tmp_path: Path) -> None:
    out = tmp_path / "bench.md"
    assert main(["--quick", "--out", str(out), "--work", str(tmp_path / "work")]) == 0
    text = out.read_text(encoding="utf-8")
    results = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    for section in ("query", "http", "build", "memory", "scale"):
        assert "error" not in results["sections"][section], results["sections"][section].get("traceback")
    assert "## Targets" in text and "Assistant.ask" in text
    assert results["sections"]["http"]["levels"]["4"]["errors"] == 0
    assert results["sections"]["query"]["timings"]["floor"]["p50"] > 0
    assert render(results) == text
