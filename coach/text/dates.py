"""Dates named in a question (先月, 3月の1on1, in Q2, last sprint) turned into a filter.

The filter is applied before ranking: "what was decided last month" must only consider last
month's meetings, however similar an older meeting's text is. Relative expressions are resolved
against `today` (or the caller's `as_of`). A bare month or quarter means the latest one that has
started by `today`, since people ask about the past. `前回` / `last meeting` cannot be turned into
a range without the meeting list, so it is reported separately by `refers_to_last_meeting`.

Period names (上期, 上半期, H1, Q2, FY2026 ...) are read by `coach.text.periods`, the one
definition shared with the review, so 上半期 in a question is the same fiscal half as
`coach review --period 上半期`; the caller passes the fiscal start month from Settings.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from coach.config import DEFAULT_FISCAL_START_MONTH
from coach.text.months import DateRange, add_months, month_of, month_range
from coach.text.normalize import nfkc_lower
from coach.text.periods import find_named_period

__all__ = [
    "LAST_MEETING",
    "MONTHS_EN",
    "DateRange",
    "add_months",
    "month_of",
    "month_range",
    "parse_date_range",
    "refers_to_last_meeting",
]

MONTHS_EN = {
    name: number
    for number in range(1, 13)
    for name in (calendar.month_name[number].lower(), calendar.month_abbr[number].lower())
}
_EN_MONTH = re.compile(r"\b(" + "|".join(sorted(MONTHS_EN, key=len, reverse=True)) + r")\b\.?(?:\s+(\d{4}))?")
_JA_MONTH = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(?!\s*\d{1,2}日)")
# A span of months: 1〜6月, 1月から6月, 4-6月, 2025年11月〜2026年2月; January to June, from Jan
# through Mar, between April and June. The span wins over the single month it ends on.
_SPAN_SEP = r"\s*(?:[~〜\-–—]|から)\s*"
_JA_SPAN = re.compile(
    r"(?:(\d{4})年)?(\d{1,2})月?" + _SPAN_SEP + r"(?:(\d{4})年)?(\d{1,2})月(?!\s*\d{1,2}日)"
)
_EN_NAME = "|".join(sorted(MONTHS_EN, key=len, reverse=True))
_EN_SPAN = re.compile(
    rf"\b(?:from\s+)?({_EN_NAME})\b\.?(?:\s+(\d{{4}}))?\s*(?:to|through|thru|until|till|[\-–—])\s*"
    rf"({_EN_NAME})\b\.?(?:\s+(\d{{4}}))?"
    rf"|\bbetween\s+({_EN_NAME})\b\.?(?:\s+(\d{{4}}))?\s+and\s+({_EN_NAME})\b\.?(?:\s+(\d{{4}}))?"
)
# A calendar date or period written as a number (2026-06, 6/25, 7月, 7月3日, Q2, H1, FY26): when,
# not how much. A bare 3日 is not one: it is as often three days as the third; nor is a pair
# inside a longer figure (v2.3/4, 10.5/12).
CALENDAR = re.compile(
    r"\d{4}[-/]\d{1,2}(?:[-/]\d{1,2})?|(?<![\d./])\d{1,2}/\d{1,2}(?![\d/])|(?:\d{4}年)?\d{1,2}月(?:\d{1,2}日)?"
    r"|\bq[1-4]\b|\bh[12]\b|\bfy\s?\d{2,4}\b"
)
_ISO_DAY = re.compile(r"\b(\d{4})[-/](\d{1,2})[-/](\d{1,2})\b")
_JA_DAY = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日")
_THIS_FISCAL_YEAR = re.compile(r"今年度|本年度|this fiscal year|this fy\b")
_LAST_FISCAL_YEAR = re.compile(r"昨年度|前年度|去年度|last fiscal year|last fy\b")
_YEAR = re.compile(r"(\d{4})年|\bin (\d{4})\b")

LAST_MEETING = re.compile(
    r"前回(?:の(?:1on1|面談|ミーティング|mtg|打ち合わせ)|は|に話)|この前の1on1|直近の1on1"
    r"|last (?:time|meeting|1on1|one-on-one)|previous (?:meeting|1on1|one-on-one)"
)


def _latest_year(month: int, today: dt.date) -> int:
    """The year of the latest `month` that has begun by `today`."""
    return today.year if month <= today.month else today.year - 1


def refers_to_last_meeting(question: str) -> bool:
    """前回 / last meeting: the caller narrows to the latest meeting on or before as_of."""
    return bool(LAST_MEETING.search(nfkc_lower(question)))


def parse_date_range(
    question: str, today: dt.date, fiscal_start: int = DEFAULT_FISCAL_START_MONTH
) -> DateRange | None:
    """The period a question asks about, or None when it names none.

    `fiscal_start` is `Settings.fiscal_start_month`: 上期/下期, FY and 今年度 count from it."""
    text = nfkc_lower(question)
    named = find_named_period(text, today, fiscal_start)
    found = (
        _relative(text, today, fiscal_start, named is not None) or _day(text, today) or _month(text, today)
    )
    if found:
        return found
    if named:
        return named.from_, named.to
    return _year(text, today)


def _fiscal_year_start(today: dt.date, fiscal_start: int) -> dt.date:
    """First day of the fiscal year `today` falls in."""
    year = today.year if today.month >= fiscal_start else today.year - 1
    return dt.date(year, fiscal_start, 1)


def _relative(text: str, today: dt.date, fiscal_start: int, names_period: bool) -> DateRange | None:
    monday = today - dt.timedelta(days=today.weekday())
    if not names_period:
        # 今年度の上期 names a half: only a bare 今年度 / 昨年度 means the whole fiscal year.
        if _THIS_FISCAL_YEAR.search(text):
            return _fiscal_year_start(today, fiscal_start), today
        if _LAST_FISCAL_YEAR.search(text):
            this_year = _fiscal_year_start(today, fiscal_start)
            return add_months(this_year, -12), this_year - dt.timedelta(days=1)
    if re.search(r"先月|last month|previous month", text):
        return month_of(add_months(today, -1))
    if re.search(r"今月|this month", text):
        return month_range(today.year, today.month)
    if re.search(r"先々月|2か月前|2ヶ月前|two months ago", text):
        return month_of(add_months(today, -2))
    if re.search(r"先週|last week", text):
        return monday - dt.timedelta(days=7), monday - dt.timedelta(days=1)
    if re.search(r"今週|this week", text):
        return monday, today
    if re.search(r"前のスプリント|先スプリント|前スプリント|last sprint|previous sprint", text):
        return today - dt.timedelta(days=14), today
    quarter = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)  # first day of this quarter
    if re.search(r"前四半期|先四半期|前の四半期|last quarter|previous quarter", text):
        return add_months(quarter, -3), quarter - dt.timedelta(days=1)
    if re.search(r"今四半期|this quarter", text):
        return quarter, today
    if season := _season(text, today):
        return season
    if re.search(r"去年|昨年|last year", text):
        return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    if re.search(r"今年|this year", text):
        return dt.date(today.year, 1, 1), today
    if re.search(r"最近|recently|lately", text):
        return today - dt.timedelta(days=30), today
    return None


# Seasons (northern hemisphere, as the calendar in Japan has them), named with a determiner so
# that a verb is not read as one ("did the error rate fall?"): the latest such season that has begun.
SEASONS = {
    "spring": 3,
    "春": 3,
    "summer": 6,
    "夏": 6,
    "autumn": 9,
    "fall": 9,
    "秋": 9,
    "winter": 12,
    "冬": 12,
}
_SEASON = re.compile(
    r"\b(?:over|during|in|this|last|past)\s+(?:the\s+)?(spring|summer|autumn|fall|winter)\b"
    r"|(?:この|今年の|去年の|昨年の)?(春|夏|秋|冬)(?=の間|の|に|は|中|休み|頃|ごろ)"
)


def _season(text: str, today: dt.date) -> DateRange | None:
    found = _SEASON.search(text)
    if not found:
        return None
    month = SEASONS[found.group(1) or found.group(2)]
    start = dt.date(today.year, month, 1)
    while start > today:
        start = add_months(start, -12)
    end = add_months(start, 3) - dt.timedelta(days=1)
    return start, min(end, today)


def _day(text: str, today: dt.date) -> DateRange | None:
    iso = _ISO_DAY.search(text)
    if iso:
        try:
            day = dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError:
            return None
        return day, day
    ja = _JA_DAY.search(text)
    if ja:
        month, number = int(ja[2]), int(ja[3])
        year = int(ja[1]) if ja[1] else _latest_year(month, today)
        try:
            day = dt.date(year, month, number)
        except ValueError:
            return None
        return day, day
    return None


def _months(year_text: str | None, first_month: int, count: int, today: dt.date) -> DateRange:
    """`count` months from `first_month` of the named year, else of the latest such month begun."""
    year = int(year_text) if year_text else _latest_year(first_month, today)
    start = dt.date(year, first_month, 1)
    return start, month_of(add_months(start, count - 1))[1]


def _span(
    first_year: str | None, first: int, last_year: str | None, last: int, today: dt.date
) -> DateRange | None:
    """Months `first` to `last` (a span past December runs into the next year); without a year,
    the latest such span whose last month has begun."""
    if not (1 <= first <= 12 and 1 <= last <= 12):
        return None
    end_year = int(last_year) if last_year else None
    start_year = int(first_year) if first_year else None
    if end_year is None:
        end_year = start_year + (last < first) if start_year is not None else _latest_year(last, today)
    if start_year is None:
        start_year = end_year - (last < first)
    start, end = dt.date(start_year, first, 1), month_range(end_year, last)[1]
    return (start, end) if start <= end else None


def _month(text: str, today: dt.date) -> DateRange | None:
    span = _JA_SPAN.search(text)
    if span and (found := _span(span[1], int(span[2]), span[3], int(span[4]), today)):
        return found
    en_span = _EN_SPAN.search(text)
    if en_span:
        parts = en_span.groups()
        first, first_year, last, last_year = parts[0:4] if parts[0] else parts[4:8]
        if found := _span(first_year, MONTHS_EN[first], last_year, MONTHS_EN[last], today):
            return found
    ja = _JA_MONTH.search(text)
    if ja and 1 <= int(ja[2]) <= 12:
        return _months(ja[1], int(ja[2]), 1, today)
    en = _EN_MONTH.search(text)
    if en and not (en[1] == "may" and not re.search(r"\b(in|during|of|since)\s+may\b", text)):
        return _months(en[2], MONTHS_EN[en[1]], 1, today)
    return None


def _year(text: str, today: dt.date) -> DateRange | None:
    found = _YEAR.search(text)
    return _months(found[1] or found[2], 1, 12, today) if found else None
