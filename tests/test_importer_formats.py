"""Formats, owners, due dates and closures other teams write, in wordings of our own.

Each case names one class of phrasing (not a phrase of the development corpora): the parser must
read it from the Markdown tree, the ledger must give it the right owner and status, with the line
that says so.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from coach.config import load_settings
from coach.errors import InputError
from coach.flows.imports import import_dir
from coach.memory.ledger import build_ledger
from coach.memory.markdown import not_a_meeting, parse_meeting, split_owner
from coach.memory.people import People, name_keys
from coach.memory.store import DROPPED, Store
from coach.models import ActionItem
from coach.text.due import find_due


def _parse(text: str, file: str = "2026-05-11.md"):  # type: ignore[no-untyped-def]
    return parse_meeting(textwrap.dedent(text).lstrip(), file)


# --------------------------------------------------------------------------- structure


def test_setext_headings_bold_labels_and_numbered_agenda_open_sections() -> None:
    parsed = _parse(
        """
        週次ミーティング 山田さん 2026/5/11
        ==================================

        うまくいったこと
        ----------------
        * 請求バッチの失敗率を 3% から 0.5% に下げた

        **次にやること**
        * [ ] 請求バッチの監視を追加する

        1. 相談
           - 来月の休暇の取り方
        2. キャリア
           - 設計を任されたい
        """
    )
    kinds = [s.kind for s in parsed.meeting.sections]
    assert kinds[:2] == ["results", "actions"] and "concerns" in kinds and "career" in kinds
    assert parsed.meeting.title and "山田さん" in parsed.meeting.title
    assert parsed.meeting.with_ == "山田さん"
    assert [c.text for c in parsed.checklist] == ["請求バッチの監視を追加する"]


@pytest.mark.parametrize(
    "opening",
    [
        "先週の面談のあと、移行手順書は書き上げた。レビュー待ち。",
        "Since the last 1on1 I wrote the migration guide. It waits for review.",
        "今日の1on1はほぼ雑談だった!",
    ],
)
def test_a_first_line_of_prose_is_kept_as_text_not_taken_for_the_title(opening: str) -> None:
    """A first paragraph that names the meeting (`1on1`, `面談`, a date) reads like a title line,
    but one that ends a sentence is the meeting's text: it stays, and the title is the metadata's."""
    parsed = _parse(f"---\ntitle: 定例\n---\n{opening}\n\n## 共有\n- 来月から新しい当番表\n")
    assert parsed.meeting.title == "定例"
    assert opening in parsed.meeting.preamble
    untitled = _parse(f"{opening}\n\n## 共有\n- 来月から新しい当番表\n")
    assert opening in untitled.meeting.preamble and untitled.meeting.title != opening


def test_a_first_line_that_names_the_meeting_without_a_sentence_is_its_title() -> None:
    parsed = _parse("山田さんとの1on1 2026/5/11\n\n## 共有\n- 来月から新しい当番表\n")
    assert parsed.meeting.title == "山田さんとの1on1 2026/5/11" and not parsed.meeting.preamble


def test_inline_labels_make_sections_and_todo_lines_actions_without_headings() -> None:
    parsed = _parse(
        """
        - 近況: 引っ越しが終わった
        - 合意: リリースは月末に延期
        - ToDo: 移行手順書を書く 今週中
        - 気になること: テスト環境が不安定
        """
    )
    kinds = {s.heading: s.kind for s in parsed.meeting.sections}
    assert (kinds["近況"], kinds["合意"], kinds["気になること"]) == ("results", "decisions", "concerns")
    assert [(c.text, c.due) for c in parsed.checklist] == [("移行手順書を書く", dt.date(2026, 5, 15))]
    assert parsed.meeting.section_text("decisions") == "- リリースは月末に延期"


def test_star_labels_under_a_heading_stay_in_that_section() -> None:
    parsed = _parse(
        "## Wins\n- Task: cut the deploy time\n- Action: cached the images\n- Result: 20 min to 6 min\n"
    )
    assert [s.kind for s in parsed.meeting.sections] == ["results"]
    assert parsed.checklist == []


def test_checkbox_notations_and_table_rows_are_actions_with_state() -> None:
    parsed = _parse(
        """
        ## 宿題
        ☐ 見積もりを出し直す
        ☑ 議事録を共有する
        * [X] 権限申請を出す

        | タスク | 担当者 | 締切 | ステータス |
        |---|---|---|---|
        | 負荷試験の計画を作る | 自分 | 5/20 | 対応中 |
        | 予算の枠を確認 | 山田さん | 5月末 | 完了 |
        """
    )
    got = {c.text: (c.state, c.via, c.owner_name, c.due) for c in parsed.checklist}
    assert got["見積もりを出し直す"][:2] == ("open", "checkbox")
    assert got["議事録を共有する"][0] == "done" and got["権限申請を出す"][0] == "done"
    assert got["負荷試験の計画を作る"] == ("open", "table", "自分", dt.date(2026, 5, 20))
    assert got["予算の枠を確認"] == ("done", "table", "山田", dt.date(2026, 5, 31))
    assert all(c.line and c.source for c in parsed.checklist)


def test_notion_properties_toggles_and_obsidian_tags() -> None:
    parsed = _parse(
        """
        # Weekly sync

        Date: May 11, 2026
        Participants: Priya Shah, Ken Ito
        Tags: sync

        ## Next steps
        - ▶ context
            - the vendor changed the API
        - [ ] Rewrite the importer for the new API #vendor @ken
        """,
        "2026-05-11 Weekly sync Priya.md",
    )
    meeting = parsed.meeting
    assert meeting.date == dt.date(2026, 5, 11)
    assert meeting.participants == ["Priya Shah", "Ken Ito"] and meeting.with_ == "Priya"
    assert "Participants" not in meeting.preamble
    [item] = parsed.checklist
    assert (item.text, item.owner_name) == ("Rewrite the importer for the new API", "ken")


def test_a_cancelled_meeting_and_files_that_are_no_meetings() -> None:
    assert _parse("# 1on1\n\n体調不良のため今週はキャンセル。\n").cancelled
    assert not _parse("## 成果\n- 今週はキャンセル待ちの件を片付けた\n- [ ] 次の件\n").cancelled
    template = "## やること\n- [ ] {{内容}}\n- [ ] {{担当}}\n"
    index = "# ノート\n- [[2026-05-04]]\n- [[2026-05-11]]\n- [[2026-05-18]]\n"
    assert not_a_meeting(template) == "template" and not_a_meeting(index) == "index"
    with pytest.raises(InputError) as refused:
        parse_meeting(template, "2026-05-25.md")
    assert "template" in refused.value.en and "テンプレート" in refused.value.ja


# --------------------------------------------------------------------------- owners and dues


@pytest.mark.parametrize(
    ("line", "name", "text"),
    [
        ("@yamada 申請書を出す", "yamada", "申請書を出す"),
        ("申請書を出す @yamada", "yamada", "申請書を出す"),
        ("申請書を出す（山田さん）", "山田さん", "申請書を出す"),
        ("申請書を出す（担当: 山田さん）", "山田さん", "申請書を出す"),
        ("申請書を出す →山田さん", "山田さん", "申請書を出す"),
        ("山田さん：申請書を出す", "山田さん", "申請書を出す"),
        ("Yamada-san will file the request", "Yamada-san", "file the request"),
        ("Priya to file the request", "Priya", "file the request"),
        ("[owner: me] file the request", "me", "file the request"),
        ("Ken: file the request", "Ken", "file the request"),
        ("申請書を出す → 5/20 に提出済み", None, "申請書を出す"),
        ("申請書を出す（最終確認は山田さん）", None, "申請書を出す（最終確認は山田さん）"),
    ],
)
def test_owner_markers(line: str, name: str | None, text: str) -> None:
    owned = split_owner(line)
    assert (owned.name, owned.text) == (name, text)


def test_people_are_read_from_the_meetings() -> None:
    one = _parse("Participants: 山田 花子, 小林 翔\n\n## メモ\n- x\n", "2026-05-11 1on1 山田さん.md").meeting
    skip = _parse("## Notes\n- x\n", "2026-05-18 (skip-level w Morgan).md").meeting
    people = People.of([one, skip])
    assert people.role("kobayashi") == "me" and people.role("小林") == "me"
    assert people.role("@yamada") == "manager" and people.role("山田さん") == "manager"
    assert people.role("Morgan") == "other" and people.role("鈴木さん") == "other"
    assert people.role(None) == "me" and people.role("自分") == "me"
    assert "sato" in name_keys("佐藤さん") and "sato" in name_keys("Sato-san")


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("資料を送る (due 6/3)", dt.date(2026, 6, 3)),
        ("資料を送る 期限: 6月3日", dt.date(2026, 6, 3)),
        ("資料を送る 〆切 6/3", dt.date(2026, 6, 3)),
        ("資料を送る 6月末まで", dt.date(2026, 6, 30)),
        ("資料を送る（6月中）", dt.date(2026, 6, 30)),
        ("資料を送る（6月前半）", dt.date(2026, 6, 15)),
        ("資料を送る 来週中", dt.date(2026, 5, 22)),
        ("send the deck — Thu", dt.date(2026, 5, 14)),
        ("資料を送る（6月第1週）", dt.date(2026, 6, 5)),
        ("資料を送る（8月第1週）", dt.date(2026, 8, 7)),  # 8/1 is a Saturday: the week of 8/3
        ("send the deck by end of June", dt.date(2026, 6, 30)),
        ("present it at the offsite in June", dt.date(2026, 6, 30)),
        ("資料を 6/3 までに送る", dt.date(2026, 6, 3)),
        ("fix the 5/2 outage report", None),
    ],
)
def test_due_notations_resolved_against_the_meeting(text: str, due: dt.date | None) -> None:
    assert find_due(text, dt.date(2026, 5, 11))[1] == due


# --------------------------------------------------------------------------- the ledger


MIXED = {
    "2026-05-04 1on1 山田さん.md": """
        Participants: 山田 花子, 小林 翔

        ## 次回まで
        - [ ] 障害報告のテンプレートを作る（5月中）
        - [ ] 監視ツールの比較表をまとめる
        - [ ] 予算の上限を確認 @yamada
        - [ ] ログ保存期間の案を出す @suzuki

        | 内容 | 担当 | 期限 | 状態 |
        |---|---|---|---|
        | 負荷試験の計画を作る | 小林 | 5/15 | 未着手 |
        """,
    "2026-05-11 1on1 山田さん.md": """
        ## 振り返り
        - 障害報告のテンプレートは作成済みで、チームに共有した
        - 予算の上限は山田さんが確認してくれた
        - 監視ツールの比較表は途中（持ち越し）

        ## 次回まで
        - [ ] 監視ツールの比較表をまとめる（持ち越し）
        """,
    "2026-05-18 1on1 山田さん.md": """
        # 1on1

        山田さんの出張のため今回はなし。
        """,
    "2026-05-25 1on1 山田さん.md": """
        | 内容 | 担当 | 期限 | 状態 |
        |---|---|---|---|
        | 負荷試験の計画を作る | 小林 | 5/15 | 完了 |

        - 監視ツールの比較は方針が変わったので中止
        """,
}


@pytest.fixture()
def mixed(tmp_path: Path) -> dict[str, ActionItem]:
    notes = tmp_path / "notes"
    notes.mkdir()
    for name, text in MIXED.items():
        (notes / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    (notes / "2026-06-01 テンプレート.md").write_text(
        "## TODO\n- [ ] {{内容}}\n- [ ] {{担当}}\n", encoding="utf-8"
    )
    settings = load_settings(data_dir=tmp_path / "data")
    report = import_dir(notes, settings, index=False)
    assert report.imported == len(MIXED), report.warnings
    return {a.action: a for a in Store.open(settings).actions()}


def test_mixed_folder_owners_closures_carry_over_and_drop(mixed: dict[str, ActionItem]) -> None:
    template = mixed["障害報告のテンプレートを作る"]
    assert (template.owner, template.status, template.done_in) == (
        "me",
        "done",
        "2026-05-11 1on1 山田さん.md",
    )
    assert template.due == dt.date(2026, 5, 31) and template.due_raw
    budget = mixed["予算の上限を確認"]
    assert (budget.owner, budget.owner_name, budget.status) == ("manager", "yamada", "done")
    logs = mixed["ログ保存期間の案を出す"]
    assert (logs.owner, logs.owner_name, logs.status) == ("other", "suzuki", "open")
    plan = mixed["負荷試験の計画を作る"]
    assert (plan.owner, plan.status, plan.closed_by) == ("me", "done", "table")
    compare = mixed["監視ツールの比較表をまとめる"]
    assert (compare.status, compare.result, compare.done_in) == (
        "done",
        DROPPED,
        "2026-05-25 1on1 山田さん.md",
    )
    assert [e.role for e in compare.evidence] == ["opened", "carried", "dropped"], (
        "carried over, counted once"
    )
    assert len(mixed) == 5, sorted(mixed)


def test_every_status_carries_its_evidence_and_why(mixed: dict[str, ActionItem]) -> None:
    for action in mixed.values():
        assert action.evidence and action.evidence[0].role == "opened" and action.why
        if action.status == "done":
            closing = action.evidence[-1]
            assert closing.meeting == action.done_in and closing.line and closing.text
            assert action.done_in in action.why


def test_a_cancelled_meeting_closes_nothing() -> None:
    opened = _parse("## TODO\n- [ ] 出張の精算をする\n", "2026-05-04.md")
    cancelled = _parse("# 1on1\n\n出張の精算が終わらず今週は中止。\n", "2026-05-11.md")
    assert cancelled.cancelled and cancelled.meeting.cancelled
    ledger = build_ledger([(opened.meeting, opened.checklist), (cancelled.meeting, cancelled.checklist)])
    assert [(e.action, e.status) for e in ledger] == [("出張の精算をする", "open")]


def test_the_other_language_closes_an_action_through_the_meaning_function() -> None:
    opened = _parse("## Action items\n- [ ] Write the capacity plan for Q3\n", "2026-05-04.md")
    later = _parse(
        "## 振り返り\n- Q3 のキャパシティ計画を書き上げて共有した\n- 天気の話をした\n", "2026-05-11.md"
    )

    def meaning(actions, lines):  # type: ignore[no-untyped-def]
        # a stand-in for the embedder: the line about the plan is close, the weather is not
        return [[0.95 if "キャパシティ" in line else 0.70 for line in lines] for _ in actions]

    without = build_ledger([(opened.meeting, opened.checklist), (later.meeting, later.checklist)])
    assert without[0].status == "open", "no meaning function: languages are not compared"
    closed = build_ledger([(opened.meeting, opened.checklist), (later.meeting, later.checklist)], meaning)[0]
    assert (closed.status, closed.closed_by, closed.done_in) == ("done", "other-language", "2026-05-11.md")
    assert "meaning 0.95" in closed.why and "キャパシティ" in closed.evidence[-1]["text"]


@pytest.mark.parametrize(
    ("action", "condition_report", "report"),
    [
        (
            "Send the launch checklist to support once legal has approved it",
            "Legal approved the launch plan as expected",
            "Sent the launch checklist to support on Monday",
        ),
        (
            "Merge the schema change after the security review is finished",
            "The security review finished this week",
            "The schema change was merged and deployed",
        ),
        (
            "ベンダー契約が締結されたら移行手順をチームに共有する",
            "ベンダー契約は先週締結された",
            "移行手順をチームに共有した",
        ),
    ],
)
def test_a_report_of_what_an_action_waits_on_does_not_close_it(
    action: str, condition_report: str, report: str
) -> None:
    """`X once Y`: a later line saying Y happened is near the action in meaning and reports
    something done, but X is still to do; the line that reports X closes it."""
    opened = _parse(f"## Action items\n- [ ] {action}\n", "2026-05-04.md")
    waited = _parse(f"## Notes\n- {condition_report}\n- 天気の話をした\n", "2026-05-11.md")
    done = _parse(f"## Notes\n- {report}\n- 天気の話をした\n", "2026-05-18.md")

    def meaning(actions, lines):  # type: ignore[no-untyped-def]
        # a stand-in for the embedder: both lines about the action are close, the weather is not
        return [[0.70 if "天気" in line else 0.95 for line in lines] for _ in actions]

    still = build_ledger([(opened.meeting, opened.checklist), (waited.meeting, waited.checklist)], meaning)[0]
    assert still.status == "open", still.why
    closed = build_ledger([(m.meeting, m.checklist) for m in (opened, waited, done)], meaning)[0]
    assert (closed.status, closed.done_in) == ("done", "2026-05-18.md"), closed.why


def test_the_replays_filters_skip_only_pairs_that_cannot_match(
    meetings_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bigram/number filter of `find` and the unit/head filter of the prose closures are exact:
    the ledger of the development meetings is the same with them and without them."""
    from coach.memory import ledger as ledger_module

    sources = []
    for path in sorted([*meetings_dir.glob("*.md"), *(meetings_dir.parent / "meetings_b").rglob("*.md")]):
        try:
            parsed = parse_meeting(path.read_text(encoding="utf-8"), path.name)
        except InputError:
            continue  # not a meeting (a template, an index page)
        sources.append((parsed.meeting, parsed.checklist))
    sources.sort(key=lambda source: (source[0].date, source[0].file))
    filtered = build_ledger(sources)
    monkeypatch.setattr(ledger_module, "_may_be_alike", lambda a, b: True)
    monkeypatch.setattr(ledger_module, "unit_set", lambda text: frozenset({"*"}))
    monkeypatch.setattr(ledger_module, "_closure_keys", lambda action: (frozenset({"*"}), None))
    unfiltered = build_ledger(sources)
    assert filtered == unfiltered and len(filtered) >= 15
