"""Files nobody checked, added to the library: each is indexed correctly or skipped with a message
naming it, the rest of the library is indexed, and nothing already indexed is lost."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from qa.assistant import Assistant
from qa.config import load_settings
from qa.documents.loader import MAX_FILE_BYTES, load_document
from qa.index import layout
from qa.index.builder import build_index
from qa.index.store import load_store
from tests.reliability.helpers import SEEDS, assert_grounded

pytestmark = pytest.mark.slow

UTF8 = "青藏高原生态保护专题：青藏高原生态保护需要建立跨省协作机制。各地应当共享生态监测数据。"
GB = "东北振兴专题：黑龙江省推进冰雪经济发展。哈尔滨冰雪大世界吸引了大量游客。"
BIG5 = "港澳合作專題：香港與澳門共同推進大灣區金融互聯互通。跨境理財通試點持續擴大。"
MD = "# 海南自由贸易港\r\n\r\n海南自由贸易港建设要求制度集成创新。\r\n零关税政策逐步落地。\r\n"
BAD_NAME = "新疆专题：新疆推进丝绸之路经济带核心区建设。霍尔果斯口岸货运量持续增长。"
HUGE_BYTES = 50 * 1024 * 1024


@pytest.fixture(scope="module")
def encoder(core_assistant):
    return core_assistant.encoder


def _settings(index: Path):
    return load_settings().with_overrides(index_dir=index)


def _build(index: Path, sources: list[Path], encoder, capsys) -> str:
    capsys.readouterr()
    build_index(_settings(index), sources, encoder=encoder)
    return capsys.readouterr().err


def _library(folder: Path) -> dict[str, str]:
    """Write the matrix of files; returns file name → what must happen to it."""
    folder.mkdir()
    (folder / "good_utf8.txt").write_text(UTF8, encoding="utf-8")
    (folder / "good_gb18030.txt").write_bytes(GB.encode("gb18030"))
    (folder / "good_big5.txt").write_bytes(BIG5.encode("big5"))
    (folder / "good_bom_crlf.md").write_bytes(b"\xef\xbb\xbf" + MD.encode("utf-8"))
    with open(os.path.join(os.fsencode(folder), b"\xff\xfe-bad-name.txt"), "wb") as f:  # name is not UTF-8
        f.write(BAD_NAME.encode("utf-8"))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_bytes(b" \n\t\r\n   \n")
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40)
    (folder / "invalid_utf8.txt").write_bytes("区域协调发展。".encode() + b"\xff\xfe\xc3\x28\xa0\xa1\xff" + "发展。".encode())
    (folder / "same_bytes.txt").write_text(UTF8, encoding="utf-8")
    (folder / "same_text_utf8.txt").write_text(GB, encoding="utf-8")  # the GB18030 file's text, in UTF-8
    shutil.copy(SEEDS / "002_81f12e231f1362f9.txt", folder / "copy_of_a_seed.txt")
    with open(folder / "huge.txt", "wb") as f:
        block = ("区域协调发展是实现共同富裕的必然选择。" * 1000 + "\n").encode("utf-8")
        while f.tell() < HUGE_BYTES:
            f.write(block)
    (folder / "notes.pdf").write_bytes(b"%PDF-1.7")
    return {
        "empty.txt": "empty file",
        "blank.txt": "empty file",
        "binary.txt": "binary",
        "invalid_utf8.txt": "not UTF-8, GB18030 or Big5",
        "same_bytes.txt": "duplicate of .*good_utf8.txt",
        "same_text_utf8.txt": "duplicate of .*good_gb18030.txt",
        "copy_of_a_seed.txt": "duplicate of .*002_81f12e231f1362f9.txt",
        "huge.txt": r"5\d\.\d MB, over the 20 MB limit",
    }


def test_fifty_megabyte_file_is_refused_without_being_read(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as f:
        f.truncate(HUGE_BYTES)  # sparse: reading it would take 50 MB of memory and time
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match="over the 20 MB limit"):
        load_document(path)
    assert time.perf_counter() - t0 < 0.5
    assert MAX_FILE_BYTES < HUGE_BYTES


def test_every_bad_file_is_skipped_by_name_and_the_rest_is_indexed(core_index_dir, core_assistant, encoder,
                                                                   tmp_path, capsys):
    index = shutil.copytree(core_index_dir, tmp_path / "index")
    extra = tmp_path / "extra"
    expected_skips = _library(extra)
    err = _build(index, [SEEDS, extra], encoder, capsys)

    skipped = {Path(s["path"]).name: s["reason"] for s in json.loads((index / layout.SKIPPED).read_text())}
    assert set(skipped) == set(expected_skips), skipped
    for name, reason in expected_skips.items():
        assert re.search(reason, skipped[name]), (name, skipped[name])
        assert re.search(rf"skipped \S*{re.escape(name)}: ", err), name  # the message names the file

    store = load_store(index, encoder.fingerprint)
    by_source = {Path(d.source).name: d for d in store.documents}
    assert by_source["good_gb18030.txt"].text == GB
    assert by_source["good_big5.txt"].text == BIG5 and by_source["good_big5.txt"].script == "Traditional"
    assert by_source["good_utf8.txt"].text == UTF8
    assert "海南自由贸易港建设要求制度集成创新。" in by_source["good_bom_crlf.md"].text
    assert "\ufeff" not in by_source["good_bom_crlf.md"].text and "\r" not in by_source["good_bom_crlf.md"].text
    assert by_source["\\xff\\xfe-bad-name.txt"].text == BAD_NAME  # indexed; its name shown with escapes
    assert "notes.pdf" not in by_source

    # nothing already indexed is lost: the seeds are exactly as in the core index
    before = {d.doc_id: d.text for d in core_assistant.store.documents}
    after = {d.doc_id: d.text for d in store.documents}
    assert {k: after.get(k) for k in before} == before
    assert len(store.documents) == len(before) + 5
    for c in store.chunks:
        assert after[c.doc_id][c.start : c.end] == c.text

    assistant = Assistant(store, encoder, _settings(index))
    answer = assistant.ask("哈尔滨冰雪大世界吸引了什么？").model_dump()
    assert not answer["abstained"], answer["reason"]
    assert_grounded(answer, after)
    assert any("哈尔滨冰雪大世界" in s["text"] for s in answer["sentences"])


def _chunk_vectors(index: Path) -> dict[tuple[str, str], np.ndarray]:
    vectors = np.load(index / layout.CHUNK_VECTORS)
    with open(index / layout.CHUNKS, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    return {(r["doc_id"], r["text"]): v for r, v in zip(rows, vectors)}


def test_a_file_changed_between_builds_is_reindexed_and_the_rest_reused(core_index_dir, encoder, tmp_path, capsys):
    index = shutil.copytree(core_index_dir, tmp_path / "index")
    extra = tmp_path / "extra"
    extra.mkdir()
    changing, steady = extra / "changing.txt", extra / "steady.txt"
    changing.write_text("旧版本：长江经济带要坚持生态优先。旧的表述不再使用。", encoding="utf-8")
    steady.write_text(UTF8, encoding="utf-8")
    _build(index, [SEEDS, extra], encoder, capsys)
    first = _chunk_vectors(index)
    old_docs = {d.doc_id: d.text for d in load_store(index).documents}

    changing.write_text("新版本：粤港澳大湾区要建设国际科技创新中心。深圳河套合作区先行先试。", encoding="utf-8")
    err = _build(index, [SEEDS, extra], encoder, capsys)
    encoded = {label: (int(total), int(cached), int(todo)) for label, total, cached, todo in
               re.findall(r"(chunks|sentences): (\d+) texts, (\d+) from cache, (\d+) to encode", err)}
    assert encoded["chunks"][2] == 1, err  # only the changed file's one chunk is encoded again
    assert encoded["sentences"][2] == 2, err  # and its two sentences
    store = load_store(index, encoder.fingerprint)
    texts = {d.doc_id: d.text for d in store.documents}
    assert texts["changing"].startswith("新版本：粤港澳大湾区")
    assert not any("旧的表述" in c.text for c in store.chunks)
    assert {k: v for k, v in texts.items() if k != "changing"} == {k: v for k, v in old_docs.items() if k != "changing"}
    second = _chunk_vectors(index)
    for key, vector in second.items():  # unchanged chunks carry the very same vectors
        if key[0] != "changing":
            assert np.array_equal(vector, first[key]), key

    answer = Assistant(store, encoder, _settings(index)).ask("大湾区要建设什么中心？").model_dump()
    assert_grounded(answer, texts)
    assert any(s["doc_id"] == "changing" and "国际科技创新中心" in s["text"] for s in answer["sentences"]), answer


def test_a_file_that_turns_bad_is_skipped_by_name_and_the_others_stay(core_index_dir, encoder, tmp_path, capsys):
    """A file overwritten with garbage is left out with a message naming it (the library is the source of
    truth: a file that can no longer be read is not served); every other document stays indexed."""
    index = shutil.copytree(core_index_dir, tmp_path / "index")
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "fine.txt").write_text(UTF8, encoding="utf-8")
    (extra / "turns_bad.txt").write_text(GB, encoding="utf-8")
    _build(index, [SEEDS, extra], encoder, capsys)
    assert "turns_bad" in {d.doc_id for d in load_store(index).documents}

    (extra / "turns_bad.txt").write_bytes(b"\x00\x01garbage\x00" * 100)
    err = _build(index, [SEEDS, extra], encoder, capsys)
    assert re.search(r"skipped \S*turns_bad.txt: binary file", err), err
    ids = {d.doc_id for d in load_store(index).documents}
    assert "turns_bad" not in ids and {"fine", "liandong-ronghe", "neihanshi-fazhan", "guangming-2024-12-26"} <= ids
