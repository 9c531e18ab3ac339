"""Saving the post-meeting record into the real store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from coach.config import load_settings
from coach.flows import record as record_module
from coach.flows.imports import import_dir
from coach.flows.record import save_record
from coach.memory.store import Store
from coach.models import ActionItem, MeetingRecord
from tests.support import memory_index

indexed = memory_index.indexed  # autouse: meetings are recorded, not embedded


def _action(action: str, **fields: object) -> ActionItem:
    return ActionItem.model_validate({"action": action, "from": "", **fields})


def _record(**overrides: object) -> MeetingRecord:
    data: dict[str, object] = {
        "date": dt.date(2026, 8, 18),
        "with": "田中さん",
        "title": "新チームの運営",
        "decisions": ["設計レビュー会は隔週で開く"],
        "info": ["10月から評価制度が変わる"],
        "my_actions": [
            ActionItem.model_validate(
                {"action": "設計レビュー会の案内を出す", "due": "2026-08-25", "from": ""}
            )
        ],
        "manager_actions": [
            ActionItem.model_validate({"action": "会議室を確保する", "owner": "manager", "from": ""})
        ],
    }
    data.update(overrides)
    return MeetingRecord.model_validate(data)


def test_record_creates_a_meeting_and_its_actions(indexed: list[str]) -> None:
    settings = load_settings()
    meeting = save_record(_record(), settings)
    assert meeting.file == "2026-08-18.md" and indexed == ["2026-08-18.md"]
    stored = Store.open(settings).meeting("2026-08-18.md")
    assert stored is not None and stored == meeting
    assert stored.section_text("decisions") == "- 設計レビュー会は隔週で開く"
    actions = {(a.action, a.owner, a.due, a.status) for a in Store.open(settings).actions()}
    assert actions == {
        ("設計レビュー会の案内を出す", "me", dt.date(2026, 8, 25), "open"),
        ("会議室を確保する", "manager", None, "open"),
    }
    assert Store.open(settings).inputs("record"), "the raw record is kept"


def test_saving_twice_does_not_duplicate_and_another_title_gets_its_own_file(indexed: list[str]) -> None:
    settings = load_settings()
    save_record(_record(), settings)
    save_record(_record(), settings)
    assert len(Store.open(settings).actions()) == 2
    assert indexed == ["2026-08-18.md"], "an unchanged record is not re-indexed"
    other = save_record(_record(title="採用面談の振り返り", my_actions=[], manager_actions=[]), settings)
    assert other.file == "2026-08-18-2.md"
    assert {m.file for m in Store.open(settings).meetings()} == {"2026-08-18.md", "2026-08-18-2.md"}


def test_record_updates_an_imported_meeting_and_closes_earlier_actions(meetings_dir: Path) -> None:
    settings = load_settings()
    import_dir(meetings_dir, settings, index=False)
    done = ActionItem.model_validate(
        {"action": "設計レビュー会の立ち上げ案を作る", "status": "done", "from": ""}
    )
    save_record(_record(date=dt.date(2026, 8, 4), my_actions=[done], manager_actions=[]), settings)
    meeting = Store.open(settings).meeting("2026-08-04.md")
    assert meeting is not None and meeting.section_text("results").startswith("- 新チームのデプロイ頻度")
    ledger = {a.action: a for a in Store.open(settings).actions()}
    assert (
        ledger["設計レビュー会の立ち上げ案を作る"].status,
        ledger["設計レビュー会の立ち上げ案を作る"].done_in,
    ) == (
        "done",
        "2026-08-04.md",
    )
    assert "チームのデプロイ頻度を月次で計測する仕組みを作る" not in ledger, (
        "replaced by the record's actions"
    )


def test_input_is_saved_even_when_a_later_step_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("crash while writing")

    monkeypatch.setattr(record_module, "rebuild_ledger", broken)
    with pytest.raises(RuntimeError):
        save_record(_record(), settings)
    store = Store.open(settings)
    assert store.meetings() == [], "the meeting write rolled back"
    assert "設計レビュー会の案内を出す" in store.inputs("record")[0][2]


def test_english_record_uses_english_headings() -> None:
    settings = load_settings()
    record = _record(
        **{"with": "Alex"},
        title="Weekly",
        decisions=["Ship the beta on Friday"],
        info=[],
        my_actions=[
            ActionItem.model_validate({"action": "Write release notes", "due": "2026-08-21", "from": ""})
        ],
        manager_actions=[],
    )
    meeting = save_record(record, settings)
    assert [s.heading for s in meeting.sections] == ["Decisions", "Next actions"]
    assert Store.open(settings).actions()[0].due == dt.date(2026, 8, 21)


def test_two_meetings_on_one_day_with_different_people_are_two_meetings() -> None:
    settings = load_settings()
    first = save_record(_record(title=None), settings)
    second = save_record(
        _record(title=None, **{"with": "鈴木さん"}, my_actions=[], manager_actions=[]), settings
    )
    assert first.file != second.file
    assert {m.with_ for m in Store.open(settings).meetings()} == {"田中さん", "鈴木さん"}
    assert len(Store.open(settings).actions()) == 2, "the first meeting's actions are untouched"


def test_a_meeting_with_the_same_identity_is_not_overwritten_without_asking() -> None:
    settings = load_settings()
    save_record(_record(), settings)
    with pytest.raises(record_module.MeetingExists) as raised:
        save_record(_record(decisions=["別の決定"]), settings, if_exists="ask")
    assert raised.value.file == "2026-08-18.md" and raised.value.ja
    stored = Store.open(settings).meeting("2026-08-18.md")
    assert stored is not None and "設計レビュー会は隔週で開く" in stored.section_text("decisions")


def test_editing_a_saved_meeting_fixes_a_typo_and_keeps_every_action() -> None:
    settings = load_settings()
    meeting = save_record(_record(title="新チームの運栄"), settings)
    opened = record_module.record_of(meeting.file, settings)
    assert opened is not None
    assert [a.action for a in opened.my_actions] == ["設計レビュー会の案内を出す"]
    assert [a.action for a in opened.manager_actions] == ["会議室を確保する"]
    assert opened.my_actions[0].due == dt.date(2026, 8, 25)
    fixed = opened.model_copy(update={"title": "新チームの運営"})
    again = save_record(fixed, settings, file=meeting.file, if_exists="ask")
    assert again.file == meeting.file and again.title == "新チームの運営"
    actions = {(a.action, a.owner) for a in Store.open(settings).actions()}
    assert actions == {("設計レビュー会の案内を出す", "me"), ("会議室を確保する", "manager")}
    assert [m.file for m in record_module.saved_meetings(settings)] == [meeting.file]


def test_a_draft_outlives_the_page_and_is_cleared_on_request() -> None:
    settings = load_settings()
    assert record_module.load_draft(settings) is None
    record_module.save_draft({"date": dt.date(2026, 8, 18), "decisions": "途中まで書いた"}, settings)
    assert record_module.load_draft(settings) == {"date": "2026-08-18", "decisions": "途中まで書いた"}
    record_module.save_draft({"decisions": "書き足した"}, settings)
    assert record_module.load_draft(settings) == {"decisions": "書き足した"}
    record_module.clear_draft(settings)
    assert record_module.load_draft(settings) is None


def test_opening_an_imported_meeting_and_saving_it_keeps_what_the_form_cannot_show(tmp_path: Path) -> None:
    """Follow-up reports, an action table with its status column, a teammate's item and nested
    remarks are not in the form; saving the form keeps them as written, and a done item stays done."""
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "2026-09-14 1on1 山田さん.md").write_text(
        "# 1on1 山田さん 2026-09-14\n\n"
        "## 前回の宿題\n- 監視ダッシュボードの刷新は 9/10 に公開した。アラートは 120件/週→35件/週\n\n"
        "## 決定\n- 障害訓練は四半期ごとに行う\n  - 山田さん: 「最初は小さく」\n\n"
        "## 共有\n- 10月から新しい評価シートになる\n\n"
        "## やること\n- [x] 訓練の日程案を出す\n- [ ] 手順書の目次を作る\n- [ ] 権限の棚卸し @kobayashi\n\n"
        "## アクションアイテム\n| 内容 | 担当 | 期限 | 状態 |\n|---|---|---|---|\n"
        "| 予算の見積もりを出す | 自分 | 9/30 | 進行中 |\n",
        encoding="utf-8",
    )
    settings = load_settings(data_dir=tmp_path / "data")
    import_dir(notes, settings, index=False)
    store = Store.open(settings)
    (file,) = store.meeting_files()
    before = {(a.action, a.owner, a.status) for a in store.actions()}
    opened = record_module.record_of(file, settings)
    assert opened is not None
    assert opened.info == ["10月から新しい評価シートになる"] and opened.decisions == []
    assert [(a.action, a.status) for a in opened.my_actions] == [
        ("訓練の日程案を出す", "done"),
        ("手順書の目次を作る", "open"),
    ]
    assert set(opened.kept) == {"前回の宿題", "決定", "やること", "アクションアイテム"}, opened.kept
    edited = opened.model_copy(update={"info": ["10月から新しい評価シートになる(説明会は 10/2)"]})
    save_record(edited, settings, file=file, if_exists="ask")
    raw = store.raw(file) or ""
    for kept in (
        "120件/週→35件/週",
        "「最初は小さく」",
        "| 予算の見積もりを出す | 自分 | 9/30 | 進行中 |",
        "@kobayashi",
    ):
        assert kept in raw, kept
    assert "説明会は 10/2" in raw
    after = {(a.action, a.owner, a.status) for a in store.actions()}
    assert after == before, before ^ after
