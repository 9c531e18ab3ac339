"""An answer to "was it done?" states what the action ledger says became of the quoted item.

Meetings and questions written for these tests, in both languages: an item opened in one meeting
and ticked off, reported in words, or left open in later ones, asked about as of different days.
Through the real parts: Markdown files imported into a SQLite store and a chroma index.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from coach.config import Settings, load_settings
from coach.flows import ask, followthrough
from tests.support.llm_server import LLMServer
from tests.test_answers import imported

MEETINGS = {
    "2025-05-06.md": """---
date: 2025-05-06
with: Priya
---
## Notes
- The release train moves to a two-week cadence from June.
- Priya asked for a written plan before the load test.

## Action items
- [ ] Write the rollback runbook for the payments service (due 2025-05-16)
- [ ] Set up the nightly load test for checkout (due 2025-05-30)
- [ ] Priya will book the venue for the team offsite
""",
    "2025-05-20.md": """---
date: 2025-05-20
with: Priya
---
## Notes
- Checkout latency looked fine during the sale.

## Action items
- [x] Write the rollback runbook for the payments service
- [ ] Set up the nightly load test for checkout
""",
    "2025-06-03.md": """---
date: 2025-06-03
with: 小林さん
---
## 共有
- 監視基盤の移行は来月に決まった

## 宿題
- [ ] 障害対応の振り返り会を開く (期限: 2025-06-13)
""",
    "2025-06-17.md": """---
date: 2025-06-17
with: 小林さん
---
障害対応の振り返り会は先週開いた。参加は8名で、改善案が3つ出た。

