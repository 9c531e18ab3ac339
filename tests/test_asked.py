"""An answer that holds no number (or no date) for a question asking one says the notes lack it.

Meetings and questions written for these tests, in both languages: topics the notes discuss, asked
about a figure or a day they do state, and about one they never state. Through the real parts:
Markdown files imported into a SQLite store and a chroma index, the CLI's JSON; and over the
development meetings (corpus A), questions written apart from shared/eval's.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coach.config import Settings
from coach.flows import ask, asked
from coach.search.retrieval import normalize
from tests.test_answers import imported
from tests.test_index import import_dev_meetings

MEETINGS = {
    "2025-03-04.md": """---
date: 2025-03-04
with: Sofia
---
## Notes
- The mobile squad grows by three engineers in April.
- The vendor renewal for the crash reporter costs $18,000 a year.
- Sofia wants the on-call handbook reviewed before the audit.

## Action items
- [ ] Draft the on-call handbook (due 2025-03-21)
""",
    "2025-03-18.md": """---
date: 2025-03-18
with: Sofia
---
## Notes
- The on-call handbook draft is ready for review; Sofia will read it this week.
- Crash-free sessions on Android went from 97.1% to 99.2% after the SDK update.
- The hackathon was a success and everyone enjoyed it.
""",
    "2025-04-08.md": """---
date: 2025-04-08
with: 中川さん
---
## 共有
- 新しい評価制度の説明会を開く方向で調整している
- 社内勉強会は毎回盛り上がっている。発表者の募集を続ける

