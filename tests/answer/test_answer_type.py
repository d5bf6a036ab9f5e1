"""Answer-type checks used for abstention (no model needed)."""

from __future__ import annotations

import pytest

from qa.answer.answer_type import (defines, asked_attribute, asked_clause, asked_items, asked_meaning, asked_members, asked_role, expected_type,
                                    has_answer_of_type, listed_items)
from qa.answer.extent import is_item
from qa.answer.names import unknown_entities

LIBRARY = "长江经济带地区生产总值为58.4万亿元，对全国经济增长的贡献率为48.8%。侯冠宇在技术经济发表论文。"


@pytest.mark.parametrize("question, kind", [
    ("區域合作的組織體系這幾年是怎麼一步步完善起來的？", None),  # 這幾年 is "these years", not a count
    ("这里的重点城市具体是指哪几座城市？", "place"),
    ("示範區具體包括哪幾個區縣？", "county"),
    ("What was the Yangtze River Delta's GDP in 2024?", "number"),
    ("How large is the Xiong'an New Area in square kilometres?", "number"),
    ("2023年长三角地区生产总值是多少？", "number"),
    ("西部陸海新通道預計哪一年建成？", "time"),
    ("領導小組的組長是誰？", "person"),
    ("联合工作办公室设在哪个城市？", "place"),
    ("西部陆海新通道经过哪些省份？", "province"),
    ("长三角的“三省一市”具体指哪几个省市？", "province"),
    ("How many cities had a GDP above one trillion yuan?", "number"),
    ("推动区域间联动融合发展面临哪些难点？", None),
])
def test_expected_type(question, kind):
    assert expected_type(question) == kind


def test_asked_attribute():
    assert asked_attribute("2023年长江经济带的经济增速是多少？") == "增速"
    assert asked_attribute("2023年粤港澳大湾区经济总量达到了多少？") == "经济总量"


def test_number_needs_a_new_number_next_to_the_asked_attribute():
    q = "2023年长江经济带的贡献率是多少？"
    assert has_answer_of_type("number", q, LIBRARY)
    assert not has_answer_of_type("number", "2023年长江经济带的经济增速是多少？", LIBRARY)
    assert not has_answer_of_type("number", "2023年的贡献率是多少？", "2023年的贡献率很高。")


def test_a_year_dates_a_figure_and_is_none_unless_years_are_counted():
    growth = "2023年东北地区的经济总量比上年增长了多少？"
    assert not has_answer_of_type("number", growth, "2012年到2023年间，东北地区经济结构不断优化。")
    assert has_answer_of_type("number", growth, "2023年东北地区经济总量比上年增长4.8%。")
    assert has_answer_of_type("number", "从提出五个统筹到通过决定，中间隔了多少年？", "2003年提出五个统筹，2024年通过决定。")


def test_a_county_question_needs_a_county_not_a_kind_of_area():
    question = "長三角生態綠色一體化發展示範區具體包括哪幾個區縣？"
    assert expected_type(question) == "county"
    assert not has_answer_of_type("county", question, "持續深化長三角生態綠色一體化發展示范區等改革創新。")
    assert not has_answer_of_type("county", question, "鼓励西部地区与东部地区开展合作。")
    assert has_answer_of_type("county", question, "示范区包括上海青浦区、江苏吴江区和浙江嘉善县。")
    assert expected_type("有哪些区域合作平台？") is None  # 区域 is no county
    assert expected_type("美麗島事件發生於哪一個縣市?") != "county"  # 縣市: a city answers too (高雄市)


def test_province_needs_a_province_name_not_a_region():
    assert not has_answer_of_type("province", "西部陆海新通道经过哪些省份？", "鼓励西北地区与西南地区加强合作互动。")
    assert has_answer_of_type("province", "三省一市指哪几个省市？", "江蘇、浙江、安徽和上海。")
    assert not has_answer_of_type("province", "江苏之外还有哪些省？", "江苏的经济总量很大。")
    assert not has_answer_of_type("province", "是哪三个省？", "鼓励长江中游三省协同协作。")
    assert has_answer_of_type("province", "多伦多位于加拿大哪个省？", "多伦多是加拿大安大略省的省会。")  # abroad


