"""Before→after metrics read from notes, each traced to the exact span it came from.

One pass finds every quantity (number + unit + qualifier + rate) in the folded text. Pairs are
then decided in order of how explicit the layout is: blocks (table rows under Before/After
columns, `Before:`/`改善前:` lines), then neighbours (`→`, `から…に`, `from … to`, `instead of`,
chains `A→B→C` read first to last), then a decision over every value left: a before-cued and
an after-cued value of one dimension (`以前`, `used to`, `was` / `今は`, `now`, `まで下がった`),
nearest first, in either order. Settings moved as part of the fix (`pool size 20→50`) are
skipped. Each metric names its rule in `why` (see PAIR_RULES). No regex spans more than a few dozen
characters, so the cost is linear in the length of the notes. Quantities in a clause that
states a goal (目標, target, SLA) are never results. A ratio (`2倍`, `半分`, `3割減`) gives an
after value only when the notes give the before value it applies to.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace

from coach.models import Language, Metric
from coach.text.dates import MONTHS_EN
from coach.text.language import detect_language
from coach.text.normalize import fold
from coach.text.numbers import (
    NUMBER,
    NUMBER_TOKEN,
    canonical_unit,
    change_pct,
    common_unit,
    format_number,
    number_value,
    unit_scale,
)
from coach.text.stopwords import STOPWORDS_EN


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


_UNIT = (
    r"ミリ秒|milliseconds?|msec|ms(?![A-Za-z])|seconds?|secs?|s(?![A-Za-z])|秒|minutes?|mins?|min(?![A-Za-z])|分"
    r"|hours?|hrs?|hr|h(?![A-Za-z])|時間|日間|日|days?|d(?![A-Za-z])|週間|週|weeks?|[ヶかカケ]月|months?"
    r"|年|years?|%|pt|ポイント|points?|[千万億]円|円|万件|万人|万回|万|億|件|回|人|名|台|個|本|枚|行|倍|割"
    r"|x(?![A-Za-z])|[KMGT]i?B|kB|B(?![A-Za-z])|req/s|rps|qps|RPS|QPS|リクエスト|requests?|reqs?|ドル|USD"
    r"|[ァ-ヶー]{2,12}|[A-Za-z][A-Za-z-]{1,15}"
)
_QUANTITY = re.compile(
    rf"{NUMBER_TOKEN}|(?P<half>半)(?=日|年|時間)|(?P<halved>半分|半減|\bhalved\b|\bcut in half\b)"
    r"|(?P<doubled>\bdoubled\b|倍増)|(?P<tripled>\btripled\b)"
)
_NUMBER_AT = re.compile(rf"{NUMBER}[kKM]?")
_UNIT_AT = re.compile(rf"[ \u00a0]?(?P<unit>{_UNIT})")
_CURRENCY = {"$": "$", "¥": "円", "€": "€", "£": "£"}
_PER_AT = re.compile(
    r"\s?(?:/|per\s|an?\s)(?P<per>s|sec|second|min|minute|h|hr|hour|d|day|日|wk|week|週|mo|mth|month|月"
    r"|yr|year|年)(?![A-Za-z])"
)
_PER_UNITS = {
    "sec": "s", "second": "s", "minute": "min", "hr": "h", "hour": "h", "d": "day", "日": "day",
    "wk": "week", "週": "week", "mo": "month", "mth": "month", "月": "month", "yr": "year", "年": "year",
}  # fmt: skip
_HALF_MORE = {"時間", "h", "年", "日", "ヶ月", "か月", "カ月", "ケ月"}  # 1時間半, 1年半
_MINUTES_AFTER = re.compile(r"\s?(?P<min>\d{1,2})\s?(?:分|min(?![A-Za-z])|m(?![A-Za-z]))")
_POST_QUALIFIER = re.compile(r"\s?(?P<q>未満|以下|以上|超|強|弱|程度|ほど|くらい|ぐらい|前後)")
_PRE_QUALIFIER = re.compile(
    r"(?P<q>約|およそ|大体|だいたい|ほぼ|about|around|approx\.?|approximately|roughly|~|under|below|"
    r"less than|over|above|more than|(?<![-=])[<>])\s?$",
    re.IGNORECASE,
)
_QUALIFIERS = {
    "未満": "<", "以下": "<", "under": "<", "below": "<", "less than": "<", "<": "<",
    "以上": ">", "超": ">", "強": ">", "over": ">", "above": ">", "more than": ">", ">": ">",
}  # fmt: skip
_RATE_PREFIX = re.compile(
    r"(?:(?P<s>毎秒|1秒(?:間)?(?:あたり|当たり)?|秒間)|(?P<min>毎分|1分(?:間)?(?:あたり|当たり))"
    r"|(?P<h>毎時|1時間(?:あたり|当たり))|(?P<d>毎日|1日(?:あたり|当たり)?|日に)"
    r"|(?P<w>毎週|1週間?(?:あたり|当たり)?|(?<![今先来翌前再])週)"
    r"|(?P<m>毎月|1[かヶケカ]月(?:あたり|当たり)?|月に|月間|(?<![\d今先来翌前再毎年ヶかカケ])月))"
    r"に?\s?$"
)
_RATE_UNITS = {"s": "s", "min": "min", "h": "h", "d": "日", "w": "週", "m": "月"}
_NOT_A_UNIT = _wordset(
    "to from and or in on of the a an instead per at by with for than more less after before is was were"
    " are be then so now this that it we our my am pm AM PM th st nd rd down up percent vs via into over"
    " under since until out"
)
_SKIP_AFTER = re.compile(r"(?:[-/:]\d|月\d|(?:あたり|当たり))")
_LIST_MARKER = re.compile(r"(?:^|\n)[ \t]*[(（]?$")

_BEFORE_FOLLOW = re.compile(
    r"\s?(?:程度|ほど|くらい|ぐらい|近く|も)?\s?(?:あった|かかっていた|かかってた|かかっており|かかる|かかり|だった|でした"
    r"|あり|要していた|を要していた|必要だった|発生していた|発生|鳴っていた|出ていた|していた"
    r"|[ぁ-んァ-ヶ一-龥]{0,5}?(?:ていた|てた|でいた|ていました))"
)
_AFTER_FOLLOW = re.compile(r"\s?(?:に|へ|まで|となり|となった|になり|になった|で済|で完了|で終わ|に収ま)")
_BEFORE_PRECEDE = re.compile(
    r"(?:used to (?:take|be|cost)|took|was|were|had been|previously|originally|before(?: it was)?)\s$",
    re.IGNORECASE,
)
_AFTER_PRECEDE = re.compile(
    r"(?:now(?: \w+)?|down to|up to|reduced to|cut to|dropped to|fell to|brought (?:it )?(?:down )?to|"
    r"only|just)\s$",
    re.IGNORECASE,
)
_BEFORE_CONTEXT = re.compile(r"以前|従来|これまで|今まで|元々|もともと|当初|前は")
_AFTER_CONTEXT = re.compile(r"今は|いまは|今では|現在は|現状は|導入後|改善後|移行後|対応後")
_ARROW_BETWEEN = re.compile(r"\s*(?:→|-+>|=+>|~>)\s*")
_KARA_BETWEEN = re.compile(r"\s*(?:から|より)\s*")
_TO_BETWEEN = re.compile(r"\s*(?:to|→)\s*", re.IGNORECASE)
_FROM_BEFORE = re.compile(r"from\s?$", re.IGNORECASE)
_REVERSED_BETWEEN = re.compile(
    r"\s*(?:instead of|rather than|\(?\s*(?:was|from|before:?|previously|vs\.?|compared to)"
    r"|,?\s*(?:down|up) from|(?:、|,)?\s*(?:以前は|従来は|元は))\s*",
    re.IGNORECASE,
)
_DELTA_FOLLOW = re.compile(
    r"\s?(?:の|も|分|ほど)?\s?(?:削減|短縮|減少|減らし|減っ|減|カット|節約|削っ|アップ|増加|増え|増|向上|改善"
    r"|高速化|faster|slower|less|fewer|more|cheaper|saved|savings?|reduction|improvement|increase|decrease"
    r"|lower|higher|down|up)(?![a-z])",
    re.IGNORECASE,
)
_DELTA_PRECEDE = re.compile(
    r"(?:by|saved|saving|saves|cut|reduced|trimmed|shaved(?: off)?|freed up)\s(?:about |around |~)?$",
    re.IGNORECASE,
)
_DOWN = re.compile(
    r"\s?(?:に|も|分|ほど)?\s?(?:削減|減少|減らし|減っ|減|カット|off|less|fewer|lower|cheaper|reduction|decrease)",
    re.IGNORECASE,
)
_UP = re.compile(r"\s?(?:に|も|分|ほど)?\s?(?:増加|増え|増|アップ|more|higher|increase)", re.IGNORECASE)
_BECOME = re.compile(r"\s?(?:に|へ)\s?(?:なっ|なり|なる|増|向上|改善|短縮|高速|拡大|減)")
_TARGET_WORDS = re.compile(
    r"目標|目指|めざ|ターゲット|予定|計画|見込み|したい|狙い|目安|target|goal|aim(?:ing|ed)?\b|objective"
    r"|plan(?:ned|s)? to|expected to|want to|budget",
    re.IGNORECASE,
)
_VERSION_WORDS = re.compile(r"upgrad|version|バージョン|アップグレード|\bv\d", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[。．!?！？\n;；、,]|\.(?!\d)")
_SENTENCE_END = re.compile(r"[。．!?！？\n]|\.(?!\d)")

_PAIR_WINDOW = 160
_TARGET_REACH = 1000
_RESTATE_GAP = 24


@dataclass(frozen=True)
class Quantity:
    """A number with its unit and qualifier, at [start, end) of the notes.

    `ratio` is set for a multiple of something else (`2倍` 2, `半分` 0.5, `3割減` 0.7): it
    turns into an after value only next to a before value.
    """

    value: float
    unit: str
    qualifier: str
    start: int
    end: int
    before_marker: bool
    after_marker: bool
    delta_marker: bool
    target: bool
    ratio: float | None = None


@dataclass(frozen=True)
class MetricMatch:
    """A metric plus the notes' own wording of its numbers, for statements in the user's words.

    `stated` is a percentage the notes give for this change themselves (`(70%削減)`), kept to be
    checked against the computed one.
    """

    metric: Metric
    start: int
    end: int
    before_text: str
    after_text: str
    delta: bool = False
    before_at: int = -1
    after_at: int = -1
    stated: str = ""
    stated_pct: float | None = None
    stated_ratio: float | None = None

    @property
    def stated_differs(self) -> bool:
        """The notes' own change (`44%`, `4x`) is further from the computed one than rounding explains."""
        before, after, pct = self.metric.before, self.metric.after, self.metric.change_pct
        if self.stated_ratio is not None and before and after and before * after > 0:
            actual = max(before / after, after / before)
            return abs(actual - self.stated_ratio) > 0.05 * self.stated_ratio
        if self.stated_pct is None or pct is None:
            return False
        tolerance = 5.0 if self.stated_pct % 10 == 0 and "約" in self.stated else 1.0
        if self.stated_pct != int(self.stated_pct):
            tolerance = 0.1
        return abs(abs(pct) - self.stated_pct) > tolerance


