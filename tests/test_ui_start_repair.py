"""The app's start brings the search index in step with the store (through the real router)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from coach.config import load_settings
from coach.flows.imports import import_dir
from coach.memory.store import Store
from coach.search import vectors

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "streamlit_app.py")

MEETING = """---
date: 2026-04-14
with: 鈴木さん
title: 定例
---
## 決まったこと
- ステージング環境の移行は5月に実施する
"""


def _pending() -> list[str]:
    settings = load_settings()
    stale, _ = Store.open(settings).index_pending(vectors.target(settings), vectors.index_version())
    return stale


def test_a_meeting_stored_but_not_indexed_is_indexed_when_the_app_starts(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "2026-04-14.md").write_text(MEETING, encoding="utf-8")
    report = import_dir(folder, load_settings(), index=False)  # as after a crash before indexing
    assert report.imported == 1
    assert _pending() == ["2026-04-14.md"]

    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == []
    assert _pending() == []
    assert vectors.indexed_files(load_settings()).get("2026-04-14.md", 0) > 0
    # a second run of the page is cheap: nothing left to repair, no new work
    at.run()
    assert not at.exception and _pending() == []


def test_an_unusable_index_is_a_message_not_a_crash(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "2026-04-14.md").write_text(MEETING, encoding="utf-8")
    import_dir(folder, load_settings(), index=False)
    # the index's place is taken by a file: chroma cannot open it
    settings = load_settings()
    chroma = settings.chroma_dir
    chroma.parent.mkdir(parents=True, exist_ok=True)
    if chroma.is_dir():
        import shutil

        shutil.rmtree(chroma)
    chroma.write_text("not a directory", encoding="utf-8")

    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, at.exception
    shown = [str(e.value) for e in [*at.warning, *at.error]]
    assert shown, "the page says nothing about the index it could not use"
    assert not any("Internal error" in text for text in shown), shown