def test_time_needs_a_year_not_in_the_question():
    assert has_answer_of_type("time", "论文哪一年发表？", "技术经济, 2025, 44(4): 49-56")
    assert not has_answer_of_type("time", "2023年哪一天开会？", "2023年召开会议。")


def test_a_rank_needs_a_place_in_a_ranking():
    question = "专利实力跻身全球四大湾区前列，那它具体排在第几位？"
    assert expected_type(question) == "rank"
    assert not has_answer_of_type("rank", question, "其专利实力跻身全球四大湾区前列。")
    assert has_answer_of_type("rank", question, "其专利实力居全球四大湾区第2位。")


def test_an_organisation_question_needs_an_organisation():
    question = "這個平台由哪個部門牽頭負責？"
    assert expected_type(question) == "organisation"
    assert not has_answer_of_type("organisation", question, "搭建城市群协调发展平台，推动科研院所跨区域开展合作。")
    assert has_answer_of_type("organisation", "由哪家公司开发？", "由东华实业开发。")  # jieba: 东华 nz
    assert expected_type("具體是指哪幾家銀行？") == "organisation"
    assert not has_answer_of_type("organisation", "具体是指哪几家银行？", "鼓励设立由政府出资的区域合作引导基金。")
    assert has_answer_of_type("organisation", "京津冀联合组建了哪个机构？", "三地组建了京津冀协同发展联合工作办公室。")
    assert has_answer_of_type("organisation", "他在哪家单位做的博士后？", "海信集团博士后科研工作站")


def test_where_someone_studied_is_not_where_they_work():
    question = "吴浩强是从哪所大学毕业的？"
    assert expected_type(question) == "organisation"
    assert not has_answer_of_type("organisation", question, "作者：吴浩强，南京大学长江产业经济研究院")  # an affiliation
    assert has_answer_of_type("organisation", question, "吴浩强2015年毕业于南京大学。")


def test_an_event_question_needs_a_meeting():
    question = "高质量发展这个提法最早是在党的哪次代表大会上提出来的？"
    assert expected_type(question) == "event"
    assert not has_answer_of_type("event", question, "当前，我国经济由高速增长阶段转向高质量发展阶段。")
    assert has_answer_of_type("event", question, "党的十九大首次提出高质量发展。")


@pytest.mark.parametrize("question, count", [
    ("其他八项分别是什么？", 8),
    ("长三角地区生产总值超过万亿元的9个城市分别是哪些？", 9),
    ("另外三大湾区是哪几个？", 3),
    ("习近平总书记主持召开的9场座谈会分别在哪些城市举行？", 9),
    ("長江中游三省具體是指哪三個省？", 3),
    ("光明日报文章说长三角有9个GDP超过万亿元的城市，具体是哪几个？", 9),  # the count, then the asking clause
    ("长三角三省一市在科技创新上是怎么联动融合的？", None),
    ("《战国无双3》是由哪两个公司合作开发的？", 2),
    ("健全市场、合作与互助机制具体包括哪三个方面？", 3),
    ("第五點具體是什麼？", None),  # an ordinal, not a count
    ("侯冠宇梳理了党的十八大以来的哪几项区域发展战略？", None),  # 十八大 is a congress, not eighteen things
    ("在律令制度中，从四位相当于什么官职？", None),  # a rank, not a count
    ("文章认为我国的一个基本国情是什么？", None),
    ("“五个统筹”阶段主要通过哪些机制来推动区域协调发展？", None),  # the count is not what is asked
])
def test_asked_members(question, count):
    assert asked_members(question) == count


