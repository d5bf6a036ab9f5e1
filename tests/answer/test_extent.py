"""Which sentences go with an answer's best one: list detection (no model needed)."""

from __future__ import annotations

import pytest

from qa.answer.extent import asks_list, is_item


@pytest.mark.parametrize("sentence, item", [
    ("一是區域間合作積極性不高。", True),
    ("其次，推进绿色产业发展。", True),
    ("第二,细化主体功能区划分。", True),
    ("有三个方面值得关注：首先，实施生态优先战略。", True),  # the introduction and the first item in one sentence
    ("有三个方面值得关注：生态、产业和文明。", False),
    ("区域协调发展战略强调在推动经济发展的同时，注重生态保护与绿色发展。", False),
])
def test_is_item(sentence, item):
    assert is_item(sentence) is item


def test_a_list_is_asked_by_the_question_or_the_one_it_follows():
    assert asks_list("促进绿色发展要从哪几个方面入手？", None)
    assert asks_list("一共列了几条？", None)
    assert not asks_list("第三点具体是什么？", None)
    assert asks_list("那第三点呢？", ["文章提了哪几点？"])


def test_plural_questions_ask_for_the_whole_list():
    from qa.answer.extent import PLURAL
    assert PLURAL.search("侯冠宇讲营造统一开放的市场环境，分了哪两个方面？")
    assert not PLURAL.search("在法治环境方面存在什么问题？")
