"""English questions translated into library words by CC-CEDICT, and names the library never mentions."""

from __future__ import annotations

import pytest

from qa.index.translation import QueryTranslator, english_stems

VOCABULARY = {"分工": 3, "东部": 5, "沿海": 2, "发展": 90, "开发": 9, "研发": 1, "黄河流域": 2, "流域": 2, "区域": 80,
              "地区": 40, "2025": 1}


LIBRARY = "习近平 光明日报 黄河流域 东部沿海地区 分工"


@pytest.fixture(scope="module")
def translator() -> QueryTranslator:
    return QueryTranslator.build(VOCABULARY, LIBRARY)


def test_stems_drop_function_words() -> None:
    assert english_stems("What role should the eastern inter-regional bodies play?") == ["role", "east", "region", "bodi", "play"]


def test_phrase_glosses_weigh_one_and_stay_in_the_vocabulary(translator: QueryTranslator) -> None:
    translation = translator.translate("What role should the eastern coastal regions play in the division of labor?")
    terms = translation.terms
    assert terms["分工"] == 1.0 and terms["沿海"] == 1.0
    assert set(terms) <= set(VOCABULARY)
    assert translation.sources["分工"] == {"divis", "labor"}
    assert translation.concepts_in("东部沿海地区应成为引领者") == {"east", "coastal", "region"}


def test_a_common_word_shares_its_weight_by_library_frequency(translator: QueryTranslator) -> None:
    terms = translator.translate("the Yellow River Basin development in 2025").terms
    assert terms["黄河流域"] == 1.0 and terms["2025"] == 1.0
    assert 0 < terms["研发"] < terms["开发"] < terms["发展"] < 1.0


def test_a_name_glossed_with_alternatives_translates_by_either_and_the_longest_name_wins() -> None:
    translator = QueryTranslator.build({**VOCABULARY, "长江": 4, "长三角": 3}, LIBRARY + " 长江 长三角")
    assert translator.translate("What guides the Yangtze River?").terms["长江"] == 1.0  # "Yangtze River, or Chang Jiang"
    delta = translator.translate("Which cities make up the Yangtze River Delta?").terms
    assert delta["长三角"] == 1.0 and "长江" not in delta  # the delta's own name, not also the river's


def test_unknown_names_need_a_dictionary_entry_absent_from_the_library(translator: QueryTranslator) -> None:
    assert translator.unknown_names("What is the current population of Japan?") == ["Japan"]
    assert translator.unknown_names("What did Xi Jinping say in the Guangming Daily?") == []
    assert translator.unknown_names("Which projects funded Hou Guanyu's paper?") == []  # not in the dictionary
    assert translator.translate("Is Japan mentioned?").unknown_names == ["Japan"]


def test_acronyms_are_names_and_a_name_written_in_latin_letters_is_mentioned() -> None:
    translator = QueryTranslator.build(VOCABULARY, LIBRARY + " gdp per capita in chinese cities")
    assert translator.unknown_names("What are the main rules of the EU's data law?") == ["EU"]
    assert translator.unknown_names("How large is the GDP of Chinese cities?") == []


def test_the_table_survives_a_round_trip(translator: QueryTranslator, tmp_path) -> None:
    translator.save(tmp_path / "translation.json")
    loaded = QueryTranslator.load(tmp_path / "translation.json", VOCABULARY)
    question = "What role should the eastern coastal regions play in the division of labor of Japan in 2025?"
    assert loaded.translate(question) == translator.translate(question)


@pytest.mark.slow
def test_english_question_finds_the_chinese_evidence(core_assistant) -> None:
    answer = core_assistant.ask("In Hou Guanyu's paper, what role should the eastern coastal regions play "
                                "in the regional division of labor?")
    assert not answer.abstained
    assert "东部沿海地区应成为经济增长与科技创新的引领者" in answer.answer


@pytest.mark.slow
def test_english_question_about_an_unknown_country_abstains(core_assistant) -> None:
    answer = core_assistant.ask("What is the current population of Japan?")
    assert answer.abstained and "Japan" in answer.reason
