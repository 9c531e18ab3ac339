"""A held-out question set over the dev meetings, written apart from shared/eval's questions.

The product is judged on questions nobody has seen, so these were written without looking at the
ranking code: new wording, English over Japanese notes, action status, several meetings, dates
relative to `as_of`, and plausible work topics the notes never discuss (which must be not found).
Gold = the meeting files that hold the answer (any of them counts for recall@3).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NamedTuple

import pytest

from coach.config import Settings
from coach.flows import ask
from tests.test_index import import_dev_meetings


class Case(NamedTuple):
    question: str
    kind: str
    gold: tuple[str, ...]
    as_of: str = ""
    fact: str = ""  # a string the offline answer should quote


def m(*days: str) -> tuple[str, ...]:
    return tuple(f"2026-{day}.md" for day in days)


CASES: list[Case] = [
    # lookups
    Case("HTTPクライアントを刷新すべき理由は何だった?", "lookup", m("01-20"), fact="脆弱性"),
    Case("レビューに1人あたり週何時間使っていた?", "lookup", m("01-20"), fact="週6時間"),
    Case("商品詳細APIのエラー率はどう変わった?", "lookup", m("01-06"), fact="0.2%"),
    Case("上半期の成果は何件に整理した?", "lookup", m("06-23"), fact="8件"),
    Case("評価面談は何月にある?", "lookup", m("03-31", "05-26"), fact="7月"),
    Case("田中さんは私の評価をどのランクで出す見込み?", "lookup", m("07-07"), fact="期待を上回る"),
    Case("ガイドライン策定に割ける工数はどれくらい?", "lookup", m("03-17"), fact="週1日"),
    Case("技術選定会議に出す資料はどのくらいの分量でいい?", "lookup", m("01-20"), fact="A4一枚"),
    # paraphrases
    Case("本番で起きたトラブルの根本原因は何だと分かった?", "paraphrase", m("03-17"), fact="レビュー漏れ"),
    Case("人が足りないことを上に上げたことはある?", "paraphrase", m("08-04"), fact="採用"),
    Case("チーム編成が変わる話は聞いている?", "paraphrase", m("03-03"), fact="組織変更"),
    Case("連休のセール期間に何が起きた?", "paraphrase", m("05-12"), fact="タイムアウト"),
    Case("横展開に必要な時間を上司は確保してくれた?", "paraphrase", m("04-28"), fact="20%"),
    Case("新人と一緒にコードを書く時間は作ることにした?", "paraphrase", m("06-09"), fact="ペアプロ"),
    # English over Japanese notes
    Case("Why did I recommend replacing the HTTP client?", "crosslingual", m("01-20"), fact="脆弱性"),
    Case("Who did I onboard in April?", "crosslingual", m("04-14"), as_of="2026-08-20", fact="新卒2名"),
    Case("How often does the new team deploy now?", "crosslingual", m("08-04"), fact="週5回"),
    Case("Is individual coding output enough to get promoted?", "crosslingual", m("03-31"), fact="実装量"),
    Case("What advice did I get about becoming a team lead?", "crosslingual", m("03-03", "06-09")),
    Case(
        "How many production incidents happened before the postmortem?",
        "crosslingual",
        m("03-17"),
        fact="4件",
    ),
    Case(
        "What did I change to fix the inventory API timeouts?",
        "crosslingual",
        m("05-12"),
        fact="コネクションプール",
    ),
    Case("When does the new team officially start?", "crosslingual", m("06-09"), fact="7月"),
    # action status
    Case("オンボーディング資料はwikiに公開できた?", "action_status", m("04-28", "04-14"), fact="公開した"),
    Case("Did I hand in my self-evaluation sheet?", "action_status", m("07-07", "06-23"), fact="提出済み"),
    Case("デプロイ頻度を計測する仕組みはできた?", "action_status", m("08-04")),
    Case("lintのPoCは終わった?", "action_status", m("04-28", "03-31", "04-14"), fact="30%"),
    Case("Have I started regular 1on1s with my members?", "action_status", m("07-07", "06-09")),
    Case("全チームへの展開計画は作り終えた?", "action_status", m("05-26", "04-28"), fact="作成済み"),
    # several meetings
    Case("How did the alert noise problem evolve?", "multi_meeting", m("02-03", "02-17"), fact="90件"),
    Case("HTTPクライアント刷新の提案はその後どうなった?", "multi_meeting", m("01-20", "02-17"), fact="承認"),
    Case(
        "チームリードを目指す中でどんな節目があった?", "multi_meeting", m("03-03", "06-09", "03-31", "06-23")
    ),
    Case(
        "How did the lint automation go from trial to rollout?",
        "multi_meeting",
        m("03-31", "04-14", "04-28", "05-26"),
    ),
    # dates relative to as_of
    Case("5月に報告した成果は?", "temporal", m("05-12", "05-26"), as_of="2026-08-20"),
    Case("What was decided in January?", "temporal", m("01-06", "01-20"), as_of="2026-08-20"),
    Case("前回の1on1で決まったことは?", "temporal", m("03-17"), as_of="2026-03-20", fact="週1日"),
    Case("Q2に相談したことは?", "temporal", m("04-14", "04-28", "05-12", "06-09"), as_of="2026-08-20"),
    Case("先週の1on1では何を話した?", "temporal", m("06-09"), as_of="2026-06-15"),
    Case("What did I report last month?", "temporal", m("04-14", "04-28"), as_of="2026-05-10"),
    # never discussed: must be not found
    Case("副業は認められる?", "not_found", ()),
    Case("転勤の可能性について話した?", "not_found", ()),
    Case("育児休暇について話した?", "not_found", ()),
    Case("英語研修の受講について何か決まった?", "not_found", ()),
    Case("Is the Kubernetes cluster upgrade scheduled?", "not_found", ()),
    Case("四半期のOKRはどう設定した?", "not_found", ()),
    Case("健康診断の日程は?", "not_found", ()),
    Case("書籍購入補助は使える?", "not_found", ()),
    Case("What did we say about the office move?", "not_found", ()),
    Case("Did my manager support my conference talk proposal?", "not_found", ()),
    Case("評価制度の変更について説明はあった?", "not_found", ()),
    Case("Should we adopt GraphQL for the mobile API?", "not_found", ()),
    Case("What was said about the team offsite?", "not_found", ()),
    Case("在宅勤務は週何日までになった?", "not_found", ()),
    Case("Did we talk about my vacation plans in August?", "not_found", (), as_of="2026-08-20"),
    Case("退職金制度について聞いた?", "not_found", ()),
    Case("データベースのバックアップ手順は確認した?", "not_found", ()),
]


class Outcome(NamedTuple):
    case: Case
    found: bool
    rank: int | None  # of the first gold meeting, None when absent
    reason: str


def day(case: Case) -> dt.date | None:
    return dt.date.fromisoformat(case.as_of) if case.as_of else None


def run(case: Case, settings: Settings, mode: str = "fused") -> Outcome:
    found = ask.retrieve(case.question, settings, k=5, as_of=day(case), mode=mode)
    rank = next((i for i, file in enumerate(found.meetings()) if file in case.gold), None)
    return Outcome(case, found.found, rank, found.reason)


def correct(outcome: Outcome) -> bool:
    if not outcome.case.gold:
        return not outcome.found
    return outcome.found and outcome.rank is not None and outcome.rank < 3


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory, meetings_dir: Path) -> Settings:
    return import_dev_meetings(tmp_path_factory.mktemp("heldout") / "data", meetings_dir)


@pytest.fixture(scope="module")
def outcomes(dev: Settings) -> list[Outcome]:
    return [run(case, dev) for case in CASES]


def test_the_set_is_large_and_varied() -> None:
    kinds = {case.kind for case in CASES}
    assert len(CASES) >= 40 and len(kinds) == 7
    assert sum(not case.gold for case in CASES) >= 12


def test_recall_at_3_on_answerable_questions(outcomes: list[Outcome]) -> None:
    answerable = [o for o in outcomes if o.case.gold]
    missed = [(o.case.question, o.rank, o.reason) for o in answerable if not correct(o)]
    assert len(missed) <= len(answerable) // 10, missed


def test_questions_never_discussed_are_not_found(outcomes: list[Outcome]) -> None:
    # English questions over Japanese notes have no lexical evidence either way (an English word
    # missing from Japanese notes says nothing), so a couple still rest on the dense scores alone.
    false_found = [(o.case.question, o.reason) for o in outcomes if not o.case.gold and o.found]
    assert len(false_found) <= 2, false_found
    assert all(question.isascii() for question, _ in false_found), false_found


def test_offline_answers_quote_the_fact(dev: Settings) -> None:
    """The quoted lines must hold the answer, not just come from the right meeting."""
    missing = []
    with_fact = [case for case in CASES if case.fact]
    for case in with_fact:
        result = ask.ask(case.question, dev, as_of=day(case))
        if not (result.found and case.fact in result.answer):
            missing.append((case.question, case.fact, result.answer[:120]))
    # The glossary and synonym groups written for the dev questions are gone (cross-language and
    # paraphrase evidence now comes from the embedder alone), which costs one or two of these.
    assert len(missing) <= len(with_fact) * 0.2, missing


def test_answer_starts_with_the_line_that_answers(dev: Settings) -> None:
    result = ask.ask("What was the outcome of my performance review?", dev)
    first = result.answer.splitlines()[0]
    # the quote is introduced by the meeting's date and counterpart
    assert (
        first.startswith("From the 1on1 on 2026-07-21 with 田中さん: ")
        and "50万円" in first.split(": ", 1)[1][:40]
    )
