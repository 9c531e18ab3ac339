"""Dates written in notes: due dates (`期限: 3/14`, `due Mar 14`, `by Friday`) resolved against
the meeting's date."""

from __future__ import annotations

import datetime as dt
import re

from coach.text.dates import MONTHS_EN
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


