"""A question's word the notes never use, matched by meaning to one they do (`coach.search.bridges`):
the content-word table in a real SQLite store, the word vectors from the real embedder, and the
search through the real importer and chroma directory. Meetings written for these tests."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from coach.config import Settings, load_settings
from coach.flows import ask
from coach.flows.imports import import_dir
from coach.memory.store import Store
from coach.search import bridges
from coach.search.embedding import embedder_for
from coach.text.tokens import terms, words

MEETINGS = {
    "2025-04-08.md": """---
date: 2025-04-08
with: 山本さん
---
## 共有
- 夏の賞与の査定は6月に確定する
- 新しいCIランナーに移行してビルド時間が14分→9分になった
- 監視ダッシュボードの作成に着手した

## 決まったこと
- 障害対応の当番表は月初に更新する

## 宿題
- [ ] 監視ダッシュボードを作る (期限: 2025-04-22)
- [ ] 採用面接の評価シートを書く
""",
    "2025-04-22.md": """---
date: 2025-04-22
with: 山本さん
---
## 共有
- 来期の予算申請は部長がまとめる。締め切りは5月末
- 社内勉強会でデータベースの索引設計について話した
- 有給休暇を来週まとめて取る

## 相談
- ドキュメントの翻訳作業が多くて開発が進まない
""",
    "2025-05-13.md": """---
date: 2025-05-13
with: 山本さん
---
## 共有
- 監視ダッシュボードを公開した。夜間の障害の検知が早くなった
- 当番の引き継ぎ手順を文書にした
- 顧客向け請求システムの移行計画を読んだ

## キャリア
- 将来は基盤チームで設計を担当したい
""",
    "2025-06-03.md": """---
