"""Import of Markdown meetings into a real SQLite store: the ledger, idempotence, crashes, round trips."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from coach.config import Settings, load_settings
from coach.errors import CoachError
from coach.flows import imports as import_flow
from coach.flows.imports import export_dir, import_dir
from coach.memory import ledger, markdown
from coach.memory.markdown import parse_meeting
from coach.memory.store import Store
from coach.models import ImportReport
from coach.text.due import split_due


def _settings(data_dir: Path | None = None) -> Settings:
    return load_settings() if data_dir is None else load_settings(data_dir=data_dir)


def _ledger(settings: Settings) -> set[tuple[object, ...]]:
    return {
        (a.action, a.owner, a.from_, a.done_in, a.due, a.status, a.result)
        for a in Store.open(settings).actions()
    }


def _write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _import_files(tmp_path: Path, files: dict[str, str]) -> tuple[ImportReport, Store]:
    """Import these notes into the test's own store."""
    settings = _settings()
    report = import_dir(_write(tmp_path / "notes", files), settings, index=False)
    return report, Store.open(settings)


def test_eval_meetings_give_exactly_the_expected_ledger(meetings_dir: Path, eval_dir: Path) -> None:
    settings = _settings()
    report = import_dir(meetings_dir, settings, index=False)
    expected = json.loads((eval_dir / "meetings_actions.json").read_text(encoding="utf-8"))
    mine = Store.open(settings).actions(owner="me")

    got_open = {(a.action, a.from_, a.due.isoformat() if a.due else None) for a in mine if a.status == "open"}
    got_done = {(a.action, a.from_, a.done_in) for a in mine if a.status == "done"}
    assert got_open == {(a["action"], a["from"], a["due"]) for a in expected["open"]}
    assert got_done == {(a["action"], a["from"], a["done_in"]) for a in expected["done"]}
    assert report.imported == 16 and report.actions_open == len(expected["open"])
    assert all(a.id is not None for a in mine)


def test_prose_closure_keeps_what_came_of_it(meetings_dir: Path) -> None:
    settings = _settings()
    import_dir(meetings_dir, settings, index=False)
    done = {a.action: a for a in Store.open(settings).actions(status="done")}
    library = next(a for name, a in done.items() if "ライブラリ" in name)
    assert library.result and "4件の候補を絞り込み" in library.result
    assert library.done_in == "2026-01-20.md"


def test_reimport_changes_nothing(meetings_dir: Path) -> None:
    settings = _settings()
    import_dir(meetings_dir, settings, index=False)
    before = Store.open(settings).actions()
    again = import_dir(meetings_dir, settings, index=False)
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 16)
    assert Store.open(settings).actions() == before


