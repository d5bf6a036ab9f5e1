"""Loading a library folder: encodings, bad files skipped with a reason, duplicates, catalogue."""

from __future__ import annotations

import pytest

from qa.documents.loader import detect_script, load_folder

TEXT = "区域协调发展是实现共同富裕的必然选择。推动区域一体化，提升区域整体竞争力。"
TRAD = "區域協調發展是實現共同富裕的必然選擇。推動區域一體化，提升區域整體競爭力。"


def test_seed_catalogue(seed_documents):
    assert set(seed_documents) == {"liandong-ronghe", "neihanshi-fazhan", "guangming-2024-12-26"}
    assert seed_documents["liandong-ronghe"].script == "Traditional"
    assert seed_documents["neihanshi-fazhan"].authors == ("侯冠宇",)
    assert seed_documents["guangming-2024-12-26"].date == "2024-12-26"
    assert "Hou Guanyu" in seed_documents["neihanshi-fazhan"].aliases
    assert "Hou Guanyu" in seed_documents["neihanshi-fazhan"].text  # the English byline the alias is taken from


def test_encodings_and_bad_files(tmp_path):
    (tmp_path / "utf8.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "gb.txt").write_bytes(("另一篇：" + TEXT).encode("gb18030"))
    (tmp_path / "big5.md").write_bytes(("# 標題\n" + TRAD).encode("big5"))
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02PNG" * 100)
    (tmp_path / "copy.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    docs, skipped = load_folder(tmp_path)
    by_id = {d.doc_id: d for d in docs}
    assert by_id["gb"].text == "另一篇：" + TEXT
    assert by_id["big5"].text == "# 標題\n" + TRAD and by_id["big5"].script == "Traditional"
    reasons = {s.path.rsplit("/", 1)[-1]: s.reason for s in skipped}
    assert reasons["empty.txt"] == "empty file"
    assert "binary" in reasons["binary.txt"]
    assert "duplicate" in reasons["utf8.txt"] or "duplicate" in reasons["copy.txt"]
    assert "notes" not in by_id


def test_detect_script():
    assert detect_script(TRAD) == "Traditional"
    assert detect_script(TEXT) == "Simplified"


def test_utf16_with_bom_is_read(tmp_path):
    from qa.documents.loader import DecodeError, decode_bytes

    text = "区域协调发展是推动高质量发展的关键。\n"
    for encoding in ("utf-16", "utf-16-be"):
        data = text.encode(encoding) if encoding == "utf-16" else b"\xfe\xff" + text.encode("utf-16-be")
        assert decode_bytes(data) == (text, "utf-16")
    with pytest.raises(DecodeError):
        decode_bytes(b"\xff\xfe\x00\xd8")  # a lone surrogate: not UTF-16 text
