"""The quality gate: overall gold figures must not fall below ``eval/thresholds.toml``."""

from __future__ import annotations

import tomllib
from pathlib import Path


def load_thresholds(path: Path) -> dict[str, float]:
    """The ``[gate]`` table: metric name (as in the results' ``overall``) → minimum value."""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    gate = data.get("gate")
    if not isinstance(gate, dict) or not gate:
        raise ValueError(f"{path}: needs a non-empty [gate] table of metric = minimum")
    return {str(k): float(v) for k, v in gate.items()}


def check_gate(overall: dict[str, float], thresholds: dict[str, float]) -> dict:
    """``passed`` and one message per figure below its minimum (a missing figure fails too)."""
    failures = []
    for name, minimum in thresholds.items():
        value = overall.get(name)
        if value is None:
            failures.append(f"{name}: not measured (threshold {minimum:.3f})")
        elif value < minimum - 1e-9:
            failures.append(f"{name} = {value:.3f} is below the threshold {minimum:.3f}")
    return {"passed": not failures, "thresholds": thresholds, "failures": failures}
