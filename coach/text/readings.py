"""Japanese names read in romaji, so a name finds its spelling in the other script (Fukuoka ↔ 福岡).

Notes write a place or a person in kanji (福岡, 佐藤さん) and a question in English writes it in
romaji (Fukuoka, Sato), or the other way round. The analyser gives each proper noun its reading
(フクオカ, サトウ); romanised (`coach.text.loanwords.romanize`) and with long vowels written once
(`romaji_key`: satou and sato, toukyou and tokyo, oosaka and osaka are spelled both ways), it is
the key both spellings share.

Policy: only what the dictionary tags as a proper noun (固有名詞) and writes with a kanji is read:
a common word (会議) is a word in the other language, not a name, and katakana names are already
matched by sound (`coach.text.loanwords`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from coach.text.japanese import analyse, reading
from coach.text.loanwords import romanize
from coach.text.script import KANJI_RE

KEY_PREFIX = "r:"  # the namespace of these keys among the store's sound keys
# how a romaji name may carry an honorific (Sato-san); the name is the part before it
HONORIFIC_SUFFIXES = ("-san", "-sama", "-kun", "-chan", "-sensei", "-shi")
# a long vowel written twice (oo, uu), or o lengthened by u or h before a consonant (ou, oh)
_LONG_VOWEL = re.compile(r"(?<=o)[ouh](?![aeiouy])|(?<=u)u|(?<=a)a|(?<=i)i|(?<=e)e")
_ROMAJI = re.compile(r"[a-z]{2,}")


def romaji_key(word: str) -> str | None:
    """The key of a romaji spelling (`Satou`, `sato-san` -> `r:sato`), None for what is not one."""
    word = word.lower()
    for suffix in HONORIFIC_SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix):
            word = word[: -len(suffix)]
            break
    if not _ROMAJI.fullmatch(word):
        return None
    return KEY_PREFIX + _LONG_VOWEL.sub("", word)


@lru_cache(maxsize=8192)
def _proper_nouns(run: str) -> tuple[tuple[str, str], ...]:
    found: list[tuple[str, str]] = []
    for morpheme in analyse(run):
        if len(morpheme.pos) > 1 and morpheme.pos[1] == "固有名詞" and KANJI_RE.search(morpheme.surface):
            spelled = romanize(reading(morpheme.surface))
            if key := romaji_key(spelled):
                found.append((key, morpheme.surface))
    return tuple(found)


def proper_noun_keys(text: str) -> set[tuple[str, str]]:
    """(key, word) for each proper noun written with a kanji in `text` (福岡 -> `r:fukuoka`)."""
    return {pair for line in text.splitlines() for pair in _proper_nouns(line)}


def romaji_spellings(word: str) -> list[str]:
    """How a kanji proper noun may be written in romaji (佐藤: satou, sato); [] for other words."""
    pairs = _proper_nouns(word)
    if len(pairs) != 1 or pairs[0][1] != word:
        return []
    spelled = romanize(reading(word))
    return list(dict.fromkeys([spelled, pairs[0][0].removeprefix(KEY_PREFIX)]))