date: 2025-06-03
with: 山本さん
---
## 共有
- 賞与の金額が決まった。前年より増えた
- 請求システムの移行は9月に延期
- 新人の受け入れ準備として開発環境の構築手順を整えた
""",
}


def write(folder: Path, names: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_text(MEETINGS[name], encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def notes(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("bridges")
    settings = load_settings(env={"COACH_DATA_DIR": str(root / "data"), "COACH_LANG": "en"})
    import_dir(write(root / "notes", list(MEETINGS)), settings)
    return settings


def test_content_words_are_nouns_and_latin_words_and_each_is_a_search_term() -> None:
    text = "来期の予算は 50万円。on-call の alert 閾値を見直した。詳細は https://wiki.example.org/runbook"
    found = words(text)
    assert {"予算", "閾値", "on-call", "alert", "来期"} <= found
    assert not {"50万円", "万円", "wiki", "runbook", "example"} & found  # numbers and addresses are not words
    assert found <= set(terms(text))


def test_the_store_keeps_each_content_word_once_and_fills_the_table_for_an_older_store(
    tmp_path: Path,
) -> None:
    settings = load_settings(env={"COACH_DATA_DIR": str(tmp_path / "data")})
    import_dir(write(tmp_path / "notes", ["2025-04-08.md", "2025-06-03.md"]), settings, index=False)
    store = Store.open(settings)
    stored = [word for _, word in store.words_after(0, 10_000)]
    assert len(stored) == len(set(stored)) and {"賞与", "ダッシュボード", "査定"} <= set(stored)
    assert not {"共有", "宿題"} & set(stored)  # section headings stand in every passage's context

    # A store written before the table existed: the migration fills it from the passages.
    with sqlite3.connect(store.path) as db:
        db.execute("DROP TABLE words")
        db.execute("DELETE FROM _migrations WHERE name = 'm007_words'")
    db.close()
    reopened = Store.open(settings)
    assert sorted(word for _, word in reopened.words_after(0, 10_000)) == sorted(stored)


def test_a_word_the_notes_never_use_is_matched_to_the_one_they_use(notes: Settings) -> None:
    found = ask.retrieve("When is the budget request due?", notes, k=5)
    assert [(b.unit, b.word) for b in found.bridges] == [("budget", "予算")]
    assert found.meetings()[0] == "2025-04-22.md"
    assert (
        "budget≈予算" in found.reason and "z " in found.reason
    )  # the why: which words, how far they stand out


def test_the_dense_side_reads_the_notes_loanwords_not_their_meaning_matches(notes: Settings) -> None:
    """What the dense side embeds: the question, then the notes' own form of a word (the same
    word in katakana); a word matched by meaning only (budget ≈ 予算) stays on the lexical side,
    since it may be the word in another sense."""
    from coach.search.retrieval import dense_query

    found = ask.retrieve("How much faster are builds on the new runner?", notes, k=5, mode="dense")
    assert found.probe == ("How much faster are builds on the new runner? ビルド ランナー")
    assert found.meetings()[0] == "2025-04-08.md"
    budget = ask.retrieve("When is the budget request due?", notes, k=5)
    assert budget.aliases.get("budget") == ["予算"]
    assert budget.probe == budget.query
    assert dense_query("賞与はいつ決まる?", {"賞与": []}) == "賞与はいつ決まる?"
    assert dense_query("on-call と当番", {"on-call": ["オンコール", "当番"], "rota": ["当番"]}) == (
        "on-call と当番 オンコール"
    )
    assert dense_query("on-call rota", {"on-call": ["オンコール"], "rota": ["当番"]}, {"当番"}) == (
        "on-call rota オンコール"
    )


def test_an_answer_embeds_the_question_once_with_its_partners(notes: Settings) -> None:
    """The search and the answer's sentence scoring read the same text (question + partners), so
    a question with a loanword partner costs one model run for itself, not two."""
    from coach.search import vectors as index
    from coach.search.embedding import EmbeddingCache

    question = "Which build speedup did the runner give?"
    result = ask.ask(question, notes)
    assert result.found and "14分→9分" in result.answer
    cache = index.embedding_function(notes).embedder.cache
    with_partner = f"{question} ビルド ランナー"
    assert cache.get_many([EmbeddingCache.key("query", with_partner)])
    assert not cache.get_many([EmbeddingCache.key("query", question)])


def test_a_subject_the_notes_lack_is_matched_to_nothing(notes: Settings) -> None:
    for question in ("社員食堂のメニューについて話した?", "育児休暇について話した?"):
        found = ask.retrieve(question, notes, k=5)
        # 有給休暇 shares a kanji with 育児休暇: a sibling subject, not the same one
        assert not found.bridges and not found.found, (question, found.reason)


def test_a_name_is_never_matched_by_meaning(notes: Settings) -> None:
    found = ask.retrieve("What did Priya say about the budget?", notes, k=5)
    assert [b.unit for b in found.bridges] == ["budget"]
    assert not found.found and "unknown names: priya" in found.reason
    # a Latin word in a Japanese question is read as a name, even where it opens the sentence
    found = ask.retrieve("Terraform への移行計画は決まった?", notes, k=5)
    assert not found.bridges and not found.found and "unknown names: terraform" in found.reason


def test_words_without_vectors_are_embedded_a_few_at_a_time(tmp_path: Path) -> None:
    """A store filled without indexing (vectors not computed at import): a search embeds at most
    `lazy_limit` of its words, and the next one goes on from there."""
    settings = load_settings(env={"COACH_DATA_DIR": str(tmp_path / "data")})
    import_dir(
        write(tmp_path / "notes", ["2025-04-08.md", "2025-04-22.md", "2025-06-03.md"]), settings, index=False
    )
    store = Store.open(settings)
    total = len(store.words_after(0, 10_000))
    embedder = embedder_for(settings.embedding_cache_path)
    space = bridges.WordSpace()
    space.refresh(store, embedder, lazy_limit=10)
    assert len(space.words) == 10 and space.matrix.shape == (10, 384)
    space.refresh(store, embedder, lazy_limit=10)
    assert len(space.words) == 20
    space.refresh(store, embedder, lazy_limit=10_000)
    assert len(space.words) == total and len(set(space.words)) == total

    # a meeting saved later adds only its new words
    import_dir(write(tmp_path / "more", ["2025-05-13.md"]), settings, index=False)
    space.refresh(store, embedder, lazy_limit=10_000)
    assert len(space.words) == len(store.words_after(0, 10_000)) > total


def test_indexing_leaves_no_word_without_a_vector(tmp_path: Path) -> None:
    """A store written without indexing (or before words were kept): the next full index sync
    embeds every word, so no search pays for it."""
    from coach.flows.imports import sync_index
    from coach.search.embedding import EmbeddingCache

    settings = load_settings(env={"COACH_DATA_DIR": str(tmp_path / "data")})
    import_dir(write(tmp_path / "notes", list(MEETINGS)), settings, index=False)
    store = Store.open(settings)
    keys = [EmbeddingCache.key("word", word) for _, word in store.words_after(0, 10_000)]
    cache = embedder_for(settings.embedding_cache_path).cache
    assert len(cache.get_many(keys)) < len(keys)
    sync_index(settings)
    assert len(cache.get_many(keys)) == len(keys)


def test_ask_json_says_why_found_or_not(notes: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from click.testing import CliRunner

    from coach.cli import main

    monkeypatch.setenv("COACH_DATA_DIR", str(notes.data_dir))
    runner = CliRunner()
    absent = json.loads(runner.invoke(main, ["ask", "社員食堂のメニューについて話した?", "--json"]).stdout)
    assert absent["found"] is False and absent["why"].startswith("topic not in the notes: 社員食堂")
    bridged = json.loads(runner.invoke(main, ["ask", "When is the budget request due?", "--json"]).stdout)
    assert "budget≈予算" in bridged["why"]
    present = json.loads(runner.invoke(main, ["search", "賞与の金額", "--json"]).stdout)
    assert present["why"].startswith("coverage") and present["results"][0]["file"] == "2025-06-03.md"


def test_a_store_replaced_under_the_same_name_is_read_afresh(tmp_path: Path) -> None:
    import shutil

    settings = load_settings(env={"COACH_DATA_DIR": str(tmp_path / "data")})
    import_dir(write(tmp_path / "first", ["2025-04-08.md"]), settings, index=False)
    embedder = embedder_for(settings.embedding_cache_path)
    space = bridges.WordSpace()
    space.refresh(Store.open(settings), embedder, lazy_limit=10_000)
    assert "賞与" in space.words

    shutil.rmtree(tmp_path / "data")
    import_dir(write(tmp_path / "second", ["2025-05-13.md"]), settings, index=False)
    store = Store.open(settings)
    space.refresh(store, embedder, lazy_limit=10_000)
    assert sorted(space.words) == sorted(word for _, word in store.words_after(0, 10_000))
    assert "賞与" not in space.words


def test_in_a_large_vocabulary_the_chance_best_match_is_refused(tmp_path: Path) -> None:
    """The nearest of many unrelated words stands out further by chance (about sqrt(2 ln N)
    standard deviations): the bar rises with the vocabulary, so 20,000 random words give no
    match, where a fixed bar of z 4 lets their best one through."""
    import numpy as np

    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((20_000, 384)).astype(np.float32)
    space = bridges.WordSpace(
        words=[f"w{i}" for i in range(len(vectors))],
        matrix=vectors / np.linalg.norm(vectors, axis=1, keepdims=True),
    )
    embedder = embedder_for(tmp_path / "cache.sqlite3")
    assert bridges.bridges(["budget"], space, embedder) == []
    fixed = bridges.BridgeCalibration(margin_z=4.0 - bridges.chance_z(len(space.words)))
    assert [b.unit for b in bridges.bridges(["budget"], space, embedder, fixed)] == ["budget"]


def test_the_words_related_to_a_unit_are_found_without_reading_every_word() -> None:
    """A word inside the unit, a word holding it, or one sharing a kanji with it, never matches
    it by meaning; the index that finds them grows with the vocabulary and agrees with reading
    every word."""
    words = [
        "残業",
        "残業時間",
        "時間",
        "業務",
        "予定",
        "deploy",
        "deployment",
        "redeploy",
        "ploy",
        "会議",
        "議事録",
    ]
    space = bridges.WordSpace(words=list(words))

    def by_reading(unit: str) -> list[int]:
        kanji = set(bridges.KANJI_RE.findall(unit))
        return [
            i
            for i, word in enumerate(space.words)
            if word in unit or unit in word or (kanji and kanji.intersection(word))
        ]

    units = ["残業", "業", "deploy", "eploym", "会議室", "休暇", "x"]
    for unit in units:
        assert space.related(unit) == by_reading(unit), unit
    assert [space.words[i] for i in space.related("deploy")] == ["deploy", "deployment", "redeploy", "ploy"]
    space.words.extend(["議題", "deployed", "休日"])  # a refresh appends the store's new words
    for unit in units:
        assert space.related(unit) == by_reading(unit), unit
    assert "休日" in [space.words[i] for i in space.related("休暇")]


def test_over_japanese_notes_an_english_word_is_not_bridged_to_a_latin_code(tmp_path: Path) -> None:
    """In notes written in Japanese, the few Latin words are names and codes (http, p95): the model
    reads them as near any English word, so an English question word is never bridged to one of
    another stem. The same word in another form (scheduling, schedule) still is; over English notes,
    any English word may be."""
    import numpy as np

    rng = np.random.default_rng(11)
    embedder = embedder_for(tmp_path / "cache.sqlite3")
    near = {
        word: embedder.embed([unit], "query")[0]
        for word, unit in (("http", "offsite"), ("schedule", "scheduling"))
    }

    def space_of(words: list[str]) -> bridges.WordSpace:
        vectors = rng.standard_normal((len(words), 384)).astype(np.float32)
        for i, word in enumerate(words):
            if word in near:
                vectors[i] = near[word] * 10
        return bridges.WordSpace(words=words, matrix=vectors / np.linalg.norm(vectors, axis=1, keepdims=True))

    japanese = space_of([f"語彙{chr(0x3042 + i % 80)}{i}" for i in range(300)] + ["http", "schedule"])
    assert bridges.bridges(["offsite"], japanese, embedder) == []
    assert [(b.unit, b.word) for b in bridges.bridges(["scheduling"], japanese, embedder)] == [
        ("scheduling", "schedule")
    ]
    english = space_of([f"word{chr(0x61 + i % 26)}" for i in range(300)] + ["http"])
    assert [(b.unit, b.word) for b in bridges.bridges(["offsite"], english, embedder)] == [
        ("offsite", "http")
    ]