def extract_metrics(text: str) -> list[Metric]:
    return [match.metric for match in find_metrics(text)]


def find_metrics(text: str, language: Language | None = None) -> list[MetricMatch]:
    """Every before→after pair and every stated change (`週2時間削減`) in `text`, in order."""
    folded = fold(text)
    language = language or detect_language(text)
    clauses = _boundaries(_CLAUSE_END, folded)
    sentences = _boundaries(_SENTENCE_END, folded)
    quantities = _quantities(folded, clauses)
    namer = _Namer(folded, clauses, sentences, quantities, language)
    matches: list[MetricMatch] = []
    used: set[int] = set()
    for i, j, rule, name in block_pairs(folded, quantities):
        used.update((i, j))
        if not name:
            name = _ROLE_WORDS.sub(" ", namer.name(quantities[i].start, quantities[i].unit)).strip(" :：・-")
            name = "" if BEFORE_LABEL.fullmatch(name) or AFTER_LABEL.fullmatch(name) else name
            name = name or namer.context_name(quantities[i].start, quantities[i].unit)
        matches.append(_pair_metric(text, namer, quantities[i], quantities[j], rule, name))
    for i, first in enumerate(quantities):
        if i in used or first.target:
            continue
        pair = _pair_from(i, quantities, folded, sentences, used)
        if pair is None:
            continue
        j, reversed_order = pair
        rule = "reversed-order" if reversed_order else _adjacent_rule(folded, first, quantities[j])
        if not reversed_order:
            j, chained = _chain_end(folded, quantities, j, used)
            rule = "arrow-chain" if chained else rule
        used.update((i, j))
        second = quantities[j]
        before, after = (second, first) if reversed_order else (first, second)
        if not before.unit and not after.unit and _VERSION_WORDS.search(_sentence(folded, sentences, before)):
            continue  # Postgres 12 to 15: versions, not a result
        if _is_setting(folded, before):
            continue  # pool size 20→50: a setting changed as part of the fix, not its result
        matches.append(_pair_metric(text, namer, before, after, rule))
    for i, j, anchor in period_pairs(folded, quantities, used):
        name = namer.name(anchor, quantities[i].unit).strip(" :：・-")
        matches.append(_pair_metric(text, namer, quantities[i], quantities[j], "period-labels", name))
    for i, j, rule in role_pairs(folded, sentences, quantities, used):
        if _is_setting(folded, quantities[i]):
            continue
        used.update((i, j))
        matches.append(_pair_metric(text, namer, quantities[i], quantities[j], rule))
    matches.sort(key=lambda m: m.end)
    ends = [m.end for m in matches]
    for i, quantity in enumerate(quantities):
        if i in used or quantity.target:
            continue
        index = _restated_pair(folded, matches, ends, quantity)
        if index is not None:
            restated = matches[index]
            stated = _words(text, quantity)
            if quantity.unit == "x":
                matches[index] = replace(restated, stated=stated, stated_ratio=quantity.value)
            else:
                matches[index] = replace(restated, stated=stated, stated_pct=quantity.value)
            continue  # "→90件に減った(70%削減)": the change of the pair just before, said again
        if quantity.delta_marker and quantity.unit != "x":
            # a ratio with no base it applies to (`2倍になった`, `halved`) is no metric
            matches.append(_delta_metric(text, namer, quantity))
    matches.sort(key=lambda m: m.start)
    return matches


def _restated_pair(
    folded: str, matches: list[MetricMatch], ends: list[int], quantity: Quantity
) -> int | None:
    """The index of the pair whose change `quantity` states again (`(70%削減)`, `(4x faster)`)
    right after it; `matches` are sorted by their end, `ends` lists those ends."""
    if quantity.unit not in ("%", "x"):
        return None
    first = bisect.bisect_left(ends, quantity.start - _RESTATE_GAP)
    for index in range(first, len(matches)):
        match = matches[index]
        gap = quantity.start - match.end
        if gap < 0:
            break
        if match.delta or gap > _RESTATE_GAP:
            continue
        if _SENTENCE_END.search(folded, match.end, quantity.start):
            continue
        if quantity.delta_marker or match.metric.unit not in ("%", "x"):
            return index
    return None


