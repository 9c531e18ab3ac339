"""Is every number of a model's output in the user's source text? Shared by every LLM path.

A number counts as grounded when the source writes the same value (in any spelling: `1,200`,
`１，２００`, `1.2k`, `120万` for 1200000) *with a unit of the same kind*, or when code computed
it (`allowed`: changes, unit conversions), where the usual roundings of a computed value are
accepted (43.75 → 44, 43.8).

Why the unit kind: a small model reuses a number the notes hold for something else — the notes
count "12 incidents" and the answer says "a 12% failure rate". The value alone would pass; the
kind (count vs percent) does not. Rules, all from `UNIT_KINDS`:

- The kind is read from what follows the number (`%`, `ms`, `件`, `倍`, a noun such as
  `incidents`) or precedes it (`$`, `¥`). A noun that is no unit in the table is a count.
- A number with nothing after it (end of sentence, a particle such as `の`/`から`) is bare: it
  may match any kind, on either side, since people often leave the unit implied.
- Durations and data sizes compare in a base unit (`2時間` = `120分`, but `2 days` ≠ `2 hours`).
- `allowed` values are code's own computations: a bare float (a computed change) matches a
  number of any kind; a `(value, kind)` pair (a metric's value, `code_values`) only its kind.

Tokens: every number is read by `coach.text.numbers_in`, whatever its neighbours: `180,29`
holds two numbers (180 and 29, as `29,` or `29.` end a clause), full-width digits are folded.
`strip_ungrounded` replaces exactly those spans, so what is reported is what is replaced.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from coach.text.normalize import fold
from coach.text.numbers import SCALE_WORDS, NumberSpan, numbers_in, round_half_up

_NOT_A_QUANTITY = re.compile(r"1\s?on\s?1|1\s?対\s?1|1:1", re.IGNORECASE)

# kind -> {unit as written (folded, lower-cased for Latin): factor to the kind's base unit}.
# A factor matters only for kinds in SCALED_KINDS; elsewhere values compare as written.
UNIT_KINDS: dict[str, dict[str, float]] = {
    "percent": {"%": 1, "percent": 1, "per cent": 1, "パーセント": 1},
    "points": {"pt": 1, "pts": 1, "pp": 1, "point": 1, "points": 1, "ポイント": 1},
    "multiple": {"x": 1, "×": 1, "倍": 1, "times": 1, "fold": 1},
    "money": {"円": 1, "$": 1, "¥": 1, "€": 1, "ドル": 1, "usd": 1, "dollars": 1, "dollar": 1, "yen": 1,
              "jpy": 1, "eur": 1, "euros": 1},
    "time": {"ms": 0.001, "msec": 0.001, "millisecond": 0.001, "milliseconds": 0.001, "ミリ秒": 0.001,
             "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1, "秒": 1,
             "min": 60, "mins": 60, "minute": 60, "minutes": 60, "分": 60, "分間": 60,
             "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600, "時間": 3600,
             "d": 86400, "day": 86400, "days": 86400, "日": 86400, "日間": 86400,
             "week": 604800, "weeks": 604800, "週": 604800, "週間": 604800,
             "month": 2592000, "months": 2592000, "ヶ月": 2592000, "か月": 2592000, "カ月": 2592000,
             "ケ月": 2592000, "ヵ月": 2592000,
             "year": 31536000, "years": 31536000, "年": 31536000, "年間": 31536000},
    "data": {"b": 1, "byte": 1, "bytes": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
             "kib": 1024, "mib": 1024**2, "gib": 1024**3, "tib": 1024**4},
    "calendar": {"月": 1, "月度": 1, "期": 1, "q": 1, "月期": 1, "年度": 1},
    "rate": {"rps": 1, "qps": 1, "req/s": 1, "tps": 1},
    "count": {"件": 1, "回": 1, "人": 1, "名": 1, "個": 1, "本": 1, "台": 1, "社": 1, "枚": 1, "つ": 1,
              "行": 1, "チーム": 1, "箇所": 1, "か所": 1, "ヶ所": 1, "カ所": 1, "種類": 1, "画面": 1,
              "ページ": 1, "リクエスト": 1, "チケット": 1, "ステップ": 1, "項目": 1, "サービス": 1},
}  # fmt: skip
SCALED_KINDS = frozenset({"time", "data"})
_PREFIX_UNITS = {"$": "$", "¥": "¥", "€": "€"}
_LATIN_UNIT = re.compile(r"\s?(per cent|[a-z]+(?:/[a-z]+)?)", re.IGNORECASE)
_SYMBOL_UNIT = re.compile(r"\s?([%×$€¥])")
_CJK_UNIT = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]{1,4}")
_UNIT_INDEX: dict[str, tuple[str, float]] = {
    unit: (kind, factor) for kind, units in UNIT_KINDS.items() for unit, factor in units.items()
}


@dataclass(frozen=True)
class Quantity:
    """One number with its unit's kind (None: bare) and the values it may stand for."""

    text: str
    kind: str | None
    values: frozenset[float]  # as written (with k/M and 千/万/億 applied or not)
    base: frozenset[float]  # in the kind's base unit (seconds, bytes) for SCALED_KINDS, else `values`


