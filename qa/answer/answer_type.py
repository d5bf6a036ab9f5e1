"""Answer-type checks: a question asking *who*, *where*, *when* or *how much* is only answered by a
sentence that names a person, a place, a date or a number not already in the question.

This is what catches near misses such as 「领导小组的组长是谁？」 when the text names no leader, or
「哪一年建成？」 when it gives no year: the topic matches, the asked kind of fact is absent.
"""

from __future__ import annotations

import re

import jieba

from qa.answer.names import BOOK_TITLE, GENERIC_PLACE, tagged, tagged_names
from qa.index.lexical import to_simplified

# 「经过哪些省份」 is not answered by 「西北地区」, which jieba also tags as a place: a province question needs the
# name of a province-level division. The 34 names are a fixed, closed list (no PyPI package is worth its weight
# for them), in Simplified.
PROVINCES = tuple(
    "北京 天津 河北 山西 内蒙古 辽宁 吉林 黑龙江 上海 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 广西 海南 重庆 "
    "四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆 香港 澳门 台湾".split()
)
# An English wh-word asks when it opens the question or a clause with its auxiliary ("when did…"), not
# when it joins a clause ("what must be guarded against when firms abuse…", "regions where…").
# "When laying the foundation…, what…?" opens with a clause, not a question.
_ASKED = r"^\W*(?:{0})\b(?![^,]*,)|\b(?:{0}) (?:is|are|was|were|do|does|did|will|would|can|could|has|have|had)\b"
_PATTERNS = {
    "identifier": re.compile(r"(?:编号|編號|doi|书号|書號|刊号|刊號|代码|代碼|号码|號碼|分类号|分類號|邮编|郵編|邮政编码|郵政編碼)[号號]?(?:是|为|為)?多少", re.I),
    "province": re.compile(r"哪(?:些|几个|幾個|[一两兩二三四五六七八九十]?[个個])?省|which provinces?", re.I),
    "date": re.compile(r"哪一?天|哪一日|几月几[日号]|幾月幾[日號]|什么日期|什麼日期|(?:which|what) (?:day|date)", re.I),
    "time": re.compile(r"哪[一几幾]?年|何时|何時|什么时候|什麼時候|几月|幾月|" + _ASKED.format("when") + r"|what year|which year", re.I),
    "person": re.compile(r"是谁|是誰|哪位|(?:谁|誰)(?:担任|擔任)|" + _ASKED.format("who|whom"), re.I),
    "event": re.compile(r"哪(?:一)?次(?:党代会|黨代會|代表大会|代表大會|大会|大會|会议|會議|全会|全會)|哪(?:一)?[届屆]|哪个会议|哪個會議|"
                        r"(?:什么|什麼)会议|(?:什么|什麼)會議|at which (?:congress|meeting|session|plenum)", re.I),
    "rank": re.compile(r"第[几幾](?:位|名)|排[在到]?第[几幾]|排名第?[几幾]|名次|what rank|which place", re.I),
    "organisation": re.compile(r"哪(?:些|[几幾]?[个個家所])?(?:部门|部門|机构|機構|单位|單位|医院|醫院|学校|學校|大学|大學|高校|企业|企業|"
                               r"公司|银行|銀行|组织|組織|出版社|媒体|媒體|报社|報社)|哪家|哪所|(?:谁|誰)(?:牵头|牽頭)|"
                               r"\bwhich (?:agency|department|ministry|organi[sz]ations?|compan(?:y|ies)|universit(?:y|ies)|"
                               r"institutions?|hospitals?|schools?)\b", re.I),
    "county": re.compile(r"哪(?:些|几|幾|[一二两兩三四五六七八九十])?(?:个|個)?(?:区县|區縣|县区|縣區|县|縣)(?!市)|which (?:counties|districts)", re.I),
    "place": re.compile(r"哪里|哪裡|哪儿|哪個城市|哪个城市|哪座城市|哪个省|哪個省|设在哪|設在哪|"
                        r"哪(?:些|几|幾)(?:个|個|座)?(?:城市|地市)|"
                        r"哪(?:些|个|個)?地方(?:召开|召開|举行|舉行|举办|舉辦)|" + _ASKED.format("where") +
                        r"|which city", re.I),
    "number": re.compile(r"多少|多[大长長高远遠重久快](?![家型程])|(?<![哪这這近前头頭])几(?:[年月日倍成%]|个百分点)|"
                         r"(?<![哪这這近前头頭])幾(?:[年月日倍成%]|個百分點)|比重|占比|什么比例|什麼比例|何种比例|何種比例|百分之|增长率|增速|"
                         r"how (?:many|much|large|big|long|high|far|fast)\b|\bsquare (?:kilomet|met)|percentage|what share|\bwhat\b[^?]{0,30}\b(?:ratio|proportion)\b|"
                         r"\bwhat (?:is|was|were|are)\b[^?]{0,40}\b(?:gdp|output|population|proportion|growth rate|"
                         r"economic aggregate|total)\b", re.I),
}
# 「重点放在哪里」「难点在哪里」 ask what, not where.
_FIGURATIVE_WHERE = re.compile(r"(?:重点|重心|关键|难点|问题|原因|区别|不同|差别|优势|意义|作用|好处|特点|突破口|着力点|"
                               r"聚焦|集中|体现|表现|落在|着眼|着力)"
                               r"[^，。？?]{0,4}(?:哪里|哪儿)|从哪(?:里|儿)来")  # 「钱从哪里来」 asks for a source
