"""Month arithmetic shared by question dates (dates.py) and named periods (periods.py)."""

from __future__ import annotations

import calendar
import datetime as dt

DateRange = tuple[dt.date, dt.date]


def month_range(year: int, month: int) -> DateRange:
    """First and last day of one month."""
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day `months` later (or earlier), clamped to that month's last day."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_of(day: dt.date) -> DateRange:
    """The whole month `day` falls in."""
    return month_range(day.year, day.month)


def months_from(year: int, month: int, count: int) -> DateRange:
    """`count` whole months starting at year-month (`month` may run past 12: it carries)."""
    first = add_months(dt.date(year, 1, 1), month - 1)
    return first, add_months(first, count) - dt.timedelta(days=1)
