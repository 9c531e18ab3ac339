"""Dates written in notes: due dates (`期限: 3/14`, `due Mar 14`, `by Friday`) resolved against
the meeting's date."""

from __future__ import annotations

import datetime as dt
import re

from coach.text.dates import MONTHS_EN
from coach.text.months import add_months, month_of, month_range
from coach.text.similarity import nfkc

# --------------------------------------------------------------------------- dates


_DATE_TOKEN = (
    r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
    r"|\d{1,2}\s*[/月]\s*\d{1,2}\s*日?"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s*\d{4})?"
    r"|(?:(?:this|next)\s+)?(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\b\.?"
    r"|(?:来週の?)?[月火水木金土日]曜日?"
)
_WEEKDAY = re.compile(
    r"(?:(this|next)\s+)?(mon|tue|wed|thu|fri|sat|sun)[a-z]*|(来週の?)?([月火水木金土日])曜", re.IGNORECASE
)
_WEEKDAYS = {
    **{d: i for i, d in enumerate(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])},
    **{d: i for i, d in enumerate("月火水木金土日")},
}
_DUE_WORDS = r"期限|期日|締切|締め切り|〆切|納期|due(?:\s+date)?|by|deadline"
_DUE_PATTERNS = [
    re.compile(rf"\s*\(\s*(?:{_DUE_WORDS})\s*[:]?\s*({_DATE_TOKEN})\s*(?:まで(?:に)?)?\s*\)", re.IGNORECASE),
    re.compile(rf"\s*\(\s*({_DATE_TOKEN})\s*(?:まで(?:に)?|迄)?\s*\)\s*$", re.IGNORECASE),
    re.compile(rf"\s*[-—,、]?\s*(?:{_DUE_WORDS})\s*[:]?\s*({_DATE_TOKEN})\s*$", re.IGNORECASE),
    re.compile(rf"\s*[-—,、]?\s*({_DATE_TOKEN})\s*(?:まで(?:に)?|迄)\s*$", re.IGNORECASE),
]


def parse_date(token: str, near: dt.date | None = None) -> dt.date | None:
    """A date in any common notation; a month/day without year takes the year that puts it
    closest after `near` (a due date two months before the meeting belongs to next year)."""
    text = nfkc(token).strip().lower()
    if weekday := _WEEKDAY.fullmatch(text.rstrip(".日")):
        return _next_weekday(weekday, near)
    if match := re.match(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})", text):
        year, month, day = (int(g) for g in match.groups())
    elif match := re.match(r"(\d{1,2})\s*[/月]\s*(\d{1,2})", text):
        year, month, day = (near or dt.date.today()).year, int(match.group(1)), int(match.group(2))
    elif match := re.match(r"([a-z]{3})[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s*(\d{4}))?", text):
        if match.group(1) not in MONTHS_EN:
            return None
        month, day = MONTHS_EN[match.group(1)], int(match.group(2))
        year = int(match.group(3)) if match.group(3) else (near or dt.date.today()).year
    else:
        return None
    try:
        found = dt.date(year, month, day)
    except ValueError:
        return None
    explicit_year = bool(re.match(r"\d{4}", text)) or bool(re.search(r"\d{4}\s*$", text))
    if near and not explicit_year and found < near - dt.timedelta(days=60):
        try:
            found = found.replace(year=found.year + 1)
        except ValueError:
            return None
    return found


def _next_weekday(match: re.Match[str], near: dt.date | None) -> dt.date | None:
    """`by Friday` said in a meeting: the first such day after it (`next Friday`, `来週の金曜`:
    the one in the following week)."""
    if near is None:
        return None
    target = _WEEKDAYS[(match.group(2) or match.group(4)).lower()]
    ahead = (target - near.weekday()) % 7 or 7
    if match.group(1) == "next" or match.group(3):
        ahead = target - near.weekday() + 7
    return near + dt.timedelta(days=ahead)


