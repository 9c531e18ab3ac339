"""How alike two wordings are: the identity of an action's wording, bigram similarity and
content-unit coverage (CJK bigrams, English stems, numbers), shared by the ledger and matching."""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import NamedTuple

from coach.text.script import KANJI
from coach.text.stopwords import STOPWORDS_EN

# --------------------------------------------------------------------------- text helpers


def nfkc(text: str) -> str:
    """NFKC only (full-width digits and letters to half-width), case kept."""
    return unicodedata.normalize("NFKC", text)


@functools.lru_cache(maxsize=65536)
def compact(text: str) -> str:
    """Identity of an action's wording: NFKC, lower case, no spaces or punctuation."""
    return "".join(ch for ch in nfkc(text).lower() if ch.isalnum())


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


class WordingForm(NamedTuple):
    """What `similarity` reads of a wording, computed once: its compact text, bigrams, numbers."""

    text: str
    bigrams: frozenset[str]
    numbers: tuple[str, ...]


@functools.lru_cache(maxsize=65536)
def wording_form(text: str) -> WordingForm:
    x = compact(text)
    return WordingForm(x, frozenset(_bigrams(x)), tuple(re.findall(r"\d+", x)))


def form_similarity(a: WordingForm, b: WordingForm) -> float:
    """`similarity` of two wordings already read (the ledger's replay compares each item with
    many earlier wordings: reading each wording once is most of its cost)."""
    x, y = a.text, b.text
    if not x or not y or a.numbers != b.numbers:
        return 0.0
    if x == y:
        return 1.0
    if min(len(x), len(y)) >= 4 and (x in y or y in x):
        return 0.9
    return 2 * len(a.bigrams & b.bigrams) / (len(a.bigrams) + len(b.bigrams))


def similarity(a: str, b: str) -> float:
    """How likely two wordings name the same action (0..1): equality, containment, bigram Dice."""
    return form_similarity(wording_form(a), wording_form(b))


_TOKEN = re.compile(rf"[a-z][a-z0-9'’_-]*|[0-9]+(?:\.[0-9]+)?|[\u30a0-\u30ff{KANJI}]+")
_ACTION_FILLER = frozenset(
    {
        # how a follow-up is announced, not what it is about ("last time I promised to ...")
        "last", "time", "promise", "promised", "next", "meeting", "let", "s",
        # generic work verbs that any action can start with; the object carries the meaning
        "make", "made", "create", "created", "prepare", "prepared", "write", "wrote", "written",
        "draft", "run", "ran", "set", "start", "started",
    }
)  # fmt: skip
"""Words of follow-up actions that say nothing about which action it is."""

_EN_STOP = STOPWORDS_EN | _ACTION_FILLER


@functools.lru_cache(maxsize=16384)
def _stem(word: str) -> str:
    """A crude English stem that makes a verb, its past and its noun meet:
    share/shared/sharing -> shar, migrate/migration -> migrat, study/studies -> study."""
    word = word.strip("'’-_")
    for suffix, keep, replace in (
        ("ies", 3, "y"),
        ("ied", 3, "y"),
        ("ing", 3, ""),
        ("ed", 3, ""),
        ("es", 4, "e"),
        ("s", 3, ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= keep:
            stem = word[: -len(suffix)]
            doubled = len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "aeiouls"
            word = (stem[:-1] if doubled else stem) + replace
            break
    if word.endswith("ion") and len(word) >= 7:
        word = word[:-3]
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


@functools.lru_cache(maxsize=16384)
def _units(text: str) -> dict[str, float]:
    """Content units of an action's wording with weights: CJK bigrams, English stems, numbers."""
    units: dict[str, float] = {}
    for token in _TOKEN.findall(nfkc(text).lower()):
        if token[0].isascii() and token[0].isalpha():
            if token not in _EN_STOP:
                units[_stem(token)] = 1.0
        elif token[0].isdigit():
            units[token] = 1.0
        elif len(token) == 1:
            units.setdefault(token, 0.5)
        else:
            for gram in _bigrams(token):
                units[gram] = 1.0
    return units


@functools.lru_cache(maxsize=4096)
def _unit_set(text: str) -> frozenset[str]:
    found: set[str] = set()
    for token in _TOKEN.findall(nfkc(text).lower()):
        if token[0].isascii() and token[0].isalpha():
            found.add(_stem(token))
        elif token[0].isdigit():
            found.add(token)
        else:
            found.update(token)
            found.update(_bigrams(token))
    return frozenset(found)


def coverage(action: str, text: str, verb: bool = False) -> float:
    """Share of the action's content units that `text` mentions (0 when fewer than 2 match).

    `verb`: the text reports the action's own verb (`ran` for `Run …`), which then counts as
    one more unit even when the verb is too common to be a unit of its own."""
    units = _units(action)
    total = sum(units.values())
    if not total:
        return 0.0
    present = _unit_set(text)
    matched = [u for u in units if u in present]
    if len(matched) < min(2, len(units)):
        return 0.0
    extra = 1.0 if verb and leading_verb(action) in _EN_STOP else 0.0
    return (sum(units[u] for u in matched) + extra) / (total + extra)


def units_of(action: str) -> frozenset[str]:
    """The content units `coverage` counts for an action (CJK bigrams, English stems, numbers)."""
    return frozenset(_units(action))


def unit_set(text: str) -> frozenset[str]:
    """The units a text mentions, as `coverage` reads it (a clause's are a subset of its sentence's)."""
    return _unit_set(text)


def leading_verb(action: str) -> str:
    match = re.match(r"\s*([a-z]+)\b", nfkc(action).lower())
    return match.group(1) if match else ""


def english_stem(word: str) -> str:
    """The crude English stem above, for other matchers (search terms): promised -> promis."""
    return _stem(word)
