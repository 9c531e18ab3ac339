"""Numbers with units as written in notes, and the change between two of them.

Everything here is linear in the input: simple regexes without nested quantifiers and single
passes, so a 100 KB paste costs milliseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from coach.text.normalize import fold

# A number: 1,200 / 1200 / 3.6 / .5 is not accepted (too often a list marker or version tail).
NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
# A number with an optional `k`/`M` multiplier (groups `num`, `mult`); metrics extends it.
# Scale words written after a number (`2 million`, `1.5 billion`) multiply it like `k`/`M`.
NUMBER_TOKEN = (
    rf"(?P<num>{NUMBER})(?P<mult>[kKM](?![A-Za-z])|\s?(?:million|billion|thousand|mn|bn)(?![A-Za-z]))?"
)
_NUMBER_TOKEN = re.compile(NUMBER_TOKEN)
_MULTIPLIERS = {
    "k": 1e3, "K": 1e3, "M": 1e6, "thousand": 1e3, "million": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9,
}  # fmt: skip
# A number written in words: a Japanese numeral before a counter (二人, 三回, 半日, 一枚, 数件) and
# English number words (`two engineers`, `twice a week`, `half the alerts`). "one" and "a few"
# are left out: the first is as often a pronoun, the second no figure.
NUMBER_WORDS = re.compile(
    r"[一二三四五六七八九十百千両半数]+(?:[人名件回個枚本台割倍日週年]|時間|か月|ヶ月|カ月|つ|分の)"
    r"|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|fifty"
    r"|dozens?|hundreds?|thousands?|half|twice|double|triple|a couple)\b"
)
# Scale words that stay part of a unit (`120万円` is 120 in 万円).
SCALE_WORDS = {"千": 1e3, "万": 1e4, "億": 1e8}


def number_value(num: str, mult: str | None = None) -> float:
    """The value of a NUMBER_TOKEN match: digits without separators, times its `k`/`M`."""
    value = float(num.replace(",", ""))
    return value * _MULTIPLIERS[mult.strip()] if mult and mult.strip() else value


def parse_number(token: str) -> float | None:
    """The value of one number token as written: `50k` → 50000, `１，２００` → 1200, `約120万円` → 120.

    `万`/`億` stay part of the unit (the notes say 120万円, so the metric says 120 in 万円);
    `k`/`M` are multipliers. None when the token holds no number.
    """
    match = _NUMBER_TOKEN.search(fold(token.strip()))
    if match is None:
        return None
    return number_value(match.group("num"), match.group("mult"))


@dataclass(frozen=True)
class NumberSpan:
    """One number in a text: its literal value, the value with `k`/`M` applied, and where it is."""

    raw: float
    value: float
    start: int
    end: int


def numbers_in(text: str) -> list[NumberSpan]:
    """Every number written in `text` (after folding), in order. Used by grounding and metrics."""
    folded = fold(text)
    found = []
    for match in _NUMBER_TOKEN.finditer(folded):
        num, mult = match.group("num"), match.group("mult")
        found.append(NumberSpan(number_value(num), number_value(num, mult), match.start(), match.end()))
    return found


def change_pct(before: float | None, after: float | None) -> float | None:
    """(after - before) / before * 100, signed, 2 decimals; None when it cannot be computed."""
    if before is None or after is None or before == 0:
        return None
    return round_half_up((after - before) / before * 100, "0.01")


def display_pct(pct: float) -> str:
    """A percentage as people say it: 44 for 43.75, 8.5 for 8.46, 0.4 for 0.42 (magnitude only)."""
    magnitude = abs(pct)
    return format_number(round_half_up(magnitude, "1" if magnitude >= 10 else "0.1"))


def round_half_up(value: float, step: str) -> float:
    """`value` rounded to `step` ("1", "0.1", ...) the way people round (0.5 up), not banker's."""
    return float(Decimal(str(value)).quantize(Decimal(step), rounding=ROUND_HALF_UP))


def format_number(value: float) -> str:
    """1200.0 → 1200, 0.50 → 0.5, 1/3 → 0.33: no float noise in what the user reads."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


# --------------------------------------------------------------------------- units

_TIME = {
    "ms": 0.001, "ミリ秒": 0.001, "s": 1, "秒": 1, "min": 60, "分": 60, "h": 3600, "時間": 3600,
    "日": 86400, "日間": 86400, "d": 86400, "days": 86400, "週": 604800, "週間": 604800,
    "weeks": 604800, "ヶ月": 2592000, "か月": 2592000, "カ月": 2592000, "ケ月": 2592000,
    "months": 2592000, "年": 31536000, "years": 31536000,
}  # fmt: skip
_DATA = {"B": 1, "KB": 1e3, "kB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12, "KiB": 1024, "MiB": 1024**2,
         "GiB": 1024**3, "TiB": 1024**4}  # fmt: skip
_ALIASES = {
    "msec": "ms", "millisecond": "ms", "milliseconds": "ms", "sec": "s", "secs": "s", "second": "s",
    "seconds": "s", "mins": "min", "minute": "min", "minutes": "min", "hr": "h", "hrs": "h",
    "hour": "h", "hours": "h", "day": "days", "week": "weeks", "month": "months", "year": "years",
    "リクエスト": "req", "rps": "req/s", "requests": "req", "request": "req", "reqs": "req", "％": "%",
    "percent": "%", "ポイント": "pt", "points": "pt", "point": "pt", "ドル": "$", "usd": "$",
    "USD": "$", "times": "x", "倍": "x",
}  # fmt: skip


def canonical_unit(unit: str) -> str:
    unit = unit.strip()
    return _ALIASES.get(unit, _ALIASES.get(unit.lower(), unit))


def unit_scale(unit: str) -> tuple[str, float]:
    """(dimension, factor to the dimension's base): `4時間`/`35分` share `time`; `万円`/`円` share `円`.

    Two quantities can be compared only when their dimensions match; a rate keeps its `/週`.
    """
    base, _, per = unit.partition("/")
    suffix = f"/{per}" if per else ""
    if base in _TIME:
        return "time" + suffix, _TIME[base]
    if base in _DATA:
        return "data" + suffix, _DATA[base]
    if len(base) > 1 and base[0] in SCALE_WORDS:
        return base[1:] + suffix, SCALE_WORDS[base[0]]
    return base + suffix, 1.0


def common_unit(before_unit: str, after_unit: str) -> tuple[str, float, float] | None:
    """The smaller of two compatible units and the factors to convert each into it; None if apart."""
    if before_unit == after_unit:
        return before_unit, 1.0, 1.0
    dim_b, fac_b = unit_scale(before_unit)
    dim_a, fac_a = unit_scale(after_unit)
    if dim_b != dim_a:
        return None
    target, fac_t = (before_unit, fac_b) if fac_b <= fac_a else (after_unit, fac_a)
    return target, fac_b / fac_t, fac_a / fac_t