_PUBLISHED_WHERE = re.compile(r"\bwhere\b.*\b(?:published|printed|appeared)\b", re.I)  # a venue, not a place
_CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z./()\-]*[0-9][0-9A-Za-z./()\-]*")  # 2023JZDZ022, 10.19326/j.cnki…
NUMBER = re.compile(r"[0-9０-９]+(?:[.．][0-9]+)?|[一二三四五六七八九十百]+分之[一二三四五六七八九十]+|"
                    r"[一二三四五六七八九十百千万亿]+(?=[年月日个项倍%成])")
# 「有几位妻子」「多少条幼蛇」: a count in a measure word, answered by a figure or a count in that word (「五位」).
_COUNTED = re.compile(r"(?:几|幾|多少)\s*([个個条條场場项項家所座次位名届屆种種])")
_COUNT = r"(?:[0-9０-９]+|[一二三四五六七八九十百千万两兩]+)\s*"
_LAST_ORDINAL = r"第[一二三四五六七八九十]+[,，、]|^[一二三四五六七八九十]+是"  # 「一共列了几项」: 「第六,…」 is the sixth
_RATIO_WORDS = frozenset({"比例", "比重", "占比", "份额"})  # asked as a share: 「95%」「四分之三」 answer without the word
# 「比长三角多出多少」「大概差了多少」「中间隔了多少年」 ask for a difference: the figures compared answer it.
_COMPARISON = re.compile(r"比(?![重例率值])[^，。？?]{1,12}(?:多|少|高|低|大|小)|相差|差了|差距|多出|高出|隔了|相隔|间隔|間隔|几倍|幾倍|多少倍")
# 「在党的哪次大会上提出」 is answered by a meeting: 「党的十八大」「十六届三中全会」「中央经济工作会议」.
_EVENT = re.compile(r"[\u4e00-\u9fff]{0,8}?(?:大会|大會|会议|會議|全会|全會|党代会|黨代會|座谈会|座談會|论坛|論壇)|"
                    r"[一二三四五六七八九十]+大|[一二三四五六七八九十]+[届屆]")