def _sentence(folded: str, sentences: list[int], quantity: Quantity) -> str:
    start = _segment_start(sentences, quantity.start)
    return folded[start : _segment_end(sentences, quantity.start, len(folded))]


def _boundaries(pattern: re.Pattern[str], folded: str) -> list[int]:
    return [m.end() for m in pattern.finditer(folded)]


def _segment_start(bounds: list[int], position: int) -> int:
    index = bisect.bisect_right(bounds, position) - 1
    return bounds[index] if index >= 0 else 0


def _segment_end(bounds: list[int], position: int, length: int) -> int:
    index = bisect.bisect_right(bounds, position)
    return bounds[index] if index < len(bounds) else length


def _quantities(folded: str, clauses: list[int]) -> list[Quantity]:
    found: list[Quantity] = []
    target_cache: dict[int, tuple[str, list[tuple[int, int, bool]]]] = {}
    consumed = 0
    for match in _QUANTITY.finditer(folded):
        start, end = match.start(), match.end()
        if start < consumed:
            continue  # the 30 of 2時間30分, already read
        previous = folded[start - 1] if start else ""
        before_previous = folded[start - 2 : start - 1] if start > 1 else ""
        if (
            previous
            and previous.isascii()
            and (
                previous.isalpha()
                or previous in "+_#"
                or (previous in "-/." and before_previous.isascii() and before_previous.isalnum())
                or (previous == ":" and before_previous.isdigit())
            )
        ):
            continue  # P95, v2, EC2, N+1, 2026-01-20, 10:32 (but `違反:47件` is a value)
        if previous == "月" and match.group("num") and folded[start - 2 : start - 1].isdigit():
            continue  # the day of 1月20日
        if _SKIP_AFTER.match(folded, end):
            continue  # dates, times, 1秒あたり
        if folded.startswith((")", ". ", ".\n", "）", "、"), end) and _LIST_MARKER.search(
            folded, max(0, start - 4), start
        ):
            continue  # 1) / 2. at the start of a line
        ratio: float | None = None
        unit = ""
        if match.group("halved"):
            value, unit, ratio = 0.5, "x", 0.5
        elif match.group("doubled") or match.group("tripled"):
            value = 2.0 if match.group("doubled") else 3.0
            unit, ratio = "x", value
        elif match.group("half"):
            value = 0.5
        else:
            value = number_value(match.group("num"), match.group("mult"))
        if previous in _CURRENCY and match.group("num"):
            unit = _CURRENCY[previous]
            start -= 1
        elif not unit:
            unit_match = _UNIT_AT.match(folded, end)
            if (
                unit_match
                and unit_match.group(0) == unit_match.group("unit")
                and unit_match.group("unit").isascii()
                and unit_match.group("unit").isalpha()
                and not _KNOWN_UNIT.fullmatch(unit_match.group("unit"))
                and canonical_unit(unit_match.group("unit")) == unit_match.group("unit")
            ):
                continue  # 5xx, 2nd, 4th: a name or an ordinal written against the digits
            if unit_match and unit_match.group("unit") not in _NOT_A_UNIT:
                unit = canonical_unit(unit_match.group("unit"))
                end = unit_match.end()
                if _SKIP_AFTER.match(folded, end):
                    continue  # 1秒あたり, 1日当たり: a rate, not a quantity
                value, unit, end = _compound(folded, value, unit, end)
                if value == 1 and folded[end : end + 1].isdigit():
                    continue  # the 1日 of 1日50件, the 1本 of 1本5分: "per one", read with the next number
            elif unit_match is None and folded.startswith("月", end):
                continue  # a month: 3月
        per = _PER_AT.match(folded, end)
        if per and "/" not in unit:
            unit += "/" + _PER_UNITS.get(per.group("per"), per.group("per"))
            end = per.end()
        qualifier = ""
        post = _POST_QUALIFIER.match(folded, end)
        if post:
            qualifier = _QUALIFIERS.get(post.group("q"), "~")
            end = post.end()
        consumed = end
        window = folded[max(0, start - 24) : start]
        pre = _PRE_QUALIFIER.search(window)
        if pre:
            qualifier = qualifier or _QUALIFIERS.get(pre.group("q").lower(), "~")
            start -= len(window) - pre.start()
            window = window[: pre.start()]
        if "/" not in unit:
            rate = _RATE_PREFIX.search(window)
            if rate and rate.lastgroup and unit:
                unit = f"{unit}/{_RATE_UNITS[rate.lastgroup]}"
                start -= len(window) - rate.start()
                window = window[: rate.start()]
        clause_start = _segment_start(clauses, start)
        clause_head = folded[clause_start:start]
        if clause_start not in target_cache:
            clause = folded[clause_start : _segment_end(clauses, start, len(folded))]
            target_cache[clause_start] = (clause, _asides(clause))
        clause, asides = target_cache[clause_start]
        delta = bool(_DELTA_FOLLOW.match(folded, end) or _DELTA_PRECEDE.search(window))
        if unit == "x":
            ratio = value
            delta = (
                delta
                or bool(_BECOME.match(folded, end))
                or bool(match.group("halved") and len(match.group("halved")) > 2)
                or bool(match.group("doubled") or match.group("tripled"))
            )
        elif unit in ("割", "%"):
            ratio = _signed_ratio(folded, end, value / (10 if unit == "割" else 100))
        found.append(
            Quantity(
                value=value,
                unit=unit,
                qualifier=qualifier,
                start=start,
                end=end,
                before_marker=bool(
                    _BEFORE_FOLLOW.match(folded, end)
                    or _BEFORE_PRECEDE.search(window)
                    or _BEFORE_CONTEXT.search(clause_head)
                ),
                after_marker=bool(
                    _AFTER_FOLLOW.match(folded, end)
                    or _AFTER_PRECEDE.search(window)
                    or _AFTER_CONTEXT.search(clause_head)
                ),
                delta_marker=delta,
                target=_targeted(clause, asides, start - clause_start),
                ratio=ratio,
            )
        )
    return found


# An aside in brackets is a note on the clause (how a figure was measured, what the goal was):
# its words speak for the values inside it, not for the values of the clause around it.
# A clause can cut an aside in two (`（日割りの見込み、請求画面で確認）` splits at the 、): an opening
# bracket left open at the clause's end, or a closing one with no opening, bound an aside too.
_ASIDE = re.compile(r"[(（][^()（）]*(?:[)）]|$)|^[^()（）]*[)）]")


_BARE_MARK = 10  # characters: an aside this short, with no value, marks the clause; it is no note of its own


def _asides(clause: str) -> list[tuple[int, int, bool]]:
    """(start, end, bare) of each aside: bare when it is a short closed mark holding no value."""
    out = []
    for match in _ASIDE.finditer(clause):
        aside = match.group(0)
        bare = (
            aside[:1] in "(（"
            and aside[-1:] in ")）"
            and len(aside) - 2 <= _BARE_MARK
            and not any(c.isdigit() for c in aside)
        )
        out.append((match.start(), match.end(), bare))
    return out


def _targeted(clause: str, asides: list[tuple[int, int, bool]], at: int) -> bool:
    """A target or forecast word (目標, 予定, target) in the value's clause, outside the asides the
    value is not in: `25分→9分（目標は 10分）` is a result beside a target, 10分 is the target;
    a bare mark in brackets (`（見込み）`, `(target)`) still speaks for the whole clause."""
    kept, last = [], 0
    for start, end, bare in asides:
        if start <= at < end or bare:
            continue  # the value's own aside, or a bare mark (`（予定）`, `(target)`) on the clause
        kept.append(clause[last:start])
        last = end
    kept.append(clause[last:])
    return bool(_TARGET_WORDS.search(" ".join(kept)))


