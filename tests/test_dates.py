"""Dates in questions become filters relative to today / as_of."""

from __future__ import annotations

import datetime as dt

import pytest

from coach.text.dates import CALENDAR, parse_date_range, refers_to_last_meeting
from coach.text.periods import named_period

TODAY = dt.date(2026, 8, 20)
D = dt.date


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("先月決まったことは?", (D(2026, 7, 1), D(2026, 7, 31))),
        ("What was decided last month?", (D(2026, 7, 1), D(2026, 7, 31))),
        ("3月の1on1で決まったことは?", (D(2026, 3, 1), D(2026, 3, 31))),
        ("３月の1on1で決まったことは?", (D(2026, 3, 1), D(2026, 3, 31))),  # full-width digit
        ("2月に何を話した?", (D(2026, 2, 1), D(2026, 2, 28))),
        ("What did my manager tell me in February?", (D(2026, 2, 1), D(2026, 2, 28))),
        ("10月の話は?", (D(2025, 10, 1), D(2025, 10, 31))),  # a month not yet begun: last year's
        ("2025年10月の話は?", (D(2025, 10, 1), D(2025, 10, 31))),
        ("What happened in Q2?", (D(2026, 4, 1), D(2026, 6, 30))),
        ("上期の成果は?", (D(2026, 4, 1), D(2026, 9, 30))),
        ("下期の目標は?", (D(2025, 10, 1), D(2026, 3, 31))),
        ("今年話したキャリアの話", (D(2026, 1, 1), TODAY)),
        ("what did we do last sprint?", (D(2026, 8, 6), TODAY)),
        ("2026-03-17 の内容", (D(2026, 3, 17), D(2026, 3, 17))),
        ("3月17日に決まったこと", (D(2026, 3, 17), D(2026, 3, 17))),
        ("What shipped last quarter?", (D(2026, 4, 1), D(2026, 6, 30))),
        ("前四半期に報告したことは?", (D(2026, 4, 1), D(2026, 6, 30))),
        ("How did on-call go over the summer?", (D(2026, 6, 1), TODAY)),  # the season under way
        ("春の間に決まったことは?", (D(2026, 3, 1), D(2026, 5, 31))),
        ("What did we decide in the winter?", (D(2025, 12, 1), D(2026, 2, 28))),
    ],
)
def test_date_expressions(question: str, expected: tuple[dt.date, dt.date]) -> None:
    assert parse_date_range(question, TODAY) == expected


@pytest.mark.parametrize(
    "question",
    [
        "オンコール手当はいつから導入される?",
        "How much did latency improve?",
        "2年以内にアーキテクトになりたい",
        "I may ask",
        "Did the error rate fall after the fix?",
        "夏目さんの担当は?",
    ],
)
def test_no_date_no_filter(question: str) -> None:
    assert parse_date_range(question, TODAY) is None


def test_last_month_in_january_is_december_of_last_year() -> None:
    assert parse_date_range("先月", D(2026, 1, 15)) == (D(2025, 12, 1), D(2025, 12, 31))


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("前回の1on1で報告したことは?", True),
        ("What did we discuss last time?", True),
        ("In the last meeting, what was decided?", True),
        ("前回約束したライブラリ調査は終わった?", False),  # 前回 inside a note's own wording
        ("オンコール手当はいつから?", False),
    ],
)
def test_last_meeting(question: str, expected: bool) -> None:
    assert refers_to_last_meeting(question) is expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # Fiscal halves (April start): 上半期 is the same half as 上期, not January–June.
        ("上半期に決まったことは?", (D(2026, 4, 1), D(2026, 9, 30))),
        ("下半期の目標は?", (D(2025, 10, 1), D(2026, 3, 31))),
        ("2025年の下期に話したこと", (D(2025, 10, 1), D(2026, 3, 31))),
        ("2025年度の評価について", (D(2025, 4, 1), D(2026, 3, 31))),
        ("What did we agree in FY2025?", (D(2025, 4, 1), D(2026, 3, 31))),
        ("Q2の目標は?", (D(2026, 4, 1), D(2026, 6, 30))),  # a name right before kana
        ("what about the first half?", (D(2026, 1, 1), D(2026, 6, 30))),
        ("今年度に話したこと", (D(2026, 4, 1), TODAY)),
        ("昨年度の振り返り", (D(2025, 4, 1), D(2026, 3, 31))),
    ],
)
def test_period_names_follow_the_fiscal_year(question: str, expected: tuple[dt.date, dt.date]) -> None:
    assert parse_date_range(question, TODAY) == expected


