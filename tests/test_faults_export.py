"""`coach export`: never overwrites without --force, never writes outside the target, refuses ''."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from coach.config import load_settings
from coach.errors import CoachError
from coach.flows import imports
from tests.support.faults import coach, environment, settings_for, write_meetings


@pytest.fixture
def stored(tmp_path: Path) -> list[str]:
    names = write_meetings(tmp_path / "notes", 3, action_every=0)
    imports.import_dir(tmp_path / "notes", load_settings(), index=False)
    return names


def test_existing_files_are_kept_and_nothing_is_written_without_force(
    tmp_path: Path, stored: list[str]
) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / stored[1]).write_text("my own edits", encoding="utf-8")
    report = imports.export_meetings(target, load_settings())
    assert report.refused == [stored[1]] and report.written == [] and "--force" in report.why
    assert (target / stored[1]).read_text(encoding="utf-8") == "my own edits"
    assert sorted(p.name for p in target.iterdir()) == [stored[1]]
    with pytest.raises(CoachError) as err:
        imports.export_dir(target, load_settings())
    assert "--force" in err.value.en and "--force" in err.value.ja


def test_force_replaces_a_link_instead_of_writing_through_it(tmp_path: Path, stored: list[str]) -> None:
    target = tmp_path / "out"
    target.mkdir()
    outside = tmp_path / "precious.txt"
    outside.write_text("not yours to overwrite", encoding="utf-8")
    (target / stored[0]).symlink_to(outside)
    report = imports.export_meetings(target, load_settings(), force=True)
    assert len(report.written) == 3 and "replaced 1" in report.why
    assert outside.read_text(encoding="utf-8") == "not yours to overwrite"
    assert not (target / stored[0]).is_symlink()
    assert (target / stored[0]).read_text(encoding="utf-8").startswith("---")
    assert not [p for p in target.iterdir() if p.name.endswith(".tmp")]


def test_an_empty_target_is_refused_and_the_current_folder_untouched(
    tmp_path: Path, stored: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    before = sorted(os.listdir(tmp_path))
    for blank in ("", "  "):
        with pytest.raises(CoachError) as err:
            imports.export_meetings(blank, load_settings())
        assert "coach export" in err.value.en
    assert sorted(os.listdir(tmp_path)) == before


def test_a_file_as_target_is_refused(tmp_path: Path, stored: list[str]) -> None:
    target = tmp_path / "a-file"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(CoachError):
        imports.export_meetings(target, load_settings())
    assert target.read_text(encoding="utf-8") == "x"


def test_cli_export_json_force_and_refusal(tmp_path: Path) -> None:
    """Through the real command: the JSON report, exit code 2 on refusal, --force to replace."""
    write_meetings(tmp_path / "notes", 2, action_every=0)
    env = environment(tmp_path / "data")
    imports.import_dir(tmp_path / "notes", settings_for(tmp_path / "data"), index=False)
    out = tmp_path / "out"
    first = coach(env, "export", str(out), "--json")
    assert first.returncode == 0, first.stderr
    assert len(json.loads(first.stdout)["written"]) == 2
    again = coach(env, "export", str(out))
    assert again.returncode == 2 and "--force" in again.stderr
    refused = coach(env, "export", str(out), "--json")
    assert refused.returncode == 2 and len(json.loads(refused.stdout)["refused"]) == 2
    forced = coach(env, "export", str(out), "--force")
    assert forced.returncode == 0 and "2 meeting(s) written" in forced.stdout
    blank = coach(env, "export", "")
    assert blank.returncode == 2 and "Internal error" not in blank.stderr
