"""The SQLite store through a real database file in the test's data dir."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from coach.config import load_settings
from coach.errors import StoreError
from coach.flows.imports import import_dir, sync_index
from coach.memory import fulltext
from coach.memory.store import MIGRATIONS, Store
from coach.models import NextMeetingPrep, RewriteResult, StarEntry


def test_first_write_creates_the_data_dir_and_records_migrations(isolated_env: Path) -> None:
    settings = load_settings()
    store = Store.open(settings)
    assert store.meetings() == [] and store.actions() == []
    assert not isolated_env.exists(), "reads must not create the data dir"

    input_id = store.save_input("rewrite", "P95 320ms→180ms")
    assert settings.db_path.is_file() and input_id == 1
    with sqlite3.connect(settings.db_path) as db:
        names = [row[0] for row in db.execute("SELECT name FROM _migrations ORDER BY name")]
        mode = db.execute("PRAGMA journal_mode").fetchone()[0]
    assert names == sorted(name for name, _ in MIGRATIONS) and mode == "wal"

    again = Store(settings.db_path)
    assert again.inputs("rewrite")[0][2] == "P95 320ms→180ms"
    with sqlite3.connect(settings.db_path) as db:
        assert db.execute("SELECT count(*) FROM _migrations").fetchone()[0] == len(MIGRATIONS)


def test_foreign_keys_are_enforced() -> None:
    store = Store.open(load_settings())
    store.save_input("x", "y")
    with pytest.raises(sqlite3.IntegrityError), store.transaction() as db:
        db.execute(
            "INSERT INTO actions (key, action, owner, status, from_meeting)"
            " VALUES ('k', 'a', 'me', 'open', 'nope.md')"
        )


def test_prep_and_rewrites_round_trip() -> None:
    store = Store.open(load_settings())
    assert store.load_prep() == NextMeetingPrep()
    result = RewriteResult(language="ja", engine="offline", entries=[StarEntry(title="t", statement="s")])
    saved = store.save_prep(NextMeetingPrep(rewrite=result))
    loaded = store.load_prep()
    assert loaded.rewrite == result and loaded.updated_at == saved.updated_at is not None

    input_id = store.save_input("rewrite", "notes")
    store.save_rewrite(result, input_id)
    today = dt.datetime.now(dt.UTC).date()
    assert [r for _, r in store.rewrites(today, today)] == [result]
    assert store.rewrites(today + dt.timedelta(days=1)) == []


def test_meetings_by_date_and_derived_rows(meetings_dir: Path) -> None:
    settings = load_settings()
    import_dir(meetings_dir, settings, index=False)
    store = Store.open(settings)
    march = store.meetings(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert [m.file for m in march] == ["2026-03-03.md", "2026-03-17.md", "2026-03-31.md"]
    assert store.meeting("2026-03-03.md") == march[0]
    assert store.meeting("1999-01-01.md") is None

    concerns = store.concerns(dt.date(2026, 2, 3), dt.date(2026, 2, 3))
    assert len(concerns) == 2 and all(c[0] == "2026-02-03.md" for c in concerns)
    assert concerns[0][2].startswith("【報告】オンコールのアラートが多すぎる")
    intents = store.career_intents(dt.date(2026, 3, 3), dt.date(2026, 3, 3))
    assert len(intents) == 1 and intents[0][2].startswith("来期は3名程度")


def test_the_actions_a_few_meetings_touch_are_read_without_the_rest(tmp_path: Path) -> None:
    """Opened in one meeting, carried over in a second, closed in a third: each of the three
    finds it, a meeting it never appears in does not."""
    settings = load_settings()
    folder = tmp_path / "meetings"
    folder.mkdir()
    notes = {
        "2025-03-04.md": "## Actions\n- [ ] Draft the capacity plan for Q3\n- [ ] Book the team dinner\n",
        "2025-03-18.md": "## Actions\n- [ ] Draft the capacity plan for Q3\n- [x] Book the team dinner\n",
        "2025-04-01.md": "## Actions\n- [x] Draft the capacity plan for Q3\n",
        "2025-04-15.md": "## Notes\n- Quiet week.\n",
    }
    for name, text in notes.items():
        (folder / name).write_text(f"---\nwith: Jo\n---\n{text}", encoding="utf-8")
    import_dir(folder, settings, index=False)
    store = Store.open(settings)
    plan = next(a for a in store.actions() if a.action.startswith("Draft the capacity"))
    assert plan.status == "done" and plan.done_in == "2025-04-01.md"
    for file in ("2025-03-04.md", "2025-03-18.md", "2025-04-01.md"):
        assert plan in store.actions_in({file}), file
    assert store.actions_in({"2025-04-15.md"}) == [] and store.actions_in(set()) == []
    assert len(store.actions_in({"2025-03-18.md"})) == 2 == len(store.actions())


def test_a_meeting_an_older_parser_read_otherwise_is_read_again_and_reindexed(tmp_path: Path) -> None:
    """The Markdown did not change, the parser did: a re-import writes the meeting's rows again
    (its dropped first line comes back, into the full-text table too) and the next index sync
    re-indexes it; a meeting read the same stays unchanged."""
    from coach.flows import ask
    from tests.test_answers import imported

    meetings = {
        "2025-09-02.md": "---\nwith: Jo\n---\n面談の冒頭で、夜間バッチの移行は先週完了したと報告した。\n\n## 共有\n- 来月は採用面接が多い\n",
        "2025-09-16.md": "---\nwith: Jo\n---\n## 共有\n- 勉強会の講師を頼まれた\n",
    }
    settings = imported(tmp_path, meetings, "en", index=False)
    folder = tmp_path / "meetings"
    store = Store.open(settings)
    # what an older parser left: the first line lost, from the rows, the full-text table and the
    # index built from them
    with store.transaction() as db:
        db.execute("UPDATE meetings SET preamble = '' WHERE file = '2025-09-02.md'")
    older = store.meeting("2025-09-02.md")
    assert older is not None and older.preamble == ""
    with store.transaction() as db:
        fulltext.write(db, [older])
    sync_index(settings)
    assert not any("夜間バッチ" in hit.excerpt for hit in ask.search("夜間バッチの移行", settings).results)

    report = import_dir(folder, settings)
    assert (report.updated, report.unchanged) == (1, 1)
    assert "夜間バッチの移行" in store.meeting("2025-09-02.md").preamble  # type: ignore[union-attr]
    assert report.index is not None and report.index.indexed == 1
    found = ask.search("夜間バッチの移行", settings)
    assert found.results[0].file == "2025-09-02.md" and "夜間バッチ" in found.results[0].excerpt
    assert (import_dir(folder, settings).unchanged, import_dir(folder, settings).updated) == (2, 0)


def test_unchanged_meetings_are_rederived_only_when_the_rules_change(
    meetings_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coach.flows import imports

    settings = load_settings()
    import_dir(meetings_dir, settings, index=False)
    first = {text: bucket for _, _, text, bucket in Store.open(settings).concerns()}
    assert "org" in first.values() and "self" in first.values()

    monkeypatch.setattr(imports, "classify", lambda text: "support")
    again = import_dir(meetings_dir, settings, index=False)
    assert again.unchanged == 16
    assert {b for _, _, _, b in Store.open(settings).concerns()} == set(first.values())

    monkeypatch.setattr(imports, "rules_version", lambda: "rules-of-tomorrow")
    import_dir(meetings_dir, settings, index=False)
    assert {b for _, _, _, b in Store.open(settings).concerns()} == {"support"}


def test_manual_closure_survives_reimport(meetings_dir: Path, tmp_path: Path) -> None:
    settings = load_settings()
    folder = tmp_path / "meetings"
    shutil.copytree(meetings_dir, folder)
    import_dir(folder, settings, index=False)
    store = Store.open(settings)
    target = store.actions(status="open", owner="me")[0]
    assert target.id is not None
    closed = store.mark_done(target.id, "ダッシュボードを公開した")
    assert (closed.status, closed.result, closed.id) == ("done", "ダッシュボードを公開した", target.id)

    last = folder / "2026-08-04.md"
    last.write_text(last.read_text(encoding="utf-8") + "- 追記: 来週は休み\n", encoding="utf-8")
    report = import_dir(folder, settings, index=False)
    assert (report.updated, report.unchanged) == (1, 15)
    after = store.action(target.id)
    assert after is not None and after.status == "done" and after.result == "ダッシュボードを公開した"

    with pytest.raises(StoreError) as err:
        store.mark_done(99999)
    assert "coach actions" in err.value.message("ja")


def test_unreadable_store_is_a_store_error(isolated_env: Path) -> None:
    isolated_env.mkdir(parents=True)
    (isolated_env / "coach.sqlite3").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError) as err:
        Store.open(load_settings()).meetings()
    assert "COACH_DATA_DIR" in err.value.en


def test_update_prep_replaces_only_the_given_parts() -> None:
    from coach.config import load_settings
    from coach.models import TriageItem, TriageResult

    store = Store.open(load_settings())
    triage = TriageResult(
        language="ja",
        engine="offline",
        items=[TriageItem(concern="承認フロー", bucket="support", suggestion="確認")],
    )
    store.update_prep(triage=triage)
    saved = store.update_prep(rewrite=None)
    assert saved.triage == triage and saved.rewrite is None
    assert store.load_prep().triage == triage and store.load_prep().updated_at is not None
    with pytest.raises(ValueError):
        store.update_prep(bogus=1)


def test_last_meeting_file_is_the_latest_on_or_before_the_day(meetings_dir: Path) -> None:
    settings = load_settings()
    store = Store.open(settings)
    assert store.last_meeting_file() is None
    import_dir(meetings_dir, settings, index=False)
    files = [m.file for m in store.meetings()]
    assert store.last_meeting_file() == files[-1]
    assert store.last_meeting_file(end=dt.date(2026, 2, 2)) == "2026-01-20.md"
    assert store.last_meeting_file(end=dt.date(2026, 2, 3)) == "2026-02-03.md"
    # Before the first meeting there is nothing earlier: the latest one stands in.
    assert store.last_meeting_file(end=dt.date(2025, 1, 1)) == files[-1]


def test_store_files_are_the_users_alone(isolated_env: Path) -> None:
    """A data dir coach creates is 700; the store and its WAL files are 600 whatever the umask."""
    import os
    import stat

    old = os.umask(0o022)
    settings = load_settings()
    try:
        store = Store.open(settings)
        store.save_input("rewrite", "a note")
        reader = sqlite3.connect(settings.db_path)  # keeps the WAL file from being cleaned up
        reader.execute("SELECT count(*) FROM inputs").fetchone()
        store.save_input("rewrite", "another note")
        made = [p for p in isolated_env.iterdir() if p.name.startswith("coach.sqlite3")]
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in made}
        reader.close()
    finally:
        os.umask(old)
    assert stat.S_IMODE(isolated_env.stat().st_mode) == 0o700
    assert "coach.sqlite3-wal" in modes
    assert set(modes.values()) == {0o600}, modes


def test_existing_loose_store_file_and_data_dir_are_tightened(isolated_env: Path) -> None:
    """What an older version left world-readable (755/644) is made private on the next write."""
    import os
    import stat

    settings = load_settings()
    Store.open(settings).save_input("x", "y")
    os.chmod(settings.db_path, 0o644)
    os.chmod(isolated_env, 0o755)
    Store.open(settings).save_input("x", "z")
    assert stat.S_IMODE(settings.db_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(isolated_env.stat().st_mode) == 0o700


def test_configured_key_and_key_shaped_tokens_are_never_stored(monkeypatch: pytest.MonkeyPatch) -> None:
    key = "local-test-key-0123456789"
    monkeypatch.setenv("OPENAI_API_KEY", key)
    settings = load_settings()
    store = Store.open(settings)
    store.save_input("rewrite", f"pasted by mistake: {key} and sk-proj-abcdefghijklmnop1234 here")
    store.save_rewrite(RewriteResult(language="en", engine="llm", entries=[], warnings=[f"echoed {key}"]))
    store.update_prep(rewrite=RewriteResult(language="en", engine="llm", entries=[], next=[f"plan {key}"]))
    raw = settings.db_path.read_bytes() + b"".join(
        p.read_bytes() for p in settings.data_dir.iterdir() if p.name.endswith("-wal")
    )
    assert key.encode() not in raw and b"sk-proj-abcdefghijklmnop1234" not in raw
    [(_, _, text, _)] = store.inputs("rewrite")
    assert text == "pasted by mistake: [REDACTED] and [REDACTED] here"
    assert "[REDACTED]" in store.load_prep().model_dump_json()


def test_a_short_placeholder_key_redacts_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Local servers take any key ("x", "ollama"): such a key is not a secret to cut out of notes."""
    monkeypatch.setenv("OPENAI_API_KEY", "x")
    store = Store.open(load_settings())
    store.save_input("rewrite", "x marks the spot")
    assert store.inputs("rewrite")[0][2] == "x marks the spot"


