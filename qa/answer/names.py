"""Names in questions and texts: people, places, organisations, party congresses, 《titles》.

A question naming something the library never mentions (「美联储」「十七大」「张三丰」) cannot be answered
from it, whatever its best sentence says; a who- or where-question is answered only by a sentence naming a
person or place the question does not. jieba's part-of-speech tags find most names; the rules here mend
its known mistakes (verbs tagged as people, counts cut from congresses, kinds of place tagged as places).
"""

from __future__ import annotations

import re
from functools import lru_cache

import jieba.posseg as pseg

from qa.index.lexical import to_simplified


@lru_cache(maxsize=8192)
def tagged(text: str) -> tuple[pseg.pair, ...]:
    """jieba's part-of-speech tagging of ``text``, remembered: a question is tagged by several checks, and the
    same library sentences come up question after question (tagging costs about a millisecond)."""
    return tuple(pseg.cut(text))


def tagged_names(text: str, flags: tuple[str, ...]) -> set[str]:
    """The words of ``text`` jieba tags with one of ``flags`` (two characters or more; a person's name of one too)."""
    return {w for w, f in tagged(to_simplified(text)) if f in flags and len(w) > 1 or f in flags and f == "nr"}


_ENTITY_FLAGS = ("nr", "nrfg", "nrt", "ns", "nt")
# The macro-regions policy texts compare figures for; jieba tags 中部 and 西部 as directions and 京津冀 as a
# common noun, so 「中部地区的比重」 would name nothing. A short closed list, in Simplified.
REGIONS = re.compile(r"(?:东部|中部|西部|东北|中西部|东中西部|西北|西南|东南|华北|华东|华南|华中)(?:地区|地方)|"
                     r"长三角|珠三角|京津冀|粤港澳大湾区|大湾区|成渝|长江经济带|长江中游|黄河流域")
BOOK_TITLE = re.compile(r"《([^》]{2,30})》")
# Party congresses, plenary sessions and five-year plans are named by ordinals (十七大, 十八届三中全会, 十四五规划);
# jieba cuts them into numerals (十七 / 大对), so they are matched here, in Simplified. A count such as 四大板块
# is not a congress: a bare 「…大」 counts only after 党的 / 中共 or before 以来, 报告, 精神…
_ORDINAL = "[一二三四五六七八九]"
_PARTY_EVENT = re.compile(rf"(?:(?<=党的)|(?<=中共))(?:二十|十{_ORDINAL}?|[二三四五六七八九])大|"
                          rf"(?:二十|十{_ORDINAL})大(?=以来|报告|精神|提出|召开|期间|以后|后|上)|"
                          rf"(?:二十|十{_ORDINAL}?|{_ORDINAL})届{_ORDINAL}中全会|十{_ORDINAL}?五(?=规划|计划|时期|期间)")


# The commonest Chinese surnames (the first ~120 of 百家姓 by population, which cover about nine people
# in ten) plus the compound ones. Written out because no well-kept package carries the list; jieba's
# dictionary tags verbs and phrases as person names (卡住, 堵墙, 刚成立: tag nr), and a person's name opens
# with a surname. Transliterated names are tagged nrt and are not checked.
SURNAMES = frozenset("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
                     "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴"
                     "莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯"
                     "纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉"
                     "缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇"
                     "桑郎甄丛仲虞敖巩明佘池查麻苑迟邝习")
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "司徒", "夏侯", "长孙", "宇文")


def _entity(word: str, flag: str, flags: tuple[str, ...]) -> bool:
    """Whether a tagged word of a question is a name: not a reduplicated word; a person's opens with a
    surname and is not one of the words jieba's dictionary tags as names (see :func:`_dictionary_word`),
    an organisation's has three characters or more (jieba tags 新设 nt), another proper noun (nz) too; an
    abbreviation (j) of three or more; a place of two characters is a dictionary entry."""
    if len(word) in (2, 4) and word[0] == word[1] and word[-2] == word[-1]:
        return False  # 白白 (nr), 太太平平 (ns): reduplicated words are adverbs, not names
    if flag in ("nr", "nrfg"):
        return 2 <= len(word) <= 4 and (word[0] in SURNAMES or word.startswith(COMPOUND_SURNAMES)) \
            and not _dictionary_word(word)
    if flag == "nt":
        return len(word) >= 3
    if flag == "j":  # abbreviations: 美联储, 奥运会; jieba also tags 一共 and 改一改 j, hence three characters, no 「X一X」
        return len(word) >= 3 and not (len(word) == 3 and word[1] == "一")
    if flag == "ns" and len(word) == 2 and word not in pseg.dt.word_tag_tab:
        return False  # two characters its HMM guessed a place (上云 in 「对上云用数据…没底」): places of two are dictionary entries
    return (flag in flags and len(word) >= 2) or (flag == "nz" and len(word) >= 3)


