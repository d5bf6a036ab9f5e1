"""Chunks: offsets round-trip, boundaries at sentence ends, sections carried."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from qa.chunks.sentences import sentence_spans
from qa.chunks.splitter import chunk_document, chunk_documents
from qa.documents.cleaning import clean_text
from qa.documents.loader import Document


def test_offsets_round_trip_on_seeds(seed_documents):
    chunks = chunk_documents(list(seed_documents.values()), 400)
    for c in chunks:
        assert seed_documents[c.doc_id].text[c.start : c.end] == c.text
    assert [c.chunk_id for c in chunks] == list(range(len(chunks)))


def test_chunks_end_at_sentence_ends(seed_documents):
    doc = seed_documents["liandong-ronghe"]
    ends = {b for _, b in sentence_spans(doc.text)}
    for c in chunk_document(doc, 400):
        assert c.end in ends, c.text[-20:]


def test_sections_are_carried(seed_documents):
    doc = seed_documents["liandong-ronghe"]
    chunks = chunk_document(doc, 400)
    hard = [c for c in chunks if "區域間合作積極性不高" in c.text]
    assert hard and hard[0].section == "推動區域間聯動融合發展的難點挑戰"


def test_only_an_overlong_sentence_is_cut():
    text = "短句。" + "很长" * 300 + "。结尾。"
    doc = Document("d", "t", text)
    chunks = chunk_document(doc, 100)
    assert chunks[0].text == "短句。"
    assert all(len(c.text) <= 100 for c in chunks)


def test_sentence_spans_keep_closing_quotes():
    text = "他说：“要协调发展。”然后呢？English here. Done"
    assert [text[a:b] for a, b in sentence_spans(text)] == ["他说：“要协调发展。”", "然后呢？", "English here.", "Done"]


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("区域协调发展。，；！？\n ab")), min_size=1, max_size=800),
       st.integers(min_value=20, max_value=300))
def test_chunks_always_inside_the_document(raw, size):
    doc = Document("d", "t", clean_text(raw).text, clean_text(raw).headings)
    for c in chunk_document(doc, size):
        assert 0 <= c.start < c.end <= len(doc.text)
        assert doc.text[c.start : c.end] == c.text
