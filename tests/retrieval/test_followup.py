"""Follow-ups that point at an item of the previous answer by its number."""

from __future__ import annotations

from qa.retrieval.followup import followup_context, item_number, numbered_items, ordinal_reference

PREVIOUS = ["新時代新征程,推動區域間聯動融合發展面臨新的要求。", "一是要立足地區差距。", "二是要堅持以人民為中心的發展思想。",
            "五是要牢固樹立和自覺踐行“綠水青山就是金山銀山”的理念。"]


def test_ordinals_and_item_numbers() -> None:
    assert ordinal_reference("那第三个特征具体有哪些举措？") == 3
    assert ordinal_reference("第五點具體是什麼？") == 5
    assert ordinal_reference("党的十八大以来区域政策有什么变化？") is None
    assert [item_number(s) for s in ("五是要…", "（三）关键特征", "2. 促进生态保护", "第二，推进", "其次，发挥", "区域协调")] == \
        [("是", 5), (")", 3), (".", 2), ("第,", 2), ("首先", 2), None]
    sentences = ["1. 统筹推进区域经济高质量发展", "首先，依托资源禀赋。", "其次，发挥城市群作用。", "最后，推动协同合作。"]
    assert numbered_items(sentences) == {1: sentences[1], 2: sentences[2], 3: sentences[3]}


def test_the_numbered_item_of_the_previous_answer_becomes_the_context() -> None:
    asked = []

    def previous(question: str, history: list[str]) -> list[str]:
        asked.append((question, history))
        return PREVIOUS

    history = ["早先的问题", "新時代推動區域間聯動融合發展有哪些新要求？"]
    assert followup_context("第五點具體是什麼？", history, previous) == ["早先的问题", PREVIOUS[3]]
    assert asked == [("新時代推動區域間聯動融合發展有哪些新要求？", ["早先的问题"])]
    # no item 3 in the previous answer (it quoted part of the list): read with the previous question
    assert followup_context("第三点呢？", history, previous) == history
    assert followup_context("那长江经济带呢？", history, previous) == history
    # one numbered heading is not a list to point into
    assert followup_context("第三个呢？", history, lambda q, h: ["（三）关键特征", "正文。"]) == history


def test_an_item_the_previous_answer_left_out_is_taken_from_its_source() -> None:
    previous = ["区域协调发展对提升国家经济高质量发展至关重要。", "一是培育区域经济增长极。", "二是加强科技创新驱动。"]
    asked = []

    def source_item(item: str, n: int) -> str | None:
        asked.append((item, n))
        return "三是建设现代化产业体系。" if n == 3 else None

    history = ["区域协调发展怎么给高质量发展添动力？"]
    assert followup_context("那第三点展开说说？", history, lambda q, h: previous, source_item) == ["三是建设现代化产业体系。"]
    assert asked == [(previous[2], 3)]
    assert followup_context("第九点呢？", history, lambda q, h: previous, source_item) == history
    assert item_number("有三个方面值得关注：首先，实施生态优先战略。") == ("首先", 1)
    assert item_number("具體來看,一是組織體系更加完善。") == ("是", 1)


def test_followup_by_number_on_the_seeds(core_assistant) -> None:
    answer = core_assistant.ask("第五點具體是什麼？", history=["新時代推動區域間聯動融合發展有哪些新要求？"])
    assert not answer.abstained
    assert "綠水青山就是金山銀山" in answer.answer


def test_a_followup_on_an_item_past_the_quoted_part_of_a_list_on_the_seeds(core_assistant) -> None:
    answer = core_assistant.ask("那第三点展开说说？", history=["侯冠宇觉得区域协调发展是怎么给国家经济高质量发展添动力的？"])
    assert "三是建设现代化产业体系" in answer.answer