## 共有
- 監視基盤の移行計画は未着手
""",
}


@pytest.fixture(scope="module")
def notes(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return imported(tmp_path_factory.mktemp("followthrough"), MEETINGS, "en")


def test_an_item_ticked_off_later_is_answered_done_with_the_closing_meeting(notes: Settings) -> None:
    result = ask.ask("Did I write the rollback runbook?", notes, as_of=dt.date(2025, 7, 1))
    first = result.answer.splitlines()[0]
    assert first.startswith("Action tracker:") and "is done" in first and "2025-05-20" in first, first
    assert "2025-05-20.md" in [s.file for s in result.sources]
    assert "ledger:" in result.why and "2025-05-20.md" in result.why


def test_an_item_still_open_is_answered_open_with_its_due_date(notes: Settings) -> None:
    result = ask.ask("Have I set up the nightly load test?", notes, as_of=dt.date(2025, 7, 1))
    first = result.answer.splitlines()[0]
    assert "still open" in first and "2025-05-30" in first, first


def test_someone_elses_item_is_named_with_its_owner(notes: Settings) -> None:
    result = ask.ask("Has Priya booked the offsite venue?", notes, as_of=dt.date(2025, 7, 1))
    first = result.answer.splitlines()[0]
    assert first.startswith("Action tracker: “Priya: ") and "still open" in first, first


def test_a_closure_after_the_day_asked_about_does_not_count(notes: Settings) -> None:
    result = ask.ask("Did I write the rollback runbook?", notes, as_of=dt.date(2025, 5, 10))
    assert "still open" in result.answer.splitlines()[0], result.answer


def test_an_item_reported_done_in_prose_leads_with_the_report_then_the_standing(notes: Settings) -> None:
    japanese = load_settings(env={"COACH_DATA_DIR": str(notes.data_dir), "COACH_LANG": "ja"})
    for question in ("障害対応の振り返り会は開いた?", "振り返り会はいつ開いた?"):
        lines = ask.ask(question, japanese, as_of=dt.date(2025, 7, 1)).answer.splitlines()
        # the report says when and how: it is quoted (once), and the ledger's verdict follows
        assert any(line.startswith("2025-06-17 の1on1より") and "先週開いた" in line for line in lines), lines
        assert "\n".join(lines).count("先週開いた") == 1, lines
        assert lines[-1] == "アクション記録: 「障害対応の振り返り会を開く」は完了（2025-06-17 の1on1）。", (
            lines
        )


def test_a_report_the_answer_does_not_quote_is_quoted_by_the_standing(notes: Settings) -> None:
    from coach.memory.store import Store

    japanese = load_settings(env={"COACH_DATA_DIR": str(notes.data_dir), "COACH_LANG": "ja"})
    quoted = [("2025-06-03.md", "障害対応の振り返り会を開く (期限: 2025-06-13)")]
    (standing,) = followthrough.follow_through(quoted, Store.open(japanese), "ja", dt.date(2025, 7, 1))
    assert standing.standing == "done" and not standing.report_quoted
    assert standing.text.startswith(
        "アクション記録: 「障害対応の振り返り会を開く」は完了（2025-06-17 の1on1で報告"
    )
    assert "先週開いた" in standing.text and standing.source() is not None


def test_a_question_that_asks_what_is_not_followed_through(notes: Settings) -> None:
    result = ask.ask("What did Priya ask for before the load test?", notes, as_of=dt.date(2025, 7, 1))
    assert not result.answer.startswith("Action tracker:"), result.answer
    assert "ledger:" not in result.why


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("Did we ship the export fix?", True),
        ("Has the vendor replied yet?", True),
        ("Is the migration finished?", True),
        ("移行手順書はもう書いた?", True),
        ("データ移行は進んでいる?", True),
        ("振り返り会は開催済み?", True),
        ("How far did the data cleanup get?", True),  # progress
        ("What did we decide about on-call?", False),
        ("誰が手順書を書いた?", False),  # a wh-question asks who, not whether
        ("いつ移行した?", True),  # when it was done: the same event
        ("When did we move the backups?", True),
        ("いつ移行する予定?", False),
        ("When is the next review?", False),
        ("Why did the deploy fail?", False),
    ],
)
def test_which_questions_ask_whether_something_was_done(question: str, asks: bool) -> None:
    from coach.search.retrieval import normalize

    assert followthrough.asks_status(normalize(question), (ask.ASKS_DONE, ask.ASKS_PROGRESS)) is asks


def test_the_cli_json_carries_the_ledgers_why(notes: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from coach.cli import main

    monkeypatch.setenv("COACH_DATA_DIR", str(notes.data_dir))
    out = CliRunner().invoke(
        main, ["ask", "Did I write the rollback runbook?", "--as-of", "2025-07-01", "--json"]
    )
    payload = json.loads(out.stdout)
    assert payload["found"] and "ledger:" in payload["why"] and "by checkbox" in payload["why"]
    assert payload["answer"].startswith("Action tracker:")


def test_the_llm_is_offered_the_meeting_that_closed_the_item(
    notes: Settings,
    llm_server: LLMServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only the best meeting is cited (the one that opened the item): the meeting that closed it
    is offered too, so the model can read and cite the report instead of the plan."""
    monkeypatch.setattr(ask, "MAX_SOURCES", 1)
    llm_server.reply_stream(["はい、先週開きました [2025-06-17]。"])
    settings = llm_server.settings(data_dir=notes.data_dir, language="ja")
    result = ask.ask("障害対応の振り返り会は開いた?", settings, as_of=dt.date(2025, 7, 1))
    prompt = "\n".join(str(m["content"]) for m in llm_server.requests[0]["messages"])
    assert "[2025-06-03]" in prompt and "[2025-06-17]" in prompt and "先週開いた" in prompt
    assert result.engine.startswith("llm") and not result.warnings, result
    assert [s.file for s in result.sources] == ["2025-06-17.md"]
    assert "ledger:" in result.why
    # the model's answer leads; the ledger's standing, which code states, follows it
    first, *_, last = result.answer.splitlines()
    assert first == "はい、先週開きました [2025-06-17]。"
    assert last.startswith("アクション記録: 「障害対応の振り返り会を開く」は完了"), result.answer
