"""A name finds its spelling in the other script by its reading (Fukuoka ↔ 福岡, Sato ↔ 佐藤)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import coach.search.retrieval as retrieval
from coach.config import Settings
from coach.flows import ask
from coach.memory.store import Store
from coach.text.readings import proper_noun_keys, romaji_key, romaji_spellings
from tests.test_answers import imported
from tests.test_loanwords import one_note


def test_a_long_vowel_and_an_honorific_do_not_change_the_key() -> None:
    assert romaji_key("Satou") == romaji_key("sato") == romaji_key("Sato-san") == "r:sato"
    assert romaji_key("Toukyou") == romaji_key("Tokyo") and romaji_key("Oosaka") == romaji_key("Osaka")
    assert romaji_key("Ohara") == "r:ohara"  # an h before a vowel is a consonant
    assert romaji_key("p95") is None


def test_only_proper_nouns_written_in_kanji_are_read() -> None:
    keys = proper_noun_keys("来月から名古屋の拠点に移る。伊藤さんと会議した。オースティンにも行く")
    assert ("r:nagoya", "名古屋") in keys and ("r:ito", "伊藤") in keys
    assert not any(word in ("会議", "拠点", "オースティン") for _, word in keys)
    assert romaji_spellings("伊藤") == ["itou", "ito"] and romaji_spellings("拠点") == []


def test_the_keys_are_written_with_the_passages_and_filled_for_older_stores(tmp_path: Path) -> None:
    settings = one_note(tmp_path, "## 共有\n- 名古屋の拠点への異動を打診された\n")
    assert Store.open(settings).sounding(["r:nagoya"]) == {"r:nagoya": ["名古屋"]}
    with sqlite3.connect(settings.db_path) as db:  # a store written before the keys existed
        db.execute("DELETE FROM term_sounds WHERE key LIKE 'r:%'")
        db.execute("DELETE FROM _migrations WHERE name = 'm009_name_readings'")
    assert Store.open(settings).sounding(["r:nagoya"]) == {"r:nagoya": ["名古屋"]}


def md(day: str, who: str, body: str) -> str:
    return f"---\ndate: {day}\nwith: {who}\n---\n{body}"


MIXED = {
    "2025-11-04.md": md(
        "2025-11-04", "伊藤さん", "## 相談\n- 名古屋の拠点に移る可能性を伊藤さんに聞いた。来春に決まる\n"
    ),
    "2025-11-18.md": md("2025-11-18", "伊藤さん", "## 共有\n- 監視の閾値を見直した\n"),
    "2025-12-02.md": md(
        "2025-12-02", "Dana", "## Updates\n- The Sapporo office will host the next design offsite\n"
    ),
    "2025-12-16.md": md("2025-12-16", "Dana", "## Updates\n- Finished the cache eviction rewrite\n"),
}


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return imported(tmp_path_factory.mktemp("readings"), MIXED, "en")


def test_an_english_question_finds_a_place_the_notes_write_in_kanji(
    mixed: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = ask.retrieve("Could I be moving to Nagoya?", mixed, k=5)
    assert found.found and found.meetings()[0] == "2025-11-04.md", found.reason
    assert "a name read in the other script: nagoya=名古屋" in found.reason
    monkeypatch.setattr(retrieval, "name_readings", lambda units, lexical: {})
    without = ask.retrieve("Could I be moving to Nagoya?", mixed, k=5)
    assert not without.found and "unknown names: nagoya" in without.reason


def test_a_japanese_question_finds_a_place_the_notes_write_in_romaji(mixed: Settings) -> None:
    found = ask.retrieve("札幌で何があるんだっけ?", mixed, k=5)
    assert found.found and found.meetings()[0] == "2025-12-02.md", found.reason
    assert "札幌=sapporo" in found.reason


def test_a_person_named_in_romaji_is_that_person_not_a_sound_alike_word(mixed: Settings) -> None:
    found = ask.retrieve("What did Mr. Ito say about the move?", mixed, k=5)
    assert found.aliases.get("ito") == ["伊藤"], found.aliases
    assert "unknown names" not in found.reason
