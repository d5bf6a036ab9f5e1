"""Regional nicknames: a question says 江浙沪皖 or 东三省, the library 长三角 or 东北地区."""

from __future__ import annotations

from qa.retrieval.nicknames import in_library_words


def test_a_nickname_becomes_the_regions_name_in_simplified() -> None:
    assert in_library_words("江浙滬皖那一帶主要圖的是什麼？") == "长三角那一带主要图的是什么？"
    assert in_library_words("东三省和川渝的差距有多大？") == "东北地区和成渝地区的差距有多大？"
    assert in_library_words("江浙沪皖的产业") == "长三角的产业"  # the longest nickname first: not 长三角皖


def test_a_question_without_a_nickname_is_left_as_it_is() -> None:
    question = "長三角地區要與哪些地區加強產業合作？"
    assert in_library_words(question) is question


def test_a_question_naming_a_region_by_nickname_is_answered_on_the_seeds(core_assistant) -> None:
    answer = core_assistant.ask("江浙滬皖那一帶跟內陸省份合夥做產業，主要圖的是什麼？")
    assert answer.question == "江浙滬皖那一帶跟內陸省份合夥做產業，主要圖的是什麼？"  # the user's words are kept
    assert not answer.abstained
    assert "長三角地區要與中西部地區加強產業合作" in answer.answer
