"""Follow-ups for the next meeting: related past meetings, their decisions and open actions."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.config import Settings
from coach.flows import followups
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


def test_open_actions_are_written_in_the_notes_language(dev: Settings) -> None:
    japanese = followups.suggest_followups("在庫APIの監視について", dev)
    english = followups.suggest_followups("About the 在庫API monitoring dashboard", dev)
    assert any("(期限: 2026-05-29)" in a for r in japanese.results for a in r.open_actions)
    assert any("(due 2026-05-29)" in a for r in english.results for a in r.open_actions)


def test_a_meeting_naming_the_same_system_is_related_even_in_other_words(tmp_path: Path) -> None:
    """Too little to answer a question, but enough to say which past meeting touched the topic."""
    import datetime as dt

    from coach.config import load_settings
    from coach.flows.imports import import_dir

    folder = tmp_path / "meetings"
    folder.mkdir()
    (folder / "2025-10-21.md").write_text(
        "## Concerns\n- Snowflake warehouse cost grew 30% last month\n\n"
        "## Decisions\n- Freeze new warehouse sizes until the quarterly cost review\n",
        encoding="utf-8",
    )
    (folder / "2025-11-04.md").write_text(
        "## Results\n- Shipped the iOS release with the new onboarding flow\n", encoding="utf-8"
    )
    settings = load_settings()
    import_dir(str(folder), settings)
    result = followups.suggest_followups(
        "Our Snowflake spend keeps climbing", settings, as_of=dt.date(2025, 12, 1)
    )
    assert [r.file for r in result.results] == ["2025-10-21.md"]
    assert result.results[0].decided == ["Freeze new warehouse sizes until the quarterly cost review"]
