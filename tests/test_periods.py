"""Named and explicit review periods, including the errors a user sees."""

from __future__ import annotations

import datetime as dt

import pytest

from coach.errors import InputError
from coach.text.periods import named_period, resolve_period

TODAY = dt.date(2026, 11, 25)


def span(named: str, today: dt.date = TODAY) -> tuple[str, str]:
    period = named_period(named, today, fiscal_start=4)
    return period.from_.isoformat(), period.to.isoformat()


@pytest.mark.parametrize(
    ("named", "expected"),
    [
        ("2026H1", ("2026-01-01", "2026-06-30")),
        ("2026-H2", ("2026-07-01", "2026-12-31")),
        ("H1 2025", ("2025-01-01", "2025-06-30")),
        ("2026上期", ("2026-04-01", "2026-09-30")),
        ("2026年度上期", ("2026-04-01", "2026-09-30")),
        ("2025年度下期", ("2025-10-01", "2026-03-31")),
        ("２０２６下期", ("2026-10-01", "2027-03-31")),
        ("2026Q2", ("2026-04-01", "2026-06-30")),
        ("2026年第4四半期", ("2026-10-01", "2026-12-31")),
        ("FY2026", ("2026-04-01", "2027-03-31")),
        ("2026", ("2026-01-01", "2026-12-31")),
    ],
)
def test_named_periods_with_year(named: str, expected: tuple[str, str]) -> None:
    assert span(named) == expected


def test_year_omitted_means_latest_period_already_started() -> None:
    assert span("H1") == ("2026-01-01", "2026-06-30")
    assert span("H2") == ("2026-07-01", "2026-12-31")
    assert span("上期") == ("2026-04-01", "2026-09-30")
    # In March the current fiscal 下期 began last October.
    assert span("下期", dt.date(2026, 3, 10)) == ("2025-10-01", "2026-03-31")
    assert span("Q4", dt.date(2026, 3, 10)) == ("2025-10-01", "2025-12-31")
    assert span("Q1", dt.date(2026, 3, 10)) == ("2026-01-01", "2026-03-31")


@pytest.mark.parametrize(
    ("fiscal_start", "named", "expected"),
    [
        (10, "2026上期", ("2026-10-01", "2027-03-31")),
        (10, "2026下半期", ("2027-04-01", "2027-09-30")),
        (10, "FY2026", ("2026-10-01", "2027-09-30")),
        (10, "FY2026 Q1", ("2026-10-01", "2026-12-31")),
        (1, "2026上半期", ("2026-01-01", "2026-06-30")),
        (1, "2026年度", ("2026-01-01", "2026-12-31")),
        # Calendar names do not move with the fiscal year.
        (10, "2026H1", ("2026-01-01", "2026-06-30")),
        (10, "2026Q1", ("2026-01-01", "2026-03-31")),
    ],
)
def test_fiscal_start_month_is_a_parameter(fiscal_start: int, named: str, expected: tuple[str, str]) -> None:
    period = resolve_period(None, None, named, today=TODAY, fiscal_start=fiscal_start)
    assert (period.from_.isoformat(), period.to.isoformat()) == expected


def test_environment_is_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fiscal month comes from Settings through the caller, never from os.environ here."""
    monkeypatch.setenv("COACH_FISCAL_START_MONTH", "10")
    period = named_period("2026上期", TODAY)
    assert (period.from_, period.to) == (dt.date(2026, 4, 1), dt.date(2026, 9, 30))


def test_kamihanki_is_the_fiscal_half_like_kamiki() -> None:
    assert span("2026上半期") == span("2026上期") == ("2026-04-01", "2026-09-30")
    assert span("2025下半期") == span("2025下期") == ("2025-10-01", "2026-03-31")


def test_explicit_dates_and_months() -> None:
    period = resolve_period("2026-01-01", "2026/06/30", None, today=TODAY)
    assert (period.from_, period.to) == (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    period = resolve_period("2026年1月", "2026-02", None, today=TODAY)
    assert (period.from_, period.to) == (dt.date(2026, 1, 1), dt.date(2026, 2, 28))
    period = resolve_period(None, None, "2026H1", today=TODAY)
    assert period.model_dump(by_alias=True, mode="json") == {"from": "2026-01-01", "to": "2026-06-30"}


def test_missing_bounds_default_to_six_months_up_to_today() -> None:
    period = resolve_period(None, None, None, today=TODAY)
    assert (period.from_, period.to) == (dt.date(2026, 5, 26), TODAY)
    period = resolve_period("2026-07-01", None, None, today=TODAY)
    assert period.to == TODAY


@pytest.mark.parametrize(
    ("start", "end", "named", "fragment_en", "fragment_ja"),
    [
        ("2026-13-01", None, None, "not a date", "日付として読めません"),
        ("yesterday", None, None, "not a date", "日付として読めません"),
        ("2026-06-30", "2026-01-01", None, "starts after it ends", "終了日より後"),
        (None, None, "2026H3", "not a period name", "期間名として読めません"),
        (None, None, "来期", "not a period name", "期間名として読めません"),
        ("2026-01-01", None, "2026H1", "not both", "どちらか一方"),
    ],
)
def test_bad_input_is_explained_in_both_languages(
    start: str | None, end: str | None, named: str | None, fragment_en: str, fragment_ja: str
) -> None:
    with pytest.raises(InputError) as caught:
        resolve_period(start, end, named, today=TODAY)
    assert fragment_en in caught.value.message("en")
    assert fragment_ja in caught.value.message("ja")
