"""Agenda Markdown (Notion) and Slack pre-share from a prep saved in a real SQLite store."""

from __future__ import annotations

import json

from click.testing import CliRunner

from coach.cli import main
from coach.config import load_settings
from coach.flows.agenda import build_agenda, to_markdown
from coach.flows.intent import sharpen_intent
from coach.flows.triage import triage_concerns
from coach.memory.store import Store
from coach.models import NextMeetingPrep, RewriteResult, StarEntry


def _prepare_ja() -> None:
    settings = load_settings()
    entry = StarEntry(
        title="APIレスポンス改善", statement="APIのP95レスポンスを800msから200msに改善しました(75%短縮)"
    )
    store = Store.open(settings)
    store.save_prep(
        store.load_prep().model_copy(
            update={"rewrite": RewriteResult(language="ja", engine="offline", entries=[entry])}
        )
    )
    triage_concerns(
        "- 【報告】テストが不安定な件は自分で対応中\n"
        "- コードレビューの基準を揃えたいので相談させてほしい\n"
        "- 全社の評価制度が分かりにくい",
        settings,
    )
    sharpen_intent("来期は3名程度の小規模チームのリードを経験したい", settings)


def test_agenda_from_saved_prep_ja() -> None:
    _prepare_ja()
    agenda = build_agenda(load_settings())
    md = agenda.markdown
    assert agenda.language == "ja"
    positions = [md.index(h) for h in ("## 成果報告", "## 課題・相談事項", "## キャリア意向")]
    assert positions == sorted(positions)
    assert "- APIのP95レスポンスを800msから200msに改善しました(75%短縮)" in md
    assert md.index("### 自分で解決") < md.index("### 上長の支援が必要") < md.index("### 組織課題")
    assert "来期は、3名程度の小規模チームのリードを経験したい" in md
    lines = agenda.slack.splitlines()
    assert lines[0] == "次回の1on1で話したいこと:"
    assert lines[1] == "① 成果報告: APIレスポンス改善"
    assert lines[2] == "② 相談: コードレビューの基準を揃えたいので相談させてほしい(ほか2件)"
    assert lines[3] == "③ キャリア: 3名程度の小規模チームのリードを経験したい(来期)"
    assert len(lines) == 4, "three points, one a line"
    assert "Slack" in to_markdown(agenda)


def test_agenda_english_numbered_slack() -> None:
    settings = load_settings()
    triage_concerns("Could you approve budget for a load-testing tool?", settings)
    sharpen_intent(
        "By next March I want to own the payments service because I've handled most of its incidents.",
        settings,
    )
    agenda = build_agenda(settings)
    assert agenda.language == "en"
    assert "## Results" in agenda.markdown and "not prepared yet" in agenda.markdown
    assert agenda.slack.splitlines() == [
        "Topics for our next 1on1:",
        "1) Ask: Could you approve budget for a load-testing tool?",
        "2) Career: own the payments service (by next March)",
    ]


def test_slack_keeps_three_points_when_results_are_missing() -> None:
    settings = load_settings()
    triage_concerns(
        "- I fixed the flaky deploy script\n"
        "- Can we get a second on-call person for nights?\n"
        "- Hiring is frozen across the company",
        settings,
    )
    sharpen_intent("Next half I'd like to mentor two juniors on the team.", settings)
    slack = build_agenda(settings).slack
    assert slack.splitlines()[1:] == [
        "1) Ask: Can we get a second on-call person for nights?",
        "2) Escalation: Hiring is frozen across the company (+1 more)",
        "3) Career: mentor two juniors on the team (next half)",
    ]
    assert "FYI" not in slack, "a report-only concern is the last to take a point"


def test_empty_prep_says_what_to_do() -> None:
    agenda = build_agenda(load_settings(), language="ja")
    assert agenda.markdown.count("未準備") == 3
    assert agenda.slack == "次回の1on1の議題はまだ準備されていません。"
    assert "前回のアクション" not in agenda.markdown


def test_language_override_and_prep_roundtrip() -> None:
    settings = load_settings()
    Store.open(settings).save_prep(NextMeetingPrep())
    assert build_agenda(settings, language="en").language == "en"


def test_opening_lines_from_the_action_ledger(meetings_dir: object) -> None:
    from coach.flows.imports import import_dir

    settings = load_settings()
    import_dir(str(meetings_dir), settings)
    agenda = build_agenda(settings, language="ja")
    # The last meeting left my actions open, so the agenda must open with them.
    assert agenda.opening, "the open actions of the last meeting should open the agenda"
    assert agenda.markdown.startswith("## 前回のアクション")
    assert agenda.opening[0] in agenda.markdown


def test_cli_agenda_json() -> None:
    _prepare_ja()
    out = CliRunner().invoke(main, ["agenda", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["language"] == "ja" and "## 成果報告" in data["markdown"] and data["slack"].startswith("次回")


def test_slack_points_are_whole_phrases_one_a_line() -> None:
    """Titles with version dots and long titles are never cut mid-word or joined on one line."""
    settings = load_settings()
    entries = [
        StarEntry(title="Upgraded the billing worker from Node 18.2 to 20.11", statement="Upgraded it"),
        StarEntry(title="x", statement="y"),
    ]
    store = Store.open(settings)
    store.save_prep(
        store.load_prep().model_copy(
            update={"rewrite": RewriteResult(language="en", engine="offline", entries=entries)}
        )
    )
    triage_concerns(
        "- Could you help me find a reviewer for the caching proposal, ideally someone from the storage "
        "group who knows the eviction code, before the design review on the fourteenth?\n",
        settings,
    )
    agenda = build_agenda(settings)
    lines = agenda.slack.splitlines()
    assert lines[1] == "1) Update: Upgraded the billing worker from Node 18.2 to 20.11"
    assert lines[2].startswith("2) Ask: Could you help me find a reviewer for the caching proposal")
    ask = lines[2].removeprefix("2) Ask: ")
    assert ask in (
        "Could you help me find a reviewer for the caching proposal, ideally someone from the storage "
        "group who knows the eviction code, before the design review on the fourteenth?"
    ), "a prefix of the user's words"
    assert not ask.endswith(("…", ",", " the", " a")) and len(ask) <= 80
    assert len(lines) == 3


def test_japanese_point_is_cut_between_words() -> None:
    from coach.flows.agenda import _phrase

    text = "来週の顧客向けデモで使う検証環境のデータ投入スクリプトがまだ動かず手作業で毎回二時間かかっている"
    short = _phrase(text, "ja")
    assert text.startswith(short) and len(short) <= 40
    assert short[-1] not in "のがをにでへとはもや", short


def test_a_concern_pasted_on_rewrite_sits_under_concerns() -> None:
    from coach.flows.rewrite import rewrite_notes

    settings = load_settings()
    rewrite_notes(
        "他チームのレビュー待ちでリリースが止まっていて困っています。判断をお願いしたい。", settings
    )
    agenda = build_agenda(settings, language="ja")
    results, concerns = agenda.markdown.split("## 課題・相談事項")
    assert "(効果: [N])" not in agenda.markdown
    assert "レビュー待ち" not in results and "未準備" in results
    assert "### 上長の支援が必要" in concerns and "レビュー待ち" in concerns
    assert "② " not in agenda.slack and agenda.slack.splitlines()[1].startswith(
        "① 相談: 他チームのレビュー待ち"
    )
