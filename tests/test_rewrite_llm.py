"""The rewrite flow's LLM path against a real OpenAI-compatible server on loopback."""

from __future__ import annotations

from typing import Any

import pytest

from coach.flows.rewrite import rewrite_notes
from coach.llm.prompts import prompt_variables
from coach.memory.store import Store
from tests.support.llm_server import API_KEY, LLMServer

NOTES = (
    "商品詳細APIのレスポンスが遅いという問題があった。N+1クエリの解消とキャッシュ層の追加を実施。"
    "P95レイテンシは320ms→180msに改善。エラー率は0.8%→0.2%。"
)


def _entry(**overrides: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "title": "商品詳細APIの高速化",
        "situation": "商品詳細APIのレスポンスが遅かった",
        "task": None,
        "action": "N+1クエリを解消し、キャッシュ層を追加した",
        "result": "P95レイテンシが320ms→180msに、エラー率が0.8%→0.2%に下がった",
        "statement": "P95レイテンシを320ms→180msに改善(44%削減)",
        "metric_ids": [0, 1],
        "questions": ["この改善で誰が助かりましたか?"],
    }
    entry.update(overrides)
    return entry


def _saved_inputs(settings: Any) -> list[str]:
    return [text for _, _, text, _ in Store.open(settings).inputs("rewrite")]


def test_good_answer_keeps_prose_and_takes_metrics_from_code(llm_server: LLMServer) -> None:
    llm_server.reply_json({"entries": [_entry()]})
    settings = llm_server.settings()
    result = rewrite_notes(NOTES, settings)
    assert result.engine == "llm:test-model"
    assert result.warnings == []
    (entry,) = result.entries
    assert entry.title == "商品詳細APIの高速化"
    assert [(m.before, m.after, m.change_pct) for m in entry.metrics] == [
        (320, 180, -43.75),
        (0.8, 0.2, -75.0),
    ]
    assert entry.missing == ["task"]
    request = llm_server.requests[0]
    prompt = "\n".join(str(m.get("content")) for m in request["messages"])
    assert NOTES in prompt and "320→180 ms" in prompt
    assert llm_server.pending == 0
    assert _saved_inputs(settings) == [NOTES]
    assert Store.open(settings).load_prep().rewrite == result


def test_invented_number_is_removed_and_reported(llm_server: LLMServer) -> None:
    llm_server.reply_json(
        {
            "entries": [
                _entry(
                    action="N+1クエリを解消し、キャッシュ層を追加した(12台のサーバーで)",
                    statement="P95レイテンシを320ms→180msに改善(45%削減)",
                    result="売上が7%伸びた",
                )
            ]
        }
    )
    result = rewrite_notes(NOTES, llm_server.settings())
    (entry,) = result.entries
    assert "12" not in entry.action and "[N]台" in entry.action
    assert "7" not in entry.result
    assert entry.statement == "P95レイテンシを320ms→180msに改善(44%削減)"  # percentage recomputed by code
    assert any("12" in w for w in result.warnings)
    assert any("45%" in w and "44%" in w for w in result.warnings)


def test_a_number_after_a_comma_is_replaced_where_it_is_reported(llm_server: LLMServer) -> None:
    llm_server.reply_json({"entries": [_entry(action="キャッシュ層を追加し、対象は180,29エンドポイント")]})
    result = rewrite_notes(NOTES, llm_server.settings())
    (entry,) = result.entries
    assert entry.action == "キャッシュ層を追加し、対象は180,[N]エンドポイント"  # the reported 29 is replaced
    assert any("29" in w for w in result.warnings)


def test_model_metric_ids_outside_the_list_are_re_asked(llm_server: LLMServer) -> None:
    llm_server.reply_json({"entries": [_entry(metric_ids=[7])]})
    llm_server.reply_json({"entries": [_entry(metric_ids=[0])]})
    result = rewrite_notes(NOTES, llm_server.settings())
    assert result.engine == "llm:test-model"
    assert "metric_ids [7]" in str(llm_server.requests[1]["messages"])
    # the metric the model left out is still the user's result
    assert len(result.entries[0].metrics) == 2


@pytest.mark.parametrize(
    "fail",
    [
        pytest.param(
            lambda s: s.reply_text("これはJSONではありません").reply_text("{not json"), id="invalid-json"
        ),
        pytest.param(
            lambda s: s.reply_json({"entries": [{"title": "x"}]}).reply_json({"entries": []}),
            id="schema-violation",
        ),
        pytest.param(lambda s: s.reply_status(500, "boom"), id="http-500"),
        pytest.param(lambda s: s.reply_delay(2.5, {"entries": [_entry()]}), id="timeout"),
    ],
)
def test_failures_fall_back_to_offline_with_a_notice(llm_server: LLMServer, fail: Any) -> None:
    fail(llm_server)
    settings = llm_server.settings(language="ja")  # the notice follows COACH_LANG
    result = rewrite_notes(NOTES, settings)
    assert result.engine == "offline (fallback)"
    assert result.warnings and "オフライン" in result.warnings[0]
    assert result.entries[0].metrics[0].change_pct == -43.75
    assert API_KEY not in " ".join(result.warnings)
    assert _saved_inputs(settings) == [NOTES]
    assert Store.open(settings).rewrites()[-1][1] == result


def test_engine_argument_overrides_settings(llm_server: LLMServer) -> None:
    result = rewrite_notes(NOTES, llm_server.settings(), engine="offline")
    assert result.engine == "offline"
    assert llm_server.requests == []


def test_english_notes_use_the_english_prompt(llm_server: LLMServer) -> None:
    notes = "Runtime dropped from 5.5h to 1.2h after I split the ETL job into shards."
    llm_server.reply_json(
        {
            "entries": [
                {
                    "title": "Faster nightly ETL",
                    "situation": None,
                    "task": None,
                    "action": "Split the ETL job into shards",
                    "result": "Runtime dropped from 5.5h to 1.2h",
                    "statement": "Cut ETL runtime from 5.5h to 1.2h (-78%)",
                    "metric_ids": [0],
                    "questions": [],
                }
            ]
        }
    )
    result = rewrite_notes(notes, llm_server.settings())
    assert result.language == "en" and result.warnings == []
    (entry,) = result.entries
    assert entry.missing == ["situation", "task"]
    assert len(entry.questions) == 2  # the model asked nothing: code fills the gaps
    assert "Work notes:" in str(llm_server.requests[0]["messages"])


def test_prompt_files_take_the_variables_the_flow_passes() -> None:
    assert prompt_variables("rewrite", "ja") == prompt_variables("rewrite", "en") == {"notes", "metrics"}


def test_a_percentage_is_not_grounded_by_a_count_of_the_same_value(llm_server: LLMServer) -> None:
    """The notes count 12 incidents; "12%" in the model's statement is not that value."""
    notes = "夜間の障害対応を見直した。手順書を整えた結果、月の障害件数が30件→12件に減った。"
    llm_server.reply_json(
        {
            "entries": [
                _entry(
                    title="障害対応の見直し",
                    situation="夜間の障害対応が多かった",
                    action="手順書を整えた",
                    result="月の障害件数が30件→12件に減った",
                    statement="障害発生率を12%に抑えた",
                    metric_ids=[0],
                )
            ]
        }
    )
    result = rewrite_notes(notes, llm_server.settings())
    (entry,) = result.entries
    assert [(m.before, m.after, m.unit) for m in entry.metrics] == [(30, 12, "件")]
    assert "12%" not in entry.statement
    assert "30件→12件" in entry.result  # the count itself stays grounded
