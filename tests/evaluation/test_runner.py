"""Runner, report, baseline comparison and gate on a fake assistant (no model, no index)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from qa.answer.contract import Answer, Passage, Sentence, Timing
from qa.evaluation import runner
from qa.evaluation.cli import main
from qa.evaluation.common import THRESHOLDS
from qa.evaluation.gate import check_gate, load_thresholds
from qa.evaluation.report import render_gold
from qa.retrieval.hybrid import METHODS, fuse

TEXT = "第一句讲合作。第二句讲发展。第三句讲民生。"
CHUNKS = [(0, 7), (7, 14), (14, 21)]
GOLD = [
    {"id": "g1", "question": "讲合作的是哪句？", "kind": "fact", "lang": "zh-Hans", "answerable": True, "doc_id": "d",
     "evidence": ["第一句讲合作"], "history": []},
    {"id": "g2", "question": "那民生呢？", "kind": "followup", "lang": "zh-Hans", "answerable": True, "doc_id": "d",
     "evidence": ["第三句讲民生"], "history": [{"question": "讲合作的是哪句？"}]},
    {"id": "g3", "question": "天气如何？", "kind": "unanswerable", "lang": "zh-Hans", "answerable": False,
     "doc_id": None, "evidence": [], "history": []},
]


class FakeAssistant:
    """Answers g1 right, g2 with the wrong sentence, and abstains only when told to."""

    def __init__(self, answer_unanswerable: bool = False) -> None:
        self.answer_unanswerable = answer_unanswerable
        self.settings = SimpleNamespace(index_dir=Path("fake"), fusion="rrf", top_k=2)
        chunks = [SimpleNamespace(doc_id="d", title="t", section=None, start=a, end=b, text=TEXT[a:b]) for a, b in CHUNKS]
        self.store = SimpleNamespace(manifest={"model": "fake", "chunk_size": 7}, documents=[1], chunks=chunks)
        self.encoder = SimpleNamespace(backend="fake")
        self.composer = SimpleNamespace(rule=SimpleNamespace(threshold=0.5))
        self.retriever = SimpleNamespace(fusion="rrf", run=self._run, passages=self._passages)
        self.histories: list[list[str]] = []

    def wait_until_ready(self) -> None:
        pass

    def _run(self, query: str, top_k: int, fusion: str | None = None) -> SimpleNamespace:
        if "民生" in query:
            dense, lexical = {2: 0.9, 1: 0.5, 0: 0.1}, {0: 3.0, 2: 2.5, 1: 1.0}
        else:
            dense, lexical = {0: 0.9, 1: 0.5, 2: 0.1}, {0: 3.0, 1: 2.0, 2: 1.0}
        passages, _ = self._passages(fuse(dense, lexical, fusion or "rrf"), top_k, fusion or "rrf")
        return SimpleNamespace(passages=passages, dense_scores=dense, lexical_scores=lexical, dense_weight=None,
                               named=frozenset())

    @staticmethod
    def _passages(fused: list[tuple[int, float]], top_k: int, method: str,
                  named: frozenset[str] = frozenset()) -> tuple[list[Passage], list[int]]:
        return [Passage(doc_id="d", title="t", start=CHUNKS[i][0], end=CHUNKS[i][1],
                        text=TEXT[CHUNKS[i][0]:CHUNKS[i][1]], score=score) for i, score in fused[:top_k]], \
            [i for i, _ in fused[:top_k]]

    def context(self, question: str, history: list[str] | None) -> list[str]:
        return list(history or [])

    def canonical_text(self, doc_id: str) -> str:
        return TEXT

    def ask(self, question: str, top_k: int | None = None, history: list[str] | None = None) -> Answer:
        self.histories.append(list(history or []))
        abstain = "天气" in question and not self.answer_unanswerable
        sentences = [] if abstain else [Sentence(text=TEXT[0:7], doc_id="d", start=0, end=7, citation=1)]
        return Answer(question=question, abstained=abstain, answer="" if abstain else TEXT[0:7], sentences=sentences,
                      passages=self._run(question, 2).passages, reason="fake", timing_ms=Timing(total=12.0))


@pytest.fixture()
def gold_file(tmp_path: Path) -> Path:
    path = tmp_path / "mini.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in GOLD), encoding="utf-8")
    return path


def test_run_gold_scores_every_question(gold_file: Path) -> None:
    fake = FakeAssistant()
    results = runner.run_gold(fake, gold_file)
    assert fake.histories[-2:] == [["讲合作的是哪句？"], []]
    q = {r["id"]: r for r in results["questions"]}
    assert q["g1"]["found_at"] == 1 and q["g1"]["evidence_recall"] == 1.0 and q["g1"]["problems"] == []
    assert q["g2"]["found_at"] == 1 and q["g2"]["evidence_recall"] == 0.0
    assert q["g2"]["retrieval"]["lexical"]["found_at"] == 2 and len(q["g2"]["passages"]) == 3
    assert results["meta"]["rankings_differing_from_retriever"] == 0
    assert q["g3"]["abstained"] and q["g3"]["score"] == 1.0
    o = results["overall"]
    assert o["recall@1"] == 1.0 and o["answer_evidence_recall"] == 0.5 and o["abstain_f1"] == 1.0
    assert o["groundedness"] == 1.0
    assert [f["id"] for f in results["failures"]] == ["g2"]
    assert set(results["retrieval_methods"]) == set(METHODS)
    assert results["retrieval_methods"]["lexical"]["overall"]["recall@1"] == 0.5
    assert results["per_kind"]["unanswerable"]["abstain_recall"] == 1.0
    report = render_gold(results)
    assert "## Per kind" in report and "| followup |" in report and "## Failures (1)" in report


def test_compare_and_gate(gold_file: Path) -> None:
    before = runner.run_gold(FakeAssistant(), gold_file)
    after = runner.run_gold(FakeAssistant(answer_unanswerable=True), gold_file)
    c = runner.compare(before, after)
    assert [r["id"] for r in c["worse"]] == ["g3"] and not c["better"]
    assert c["overall"]["abstain_f1"]["delta"] == -1.0
    gate = check_gate(after["overall"], {"groundedness": 1.0, "abstain_f1": 0.5, "no_such_metric": 0.1})
    assert not gate["passed"] and len(gate["failures"]) == 2
    assert check_gate(before["overall"], {"groundedness": 1.0, "abstain_f1": 0.5})["passed"]
    after["comparison"] = c
    assert "Worse answers" in render_gold(after)


def test_repository_thresholds_name_measured_figures(gold_file: Path) -> None:
    thresholds = load_thresholds(THRESHOLDS)
    assert {"groundedness", "recall@5", "answer_evidence_recall", "abstain_f1"} <= set(thresholds)
    assert thresholds["groundedness"] == 1.0
    overall = runner.run_gold(FakeAssistant(), gold_file)["overall"]
    assert set(thresholds) <= set(overall)


def test_cli_gold_writes_reports_compares_and_gates(gold_file: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(runner, "load_assistant", lambda settings: FakeAssistant())
    out = tmp_path / "reports"
    assert main(["gold", "--split", str(gold_file), "--out", str(out)]) == 0
    first = out / "gold-mini.json"
    assert json.loads(first.read_text(encoding="utf-8"))["meta"]["split"] == "mini"
    saved = tmp_path / "before.json"
    saved.write_text(first.read_text(encoding="utf-8"), encoding="utf-8")
    strict = tmp_path / "strict.toml"
    strict.write_text("[gate]\ngroundedness = 1.0\nanswer_evidence_recall = 0.9\n", encoding="utf-8")
    args = ["gold", "--split", str(gold_file), "--out", str(out), "--baseline", str(saved), "--gate"]
    assert main(args + ["--thresholds", str(strict)]) == 1
    assert "Compared with the baseline" in (out / "gold-mini.md").read_text(encoding="utf-8")
    lenient = tmp_path / "lenient.toml"
    lenient.write_text("[gate]\ngroundedness = 1.0\nanswer_evidence_recall = 0.4\n", encoding="utf-8")
    assert main(args + ["--thresholds", str(lenient)]) == 0
