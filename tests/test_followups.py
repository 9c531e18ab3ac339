"""Follow-ups for the next meeting: related past meetings, their decisions and open actions."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach import followups
from coach.config import Settings
from tests.test_index import import_dev_meetings


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory, meetings_dir: Path) -> Settings:
    return import_dev_meetings(tmp_path_factory.mktemp("dev") / "data", meetings_dir)


def test_related_meetings_with_decisions_and_open_actions(dev: Settings) -> None:
    notes = "設計レビュー会の進め方を相談したい\n在庫APIの監視について"
    result = followups.suggest_followups(notes, dev, k=5)
    by_file = {r.file: r for r in result.results}
    assert "2026-07-21.md" in by_file and "2026-05-12.md" in by_file
    july = by_file["2026-07-21.md"]
    assert july.decided == ["設計レビュー会を自分が立ち上げる"]
    assert any("設計レビュー会の立ち上げ案" in a for a in july.open_actions)
    assert any("監視ダッシュボード" in a for a in by_file["2026-05-12.md"].open_actions)
    assert len(result.results) <= 5
    markdown = followups.to_markdown(result)
    assert "2026-07-21" in markdown and "設計レビュー会を自分が立ち上げる" in markdown


def test_unrelated_notes_suggest_nothing(dev: Settings) -> None:
    result = followups.suggest_followups("Kubernetesへの移行について話したい", dev)
    assert result.results == []
    assert "no related" in followups.to_markdown(result)