def _compound(folded: str, value: float, unit: str, end: int) -> tuple[float, str, int]:
    """`1時間半` is 1.5 時間; `2時間30分` is 150 分."""
    if unit in _HALF_MORE and folded.startswith("半", end) and not folded.startswith("半分", end):
        return value + 0.5, unit, end + 1
    if unit in ("時間", "h"):
        minutes = _MINUTES_AFTER.match(folded, end)
        if minutes:
            return value * 60 + int(minutes.group("min")), "分" if unit == "時間" else "min", minutes.end()
    return value, unit, end


def _signed_ratio(folded: str, end: int, share: float) -> float | None:
    """`3割減` → 0.7, `20%増` → 1.2; None when the notes give no direction."""
    if _DOWN.match(folded, end):
        return 1 - share
    if _UP.match(folded, end):
        return 1 + share
    return None


def _applies_ratio(before: Quantity, after: Quantity) -> bool:
    """`600件から2倍`: the after side is a multiple of the before value, not a value of its own."""
    return after.ratio is not None and before.ratio is None and after.unit != before.unit


def _compatible(first: Quantity, second: Quantity) -> bool:
    if _applies_ratio(first, second):
        return second.unit != "%"  # "…だった。…30%減": percent of what is not clear across sentences
    if not first.unit or not second.unit:
        return True
    return common_unit(*_shared_rate(first.unit, second.unit)) is not None


def _shared_rate(before_unit: str, after_unit: str) -> tuple[str, str]:
    """`週120件→40件`: the rate written once applies to both sides."""
    if "/" in before_unit and "/" not in after_unit and after_unit:
        after_unit += "/" + before_unit.split("/", 1)[1]
    elif "/" in after_unit and "/" not in before_unit and before_unit:
        before_unit += "/" + after_unit.split("/", 1)[1]
    return before_unit or after_unit, after_unit or before_unit


def _pair_from(
    i: int, quantities: list[Quantity], folded: str, sentences: list[int], used: set[int]
) -> tuple[int, bool] | None:
    """The index of the quantity paired with quantities[i] and whether it is the *before* one."""
    first = quantities[i]
    if i + 1 < len(quantities) and i + 1 not in used:
        second = quantities[i + 1]
        between = folded[first.end : second.start]
        if not second.target and len(between) <= 24:
            if _ARROW_BETWEEN.fullmatch(between) or _KARA_BETWEEN.fullmatch(between):
                return i + 1, False
            if _TO_BETWEEN.fullmatch(between) and _FROM_BEFORE.search(
                folded, max(0, first.start - 6), first.start
            ):
                return i + 1, False
            if _REVERSED_BETWEEN.fullmatch(between) and _compatible(first, second):
                return i + 1, True
    if not first.before_marker or first.ratio is not None:
        return None
    first_sentence_end = _segment_end(sentences, first.start, len(folded))
    second_sentence_end = _segment_end(sentences, first_sentence_end, len(folded))
    limit = min(second_sentence_end, first.end + _PAIR_WINDOW)
    for j in range(i + 1, len(quantities)):
        candidate = quantities[j]
        if candidate.start >= limit:
            break
        if "\n\n" in folded[first.end : candidate.start]:
            break
        if j in used or candidate.target:
            continue
        marked = candidate.after_marker or (candidate.ratio is not None and candidate.delta_marker)
        if marked and _compatible(first, candidate) and (candidate.unit or first.unit):
            return j, False
    return None


def _pair_metric(
    text: str, namer: _Namer, before: Quantity, after: Quantity, rule: str = "", name: str = ""
) -> MetricMatch:
    start, end = min(before.start, after.start), max(before.end, after.end)
    if _applies_ratio(before, after):
        unit, before_value = before.unit, before.value
        after_value = round(before.value * (after.ratio or 0), 6)
        pct = change_pct(before_value, after_value)
    else:
        before_unit, after_unit = _shared_rate(before.unit, after.unit)
        shared = common_unit(before_unit, after_unit)
        if shared is None:
            unit, before_value, after_value, pct = (
                f"{before_unit}→{after_unit}",
                before.value,
                after.value,
                None,
            )
        else:
            unit, before_factor, after_factor = shared
            before_value = round(before.value * before_factor, 6)
            after_value = round(after.value * after_factor, 6)
            pct = change_pct(before_value, after_value)
    metric = Metric(
        name=name or namer.name(start, unit),
        before=before_value,
        after=after_value,
        unit=unit,
        change_pct=pct,
        source=text[start:end],
        qualifier=after.qualifier or before.qualifier,  # type: ignore[arg-type]
        why=PAIR_RULES.get(rule, rule),
    )
    before_text, after_text = _words(text, before), _words(text, after)
    if _applies_ratio(before, after):
        after_text = _NUMBER_AT.sub(format_number(after_value), fold(before_text), count=1)  # 40時間 → 28時間
    return MetricMatch(
        metric, start, end, before_text, after_text, before_at=before.start, after_at=after.start
    )


def _delta_metric(text: str, namer: _Namer, quantity: Quantity) -> MetricMatch:
    """A stated change with no before/after: kept as the amount, never turned into a percentage."""
    name = namer.name(quantity.start, quantity.unit, change=True)
    metric = Metric(
        name=name + ("(変化量)" if namer.language == "ja" else " (change)"),
        after=quantity.value,
        unit=quantity.unit,
        source=text[quantity.start : quantity.end],
        qualifier=quantity.qualifier,  # type: ignore[arg-type]
        why=PAIR_RULES["stated-change"],
    )
    words = _words(text, quantity)
    return MetricMatch(metric, quantity.start, quantity.end, "", words, delta=True, after_at=quantity.start)


def _words(text: str, quantity: Quantity) -> str:
    return text[quantity.start : quantity.end].strip()


# --------------------------------------------------------------------------- names

_LABEL_PREFIX = re.compile(
    r"^(?:\s*(?:\d{1,2}/\d{1,2}\s+)?\d{1,2}:\d{2}(?:\s?[AaPp]\.?[Mm]\.?)?\s)?(?:\s*\[\d{1,2}:\d{2}[^\]\n]{0,8}\]\s*[^:：\n]{1,40}[:：])?(?:[\s\-*・•●◦>#(（]|\d{1,2}[.)）](?=\s))*(?:(?:状況|課題|行動|結果|成果|Situation|Task|Action|Result)\s?[:：]\s?)?",
    re.IGNORECASE,
)
_LABEL_CUT = re.compile(
    r"→|->|=>|\s[-–/|]\s|[(（]|[:：](?:\s|$)|(?<!\d)[:：](?!\d)|\||したら|にしたら|たら|ので"  # a label ends at its colon (not 10:30)
    r"|(?<![A-Za-z\d.])\d[\d.,]*\s?(?:%|ms|s|min|h|[KMG]B|x)?\s"  # a value before the name (`20→50 にしたら p99`)
)
_JA_TAIL = re.compile(
    r"(?:[\s:：・(（「『,]|毎回|平均(?:で)?|約|およそ|合計(?:で)?|常に|いつも|トータルで|全体で|だいたい|ほぼ|実に"
    r"|\d+(?:\.\d+)?\s?(?:ヶ月|か月|カ月|日間|日|週間|年|時間)で|から|では|には|について|において|として"
    r"|[はがをもので]|に)$"
)
_CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_CHANGE_WORDS = _wordset(
    "dropped went fell rose grew improved reduced cut increased decreased down only around"
    " approximately roughly average avg run ran use used need needed take took takes now brought"
    " lowered raised boosted shrank shrunk trimmed sped below above less saved saving new old"
    " total overall moved handles serves processes runs finishes costs came comes sits sat stands"
    " stood goes uses needs gets hits returns loads holds made cuts reduces grows drops"
)
"""Verbs of change, hedges and verbs of running a system: they sit next to a metric's name
(`p99 dropped from`, `roughly 20 ms`), never inside it."""
_EN_STOP = STOPWORDS_EN | _CHANGE_WORDS
_EN_JOIN = frozenset({"of", "for", "on", "in", "the", "per", "at"})
_NOT_NAMES = _wordset(
    "目標 現状 現在 今 今回 直近 結果 その結果 最終的 合計 全体 平均 実績 今月 今週 先月 先週 以前 従来 当初 本番"
    " now currently today done result results overall total it this that then"
)
_NOUN_TAIL = re.compile(r"[ァ-ヶーA-Za-z0-9\u4e00-\u9fff]{2,}$")
_JA_OBJECT = re.compile(r"(?P<obj>[^\s、。,.をはが:：]{2,30})(?:を|は|が)")
_JA_VERB_END = re.compile(r"(?:[てでたし]|ように|ところ)$")
_EN_PARTS = re.compile(r"[,;]|\band\b|\bthen\b", re.IGNORECASE)
_EN_BOUNDARY = frozenset({"to", "for", "in", "on", "with", "by", "from", "at", "into", "so", "because"})
_FALLBACK_NAMES = {
    "time": ("所要時間", "time"),
    "data": ("サイズ", "size"),
    "%": ("割合", "rate"),
    "円": ("金額", "cost"),
    "$": ("金額", "cost"),
    "req": ("スループット", "throughput"),
}
_JA_SUFFIX = {"time": "時間", "data": "サイズ", "%": "率", "円": "コスト"}
_COUNTERS = {
    "件": "件数", "回": "回数", "人": "人数", "名": "人数", "台": "台数", "個": "個数", "本": "本数",
    "行": "行数", "枚": "枚数", "x": "倍率", "倍": "倍率", "pt": "ポイント",
}  # fmt: skip
_KNOWN_UNIT = re.compile(rf"(?:{_UNIT[: _UNIT.index('|[ァ-ヶー]')]})$")


