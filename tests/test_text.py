"""coach.text and coach.llm.grounding: normalisation, language, numbers, change_pct, grounding."""

from __future__ import annotations

import time

import pytest

from coach.llm.grounding import strip_ungrounded, ungrounded_numbers
from coach.text.language import detect_language
from coach.text.normalize import fold, normalize
from coach.text.numbers import change_pct, common_unit, display_pct, parse_number


@pytest.mark.parametrize(
    ("token", "value"),
    [
        ("50k", 50000.0),
        ("1,200", 1200.0),
        ("１，２００", 1200.0),
        ("約120万円", 120.0),
        ("3.6", 3.6),
        ("1.2M", 1_200_000.0),
        ("０.８%", 0.8),
        ("no number", None),
    ],
)
def test_parse_number(token: str, value: float | None) -> None:
    assert parse_number(token) == value


def test_change_pct_is_signed_rounded_and_null_when_impossible() -> None:
    assert change_pct(320, 180) == -43.75
    assert change_pct(1200, 3000) == 150.0
    assert change_pct(90, 30) == -66.67
    assert change_pct(0, 5) is None
    assert change_pct(None, 5) is None


def test_common_unit_converts_to_the_smaller_unit() -> None:
    assert common_unit("時間", "分") == ("分", 60.0, 1.0)
    assert common_unit("GB", "MB") == ("MB", 1000.0, 1.0)
    assert common_unit("万円", "円") == ("円", 10000.0, 1.0)
    assert common_unit("件/週", "件/週") == ("件/週", 1.0, 1.0)
    assert common_unit("ms", "%") is None


def test_display_pct_rounds_like_people_do() -> None:
    assert display_pct(-43.75) == "44"
    assert display_pct(-62.5) == "63"
    assert display_pct(8.46) == "8.5"


def test_normalize_and_fold() -> None:
    assert normalize("ＡＰＩ　１２０ms  ->  ８０ms ⇒ ok") == "API 120ms→80ms→ok"
    folded = fold("P95は３２０ms→１８０ms")
    assert folded == "P95は320ms→180ms"
    assert len(folded) == len("P95は３２０ms→１８０ms")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("P95レイテンシを320ms→180msに改善", "ja"),
        ("APIのlatencyをcacheで改善した (Redis, CDN, HTTP/2)", "ja"),
        ("Runtime dropped from 5.5h to 1.2h", "en"),
        ("Met with 田中 about the roadmap and the hiring plan for next quarter", "en"),
        ("", "en"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_ungrounded_numbers_accepts_spellings_and_computed_changes() -> None:
    source = "検索は１，２００件から50k件に。費用は約120万円。P95は320ms→180ms"
    output = "1,200件→50,000件、120万円、P95 320ms→180ms(44%削減)、1on1で報告"
    assert ungrounded_numbers(output, source, allowed=[-43.75]) == []
    assert ungrounded_numbers("P95を45%削減、250msに", source, allowed=[-43.75]) == ["45", "250"]


def test_strip_ungrounded_leaves_a_visible_placeholder() -> None:
    assert strip_ungrounded("250msに改善、180msは維持", ["250"]) == "[N]msに改善、180msは維持"


def test_text_functions_are_linear_on_a_large_paste() -> None:
    big = ("会議時間を週3時間削減。P95を320ms→180msに。" * 4000) + ("1," * 20000)
    start = time.perf_counter()
    detect_language(big)
    normalize(big)
    ungrounded_numbers(big[:50000], big)
    assert time.perf_counter() - start < 5  # a blow-up would take minutes; figures are in bench/
