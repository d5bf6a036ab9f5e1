"""Names in questions: what counts as one, and which the library never mentions (no model needed)."""

from __future__ import annotations

import pytest

from qa.answer.names import named_entities, party_events, place_names, unknown_entities

LIBRARY = "长江经济带地区生产总值为58.4万亿元，对全国经济增长的贡献率为48.8%。侯冠宇在技术经济发表论文。"


def test_unknown_entities():
    assert unknown_entities("《红楼梦》的作者是谁？", LIBRARY.lower()) == ["红楼梦"]
    assert unknown_entities("怎么用Python读取Excel文件？", LIBRARY.lower()) == ["Excel", "Python"]
    assert unknown_entities("长江经济带的GDP是多少？", "长江经济带gdp") == []
    assert unknown_entities("侯冠宇的论文讲了什么？", LIBRARY.lower()) == []
    # names are compared without whitespace: a title may break over lines in the text
    assert unknown_entities("《促进区域协调发展 增强区域发展活力》登在哪天？", "促进区域协调发展增强区域发展活力") == []


@pytest.mark.parametrize("question, word", [
    ("资源要素的配置老是被地理空间卡住，该靠什么办法突破？", "卡住"),  # jieba tags it as a person's name (nr)
    ("各地互相设卡，要怎么把这堵墙打掉？", "堵墙"),  # nr
    ("新中国刚成立那几十年，为什么说三线建设对中西部很重要？", "刚成立"),  # nr
    ("对已有平台和新设平台分别主张怎么做？", "新设"),  # nt
    ("黄河以后能不能一直太太平平的？", "太太平平"),  # ns: a reduplicated word
    ("几个城市连成一条线搞科技创新，叫什么？", "连成"),  # nrfg, a dictionary word
    ("为什么能让区域整体竞争力明显增强？", "明显增强"),  # nr, a four-character dictionary entry
    ("美联储2024年一共降息了几次？", "一共"),  # j, like the abbreviation 美联储, but a word
    ("这个政策以后要怎么改一改？", "改一改"),  # j
    ("小企业对上云用数据心里没底，怎么帮？", "上云"),  # ns, guessed by jieba's HMM: no dictionary entry
    ("推进四大板块协调发展讲了什么？", "四大"),  # a count, not a party congress
    ("党的二十届三中全会的《决定》提出了什么？", "三中全会"),  # the event is 二十届三中全会, named whole
])
def test_words_jieba_tags_as_names_without_being_names(question, word):
    assert word not in named_entities(question)


def test_party_congresses_plenums_plans_and_abbreviations_are_names():
    library = "党的十八大以来，党的二十届三中全会提出完善实施区域协调发展战略机制。"
    assert unknown_entities("党的十七大对区域协调发展提出了哪些新部署？", library) == ["十七大"]
    assert unknown_entities("十八大以来区域协调发展有什么成就？", library) == []
    assert unknown_entities("二十届三中全会的决定说了什么？", library) == []
    assert unknown_entities("十八届三中全会提出了什么？", library) == ["十八届三中全会"]
    assert unknown_entities("十四五规划对区域协调发展有什么要求？", library) == ["十四五"]
    assert unknown_entities("美联储2024年一共降息了几次？", library) == ["美联储"]
    assert party_events("十八大以来，党的二十大和二十届三中全会") == {"十八大", "二十大", "二十届三中全会"}


def test_a_person_unknown_to_the_library_is_still_a_name():
    assert unknown_entities("张三丰对区域协调发展有什么看法？", LIBRARY.lower()) == ["张三丰"]
    assert unknown_entities("吴继飞对区域协调发展有什么看法？", LIBRARY.lower()) == ["吴继飞"]


def test_a_kind_of_province_is_no_name():
    assert unknown_entities("產糧大省地種得多、錢賺得少，財政要怎麼顧到？", LIBRARY.lower()) == []


def test_a_description_of_places_is_not_a_name():
    assert unknown_entities("文章對幫扶落後地區是什麼思路？", "欠发达地区") == []


def test_macro_regions_are_names():
    assert "中部地区" in named_entities("2023年中部地区的地区生产总值占全国的比重是多少？")
    assert "长三角" in place_names("长三角地区生产总值为30.5万亿元")


def test_a_colloquial_name_of_a_known_region_is_known():
    assert unknown_entities("大西北跟大西南兩邊的省份，要多來往嗎？", "鼓励西北地区与西南地区加强合作互动") == []
