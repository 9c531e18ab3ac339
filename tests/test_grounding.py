"""Grounding by number and unit kind, in every token form a model writes."""

from __future__ import annotations

import pytest

from coach.llm.grounding import quantities, strip_ungrounded, ungrounded_details, ungrounded_numbers

NOTES_JA = "先月の障害は7件。ビルドは25分から9分に短縮。月額費用は約80万円。"
NOTES_EN = "We shipped 3 releases; the queue held 40 jobs at peak. Deploys took 2 hours."


@pytest.mark.parametrize(
    ("output", "notes"),
    [
        ("障害率は7%でした", NOTES_JA),  # 7 is a count of incidents, not a percentage
        ("7倍に増えた", NOTES_JA),
        ("a 40% backlog reduction", NOTES_EN),  # 40 counts jobs
        ("releases take 3 hours", NOTES_EN),  # 3 counts releases
        ("deploys took 2 days", NOTES_EN),  # same number, another duration
        ("costs 9 dollars", NOTES_JA),  # 9 is minutes
    ],
)
def test_a_known_value_with_another_kind_of_unit_is_not_grounded(output: str, notes: str) -> None:
    assert ungrounded_numbers(output, notes) != []


@pytest.mark.parametrize(
    ("output", "notes"),
    [
        ("7 incidents last month", NOTES_JA),  # 件 and a counted noun are both counts
        ("build time 25 min → 9 min", NOTES_JA),
        ("ビルドが25分から9分に", NOTES_JA),
        ("about 800,000 yen a month", NOTES_JA),  # 80万円 with its scale word
        ("デプロイに120分かかっていた", NOTES_EN),  # the same duration in another unit
        ("peak queue: 40", NOTES_EN),  # a bare number may stand for any kind
        ("3 releases shipped", NOTES_EN),
    ],
)
def test_the_same_quantity_in_another_spelling_is_grounded(output: str, notes: str) -> None:
    assert ungrounded_numbers(output, notes) == []


def test_computed_values_match_whatever_unit_follows() -> None:
    assert ungrounded_numbers("build time cut by 64%", NOTES_JA, allowed=[-64.0]) == []
    assert ungrounded_numbers("build time cut by 63.5%", NOTES_JA, allowed=[-64.0]) == ["63.5"]


@pytest.mark.parametrize(
    ("output", "token", "expected"),
    [
        ("180,29", "29", "180,[N]"),  # a number after a comma that is no thousands group
        ("we closed 29.", "29", "we closed [N]."),
        ("２９件", "２９", "[N]件"),  # full width, as the model wrote it
        ("２９件", "29", "[N]件"),  # the token in half width still finds its full-width span
        ("1,029 and 3.29 stay", "29", "1,029 and 3.29 stay"),  # never part of another number
        ("(29)", "29", "([N])"),
    ],
)
def test_strip_replaces_exactly_the_spans_that_were_reported(output: str, token: str, expected: str) -> None:
    assert strip_ungrounded(output, [token]) == expected


def test_what_is_reported_is_what_is_stripped() -> None:
    output = "P99は900ms→400ms、手順書は180,29本、１２％改善"
    notes = "P99レイテンシを900ms→400msに改善した。"
    bad = ungrounded_numbers(output, notes)
    assert bad == ["180", "29", "１２"]
    assert strip_ungrounded(output, bad) == "P99は900ms→400ms、手順書は[N],[N]本、[N]％改善"


def test_details_name_the_unit_kind_in_the_users_language() -> None:
    assert ungrounded_details("a 7% failure rate", NOTES_JA) == ["7 (percent)"]
    assert ungrounded_details("失敗率7%", NOTES_JA, language="ja") == ["7 (パーセント)"]
    assert ungrounded_details("step 8", NOTES_JA) == ["8"]


def test_dates_and_identifiers_are_not_durations_or_counts() -> None:
    kinds = {q.text: q.kind for q in quantities("2026年4月に P95 を v2 へ、3月4日")}
    assert kinds == {"2026": "calendar", "4": "calendar", "95": None, "2": None, "3": "calendar"}
    assert ungrounded_numbers("released in 2026", "2026年にリリース") == []


def test_one_on_one_is_not_a_quantity() -> None:
    assert ungrounded_numbers("in our 1on1 we agreed", "no numbers here") == []
    assert strip_ungrounded("2 1on1s and 1 action", ["1"]) == "2 1on1s and [N] action"


def test_code_values_given_with_a_kind_keep_it() -> None:
    notes = "P95 went from 320ms to 180ms"
    assert ungrounded_numbers("down to 180 ms", notes, allowed=[(180.0, "time")]) == []
    assert ungrounded_numbers("an error rate of 180%", notes, allowed=[(180.0, "time")]) == ["180"]
    assert ungrounded_numbers("an error rate of 180%", notes, allowed=[180.0]) == []  # a bare float: any unit