class _Namer:
    """What was measured, for every metric of one text.

    In order: the words just before the numbers (`p99応答時間は` → `p99応答時間`); a unit
    that is itself a noun (`4 nodes`); the name of a target of the same unit nearby (`目標は
    エラー率0.1%以下。現状は0.5%→0.3%`); the thing the previous clause acted on (`重複チケットを
    統合。週120件→40件` → チケット件数); last, a name for the unit.
    """

    def __init__(
        self,
        folded: str,
        clauses: list[int],
        sentences: list[int],
        quantities: list[Quantity],
        language: Language,
    ) -> None:
        self.folded = folded
        self.clauses = clauses
        self.sentences = sentences
        self.targets = [q for q in quantities if q.target]
        self.target_starts = [q.start for q in self.targets]
        self.language = language

    def name(self, at: int, unit: str, change: bool = False) -> str:
        """`change`: the quantity is an amount of change (`40%削減`), so `%` says nothing of the name."""
        local = self._label(at)
        if local:
            return local
        base = unit.split("/")[0]
        if _is_noun_unit(base):
            return base
        low = bisect.bisect_left(self.target_starts, at - _TARGET_REACH)
        high = bisect.bisect_right(self.target_starts, at + _TARGET_REACH)
        for target in self.targets[low:high]:  # a goal far away in a long paste names other work
            if _dimension(target.unit) == _dimension(unit) and "\n\n" not in self._between(target.start, at):
                label = self._label(target.start)
                if label:
                    return label
        context = self._context(at, "" if change and unit == "%" else unit)
        return context or _fallback_name(unit, self.language)

    def context_name(self, at: int, unit: str) -> str:
        """The thing acted on nearby, else a name for the unit (never a before/after label)."""
        return self._context(at, unit) or _fallback_name(unit, self.language)

    def _between(self, a: int, b: int) -> str:
        return self.folded[min(a, b) : max(a, b)]

    def _label(self, at: int) -> str:
        clause_start = _segment_start(self.clauses, at)
        window = self.folded[max(clause_start, at - 60) : at]
        pieces = _LABEL_CUT.split(window)
        chunk = next((p for p in reversed(pieces) if p.strip()), "")
        if at - 60 > clause_start and window.startswith(chunk):
            chunk = re.sub(r"^\S*\s?", "", chunk, count=1)  # the window cut a word in two
        chunk = _RATE_PREFIX.sub("", chunk)
        chunk = _LABEL_PREFIX.sub("", chunk)
        label = _japanese_label(chunk) if _CJK.search(chunk) else _english_label(chunk)
        label = _RATE_NAME.sub("", label).strip()
        if label.lower() in _NOT_NAMES or (_JA_VERB_END.search(label) and not _ends_in_noun(label)):
            return ""
        return label

    def _context(self, at: int, unit: str) -> str:
        """The thing acted on in the clauses before, from the previous sentence on."""
        clause_start = _segment_start(self.clauses, at)
        sentence_start = _segment_start(self.sentences, at)
        start = _segment_start(self.sentences, max(0, sentence_start - 1))
        context = self.folded[start:clause_start].rsplit("\n\n", 1)[-1]
        if _CJK.search(context):
            noun = _japanese_object(context)
            return _with_suffix(noun, unit) if noun else ""
        return _english_object(context)


def _dimension(unit: str) -> str:
    return unit_scale(unit.split("/")[0])[0]


def _is_noun_unit(base: str) -> bool:
    """`pods`, `tickets`, `クエリ`: a counted thing, not a unit of measure."""
    if len(base) < 3 or _KNOWN_UNIT.fullmatch(base) or canonical_unit(base) != base:
        return False
    return (base.isascii() and base.isalpha()) or bool(re.fullmatch(r"[ァ-ヶー]+", base))


def _japanese_object(context: str) -> str:
    """The noun most talked about among the objects and subjects (`…を`, `…は`) of `context`.

    Ties go to the first: the head of the first object (`誤検知の多いアラートを整理` → アラート).
    """
    candidates: list[str] = []
    for match in _JA_OBJECT.finditer(context):
        pieces = match.group("obj").split("の")
        for piece in [pieces[-1], *pieces[:-1]]:
            noun = _NOUN_TAIL.search(piece)
            if noun and noun.group() not in _NOT_NAMES:
                candidates.append(noun.group())
    if not candidates:
        return ""
    return max(candidates, key=lambda noun: (context.count(noun), -candidates.index(noun)))


def _english_object(context: str) -> str:
    """The first object in `context` (`Consolidated duplicate alerts and …` → duplicate alerts)."""
    for part in _EN_PARTS.split(context):
        words = [w for w in re.findall(r"[A-Za-z0-9][\w\-+]*", part) if not w[0].isdigit()]
        while words and words[0].lower() in {"i", "we", "also", "so", "then", "and"}:
            words.pop(0)
        if words and (words[0].lower() in _EN_STOP or words[0].lower().endswith("ed")):
            words.pop(0)
        phrase: list[str] = []
        for word in words:
            if word.lower() in _EN_BOUNDARY or len(phrase) == 4:
                break
            phrase.append(word)
        while phrase and phrase[0].lower() in _EN_JOIN | {"a", "an", "our", "my"}:
            phrase.pop(0)
        if phrase:
            return " ".join(phrase)
    return ""


def _with_suffix(noun: str, unit: str) -> str:
    """`アラート` counted in 件 is アラート件数; `ビルド` measured in 分 is ビルド時間."""
    base = unit.split("/")[0]
    suffix = _COUNTERS.get(base) if base in ("件", "回", "人", "名", "台", "個", "本", "行", "枚") else None
    suffix = suffix or _JA_SUFFIX.get(_dimension(unit), "")
    if not suffix or noun.endswith((suffix, suffix[-1], "数", "率", "量")):
        return noun
    return noun + suffix


