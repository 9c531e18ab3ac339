"""kill -9 at several points of import and reindex, then a plain rerun: nothing lost, search complete.

Every drill runs real `coach` processes on a real data dir. The embedding cache is warmed once
per session (the drills measure recovery, not the embedding model), which also makes the index
phase fast enough for a kill to land between its steps.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from coach.flows.imports import import_dir
from coach.memory.store import Store
from tests.support.faults import (
    at_progress,
    coach,
    command,
    environment,
    expected_passages,
    import_notes,
    index_holds,
    kill_at,
    notes_folder,
    settings_for,
    topic,
)

# The first drill also pays for warming the embedding cache (about a minute on a quiet laptop).
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
COUNT = 32


@pytest.fixture(scope="session")
def notes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return notes_folder(tmp_path_factory, COUNT, action_every=8)


@pytest.fixture(scope="session")
def warm_cache(tmp_path_factory: pytest.TempPathFactory, notes: Path) -> Path:
    data = tmp_path_factory.mktemp("warm")
    import_notes(data, notes, timeout=900)
    return data / "embeddings.sqlite3"


@pytest.fixture(scope="session")
def clean_ledger(
    tmp_path_factory: pytest.TempPathFactory, notes: Path, warm_cache: Path
) -> list[tuple[str, str, str]]:
    """The ledger of one uninterrupted import: what every drill must end with."""
    clean = tmp_path_factory.mktemp("clean")
    shutil.copy(warm_cache, clean / "embeddings.sqlite3")
    import_dir(notes, settings_for(clean), index=False)
    return ledger(clean)


@pytest.fixture
def data_dir(tmp_path: Path, warm_cache: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    shutil.copy(warm_cache, data / "embeddings.sqlite3")
    return data


def ledger(data: Path) -> list[tuple[str, str, str]]:
    return sorted((a.from_, a.action, a.status) for a in Store.open(settings_for(data)).actions())


def assert_complete(data: Path, notes: Path, clean_ledger: list[tuple[str, str, str]]) -> None:
    """Store and index hold every meeting exactly once, and the ledger equals a clean import's."""
    settings = settings_for(data)
    expected = expected_passages(notes)
    assert set(Store.open(settings).meeting_files()) == set(expected)
    assert index_holds(settings) == expected
    assert ledger(data) == clean_ledger


def rerun_import(data: Path, notes: Path) -> dict[str, object]:
    report = import_notes(data, notes)
    assert report["warnings"] == []
    return report


KILL_POINTS: dict[str, tuple[list[str], Callable[[str], bool]]] = {
    "import, files read, writes starting": (["import"], at_progress("import", COUNT)),
    "import, first index step confirmed": (["import"], at_progress("index", 8)),
    "import, index three quarters done": (["import"], at_progress("index", 24)),
}


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_kill_during_import_then_plain_rerun_finds_every_meeting(
    point: str, data_dir: Path, notes: Path, tmp_path: Path, clean_ledger: list[tuple[str, str, str]]
) -> None:
    args, when = KILL_POINTS[point]
    kill_at(environment(data_dir), [*args, str(notes)], when)
    report = rerun_import(data_dir, notes)
    index = report["index"]
    assert isinstance(index, dict) and index["pending"] == 0
    if "index" in point:  # the store was complete: only the index had to catch up
        assert report["unchanged"] == COUNT and index["indexed"] > 0
    assert_complete(data_dir, notes, clean_ledger)


@pytest.mark.parametrize("done", [8, 24])
def test_kill_during_reindex_then_plain_rerun_finds_every_meeting(
    done: int, data_dir: Path, notes: Path, tmp_path: Path, clean_ledger: list[tuple[str, str, str]]
) -> None:
    rerun_import(data_dir, notes)
    kill_at(environment(data_dir), ["reindex"], at_progress("reindex", done))
    report = rerun_import(data_dir, notes)
    index = report["index"]
    assert isinstance(index, dict) and index["indexed"] >= COUNT - done - 8
    assert_complete(data_dir, notes, clean_ledger)


def test_search_after_a_crash_and_rerun_finds_a_meeting_the_crash_left_out(
    data_dir: Path, notes: Path, tmp_path: Path
) -> None:
    env = environment(data_dir)
    kill_at(env, ["import", str(notes)], at_progress("index", 8))
    held = index_holds(settings_for(data_dir))
    last = sorted(expected_passages(notes))[-1]
    assert last not in held, "the drill must leave the last meeting out of the index"
    rerun_import(data_dir, notes)
    found = coach(env, "search", f"{topic(COUNT - 1)} の締め切り", "--json")
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["results"][0]["file"] == last


def test_overlapping_imports_both_finish_and_leave_one_copy_of_everything(
    data_dir: Path, notes: Path, tmp_path: Path, clean_ledger: list[tuple[str, str, str]]
) -> None:
    env = environment(data_dir)
    runs = [
        subprocess.Popen(
            command("import", str(notes)),
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    for run in runs:
        out, err = run.communicate(timeout=600)
        assert run.returncode == 0, err.decode()
        assert json.loads(out)["warnings"] == []
    assert_complete(data_dir, notes, clean_ledger)


def test_ask_while_an_import_runs_answers_from_what_is_stored(
    data_dir: Path, notes: Path, tmp_path: Path, clean_ledger: list[tuple[str, str, str]]
) -> None:
    first_half = tmp_path / "first"
    first_half.mkdir()
    for path in sorted(notes.glob("*.md"))[: COUNT // 2]:
        shutil.copy(path, first_half / path.name)
    env = environment(data_dir)
    rerun_import(data_dir, first_half)
    importing = subprocess.Popen(
        command("import", str(notes)), cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    answers: list[dict[str, Any]] = []
    try:
        while importing.poll() is None and len(answers) < 3:
            asked = coach(env, "ask", f"{topic(3)} の締め切りはいつ?", "--json")
            assert asked.returncode == 0, asked.stderr
            answers.append(json.loads(asked.stdout))
    finally:
        _, err = importing.communicate(timeout=600)
    assert importing.returncode == 0, err.decode()
    assert answers, "the import ended before a question could be asked"
    for answer in answers:
        assert answer["found"] and answer["sources"][0]["file"] == sorted(expected_passages(notes))[3]
    assert_complete(data_dir, notes, clean_ledger)