# 「排在第几位」 is answered by 「第3位」「居首位」, not by 「跻身…前列」; an enumeration's 「第五，…」 gives a place too.
_RANK = re.compile(r"第\s*[0-9一二三四五六七八九十]+\s*(?:位|名|项|項)?|首位|榜首|居首|之首|^[一二三四五六七八九十]+是", re.M)
# An organisation is any name (jieba tags 搜狐 nz, 华硕 nr, 苏维埃 ns; Springer is Latin), a 《title》 (《明报》), or a
# name ending in what organisations are called (「…联合工作办公室」「海信集团」); not a kind (科研院所).
_ORGANISATION = re.compile(r"[\u4e00-\u9fff]{1,12}?(?:委员会|委員會|办公室|辦公室|领导小组|領導小組|工作组|工作組|出版社|报社|報社|"
                           r"新华社|新華社|通讯社|通訊社|大学|大學|学院|學院|医院|醫院|学校|學校|研究院|研究所|研究中心|集团|集團|"
                           r"公司|银行|銀行|人民政府|国务院|國務院|发展改革委|發展改革委|发改委|發改委|[财財]政部|商务部|商務部|教育部|统计局|統計局)")
# 「比上年增长了多少」 is not answered by 「2012年到2023年间…」: a year dates a figure, it is none, unless years
# are what is counted (「隔了多少年」).
_YEAR = re.compile(r"(?<![0-9])[0-9]{4}\s*年(?:代|间|間)?")
_ASKS_YEARS = re.compile(r"(?:多少|几|幾)\s*年|多久|多长时间|多長時間|how (?:many years|long)", re.I)
_PAGE_WORDS = frozenset({"页码", "页数", "页"})  # a citation gives pages as 「2024(13): 44-47」
_PAGES = re.compile(r"\d+\s*[-–—]\s*\d+")
_RATIO = re.compile(r"[%％]|分之|[一二三四五六七八九]成")
YEAR_OR_DATE = re.compile(
    r"(?:(?<![0-9])[0-9]{3,4}(?![0-9])|[0-9０-９]{1,2}\s*[月日]|[一二三四五六七八九十〇零]+[年月日]|"
    r"[一二三四五六七八九十]+世纪|\d+世纪|\d+年代|公元前?|[\u4e00-\u9fff]朝(?:初|末|时期)?)"
)
DAY = re.compile(r"[0-9０-９]{1,2}\s*[日号號]|[一二三四五六七八九十]{1,3}[日号號]|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}月\d{1,2}|"
                 r"月(?:初|廿|[一二三四五六七八九十])")  # 七月初十, 十月廿一
# What a figure question asks about: the words just before 是多少 / 为多少 / 达到了多少 …
# (Only 多少: 「年龄多大」 is answered by 「18岁时」, 「最长记录是多长」 by 「可达70公分」 — seen on CMRC 2018.)
_ASKED_ATTRIBUTE = re.compile(r"([\u4e00-\u9fff]{2,}?)(?:是|为|為|有|约|約|大约|大約|达到了?|達到了?|达|達|的)?多少")
# 「长三角的人均GDP是多少」 is not answered by the region's total output: a figure asked per head, per year or
# as a change is given only by a sentence saying so (Simplified).
_QUALIFIER = re.compile(r"人均|年均|平均|同比|环比|增速|增长率|增幅|涨幅")
# The same qualifiers asked in English, with the words that say them in a Chinese sentence.
_ENGLISH_QUALIFIERS = {
    re.compile(r"\bper[ -](?:capita|head|person)\b", re.I): {"人均"},
    re.compile(r"\b(?:average annual|annual average|annual(?:ly)? on average)\b", re.I): {"年均"},
    re.compile(r"\byear[ -]on[ -]year\b", re.I): {"同比"},
    re.compile(r"\bgrowth rate\b|\bgrew by\b|\brate of growth\b", re.I): {"增速", "增长率", "增幅", "涨幅"},
}


def _qualifiers(question: str) -> set[str]:
    """The qualifiers a figure question asks with (人均, 年均, growth…), as a Chinese sentence would say them."""
    asked = set(_QUALIFIER.findall(to_simplified(question)))
    for pattern, words in _ENGLISH_QUALIFIERS.items():
        if pattern.search(question):
            asked |= words
    return asked


