"""The memory commands through click's CliRunner against the real store in the test's data dir."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from coach.cli import main
from coach.models import Meeting
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


def test_reindex_prints_a_model_with_json(
    meetings_dir: Path, indexed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import coach.search.vectors as vectors

    rebuilt_from: list[str] = []

    def reindex(settings: object, meetings: list[Meeting], progress: object = None, **_: object) -> int:
        rebuilt_from.extend(m.file for m in meetings)
        return sum(len(vectors.passages_of(m)) for m in meetings)

    monkeypatch.setattr(vectors, "reindex", reindex)
    runner = CliRunner()
    assert runner.invoke(main, ["import", str(meetings_dir)]).exit_code == 0
    rebuilt = runner.invoke(main, ["reindex", "--json"])
    assert rebuilt.exit_code == 0, rebuilt.output
    report = json.loads(rebuilt.stdout)
    assert report["passages"] > 0 and report["why"]
    assert sorted(rebuilt_from) == sorted(indexed)  # every stored meeting, nothing else
    plain = runner.invoke(main, ["reindex"])
    assert plain.stdout.strip() == f"{report['passages']} passage(s) indexed"


def test_every_command_takes_json() -> None:
    """Each command that prints a result accepts --json and then prints one model."""
    import click

    def commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
        found = []
        for name, command in group.commands.items():
            found.append((prefix + name, command))
            if isinstance(command, click.Group):
                found += commands(command, prefix + name + " ")
        return found

    lacking = [
        name
        for name, command in commands(main)
        if not any(isinstance(p, click.Option) and "--json" in p.opts for p in command.params)
    ]
    assert lacking == []


def test_rewrite_stops_when_the_notes_cannot_be_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Saving what the user typed must succeed (as for intent and triage): an error saying what to
    do, never a result with a warning that the notes were lost."""
    blocked = tmp_path / "data-is-a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("COACH_DATA_DIR", str(blocked))
    notes = tmp_path / "notes.md"
    notes.write_text("- Cut the build from 40 min to 12 min.\n", encoding="utf-8")
    runner = CliRunner()
    for command in (["rewrite", str(notes)], ["triage", str(notes)], ["intent", "I want to lead a team"]):
        done = runner.invoke(main, [*command, "--json"])
        assert done.exit_code == 2, (command, done.output)
        assert "COACH_DATA_DIR" in done.stderr and done.stdout == ""