def test_listed_items_counts_a_list_or_an_enumeration():
    assert listed_items(["上海、南京、杭州和苏州等城市。"], is_item) == 4
    assert listed_items(["一是产业协作。", "二是生态共保。", "三是设施联通。"], is_item) == 3
    assert listed_items(["其中地区生产总值超过万亿元的城市有9个。"], is_item) == 1
    assert listed_items(["由光荣和ω-force开发。"], is_item) == 2  # CMRC 2018: 「哪两个公司」
    assert listed_items(["有厦村河、石埗引水道及田心水道三条支流。"], is_item) == 3


def test_how_big_asks_for_a_figure():
    assert expected_type("示范区的面积有多大？") == "number"
    assert expected_type("在多大程度上缩小了差距？") is None


def test_a_day_question_needs_a_day_not_a_year():
    q = "2024年中央经济工作会议是在哪一天召开的？"
    assert expected_type(q) == "date"
    assert not has_answer_of_type("date", q, "2024年中央经济工作会议提出，发挥区域协调发展战略的叠加效应。")
    assert has_answer_of_type("date", "登在光明日报哪天？", "《光明日报》（2024年12月26日06版）")
    assert has_answer_of_type("date", "平安在哪一天攻入北平？", "七月初十，平安攻入北平。")  # DRCD


def test_an_identifier_question_needs_a_code_not_the_asked_word():
    q = "侯冠宇论文受资助的重大专项，项目编号是多少？"
    assert expected_type(q) == "identifier" and expected_type("FIPS代码的含义是什么？") is None
    assert has_answer_of_type("identifier", q, "教育部哲学社会科学研究重大专项(2023JZDZ022);")
    assert not has_answer_of_type("identifier", q, "教育部哲学社会科学研究重大专项。")


def test_figurative_where_and_shares():
    assert expected_type("促进中部地区崛起的重点放在哪里？") is None
    assert expected_type("“飞地经济”园区的收益按什么比例分？") == "number"
    assert has_answer_of_type("number", "粮食播种面积约占多少比例？", "约占全省总播种面积的四分之三。")  # DRCD


def test_a_count_question_needs_a_count_and_list_numbers_are_none():
    assert expected_type("目前全國一共設立了幾個跨境經濟合作區？") == "number"
    assert expected_type("文章从哪几个方面论述？") is None
    assert has_answer_of_type("number", "额亦都一生有几位妻子？", "他先后娶了五位妻子。")
    assert has_answer_of_type("number", "有多少个球队参加？", "共有13 队参加。")
    assert not has_answer_of_type("number", "负面清单一共列了多少项？", "1. 实施全国统一的市场准入负面清单制度")
    assert not has_answer_of_type("number", "示范区的面积有多大？", "紧扣一体化和高质量两个关键。")


def test_a_person_question_naming_a_role_needs_that_role():
    assert asked_role("《技术经济》这本期刊的主编是谁？") == "主编"
    assert not has_answer_of_type("person", "侯冠宇读博士时的导师是谁？", "侯冠宇(1996—),政治经济学博士,海信集团博士后")
    assert asked_role("《論自由》的作者是誰?") is None  # authorship is said with 著, not the word 作者
    assert asked_role("隐面龙这个名字是谁命的？") is None  # the person is the one who named it


@pytest.mark.parametrize("question, kind", [
    ("When did the strategy start?", "time"),
    ("What must be guarded against when firms abuse their control of shared platforms?", None),  # a clause's "when"
    ("Who won the 2022 FIFA World Cup?", "person"),
    ("开头引用的是党的第几届几中全会的论述？", None),  # an ordinal, not a count
    ("隔着好几个省的工厂，能不能远程配合干活？", None),  # 好几个 is "several"
])
def test_asked_wh_words_and_counts(question, kind):
    assert expected_type(question) == kind


def test_a_role_in_its_short_form_is_named():
    assert asked_role("這篇文章的美術編輯是誰？") == "美术编辑"
    assert has_answer_of_type("person", "這篇文章的美術編輯是誰？", "責編∕張貝 美編∕周群英")


