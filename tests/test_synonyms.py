"""The Sudachi synonym dictionary: what it proposes, and what retrieval keeps of it."""

from __future__ import annotations

import gzip
import importlib.util
import sys
from pathlib import Path

import pytest

import coach.search.retrieval as retrieval
from coach.config import Settings
from coach.flows import ask
from coach.text.synonyms import SAME_MEANING, SAME_WORD, synonyms
from tests.test_answers import imported
from tests.test_readings import md

ROOT = Path(__file__).resolve().parents[1]


def offered(word: str) -> dict[str, float]:
    return {synonym.word: synonym.credit for synonym in synonyms(word)}


def test_the_same_word_counts_in_full_and_another_word_of_the_meaning_at_half() -> None:
    salary = offered("salary")
    assert salary["サラリー"] == SAME_WORD  # the dictionary's one lexeme: the translation
    assert salary["給与"] == SAME_MEANING
    assert offered("給料")["給与"] == SAME_MEANING


def test_an_english_word_is_looked_up_in_its_inflections() -> None:
    assert offered("deadlines") == offered("deadline") != {}
    assert "デッドライン" in offered("deadlines")


def test_a_word_the_dictionary_only_expands_to_expands_nothing() -> None:
    # 締め切り is flagged "expanded to, never expanding"; 期日 reaches it, it reaches nothing
    assert offered("締め切り") == {}
    assert "締め切り" in offered("期日")
    assert offered("xyzzyplugh") == {}


PAY_NOTES = {
    "2025-09-02.md": md(
        "2025-09-02", "小林さん", "## 共有\n- 給与の支給日が来月から変わると小林さんから聞いた\n"
    ),
    "2025-09-16.md": md("2025-09-16", "小林さん", "## 成果\n- 社内ポータルのログイン画面を作り直した\n"),
    "2025-09-30.md": md("2025-09-30", "小林さん", "## 相談\n- 勉強会の講師を引き受けるか迷っている\n"),
    "2025-10-14.md": md("2025-10-14", "小林さん", "## キャリア\n- 昇進に必要な実績を小林さんと整理した\n"),
}


@pytest.fixture(scope="module")
def pay(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return imported(tmp_path_factory.mktemp("synonyms"), PAY_NOTES, "ja")


def test_a_word_the_notes_never_use_finds_the_notes_word_through_the_dictionary(
    pay: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = ask.retrieve("給料の支払いについて何か聞いた?", pay, k=5)
    assert asked.found and asked.meetings()[0] == "2025-09-02.md", asked.reason
    assert "Sudachi synonym dictionary: 給料=給与 (same meaning" in asked.reason
    assert asked.credit["給与"] == SAME_MEANING and asked.aliases["給料"] == ["給与"]
    promoted = ask.retrieve("出世するための実績は?", pay, k=5)
    assert promoted.found and promoted.meetings()[0] == "2025-10-14.md", promoted.reason
    # without the dictionary the topic word is absent from the notes, and the verdict says so
    monkeypatch.setattr(retrieval, "synonym_matches", lambda units, lexical: [])
    without = ask.retrieve("給料の支払いについて何か聞いた?", pay, k=5)
    assert not without.found and "topic not in the notes: 給料" in without.reason


def test_the_notes_own_word_is_not_looked_up_and_unused_synonyms_are_not_added(pay: Settings) -> None:
    direct = ask.retrieve("給与の支給日は?", pay, k=5)
    assert "Sudachi" not in direct.reason and "給与" not in direct.aliases
    asked = ask.retrieve("給料の支払いについて何か聞いた?", pay, k=5)
    assert "賃金" not in asked.aliases.get("給料", [])  # in the group, never in the notes


def test_the_build_script_keeps_the_dictionary_but_its_withdrawn_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = importlib.util.spec_from_file_location("build_synonyms", ROOT / "scripts" / "build_synonyms.py")
    assert spec and spec.loader
    build = importlib.util.module_from_spec(spec)
    sys.modules["build_synonyms"] = build
    spec.loader.exec_module(build)
    source = tmp_path / "synonyms.txt"
    source.write_text(
        "000009,1,0,1,0,0,0,(),会議,,\n"
        "000009,1,0,1,0,0,2,(),meeting,,\n"
        "000009,1,1,2,0,0,0,(),打合せ,,\n"
        "000009,1,2,3,0,0,0,(),寄合,,\n"
        "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.tsv.gz"
    monkeypatch.setattr(build, "OUT", out)
    build.main(str(source), "test")
    lines = [
        line for line in gzip.decompress(out.read_bytes()).decode().splitlines() if not line.startswith("#")
    ]
    assert lines == ["000009\t1\t0\t会議", "000009\t1\t0\tmeeting", "000009\t2\t1\t打合せ"]
