"""Words of one meaning, from the Sudachi synonym dictionary (給料 ↔ 給与 ↔ salary, 締め切り ↔ 期日).

The analyser's own project publishes a synonym dictionary (WorksApplications/SudachiDict,
`src/main/text/synonyms.txt`, Apache License 2.0) of about 25,000 groups of general Japanese
words, with their English translations where the group has one. `scripts/build_synonyms.py`
turns it into `data/sudachi_synonyms.tsv.gz` unchanged but for the words the dictionary itself
withdrew (expansion flag 2); nothing in it is chosen here.

Policy, the dictionary's own: the words of a group that share a lexeme number are one word in
other forms (a spelling, the translation, an abbreviation: サラリー and salary), so they stand
for each other in full (`SAME_WORD`); the group's other lexemes are words of the same meaning
(給料 and 賃金), credited less (`SAME_MEANING`), as a match by meaning is. A word flagged 1 is
expanded to but never expands (締切 finds nothing through its group; 期日 finds 締切): the
dictionary marks the words whose other senses would mislead.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

SAME_WORD = 1.0
SAME_MEANING = 0.5

_ENGLISH = re.compile(r"[a-z][a-z-]*")


@dataclass(frozen=True)
class Synonym:
    word: str  # the other word, as the dictionary spells it (English lower-cased)
    credit: float  # SAME_WORD or SAME_MEANING
    group: str  # the dictionary's group number, for the `why`
    same_word: bool


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, list[tuple[str, str, bool]]], dict[str, list[tuple[str, str]]]]:
    """word -> [(group, lexeme, triggers)], group -> [(lexeme, word)]."""
    data = resources.files("coach.text").joinpath("data/sudachi_synonyms.tsv.gz").read_bytes()
    by_word: dict[str, list[tuple[str, str, bool]]] = {}
    by_group: dict[str, list[tuple[str, str]]] = {}
    for line in gzip.decompress(data).decode("utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        group, lexeme, flag, word = line.split("\t")
        word = word.lower() if word.isascii() else word
        by_word.setdefault(word, []).append((group, lexeme, flag == "0"))
        by_group.setdefault(group, []).append((lexeme, word))
    return by_word, by_group


def _english_bases(word: str) -> list[str]:
    """The word and the bases its inflections may stand for (deadlines: deadline; delays: delay)."""
    bases = [word]
    if word.endswith("ies") and len(word) > 4:
        bases.append(word[:-3] + "y")
    if word.endswith("es") and len(word) > 3:
        bases.append(word[:-2])
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        bases.append(word[:-1])
    for ending in ("ed", "ing"):
        if word.endswith(ending) and len(word) > len(ending) + 2:
            stem = word[: -len(ending)]
            bases += [stem, stem + "e"]
            if len(stem) > 2 and stem[-1] == stem[-2]:
                bases.append(stem[:-1])  # planned: plan
    return list(dict.fromkeys(bases))


def synonyms(word: str) -> list[Synonym]:
    """The dictionary's other words for `word` (an English word in any simple inflection), best
    credit first; [] for a word the dictionary lacks or only expands to."""
    by_word, by_group = _table()
    key = word.lower() if word.isascii() else word
    entries = by_word.get(key, [])
    if not entries and _ENGLISH.fullmatch(key):
        key = next((base for base in _english_bases(key)[1:] if base in by_word), key)
        entries = by_word.get(key, [])
    found: dict[str, Synonym] = {}
    for group, lexeme, triggers in entries:
        if not triggers:
            continue
        for other_lexeme, other in by_group[group]:
            if other == key:
                continue
            same = other_lexeme == lexeme
            synonym = Synonym(other, SAME_WORD if same else SAME_MEANING, group, same)
            if other not in found or found[other].credit < synonym.credit:
                found[other] = synonym
    return sorted(found.values(), key=lambda s: -s.credit)
