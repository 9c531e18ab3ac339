"""Before→after metrics read from notes, each traced to the exact span it came from.

One pass finds every quantity (number + unit + qualifier) in the folded text; a second pass
looks only at the short text between neighbouring quantities to pair them (`→`, `から…に`,
`from … to`, `instead of`, `…かかっていた。…になった`). No regex spans more than a few dozen
characters, so the cost is linear in the length of the notes. Quantities in a clause that
states a goal (目標, target, SLA) are never results.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from coach.models import Language, Metric
from coach.text import NUMBER, canonical_unit, change_pct, common_unit, detect_language, fold, unit_scale

_UNIT = (
    r"ミリ秒|milliseconds?|msec|ms|seconds?|secs?|s(?![A-Za-z])|秒|minutes?|mins?|min(?![A-Za-z])|分"
    r"|hours?|hrs?|hr|h(?![A-Za-z])|時間|日間|日|days?|d(?![A-Za-z])|週間|週|weeks?|[ヶかカケ]月|months?"
    r"|年|years?|%|pt|ポイント|points?|[千万億]円|円|万件|万人|万回|万|億|件|回|人|名|台|個|本|枚|行|倍"
    r"|x(?![A-Za-z])|[KMGT]i?B|kB|B(?![A-Za-z])|req/s|rps|qps|RPS|QPS|リクエスト|requests?|reqs?|ドル|USD"
    r"|[ァ-ヶー]{2,12}|[A-Za-z][A-Za-z-]{1,15}"
)
_QUANTITY = re.compile(rf"(?P<num>{NUMBER})(?P<mult>[kKM](?![A-Za-z]))?|(?P<half>半)(?=日|年|時間)")
_UNIT_AT = re.compile(rf"[ \u00a0]?(?P<unit>{_UNIT})")
_PER_AT = re.compile(
    r"\s?(?:/|per\s|a\s)(?P<per>s|sec|second|min|minute|h|hour|day|日|week|週|month|月|year|年)(?![A-Za-z])"
)
_POST_QUALIFIER = re.compile(r"\s?(?P<q>未満|以下|以上|超|強|弱|程度|ほど|くらい|ぐらい|前後)")
_PRE_QUALIFIER = re.compile(
    r"(?P<q>約|およそ|大体|だいたい|ほぼ|about|around|approx\.?|approximately|roughly|~|under|below|"
    r"less than|over|above|more than|(?<![-=])[<>])\s?$",
    re.IGNORECASE,
)
_QUALIFIERS = {
    "未満": "<",
    "以下": "<",
    "under": "<",
    "below": "<",
    "less than": "<",
    "<": "<",
    "以上": ">",
    "超": ">",
    "強": ">",
    "over": ">",
    "above": ">",
    "more than": ">",
    ">": ">",
}
_RATE_PREFIX = re.compile(
    r"(?:(?P<s>毎秒|1秒(?:間)?(?:あたり|当たり)?|秒間)|(?P<d>毎日|1日(?:あたり|当たり)|日に)"
    r"|(?P<w>毎週|1週間?(?:あたり|当たり)|(?<![今先来翌前再])週)|(?P<m>毎月|1[かヶケカ]月(?:あたり|当たり)|月に|月間))"
    r"に?\s?$"
)
_RATE_UNITS = {"s": "s", "d": "日", "w": "週", "m": "月"}
_PER_UNITS = {
    "sec": "s",
    "second": "s",
    "minute": "min",
    "hour": "h",
    "日": "day",
    "週": "week",
    "月": "month",
    "年": "year",
}
_NOT_A_UNIT = {
    "to",
    "from",
    "and",
    "or",
    "in",
    "on",
    "of",
    "the",
    "a",
    "an",
    "instead",
    "per",
    "at",
    "by",
    "with",
    "for",
    "than",
    "more",
    "less",
    "after",
    "before",
    "is",
    "was",
    "were",
    "are",
    "be",
    "then",
    "so",
    "now",
    "this",
    "that",
    "it",
    "we",
    "our",
    "my",
    "am",
    "pm",
    "AM",
    "PM",
    "th",
    "st",
    "nd",
    "rd",
    "down",
    "up",
    "percent",
    "vs",
    "via",
    "into",
    "over",
    "under",
    "since",
    "until",
    "out",
}
_SKIP_AFTER = re.compile(r"(?:[-/:]\d|月\d|(?:あたり|当たり))")
_LIST_MARKER = re.compile(r"(?:^|\n)[ \t]*[(（]?$")

_BEFORE_FOLLOW = re.compile(
    r"\s?(?:程度|ほど|くらい|ぐらい|近く|も)?\s?(?:あった|かかっていた|かかってた|かかっており|かかる|かかり|だった|でした"
    r"|あり|要していた|を要していた|必要だった|発生していた|発生|鳴っていた|出ていた|していた)"
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
    r"\s?(?:に|の|も|分|ほど)?\s?(?:削減|短縮|減少|減らし|減っ|減|カット|節約|削っ|アップ|増加|増え|増|向上|改善"
    r"|高速化|faster|slower|less|fewer|more|cheaper|saved|savings?|reduction|improvement|increase|decrease"
    r"|lower|higher|down|up)(?![a-z])",
    re.IGNORECASE,
)
_DELTA_PRECEDE = re.compile(
    r"(?:by|saved|saving|saves|cut|reduced|trimmed|shaved(?: off)?|freed up)\s(?:about |around |~)?$",
    re.IGNORECASE,
)
_TARGET_WORDS = re.compile(
    r"目標|目指|めざ|ターゲット|予定|計画|見込み|したい|狙い|目安|target|goal|aim(?:ing|ed)?\b|objective"
    r"|plan(?:ned|s)? to|expected to|want to|budget",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[。．!?！？\n;；、,]|\.(?!\d)")
_SENTENCE_END = re.compile(r"[。．!?！？\n]|\.(?!\d)")

_PAIR_WINDOW = 160


@dataclass(frozen=True)
class Quantity:
    """A number with its unit and qualifier, at [start, end) of the notes."""

    value: float
    unit: str
    qualifier: str
    start: int
    end: int
    before_marker: bool
    after_marker: bool
    delta_marker: bool
    target: bool


@dataclass(frozen=True)
class MetricMatch:
    """A metric plus the notes' own wording of its numbers, for statements in the user's words."""

    metric: Metric
    start: int
    end: int
    before_text: str
    after_text: str
    delta: bool = False


def extract_metrics(text: str) -> list[Metric]:
    return [match.metric for match in find_metrics(text)]


def find_metrics(text: str, language: Language | None = None) -> list[MetricMatch]:
    """Every before→after pair and every stated change (`週3時間削減`) in `text`, in order."""
    folded = fold(text)
    language = language or detect_language(text)
    clauses = _boundaries(_CLAUSE_END, folded)
    sentences = _boundaries(_SENTENCE_END, folded)
    quantities = _quantities(folded, clauses)
    matches: list[MetricMatch] = []
    used: set[int] = set()
    for i, first in enumerate(quantities):
        if i in used or first.target:
            continue
        pair = _pair_from(i, quantities, folded, sentences, used)
        if pair is None:
            continue
        j, reversed_order = pair
        used.update((i, j))
        second = quantities[j]
        before, after = (second, first) if reversed_order else (first, second)
        matches.append(_pair_metric(text, folded, clauses, before, after, language))
    pair_ends = [m.end for m in matches]
    for i, quantity in enumerate(quantities):
        if i in used or quantity.target or not quantity.delta_marker:
            continue
        if any(_restates(folded, end, quantity.start) for end in pair_ends):
            continue  # "→90件に減った(70%削減)": the change of the pair just before, said again
        matches.append(_delta_metric(text, folded, clauses, quantity, language))
    matches.sort(key=lambda m: m.start)
    return matches


def _restates(folded: str, pair_end: int, start: int) -> bool:
    gap = folded[pair_end:start] if 0 <= start - pair_end <= 20 else None
    return gap is not None and _CLAUSE_END.search(gap) is None


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
    target_cache: dict[int, bool] = {}
    for match in _QUANTITY.finditer(folded):
        start, end = match.start(), match.end()
        previous = folded[start - 1] if start else ""
        if previous.isascii() and (previous.isalpha() or previous in "-/:.+_#"):
            continue  # P95, v2, EC2, N+1, 2026-01-20, 10:32
        if previous == "月" and match.group("num"):
            continue  # the day of 1月20日
        if _SKIP_AFTER.match(folded, end):
            continue  # dates, times, 1秒あたり
        if folded.startswith((")", ". ", ".\n", "）", "、"), end) and _LIST_MARKER.search(
            folded, max(0, start - 4), start
        ):
            continue  # 1) / 2. at the start of a line
        if match.group("half"):
            value = 0.5
        else:
            value = float(match.group("num").replace(",", ""))
            if match.group("mult"):
                value *= {"k": 1e3, "K": 1e3, "M": 1e6}[match.group("mult")]
        unit = ""
        unit_match = _UNIT_AT.match(folded, end)
        if unit_match and unit_match.group("unit") not in _NOT_A_UNIT:
            unit = canonical_unit(unit_match.group("unit"))
            end = unit_match.end()
            if _SKIP_AFTER.match(folded, end):
                continue  # 1秒あたり, 1日当たり: a rate, not a quantity
            per = _PER_AT.match(folded, end)
            if per:
                unit += "/" + _PER_UNITS.get(per.group("per"), per.group("per"))
                end = per.end()
        elif unit_match is None and folded.startswith("月", end):
            continue  # a month: 3月
        qualifier = ""
        post = _POST_QUALIFIER.match(folded, end)
        if post:
            qualifier = _QUALIFIERS.get(post.group("q"), "~")
            end = post.end()
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
        if clause_start not in target_cache:
            clause = folded[clause_start : _segment_end(clauses, start, len(folded))]
            target_cache[clause_start] = bool(_TARGET_WORDS.search(clause))
        found.append(
            Quantity(
                value=value,
                unit=unit,
                qualifier=qualifier,
                start=start,
                end=end,
                before_marker=bool(_BEFORE_FOLLOW.match(folded, end) or _BEFORE_PRECEDE.search(window)),
                after_marker=bool(_AFTER_FOLLOW.match(folded, end) or _AFTER_PRECEDE.search(window)),
                delta_marker=bool(_DELTA_FOLLOW.match(folded, end) or _DELTA_PRECEDE.search(window)),
                target=target_cache[clause_start],
            )
        )
    return found


def _compatible(first: Quantity, second: Quantity) -> bool:
    if not first.unit or not second.unit:
        return True
    return common_unit(*_shared_rate(first.unit, second.unit)) is not None


def _shared_rate(before_unit: str, after_unit: str) -> tuple[str, str]:
    """`週300件→90件`: the rate written once applies to both sides."""
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
    if not first.before_marker:
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
        if candidate.after_marker and _compatible(first, candidate) and (candidate.unit or first.unit):
            return j, False
    return None


def _pair_metric(
    text: str, folded: str, clauses: list[int], before: Quantity, after: Quantity, language: Language
) -> MetricMatch:
    start, end = min(before.start, after.start), max(before.end, after.end)
    before_unit, after_unit = _shared_rate(before.unit, after.unit)
    shared = common_unit(before_unit, after_unit)
    if shared is None:
        unit, before_value, after_value, pct = f"{before_unit}→{after_unit}", before.value, after.value, None
    else:
        unit, before_factor, after_factor = shared
        before_value = round(before.value * before_factor, 6)
        after_value = round(after.value * after_factor, 6)
        pct = change_pct(before_value, after_value)
    label_at = min(before.start, after.start)
    name = metric_name(folded, _segment_start(clauses, label_at), label_at, unit, language)
    metric = Metric(
        name=name,
        before=before_value,
        after=after_value,
        unit=unit,
        change_pct=pct,
        source=text[start:end],
        qualifier=after.qualifier or before.qualifier,  # type: ignore[arg-type]
    )
    return MetricMatch(metric, start, end, _words(text, before), _words(text, after))


def _delta_metric(
    text: str, folded: str, clauses: list[int], quantity: Quantity, language: Language
) -> MetricMatch:
    """A stated change with no before/after: kept as the amount, never turned into a percentage."""
    name = metric_name(
        folded, _segment_start(clauses, quantity.start), quantity.start, quantity.unit, language
    )
    metric = Metric(
        name=name + ("(変化量)" if language == "ja" else " (change)"),
        after=quantity.value,
        unit=quantity.unit,
        source=text[quantity.start : quantity.end],
        qualifier=quantity.qualifier,  # type: ignore[arg-type]
    )
    words = _words(text, quantity)
    return MetricMatch(metric, quantity.start, quantity.end, "", words, delta=True)


def _words(text: str, quantity: Quantity) -> str:
    return text[quantity.start : quantity.end].strip()


# --------------------------------------------------------------------------- names

_LABEL_PREFIX = re.compile(
    r"^(?:\s*\[\d{1,2}:\d{2}[^\]\n]{0,8}\]\s*[^:：\n]{1,40}[:：])?[\s\-*・•●◦>#\d.)）(（]*(?:(?:状況|課題|行動|結果|成果|Situation|Task|Action|Result)\s?[:：]\s?)?",
    re.IGNORECASE,
)
_JA_TAIL = re.compile(
    r"(?:[\s:：・(（「『,]|毎回|平均(?:で)?|約|およそ|合計(?:で)?|常に|いつも|トータルで|全体で|だいたい|ほぼ|実に"
    r"|\d+(?:\.\d+)?\s?(?:ヶ月|か月|カ月|日間|日|週間|年|時間)で|から|では|には|について|において|として"
    r"|[はがをもので]|に)$"
)
_EN_STOP = {
    "from",
    "dropped",
    "went",
    "fell",
    "rose",
    "grew",
    "improved",
    "reduced",
    "cut",
    "increased",
    "decreased",
    "down",
    "up",
    "was",
    "were",
    "is",
    "are",
    "the",
    "our",
    "my",
    "a",
    "an",
    "by",
    "to",
    "it",
    "has",
    "have",
    "had",
    "been",
    "got",
    "just",
    "only",
    "about",
    "around",
    "approximately",
    "roughly",
    "average",
    "avg",
    "on",
    "of",
    "we",
    "i",
    "they",
    "run",
    "ran",
    "use",
    "used",
    "need",
    "needed",
    "take",
    "took",
    "takes",
    "now",
    "and",
    "so",
    "then",
    "brought",
    "lowered",
    "raised",
    "boosted",
    "shrank",
    "shrunk",
    "trimmed",
    "sped",
    "with",
    "at",
    "in",
    "under",
    "over",
    "below",
    "above",
    "less",
    "than",
    "more",
    "this",
    "that",
    "its",
    "saved",
    "saving",
    "new",
    "old",
    "total",
    "overall",
    "went from",
    "moved",
    "which",
    "also",
}
_FALLBACK_NAMES = {
    "time": ("所要時間", "time"),
    "data": ("サイズ", "size"),
    "%": ("割合", "rate"),
    "円": ("金額", "cost"),
    "$": ("金額", "cost"),
    "req": ("スループット", "throughput"),
}


_COUNTERS = {
    "件": "件数",
    "回": "回数",
    "人": "人数",
    "名": "人数",
    "台": "台数",
    "個": "個数",
    "本": "本数",
    "行": "行数",
    "枚": "枚数",
    "x": "倍率",
    "倍": "倍率",
    "pt": "ポイント",
}


def metric_name(folded: str, clause_start: int, at: int, unit: str, language: Language) -> str:
    """What was measured, from the words just before the numbers (`P95レイテンシは` → `P95レイテンシ`)."""
    chunk = folded[max(clause_start, at - 60) : at]
    chunk = re.split(r"→|->|=>|\s[-–]\s|[(（]", chunk)[-1]
    if at - 60 > clause_start:
        chunk = re.sub(r"^\S*\s?", "", chunk, count=1)  # the window cut a word in two
    chunk = _RATE_PREFIX.sub("", chunk)
    chunk = _LABEL_PREFIX.sub("", chunk)
    if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", chunk):
        name = _japanese_label(chunk)
    else:
        name = _english_label(chunk)
    if name:
        return name
    dimension = unit_scale(unit)[0].split("/")[0]
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
        head, found, _ = chunk.rpartition(particle)
        if found and len(head) >= 2:
            chunk = head
    return chunk.strip()[-20:].strip()


def _english_label(chunk: str) -> str:
    words = re.findall(r"[A-Za-z0-9][\w\-/.+]*", chunk)
    while words and words[-1].lower() in _EN_STOP:
        words.pop()
    while words and words[0].lower() in _EN_STOP:
        words.pop(0)
    return " ".join(words[-4:])
