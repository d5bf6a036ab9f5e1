"""Public benchmark code: loader, sampling, library writing and scoring on a synthetic 20-passage
sample (fast, always run); the real benchmarks only with QA_RUN_BENCHMARKS=1 and ../shared/data."""

from __future__ import annotations

import json
import os
from pathlib import Path

from types import SimpleNamespace

import pytest

from qa.answer.contract import Answer, Passage, Sentence
from qa.documents.loader import load_folder
from qa.evaluation.public import (DEFAULT_DATA_DIR, contains_reference, distinct_docs, doc_rank, load_benchmark,
                                  doc_rankings, normalise, quoted_texts, sample_questions, score_question,
                                  summarise_public, write_library)
from qa.evaluation.public_report import render_public

N_PASSAGES = 20


@pytest.fixture()
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data" / "synthetic"
    folder.mkdir(parents=True)
    contexts = [{"context_id": f"SYN_{i}", "title": "" if i == 3 else f"標題 \"{i}\"",
                 "text": f"第{i}段的內容。這裡說明了第{i}件事情的來龍去脈，共有{i + 2}個要點。"} for i in range(N_PASSAGES)]
    questions = [{"id": f"SYN_{i}_Q{j}", "question": f"第{i}件事情有幾個要點？", "answers": [f"{i + 2}個要點"],
                  "context_id": f"SYN_{i}"} for i in range(N_PASSAGES) for j in range(2)]
    for name, rows in (("dev.contexts.jsonl", contexts), ("dev.jsonl", questions)):
        (folder / name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return tmp_path / "data"


def test_load_and_sample(data_dir: Path) -> None:
    contexts, questions = load_benchmark(data_dir, "synthetic")
    assert len(contexts) == N_PASSAGES and len(questions) == 2 * N_PASSAGES
    assert questions[5].answers == ("4個要點",) and questions[5].context_id == "SYN_2"
    sample = sample_questions(questions, 7, seed=0)
    assert len(sample) == 7 and sample == sample_questions(questions, 7, seed=0)
    assert sample != sample_questions(questions, 7, seed=1)
    assert [questions.index(q) for q in sample] == sorted(questions.index(q) for q in sample)
    assert sample_questions(questions, None) == questions == sample_questions(questions, 1000)


def test_missing_benchmark_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_benchmark(tmp_path, "cmrc2018")


def test_written_library_loads_with_context_ids_titles_and_texts(data_dir: Path, tmp_path: Path) -> None:
    contexts, _ = load_benchmark(data_dir, "synthetic")
    write_library(contexts, tmp_path / "library")
    documents, skipped = load_folder(tmp_path / "library")
    assert not skipped
    by_id = {d.doc_id: d for d in documents}
    assert set(by_id) == {c.context_id for c in contexts}
    for c in contexts:
        assert by_id[c.context_id].text == c.text
        if c.title:
            assert by_id[c.context_id].title == c.title


def _passage(doc_id: str) -> Passage:
    return Passage(doc_id=doc_id, title="", start=0, end=1, text="x", score=1.0)


def test_distinct_docs_keep_first_occurrence_order() -> None:
    docs = distinct_docs([_passage("a"), _passage("b"), _passage("a"), _passage("c")])
    assert docs == ["a", "b", "c"]
    assert doc_rank(docs, "c") == 3 and doc_rank(docs, "z") is None


def test_reference_containment_raw_and_normalised() -> None:
    assert normalise("發展 戰略") == "发展战略"
    assert contains_reference(["它推動了區域發展戰略。"], ("區域發展",))
    assert not contains_reference(["它推动了区域发展战略。"], ("區域發展",))
    assert contains_reference(["它推动了区域发展战略。"], ("區域 發展",), normalised=True)
    assert not contains_reference(["无关"], ("",), normalised=True)


def _answer(sentences: list[tuple[str, str]], abstained: bool = False, ms: float = 5.0) -> Answer:
    return Answer(question="q", abstained=abstained, answer="",
                  sentences=[Sentence(text=t, doc_id=d, start=0, end=len(t), citation=1) for d, t in sentences],
                  passages=[_passage(d) for d, _ in sentences], timing_ms={"total": ms})


def test_scoring_and_summary(data_dir: Path) -> None:
    _, questions = load_benchmark(data_dir, "synthetic")
    q0, q1, q2 = questions[0], questions[2], questions[4]  # SYN_0, SYN_1, SYN_2
    records = [
        score_question(q0, _answer([("SYN_0", "共有2個要點。")]), {"rrf": ["SYN_0"], "lexical": ["SYN_9", "SYN_0"]}),
        score_question(q1, _answer([("SYN_7", "共有3个要点。")], ms=15), {"rrf": ["SYN_7", "SYN_1"], "lexical": []}),
        score_question(q2, _answer([], abstained=True, ms=25), {"rrf": [], "lexical": ["SYN_2"]}),
    ]
    assert records[0]["contains_raw"] and records[0]["contains_from_gold"]
    assert not {"question", "answers", "answer"} & set(records[0])  # the benchmark's text is not copied
    assert not records[1]["contains_raw"] and records[1]["contains"] and not records[1]["contains_from_gold"]
    assert quoted_texts(_answer([("a", "甲。"), ("b", "乙。")]), "b") == ["乙。", "乙。"]
    s = summarise_public(records, methods=("rrf", "lexical"))
    assert s["questions"] == 3
    assert s["retrieval"]["rrf"]["recall@1"] == pytest.approx(1 / 3)
    assert s["retrieval"]["rrf"]["recall@5"] == pytest.approx(2 / 3)
    assert s["retrieval"]["lexical"]["mrr@10"] == pytest.approx((0.5 + 1) / 3)
    assert s["answer_contains_reference"] == pytest.approx(2 / 3)
    assert s["answer_contains_reference_raw"] == pytest.approx(1 / 3)
    assert s["answered_contains_reference"] == 1.0
    assert s["abstention_rate"] == pytest.approx(1 / 3) and s["answer_chars_median"] == 7
    assert s["latency_p50_ms"] == 15
    meta = {"benchmark": "synthetic", "limit": None, "seed": 0, "measured_at": "now", "machine": "m", "passages": 20,
            "chunks": 20, "chunk_size": 320, "model": "m", "questions_total": 3, "fusion": "rrf",
            "abstain_threshold": 0.5, "gold_passage_not_indexed": 0, "index_ready_s": 1.0,
            "rankings_differing_from_retriever": 0}
    report = render_public({"meta": meta, "summary": s, "questions": records})
    assert "| plain BM25 (bm25s + jieba) |" in report and "← the assistant" in report


def test_doc_rankings_fuse_one_retrievals_candidates() -> None:
    chunks = [SimpleNamespace(doc_id=d, title="", section=None, start=0, end=1, text="x") for d in ("a", "a", "b", "c")]
    retrieval = SimpleNamespace(dense_weight=None, dense_scores={0: 0.9, 2: 0.8, 3: 0.1}, lexical_scores={3: 7.0, 1: 5.0},
                                passages=[chunks[3], chunks[0], chunks[1], chunks[2]], named=frozenset())
    def plain(fused, k, method, named):  # the retriever's passages, without its section merging
        return [chunks[i] for i, _ in fused[:k]], [i for i, _ in fused[:k]]

    fake = SimpleNamespace(store=SimpleNamespace(chunks=chunks),
                           retriever=SimpleNamespace(fusion="rrf", run=lambda q, k: retrieval, passages=plain))
    rankings, consistent = doc_rankings(fake, "q")
    assert rankings["dense"] == ["a", "b", "c"] and rankings["lexical"] == ["c", "a"]
    assert rankings["rrf"] == ["c", "a", "b"] and consistent  # c is in both lists


def _data_or_skip(name: str) -> Path:
    if os.environ.get("QA_RUN_BENCHMARKS") != "1":
        pytest.skip("public benchmarks run only with QA_RUN_BENCHMARKS=1")
    if not (DEFAULT_DATA_DIR / name / "dev.jsonl").exists():
        pytest.skip(f"no benchmark data in {DEFAULT_DATA_DIR / name}")
    return DEFAULT_DATA_DIR


@pytest.mark.benchmark
@pytest.mark.parametrize("name", ["cmrc2018", "drcd"])
def test_public_benchmark_runs_end_to_end(name: str, tmp_path: Path) -> None:
    from qa.evaluation.cli import main

    data_dir = _data_or_skip(name)
    assert main(["public", name, "--limit", "50", "--data-dir", str(data_dir), "--out", str(tmp_path)]) == 0
    results = json.loads((tmp_path / f"public-{name}.json").read_text(encoding="utf-8"))
    assert results["summary"]["questions"] == 50
    assert results["meta"]["gold_passage_not_indexed"] == 0
    assert results["summary"]["retrieval"]["lexical"]["recall@10"] > 0.5
