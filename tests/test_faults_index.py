"""A damaged index or embedding cache, then `coach reindex` (or a plain import): rebuilt from the store.

The index and the cache are derived: whatever happened to their files, the fix the messages name
(`coach reindex`) must work, and must not fail with the error it was run to fix.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.faults import (
    coach,
    environment,
    expected_passages,
    import_notes,
    index_holds,
    notes_folder,
    settings_for,
)

pytestmark = pytest.mark.slow
COUNT = 6


@pytest.fixture(scope="module")
def notes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return notes_folder(tmp_path_factory, COUNT, action_every=0)


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory, notes: Path) -> Path:
    data = tmp_path_factory.mktemp("imported") / "data"
    import_notes(data, notes, timeout=900)
    return data


@pytest.fixture
def data_dir(tmp_path: Path, imported: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(imported, data)
    return data


def garbage(path: Path) -> None:
    path.write_bytes(os.urandom(4096))


def truncate(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 2)


def segment_files(data: Path) -> list[Path]:
    return [p for p in (data / "chroma").rglob("*.bin") if p.is_file()]


def damage_segments(data: Path) -> None:
    files = segment_files(data)
    assert files, "the embedded index keeps its vectors in segment files"
    for path in files:
        garbage(path)


def chroma_dir_is_a_file(data: Path) -> None:
    shutil.rmtree(data / "chroma")
    (data / "chroma").write_text("not a folder")


DAMAGE: dict[str, Callable[[Path], None]] = {
    "chroma.sqlite3 overwritten": lambda data: garbage(data / "chroma" / "chroma.sqlite3"),
    "chroma.sqlite3 cut in half": lambda data: truncate(data / "chroma" / "chroma.sqlite3"),
    "vector segment files overwritten": damage_segments,
    "index folder replaced by a file": chroma_dir_is_a_file,
    "index folder deleted": lambda data: shutil.rmtree(data / "chroma"),
    "embedding cache overwritten": lambda data: garbage(data / "embeddings.sqlite3"),
    "embedding cache cut in half": lambda data: truncate(data / "embeddings.sqlite3"),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_reindex_rebuilds_whatever_was_damaged(damage: str, data_dir: Path, notes: Path) -> None:
    DAMAGE[damage](data_dir)
    env = environment(data_dir)
    searched = coach(env, "search", "締め切り")
    assert "Internal error" not in searched.stderr, searched.stderr
    assert searched.returncode == 0 or "coach reindex" in searched.stderr
    rebuilt = coach(env, "reindex")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert index_holds(settings_for(data_dir)) == expected_passages(notes)
    found = coach(env, "search", "PRJ0004 の締め切り", "--json")
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["results"][0]["file"] == sorted(expected_passages(notes))[4]


@pytest.mark.parametrize("damage", ["index folder deleted", "embedding cache overwritten"])
def test_a_plain_import_repairs_what_needs_no_reindex(damage: str, data_dir: Path, notes: Path) -> None:
    """A vanished index is caught by the count check; a damaged cache is simply started afresh."""
    DAMAGE[damage](data_dir)
    report = import_notes(data_dir, notes)
    assert report["warnings"] == [] and report["unchanged"] == COUNT
    assert index_holds(settings_for(data_dir)) == expected_passages(notes)
    if damage == "index folder deleted":
        assert report["index"]["indexed"] == COUNT and "count" in report["index"]["why"]