def _fallback_name(unit: str, language: Language) -> str:
    dimension = _dimension(unit).split("/")[0]
    names = _FALLBACK_NAMES.get(dimension) or _FALLBACK_NAMES.get(unit.split("/")[0])
    if names:
        return names[0] if language == "ja" else names[1]
    base = unit.split("/")[0]
    if language == "ja" and base in _COUNTERS:
        return _COUNTERS[base]
    if base and not base.isascii() and base not in _COUNTERS and len(base) > 1:
        return base
    if base.isalpha() and base.isascii() and len(base) > 2:
        return base
    return "数値" if language == "ja" else "value"


def _japanese_label(chunk: str) -> str:
    previous = None
    while chunk and chunk != previous:
        previous = chunk
        chunk = _JA_TAIL.sub("", chunk.rstrip())
    for particle in ("は", "が"):
        head, found, tail = chunk.rpartition(particle)
        if found and len(head) >= 2:
            chunk = tail if head.strip() in _NOT_NAMES and tail.strip() else head
    return _PERIOD_HEAD.sub("", chunk.strip()[-20:].strip())


# A period said before a measure's name (`先月の可用性`, `last quarter's churn`) is no part of it.
_PERIOD_HEAD = re.compile(
    r"^(?:先月|今月|先週|今週|前月|当月|昨年|今年|去年|前期|今期|前回|今回|直近|今だと|今では|いまは|今は|現在は|だと)(?:の|は)?\s*"
    r"|^(?:last|this|previous|current) (?:week|month|quarter|year|sprint)(?:'s)?\s+",
    re.IGNORECASE,
)


# A rate said where the name would be (`1リクエストあたり`, `per request`) names no measure.
_RATE_NAME = re.compile(r"^\d*\s?\S{1,10}(?:あたり|当たり)$|^per \w+$", re.IGNORECASE)


def _ends_in_noun(label: str) -> bool:
    """`呼び出し`, `引き出し` end like a verb stem but are nouns: the analyser tells them apart."""
    if not _CJK.search(label):
        return False
    from coach.text.japanese import analyse

    words = analyse(label)
    return bool(words) and words[-1].major == "名詞"


def value_roles(text: str) -> set[str]:
    """The roles (before/after) cues give the values in `text`: `now 3.1%` → {after}."""
    folded = fold(text)
    sentences = _boundaries(_SENTENCE_END, folded)
    return {
        role
        for quantity in _quantities(folded, _boundaries(_CLAUSE_END, folded))
        if not quantity.target and (role := _role(folded, sentences, quantity))
    }


def _english_label(chunk: str) -> str:
    """The noun phrase ending just before the numbers: `Reduced p99 latency of the API by` → p99 latency."""
    words = re.findall(r"[A-Za-z0-9][\w\-/.+]*", chunk)
    while words and words[-1].lower() in _EN_STOP:
        words.pop()
    phrase: list[str] = []
    for word in reversed(words):
        lower = word.lower()
        if (lower in _EN_STOP and lower not in _EN_JOIN) or len(phrase) == 8:
            break
        phrase.insert(0, word)
    while phrase and phrase[0].lower() in _EN_JOIN:
        phrase.pop(0)
    lowered = [w.lower() for w in phrase]
    if "of" in lowered[2:]:
        phrase = phrase[: lowered.index("of", 2)]
    return _PERIOD_HEAD.sub("", " ".join(phrase))


# --------------------------------------------------------------------------- pairing rules

# Every before→after pair names the rule that read it; `Metric.why` shows the description.
PAIR_RULES = {
    "arrow": "arrow between the values (A → B)",
    "from-to": "from A to B / AからBに",
    "reversed-order": "after stated first, then its before (B instead of A, B (was A))",
    "arrow-chain": "steps A → B → C: first to last",
    "before-marker": "A told as the old state (かかっていた, was), then B marked as the new one",
    "table-columns": "table row under Before/After columns",
    "labelled-lines": "lines labelled before/after (Before:, 改善前:, last/this quarter)",
    "role-cues": "before cue (以前, used to, was) and after cue (今は, now, になった) on the same measure",
    "stated-change": "a change stated as an amount (週2時間削減, by 35%)",
    "period-labels": "each value tagged with its own period (上期は A → 下期は B, A in March to B in May)",
}


def _adjacent_rule(folded: str, first: Quantity, second: Quantity) -> str:
    between = folded[first.end : second.start]
    if _ARROW_BETWEEN.fullmatch(between):
        return "arrow"
    if _KARA_BETWEEN.fullmatch(between) or _TO_BETWEEN.fullmatch(between):
        return "from-to"
    return "before-marker"


# An intermediate step: `920KB → 640KB（first fix）→ 410KB` — an arrow, maybe after a remark.
_CHAIN_BETWEEN = re.compile(r"\s*(?:[(（][^()（）\n]{0,60}[)）])?\s*(?:→|-+>|=+>)\s*")


def _chain_end(folded: str, quantities: list[Quantity], j: int, used: set[int]) -> tuple[int, bool]:
    """The last value of a chain of arrows starting at quantities[j] (920→640→410 gives 410)."""
    chained = False
    while j + 1 < len(quantities) and j + 1 not in used:
        here, there = quantities[j], quantities[j + 1]
        if not _CHAIN_BETWEEN.fullmatch(folded[here.end : there.start]) or there.target:
            break
        if here.unit and there.unit and common_unit(here.unit, there.unit) is None:
            break
        j, chained = j + 1, True
    return j, chained


# A setting changed as part of the fix (pool size, timeouts, shard counts, limits, intervals):
# the lever that was moved, not the result it bought. Matched in the words just before the value.
SETTING_WORDS = re.compile(
    r"(?:pool(?: size)?|(?:batch|heap|bulk|chunk|page|cache|buffer) size|timeout(?!\s*(?:rate|率|errors?))|タイムアウト値|タイムアウト設定|閾値|threshold|limit|上限|下限"
    r"|シャード数?|shards?|replicas?|レプリカ数?|workers?|ワーカー数?|並列数|concurrency|ttl|batch size|バッチサイズ"
    r"|interval|auto-suspend|設定値|parallelism|heap|-Xmx|max[_ ]?\w*|min[_ ]?replicas)"
    r"\s*(?:を|は|が|:|：|=|of|from|was)?\s*(?:約|~)?\s*$",
    re.IGNORECASE,
)


def _is_setting(folded: str, before: Quantity) -> bool:
    head = folded[max(0, before.start - 30) : before.start]
    head = re.split(r"[。.;；\n、,(（]", head)[-1]
    return bool(SETTING_WORDS.search(head))


# Cues that a value is the state before the work or after it, anywhere in its sentence up to
# the value (the head) or in the rest of its clause (the tail).
BEFORE_CUES_HEAD = re.compile(
    r"\b(?:used to|previously|originally|before|formerly|had been|last (?:week|month|quarter|year|sprint|time))\b"
    r"|\bfor (?:q[1-4]|h[12])\b.{0,20}\bwas\b|\bwas\s$|\bwere\s$|\bit was\b"
    r"|以前|前は|これまで|今まで|従来|当初|元々|もともと|改善前|導入前|変更前|対応前|先週|先月|昨年|前回|前期|ベースライン|baseline",
    re.IGNORECASE,
)
BEFORE_CUES_TAIL = re.compile(
    r"^[^。.;!?\n,、]{0,24}?(?:かかっていた|かかってた|だった|でした|あった|ありました|ていた|でいた|ていました"
    r"|\bbefore\b|\bpreviously\b|\bearlier\b)",
    re.IGNORECASE,
)
AFTER_CUES_HEAD = re.compile(
    r"\b(?:now|today|currently|these days|after|since|this (?:week|month|quarter|year|sprint)|came in at|is down to"
    r"|with (?:the )?new|these days"
    r"|dropped to|fell to|went down to)\b"
    r"|今は|いまは|今だと|今では|現在|今週|今月|今期|改善後|導入後|変更後|対応後|移行後",
    re.IGNORECASE,
)
AFTER_CUES_TAIL = re.compile(
    r"^[^。.;!?\n,、]{0,16}?(?:まで(?:減|下が|短縮|改善|上が|増|伸び|落ち)|に(?:減|下が|短縮|改善|なっ|上が|増え|向上)"
    r"|で(?:終わ|済|完了)|\bnow\b)",
    re.IGNORECASE,
)
_PAIR_DISTANCE = 400