@pytest.mark.parametrize(
    ("question", "fiscal_start", "expected"),
    [
        ("上半期の成果は?", 1, (D(2026, 1, 1), D(2026, 6, 30))),
        ("上期の成果は?", 10, (D(2025, 10, 1), D(2026, 3, 31))),
        ("下期に決めたこと", 10, (D(2026, 4, 1), D(2026, 9, 30))),
        ("今年度の話", 10, (D(2025, 10, 1), TODAY)),
        ("What happened in H1?", 10, (D(2026, 1, 1), D(2026, 6, 30))),  # calendar half
    ],
)
def test_fiscal_start_month_is_passed_by_the_caller(
    question: str, fiscal_start: int, expected: tuple[dt.date, dt.date]
) -> None:
    assert parse_date_range(question, TODAY, fiscal_start=fiscal_start) == expected


@pytest.mark.parametrize("fiscal_start", [1, 4, 7, 10])
@pytest.mark.parametrize(
    "name", ["上期", "下期", "上半期", "下半期", "2025上期", "2025年度下期", "H1", "H2", "Q1", "Q3", "FY2025"]
)
def test_a_question_and_a_review_period_mean_the_same_span(name: str, fiscal_start: int) -> None:
    """The period name in a question resolves exactly as `coach review --period NAME` does."""
    review = named_period(name, TODAY, fiscal_start=fiscal_start)
    asked = parse_date_range(f"{name}に決まったことは?", TODAY, fiscal_start=fiscal_start)
    assert asked == (review.from_, review.to)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("2〜5月に出した提案は？", (dt.date(2026, 2, 1), dt.date(2026, 5, 31))),
        ("3月から7月までの障害対応", (dt.date(2026, 3, 1), dt.date(2026, 7, 31))),
        ("10〜1月の振り返り", (dt.date(2025, 10, 1), dt.date(2026, 1, 31))),
        ("2024年12月〜2025年3月の目標", (dt.date(2024, 12, 1), dt.date(2025, 3, 31))),
        ("What changed from February to April?", (dt.date(2026, 2, 1), dt.date(2026, 4, 30))),
        ("anything between Aug and Sep?", (dt.date(2026, 8, 1), dt.date(2026, 9, 30))),
        ("Nov through Jan", (dt.date(2025, 11, 1), dt.date(2026, 1, 31))),
        ("latency 300-8月", (dt.date(2026, 8, 1), dt.date(2026, 8, 31))),  # 300 is no month: only 8月
    ],
)
def test_a_span_of_months_is_the_whole_span(question: str, expected: tuple[dt.date, dt.date]) -> None:
    """A span names every month from its first to its last, not only the month it ends on; one
    that runs past December starts the year before; without a year, the latest one begun."""
    assert parse_date_range(question, dt.date(2026, 9, 10)) == expected


@pytest.mark.parametrize(
    ("text", "left"),
    [
        ("リリースは2026-04-20、移行は5/12", "リリースは 、移行は "),
        ("11月3日の週に p99 が 80ms", " の週に p99 が 80ms"),
        ("q3 に 2 名増員、fy27 で再計画", "  に 2 名増員、  で再計画"),
        ("3日で終わった", "3日で終わった"),  # three days as often as the third: kept
        ("v2.3/4 nodes, 10.5/12 gb", "v2.3/4 nodes, 10.5/12 gb"),  # a pair inside a longer figure
    ],
)
def test_calendar_numbers_are_told_from_quantities(text: str, left: str) -> None:
    """What is left after the calendar dates and periods are taken out (lower-case, as matched)."""
    assert CALENDAR.sub(" ", text) == left