@pytest.mark.parametrize("question, kind", [
    ("京津冀協同發展聯合工作辦公室下面一共設了幾個專題工作組？", "number"),
    ("长三角几个省市在看病、上学这些方面有没有互相打通？", None),  # 几个 as "those few", asked with 有没有
    ("京津冀、粵港澳這幾個區域戰略之間要對接聯動，文章提出怎麼協同推進？", None),
    ("When laying the digital foundation for industrial clusters, what should be strengthened?", None),
])
def test_a_count_is_asked_only_when_nothing_else_is(question, kind):
    assert expected_type(question) == kind


def test_counts_years_and_pages():
    assert expected_type("2018年那份意见一共提出了几项机制，分别是什么？") == "number"
    assert expected_type("几个地方在研发上抱团干，最后能变成啥样？") is None
    assert expected_type("侯冠宇说的“一五”计划具体是哪几年？") == "time"
    assert has_answer_of_type("number", "一共列了几项？", "第五,长江经济带发展战略。\n第六,黄河流域生态保护和高质量发展战略")
    assert has_answer_of_type("number", "發表在哪本期刊哪一期，頁碼是多少？", "环境保护, 2024(13): 44-47.")


def test_postcodes_and_figurative_where():
    assert expected_type("论文署名里标的邮编是多少？") == "identifier"
    assert has_answer_of_type("identifier", "论文署名里标的邮编是多少？", "东北大学秦皇岛分校马克思主义学院, 秦皇岛066004")
    assert expected_type("文章在確定重點領域時，是以什麼為依據、又聚焦在哪裡？") is None


def test_differences_sources_and_directions():
    # a difference is answered by the figures compared, whatever the verb (多出, 差了, 隔了)
    assert has_answer_of_type("number", "长江经济带的地区生产总值比长三角多出多少万亿元？",
                              "长江经济带地区生产总值为58.4万亿元，长三角地区生产总值为30.5万亿元")
    # a list's 第五 counts the list's items, not the countries of 「跟多少个国家签了」
    assert not has_answer_of_type("number", "中国已经跟多少个国家签了合作文件？", "第五,“一带一路”倡议作为区域发展的国际延伸")
    assert expected_type("In Hou Guanyu's reference list, where was Liu Dian's article published?") is None
    assert unknown_entities("东西南北这几大块地方，彼此之间应该各干各的吗？", "") == []


@pytest.mark.parametrize("question, asked", [
    ("光明日报说2023年京津冀经济总量是10.4万亿元，那2024年京津冀的经济总量涨到多少了？", "2024年京津冀的经济总量涨到多少了？"),
    ("光明日报说长三角有9个城市GDP超过万亿，其中上海2023年的GDP是多少万亿元？", "上海2023年的GDP是多少万亿元？"),
    ("长江经济带的GDP是多少？", "长江经济带的GDP是多少？"),
    ("那长江经济带呢？", "那长江经济带呢？"),  # a follow-up, not a premise
    ("还有一个秦皇岛市的社科重点项目资助，那个项目编号是多少？", "还有一个秦皇岛市的社科重点项目资助，那个项目编号是多少？"),  # 那个 points back
])
def test_asked_clause_drops_a_restated_premise(question, asked):
    assert asked_clause(question) == asked


@pytest.mark.parametrize("question, items", [
    ("对重点开发区、生态脆弱区和能源资源区分别提出了什么要求？", ["重点开发区", "生态脆弱区", "能源资源区"]),
    ("十八大以來和二十大以來，總書記分別做了些什麼？", ["十八大以来", "二十大以来"]),
    ("东部、中部、西部各该扮演啥角色？", []),  # no 分别 / 各自: not asked about each
    ("重点开发区有哪些要求？", []),
])
def test_asked_items(question, items):
    assert asked_items(question) == items