def _role(folded: str, sentences: list[int], quantity: Quantity) -> str:
    """before, after or "" for a value, from the cues around it in its sentence."""
    start = max(_segment_start(sentences, quantity.start), quantity.start - 200)
    head = folded[start : quantity.start]
    tail = folded[quantity.end : quantity.end + 40]
    before_tail, after_tail = BEFORE_CUES_TAIL.match(tail), AFTER_CUES_TAIL.match(tail)
    if before_tail and not after_tail and not quantity.after_marker:
        return "before"
    if after_tail and not before_tail and not quantity.before_marker:
        return "after"
    before_at = max((m.end() for m in BEFORE_CUES_HEAD.finditer(head)), default=-1)
    after_at = max((m.end() for m in AFTER_CUES_HEAD.finditer(head)), default=-1)
    before = quantity.before_marker or before_at >= 0 or bool(before_tail)
    after = quantity.after_marker or after_at >= 0 or bool(after_tail)
    if before and after and not (quantity.before_marker or quantity.after_marker) and before_at != after_at:
        return "before" if before_at > after_at else "after"  # the cue nearest the value decides
    if before and after:
        if quantity.after_marker and not quantity.before_marker:
            return "after"
        if quantity.before_marker and not quantity.after_marker:
            return "before"
        return ""
    return "before" if before else "after" if after else ""


def role_pairs(
    folded: str, sentences: list[int], quantities: list[Quantity], used: set[int]
) -> list[tuple[int, int, str]]:
    """Pairs decided over every value left: a before-cued and an after-cued value of one measure.

    Either may come first (`now 7 min; it used to take 18`). Values of one dimension are paired
    nearest first; a value without a unit only pairs when a cue sits right next to it
    (`it was 48`), and never with another unitless value across sentences.
    """
    roles: dict[int, str] = {}
    for index, quantity in enumerate(quantities):
        if index in used or quantity.target or (quantity.delta_marker and quantity.ratio is None):
            continue
        role = _role(folded, sentences, quantity)
        if role:
            roles[index] = role
    candidates: list[tuple[int, int, int]] = []
    afters = [a for a, role in roles.items() if role == "after"]
    after_starts = [quantities[a].start for a in afters]
    for b, role in roles.items():
        if role != "before" or quantities[b].ratio is not None:
            continue
        low = bisect.bisect_left(after_starts, quantities[b].start - _PAIR_DISTANCE)
        high = bisect.bisect_right(after_starts, quantities[b].start + _PAIR_DISTANCE)
        for a in afters[low:high]:
            before, after = quantities[b], quantities[a]
            distance = abs(after.start - before.start)
            if (
                distance > _PAIR_DISTANCE
                or "\n\n" in folded[min(before.end, after.end) : max(before.start, after.start)]
            ):
                continue
            if not _compatible(before, after) or (before.value == after.value and before.unit == after.unit):
                continue  # the same count said twice (`4件発生` … `4件すべて`) is no change
            if not before.unit and not after.unit:
                continue
            if not before.unit and not (
                before.before_marker or _BARE_BEFORE.search(folded, max(0, before.start - 12), before.start)
            ):
                continue
            if not after.unit and after.ratio is None:
                continue
            if after.ratio is not None and not _applies_ratio(before, after):
                continue
            candidates.append((distance, b, a))
    pairs: list[tuple[int, int, str]] = []
    taken: set[int] = set()
    for _distance, b, a in sorted(candidates):
        if b in taken or a in taken:
            continue
        taken.update((b, a))
        pairs.append((b, a, "role-cues"))
    return pairs


# A period a value is tagged with: quarters, halves, fiscal years, months, relative periods.
PERIOD_LABEL = (
    r"(?:q[1-4]|h[12]|fy\s?\d{2,4}|(?:19|20)\d{2}年?|\d{1,2}月|第[1-4]四半期|[上下]半?期|前期|今期|前年|今年|昨年"
    r"|先月|今月|前月|当月|先週|今週|前四半期|今四半期|"
    + "|".join(sorted({*MONTHS_EN, "sept"}, key=len, reverse=True))
    + r"|(?:last|this|previous) (?:week|month|quarter|year|half|sprint))"
)
_PERIOD_ASIDE = r"(?:\s*\([^()\n]{0,40}\))?"
_PERIOD_TOPIC = r"\s*(?:は|が|:|で|には|では)?\s*"
# `上期は 8 回 → 下期（10/1〜）は 3 回`, `H1: 30 → H2: 12`: each value right after its own period.
_PERIOD_HEAD = re.compile(
    rf"(?<![a-z0-9])(?P<p>{PERIOD_LABEL}){_PERIOD_ASIDE}{_PERIOD_TOPIC}$", re.IGNORECASE
)
_PERIOD_BETWEEN = re.compile(
    rf"(?:\s+[a-z][a-z-]*){{0,2}}\s*(?P<sep>→|-+>|から|to|vs\.?|、|,)\s*"
    rf"(?P<p>{PERIOD_LABEL}){_PERIOD_ASIDE}{_PERIOD_TOPIC}",
    re.IGNORECASE,
)
# `5 in June to 1 in July`: each value right before its own period.
_PERIOD_TAIL_BETWEEN = re.compile(
    rf"\s+(?:in|during|for)\s+(?P<p>{PERIOD_LABEL})\s*(?P<sep>→|-+>|to|vs\.?|,)\s*", re.IGNORECASE
)
_PERIOD_TAIL = re.compile(rf"\s+(?:in|during|for)\s+(?P<p>{PERIOD_LABEL})(?![a-z])", re.IGNORECASE)


def period_pairs(folded: str, quantities: list[Quantity], used: set[int]) -> list[tuple[int, int, int]]:
    """Pairs of neighbouring values that each carry a different period label, with the position
    the measure's name ends at (before the first label, so the label is not read as the name).

    A list separator (、 ,) only pairs when the second value is marked as the new state
    (`1月は 40 回、3月は 12 回に減った`): a plain list of monthly values is no before→after.
    """
    pairs: list[tuple[int, int, int]] = []
    for i in range(len(quantities) - 1):
        first, second = quantities[i], quantities[i + 1]
        if i in used or i + 1 in used or first.target or second.target or not _compatible(first, second):
            continue
        between = folded[first.end : second.start]
        head = _PERIOD_HEAD.search(folded, max(0, first.start - 60), first.start)
        lead = _PERIOD_BETWEEN.fullmatch(between)
        tail = _PERIOD_TAIL.match(folded, second.end)
        trail = _PERIOD_TAIL_BETWEEN.fullmatch(between)
        if head and lead:
            labels, sep, anchor = (head.group("p"), lead.group("p")), lead.group("sep"), head.start()
        elif trail and tail:
            labels, sep, anchor = (trail.group("p"), tail.group("p")), trail.group("sep"), first.start
        else:
            continue
        if labels[0].lower() == labels[1].lower():
            continue
        if sep in ("、", ",") and not second.after_marker:
            continue
        pairs.append((i, i + 1, anchor))
        used.update((i, i + 1))
    return pairs


_BARE_BEFORE = re.compile(r"(?:\bwas|\bwere|\bfrom|\bof|は|が|:|：)\s?$", re.IGNORECASE)


# --------------------------------------------------------------------------- blocks