def split_due(text: str, meeting_date: dt.date | None = None) -> tuple[str, dt.date | None]:
    """Remove the due-date note from an action and parse it: `X (期限: 2/3)` -> (`X`, date)."""
    normalized = nfkc(text)
    source = normalized if len(normalized) != len(text) else text
    probe = normalized
    for pattern in _DUE_PATTERNS:
        match = pattern.search(probe)
        if match:
            due = parse_date(match.group(1), meeting_date)
            if due:
                return (source[: match.start()] + source[match.end() :]).strip(), due
    return text.strip(), None


# --------------------------------------------------------------------------- relative due dates
#
# Conventions (a due written as a span ends at the span's last working reference):
#   来週中 / next week          -> Friday of the week after the meeting
#   今週中 / this week / EOW    -> Friday of the meeting's week
#   N月末 / N月中 / N月下旬 / in April / by end of April -> last day of the month
#   N月前半 / N月中旬 -> the 15th;  N月上旬 -> the 10th;  N月後半 -> last day
#   N月第k週 -> Friday of the k-th Mon–Fri week holding a day of month N (a weekend 1st rolls on)
#   `— Fri`, `by Friday` -> the next such weekday after the meeting


def _friday(day: dt.date, weeks_ahead: int = 0) -> dt.date:
    monday = day - dt.timedelta(days=day.weekday())
    return monday + dt.timedelta(days=4 + 7 * weeks_ahead)


def _month_end(year: int, month: int) -> dt.date:
    return month_range(year, month)[1]


def _year_for(month: int, near: dt.date) -> int:
    """A month without a year: the meeting's year, or the next when it is well past."""
    return near.year + 1 if month < near.month - 2 else near.year