# 「一共设了几个专题工作组」「有几位妻子」 ask a count; 「长三角几个省市…有没有打通」「这几个战略…怎么协同」「几个地方抱团干」
# use 几个 for "those few": a count is asked after 一共 / 有 / a verb's 了.
_COUNT_ASKED = re.compile(r"(?:一共|总共|總共|共|有|了|列)[\u4e00-\u9fff]{0,4}?(?<![哪第好十这這那])[几幾]"
                          r"[个個条條场場项項家所座次位名届屆](?!方面)")


def asks_count(question: str) -> bool:
    """Whether the question asks how many items there are (「一共列了几个难点」): answered by the list."""
    return bool(_COUNT_ASKED.search(question))


# 「光明日报说长三角有9个城市…，那京津冀…有几个？」: a premise the asker read, then the question proper.
# 「那个项目」「那篇」「那次全会」 point back (那 + a measure word), they do not open the asked clause.
_PREMISE_END = re.compile(r"[，,。；;？?！!]\s*(?:那么|那(?![个個篇次些时時样樣里裡边邊位家种種份段条條项項])|其中|可是|但是|但)"
                          r"(?=[^，,。；;]{4,}$)")


def asked_clause(question: str) -> str:
    """The part of a question that asks, after a premise it restates (「…，那2024年呢」); else the question."""
    matches = list(_PREMISE_END.finditer(question.strip()))
    return question.strip()[matches[-1].end():] if matches else question


def expected_type(question: str) -> str | None:
    """The kind of fact the question asks for, if it is one the checks know."""
    for kind, pattern in _PATTERNS.items():
        if kind == "place" and (_FIGURATIVE_WHERE.search(to_simplified(question)) or _PUBLISHED_WHERE.search(question)):
            continue
        if pattern.search(question):
            return kind
    if asks_count(question):
        return "number"
    return None


def asked_attribute(question: str) -> str | None:
    """The quantity a figure question asks about (「长江经济带的经济增速是多少」 → 增速), in Simplified."""
    match = _ASKED_ATTRIBUTE.search(to_simplified(question))
    if not match:
        return None
    words = [w for w in jieba.lcut(match.group(1)) if len(w) >= 2 or w in "率"]
    return words[-1] if words else None


_ROLE = re.compile(r"([\u4e00-\u9fff]{2,})(?:是|為|为)(?:谁|誰|哪位)[呢啊]?(?:[？?。！!]|$)")
_SERVES_AS = re.compile(r"(?:谁|誰)(?:担任|擔任|出任|当|當)([\u4e00-\u9fff]{2,4}?)[呢啊]?(?:[？?。！!，,]|$)")  # 由谁担任组长
# Authorship is said with 著, 撰 or 作 (「弥尔著《论自由》」) more often than with the word 作者.
_IMPLIED_ROLES = frozenset({"作者", "作家", "著者"})


def asked_role(question: str) -> str | None:
    """The role a person question asks about (「期刊的主编是谁」 → 主编), in Simplified: the answer must name it."""
    simplified = to_simplified(question)
    serves = _SERVES_AS.search(simplified)
    if serves:
        return serves.group(1)
    match = _ROLE.search(simplified)
    if not match:
        return None
    words = tagged(match.group(1))
    word, flag = words[-1]
    if len(words) >= 2 and words[-2].flag[0] in "nb" and len(words[-2].word + word) <= 4:  # 美术 + 编辑
        word = words[-2].word + word
    return word if len(word) >= 2 and flag[0] in "nb" and word not in _IMPLIED_ROLES else None


def _names_role(role: str, text: str) -> bool:
    """Whether ``text`` names the role, whole or in its usual short form (责任编辑 → 责编, 美术编辑 → 美编)."""
    return role in text or (len(role) == 4 and role[0] + role[2] in text)


# 「哪所大学毕业的」 asks where someone studied: an author's affiliation line (「东北大学…学院」) names the
# university they work at, so only a sentence that speaks of study answers it.
_STUDIED = re.compile(r"毕业|学位|博士|硕士|学士|就读|求学|留学")
_ORGANISATION_FLAGS = ("nt", "nz", "nr", "nrt", "nrfg", "ns", "eng")
_KIND_OF_ORGANISATION = re.compile(r"(?:院所|机构|单位|部门|企业|高校|组织|主体)$")  # jieba tags 科研院所 nt; it names none


