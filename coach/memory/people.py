"""Who an action belongs to: me, my manager, or someone else (a teammate, a skip-level).

Notes name people in many spellings: `山田さん`, `山田`, `@yamada`, `Yamada-san`, `[[高橋さん]]`,
`Kenji`. Every spelling is reduced to keys (the name without honorific or markup, each of its
words, and the romanised reading of a Japanese name), so `@yamada` meets `山田さん`.

The people of a set of meetings are read from the meetings themselves:
- my manager(s): the counterpart of each regular 1on1 (front matter `with`, the title or file
  name); the counterpart of a skip-level meeting is not my manager;
- me: the participants of a meeting who are not its counterpart, and the words `自分`, `me`, `I`;
- anyone else named is someone else.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from coach.memory.headings import MANAGER_WORDS, SKIP_LEVEL
from coach.models import Meeting, Owner
from coach.text.japanese import reading
from coach.text.script import JAPANESE_RE, KANJI_RE
from coach.text.similarity import nfkc

HONORIFICS = (
    "さん",
    "様",
    "さま",
    "氏",
    "くん",
    "君",
    "ちゃん",
    "先輩",
    "部長",
    "課長",
    "-san",
    " san",
    "san",
)
ME_WORDS = frozenset(["me", "i", "self", "myself", "mine", "自分", "私", "僕", "俺", "わたし", "自分用"])
_MARKUP = re.compile(r"\[\[|\]\]|^@|[*_`]")
_ASIDE = re.compile(r"\s*[(（][^()（）]*[)）]\s*")

_KANA_ROMAJI = {
    **dict(zip("アイウエオ", ["a", "i", "u", "e", "o"], strict=True)),
    **dict(zip("カキクケコ", ["ka", "ki", "ku", "ke", "ko"], strict=True)),
    **dict(zip("ガギグゲゴ", ["ga", "gi", "gu", "ge", "go"], strict=True)),
    **dict(zip("サシスセソ", ["sa", "shi", "su", "se", "so"], strict=True)),
    **dict(zip("ザジズゼゾ", ["za", "ji", "zu", "ze", "zo"], strict=True)),
    **dict(zip("タチツテト", ["ta", "chi", "tsu", "te", "to"], strict=True)),
    **dict(zip("ダヂヅデド", ["da", "ji", "zu", "de", "do"], strict=True)),
    **dict(zip("ナニヌネノ", ["na", "ni", "nu", "ne", "no"], strict=True)),
    **dict(zip("ハヒフヘホ", ["ha", "hi", "fu", "he", "ho"], strict=True)),
    **dict(zip("バビブベボ", ["ba", "bi", "bu", "be", "bo"], strict=True)),
    **dict(zip("パピプペポ", ["pa", "pi", "pu", "pe", "po"], strict=True)),
    **dict(zip("マミムメモ", ["ma", "mi", "mu", "me", "mo"], strict=True)),
    **dict(zip("ヤユヨ", ["ya", "yu", "yo"], strict=True)),
    **dict(zip("ラリルレロ", ["ra", "ri", "ru", "re", "ro"], strict=True)),
    **dict(zip("ワヲン", ["wa", "o", "n"], strict=True)),
}
_SMALL = {"ャ": "ya", "ュ": "yu", "ョ": "yo"}


def romanise(katakana: str) -> str:
    """Hepburn romaji of a katakana reading, long vowels shortened as names are usually written
    (`ヤマダ` -> `yamada`, `コバヤシ` -> `kobayashi`, `シュン` -> `shun`)."""
    out = ""
    for i, ch in enumerate(katakana):
        if ch in _SMALL and out.endswith("i"):
            vowel = _SMALL[ch][1]
            out = out[:-1] + (vowel if out.endswith(("shi", "chi", "ji")) else "y" + vowel)
        elif ch == "ッ" and i + 1 < len(katakana):
            nxt = _KANA_ROMAJI.get(katakana[i + 1], "")
            out += nxt[:1]
        elif ch == "ー":
            continue
        else:
            out += _KANA_ROMAJI.get(ch, "")
    return re.sub(r"ou$|oo$", "o", re.sub(r"uu", "u", out))


def strip_name(name: str) -> str:
    """The bare name: no markup, aside or honorific (`[[小林さん]]（レコメンド）` -> `小林`)."""
    text = _ASIDE.sub(" ", _MARKUP.sub("", nfkc(name))).strip().strip(":：")
    lowered = text.lower()
    for honorific in HONORIFICS:
        if lowered.endswith(honorific) and len(text) > len(honorific):
            text = text[: -len(honorific)].strip()
            break
    return text.strip()


@functools.lru_cache(maxsize=4096)
def name_keys(name: str) -> frozenset[str]:
    """Every key a spelling of a name may be met by: the whole bare name, each of its words,
    and for Japanese names the romanised reading of each word."""
    bare = strip_name(name).lower()
    if not bare:
        return frozenset()
    words = [w for w in re.split(r"[\s・,、/]+", bare) if w]
    keys = {bare, *words}
    for word in words:
        if KANJI_RE.search(word):
            keys.add(romanise(reading(word)))
    return frozenset(k for k in keys if k)


def is_me(name: str) -> bool:
    return strip_name(name).lower() in ME_WORDS


_CAPITALISED = re.compile(r"\b([A-Z][a-z]+(?:[ -][A-Z][a-z]+)?)\b")
_HONORED = re.compile(r"([\u4e00-\u9fff々]{1,4}|[A-Z][a-z]+)\s?(?:さん|様|氏|-san)")
_WITH = re.compile(r"(?:\bw/?|\bwith|[—–/×xX&、,])\s+(?:\[\[)?([A-Z][a-z]+(?:\s[A-Z][a-z]+)?)")


def names_in_title(text: str, not_names: Iterable[str] = ()) -> list[str]:
    """People a meeting's title or file name names: `1on1 山田さん`, `1on1 w Jordan`,
    `(skip-level w Priya & Jordan)`, `1on1 with [[Kato]]`."""
    from coach.memory.headings import TITLE_NOT_NAMES

    skip = {w.lower() for w in not_names} | TITLE_NOT_NAMES
    text = nfkc(text).replace("[[", " ").replace("]]", " ")
    found: list[str] = []
    for match in _HONORED.finditer(text):
        found.append(match.group(0).replace(" ", ""))
    latin = [m.group(1) for m in _WITH.finditer(text)]
    if not latin:
        latin = [
            m.group(1)
            for m in _CAPITALISED.finditer(re.sub(r"^\d{4}[-/]\d{1,2}[-/]\d{1,2}", "", text))
            if not JAPANESE_RE.search(m.group(1))
        ]
    for name in latin:
        if name.lower() in skip or any(w.lower() in skip for w in name.split()):
            continue
        if not any(name_keys(name) & name_keys(other) for other in found):
            found.append(name)
    return found


@dataclass
class People:
    """The people of a set of meetings, as keys (see `name_keys`)."""

    me: set[str] = field(default_factory=set)
    managers: set[str] = field(default_factory=set)
    manager_names: dict[str, str] = field(default_factory=dict)  # key -> the name as written

    @classmethod
    def of(cls, meetings: Iterable[Meeting], my_names: Iterable[str] = ()) -> People:
        people = cls()
        meetings = list(meetings)
        for name in my_names:
            people.me |= name_keys(name)
        counterparts: set[str] = set()
        for meeting in meetings:
            for name in counterpart_names(meeting):
                counterparts |= name_keys(name)
                if not is_skip_level(meeting):
                    people.managers |= name_keys(name)
                    for key in name_keys(name):
                        people.manager_names.setdefault(key, strip_name(name))
        for meeting in meetings:
            for name in meeting.participants:
                keys = name_keys(name)
                if keys and not keys & counterparts and not keys & people.managers:
                    people.me |= keys
        people.me -= people.managers
        return people

    def role(self, name: str | None) -> Owner:
        """me / manager / other for the owner named in an item (no name: mine)."""
        if not name or is_me(name):
            return "me"
        if MANAGER_WORDS.fullmatch(strip_name(name).lower()):
            return "manager"
        keys = name_keys(name)
        if keys & self.me:
            return "me"
        if keys & self.managers:
            return "manager"
        return "other"


def counterpart_names(meeting: Meeting) -> list[str]:
    if not meeting.with_:
        return []
    return [n.strip() for n in re.split(r"\s*(?:[,、/&・]|\band\b)\s*", meeting.with_) if n.strip()]


def is_skip_level(meeting: Meeting) -> bool:
    return bool(SKIP_LEVEL.search(meeting.file) or SKIP_LEVEL.search(meeting.title or ""))
