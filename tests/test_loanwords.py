"""Loanwords across scripts: an English word and its katakana rendering share a sound key, and the
lexical side of search uses the notes' own partner word (no glossary)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from coach.config import load_settings
from coach.flows.imports import import_dir
from coach.memory.store import Store
from coach.search import retrieval
from coach.text.loanwords import forms, same_word, sound_key


@pytest.mark.parametrize(
    ("latin", "katakana"),
    [
        ("throughput", "スループット"),
        ("backlog", "バックログ"),
        ("deadline", "デッドライン"),
        ("rollback", "ロールバック"),
        ("container", "コンテナ"),
        ("template", "テンプレート"),
        ("checklist", "チェックリスト"),
        ("benchmark", "ベンチマーク"),
    ],
)
def test_an_english_word_and_its_katakana_rendering_are_one_word(latin: str, katakana: str) -> None:
    assert sound_key(latin) == sound_key(katakana) is not None
    assert same_word(latin, katakana)


@pytest.mark.parametrize(
    ("latin", "katakana"),
    [
        ("question", "アクション"),
        ("plan", "パイプライン"),
        ("skip", "スコープ"),
        ("send", "アジェンダ"),
        ("month", "マネージャー"),
    ],
)
def test_words_that_only_share_consonants_are_not_joined(latin: str, katakana: str) -> None:
    assert not same_word(latin, katakana)


def test_forms_write_compounds_solid_and_drop_endings() -> None:
    assert "oncall" in forms("on-call")
    assert "deploy" in forms("deployments") or "deploy" in forms("deploying")


def test_an_english_question_finds_the_japanese_note_through_its_loanword(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "2026-05-11.md").write_text(
        "---\nwith: 木村さん\n---\n## 共有\n- スループットは 1 秒あたり 800 件まで出るようになった\n"
        "## 相談\n- 週次の定例が長すぎる\n",
        encoding="utf-8",
    )
    (notes / "2026-05-25.md").write_text(
        "---\nwith: 木村さん\n---\n## 共有\n- 新人研修の日程が決まった\n", encoding="utf-8"
    )
    settings = load_settings(data_dir=tmp_path / "data")
    import_dir(notes, settings, index=False)
    store = Store.open(settings)
    found = retrieval.retrieve(
        "What throughput did we reach?",
        settings,
        k=3,
        as_of=dt.date(2026, 6, 1),
        mode="lexical",
        lexical=store,
    )
    assert found.meetings()[0] == "2026-05-11.md", found.reason
    assert found.aliases.get("throughput") == ["スループット"] and "スループット" in found.reason


def test_the_sound_table_is_written_with_the_passages_and_filled_for_older_stores(tmp_path: Path) -> None:
    import sqlite3

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "2026-05-11.md").write_text("## 共有\n- バックログを整理した\n", encoding="utf-8")
    settings = load_settings(data_dir=tmp_path / "data")
    import_dir(notes, settings, index=False)
    key = sound_key("backlog")
    assert key and "バックログ" in Store.open(settings).sounding([key]).get(key, [])
    with sqlite3.connect(settings.db_path) as db:  # an older store: the table comes later
        db.execute("DROP TABLE term_sounds")
        db.execute("DELETE FROM _migrations WHERE name = 'm005_term_sounds'")
    assert "バックログ" in Store.open(settings).sounding([key]).get(key, [])
