"""The memory commands through click's CliRunner against the real store in the test's data dir."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from coach.cli import main
from tests.support import memory_index

indexed = memory_index.indexed  # autouse: meetings are recorded, not embedded


def test_import_actions_done_and_export(meetings_dir: Path, tmp_path: Path, indexed: list[str]) -> None:
    runner = CliRunner()
    imported = runner.invoke(main, ["import", str(meetings_dir)])
    assert imported.exit_code == 0, imported.output
    assert json.loads(imported.stdout)["imported"] == 16
    assert "import [" in imported.stderr and "16/16" in imported.stderr
    assert len(indexed) == 16

    listed = runner.invoke(main, ["actions", "--open", "--json", "--as-of", "2026-08-04"])
    payload = json.loads(listed.stdout)
    assert payload["as_of"] == "2026-08-04"
    assert {a["status"] for a in payload["actions"]} == {"open"} and len(payload["actions"]) == 4
    target = payload["actions"][0]

    closed = runner.invoke(
        main, ["actions", "done", str(target["id"]), "--result", "ダッシュボードを公開した"]
    )
    assert closed.exit_code == 0, closed.output
    assert json.loads(closed.stdout)["status"] == "done"
    still_open = json.loads(runner.invoke(main, ["actions", "--open", "--json"]).stdout)["actions"]
    assert target["id"] not in {a["id"] for a in still_open}

    table = runner.invoke(main, ["actions", "--as-of", "2026-08-04"])
    assert "| overdue |" in table.stdout and "ダッシュボードを公開した" in table.stdout

    exported = runner.invoke(main, ["export", str(tmp_path / "out")])
    assert exported.exit_code == 0 and "16 meeting(s)" in exported.stdout
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        p.name for p in meetings_dir.iterdir()
    )


def test_errors_are_messages_in_the_users_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_LANG", "ja")
    runner = CliRunner()
    missing = runner.invoke(main, ["import", str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "フォルダが見つかりません" in missing.stderr
    unknown = runner.invoke(main, ["actions", "done", "42"])
    assert unknown.exit_code == 2 and "coach actions" in unknown.stderr