## 決まったこと
- 設計レビューは週1回、木曜に行う
- 障害報告のテンプレートを見直す
""",
}


@pytest.fixture(scope="module")
def notes(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return imported(tmp_path_factory.mktemp("asked"), MEETINGS, "en")


# --------------------------------------------------------------------------- the rules, by case


@pytest.mark.parametrize(
    ("question", "kind", "group"),
    [
        ("予算はいくら?", "money", None),
        ("勉強会には何人来た?", "count", "people"),
        ("資料は何ページ?", "count", "sheets"),
        ("How many engineers joined?", "count", "people"),
        ("How many open bugs are left?", "count", "cases"),
        ("レビューに何時間かかる?", "time", None),
        ("How much did the bill grow?", None, None),
        ("どれくらい速くなった?", None, None),
    ],
)
def test_the_amount_a_question_asks_for(question: str, kind: str | None, group: str | None) -> None:
    amount = asked.asked_amount(normalize(question))
    assert (amount.kind, amount.group) == (kind, group)


@pytest.mark.parametrize(
    ("question", "sentence", "states"),
    [
        ("勉強会には何人来た?", "参加は12名だった", True),
        ("勉強会には何人来た?", "勉強会は週1回開いている", False),  # a count of occasions
        ("勉強会には何人来た?", "参加者は五人ほど", True),  # a numeral before a counter
        ("予算はいくら?", "予算は300万円で確定", True),
        ("予算はいくら?", "担当は3名に増える", False),
        ("予算はいくら?", "金額はまだ未定", True),  # says the figure is not set: an answer
        ("コストはいくら下がった?", "クラウド費用を30%削減した", True),  # a saving said as a share
        ("勉強会には何人来た?", "参加は数人だった", True),
        ("How many engineers joined?", "two engineers joined the platform team", True),
        ("How many engineers joined?", "we now deploy 4 times a week", False),
        ("How many open bugs are left?", "残りは7件", True),
        ("How many open bugs are left?", "the 2026-05-02 release notes", False),  # a date, not a count
        ("レビューに何時間かかる?", "レビューは1件あたり90分", True),  # 90分 is a time
        ("How much did the bill grow?", "the bill went up by 12% in May", True),  # any figure
        # the counted noun named with the number: its own counter counts it (件 for sessions)
        ("How many sessions did the mentoring program hold?", "mentoringのsession数は合計9件", True),
        ("How many sessions did the mentoring program hold?", "mentoringの参加者は9名", False),
    ],
)
def test_a_sentence_states_the_amount_asked(question: str, sentence: str, states: bool) -> None:
    amount = asked.asked_amount(normalize(question))
    assert asked.states_amount(normalize(sentence), amount) is states


@pytest.mark.parametrize(
    ("sentence", "states"),
    [
        ("リリースは来月の予定", True),
        ("日程は調整中", True),
        ("the demo is on Thursday", True),
        ("kick-off early in Q3", True),
        ("期限: 2025-06-30", True),
        ("説明会を開く方向で検討している", False),
        ("the demo went well", False),
    ],
)
def test_a_sentence_names_a_date(sentence: str, states: bool) -> None:
    assert asked.states_date(normalize(sentence)) is states


def test_a_question_whether_something_was_done_is_not_checked_for_a_date() -> None:
    quoted = [normalize("The handbook draft is ready for review")]
    assert asked.asked_fact_absent(normalize("When did I finish the handbook?"), quoted, status=True) is None
    absent = asked.asked_fact_absent(normalize("When is the handbook due?"), quoted, status=False)
    assert absent is not None and absent.kind.name == "a date" and "“when”" in absent.why


# --------------------------------------------------------------------------- answers, end to end


@pytest.mark.parametrize(
    ("store", "question", "fact"),
    [
        ("notes", "How many engineers join the mobile squad?", "three engineers"),
        ("notes", "How much does the crash reporter renewal cost?", "$18,000"),
        ("notes", "設計レビューは何曜日に行う?", "木曜"),
        ("notes", "When is the on-call handbook draft due?", "2025-03-21"),
        # stated of the subject the question names (the `siblings` meetings, below)
        ("siblings", "資格手当はいくら?", "8,000"),
        ("siblings", "チームの残業時間はどれくらい?", "20時間"),
        # the result line names only the head (エラー率); the meeting's situation names the API
        ("siblings", "決済APIのエラー率はどれくらい下がった?", "0.3%"),
        ("siblings", "How much is the conference budget?", "$3,000"),
    ],
)
def test_a_stated_figure_or_date_is_answered(
    request: pytest.FixtureRequest, store: str, question: str, fact: str
) -> None:
    result = ask.ask(question, request.getfixturevalue(store))
    assert result.found, result.why
    assert fact in result.answer and "asked fact absent" not in result.why


@pytest.mark.parametrize(
    ("question", "opening"),
    [
        (
            "How many people took part in the hackathon?",
            "Your notes discuss this, but the passages found state no figure",
        ),
        (
            "評価制度の説明会はいつ開く?",
            "メモにこの話題はありますが、見つかった箇所に日付・時期は書かれていません",
        ),
        (
            "社内勉強会には毎回何人参加している?",
            "メモにこの話題はありますが、見つかった箇所に数値は書かれていません",
        ),
    ],
)
def test_a_figure_or_date_the_notes_never_state_is_said_to_be_absent(
    notes: Settings, question: str, opening: str
) -> None:
    result = ask.ask(question, notes)
    assert not result.found
    assert result.answer.startswith(opening), result.answer
    assert result.sources  # the nearest meetings stay, so the user can look
    assert "asked fact absent" in result.why


def test_the_cli_json_says_which_fact_is_absent(notes: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from coach.cli import main

    monkeypatch.setenv("COACH_DATA_DIR", str(notes.data_dir))
    out = CliRunner().invoke(main, ["ask", "How many people took part in the hackathon?", "--json"])
    payload = json.loads(out.stdout)
    assert payload["found"] is False
    assert "asks for an amount (“how many”)" in payload["why"]
    assert [s["file"] for s in payload["sources"]][:1] == ["2025-03-18.md"]


# --------------------------------------------------------------------------- over the dev meetings

# Questions written for this check about topics corpus A discusses, asking a figure it never states.
NEAR_MISSES = [
    "新しいチームの予算はいくら?",
    "在庫APIの監視ダッシュボードには何枚のグラフがある?",
    "How many pages is the code review guideline draft?",
    "ペアプロ枠には毎回何人参加している?",
    "How many people will join the team next quarter?",
    "新卒の2人は何歳?",
]


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory, meetings_dir: Path) -> Settings:
    return import_dev_meetings(tmp_path_factory.mktemp("asked-dev") / "data", meetings_dir)


@pytest.mark.parametrize("question", NEAR_MISSES)
def test_dev_meetings_lack_the_figure(dev: Settings, question: str) -> None:
    result = ask.ask(question, dev)
    assert not result.found and "asked fact absent" in result.why, result.answer


# --------------------------------------------------------------------------- the subject of the fact


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        ("資格手当はいくら?", "資格手当"),
        ("小林さんの残業時間ってどれくらい?", "小林さんの残業時間"),
        ("社内ハッカソンの登壇で交通費はいくら出た?", "交通費"),
        ("障害対応は週何件まで減った?", "障害対応"),
        ("How much is the travel budget for the offsite?", "travel budget"),
        ("When was the design review?", "design review"),
        ("How much is the parking fee per day?", "parking fee"),
        ("When is the team dinner next week?", "team dinner"),
        ("How many tickets did we close?", None),  # no copula: the subject is not in a plain place
        ("What did we decide about the budget?", None),  # asks no fact
    ],
)
def test_the_subject_a_fact_is_asked_of(question: str, subject: str | None) -> None:
    text = normalize(question)
    match = next((m for kind in asked.FACT_KINDS if (m := kind.asks.search(text))), None)
    assert (asked.asked_subject(text, match) if match else None) == subject


SIBLINGS = {
    "2025-06-03.md": """---
