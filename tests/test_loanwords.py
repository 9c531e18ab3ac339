"""Loanwords across scripts: an English word and its katakana rendering share a sound key, and the
lexical side of search uses the notes' own partner word (no glossary)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from coach.config import Settings, load_settings
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
        # short words, keyed by two consonants (data: dt), and English -er, ee/ea, i_e and ッチ
        ("data", "データ"),
        ("team", "チーム"),
        ("member", "メンバー"),
        ("server", "サーバー"),
        ("speed", "スピード"),
        ("time", "タイム"),
        ("batch", "バッチ"),
        ("alert", "アラート"),
        # an opening consonant cluster broken by u, or by o after t and d
        ("sprint", "スプリント"),
        ("slide", "スライド"),
        ("crash", "クラッシュ"),
        ("program", "プログラム"),
        ("trend", "トレンド"),
        ("draft", "ドラフト"),
        ("step", "ステップ"),
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
        ("pipeline", "プラン"),  # far shorter in katakana than a rendering is
        ("time", "チーム"),
        ("data", "デート"),
        ("node", "ノート"),
        # the English opens with a cluster, the katakana's first consonant carries another vowel
        ("black", "バラック"),
        ("plot", "パロット"),
        ("sting", "セッティング"),
        ("slim", "セリム"),
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


def one_note(tmp_path: Path, text: str) -> Settings:
    """A store (no vector index) holding one meeting of `text`."""
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "2026-05-11.md").write_text(text, encoding="utf-8")
    settings = load_settings(data_dir=tmp_path / "data")
    import_dir(notes, settings, index=False)
    return settings


def test_the_sound_table_is_written_with_the_passages_and_filled_for_older_stores(tmp_path: Path) -> None:
    import sqlite3

    settings = one_note(tmp_path, "## 共有\n- バックログを整理した\n")
    key = sound_key("backlog")
    assert key and "バックログ" in Store.open(settings).sounding([key]).get(key, [])
    with sqlite3.connect(settings.db_path) as db:  # an older store: the table comes later
        db.execute("DROP TABLE term_sounds")
        db.execute("DELETE FROM _migrations WHERE name = 'm005_term_sounds'")
    assert "バックログ" in Store.open(settings).sounding([key]).get(key, [])


def test_an_english_word_takes_the_rendering_that_agrees_best(tmp_path: Path) -> None:
    """team and タイム agree well enough alone, but チーム agrees better: where the notes hold both,
    the English word is the one it renders, and time is タイム."""
    store = Store.open(one_note(tmp_path, "## 共有\n- チームの体制を見直した\n- 定例のタイム管理が課題\n"))
    assert retrieval.loanword_aliases(["team"], store) == {"team": ["チーム"]}
    assert retrieval.loanword_aliases(["time"], store) == {"time": ["タイム"]}


def test_a_store_keyed_by_the_older_sound_rules_is_keyed_again(tmp_path: Path) -> None:
    import sqlite3

    settings = one_note(tmp_path, "## 共有\n- データの件数を確認した\n")
    key = sound_key("data")
    assert key and "データ" in Store.open(settings).sounding([key]).get(key, [])
    with sqlite3.connect(settings.db_path) as db:  # as the older rules left it: no key for データ
        db.execute("DELETE FROM term_sounds WHERE term = 'データ'")
        db.execute("INSERT INTO term_sounds (key, term) VALUES ('stale', 'データ')")
        db.execute("DELETE FROM _migrations WHERE name = 'm008_term_sounds_rekey'")
    store = Store.open(settings)
    assert "データ" in store.sounding([key]).get(key, [])
    assert not store.sounding(["stale"])
