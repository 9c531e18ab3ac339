"""Named periods (上期, H1, Q2, FY2026 ...): the one definition, used by the review and by questions.

What each name means (the same in `coach review --period`, in the Review page and in a question
to Ask, e.g. 「上半期に決まったことは?」):

- 上期 / 上半期 and 下期 / 下半期 are the halves of the **fiscal** year, counted from the fiscal
  start month (`Settings.fiscal_start_month`, COACH_FISCAL_START_MONTH, April by default):
  上期 = April–September and 下期 = October–March when the year starts in April. Japanese
  companies review by fiscal half, and 上半期 is the same half as 上期 in that usage.
- H1 / H2 ("first/second half") and Q1–Q4 (1Q, 第1四半期) are **calendar** halves and quarters,
  unless FY or 年度 stands before them (FY2026 H1, 2026年度Q1): then they count from the fiscal
  start month too.
- FY2026 / 2026年度 is the fiscal year starting in the fiscal start month of 2026; a bare 2026 is
  the calendar year.
- A year given with a fiscal name is the fiscal year it belongs to (2025下期 = 2025-10 – 2026-03).
  Without a year, a name means the latest such period that has already started, because a
  review (and a question about the past) looks back.

Callers pass the fiscal start month from Settings; nothing here reads the environment.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from coach.config import DEFAULT_FISCAL_START_MONTH
from coach.errors import InputError
from coach.models import Period
from coach.text.months import add_months, months_from
from coach.text.normalize import nfkc_lower

DEFAULT_SPAN_MONTHS = 6


@dataclass(frozen=True)
class PeriodName:
    """A name for a part of a year: where it starts in the year, how long it lasts."""

    pattern: str  # regex over NFKC-normalised, lower-cased text
    offset: int  # months after the first month of its year
    months: int
    fiscal: bool  # always a part of the fiscal year (else calendar unless FY/年度 precedes it)


PERIOD_NAMES: tuple[PeriodName, ...] = (
    PeriodName("上半期|上期", 0, 6, fiscal=True),
    PeriodName("下半期|下期", 6, 6, fiscal=True),
    PeriodName(r"h1|first\s*half", 0, 6, fiscal=False),
    PeriodName(r"h2|second\s*half", 6, 6, fiscal=False),
    *(PeriodName(rf"q{n}|{n}q|第{n}四半期", 3 * (n - 1), 3, fiscal=False) for n in range(1, 5)),
)
_PART = "|".join(f"(?:{name.pattern})" for name in PERIOD_NAMES)
_FISCAL_MARK = r"fy|年度"
# [FY|年度]YYYY[年度|年] before the name, or YYYY after it: "2026年度上期", "fy2026 h1", "q2 2026".
_WITH_NAME = (
    rf"(?:(?P<fy>{_FISCAL_MARK})\s*(?P<year1>\d{{4}}|\d{{2}})(?!\d)|(?P<year2>\d{{4}})\s*(?P<fy2>年度|年)?)?"
    rf"\s*(?:の)?\s*[-_]?\s*(?P<part>{_PART})(?![a-z0-9])"
    rf"(?:\s*(?P<fy3>{_FISCAL_MARK})?\s*(?P<year3>\d{{4}})(?!\d))?"
)
_FISCAL_YEAR = r"(?P<fy4>fy)\s*(?P<year4>\d{4}|\d{2})(?!\d)|(?P<year5>\d{4})\s*年度"
_WHOLE = re.compile(rf"^(?:{_WITH_NAME}|{_FISCAL_YEAR}|(?P<year6>\d{{4}})年?)$")
_IN_TEXT = re.compile(rf"(?<![a-z0-9])(?:{_WITH_NAME}|(?:{_FISCAL_YEAR}))")
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?)?\s*月?$")


def _normalised(text: str) -> str:
    return nfkc_lower(text).strip()


def _name_of(part: str) -> PeriodName:
    return next(name for name in PERIOD_NAMES if re.fullmatch(name.pattern, part))


def month_span(year: int, month: int, months: int) -> Period:
    """`months` whole months starting at year-month."""
    first, last = months_from(year, month, months)
    return Period.model_validate({"from": first, "to": last})


def _latest_started(candidates: list[Period], today: dt.date) -> Period:
    started = [p for p in candidates if p.from_ <= today]
    return max(started, key=lambda p: p.from_) if started else min(candidates, key=lambda p: p.from_)


def _resolve(match: re.Match[str], today: dt.date, fiscal_start: int) -> Period:
    """The period a match of `_WHOLE` / `_IN_TEXT` names (see the module docstring)."""
    groups = match.groupdict()
    raw_year = next(
        (groups[g] for g in ("year1", "year2", "year3", "year4", "year5", "year6") if groups.get(g)), None
    )
    fiscal = bool(groups.get("fy") or groups.get("fy3") or groups.get("fy4") or groups.get("year5"))
    fiscal = fiscal or groups.get("fy2") == "年度"
    part = groups.get("part")
    if part:
        name = _name_of(part)
        fiscal = fiscal or name.fiscal
        offset, months = name.offset, name.months
    else:
        offset, months = 0, 12
    first_month = (fiscal_start if fiscal else 1) + offset
    if raw_year is not None:
        year = int(raw_year) + (2000 if len(raw_year) == 2 else 0)
        return month_span(year, first_month, months)
    return _latest_started([month_span(today.year + d, first_month, months) for d in (-2, -1, 0)], today)


def named_period(
    named: str, today: dt.date | None = None, fiscal_start: int = DEFAULT_FISCAL_START_MONTH
) -> Period:
    """A whole period name (`--period`): 上期/下期, H1/H2, Q1–Q4, FY2026, 2026 ... (see above)."""
    today = today or dt.date.today()
    match = _WHOLE.match(_normalised(named))
    if not match or not any(match.groupdict().values()):
        raise InputError.of("period.bad_name", raw=named)
    return _resolve(match, today, fiscal_start)


def find_named_period(
    text: str, today: dt.date, fiscal_start: int = DEFAULT_FISCAL_START_MONTH
) -> Period | None:
    """The first period name inside free text (a question), or None; same meanings as named_period.

    A bare year (2026年) is not a period name here: the question reader treats it as a year."""
    match = _IN_TEXT.search(_normalised(text))
    return _resolve(match, today, fiscal_start) if match else None


def _bad_date(raw: str) -> InputError:
    return InputError.of("period.bad_date", raw=raw)


def parse_day(raw: str, *, end: bool = False) -> dt.date:
    """A date from YYYY-MM-DD, YYYY/MM/DD, 2026年1月6日 or a whole month (first or last day)."""
    text = unicodedata.normalize("NFKC", raw).strip()
    match = _DATE_RE.match(text)
    if not match:
        raise _bad_date(raw)
    year, month = int(match.group(1)), int(match.group(2))
    try:
        if match.group(3):
            return dt.date(year, month, int(match.group(3)))
        if not 1 <= month <= 12:
            raise ValueError(month)
        span = month_span(year, month, 1)
    except ValueError:
        raise _bad_date(raw) from None
    return span.to if end else span.from_


def resolve_period(
    start: str | None,
    end: str | None,
    named: str | None,
    *,
    today: dt.date | None = None,
    fiscal_start: int = DEFAULT_FISCAL_START_MONTH,
) -> Period:
    """The review period from --from/--to or --period; six months up to today when nothing is given.

    `fiscal_start` is `Settings.fiscal_start_month`: 上期/下期 and FY names count from it."""
    today = today or dt.date.today()
    if named and named.strip():
        if start or end:
            raise InputError.of("period.both_given")
        return named_period(named, today, fiscal_start)
    to = parse_day(end, end=True) if end and end.strip() else None
    first = parse_day(start) if start and start.strip() else None
    if to is None:
        to = (
            today
            if first is None or first <= today
            else add_months(first, DEFAULT_SPAN_MONTHS) - dt.timedelta(1)
        )
    if first is None:
        first = add_months(to, -DEFAULT_SPAN_MONTHS) + dt.timedelta(days=1)
    if first > to:
        raise InputError.of("period.reversed", first=first, to=to)
    return Period.model_validate({"from": first, "to": to})