date: 2025-06-03
with: 森さん
---
## 共有
- 資格手当は月8,000円。AWSの資格も対象になった
- 夜勤のシフトは来月から見直す予定
- チームの残業時間は月平均20時間に減った

## 成果
- 状況: 決済APIの障害が続いていた
- 結果: エラー率が1.2%→0.3%に下がった
""",
    "2025-06-17.md": """---
date: 2025-06-17
with: 森さん
---
## 共有
- 小林さんが新しくチームに加わった。オンボーディングは自分が担当
- The conference budget for the team is $3,000 this year.
- The travel policy now asks for receipts within a week.
""",
}


@pytest.fixture(scope="module")
def siblings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return imported(tmp_path_factory.mktemp("asked-siblings"), SIBLINGS, "ja")


@pytest.mark.parametrize(
    "question",
    [
        "シフト手当はいくら?",  # 手当 is stated only of 資格手当; シフト only without a figure
        "小林さんの残業時間はどれくらい?",  # the team's hours, not 小林さん's
        "How much is the travel budget?",  # the conference's budget; travel only as a policy
    ],
)
def test_a_fact_stated_of_a_sibling_subject_does_not_answer(siblings: Settings, question: str) -> None:
    result = ask.ask(question, siblings)
    assert not result.found, result.answer
    assert "of another subject" in result.why, result.why
    assert result.sources  # the nearest meetings stay


def test_why_names_what_the_sibling_sentences_lack() -> None:
    question = normalize("交通費はいくら?")
    match = asked.ASKS_AMOUNT.search(question)
    assert match is not None and asked.asked_subject(question, match) == "交通費"
    subject = asked.Subject("交通費", ("交通費",), lambda word, text: [(0, 1)] if word in text else [])
    absent = asked.asked_fact_absent(
        question, [normalize("懇親会の会費は3,000円")], status=False, subject_of=lambda _words: subject
    )
    assert absent is not None
    assert absent.why.endswith("(1 state one of another subject: without “交通費”)"), absent.why