def _dictionary_word(word: str) -> bool:
    """Whether a word jieba tags as a person's name is a dictionary entry of two or four characters: those are
    mostly words (古董, 苏醒, 连成, 明显增强, 顾全大局), while its three-character entries are mostly names
    (马化腾); a name its dictionary lacks (吴继飞) is found by its HMM and is no entry."""
    return len(word) != 3 and word in pseg.dt.word_tag_tab


def named_entities(question: str) -> frozenset[str]:
    """Proper names in a question (people, places, organisations, other proper nouns of 3+ characters,
    abbreviations, 《titles》, macro-regions, party congresses and plans, and Latin words in a Chinese
    question), in Simplified script."""
    simplified = to_simplified(question)
    chinese_question = any("\u4e00" <= ch <= "\u9fff" for ch in simplified)
    flags = _ENTITY_FLAGS + ("eng",) if chinese_question else _ENTITY_FLAGS
    events = set(_PARTY_EVENT.findall(simplified))  # 二十届三中全会, not also the 三中全会 jieba cuts from it
    names = {w for w, f in tagged(simplified) if _entity(w, f, flags) and not any(w in e for e in events)}
    return frozenset(names | set(BOOK_TITLE.findall(simplified)) | set(REGIONS.findall(simplified)) | events)


def party_events(text: str) -> set[str]:
    """The party congresses, plenary sessions and five-year plans a text names (十八大, 十四五), in Simplified:
    names, but also periods, which time-frame a figure rather than say what it is about (「十八大以来…一共几个」)."""
    return set(_PARTY_EVENT.findall(to_simplified(text)))


def place_names(text: str) -> set[str]:
    """Places and organisations a text names (jieba's ns / nt tags, two characters or more), in Simplified."""
    return tagged_names(text, ("ns", "nt")) | set(REGIONS.findall(to_simplified(text)))


_GENERIC_WORDS = "地区|地方|区域|城市|都市|城镇|农村|乡村"  # kinds of place, not places
# 「落后地区」「贫困地方」 describe a kind of place; jieba may still tag them as place names.
_GENERIC_HEAD = re.compile(rf"(?:{_GENERIC_WORDS})$")
# jieba tags 城市 and 三省 as places; they name none.
GENERIC_PLACE = re.compile(rf"{_GENERIC_WORDS}|国家|全国|[一二三四五六七八九十两几各本全外每大小强穷富][省市县]")  # 产粮大省
_COLLOQUIAL_PREFIX = re.compile(r"^[大老小]")  # 大西北 is the library's 西北


_DIRECTIONS = re.compile(r"^[东西南北中]+$")  # 「东西南北这几大块」: directions, tagged as a place


def _known(name: str, library_text: str) -> bool:
    compact = re.sub(r"\s+", "", name.lower())
    return compact in library_text or bool(_DIRECTIONS.match(compact)) or \
        (len(compact) >= 3 and _COLLOQUIAL_PREFIX.sub("", compact) in library_text)


def unknown_entities(question: str, library_text: str, names: frozenset[str] | None = None) -> list[str]:
    """Names the question mentions that occur nowhere in the library (compared in Simplified, case-folded,
    without whitespace: pass the library text without whitespace too); descriptions such as 落后地区
    are not names. ``names``: the question's :func:`named_entities`, when the caller has them already."""
    return sorted(n for n in (named_entities(question) if names is None else names)
                  if not _known(n, library_text) and not _GENERIC_HEAD.search(n) and not GENERIC_PLACE.fullmatch(n))