def _organisations(text: str) -> set[str]:
    names = {w for w in tagged_names(text, _ORGANISATION_FLAGS)
             if len(w) >= 2 and not _KIND_OF_ORGANISATION.search(w) and not GENERIC_PLACE.fullmatch(w)}
    simplified = to_simplified(text)
    return names | set(_ORGANISATION.findall(simplified)) | set(BOOK_TITLE.findall(simplified))


# 安大略省, 加利福尼亚州: a province abroad; not 三省, 各省, 省份, 省会.
_NAMED_PROVINCE = re.compile(r"[\u4e00-\u9fff]{2,5}?(?<![一二三四五六七八九十两兩几幾各全外本该該每])(?:省|州)(?![份会會市])")


def _provinces(text: str) -> set[str]:
    simplified = to_simplified(text)
    return {p for p in PROVINCES if p in simplified} | set(_NAMED_PROVINCE.findall(simplified))


# 「示范区包括哪几个区县」 is not answered by 「长三角生态绿色一体化发展示范区」: a county question needs a county or
# district's name (青浦区, 嘉善县), not a kind of area ending in the same character. Closed lists, in Simplified.
_AREA_KINDS = frozenset(
    "地区 城区 市区 郊区 辖区 社区 景区 湾区 老区 边区 山区 灾区 牧区 林区 矿区 库区 藏区 特区 全区 该区 本区 各区 园区 新区 "
    "片区 学区 校区 小区 分区 政区 县区 区县 全县 该县 本县 各县 郡县 市县 州县 示范区 开发区 功能区 试验区 保护区 经济区 "
    "先行区 合作区 自贸区 核心区 集聚区 承载区 引领区 实验区 发展区 聚集区 风景区 行政区 管理区 产业区 工业区 物流区 生态区 "
    "贫困县 百强县 农业县 工业县 重点县 试点县 示范县 大县 小县 强县 穷县".split()
)


def _counties(text: str) -> set[str]:
    """The counties and districts a text names: two characters and 区 / 县, not a kind of area (示范区, 地区)."""
    simplified = to_simplified(text)
    names = (simplified[m.start() - 2 : m.end()] for m in re.finditer(r"(?<=[\u4e00-\u9fff]{2})[区县]", simplified))
    return {n for n in names if n not in _AREA_KINDS and n[1:] not in _AREA_KINDS}


# 「1. 实施…」「- [19] 孙久文…」: a list's numbering is no figure (sentences come one per line).
_LIST_MARKER = re.compile(r"^\s*(?:-\s*)?(?:\[[0-9]{1,3}\]|[（(]?[0-9]{1,2}[.、．)）](?![0-9]))", re.M)


def _says_asked(words: re.Pattern[str], asked: set[str], text: str) -> bool:
    """Whether ``text`` says one of the ``asked`` words of a closed set (人均, 毕业…), or none was asked."""
    return not asked or bool(asked & set(words.findall(to_simplified(text))))