def test_crash_mid_import_leaves_nothing_half_written(
    meetings_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings()
    real = markdown.parse_meeting
    calls = {"n": 0}

    def flaky(text: str, file: str) -> markdown.ParsedMeeting:
        calls["n"] += 1
        if calls["n"] == 7:
            raise RuntimeError("disk on fire")
        return real(text, file)

    monkeypatch.setattr(import_flow, "parse_meeting", flaky)
    with pytest.raises(RuntimeError):
        import_dir(meetings_dir, settings, index=False)
    counts = Store.open(settings).counts()
    assert counts["meetings"] == 0 and counts["actions"] == 0 and counts["sections"] == 0

    monkeypatch.setattr(import_flow, "parse_meeting", real)
    import_dir(meetings_dir, settings, index=False)
    clean = _settings(tmp_path / "clean")
    import_dir(meetings_dir, clean, index=False)
    assert _ledger(settings) == _ledger(clean)
    assert Store.open(settings).counts() == Store.open(clean).counts()


def test_export_then_import_loses_nothing(meetings_dir: Path, tmp_path: Path) -> None:
    first = _settings()
    import_dir(meetings_dir, first, index=False)
    written = export_dir(tmp_path / "out", first)
    assert len(written) == 16
    second = _settings(tmp_path / "second")
    import_dir(tmp_path / "out", second, index=False)
    assert Store.open(second).meetings() == Store.open(first).meetings()
    assert _ledger(second) == _ledger(first)


def test_english_bold_headings_fullwidth_due_and_no_front_matter(tmp_path: Path) -> None:
    report, store = _import_files(
        tmp_path,
        {
            "2026-02-02 weekly.md": (
                "Quick sync before the release.\n\n"
                "**Wins**\n- Cut build time from 20 min to 8 min\n\n"
                "**Blockers**\n- Staging is shared with two teams\n\n"
                "**Action items**\n"
                "- [ ] Run the load test on staging (due: 2026-02-09)\n"
                "- [ ] Write the rollback runbook due 2026-02-12\n"
                "- [ ] 移行手順書を書く（期限：2/6）\n"
            ),
            "2026-02-16.md": (
                "# Weekly 1on1\n\n"
                "## Updates\n"
                "I finished the load test; p95 stayed under 300 ms at 2x traffic.\n"
                "The rollback runbook is not finished yet.\n\n"
                "## Next actions\n- [x] 移行手順書を書く\n"
            ),
            "README.md": "not a meeting",
        },
    )
    assert any("README.md" in w for w in report.warnings)

    meeting = store.meeting("2026-02-02 weekly.md")
    assert meeting is not None
    assert meeting.date == dt.date(2026, 2, 2) and meeting.preamble == "Quick sync before the release."
    assert [s.kind for s in meeting.sections] == ["results", "concerns", "actions"]
    second = store.meeting("2026-02-16.md")
    assert second is not None and second.title == "Weekly 1on1"

    ledger = {a.action: a for a in store.actions()}
    assert set(ledger) == {"Run the load test on staging", "Write the rollback runbook", "移行手順書を書く"}
    load = ledger["Run the load test on staging"]
    assert (load.status, load.done_in, load.due) == ("done", "2026-02-16.md", dt.date(2026, 2, 9))
    assert load.result and "p95" in load.result
    runbook = ledger["Write the rollback runbook"]
    assert (runbook.status, runbook.due) == ("open", dt.date(2026, 2, 12))
    manual = ledger["移行手順書を書く"]
    assert (manual.status, manual.done_in, manual.due) == ("done", "2026-02-16.md", dt.date(2026, 2, 6))


def test_negation_keeps_an_action_open_and_manager_items_are_the_managers(tmp_path: Path) -> None:
    _report, store = _import_files(
        tmp_path,
        {
            "2026-03-02.md": (
                "---\nwith: 佐藤さん\n---\n"
                "## 次のアクション\n"
                "- [ ] 設計レビュー会の立ち上げ案を作る (期限: 2026-03-20)\n"
                "- [ ] 障害対応の手順を整理する\n"
                "### 上司のアクション\n"
                "- [ ] 予算の確認\n"
                "- [ ] @manager 採用枠を部長に相談する\n"
            ),
            "2026-03-16.md": (
                "---\nwith: 佐藤さん\n---\n"
                "設計レビュー会の案はまだ途中です。障害対応の手順は整理が終わり、チームに展開した。\n\n"
                "## アクション\n- [ ] 佐藤さん: 評価基準を共有する\n"
            ),
        },
    )
    ledger = {a.action: a for a in store.actions()}
    assert ledger["設計レビュー会の立ち上げ案を作る"].status == "open"
    closed = ledger["障害対応の手順を整理する"]
    assert (closed.status, closed.done_in, closed.result) == ("done", "2026-03-16.md", "チームに展開した")
    assert {a.action for a in ledger.values() if a.owner == "manager"} == {
        "予算の確認",
        "採用枠を部長に相談する",
        "評価基準を共有する",
    }


def test_checked_repeat_with_other_wording_is_the_same_action(tmp_path: Path) -> None:
    _report, store = _import_files(
        tmp_path,
        {
            "2026-04-01.md": "## TODO\n- [ ] オンボーディング資料を社内wikiに公開する (due 2026-04-10)\n",
            "2026-04-15.md": "## TODO\n- [x] オンボーディング資料を wiki に公開\n",
            "2026-04-29.md": "## TODO\n- [x] オンボーディング資料を社内wikiに公開する\n",
        },
    )
    actions = store.actions()
    assert len(actions) == 1
    assert (actions[0].status, actions[0].done_in) == ("done", "2026-04-15.md")


def test_front_matter_date_wins_and_bad_yaml_is_a_warning(tmp_path: Path) -> None:
    report, store = _import_files(
        tmp_path,
        {
            "2026-05-01-sync.md": "---\ndate: 2026-05-02\ntitle: moved\n---\n## Decisions\n- ship it\n",
            "2026-05-15.md": "---\ntitle: [broken\nwith: x: y\n---\n## Decisions\n- hold\n",
        },
    )
    assert any("2026-05-15.md" in w and "YAML" in w for w in report.warnings)
    dates = {m.file: m.date for m in store.meetings()}
    assert dates == {"2026-05-01-sync.md": dt.date(2026, 5, 2), "2026-05-15.md": dt.date(2026, 5, 15)}
    broken = store.meeting("2026-05-15.md")
    assert broken is not None and broken.section_text("decisions") == "- hold"


def test_due_dates_in_many_notations() -> None:
    meeting_day = dt.date(2026, 12, 15)
    assert split_due("資料を作る（期限：1/10）", meeting_day) == ("資料を作る", dt.date(2027, 1, 10))
    assert split_due("Ship v2 (by Jan 20)", meeting_day) == ("Ship v2", dt.date(2027, 1, 20))
    assert split_due("資料を作る 12月20日まで", meeting_day) == ("資料を作る", dt.date(2026, 12, 20))
    assert split_due("No date here", meeting_day) == ("No date here", None)


@pytest.mark.parametrize(
    ("text", "meeting_day", "expected"),
    [
        ("手順書を直す（期限: 3/14）", dt.date(2026, 3, 2), ("手順書を直す", dt.date(2026, 3, 14))),
        ("手順書を直す 3月14日まで", dt.date(2026, 3, 2), ("手順書を直す", dt.date(2026, 3, 14))),
        # carried over after its due date: still this year, not an error
        ("Fix the alerts (due 3/13)", dt.date(2026, 3, 17), ("Fix the alerts", dt.date(2026, 3, 13))),
        ("Fix the alerts by Friday", dt.date(2026, 3, 2), ("Fix the alerts", dt.date(2026, 3, 6))),
        ("Fix the alerts by Friday", dt.date(2026, 3, 6), ("Fix the alerts", dt.date(2026, 3, 13))),
        ("Fix the alerts (due next Mon)", dt.date(2026, 3, 4), ("Fix the alerts", dt.date(2026, 3, 9))),
        ("資料を送る（期限: 金曜）", dt.date(2026, 3, 2), ("資料を送る", dt.date(2026, 3, 6))),
        ("資料を送る 来週の水曜まで", dt.date(2026, 3, 2), ("資料を送る", dt.date(2026, 3, 11))),
        ("Plan the work by month end", dt.date(2026, 3, 2), ("Plan the work by month end", None)),
    ],
)
def test_due_without_a_year_or_as_a_weekday_is_read_from_the_meeting_date(
    text: str, meeting_day: dt.date, expected: tuple[str, dt.date | None]
) -> None:
    assert split_due(text, meeting_day) == expected


def test_parse_meeting_needs_a_date() -> None:
    with pytest.raises(CoachError) as err:
        parse_meeting("## Decisions\n- x\n", "notes.md")
    assert "YYYY-MM-DD" in err.value.message("ja")


def test_missing_folder_and_empty_folder_are_clear_errors(tmp_path: Path) -> None:
    settings = _settings()
    with pytest.raises(CoachError) as missing:
        import_dir(tmp_path / "nope", settings)
    assert "フォルダが見つかりません" in missing.value.message("ja")
    _write(tmp_path / "empty", {"todo.md": "x"})
    with pytest.raises(CoachError) as empty:
        import_dir(tmp_path / "empty", settings)
    assert "YYYY-MM-DD.md" in empty.value.en


def test_index_failure_keeps_the_store_committed(meetings_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import coach.search.vectors

    def broken(*args: object, **kwargs: object) -> int:
        raise RuntimeError("chroma unavailable")

    monkeypatch.setattr(coach.search.vectors, "index_meetings", broken)
    settings = _settings()
    report = import_dir(meetings_dir, settings)
    assert any("coach reindex" in w for w in report.warnings)
    assert Store.open(settings).counts()["meetings"] == 16


def test_progress_is_reported_per_file(meetings_dir: Path) -> None:
    seen: list[tuple[int, int, str]] = []
    import_dir(meetings_dir, _settings(), progress=lambda d, t, item: seen.append((d, t, item)), index=False)
    assert seen[-1] == (16, 16, "2026-08-04.md") and len(seen) == 16


@pytest.mark.parametrize(
    ("action", "sentence", "closes"),
    [
        ("Run the load test on staging", "The load test is done.", True),
        ("Write the rollback runbook", "Last time I promised the rollback runbook: done", True),
        ("Ship the beta", "We shipped the beta to 20 users", True),
        ("Write the rollback runbook", "The rollback runbook is still in progress", False),
        ("全チームへの展開計画を作る", "全チームへの展開計画は作成済みで、来月から順次適用する", True),
        ("監視ダッシュボードを整備する", "監視ダッシュボードは来週完了予定", False),
        ("採用計画を作る", "採用計画は作成済みだが、予算の確保はまだ", True),
        ("予算を確保する", "採用計画は作成済みだが、予算の確保はまだ", False),
        ("Write the migration plan", "Shipped the migration plan to the team on Friday", True),
        ("Confirm the Q2 headcount", "Sam confirmed the Q2 headcount: one backend hire", True),
        ("Introduce me to the data lead", "Sam introduced me to Lee, the data lead", True),
        ("Set up a sync with Lee", "The sync with Lee is set up", True),
        ("Set up a sync with Lee", "Set up a sync agenda for Lee next", False),
        (
            "Write the rollout proposal",
            "Rollout proposal: still working on it, first draft is half done",
            False,
        ),
        ("Write the rollout proposal", "Started the rollout proposal", False),
        ("先輩に話を聞く", "先輩2人から話を聞けた", True),
        ("先輩に話を聞く", "先輩に話を聞きたい", False),
        ("障害振り返り会を主催する", "障害振り返り会を5/8に開催、参加者14名", True),
        ("障害振り返り会を主催する", "障害振り返り会を来週に開催", False),
        ("障害振り返り会を主催する", "障害振り返り会の開催を検討", False),
    ],
)
def test_prose_closure_rules(action: str, sentence: str, closes: bool) -> None:
    assert (ledger._closure(action, sentence)[0] is not None) is closes


@pytest.mark.parametrize(
    ("action", "sentence"),
    [
        ("Migrate the staging cluster to the new VPC", "The staging cluster migration is no longer needed"),
        ("Ask for a WG charter example", "The WG charter example is not needed anymore"),
        ("旧APIの移行手順を書く", "旧APIの移行手順は不要になった"),
        ("旧APIの移行手順を書く", "旧APIの移行手順の作成は中止"),
    ],
)
def test_dropped_actions_close_as_dropped(action: str, sentence: str) -> None:
    assert ledger._closure(action, sentence)[0] == ledger.DROPPED


def test_dropping_as_the_action_itself_is_done_not_dropped() -> None:
    assert ledger._closure("Drop the legacy orders table", "Dropped the legacy orders table")[0] == "done"
    assert ledger._closure("Cancel the unused licences", "Cancelled the unused licences")[0] == "done"
    assert ledger._closure("キャンセル処理を直す", "キャンセル処理はまだ直していない")[0] is None
