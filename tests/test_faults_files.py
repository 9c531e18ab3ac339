"""Bad entries in a notes folder: each is skipped with a warning, the rest imported, nothing blocks.

A FIFO named like a meeting, a symlink loop, a dangling link, a link out of the folder, a
directory with a meeting's name and a file name that is not UTF-8 sit beside valid meetings.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import threading
from pathlib import Path

import pytest

from coach.config import load_settings
from coach.flows import imports
from coach.memory.store import Store
from tests.support.faults import coach, environment, write_meetings

BAD_NAME = b"2025-06-06-\xff\xfe.md"


def hostile_folder(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "notes"
    good = write_meetings(folder, 3, action_every=0)
    outside = tmp_path / "elsewhere"
    write_meetings(outside, 1, start=dt.date(2030, 1, 7), action_every=0)
    secret = outside / "2030-01-07.md"
    secret.write_text(secret.read_text(encoding="utf-8").replace("週次", "社外秘メモ"), encoding="utf-8")
    os.mkfifo(folder / "2025-06-01.md")
    (folder / "2025-06-02.md").symlink_to("2025-06-02.md")  # a link to itself: a loop
    (folder / "2025-06-03.md").symlink_to("missing.md")  # dangling
    (folder / "2025-06-04.md").symlink_to(secret)  # out of the folder
    (folder / "2025-06-05.md").symlink_to(good[0])  # inside the folder: followed
    (folder / "2025-06-07.md").mkdir()
    with open(os.path.join(os.fsencode(folder), BAD_NAME), "wb") as handle:
        handle.write((folder / good[1]).read_bytes())
    return folder, secret


def test_bad_entries_are_skipped_and_the_rest_imported(tmp_path: Path) -> None:
    folder, _ = hostile_folder(tmp_path)
    settings = load_settings()
    report = imports.import_dir(folder, settings, index=False)
    assert report.imported == 4  # three meetings and the link that stays inside the folder
    assert sorted(report.skipped) == [
        "2025-06-01.md",
        "2025-06-02.md",
        "2025-06-03.md",
        "2025-06-04.md",
        "2025-06-06-\\xff\\xfe.md",
        "2025-06-07.md",
    ]
    text = "\n".join(report.warnings)
    for reason in ("not a regular file", "link loop", "outside the folder", "not valid UTF-8"):
        assert reason in text
    assert "社外秘メモ" not in "".join(
        Store.open(settings).raw(f) or "" for f in Store.open(settings).meeting_files()
    )


def test_warnings_follow_the_message_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, _ = hostile_folder(tmp_path)
    monkeypatch.setenv("COACH_LANG", "ja")
    report = imports.import_dir(folder, load_settings(), index=False)
    assert any("通常のファイルではありません" in w for w in report.warnings)
    assert any("UTF-8 ではありません" in w for w in report.warnings)


@pytest.mark.slow
def test_cli_import_of_a_hostile_folder_finishes(tmp_path: Path) -> None:
    """Through a real process: a FIFO would block the read forever, so a timeout fails the test."""
    folder, _ = hostile_folder(tmp_path)
    done = coach(environment(tmp_path / "data"), "import", str(folder), timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["imported"] == 4 and len(report["skipped"]) == 6
    assert "Internal error" not in done.stderr


def test_reading_the_folder_holds_no_write_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While files are read and parsed, another writer gets the store at once."""
    folder = tmp_path / "notes"
    write_meetings(folder, 4, action_every=0)
    settings = load_settings()
    Store.open(settings).save_input("x", "the store exists")
    reading = threading.Event()
    go_on = threading.Event()
    real = imports.read_file

    def slow_read(path: Path) -> bytes:
        reading.set()
        assert go_on.wait(30)
        return real(path)

    monkeypatch.setattr(imports, "read_file", slow_read)
    worker = threading.Thread(target=imports.import_dir, args=(folder, settings), kwargs={"index": False})
    worker.start()
    try:
        assert reading.wait(30)
        other = sqlite3.connect(settings.db_path, timeout=0.5, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # raises `database is locked` if the import held the lock
        other.execute("ROLLBACK")
        other.close()
    finally:
        go_on.set()
        worker.join(60)
    assert Store.open(settings).counts()["meetings"] == 4


@pytest.mark.slow
def test_a_locked_store_is_never_reported_as_saved(tmp_path: Path) -> None:
    """`coach intent` against a store another process holds: it must say nothing was saved."""
    data = tmp_path / "data"
    settings = load_settings(env=environment(data))
    Store.open(settings).save_input("x", "the store exists")
    holder = sqlite3.connect(settings.db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        done = coach(environment(data), "intent", "来年はテックリードになりたい", timeout=120)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert done.returncode != 0
    assert "Your data is saved" not in done.stderr and "Nothing was saved" in done.stderr
    assert [t for _, _, t, _ in Store.open(settings).inputs("intent")] == []