def test_who_serves_as_asks_for_a_person_in_that_role():
    question = "2023年成立的中央区域协调发展领导小组由谁担任组长？"
    assert expected_type(question) == "person" and asked_role(question) == "组长"


def test_an_english_ratio_question_asks_for_a_number():
    assert expected_type("What profit-sharing ratio between the two regions is recommended?") == "number"


@pytest.mark.parametrize("question, term", [
    ("侯冠宇提到的三线建设，“三线”具体是指哪些地区？", "三线"),
    ("光明日报那篇说要培育壮大“专精特新”企业，“专精特新”这四个字分别代表什么？", "专精特新"),
    ("京津冀协同发展要疏解北京的非首都功能，到底哪些功能算“非首都功能”？", "非首都功能"),
    ("「現代奇幻文學之父」指的是誰？", None),  # whom a byname refers to, not what a term holds
    ("推动京津冀协同发展要牵住的“牛鼻子”在哪里？", None),
])
def test_asked_meaning(question, term):
    assert asked_meaning(question) == term


def test_a_term_is_defined_by_what_follows_or_precedes_it():
    assert defines("智改数转网联", "协同推进跨区域“智改数转网联”，即智能化改造、数字化转型、网络化联接。")
    assert defines("五个统筹", "明确提出了“五个统筹”的发展思路,即统筹城乡发展、统筹区域发展")
    assert defines("三省一市", "长三角三省一市(江苏省、浙江省、安徽省和上海市)通过协同合作")
    assert defines("链主", "培育具备生态主导力的枢纽型企业作为“链主”")
    assert defines("造血", "坚持“输血”和“造血”两手抓,一方面要加大帮扶协作力度,另一方面要着力提升内生动力")
    assert not defines("三线", "通过“一五”计划、三线建设,重点推动内陆地区的工业化。")
    assert not defines("两类规则", "利用好两个市场、两种资源、两类规则是我国区域间联动融合发展必须考虑的外部条件。")


def test_a_figure_per_head_is_not_the_total():
    assert not has_answer_of_type("number", "长三角的人均GDP是多少？", "长三角地区生产总值为30.5万亿元，占全国比重为24.4%")
    assert has_answer_of_type("number", "长三角的GDP是多少？", "长三角地区生产总值为30.5万亿元，占全国比重为24.4%")


def test_an_english_figure_per_head_or_growth_needs_a_sentence_saying_so():
    total = "2023年，西部地区生产总值为26.9万亿元"
    assert not has_answer_of_type("number", "What was the per-capita GDP of western China in 2023?", total)
    assert has_answer_of_type("number", "What was the per-capita GDP of western China in 2023?", "2023年西部地区人均生产总值为6.9万元")
    assert not has_answer_of_type("number", "What was the growth rate of western China's GDP?", total)
    assert has_answer_of_type("number", "What was the GDP of western China in 2023?", total)


def test_where_a_meeting_was_held_asks_for_a_place():
    assert expected_type("那几场座谈会分别是在哪些地方召开的？") == "place"
    assert expected_type("这篇文章在哪些地方还说得不够？") is None  # 「哪些地方」 as "which points"


def test_a_share_is_not_a_comparison():
    # 「比重是多少」 asks for a share: 10.4万亿元 is no answer (「比…多」 compares, 「比重」 does not)
    assert not has_answer_of_type("number", "2023年京津冀地区经济总量占全国的比重是多少？",
                                  "2023年，京津冀地区经济总量为10.4万亿元，十年来经济总量连跨5个万亿元台阶；")
    assert has_answer_of_type("number", "长三角占全国的比重是多少？", "长三角地区生产总值为30.5万亿元，占全国比重为24.4%")


def test_where_money_comes_from_is_not_a_place():
    assert expected_type("搞跨地区合作项目，钱从哪里来？") is None
    assert expected_type("示範區包括哪幾個縣區？") == "county"
