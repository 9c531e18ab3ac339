"""Review periods: explicit dates or the names people use in review season.

Japanese companies mostly evaluate by fiscal half (上期 = Apr–Sep, 下期 = Oct–Mar when the fiscal
year starts in April); others say H1/H2 or quarters of the calendar year. When the year is omitted
the name means the latest such period that has already started, because a review looks back.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata

from coach.errors import InputError
from coach.models import Period
from coach.text.dates import add_months

DEFAULT_FISCAL_START_MONTH = 4
DEFAULT_SPAN_MONTHS = 6

_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?)?\s*月?$")
_YEAR_PREFIX = r"(?:(?P<fy>FY|年度)\s*(?P<year1>\d{4}|\d{2})|(?P<year2>\d{4})\s*(?P<fy2>年度|年)?)?"
_NAMED_RE = re.compile(
    r"^" + _YEAR_PREFIX + r"\s*[-_ ]?\s*(?P<part>上半?期|下半?期|H[12]|Q[1-4]|[1-4]Q|第[1-4]四半期)?"
    r"\s*(?:(?P<fy3>FY|年度)?\s*(?P<year3>\d{4}))?$",
    re.IGNORECASE,
)


def fiscal_start_month() -> int:
    """The month the fiscal year starts; COACH_FISCAL_START_MONTH overrides April."""
    raw = os.environ.get("COACH_FISCAL_START_MONTH", "")
    if raw.isdigit() and 1 <= int(raw) <= 12:
        return int(raw)
    return DEFAULT_FISCAL_START_MONTH


def month_span(year: int, month: int, months: int) -> Period:
    """`months` whole months starting at year-month."""
    first = dt.date(year, month, 1)
    last = add_months(first, months) - dt.timedelta(days=1)
    return Period.model_validate({"from": first, "to": last})


def _bad_date(raw: str) -> InputError:
    return InputError(
        f"'{raw}' is not a date. Use YYYY-MM-DD (e.g. 2026-01-01) or YYYY-MM for a whole month.",
        f"「{raw}」は日付として読めません。"
        "YYYY-MM-DD(例: 2026-01-01)か、月単位なら YYYY-MM で指定してください。",
    )


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
        span = month_span(year, month, 1)
    except ValueError:
        raise _bad_date(raw) from None
    return span.to if end else span.from_


def _bad_name(raw: str) -> InputError:
    return InputError(
        f"'{raw}' is not a period name. Use e.g. 2026H1, H2, 2026上期, 2026年度下期, 2026Q2, Q3 or FY2026.",
        f"「{raw}」は期間名として読めません。"
        "2026H1、H2、2026上期、2026年度下期、2026Q2、Q3、FY2026 などで指定してください。",
    )


def _latest_started(candidates: list[Period], today: dt.date) -> Period:
    started = [p for p in candidates if p.from_ <= today]
    return max(started, key=lambda p: p.from_) if started else min(candidates, key=lambda p: p.from_)


def named_period(named: str, today: dt.date | None = None, fiscal_start: int | None = None) -> Period:
    """Resolve 上期/下期 (fiscal halves), H1/H2 and Q1–Q4 (calendar), FY2026 or 2026 (whole year)."""
    today = today or dt.date.today()
    start_month = fiscal_start or fiscal_start_month()
    text = unicodedata.normalize("NFKC", named).strip().replace(" ", "")
    match = _NAMED_RE.match(text)
    if not match:
        raise _bad_name(named)
    raw_year = match.group("year1") or match.group("year2") or match.group("year3")
    fiscal = bool(match.group("fy") or match.group("fy3") or match.group("fy2") == "年度")
    part = (match.group("part") or "").upper()
    if not part and not raw_year:
        raise _bad_name(named)
    year = None if raw_year is None else int(raw_year) + (2000 if len(raw_year) == 2 else 0)

    if part.startswith(("上", "下")):
        fiscal = True
        offset, months = (0 if part.startswith("上") else 6), 6
    elif part.startswith("H"):
        offset, months = (0 if part == "H1" else 6), 6
    elif part:
        quarter = int(re.sub(r"\D", "", part))
        offset, months = (quarter - 1) * 3, 3
    else:
        offset, months = 0, 12
    first_month = start_month if fiscal else 1

    def span(base_year: int) -> Period:
        index = first_month - 1 + offset
        return month_span(base_year + index // 12, index % 12 + 1, months)

    if year is not None:
        return span(year)
    return _latest_started([span(today.year + delta) for delta in (-2, -1, 0)], today)


def resolve_period(
    start: str | None,
    end: str | None,
    named: str | None,
    *,
    today: dt.date | None = None,
) -> Period:
    """The review period from --from/--to or --period; six months up to today when nothing is given."""
    today = today or dt.date.today()
    if named and named.strip():
        if start or end:
            raise InputError(
                "Give either --period or --from/--to, not both.",
                "--period と --from/--to はどちらか一方だけを指定してください。",
            )
        return named_period(named, today)
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
        raise InputError(
            f"The period starts after it ends ({first} > {to}). Swap --from and --to.",
            f"期間の開始日が終了日より後です({first} > {to})。--from と --to を入れ替えてください。",
        )
    return Period.model_validate({"from": first, "to": to})
