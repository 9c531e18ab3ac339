"""Ask and search over the dev meetings: extractive offline answers, and the cited LLM path."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from coach.config import Settings
from coach.errors import InputError
from coach.flows import ask
from coach.models import AskResult
from tests.conftest import load_jsonl
from tests.test_index import import_dev_meetings

QUESTIONS = {q["id"]: q for q in load_jsonl("meetings_questions.jsonl")}


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory, meetings_dir: Path) -> Settings:
    return import_dev_meetings(tmp_path_factory.mktemp("dev") / "data", meetings_dir)


def test_offline_answer_quotes_the_matching_lines_with_dates(dev: Settings) -> None:
    result = ask.ask("新規ライブラリ導入の承認フローはどうなっている?", dev)
    assert result.found and result.engine == "offline"
    assert "技術選定会議" in result.answer and "月1回" in result.answer
    assert "2026-01-20 の1on1より" in result.answer
    assert "2026-01-20.md" in [s.file for s in result.sources]
    assert "技術選定会議" in " ".join(s.excerpt for s in result.sources)


def test_answers_contain_the_expected_facts_on_most_dev_questions(dev: Settings) -> None:
    scored = [q for q in QUESTIONS.values() if q["answer_facts"]]
    covered = 0
    for q in scored:
        day = dt.date.fromisoformat(q["as_of"]) if q.get("as_of") else None
        answer = ask.ask(q["question"], dev, as_of=day).answer
        covered += all(fact in answer for fact in q["answer_facts"])
    # 0.75 was reached with an English→Japanese glossary and synonyms written for these questions;
    # without them two paraphrases (給料, 人を率いる立場) read as topics the notes lack.
    assert covered / len(scored) >= 0.7, covered


def test_english_question_gets_english_frame(dev: Settings) -> None:
    result = ask.ask("When is the self-evaluation sheet due?", dev)
    assert result.found
    assert result.answer.startswith("From the 1on1 on ")
    assert "6月末" in result.answer


@pytest.mark.parametrize("qid", ["q23", "q24"])
def test_not_found_says_so_plainly(dev: Settings, qid: str) -> None:
    result = ask.ask(QUESTIONS[qid]["question"], dev)
    assert not result.found and result.sources == []
    assert result.answer in {"過去の1on1のメモには見つかりませんでした。", "Not found in your meeting notes."}


def test_search_returns_one_hit_per_meeting_with_date_filter(dev: Settings) -> None:
    results = ask.search("What did my manager tell me in February?", dev, k=5, as_of=dt.date(2026, 8, 20))
    assert results.date_filter == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert sorted(h.file for h in results.results) == ["2026-02-03.md", "2026-02-17.md"]
    assert results.results[0].score >= results.results[1].score
    assert "2026-02" in ask.search_markdown(results)


def test_empty_question_is_an_input_error(dev: Settings) -> None:
    with pytest.raises(InputError) as err:
        ask.ask("   ", dev)
    assert "質問" in err.value.ja


def test_stream_yields_text_then_the_result(dev: Settings) -> None:
    items = list(ask.ask_stream("在庫APIのタイムアウト率の改善結果は?", dev))
    assert isinstance(items[-1], AskResult) and items[-1].found
    assert "".join(i for i in items[:-1] if isinstance(i, str)) == items[-1].answer
    assert "2.4%" in items[-1].answer and "0.3%" in items[-1].answer


# --------------------------------------------------------------------------- LLM path


def test_llm_answer_keeps_valid_citations(dev: Settings, llm_server) -> None:  # type: ignore[no-untyped-def]
    llm_server.reply_stream(["オンコール手当は", "10月から導入されます [2026-08-04]。"])
    settings = llm_server.settings(data_dir=dev.data_dir)
    result = ask.ask("オンコール手当はいつから導入される?", settings)
    assert result.engine == "llm:test-model" and result.found and not result.warnings
    assert result.answer == "オンコール手当は10月から導入されます [2026-08-04]。"
    assert [s.file for s in result.sources] == ["2026-08-04.md"]
    prompt = "\n".join(str(m["content"]) for m in llm_server.requests[0]["messages"])
    assert "[2026-08-04]" in prompt and "10月から導入" in prompt


def test_llm_citation_to_a_meeting_not_retrieved_is_stripped(dev: Settings, llm_server) -> None:  # type: ignore[no-untyped-def]
    llm_server.reply_stream(["10月から導入されます [2026-08-04]。以前から決まっていました [2025-12-01]。"])
    result = ask.ask("オンコール手当はいつから導入される?", llm_server.settings(data_dir=dev.data_dir))
    assert "[2025-12-01]" not in result.answer and "[2026-08-04]" in result.answer
    assert any("2025-12-01" in w for w in result.warnings)


def test_llm_number_not_in_the_notes_falls_back(dev: Settings, llm_server) -> None:  # type: ignore[no-untyped-def]
    llm_server.reply_stream(["11月から導入されます [2026-08-04]。"])
    result = ask.ask("オンコール手当はいつから導入される?", llm_server.settings(data_dir=dev.data_dir))
    assert result.engine == "offline (fallback)"
    assert "10月" in result.answer and result.warnings


def test_llm_failure_falls_back_to_the_extractive_answer(dev: Settings, llm_server) -> None:  # type: ignore[no-untyped-def]
    llm_server.reply_status(500, "boom")
    result = ask.ask("オンコール手当はいつから導入される?", llm_server.settings(data_dir=dev.data_dir))
    assert result.engine == "offline (fallback)" and result.found
    assert "10月" in result.answer
    assert result.warnings and "sk-test-SECRET" not in " ".join(result.warnings)


def test_llm_is_not_called_when_nothing_is_found(dev: Settings, llm_server) -> None:  # type: ignore[no-untyped-def]
    result = ask.ask("Did we discuss moving to Kubernetes?", llm_server.settings(data_dir=dev.data_dir))
    assert not result.found and llm_server.requests == []