def _unit_after(folded: str, end: int) -> tuple[str | None, float, int]:
    """(kind, factor, scale) of what follows a number ending at `end` in folded text."""
    scale = 1
    if folded[end : end + 1] in SCALE_WORDS:
        scale = int(SCALE_WORDS[folded[end]])
        end += 1
    symbol = _SYMBOL_UNIT.match(folded, end)
    if symbol:
        kind, factor = _UNIT_INDEX.get(symbol.group(1), ("percent", 1.0))
        return kind, factor, scale
    cjk = _CJK_UNIT.match(folded, end)
    if cjk:
        word = cjk.group()
        for size in range(len(word), 0, -1):
            if word[:size] in _UNIT_INDEX:
                kind, factor = _UNIT_INDEX[word[:size]]
                return kind, factor, scale
        # a scale word alone (`120万の`) names no unit; a particle (`の`, `から`) is bare
        return None, 1.0, scale
    latin = _LATIN_UNIT.match(folded, end)
    if latin:
        word = latin.group(1).lower()
        if word in _UNIT_INDEX:
            kind, factor = _UNIT_INDEX[word]
            return kind, factor, scale
        base = word.split("/")[0]
        if base in _UNIT_INDEX:
            return _UNIT_INDEX[base][0], _UNIT_INDEX[base][1], scale
        if latin.group(0).startswith(" ") and len(word) > 2 and word not in _FUNCTION_WORDS:
            return "count", 1.0, scale  # `12 incidents`, `3 engineers`: a count of things
        return None, 1.0, scale
    return None, 1.0, scale


# English words that may follow a bare number without making it a count ("cut 12 to 8").
_FUNCTION_WORDS = frozenset(
    [
        "and",
        "or",
        "to",
        "from",
        "the",
        "for",
        "in",
        "on",
        "of",
        "at",
        "by",
        "with",
        "than",
        "but",
        "was",
        "were",
        "is",
        "are",
        "vs",
        "per",
        "this",
        "that",
        "which",
        "then",
        "so",
        "out",
        "off",
        "over",
        "under",
        "about",
        "into",
        "more",
        "less",
        "fewer",
        "new",
        "each",
        "since",
        "until",
        "before",
        "after",
        "when",
        "while",
        "as",
        "if",
        "it",
        "its",
        "we",
        "our",
        "my",
        "total",
        "overall",
    ]
)


def quantities(text: str) -> list[Quantity]:
    """Every number in `text` with its unit's kind and the values it may stand for."""
    folded = fold(text)
    found = []
    for number in numbers_in(text):
        kind, factor, scale = _unit_after(folded, number.end)
        before = folded[max(0, number.start - 1) : number.start]
        if kind is None and before in _PREFIX_UNITS:
            kind, factor = "money", 1.0
        elif before.isascii() and before.isalpha():
            kind = None  # an identifier (P95, v2, Q3): no unit of its own
        elif kind == "time" and (number.raw >= 1000 or before == "月"):
            kind = "calendar"  # 2026年, 3月4日: a point in time, not a duration
        values = {number.raw, number.value}
        if scale != 1:
            values |= {number.raw * scale, number.value * scale}
        base = {v * factor for v in values} if kind in SCALED_KINDS else values
        found.append(Quantity(text[number.start : number.end], kind, frozenset(values), frozenset(base)))
    return found


def _key(value: float) -> float:
    return round(value, 6)


@dataclass(frozen=True)
class SourceIndex:
    """The quantities of a source, keyed for lookup: value as written -> kinds; (kind, base value)."""

    written: dict[float, frozenset[str | None]]
    based: frozenset[tuple[str, float]]


@lru_cache(maxsize=8)
def source_values(source: str) -> SourceIndex:
    """Every quantity the source states, in each spelling a faithful rewrite could use.

    Cached: one LLM answer is checked field by field against the same notes.
    """
    written: dict[float, set[str | None]] = {}
    based: set[tuple[str, float]] = set()
    for quantity in quantities(source):
        for value in quantity.values:
            written.setdefault(_key(value), set()).add(quantity.kind)
        if quantity.kind is not None:
            based.update((quantity.kind, _key(value)) for value in quantity.base)
    return SourceIndex({k: frozenset(v) for k, v in written.items()}, frozenset(based))


def _roundings(value: float) -> set[float]:
    magnitude = abs(value)
    return {_key(v) for v in (magnitude, *(round_half_up(magnitude, step) for step in ("1", "0.1", "0.01")))}