def has_answer_of_type(kind: str | None, question: str, text: str) -> bool:
    """Whether ``text`` holds a fact of the asked kind that the question itself does not already state."""
    if kind is None:
        return True
    text = _LIST_MARKER.sub("", text)
    if kind == "identifier":  # a code with digits (项目编号 2023JZDZ022, a DOI), whatever words surround it
        return bool(set(_CODE.findall(text)) - set(_CODE.findall(question)))
    if kind == "number" and (counted := _COUNTED.search(question)):
        ordinal = "|" + _LAST_ORDINAL if asks_count(question) else ""  # 「列了几项」, not 「跟多少个国家签了」
        count = re.compile(_COUNT + counted.group(1) + "|" + NUMBER.pattern + ordinal, re.M)
        return bool(set(count.findall(text)) - set(count.findall(question)))
    if kind == "number":
        if not _says_asked(_QUALIFIER, _qualifiers(question), text):
            return False
        attribute = None if _COMPARISON.search(question) else asked_attribute(question)
        if attribute and attribute not in to_simplified(text) and not (attribute in _RATIO_WORDS and _RATIO.search(text)) \
                and not (attribute in _PAGE_WORDS and _PAGES.search(text)):
            return False
        figures = set(NUMBER.findall(text if _ASKS_YEARS.search(question) else _YEAR.sub("", text)))
        return bool(figures - set(NUMBER.findall(question)))
    if kind == "date":  # a day, not just a year: 「12月26日」「2024-08-03」
        return bool(set(DAY.findall(text)) - set(DAY.findall(question)))
    if kind == "time":
        return bool(set(YEAR_OR_DATE.findall(text)) - set(YEAR_OR_DATE.findall(question)))
    if kind == "province":
        return bool(_provinces(text) - _provinces(question))
    if kind == "county":
        return bool(_counties(text) - _counties(question))
    if kind == "event":
        return bool(set(_EVENT.findall(text)) - set(_EVENT.findall(question)))
    if kind == "rank":
        return bool(set(_RANK.findall(text)) - set(_RANK.findall(question)))
    if kind == "organisation":
        if not _says_asked(_STUDIED, set(_STUDIED.findall(to_simplified(question))), text):
            return False
        return bool(_organisations(text) - _organisations(question))
    if kind == "person" and (role := asked_role(question)) and not _names_role(role, to_simplified(text)):
        return False
    flags = ("nr", "nrfg", "nrt") if kind == "person" else ("ns",)
    return bool(tagged_names(text, flags) - tagged_names(question, flags))


# 「对重点开发区、生态脆弱区和能源资源区分别提出了什么要求」 names the things it asks about, each to be answered.
_EACH = re.compile(r"分别|分別|各自|各有|各是")
_ITEM_SEPARATOR = re.compile(r"、|以及|和|与|與|及|跟|还是|還是")
_CLAUSE = re.compile(r"[^，,。；;？?！!：:]+")


def asked_items(question: str) -> list[str]:
    """The things a question lists and asks about each of (「X、Y和Z分别…」 → [X, Y, Z]), in Simplified; the
    first and last are cut to the length of the inner ones (the text gives no word boundary)."""
    simplified = to_simplified(question)
    if not _EACH.search(simplified):
        return []
    for clause in _CLAUSE.findall(simplified):
        parts = _ITEM_SEPARATOR.split(_EACH.split(clause)[0])
        if len(parts) < 2:
            continue
        inner = [p for p in parts[1:-1] if p]
        width = max((len(p) for p in inner), default=len(parts[-1]))
        items = [parts[0][-width:], *inner, parts[-1][:width]]
        if all(len(i) >= 2 for i in items):
            return items
    return []


# 「“专精特新”这四个字分别代表什么」「哪些功能算“非首都功能”」 ask what a quoted term means: a sentence that only
# uses the term does not say; one defining it does (「“智改数转网联”，即智能化改造…」「三省一市(江苏省…)」
# 「…枢纽型企业作为“链主”」「北京非首都功能疏解这个“牛鼻子”」).
_QUOTED_TERM = re.compile(r"[“「\"『]([^”」\"』]{2,12})[”」\"』]")
# Asked for its members or parts (「具体是指哪些」「分别代表什么」「算“…”」); not 「“…”指的是谁」, which asks whom a
# byname refers to (DRCD: 「现代奇幻文学之父」 → 托尔金, said as 「…被誉为」).
_ASKS_MEANING = re.compile(r"具[体體]是?指|分[别別](?:是?指|代表)|算[“「]")
_DEFINES_AFTER = r"[^。；;！？]{0,8}?(?:即|（|\(|是指|指的是|：|:|包括|也就是|一方面|一是)"  # 「“五个统筹”的发展思路,即…」
_DEFINES_BEFORE = r"(?:作为|作為|称为|稱為|称作|稱作|誉为|譽為|号称|號稱|叫做|简称|簡稱|统称|統稱|这个|這個|这一|這一)\s*[“「\"『]?"  # 「…疏解这个“牛鼻子”」