def test_a_held_write_lock_is_a_clear_nothing_saved_error(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import coach.memory.store as store_module

    settings = load_settings()
    store = Store.open(settings)
    store.save_input("x", "first")
    original = sqlite3.connect

    def impatient(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        kwargs["timeout"] = 0.2  # the store waits 30 s for a lock; the test need not
        return original(*args, **kwargs)

    blocker = sqlite3.connect(settings.db_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    monkeypatch.setattr(store_module.sqlite3, "connect", impatient)
    try:
        with pytest.raises(StoreError) as err:
            Store(settings.db_path).save_input("intent", "second")
    finally:
        monkeypatch.undo()
        blocker.execute("ROLLBACK")
        blocker.close()
    assert "Nothing was saved" in err.value.en and "何も保存されていません" in err.value.ja
    assert [t for _, _, t, _ in store.inputs()] == ["first"]


def test_index_record_says_what_is_missing_stale_and_gone(meetings_dir: Path) -> None:
    settings = load_settings()
    import_dir(meetings_dir, settings, index=False)
    store = Store.open(settings)
    files = store.meeting_files()
    stale, gone = store.index_pending("embedded", "v1")
    assert stale == sorted(files) and gone == []
    first, second = sorted(files)[:2]
    store.mark_indexed("embedded", "v1", [(first, files[first], 3), (second, "old-hash", 2)])
    store.mark_indexed("embedded", "v1", [("vanished.md", "h", 4)])
    stale, gone = store.index_pending("embedded", "v1")
    assert first not in stale and second in stale and gone == ["vanished.md"]
    assert store.indexed_passages("embedded") == 9
    assert store.indexed_counts("embedded")[first] == 3
    # Another target (a chroma server) and another index version know nothing yet.
    assert len(store.index_pending("http://127.0.0.1:8000", "v1")[0]) == len(files)
    assert first in store.index_pending("embedded", "v2")[0]
    store.forget_indexed("embedded", ["vanished.md"])
    assert store.index_pending("embedded", "v1")[1] == []
    store.forget_indexed("embedded")
    assert store.indexed_passages("embedded") == 0


def test_two_processes_opening_a_new_store_at_once_apply_each_migration_once(tmp_path: Path) -> None:
    import subprocess
    import sys
    import time

    # Every process loads its modules first, then all open the new store at the same instant.
    script = (
        "import sys, time\nfrom coach.memory.store import Store\n"
        "time.sleep(max(0.0, float(sys.argv[2]) - time.time()))\n"
        "with Store(sys.argv[1]).transaction():\n    pass\n"
    )
    target = tmp_path / "coach.sqlite3"
    start = str(time.time() + 4)
    runs = [
        subprocess.Popen([sys.executable, "-c", script, str(target), start], stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    errors = [run.communicate(timeout=120)[1].decode() for run in runs]
    assert all(run.returncode == 0 for run in runs), errors
    with sqlite3.connect(target) as db:
        names = [row[0] for row in db.execute("SELECT name FROM _migrations")]
    assert sorted(names) == sorted(name for name, _ in MIGRATIONS)


def test_a_burst_of_reads_shares_one_connection_and_closes_it(tmp_path: Path) -> None:
    store = Store.open(load_settings(data_dir=tmp_path))
    with store.reading():
        with store.read() as first, store.read() as second:
            assert first is second
            assert first.execute("SELECT count(*) FROM meetings").fetchone() == (0,)
        held = first
    with pytest.raises(sqlite3.ProgrammingError):
        held.execute("SELECT 1")  # closed when the burst ended
    with store.read() as alone, store.read() as other:
        assert alone is not other