def _grounded(quantity: Quantity, known: SourceIndex, computed: set[float]) -> bool:
    for value in quantity.values:
        if _key(value) in computed:
            return True
        kinds = known.written.get(_key(value), frozenset())
        if kinds and (quantity.kind is None or None in kinds):
            return True  # a bare number on either side matches the same value of any kind
    if quantity.kind is None:
        return False
    return any((quantity.kind, _key(value)) in known.based for value in quantity.base)


Allowed = Iterable[float | tuple[float, str]]


def unit_kind(unit: str) -> str | None:
    """The kind of a unit as a metric stores it (`件` → count, `%` → percent, `ms` → time), read
    by the same rules as a unit after a number in text; None for no unit (a bare value)."""
    if not unit.strip():
        return None
    for written in (f"1{unit}", f"1 {unit}"):  # `件`, `%` follow the digits; `incidents` a space
        found = quantities(written)
        if found and found[0].kind is not None:
            return found[0].kind
    return None


def code_values(
    before: float | None, after: float | None, unit: str, change_pct: float | None
) -> list[float | tuple[float, str]]:
    """`allowed` for one metric: its values keep their unit's kind (a count of 12 does not ground
    "12%"); the change code computed is a bare value (it may be written as % or as points)."""
    kind = unit_kind(unit)
    out: list[float | tuple[float, str]] = [
        v if kind is None else (v, kind) for v in (before, after) if v is not None
    ]
    if change_pct is not None:
        out.append(change_pct)
    return out


def _allowed_index(allowed: Allowed) -> tuple[set[float], set[tuple[str, float]]]:
    """Code's values: a bare float (a computed change) matches any unit; a (value, kind) pair (a
    value the notes state, converted) keeps its kind."""
    free: set[float] = set()
    kinded: set[tuple[str, float]] = set()
    for item in allowed:
        if isinstance(item, tuple):
            kinded |= {(item[1], value) for value in _roundings(item[0])}
        else:
            free |= _roundings(item)
    return free, kinded


def _grounded_by_code(quantity: Quantity, free: set[float], kinded: set[tuple[str, float]]) -> bool:
    keys = {_key(value) for value in quantity.values}
    if keys & free:
        return True
    if quantity.kind is None:
        return any(value in keys for _, value in kinded)
    return any((quantity.kind, key) in kinded for key in keys)


def ungrounded_numbers(output: str, source: str, allowed: Allowed = ()) -> list[str]:
    """The numbers written in `output` that neither `source` nor `allowed` accounts for, as written."""
    known = source_values(source)
    free, kinded = _allowed_index(allowed)
    masked = _NOT_A_QUANTITY.sub(lambda m: "x" * len(m.group()), output)
    return [
        q.text
        for q in quantities(masked)
        if not (_grounded(q, known, set()) or _grounded_by_code(q, free, kinded))
    ]


# kind -> (en, ja) as named in a notice
KIND_NAMES: dict[str, tuple[str, str]] = {
    "percent": ("percent", "パーセント"),
    "points": ("points", "ポイント"),
    "multiple": ("times", "倍"),
    "money": ("money", "金額"),
    "time": ("duration", "時間・期間"),
    "data": ("data size", "データ量"),
    "calendar": ("date", "日付"),
    "rate": ("rate", "レート"),
    "count": ("count", "件数・人数"),
}


def ungrounded_details(output: str, source: str, allowed: Allowed = (), language: str = "en") -> list[str]:
    """Like `ungrounded_numbers`, each with the kind of its unit when it has one: `12 (percent)`,
    so a notice says which number failed and as what."""
    known = source_values(source)
    free, kinded = _allowed_index(allowed)
    masked = _NOT_A_QUANTITY.sub(lambda m: "x" * len(m.group()), output)
    details = []
    for quantity in quantities(masked):
        if _grounded(quantity, known, set()) or _grounded_by_code(quantity, free, kinded):
            continue
        if quantity.kind is None:
            details.append(quantity.text)
            continue
        en, ja = KIND_NAMES.get(quantity.kind, (quantity.kind, quantity.kind))
        details.append(f"{quantity.text} ({ja if language == 'ja' else en})")
    return details


def _spans(text: str) -> list[NumberSpan]:
    return numbers_in(_NOT_A_QUANTITY.sub(lambda m: "x" * len(m.group()), text))


def strip_ungrounded(output: str, ungrounded: Iterable[str], placeholder: str = "[N]") -> str:
    """Replace each ungrounded number with a visible placeholder, keeping the rest of the sentence.

    Replaces the number spans `numbers_in` reads (the same ones `ungrounded_numbers` reports),
    so `180,29` loses its `29` and `1,029` or `3.29` never lose a part of themselves.
    """
    wanted = {fold(token.strip()) for token in ungrounded}
    pieces = []
    last = 0
    for span in _spans(output):
        if fold(output[span.start : span.end]) in wanted:
            pieces += [output[last : span.start], placeholder]
            last = span.end
    pieces.append(output[last:])
    return "".join(pieces)