def asked_meaning(question: str) -> str | None:
    """The quoted term a question asks the meaning of (「“三线”具体是指哪些地区」 → 三线), in Simplified."""
    simplified = to_simplified(question)
    if not _ASKS_MEANING.search(simplified):
        return None
    terms = _QUOTED_TERM.findall(simplified)
    return terms[-1] if terms else None


def defines(term: str, text: str) -> bool:
    """Whether a text defines ``term`` (both in Simplified): the term followed by 即 / （ / 是指 / 包括…, or
    preceded by 作为 / 称为."""
    escaped = re.escape(term)
    return bool(re.search(escaped + _DEFINES_AFTER, text) or re.search(_DEFINES_BEFORE + escaped, text))


# Economic indicators name a quantity, not the place or body a figure is about (「2023年东北的GDP总量」).
INDICATORS = frozenset({"gdp", "gnp", "gni", "cpi", "ppi", "pmi", "fdi"})
_CHINESE_NUMERALS = {"两": 2, "兩": 2, **{ch: i for i, ch in enumerate("零一二三四五六七八九十")}}
# 「其他八项分别是什么」「9个城市分别是哪些」: a count, a measure word, at most a short noun, then the ask.
_MEASURE = r"(?:项|項|个|個|大|条|條|种|種|点|點|类|類|场|場|家|座|省)"
# Not 「党的十八大以来的哪几项…」: 十八大 names a congress, not eighteen things.
_ASKED_MEMBERS = re.compile(r"(?<!第)(?<!党的)(?<!黨的)([0-9]+|[两兩二三四五六七八九十]+)\s*" + _MEASURE + r"(?!以来|以來|召开|召開|报告|報告|精神)"
                            r"[\u4e00-\u9fff]{0,4}?(?:分别|分別)?(?:是|为|為|指|有|在)?(?:哪几|哪幾|哪些|什么|什麼)"
                            r"|哪([两兩二三四五六七八九十]+)\s*" + _MEASURE +  # or 「是哪三个省」
                            # or 「长三角有9个GDP超过万亿元的城市，具体是哪几个」: the count, then the asking clause
                            r"|([0-9]+|[两兩二三四五六七八九十]+)\s*" + _MEASURE +
                            r"[^，,。？?]{0,20}[，,]\s*(?:具体|具體|分别|分別|都)(?:是|有)?(?:哪几|哪幾|哪些)")


def numeral(text: str) -> int | None:
    """A small count written in digits or Chinese numerals (「3」「三」「十二」), else None."""
    if text.isdigit():
        return int(text)
    if len(text) == 1:
        return _CHINESE_NUMERALS.get(text)
    if len(text) == 2 and text[0] == "十":
        return 10 + _CHINESE_NUMERALS.get(text[1], 0)
    if len(text) == 2 and text[1] == "十":
        return 10 * _CHINESE_NUMERALS.get(text[0], 0)
    return None


def asked_members(question: str) -> int | None:
    """How many items the question asks to be named (「另外三大湾区是哪几个」 → 3), when it says so."""
    match = _ASKED_MEMBERS.search(question)
    count = numeral(match.group(1) or match.group(2) or match.group(3)) if match else None
    return count if count and count >= 2 else None


_LAST_ITEM = re.compile(r"[和与與及或&]")  # 「甲、乙和丙」「光荣和ω-force」: the conjunction before the last item


def listed_items(sentences: list[str], is_item) -> int:
    """How many items the sentences name: the most in one sentence (its 、-separated items, one more
    when a conjunction joins the last), or the number of enumeration sentences (一是…二是…), whichever
    is more."""
    in_one = max((s.count("、") + 1 + bool(_LAST_ITEM.search(s)) for s in sentences), default=1)
    return max(in_one, sum(1 for s in sentences if is_item(s)))
