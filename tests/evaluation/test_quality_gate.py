"""The quality gate on the gold dev split: groundedness 100 %, and recall@5, answer evidence recall and
abstention F1 at or above eval/thresholds.toml. Builds the seed index into a temp folder (about 20 s)
unless QA_INDEX_DIR names an existing index; the run itself takes well under a minute."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from qa.config import load_settings
from qa.evaluation.cli import main
from qa.index.builder import build_index

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("QA_INDEX_DIR")
    if given and (Path(given) / "manifest.json").exists():
        return Path(given)
    target = tmp_path_factory.mktemp("gate") / "index"
    return build_index(load_settings().with_overrides(index_dir=target), [ROOT / "seeds"])


def test_dev_split_passes_the_quality_gate(index_dir: Path, tmp_path: Path) -> None:
    status = main(["gold", "--split", "dev", "--index", str(index_dir), "--out", str(tmp_path), "--gate"])
    results = json.loads((tmp_path / "gold-dev.json").read_text(encoding="utf-8"))
    assert results["overall"]["groundedness"] == 1.0
    assert status == 0, "quality gate failed: " + "; ".join(results["gate"]["failures"])
