"""The index against a real `chroma run` server (COACH_CHROMA_URL)."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from coach.config import load_settings
from coach.models import Meeting, MeetingSection
from coach.search import vectors as index
from tests.support.processes import free_port, running, wait_for_http

CHROMA = Path(sys.executable).with_name("chroma")


@pytest.fixture
def chroma_url(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        str(CHROMA),
        "run",
        "--path",
        str(tmp_path / "server"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    log = tmp_path / "chroma.log"
    with running(
        command, ready=lambda process: wait_for_http(f"{url}/api/v2/heartbeat", process, log=log), log=log
    ):
        yield url


@pytest.mark.slow
def test_index_and_search_through_a_chroma_server(chroma_url: str, isolated_env: Path) -> None:
    settings = load_settings(env={"COACH_DATA_DIR": str(isolated_env), "COACH_CHROMA_URL": chroma_url})
    meetings = [
        Meeting(
            file="2026-02-17.md",
            date=dt.date(2026, 2, 17),
            sections=[
                MeetingSection(kind="results", heading="成果報告", text="アラートを週300件→90件に減らした")
            ],
        ),
        Meeting(
            file="2026-07-21.md",
            date=dt.date(2026, 7, 21),
            sections=[
                MeetingSection(
                    kind="results", heading="成果報告", text="1段階昇格が決まった。年収は50万円アップ"
                )
            ],
        ),
    ]
    assert index.index_meetings(settings, meetings) == 2
    assert not settings.chroma_dir.exists()  # nothing went to the embedded store
    [(top, _), *_] = index.dense_search(settings, "給料はいくら上がった?", k=2)
    assert top.file == "2026-07-21.md"
    july = index.dense_search(
        settings, "アラート", k=2, date_range=(dt.date(2026, 7, 1), dt.date(2026, 7, 31))
    )
    assert [p.file for p, _ in july] == ["2026-07-21.md"]
