"""The store's full-text table (FTS5) through a real SQLite file, and search when chroma is down."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from coach.config import load_settings
from coach.memory.store import Store, StoredMeeting
from coach.models import Meeting, MeetingSection
from coach.search import retrieval
from coach.text import tokens
from tests.support.processes import free_port


def meeting(file: str, day: dt.date, text: str, kind: str = "info", with_: str | None = None) -> Meeting:
    return Meeting.model_validate(
        {
            "file": file,
            "date": day,
            "with": with_,
            "sections": [MeetingSection(kind=kind, heading="メモ", text=text)],  # type: ignore[arg-type]
        }
    )


def save(store: Store, *meetings: Meeting) -> None:
    with store.transaction() as db:
        for m in meetings:
            Store.upsert_meeting(db, StoredMeeting(meeting=m, raw=m.model_dump_json(), checklist=[]))


def files(store: Store, query: str) -> list[str]:
    return [p.file for p, _, _ in store.search_passages(tokens.terms(query), k=5)]


def test_terms_keep_two_character_words_numbers_and_compound_pieces() -> None:
    terms = tokens.terms("住宅手当の申請は３件、レイテンシは250ms→90msに改善した")
    assert {"住宅", "手当", "3件", "250ms", "90ms", "改善"} <= set(terms)
    assert "レイテンシ" in terms and "テン" in terms  # the word and its bigrams
    assert "の" not in terms and "は" not in terms  # particles carry no topic
    assert tokens.terms("The deploys were promised") == ["deploys", "deploy", "promised", "promis"]


def test_passages_are_written_and_replaced_with_the_meeting(tmp_path: Path) -> None:
    store = Store(tmp_path / "coach.sqlite3")
    save(store, meeting("2025-04-01.md", dt.date(2025, 4, 1), "社内ポータルの検索が遅いと相談した"))
    assert files(store, "ポータル") == ["2025-04-01.md"]
    # re-saving the meeting with other text replaces its passages: the old word is gone at once
    save(store, meeting("2025-04-01.md", dt.date(2025, 4, 1), "来月から副業の申請が必要になる"))
    assert files(store, "ポータル") == [] and files(store, "副業") == ["2025-04-01.md"]


def test_a_rolled_back_write_leaves_no_passage(tmp_path: Path) -> None:
    store = Store(tmp_path / "coach.sqlite3")
    with pytest.raises(RuntimeError), store.transaction() as db:
        m = meeting("2025-05-01.md", dt.date(2025, 5, 1), "データ基盤の移行計画を説明した")
        Store.upsert_meeting(db, StoredMeeting(meeting=m, raw="x", checklist=[]))
        raise RuntimeError("crash mid-import")
    assert files(store, "移行計画") == []
    total, freqs, _ = store.term_stats(["移行"])
    assert total == 0 and freqs == {"移行": 0}


def test_deleting_a_meeting_removes_its_passages_and_terms(tmp_path: Path) -> None:
    store = Store(tmp_path / "coach.sqlite3")
    save(
        store,
        meeting("2025-06-01.md", dt.date(2025, 6, 1), "Grafana のダッシュボードを整理した"),
        meeting("2025-06-08.md", dt.date(2025, 6, 8), "採用面接の担当を増やす"),
    )
    with store.transaction() as db:
        db.execute("DELETE FROM meetings WHERE file = ?", ("2025-06-01.md",))
    assert files(store, "grafana") == []
    total, freqs, _ = store.term_stats(["grafana", "採用"])
    assert total == 1 and freqs == {"grafana": 0, "採用": 1}


def test_migration_fills_the_table_from_meetings_saved_before_it(tmp_path: Path) -> None:
    path = tmp_path / "coach.sqlite3"
    store = Store(path)
    save(store, meeting("2025-07-01.md", dt.date(2025, 7, 1), "Terraform の state を分割した"))
    with store.transaction() as db:  # a store from before the full-text table existed
        for statement in (
            "DROP TRIGGER passages_fts_delete",
            "DROP TABLE passages_terms",
            "DROP TABLE passages_fts",
            "DROP TABLE passages",
            "DELETE FROM _migrations WHERE name = 'm003_fts_passages'",
        ):
            db.execute(statement)
    assert files(Store(path), "terraform") == ["2025-07-01.md"]


def test_term_stats_count_passages_holding_every_term_of_a_group(tmp_path: Path) -> None:
    store = Store(tmp_path / "coach.sqlite3")
    save(
        store,
        meeting("a.md", dt.date(2025, 1, 1), "住宅の話"),
        meeting("b.md", dt.date(2025, 1, 2), "通勤手当の話"),
        meeting("c.md", dt.date(2025, 1, 3), "住宅手当の話"),
    )
    total, freqs, together = store.term_stats(["手当"], [["住宅", "手当"], ["住宅", "存在しない"]])
    assert total == 3 and freqs["手当"] == 2 and together == [1, 0]


def test_date_range_limits_the_lexical_hits(tmp_path: Path) -> None:
    store = Store(tmp_path / "coach.sqlite3")
    save(
        store,
        meeting("2025-01-10.md", dt.date(2025, 1, 10), "障害対応の振り返り"),
        meeting("2025-03-10.md", dt.date(2025, 3, 10), "障害対応の手順書を更新"),
    )
    march = (dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    assert [p.file for p, _, _ in store.search_passages(tokens.terms("障害"), 5, march)] == ["2025-03-10.md"]
    rows = store.passages_in_range(*march, limit=10)
    assert rows is not None and [p.file for p, _ in rows] == ["2025-03-10.md"]
    assert store.passages_in_range(dt.date(2025, 1, 1), dt.date(2025, 12, 31), limit=1) is None


def test_lexical_retrieval_sees_a_write_at_once(tmp_path: Path) -> None:
    settings = load_settings(env={"COACH_DATA_DIR": str(tmp_path / "data")})
    store = Store.open(settings)
    save(store, meeting("2025-02-01.md", dt.date(2025, 2, 1), "予算の締めは3月末"))
    first = retrieval.retrieve("予算の締めはいつ?", settings, mode="lexical", lexical=store)
    assert first.meetings() == ["2025-02-01.md"]
    save(store, meeting("2025-02-15.md", dt.date(2025, 2, 15), "Snowflake の費用を見直す"))
    second = retrieval.retrieve("Snowflake の費用は?", settings, mode="lexical", lexical=store)
    assert second.meetings()[0] == "2025-02-15.md"


def test_search_and_ask_answer_from_keywords_when_the_chroma_server_is_down(tmp_path: Path) -> None:
    from coach.flows import ask

    down = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    settings = load_settings(env={"COACH_DATA_DIR": str(tmp_path / "data"), "COACH_CHROMA_URL": down})
    save(
        Store.open(settings),
        meeting(
            "2025-09-02.md", dt.date(2025, 9, 2), "- 夏季休暇の申請は8月20日までに出す", with_="山田さん"
        ),
        meeting(
            "2025-09-16.md", dt.date(2025, 9, 16), "- Kafka のパーティション数を12から24に増やした", "results"
        ),
    )
    results = ask.search("Kafka のパーティション数", settings)
    assert [r.file for r in results.results][:1] == ["2025-09-16.md"]
    assert results.notices and "キーワード検索" in results.notices[0]  # in the question's language
    english = ask.search("Kafka partitions", settings)
    assert english.results and "keyword search" in english.notices[0]
    answer = ask.ask("夏季休暇の申請期限はいつ?", settings)
    assert answer.found and "8月20日" in answer.answer and "山田さん" in answer.answer
    assert answer.warnings and "キーワード検索" in answer.warnings[0]


def test_the_full_text_table_and_the_vector_index_name_passages_alike() -> None:
    """The store may not import search, so the passage split lives in `coach.text.passages`;
    the vector index must cut and contextualise meetings the same way (same ids, same text)."""
    from coach.search import vectors
    from coach.text import passages
    from coach.text.passages import passages_with_context

    m = Meeting(
        file="2025-08-01.md",
        date=dt.date(2025, 8, 1),
        title="週次",
        preamble="前回の宿題は完了",
        sections=[MeetingSection(kind="decisions", heading="決定", text="- 監視を強化する")],
    )
    ours = passages_with_context(m)
    assert [p.id for p, _ in ours] == ["2025-08-01.md#0", "2025-08-01.md#1"]
    assert [text for _, text in ours] == ["週次\n前回の宿題は完了", "週次 / 決定\n- 監視を強化する"]
    # one implementation, not two kept in step: the index cuts meetings with the text module's split
    assert vectors.passages_of is passages.passages_of and vectors.context_text is passages.context_text
    assert vectors.headings_of is passages.headings_of
    assert vectors.passages_with_context is passages_with_context
