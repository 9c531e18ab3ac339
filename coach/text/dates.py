"""Dates named in a question (先月, 3月の1on1, in Q2, last sprint) turned into a filter.

The filter is applied before ranking: "what was decided last month" must only consider last
month's meetings, however similar an older meeting's text is. Relative expressions are resolved
against `today` (or the caller's `as_of`). A bare month or quarter means the latest one that has
started by `today`, since people ask about the past. `前回` / `last meeting` cannot be turned into
a range without the meeting list, so it is reported separately by `refers_to_last_meeting`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from coach.text.normalize import nfkc_lower

DateRange = tuple[dt.date, dt.date]

MONTHS_EN = {
    name: number
    for number in range(1, 13)
    for name in (calendar.month_name[number].lower(), calendar.month_abbr[number].lower())
}
_EN_MONTH = re.compile(r"\b(" + "|".join(sorted(MONTHS_EN, key=len, reverse=True)) + r")\b\.?(?:\s+(\d{4}))?")
_JA_MONTH = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(?!\s*\d{1,2}日)")
_ISO_DAY = re.compile(r"\b(\d{4})[-/](\d{1,2})[-/](\d{1,2})\b")
_JA_DAY = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日")
_QUARTER = re.compile(r"\b(?:in\s+)?(?:(\d{4})\s*)?q([1-4])\b(?:\s*(\d{4}))?|第([1-4])四半期")
_HALF_JA = re.compile(r"(?:(\d{4})年?)?(上期|下期|上半期|下半期)")
_HALF_EN = re.compile(r"\b(?:(\d{4})\s*)?h([12])\b|\b(first|second) half\b")
_YEAR = re.compile(r"(\d{4})年|\bin (\d{4})\b")

LAST_MEETING = re.compile(
    r"前回(?:の(?:1on1|面談|ミーティング|mtg|打ち合わせ)|は|に話)|この前の1on1|直近の1on1"
    r"|last (?:time|meeting|1on1|one-on-one)|previous (?:meeting|1on1|one-on-one)"
)


def month_range(year: int, month: int) -> DateRange:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day `months` later (or earlier), clamped to that month's last day."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_of(day: dt.date) -> DateRange:
    return month_range(day.year, day.month)


def _latest_year(month: int, today: dt.date) -> int:
    """The year of the latest `month` that has begun by `today`."""
    return today.year if month <= today.month else today.year - 1


def refers_to_last_meeting(question: str) -> bool:
    """前回 / last meeting: the caller narrows to the latest meeting on or before as_of."""
    return bool(LAST_MEETING.search(nfkc_lower(question)))


def parse_date_range(question: str, today: dt.date) -> DateRange | None:
    """The period a question asks about, or None when it names none."""
    text = nfkc_lower(question)
    for parse in (_relative, _day, _month, _quarter, _half, _year):
        found = parse(text, today)
        if found:
            return found
    return None


def _relative(text: str, today: dt.date) -> DateRange | None:
    monday = today - dt.timedelta(days=today.weekday())
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
    if re.search(r"去年|昨年|last year", text):
        return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    if re.search(r"今年|this year", text):
        return dt.date(today.year, 1, 1), today
    if re.search(r"最近|recently|lately", text):
        return today - dt.timedelta(days=30), today
    return None


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


def _month(text: str, today: dt.date) -> DateRange | None:
    ja = _JA_MONTH.search(text)
    if ja and 1 <= int(ja[2]) <= 12:
        return _months(ja[1], int(ja[2]), 1, today)
    en = _EN_MONTH.search(text)
    if en and not (en[1] == "may" and not re.search(r"\b(in|during|of|since)\s+may\b", text)):
        return _months(en[2], MONTHS_EN[en[1]], 1, today)
    return None


def _quarter(text: str, today: dt.date) -> DateRange | None:
    found = _QUARTER.search(text)
    if not found:
        return None
    return _months(found[1] or found[3], 3 * (int(found[2] or found[4]) - 1) + 1, 3, today)


def _half(text: str, today: dt.date) -> DateRange | None:
    """上期 = April..September and 下期 = October..March (the usual Japanese fiscal year);
    H1/H2 and "first/second half" are calendar halves."""
    ja = _HALF_JA.search(text)
    if ja:
        first = ja[2] in {"上期", "上半期"}
        calendar_half = ja[2] in {"上半期", "下半期"}  # 上半期 commonly means the calendar half
        return _months(ja[1], (1 if first else 7) if calendar_half else (4 if first else 10), 6, today)
    en = _HALF_EN.search(text)
    if en:
        return _months(en[1], 1 if en[2] == "1" or en[3] == "first" else 7, 6, today)
    return None


def _year(text: str, today: dt.date) -> DateRange | None:
    found = _YEAR.search(text)
    return _months(found[1] or found[2], 1, 12, today) if found else None