def _nth_week_friday(year: int, month: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    if first.weekday() >= 5:  # a Saturday/Sunday 1st belongs to no Mon–Fri week of this month
        first += dt.timedelta(days=7 - first.weekday())
    return _friday(first, n - 1)


_JA_MONTH_PART = re.compile(r"(\d{1,2})\s*月\s*(末|中|内|下旬|中旬|上旬|前半|後半|初め|頭)")
_JA_NTH_WEEK = re.compile(r"(\d{1,2})\s*月\s*第\s*([1-5])\s*週")
_EN_MONTH_SPAN = re.compile(
    r"\b(?:by\s+)?(?:the\s+)?(?:(end|middle|mid|beginning|start)\s*(?:-|of)?\s*)?(?:in\s+)?"
    r"(january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\b(?!\s*\d)"
)
_WEEK_WORDS: list[tuple[re.Pattern[str], int]] = [
    (re.compile(r"来週中|来週いっぱい|来週まで|\bnext week\b|\bby next week\b"), 1),
    (
        re.compile(
            r"今週中|今週いっぱい|今週まで|\bthis week\b|\bby (?:the )?end of (?:the )?week\b|\beow\b"
        ),
        0,
    ),
]
_MONTH_WORDS = re.compile(
    r"今月中|今月末|今月いっぱい|\bend of (?:the |this )?month\b|\beom\b|\bthis month\b"
)
_NEXT_MONTH = re.compile(r"来月中|来月末|来月いっぱい|\bnext month\b")
_PART_DAY = {"前半": 15, "中旬": 15, "上旬": 10, "初め": 10, "頭": 5}


def relative_due(text: str, meeting_date: dt.date) -> dt.date | None:
    """A due written as a span of time, resolved against the meeting's date (see the table above)."""
    key = nfkc(text).lower()
    if match := _JA_NTH_WEEK.search(key):
        month, n = int(match.group(1)), int(match.group(2))
        return _nth_week_friday(_year_for(month, meeting_date), month, n) if 1 <= month <= 12 else None
    if match := _JA_MONTH_PART.search(key):
        month = int(match.group(1))
        if not 1 <= month <= 12:
            return None
        year = _year_for(month, meeting_date)
        day = _PART_DAY.get(match.group(2))
        return dt.date(year, month, day) if day else _month_end(year, month)
    for pattern, weeks in _WEEK_WORDS:
        if pattern.search(key):
            return _friday(meeting_date, weeks)
    if _MONTH_WORDS.search(key):
        return month_of(meeting_date)[1]
    if _NEXT_MONTH.search(key):
        return month_of(add_months(meeting_date, 1))[1]
    if match := _EN_MONTH_SPAN.search(key):
        found = MONTHS_EN.get(match.group(2)[:3])
        if found is None:
            return None
        month = found
        year = _year_for(month, meeting_date)
        if match.group(1) in ("middle", "mid"):
            return dt.date(year, month, 15)
        if match.group(1) in ("beginning", "start"):
            return dt.date(year, month, 10)
        return _month_end(year, month)
    return None


_SPAN_TOKEN = (
    r"\d{1,2}\s*月\s*第\s*[1-5]\s*週|\d{1,2}\s*月\s*(?:末|中|内|下旬|中旬|上旬|前半|後半|初め|頭)"
    r"|来週中|来週いっぱい|今週中|今週いっぱい|今月中|今月末|来月中|来月末"
    r"|(?:the\s+)?end\s+of\s+(?:the\s+)?(?:week|month|[a-z]+)|next\s+week|this\s+week|eow|eom"
)
_DUE_LEAD = r"期限|期日|締切|締め切り|〆切|〆|納期|due(?:\s+date)?|deadline|by|until"
_ANY_TOKEN = rf"(?:{_SPAN_TOKEN}|{_DATE_TOKEN})"
# The due note of an action, tried in order; the first that parses wins.
_FIND_PATTERNS = [
    # `(期限: 5/9)`, `(due 7/21)`, `（〆切 3/12）`, `（2月末まで）`, `(10/8 の 1on1 まで)`, `(by 11/4)`
    re.compile(
        rf"\s*[(（]\s*(?:(?:{_DUE_LEAD})\s*[:：]?\s*)?({_ANY_TOKEN})(?:\s*\([月火水木金土日]\))?"
        rf"\s*(?:[^()（）]{{0,12}}?まで(?:に)?|迄)?\s*[)）]",
        re.IGNORECASE,
    ),
    # `… 〆切 1/23`, `… 期限: 6月14日`, `… due: Mar 9`, `… by Friday`, `… — Fri`, `… by end of August`
    re.compile(
        rf"\s*[-—–,、]?\s*(?:(?:{_DUE_LEAD})\s*[:：]?|[—–]|\bon\b)\s*({_ANY_TOKEN})(?:\s*\([月火水木金土日]\))?"
        rf"\s*(?:まで(?:に)?)?\s*$",
        re.IGNORECASE,
    ),
    # `… 6/5 まで`, `… 2月第1週まで`, `… 来週中`, `… 1月中`, `… in April`
    re.compile(rf"\s+({_ANY_TOKEN})\s*(?:まで(?:に)?|迄)?\s*$", re.IGNORECASE),
    re.compile(
        r"\s+(in\s+(?:january|february|march|april|may|june|july|august|september|october"
        r"|november|december))\s*$",
        re.IGNORECASE,
    ),
]
# A due written inside the sentence stays in the action's text: `資料を 4/9 までに送る`.
_INLINE_DUE = re.compile(rf"({_ANY_TOKEN})\s*(?:まで(?:に)?|迄)", re.IGNORECASE)


def _resolve(token: str, meeting_date: dt.date) -> dt.date | None:
    return relative_due(token, meeting_date) or parse_date(token, meeting_date)


def find_due(text: str, meeting_date: dt.date) -> tuple[str, dt.date | None, str | None]:
    """(the action without its due note, the due date, the note as written).

    A trailing or bracketed note (`(due 6/14)`, `〆切 2/14`, `2月末まで`, `— Fri`) is removed
    from the action; a due inside the sentence (`資料を 4/9 までに送る`) is read and kept."""
    normalized = nfkc(text)
    source = normalized if len(normalized) != len(text) else text
    for pattern in _FIND_PATTERNS:
        match = pattern.search(normalized)
        if match and (due := _resolve(match.group(1), meeting_date)):
            cleaned = (source[: match.start()] + source[match.end() :]).strip()
            if cleaned:
                return cleaned, due, match.group(0).strip(" ()（）")
    if (match := _INLINE_DUE.search(normalized)) and (due := _resolve(match.group(1), meeting_date)):
        return text.strip(), due, match.group(0).strip()
    return text.strip(), None, None
