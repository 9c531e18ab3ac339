"""The context budget: token estimates, passages trimmed by rank, long material in pieces, and
the checks an Ask answer must pass before it is shown."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from coach.flows.ask import Cited, check_answer
from coach.llm.budget import (
    estimate_tokens,
    fit_in_order,
    merge_sections,
    messages_tokens,
    split_lines_to_fit,
)
from coach.llm.failures import LLMFailure
from coach.models import Passage
from coach.search.retrieval import Hit
from tests.support.llm_server import LLMServer

# ---------------------------------------------------------------------- estimates


def test_japanese_costs_more_per_character_than_english() -> None:
    english = "The deploy pipeline now runs in nine minutes."
    japanese = "デプロイのパイプラインは九分で終わるようになった。"
    assert estimate_tokens(english) < len(english) / 2
    assert estimate_tokens(japanese) > len(japanese)
    assert estimate_tokens("") == 0
    assert messages_tokens(["a", "b"]) > estimate_tokens("ab")  # each message has a template cost


def test_passages_are_kept_by_rank_and_the_last_one_is_cut_at_a_line() -> None:
    passages = [
        f"[k{i}]\n" + "\n".join(f"line {i}.{j} about the billing queue" for j in range(10)) for i in range(4)
    ]
    one = estimate_tokens(passages[0]) + 2
    kept = fit_in_order(passages, int(one * 1.5))
    assert kept[0] == passages[0]
    assert len(kept) == 2 and passages[1].startswith(kept[1]) and kept[1] != passages[1]
    assert not kept[1].endswith("about the")  # cut at a line end, not mid-line
    assert fit_in_order(passages, 10_000) == passages


def test_long_material_is_split_with_its_heading_carried() -> None:
    text = "\n".join(
        ["## Results", *[f"- shipped item {i} (2026-01-0{i % 9 + 1})" for i in range(40)], "## Next"]
    )
    pieces = split_lines_to_fit(text, 60, carry=re.compile(r"^#"))
    assert len(pieces) > 2
    assert all(estimate_tokens(piece) <= 60 + 8 for piece in pieces)
    assert all(piece.startswith("## Results") for piece in pieces[:-1])
    joined = [line for piece in pieces for line in piece.splitlines() if not line.startswith("##")]
    assert joined == [line for line in text.splitlines() if not line.startswith("##")]


def test_drafts_written_in_pieces_are_merged_under_each_heading_once() -> None:
    drafts = ["## A\n- one\n## B\n- two", "- three\n## B\n- four\n## C\n- five"]
    assert (
        merge_sections(drafts, ["## A", "## B", "## C"])
        == "## A\n- one\n- three\n## B\n- two\n- four\n## C\n- five"
    )


# ---------------------------------------------------------------------- a long review, in pieces


@pytest.fixture
def review_settings(meetings_dir: Path, llm_server: LLMServer) -> Any:
    from coach.flows.imports import import_dir

    settings = llm_server.settings(llm_context=3072)
    import_dir(meetings_dir, settings.with_engine("offline"), index=False)
    return settings


def test_a_review_over_the_context_is_drafted_in_pieces_that_fit(
    review_settings: Any, llm_server: LLMServer
) -> None:
    from coach.flows.review import build_review
    from coach.llm.engine import LLMEngine
    from coach.models import Period

    answer = {
        "draft": "## 成果\n- 改善した (2026-01-06)\n## 取り組み・プロセス\n- 進めた (2026-01-06)\n## 今後の目標\n- 続ける (2026-06-23)"
    }
    for _ in range(12):
        llm_server.reply_json(answer)
    review = build_review(Period.model_validate({"from": "2026-01-01", "to": "2026-06-30"}), review_settings)
    sent = llm_server.requests
    assert len(sent) > 1, (review.warnings, "the material fits one call: the test no longer splits it")
    engine = LLMEngine(review_settings)
    for request in sent:
        prompt = messages_tokens(m["content"] for m in request["messages"])
        assert prompt + request["max_tokens"] <= 3072
    assert review.engine == "llm:test-model"
    for heading in ("## 成果", "## 取り組み・プロセス", "## 今後の目標"):
        assert review.draft.splitlines().count(heading) == 1
    assert review.draft.count("- 改善した (2026-01-06)") == len(sent)
    assert engine.output_tokens("review") <= 1024


# ---------------------------------------------------------------------- the checks of an Ask answer


def cited(key: str, text: str) -> Cited:
    day = dt.date.fromisoformat(key[:10])
    passage = Passage(id=f"{key}#0", meeting=day, file=f"{key}.md", section="results", text=text)
    return Cited(key, Hit(passage, 1.0), [text], text)


OFFERED = [
    cited("2026-04-07", "Moved the nightly batch to the new queue: 95 min before, 40 min after."),
    cited("2026-04-21", "Closed 12 incidents from the backlog."),
]


def test_a_sound_answer_keeps_its_citations_as_sources() -> None:
    result = check_answer("The batch now takes 40 min [2026-04-07].", OFFERED, "en")
    assert result.found and [s.meeting.isoformat() for s in result.sources] == ["2026-04-07"]


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("The batch got faster.", "no citation of an offered meeting"),
        ("The batch got faster [2026-05-05].", "no citation of an offered meeting"),
        ("A 12% failure rate remains [2026-04-21].", "12 (percent)"),
        ("Closed 13 incidents [2026-04-21].", "13"),
        ("It ran faster [2026-04-07]. " * 80, "over the bound"),
        ("\n".join(["The queue took over the batch [2026-04-07]."] * 4), "repeats itself"),
        (
            "Answer the question briefly in English, using only the excerpts [2026-04-07].",
            "repeats the instructions",
        ),
    ],
)
def test_a_degenerate_answer_fails_with_the_check_it_failed(answer: str, reason: str) -> None:
    prompt = "Answer the question briefly in English, using only the excerpts\n- Do not state anything else."
    with pytest.raises(LLMFailure) as info:
        check_answer(answer, OFFERED, "en", prompt=prompt)
    assert info.value.kind == "check"
    assert reason in info.value.reason("en")


def test_check_reasons_exist_in_japanese() -> None:
    with pytest.raises(LLMFailure) as info:
        check_answer("失敗率は12%です [2026-04-21]。", OFFERED, "ja")
    assert "メモにない数値" in info.value.reason("ja") and "パーセント" in info.value.reason("ja")
