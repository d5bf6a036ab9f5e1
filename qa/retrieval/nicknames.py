"""Everyday names of regions, in the words policy texts use: 「江浙沪皖」 is the library's 长三角.

Students name regions the way people talk; the texts never do, so neither BM25 nor the encoder links
「江浙滬皖那一帶」 to 「長三角地區」, and the answer step would abstain on a name the library never
mentions. A short closed table (no package carries one), applied to the question before retrieval.
"""

from __future__ import annotations

import re

from qa.index.lexical import to_simplified

REGION_NICKNAMES = {
    **dict.fromkeys(("江浙沪皖", "苏浙皖沪", "沪苏浙皖", "江浙沪", "苏浙沪"), "长三角"),
    **dict.fromkeys(("东北三省", "东三省"), "东北地区"),
    "川渝": "成渝地区",
    **dict.fromkeys(("北上广深", "北上广"), "北京、上海、广州"),
    "两广": "广东、广西",
}
_NICKNAME = re.compile("|".join(sorted(REGION_NICKNAMES, key=len, reverse=True)))


def in_library_words(question: str) -> str:
    """``question`` with every regional nickname replaced by the region's name (then in Simplified);
    unchanged when it has none."""
    simplified = to_simplified(question)
    if not _NICKNAME.search(simplified):
        return question
    return _NICKNAME.sub(lambda m: REGION_NICKNAMES[m.group(0)], simplified)
