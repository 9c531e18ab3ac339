"""The action ledger report, manual closure and the opening of the next meeting."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from coach.config import load_settings
from coach.flows.actions import actions_report, mark_done, opening_lines, overdue, to_markdown
from coach.flows.imports import import_dir


def test_report_lists_open_actions_and_flags_overdue(meetings_dir: Path) -> None:
    settings = load_settings()
    import_dir(meetings_dir, settings, index=False)
    as_of = dt.date(2026, 8, 4)
    report = actions_report(settings, only_open=True, as_of=as_of)
    assert report.as_of == as_of and all(a.status == "open" for a in report.actions)
    late = {a.action for a in overdue(report.actions, as_of)}
    assert late == {a.action for a in report.actions if a.due and a.due < as_of}
    assert "在庫APIの監視ダッシュボードを整備する" in late
    assert "設計レビュー会の立ち上げ案を作る" not in late
    markdown = to_markdown(report)
    assert markdown.count("overdue") == len(late)

    everything = actions_report(settings, as_of=as_of)
    payload = everything.model_dump(mode="json", by_alias=True)
    first = payload["actions"][0]
    assert {"action", "owner", "due", "status", "from", "done_in", "id"} <= set(first)
    assert first["from"] == "2026-01-06.md"


def test_mark_done_then_opening_lines(meetings_dir: Path) -> None:
    settings = load_settings()
    import_dir(meetings_dir, settings, index=False)
    as_of = dt.date(2026, 8, 10)
    latest = next(a for a in actions_report(settings, only_open=True).actions if a.from_ == "2026-08-04.md")
    assert latest.id is not None
    closed = mark_done(settings, latest.id, result="Grafanaで月次のデプロイ回数を見られるようにした")
    assert closed.status == "done" and closed.done_in is None

    ja = opening_lines(settings, "ja", as_of=as_of)
    assert ja[0] == (
        "前回約束したチームのデプロイ頻度を月次で計測する仕組みを作るは完了しました。"
        "結果としてGrafanaで月次のデプロイ回数を見られるようにした。"
    )
    assert "設計レビュー会の立ち上げ案を作る: まだ途中です(期限 2026-08-11)" in ja
    assert any(
        line.startswith("在庫APIの監視ダッシュボードを整備する: 期限 2026-05-29 を過ぎています")
        for line in ja
    )
    assert len(ja) == 1 + 3

    en = opening_lines(settings, "en", as_of=as_of)
    assert en[0].startswith("Last time I promised チームのデプロイ頻度") and "done — result" in en[0]


def test_opening_lines_leave_a_placeholder_for_a_missing_result(meetings_dir: Path) -> None:
    settings = load_settings()
    import_dir(meetings_dir, settings, index=False)
    latest = next(a for a in actions_report(settings, only_open=True).actions if a.from_ == "2026-08-04.md")
    assert latest.id is not None
    mark_done(settings, latest.id)
    assert "[結果を一言で]" in opening_lines(settings, "ja", as_of=dt.date(2026, 8, 10))[0]


def test_empty_store_has_no_opening_lines() -> None:
    assert opening_lines(load_settings(), "en") == []
    assert actions_report(load_settings()).actions == []


def test_a_dropped_action_opens_the_meeting_as_dropped_not_done(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "2026-03-02.md").write_text(
        "## Action items\n- [ ] Migrate the staging cluster to the new VPC\n"
    )
    (folder / "2026-03-09.md").write_text(
        "The staging cluster migration to the new VPC is no longer needed.\n\n## Action items\n- [ ] Other\n"
    )
    settings = load_settings()
    import_dir(folder, settings, index=False)
    dropped = next(a for a in actions_report(settings).actions if a.action.startswith("Migrate"))
    assert (dropped.status, dropped.done_in, dropped.result) == ("done", "2026-03-09.md", "dropped")
    en = opening_lines(settings, "en", as_of=dt.date(2026, 3, 5))
    ja = opening_lines(settings, "ja", as_of=dt.date(2026, 3, 5))
    assert any("dropped" in line and "Migrate" in line for line in en)
    assert any("取りやめ" in line for line in ja) and not any("完了" in line for line in ja)
