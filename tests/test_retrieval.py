"""Fused retrieval over the dev meetings: recall, not-found, Japanese terms, date filters."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from coach.config import Settings
from coach.flows import ask
from coach.memory.store import Store, StoredMeeting
from coach.models import Meeting, MeetingSection
from coach.search import retrieval
from coach.search import vectors as index
from coach.text import tokens
from tests.conftest import load_jsonl
from tests.test_index import import_dev_meetings

QUESTIONS = load_jsonl("meetings_questions.jsonl")


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory, meetings_dir: Path) -> Settings:
    return import_dev_meetings(tmp_path_factory.mktemp("dev") / "data", meetings_dir)


def as_of(question: dict[str, Any]) -> dt.date | None:
    return dt.date.fromisoformat(question["as_of"]) if question.get("as_of") else None


def rank_of_gold(found: retrieval.Retrieval, gold: list[str]) -> int | None:
    return next((i for i, file in enumerate(found.meetings()) if file in gold), None)


def test_fused_recall_at_3_on_dev_questions(dev: Settings) -> None:
    hits: dict[str, list[bool]] = defaultdict(list)
    for question in QUESTIONS:
        if not question["gold"]:
            continue
        found = ask.retrieve(question["question"], dev, k=5, as_of=as_of(question))
        rank = rank_of_gold(found, question["gold"])
        hits[question["kind"]].append(rank is not None and rank < 3)
    overall = [hit for kind in hits.values() for hit in kind]
    assert sum(overall) / len(overall) >= 0.9, dict(hits)
    for kind, values in hits.items():
        assert sum(values) / len(values) >= 0.6, (kind, values)


def test_fused_is_not_worse_than_either_retriever(dev: Settings) -> None:
    scored = [q for q in QUESTIONS if q["gold"]]

    def recall(mode: str) -> float:
        ok = 0
        for q in scored:
            rank = rank_of_gold(ask.retrieve(q["question"], dev, k=5, as_of=as_of(q), mode=mode), q["gold"])
            ok += rank is not None and rank < 3
        return ok / len(scored)

    fused = recall("fused")
    assert fused >= recall("dense") and fused >= recall("lexical")


def test_found_and_not_found_on_dev_questions(dev: Settings) -> None:
    wrong = []
    for question in QUESTIONS:
        found = ask.retrieve(question["question"], dev, k=5, as_of=as_of(question))
        if found.found != bool(question["gold"]):
            wrong.append((question["id"], found.reason))
    assert not [w for w in wrong if w[0] in {q["id"] for q in QUESTIONS if not q["gold"]}], wrong
    # Without the glossary and synonyms written for these questions, a one- or two-word paraphrase
    # whose every word the notes lack (給料) reads as a topic the notes lack: at most 3 of 26.
    assert len(wrong) <= 3, wrong


@pytest.mark.parametrize(
    "question",
    [
        "Did we talk about our Terraform migration?",
        "GraphQLの導入について話した?",
        "フレックスタイム制度について何か言われた?",
    ],
)
def test_names_never_mentioned_are_not_found(dev: Settings, question: str) -> None:
    found = ask.retrieve(question, dev, k=5)
    assert not found.found, found.reason


def test_date_filter_with_as_of(dev: Settings) -> None:
    found = ask.retrieve("先月決まったことは?", dev, k=5, as_of=dt.date(2026, 8, 20))
    assert found.date_range == (dt.date(2026, 7, 1), dt.date(2026, 7, 31))
    assert set(found.meetings()) == {"2026-07-07.md", "2026-07-21.md"}
    last = ask.retrieve("前回の1on1で報告したことは?", dev, k=5, as_of=dt.date(2026, 6, 20))
    assert last.meetings() == ["2026-06-09.md"]
    before_any = ask.retrieve("先月決まったことは?", dev, k=5, as_of=dt.date(2025, 6, 1))
    assert not before_any.found and not before_any.hits


def _store_with(tmp_path: Path, meetings: list[Meeting]) -> Store:
    store = Store(tmp_path / "coach.sqlite3")
    with store.transaction() as db:
        for meeting in meetings:
            Store.upsert_meeting(
                db, StoredMeeting(meeting=meeting, raw=meeting.model_dump_json(), checklist=[])
            )
    return store


def test_japanese_two_character_words_and_full_width_digits_match_lexically(tmp_path: Path) -> None:
    meetings = [
        Meeting(
            file="a.md",
            date=dt.date(2026, 1, 1),
            sections=[MeetingSection(kind="info", heading="情報", text="オンコール手当は制度化されていない")],
        ),
        Meeting(
            file="b.md",
            date=dt.date(2026, 1, 2),
            sections=[MeetingSection(kind="results", heading="成果", text="本番障害は４件→１件に減った")],
        ),
        Meeting(
            file="c.md",
            date=dt.date(2026, 1, 3),
            sections=[MeetingSection(kind="info", heading="情報", text="評価面談は7月に行われる")],
        ),
    ]
    store = _store_with(tmp_path, meetings)
    for query, expected in [
        ("手当", "a.md"),
        ("障害", "b.md"),
        ("評価", "c.md"),
        ("4件", "b.md"),
        ("１件", "b.md"),
    ]:
        [(passage, _, _), *_] = store.search_passages(tokens.terms(query), k=3)
        assert passage.file == expected, query
    assert store.search_passages(tokens.terms("育児休暇"), k=3) == []


def test_tokens_and_content_units() -> None:
    assert {"手当", "障害"} <= set(tokens.terms("手当と障害"))
    assert "p95" in tokens.terms("P95レイテンシ")
    assert "4件" in tokens.terms("４件") and "2.4%" in tokens.terms("２．４％")
    assert retrieval.content_units("先月決まったことは?") == []
    assert "kubernetes" in retrieval.content_units("Did we discuss moving to Kubernetes?")
    assert retrieval.name_like_units("Did we discuss moving to Kubernetes?") == ["kubernetes"]
    assert retrieval.name_like_units("What did my manager tell me in February?") == []
    # plural meeting words and quantities are not names; "how many" words are not the topic
    assert retrieval.name_like_units("Have I started regular 1on1s with my members?") == []
    assert retrieval.name_like_units("年収は50kアップした?") == []
    assert retrieval.content_units("アラートは週何件まで減った?") == ["アラート"]
    assert retrieval.content_units("評価面談は何月にある?") == ["評価"]  # 面談 is meeting vocabulary
    # a loanword is one word: a question word inside it is not cut out
    assert "リアクション" in retrieval.content_units("リアクションに時間がかかる")


def test_no_hand_glossary_remains() -> None:
    """Cross-language and paraphrase evidence comes from the embedder: the English→Japanese
    glossary and synonym groups tuned on the dev questions are gone (they made 給料 reach 年収)."""
    assert not hasattr(retrieval, "GLOSSARY_EN_JA") and not hasattr(retrieval, "SYNONYMS")
    assert not hasattr(retrieval, "translations")


def test_a_topic_the_notes_never_use_is_not_found_despite_generic_words(dev: Settings) -> None:
    # 手当 and 制度 are in the notes; the subject of each question is not
    for question in ["住宅手当の制度について話した?", "育児休暇について話した?"]:
        found = ask.retrieve(question, dev, k=5)
        assert not found.found and "not in the notes" in found.reason, (question, found.reason)


def test_date_range_ranking_from_cached_vectors_matches_chroma(dev: Settings) -> None:
    store = Store.open(dev)
    months = (dt.date(2026, 2, 1), dt.date(2026, 3, 31))
    exact = retrieval.dense_in_range(dev, store, "アラートの件数", 10, months)
    assert exact is not None and len(exact) == 10
    chroma = index.dense_search(dev, "アラートの件数", 10, months)
    assert [p.id for p, _ in exact] == [p.id for p, _ in chroma]
    assert [round(s, 4) for _, s in exact] == [round(s, 4) for _, s in chroma]
    assert retrieval.dense_in_range(dev, store, "x", 5, (dt.date(2020, 1, 1), dt.date(2020, 1, 31))) == []


ENGLISH_NOTES = {
    "2025-02-04.md": (
        "---\ndate: 2025-02-04\nwith: Priya\n---\n## Notes\n"
        "- We onboarded two engineers to the billing team; their access is now set up.\n"
        "- The test cluster upgrade is done.\n"
    ),
    "2025-02-18.md": (
        "---\ndate: 2025-02-18\nwith: Priya\n---\n## Notes\n"
        "- The on-call handbook was reviewed by the whole team.\n- Hiring: two interviews next week.\n"
    ),
    "2025-03-04.md": (
        "---\ndate: 2025-03-04\nwith: Priya\n---\n## Notes\n"
        "- Quarterly planning starts next month.\n- The design doc for search needs a second reader.\n"
    ),
}


@pytest.mark.parametrize(
    ("question", "meeting"),
    [("What about the onboarding?", "2025-02-04.md"), ("Any update on the reviewing?", "2025-02-18.md")],
)
def test_an_english_word_is_found_in_its_other_forms(tmp_path: Path, question: str, meeting: str) -> None:
    """onboarding is in notes that say onboarded: the stem the full-text table indexes stands for
    the word in every form, so a short topic in another form is not read as absent."""
    from tests.test_answers import imported

    settings = imported(tmp_path, ENGLISH_NOTES, "en")
    found = ask.retrieve(question, settings, k=5)
    assert found.found and "topic not in the notes" not in found.reason, found.reason
    assert found.meetings()[0] == meeting


def test_a_short_stem_stands_for_no_word() -> None:
    """cod- is the stem of coding and begins code and codec: too short to name one word."""
    assert retrieval.unit_match("deploying", "we deployed the jobs") == 1.0
    assert retrieval.unit_match("coding", "the code went up") == 0.0
    assert retrieval.unit_match("deploying", "redeployed") == 0.0  # a stem at a word's start only


def test_a_topic_told_in_more_words_than_it_is_named_in_is_not_read_as_absent() -> None:
    """Verbs and adjectives written with a kanji, and one-kanji nouns, are words of the topic too:
    `人を育てる役目` names its subject in one unit but tells it in three words. The question words
    (決まる, 聞く, 伝える) and the grammar of について are not counted."""
    assert (
        retrieval.topic_length("人を育てる役目の話は?", retrieval.content_units("人を育てる役目の話は?")) == 3
    )
    assert retrieval.topic_length("新しい席替えの案は?", ["席替え", "案"]) == 3
    for question in ["社員食堂について聞いた?", "制服の着用は決まった?", "社宅について上司に伝えた?"]:
        units = retrieval.content_units(question)
        assert retrieval.topic_length(question, units) == len(units), question
    assert (
        retrieval.topic_length("How do I grow as a mentor?", ["grow", "mentor"]) == 2
    )  # English: units only


MENTOR_NOTES = {
    "2025-05-07.md": (
        "---\ndate: 2025-05-07\nwith: 中村さん\n---\n## キャリア\n"
        "- 来期は新卒2名のメンター役をやってみたいと伝えた。中村さんは賛成\n"
        "## 共有\n- 請求バッチの再実行手順を文書にした\n"
    ),
    "2025-05-21.md": (
        "---\ndate: 2025-05-21\nwith: 中村さん\n---\n## 共有\n"
        "- 監視ダッシュボードの閾値を見直した\n- 夏の賞与の査定は6月に確定する\n"
    ),
}


def test_a_described_topic_goes_to_the_dense_evidence_and_a_named_one_stays_absent(tmp_path: Path) -> None:
    from tests.test_answers import imported

    settings = imported(tmp_path, MENTOR_NOTES, "ja")
    described = ask.retrieve("新しく入る人を導く立場の希望は?", settings, k=5)
    assert "topic not in the notes" not in described.reason, described.reason
    assert described.meetings()[0] == "2025-05-07.md"
    named = ask.retrieve("社宅の希望は?", settings, k=5)
    assert not named.found and "topic not in the notes" in named.reason, named.reason