# Column headers and line labels that say "before" or "after".
BEFORE_LABEL = re.compile(
    r"\bbefore\b|\bold\b|\bprevious(?:ly)?\b|\bbaseline\b|\blast (?:week|month|quarter|year|sprint|half)\b|\bwas\b"
    r"|改善前|導入前|変更前|対応前|移行前|施策前|以前|従来|旧|ベースライン|[(（]前[)）]|^前$|先週|先月|前月|前期|前回",
    re.IGNORECASE,
)
AFTER_LABEL = re.compile(
    r"\bafter\b|\bnew\b|\bnow\b|\bcurrent(?:ly)?\b|\bthis (?:week|month|quarter|year|sprint|half)\b"
    r"|改善後|導入後|変更後|対応後|移行後|施策後|現在|新|[(（]後[)）]|^後$|今週|今月|当月|今期|今回",
    re.IGNORECASE,
)
_NAME_LABEL = re.compile(
    r"^\s*(?:metric|指標|kpi|measure)\s*[:：]\s*(?P<name>[^\n]{1,40}?)\s*$", re.IGNORECASE | re.MULTILINE
)
_TABLE_LINE = re.compile(r"^[ \t]*\|.*\|[ \t]*$", re.MULTILINE)
_LABEL_LINE = re.compile(
    r"^[ \t]*(?:[-*・•]\s*)?(?P<label>[^:：\n|]{1,40}?)\s*[:：]\s*(?P<rest>[^\n]*)$", re.MULTILINE
)
_ROLE_WORDS = re.compile(
    r"\s*(?:[(（]\s*(?:前|後|before|after)\s*[)）]|\b(?:before|after|last|this|previous|current)\b"
    r"(?:\s+(?:week|month|quarter|year|sprint|half))?|改善前|改善後|導入前|導入後|変更前|変更後)\s*",
    re.IGNORECASE,
)


def block_pairs(folded: str, quantities: list[Quantity]) -> list[tuple[int, int, str, str]]:
    """Pairs laid out as blocks: table rows under Before/After columns and labelled lines.

    Returns (before index, after index, rule, name); the name comes from the row's first cell
    or the label without its before/after word (`失敗率（前）` → 失敗率).
    """
    if "|" not in folded and ":" not in folded and "：" not in folded:
        return []
    starts = [q.start for q in quantities]
    pairs = _table_pairs(folded, quantities, starts)
    taken = {i for pair in pairs for i in pair[:2]}
    pairs += [p for p in _label_pairs(folded, quantities, starts) if p[0] not in taken and p[1] not in taken]
    return pairs


def _in_span(starts: list[int], quantities: list[Quantity], start: int, end: int) -> list[int]:
    first = bisect.bisect_left(starts, start)
    out = []
    for index in range(first, len(quantities)):
        if quantities[index].start >= end:
            break
        out.append(index)
    return out


def _cells(row: str, offset: int) -> list[tuple[int, int]]:
    spans = []
    cursor = offset
    parts = row.split("|")
    for position, part in enumerate(parts):
        if 0 < position < len(parts) - 1 or part.strip():
            spans.append((cursor, cursor + len(part)))
        cursor += len(part) + 1
    return spans


def _table_pairs(
    folded: str, quantities: list[Quantity], starts: list[int]
) -> list[tuple[int, int, str, str]]:
    pairs: list[tuple[int, int, str, str]] = []
    header: list[str] | None = None
    columns: tuple[int, int] | None = None
    for match in _TABLE_LINE.finditer(folded):
        row = match.group()
        cells = _cells(row.strip(), match.start() + (len(row) - len(row.lstrip())))
        texts = [folded[a:b].strip() for a, b in cells]
        if all(re.fullmatch(r":?-{2,}:?", t) for t in texts if t):
            continue
        if header is None or _starts_table(folded, match.start()):
            header, columns = texts, _before_after_columns(texts)
            continue
        if columns is None or max(columns) >= len(cells):
            continue
        before = _in_span(starts, quantities, *cells[columns[0]])
        after = _in_span(starts, quantities, *cells[columns[1]])
        if before and after and _compatible(quantities[before[0]], quantities[after[0]]):
            name = (
                texts[0]
                if min(columns) > 0 and texts[0] and not _in_span(starts, quantities, *cells[0])
                else ""
            )
            pairs.append((before[0], after[-1], "table-columns", name))
    return pairs


def _starts_table(folded: str, start: int) -> bool:
    """A table row right after a non-table line (or a blank line) is a new table's header."""
    previous_end = folded.rfind("\n", 0, max(0, start - 1))
    previous = folded[previous_end + 1 : max(0, start - 1)].strip()
    return not (previous.startswith("|") or re.fullmatch(r"\|?[\s:|-]+\|?", previous or "x"))


def _before_after_columns(header: list[str]) -> tuple[int, int] | None:
    before = next((i for i, t in enumerate(header) if BEFORE_LABEL.search(t)), None)
    after = next((i for i, t in enumerate(header) if AFTER_LABEL.search(t) and i != before), None)
    if before is None or after is None:
        return None
    return before, after


_ROLE_HEADER = re.compile(
    r"^\s*(?:#{1,6}\s*|\*\*|__)?(?P<word>before|after|改善前|改善後|導入前|導入後|変更前|変更後|対応前|対応後)"
    r"(?:\*\*|__)?\s*[:：]?\s*(?:\*\*|__)?\s*$",
    re.IGNORECASE,
)


def _label_pairs(
    folded: str, quantities: list[Quantity], starts: list[int]
) -> list[tuple[int, int, str, str]]:
    """`Before: 12分` / `After: 4分`, `改善前：5時間半`, `X（前）: 0.42%` — also a label line
    alone (`Before:`) whose values are on the lines below it, up to the next label."""
    sides: dict[str, list[tuple[int, str]]] = {"before": [], "after": []}
    role = ""
    role_name = ""
    header = False
    name_match = _NAME_LABEL.search(folded)
    block_name = name_match.group("name") if name_match else ""
    line_start = 0
    for line in folded.split("\n"):
        line_end = line_start + len(line)
        label = _LABEL_LINE.match(line)
        alone = _ROLE_HEADER.match(line)
        if alone:
            role = "before" if BEFORE_LABEL.search(alone.group("word")) else "after"
            role_name, header = "", True
            line_start = line_end + 1
            continue
        if not line.strip():
            role, header = "", False
        elif label:
            text = label.group("label")
            here = "before" if BEFORE_LABEL.search(text) else "after" if AFTER_LABEL.search(text) else ""
            if here == "before" and AFTER_LABEL.search(text):
                here = ""
            if here:
                role = here
                stripped = _ROLE_WORDS.sub(" ", text).strip(" ・-*")
                # `失敗率（前）` names its measure; `ベースライン` or `Before` is a role alone
                role_name = stripped if stripped != text.strip(" ・-*") else ""
                header = not label.group("rest").strip()
            elif not header:
                role = ""  # a labelled line of its own kind ends a one-line `Before: …` block
            else:
                role_name = text.strip(" ・-*")  # `Queue lag: 45 min` under a `Before:` header
        if role:
            value_from = line_start + (label.start("rest") if label else 0)
            for index in _in_span(starts, quantities, value_from, line_end):
                if not quantities[index].target:
                    sides[role].append((index, role_name))
        line_start = line_end + 1
    pairs: list[tuple[int, int, str, str]] = []
    taken: set[int] = set()
    for b, name in sides["before"]:
        for a, after_name in sides["after"]:
            if a in taken or not _compatible(quantities[b], quantities[a]):
                continue
            if name and after_name and name != after_name:
                continue
            if not quantities[b].unit and not quantities[a].unit and not (name or block_name):
                continue
            taken.add(a)
            chosen = (name or after_name or block_name).strip()
            pairs.append((b, a, "labelled-lines", chosen if len(chosen) >= 2 else block_name))
            break
    return pairs
