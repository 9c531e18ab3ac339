"""The chroma index in a real directory: passages, deterministic ids, upserts, deletions, dates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from coach.config import Settings, load_settings
from coach.flows import imports
from coach.flows.imports import import_dir
from coach.memory.markdown import parse_meeting
from coach.models import Meeting, MeetingSection
from coach.search import vectors as index


def import_dev_meetings(data_dir: Path, meetings_dir: Path) -> Settings:
    """Import the 16 dev meetings through the real importer (store + index) into `data_dir`."""
    settings = load_settings(env={"COACH_DATA_DIR": str(data_dir), "COACH_LANG": "en"})
    report = import_dir(meetings_dir, settings)
    assert report.imported == 16 and not report.warnings
    return settings


def meeting(file: str, day: dt.date, *sections: tuple[str, str], preamble: str = "") -> Meeting:
    return Meeting(
        file=file,
        date=day,
        preamble=preamble,
        sections=[MeetingSection(kind="info", heading=heading, text=text) for heading, text in sections],
    )


def test_passages_one_per_section_and_preamble(meetings_dir: Path) -> None:
    parsed = parse_meeting((meetings_dir / "2026-01-20.md").read_text(encoding="utf-8"), "2026-01-20.md")
    passages = index.passages_of(parsed.meeting)
    assert passages[0].id == "2026-01-20.md#0" and passages[0].section == "other"
    assert "前回の宿題" in passages[0].text
    assert len(passages) == 1 + len(parsed.meeting.sections)
    assert {p.section for p in passages[1:]} == {"concerns", "info", "decisions", "actions"}
    assert all(p.meeting == dt.date(2026, 1, 20) for p in passages)


def test_reimport_upserts_and_deletes_vanished_passages(isolated_env: Path) -> None:
    settings = load_settings()
    day = dt.date(2026, 4, 1)
    first = meeting(
        "2026-04-01.md", day, ("得られた情報", "評価面談は7月"), ("決まったこと", "設計レビュー会を始める")
    )
    assert index.index_meetings(settings, [first]) == 2
    assert index.count(settings) == 2

    edited = meeting("2026-04-01.md", day, ("得られた情報", "評価面談は9月に延期"))
    seen: list[tuple[int, int, str]] = []
    index.index_meetings(settings, [edited], progress=lambda d, t, item: seen.append((d, t, item)))
    assert seen == [(1, 1, "2026-04-01.md")]
    assert index.count(settings) == 1  # the decisions passage vanished with the edit
    [(passage, score)] = index.dense_search(settings, "評価面談はいつ?", k=5)
    assert passage.id == "2026-04-01.md#1" and "9月" in passage.text
    assert 0.5 < score <= 1.0


def test_dense_search_respects_date_range(isolated_env: Path) -> None:
    settings = load_settings()
    jan = meeting("2026-01-10.md", dt.date(2026, 1, 10), ("情報", "オンコール手当の制度がない"))
    aug = meeting("2026-08-04.md", dt.date(2026, 8, 4), ("情報", "オンコール手当は10月から導入"))
    index.index_meetings(settings, [jan, aug])
    everything = index.dense_search(settings, "オンコール手当", k=5)
    assert {p.file for p, _ in everything} == {"2026-01-10.md", "2026-08-04.md"}
    january = index.dense_search(
        settings, "オンコール手当", k=5, date_range=(dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    )
    assert [p.file for p, _ in january] == ["2026-01-10.md"]


def test_reindex_rebuilds_from_the_store(tmp_path: Path, meetings_dir: Path) -> None:
    settings = import_dev_meetings(tmp_path / "data", meetings_dir)
    from coach.memory.store import Store

    total = index.count(settings)
    assert total == sum(len(index.passages_of(m)) for m in Store.open(settings).meetings())
    index.collection(settings).delete(ids=["2026-01-06.md#1"])  # an index out of step with the store
    calls: list[int] = []
    assert imports.reindex(settings, progress=lambda done, all_, item: calls.append(done)) == total
    assert index.count(settings) == total
    assert calls[-1] == 16


def test_unreachable_server_is_a_clear_error(isolated_env: Path) -> None:
    from coach.errors import StoreError

    settings = load_settings(
        env={"COACH_DATA_DIR": str(isolated_env), "COACH_CHROMA_URL": "http://127.0.0.1:9"}
    )
    with pytest.raises(StoreError) as err:
        index.dense_search(settings, "anything", k=3)
    assert "COACH_CHROMA_URL" in err.value.en and "COACH_CHROMA_URL" in err.value.ja


def test_search_reopens_a_collection_rebuilt_behind_its_back(isolated_env: Path) -> None:
    settings = load_settings()
    first = meeting("2026-05-01.md", dt.date(2026, 5, 1), ("情報", "オンコール手当は10月から導入"))
    index.index_meetings(settings, [first])
    assert index.dense_search(settings, "手当", k=3)  # the collection is now open and kept
    client = index._client(settings)
    client.delete_collection(index.COLLECTION)  # as another process's `coach reindex` would
    other = client.create_collection(
        index.COLLECTION,
        embedding_function=index.embedding_function(settings),  # type: ignore[arg-type]
        configuration={"hnsw": {"space": "cosine"}},
    )
    other.add(
        ids=["x.md#1"],
        documents=["評価面談は7月"],
        metadatas=[{"file": "x.md", "date": "2026-06-01", "ymd": 20260601, "section": "info"}],
    )
    [(passage, _)] = index.dense_search(settings, "評価面談", k=3)
    assert passage.file == "x.md"


def test_lines_split_at_full_width_sentence_ends() -> None:
    from coach.search.vectors import lines_of

    assert lines_of("本当に終わった？ まだです！ 次に進む。") == [
        "本当に終わった？",
        "まだです！",
        "次に進む。",
    ]


def test_the_store_records_only_what_chroma_confirmed_and_sync_finishes_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An index step that fails (a crash, a server gone) costs that step only; the next sync
    indexes exactly what is missing."""
    from coach.memory.store import Store
    from tests.support.faults import write_meetings

    write_meetings(tmp_path / "notes", 12, action_every=0)
    settings = load_settings()
    import_dir(tmp_path / "notes", settings, index=False)
    real = index._upsert
    calls = {"n": 0}

    def dies_on_the_second_step(*args: object, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("killed")
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(index, "_upsert", dies_on_the_second_step)
    first = imports.sync_index(settings)
    assert first.indexed == index.MEETING_BATCH and first.pending == 12 - index.MEETING_BATCH
    assert first.warnings and "coach reindex" in first.warnings[0]
    monkeypatch.setattr(index, "_upsert", real)
    second = imports.sync_index(settings)
    assert second.indexed == 12 - index.MEETING_BATCH and not second.warnings and second.why == "record"
    stored = Store.open(settings).meetings()
    assert index.indexed_files(settings) == {m.file: len(index.passages_of(m)) for m in stored}

    # Passages deleted behind the record's back: the count check finds the meeting and repairs it.
    index.collection(settings).delete(where={"file": stored[3].file})
    third = imports.sync_index(settings)
    assert third.indexed == 1 and "count" in third.why
    # Passages of a meeting the store does not have are removed.
    index.index_meetings(
        settings, [meeting("2030-01-01.md", dt.date(2030, 1, 1), ("情報", "どこにもない会議"))]
    )
    fourth = imports.sync_index(settings)
    assert fourth.removed == 1 and "2030-01-01.md" not in index.indexed_files(settings)
    assert imports.sync_index(settings).model_dump(exclude={"why"}) == imports.IndexRepair().model_dump(
        exclude={"why"}
    )


def test_a_search_never_waits_for_another_writer(tmp_path: Path) -> None:
    """While another process holds the index lock, the repair before a search is skipped with a notice."""
    import fcntl
    import os

    from tests.support.faults import write_meetings

    write_meetings(tmp_path / "notes", 2, action_every=0)
    settings = load_settings()
    import_dir(tmp_path / "notes", settings, index=False)
    fd = os.open(settings.data_dir / "index.lock", os.O_CREAT | os.O_RDWR, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        [(en, ja)] = imports.repair_before_search(settings)
    finally:
        os.close(fd)
    assert "2 meeting(s)" in en and "coach import" in en and "2 件" in ja
    assert imports.repair_before_search(settings) == []  # lock free: repaired inline
    assert set(index.indexed_files(settings)) == {"2025-01-06.md", "2025-01-13.md"}


def test_the_check_before_a_search_is_skipped_only_while_the_store_stands_still(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a check that found the index in step, the next search compares only the index's
    count; a meeting another process saves in the meantime moves the store's revision, so the
    search after it compares the record again and indexes that meeting."""
    import subprocess
    import sys

    from coach.memory.store import Store
    from tests.support.faults import write_meetings

    write_meetings(tmp_path / "notes", 3, action_every=0)
    settings = load_settings()
    import_dir(tmp_path / "notes", settings)
    calls = {"n": 0}
    real = Store.index_pending

    def counted(self: Store, target: str, version: str) -> tuple[list[str], list[str]]:
        calls["n"] += 1
        return real(self, target, version)

    monkeypatch.setattr(Store, "index_pending", counted)
    assert imports.repair_before_search(settings) == []
    assert imports.repair_before_search(settings) == []
    assert calls["n"] <= 1  # the second check found the revision where the first left it

    (tmp_path / "later").mkdir()
    (tmp_path / "later" / "2031-02-03.md").write_text(
        "# 1on1 2031-02-03\n\n## 共有事項\n- 別のプロセスが保存した会議\n", encoding="utf-8"
    )
    script = (
        "import sys; from coach.config import load_settings; from coach.flows.imports import import_dir;"
        "import_dir(sys.argv[1], load_settings(), index=False)"
    )
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "later")], check=True)
    before = calls["n"]
    assert imports.repair_before_search(settings) == []
    assert calls["n"] == before + 1
    assert "2031-02-03.md" in index.indexed_files(settings)
    assert len(Store.open(settings).meetings()) == 4

    # Passages deleted behind the store's back are still caught with the store unchanged.
    index.collection(settings).delete(where={"file": "2031-02-03.md"})
    imports.repair_before_search(settings)
    assert "2031-02-03.md" in index.indexed_files(settings)


@pytest.mark.slow
def test_processes_opening_a_new_index_together_all_open_it(tmp_path: Path) -> None:
    """Opening chroma's folder runs its schema migrations; two processes doing that at the same
    moment on a new data dir used to fail one of them. Several rounds of three processes, released
    at the same instant, must all open the index and see the same empty collection."""
    import os
    import subprocess
    import sys
    import time

    script = (
        "import sys, time; from coach.config import load_settings; from coach.search import vectors;"
        "s = load_settings(); start = float(sys.argv[1])\n"
        "while time.time() < start: pass\n"
        "print(vectors.count(s))"
    )
    for round_ in range(5):
        env = {**os.environ, "COACH_DATA_DIR": str(tmp_path / f"data{round_}")}
        start = time.time() + 3  # each process has imported chroma by then
        runs = [
            subprocess.Popen(
                [sys.executable, "-c", script, str(start)],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(3)
        ]
        for run in runs:
            out, err = run.communicate(timeout=120)
            assert run.returncode == 0, err[-2000:]
            assert out.strip() == "0"
