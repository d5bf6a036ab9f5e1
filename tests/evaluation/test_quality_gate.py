"""The quality gate on the gold dev split: groundedness 100 %, and recall@5, answer evidence recall and
abstention F1 at or above eval/thresholds.toml. Uses the session's seed index (built into a temp folder,
about 20 s) unless QA_INDEX_DIR names an existing index; the run itself takes about 15 s."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from qa.evaluation.cli import main

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def index_dir(request: pytest.FixtureRequest) -> Path:
    """$QA_INDEX_DIR when it holds an index, else the session's seed index (tests/conftest.py: build_index
    over seeds/ into a temp folder, shared with the other tests that need one)."""
    given = os.environ.get("QA_INDEX_DIR")
    if given and (Path(given) / "manifest.json").exists():
        return Path(given)
    return request.getfixturevalue("core_index_dir")


def test_dev_split_passes_the_quality_gate(index_dir: Path, tmp_path: Path) -> None:
    status = main(["gold", "--split", "dev", "--index", str(index_dir), "--out", str(tmp_path), "--gate"])
    results = json.loads((tmp_path / "gold-dev.json").read_text(encoding="utf-8"))
    assert results["overall"]["groundedness"] == 1.0
    assert status == 0, "quality gate failed: " + "; ".join(results["gate"]["failures"])
