"""The LLM engine against a real OpenAI-compatible server on loopback."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from pydantic import BaseModel

from coach.errors import LLMError
from coach.llm import prompts
from coach.llm.engine import LLMEngine, LLMFailure
from coach.llm.fallback import with_fallback
from tests.support.llm_server import API_KEY, LLMServer


class Answer(BaseModel):
    """A short answer with a count."""

    summary: str
    count: int


@pytest.fixture(autouse=True)
def echo_prompts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private prompt dir with an `echo` flow, plus the real infrastructure prompts."""
    directory = tmp_path / "prompts"
    directory.mkdir()
    for name in ("retry", "json_mode"):
        for lang in ("ja", "en"):
            shutil.copy(prompts.PROMPTS_DIR / f"{name}.{lang}.md", directory)
    for lang in ("ja", "en"):
        (directory / f"echo.{lang}.md").write_text(
            '## system\nSummarise and count the items. JSON like {{"summary": "..."}}.\n## user\n{items}\n',
            encoding="utf-8",
        )
    monkeypatch.setattr(prompts, "PROMPTS_DIR", directory)
    return directory


def _user_text(request: dict) -> str:
    return "\n".join(str(m.get("content") or "") for m in request["messages"])


def test_good_answer_is_parsed_and_prompt_is_sent(llm_server: LLMServer) -> None:
    llm_server.reply_json({"summary": "two items", "count": 2})
    engine = LLMEngine(llm_server.settings())
    result = engine.structured("echo", "en", {"items": "apples, pears"}, Answer)
    assert result == Answer(summary="two items", count=2)
    assert engine.name == "llm:test-model"
    request = llm_server.requests[0]
    assert request["model"] == "test-model"
    assert request["temperature"] == 0
    assert request["response_format"]["type"] == "json_schema"
    assert "apples, pears" in _user_text(request)
    assert '{"summary": "..."}' in _user_text(request)  # doubled braces became literal


def test_invalid_json_is_re_asked_with_the_error(llm_server: LLMServer) -> None:
    llm_server.reply_text("Sure! here it is: {summary: oops").reply_json({"summary": "ok", "count": 1})
    result = LLMEngine(llm_server.settings()).structured("echo", "en", {"items": "x"}, Answer)
    assert result.count == 1
    assert len(llm_server.requests) == 2
    second = llm_server.requests[1]["messages"]
    assert second[-2]["role"] == "assistant"
    assert "{summary: oops" in second[-2]["content"]
    assert second[-1]["role"] == "user"
    assert "Invalid JSON" in second[-1]["content"] or "json" in second[-1]["content"].lower()


def test_validator_rejection_is_re_asked_then_raises(llm_server: LLMServer) -> None:
    def no_big_counts(answer: Answer) -> Answer:
        if answer.count > 10:
            raise ValueError(f"count {answer.count} is not in the user's text")
        return answer

    llm_server.reply_json({"summary": "a", "count": 99}).reply_json({"summary": "b", "count": 42})
    with pytest.raises(LLMError) as info:
        LLMEngine(llm_server.settings()).structured("echo", "ja", {"items": "x"}, Answer, no_big_counts)
    assert info.value.attempts == 2
    assert "42" in (info.value.last_output or "")
    assert "count 99 is not in the user's text" in llm_server.requests[1]["messages"][-1]["content"]
    assert "チェック" in info.value.message("ja")


def test_schema_violation_counts_as_invalid(llm_server: LLMServer) -> None:
    llm_server.reply_json({"summary": "a"}).reply_json({"summary": "a", "count": "many"})
    with pytest.raises(LLMFailure) as info:
        LLMEngine(llm_server.settings()).structured("echo", "en", {"items": "x"}, Answer)
    assert "count" in llm_server.requests[1]["messages"][-1]["content"]
    assert info.value.kind == "check"
    assert "count" in info.value.reason("en") and "valid integer" in info.value.reason("en")
    assert "errors.pydantic.dev" not in info.value.reason("en")


def test_retries_are_bounded_by_settings(llm_server: LLMServer) -> None:
    for _ in range(4):
        llm_server.reply_text("nope")
    with pytest.raises(LLMError):
        LLMEngine(llm_server.settings(llm_retries=2)).structured("echo", "en", {"items": "x"}, Answer)
    assert len(llm_server.requests) == 3


def test_http_500_raises_at_once_with_advice(llm_server: LLMServer) -> None:
    llm_server.reply_status(500).reply_json({"summary": "never", "count": 0})
    with pytest.raises(LLMFailure) as info:
        LLMEngine(llm_server.settings()).structured("echo", "en", {"items": "x"}, Answer)
    assert len(llm_server.requests) == 1
    assert "HTTP 500" in info.value.message("en")
    assert "サーバー" in info.value.message("ja")


def test_404_points_at_the_model_name(llm_server: LLMServer) -> None:
    llm_server.reply_status(404, "model not found")
    with pytest.raises(LLMError) as info:
        LLMEngine(llm_server.settings()).structured("echo", "en", {"items": "x"}, Answer)
    assert "COACH_LLM_MODEL=test-model" in info.value.message("en")


def test_timeout_raises_quickly(llm_server: LLMServer) -> None:
    llm_server.reply_delay(1.0, {"summary": "late", "count": 1})
    start = time.monotonic()
    with pytest.raises(LLMFailure) as info:
        LLMEngine(llm_server.settings(llm_timeout=0.4)).structured("echo", "en", {"items": "x"}, Answer)
    assert time.monotonic() - start < 1.0
    assert info.value.kind == "timeout"
    assert "タイムアウト" in info.value.reason("ja")
    assert "COACH_LLM_TIMEOUT" in info.value.message("en")
    time.sleep(0.7)  # let the single-threaded server finish the late reply before the next test


def test_connection_refused(tmp_path: Path) -> None:
    from coach.config import Settings

    settings = Settings(
        data_dir=tmp_path,
        engine="llm",
        llm_base_url="http://127.0.0.1:9/v1",
        llm_api_key=API_KEY,
        llm_timeout=1,
    )
    with pytest.raises(LLMFailure) as info:
        LLMEngine(settings).structured("echo", "en", {"items": "x"}, Answer)
    assert "OPENAI_BASE_URL" in info.value.message("en")


def test_function_calling_method(llm_server: LLMServer) -> None:
    llm_server.reply_json({"summary": "tool", "count": 3})
    result = LLMEngine(llm_server.settings(llm_method="function_calling")).structured(
        "echo", "en", {"items": "x"}, Answer
    )
    assert result.count == 3
    request = llm_server.requests[0]
    assert request["tools"][0]["function"]["name"] == "Answer"
    assert "response_format" not in request


def test_function_calling_re_ask_after_bad_arguments(llm_server: LLMServer) -> None:
    llm_server.reply_json({"summary": "tool"}).reply_json({"summary": "tool", "count": 4})
    result = LLMEngine(llm_server.settings(llm_method="function_calling")).structured(
        "echo", "en", {"items": "x"}, Answer
    )
    assert result.count == 4
    assert "count" in llm_server.requests[1]["messages"][-1]["content"]


def test_json_mode_puts_the_schema_into_the_one_system_message(llm_server: LLMServer) -> None:
    llm_server.reply_text('```json\n{"summary": "fenced", "count": 5}\n```')
    result = LLMEngine(llm_server.settings(llm_method="json_mode")).structured(
        "echo", "ja", {"items": "x"}, Answer
    )
    assert result.count == 5
    request = llm_server.requests[0]
    assert request["response_format"] == {"type": "json_object"}
    roles = [m["role"] for m in request["messages"]]
    assert roles == ["system", "user"]  # many chat templates drop a second system message
    assert '"count"' in request["messages"][0]["content"]
    assert "Summarise and count" in request["messages"][0]["content"]


def test_streaming_yields_text_chunks(llm_server: LLMServer) -> None:
    llm_server.reply_stream(["前回は", "API改善", "を報告しました。"])
    chunks = list(LLMEngine(llm_server.settings()).stream("echo", "ja", {"items": "x"}))
    assert "".join(chunks) == "前回はAPI改善を報告しました。"
    assert llm_server.requests[0]["stream"] is True


def test_streaming_error_is_llm_error(llm_server: LLMServer) -> None:
    llm_server.reply_status(503)
    with pytest.raises(LLMError):
        list(LLMEngine(llm_server.settings()).stream("echo", "en", {"items": "x"}))


def test_api_key_never_in_errors(llm_server: LLMServer) -> None:
    llm_server.reply_status(401, f"Incorrect API key provided: {API_KEY}")
    llm_server.reply_text(f"my key is {API_KEY}").reply_text(f"still {API_KEY}")
    settings = llm_server.settings()
    engine = LLMEngine(settings)
    errors: list[LLMError] = []
    for _ in range(2):
        try:
            engine.structured("echo", "en", {"items": "x"}, Answer)
        except LLMError as error:
            errors.append(error)
    assert len(errors) == 2
    assert "OPENAI_API_KEY" in errors[0].message("en")
    for exc in errors:
        for text in (str(exc), exc.message("en"), exc.message("ja"), exc.last_output or "", repr(exc)):
            assert API_KEY not in text
    assert API_KEY not in repr(settings)


def test_missing_key_for_remote_server_is_an_llm_error(tmp_path: Path) -> None:
    from coach.config import Settings

    with pytest.raises(LLMError) as info:
        LLMEngine(Settings(data_dir=tmp_path, engine="llm"))
    assert "OPENAI_API_KEY" in info.value.message("en")


def test_fallback_uses_llm_when_it_answers(llm_server: LLMServer) -> None:
    llm_server.reply_json({"summary": "llm", "count": 1})
    outcome = with_fallback(
        llm_server.settings(),
        "ja",
        lambda engine: engine.structured("echo", "ja", {"items": "x"}, Answer).summary,
        lambda: "offline",
    )
    assert (outcome.value, outcome.engine, outcome.warnings) == ("llm", "llm:test-model", [])


def test_fallback_on_failure_shows_a_notice(llm_server: LLMServer) -> None:
    llm_server.reply_delay(0.8, {"summary": "late", "count": 1})
    outcome = with_fallback(
        llm_server.settings(llm_timeout=0.3, language="ja"),  # notices follow COACH_LANG
        "ja",
        lambda engine: engine.structured("echo", "ja", {"items": "x"}, Answer).summary,
        lambda: "offline",
    )
    assert outcome.value == "offline"
    assert outcome.engine == "offline (fallback)"
    assert outcome.warnings == [
        "LLMが時間内に回答を終えなかったため、オフラインエンジンの結果を表示しています(理由: 0.3 秒でタイムアウト)"
    ]
    time.sleep(0.6)


def test_fallback_on_invalid_answers_in_english(llm_server: LLMServer) -> None:
    llm_server.reply_text("x").reply_text("y")
    outcome = with_fallback(
        llm_server.settings(),
        "en",
        lambda engine: engine.structured("echo", "en", {"items": "x"}, Answer).summary,
        lambda: "offline",
    )
    assert outcome.fell_back
    assert outcome.warnings[0].startswith("The LLM's answer failed a check")
    assert "Invalid JSON" in outcome.warnings[0]


def test_offline_engine_never_calls_the_llm(llm_server: LLMServer) -> None:
    outcome = with_fallback(
        llm_server.settings(engine="offline"), "en", lambda engine: "llm", lambda: "offline"
    )
    assert (outcome.value, outcome.engine) == ("offline", "offline")
    assert llm_server.requests == []


# ---------------------------------------------------------------------- negotiation


LLAMA_CPP_REFUSAL = (
    "[{'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), "
    "'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema'}]"
)


def test_a_refused_method_falls_through_and_is_remembered(llm_server: LLMServer) -> None:
    settings = llm_server.settings()
    llm_server.reply_status(500, LLAMA_CPP_REFUSAL).reply_json({"summary": "grammar", "count": 2})
    engine = LLMEngine(settings)
    assert engine.structured("echo", "en", {"items": "x"}, Answer).count == 2
    first, second = llm_server.requests
    assert first["response_format"]["type"] == "json_schema"
    assert second["response_format"]["type"] == "json_object"
    assert second["response_format"]["schema"]["properties"]["count"]["type"] == "integer"
    assert len(engine.notices) == 1
    assert "JSON object with a schema" in engine.notice_texts("en")[0]
    assert "スキーマ付き JSON" in engine.notice_texts("ja")[0]

    llm_server.reply_json({"summary": "again", "count": 3})
    again = LLMEngine(settings)
    assert again.structured("echo", "en", {"items": "x"}, Answer).count == 3
    assert llm_server.requests[2]["response_format"]["type"] == "json_object"  # no second refusal
    assert again.notices == []  # told once


def test_every_form_refused_goes_down_to_the_schema_in_the_system_message(llm_server: LLMServer) -> None:
    llm_server.reply_status(400, "response_format json_schema is not supported")
    llm_server.reply_status(400, "response_format: unknown field schema")
    llm_server.reply_status(400, "tools are not supported by this model")
    llm_server.reply_status(400, "response_format json_object is not supported")
    llm_server.reply_json({"summary": "plain", "count": 1})
    engine = LLMEngine(llm_server.settings())
    assert engine.structured("echo", "en", {"items": "x"}, Answer).summary == "plain"
    tools, last = llm_server.requests[2], llm_server.requests[4]
    assert tools["tool_choice"] == {"type": "function", "function": {"name": "Answer"}}
    assert "response_format" not in last and "tools" not in last
    assert [m["role"] for m in last["messages"]] == ["system", "user"]
    assert '"summary"' in last["messages"][0]["content"]


def test_a_plain_server_error_is_not_taken_for_a_refusal(llm_server: LLMServer) -> None:
    llm_server.reply_status(500, "CUDA out of memory")
    with pytest.raises(LLMFailure) as info:
        LLMEngine(llm_server.settings()).structured("echo", "en", {"items": "x"}, Answer)
    assert len(llm_server.requests) == 1 and info.value.kind == "http"
    assert "CUDA out of memory" in info.value.message("en")


def test_every_method_refused_says_refused(llm_server: LLMServer) -> None:
    for _ in range(5):
        llm_server.reply_status(400, "response_format and tools are not supported")
    outcome = with_fallback(
        llm_server.settings(),
        "en",
        lambda engine: engine.structured("echo", "en", {"items": "x"}, Answer).summary,
        lambda: "offline",
    )
    assert outcome.value == "offline"
    assert outcome.warnings[0].startswith("The LLM server refused the request")
    assert "not supported" in outcome.warnings[0]


# ---------------------------------------------------------------------- bounds


def test_every_request_carries_max_tokens(llm_server: LLMServer) -> None:
    llm_server.reply_json({"summary": "a", "count": 1}).reply_stream(["ok"])
    engine = LLMEngine(llm_server.settings(llm_max_tokens=64))
    engine.structured("echo", "en", {"items": "x"}, Answer)
    list(engine.stream("echo", "en", {"items": "x"}))
    assert [r.get("max_tokens") for r in llm_server.requests] == [64, 64]


def test_a_refused_token_field_switches_to_max_completion_tokens(llm_server: LLMServer) -> None:
    llm_server.reply_status(
        400,
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens'.",
    ).reply_json({"summary": "a", "count": 1})
    LLMEngine(llm_server.settings()).structured("echo", "en", {"items": "x"}, Answer)
    assert "max_tokens" not in llm_server.requests[1] and llm_server.requests[1]["max_completion_tokens"] > 0


def test_a_prompt_over_the_context_is_never_sent(llm_server: LLMServer) -> None:
    settings = llm_server.settings(llm_context=512, language="ja")
    outcome = with_fallback(
        settings,
        "ja",
        lambda engine: engine.structured("echo", "ja", {"items": "長い議事録の本文。" * 200}, Answer).summary,
        lambda: "offline",
    )
    assert llm_server.requests == []
    assert outcome.warnings[0].startswith("入力がLLMのコンテキストに収まらなかったため")
    assert "512" in outcome.warnings[0]


def test_the_servers_context_message_reaches_the_notice(llm_server: LLMServer) -> None:
    llm_server.reply_status(400, "Requested tokens (5120) exceed context window of 2048")
    with pytest.raises(LLMFailure) as info:
        LLMEngine(llm_server.settings()).structured("echo", "en", {"items": "x"}, Answer)
    assert info.value.kind == "context"
    assert "exceed context window of 2048" in info.value.reason("en")
    assert len(llm_server.requests) == 1


def test_re_asks_send_only_the_last_answer_and_its_error(llm_server: LLMServer) -> None:
    llm_server.reply_text("first bad").reply_text("second bad").reply_json({"summary": "ok", "count": 1})
    LLMEngine(llm_server.settings(llm_retries=2)).structured("echo", "en", {"items": "x"}, Answer)
    sizes = [len(r["messages"]) for r in llm_server.requests]
    assert sizes == [2, 4, 4]
    third = llm_server.requests[2]["messages"]
    assert third[2]["content"] == "second bad"
    assert all("first bad" not in m["content"] for m in third)


def test_an_answer_cut_at_the_bound_is_not_re_asked(llm_server: LLMServer) -> None:
    llm_server.reply_cut('{"summary": "a very long')
    with pytest.raises(LLMFailure) as info:
        LLMEngine(llm_server.settings(llm_max_tokens=32)).structured("echo", "en", {"items": "x"}, Answer)
    assert info.value.kind == "cut" and "32" in info.value.reason("en")
    assert len(llm_server.requests) == 1


def test_a_stream_ends_at_the_deadline(llm_server: LLMServer) -> None:
    llm_server.reply_slow_stream([f"word{i} " for i in range(20)], interval=0.15)
    received: list[str] = []
    start = time.monotonic()
    with pytest.raises(LLMFailure) as info:
        for chunk in LLMEngine(llm_server.settings(llm_timeout=0.8)).stream("echo", "en", {"items": "x"}):
            received.append(chunk)
    elapsed = time.monotonic() - start
    assert info.value.kind == "timeout"
    assert 0.7 < elapsed < 1.5  # one deadline for the whole stream, not per chunk (3 s of chunks)
    assert 0 < len(received) < 20
    time.sleep(0.6)  # the single-threaded server notices the closed stream


def test_a_slow_re_ask_says_it_timed_out_while_re_asking(llm_server: LLMServer) -> None:
    llm_server.reply_text("not json").reply_delay(1.2, {"summary": "late", "count": 1})
    with pytest.raises(LLMFailure) as info:
        LLMEngine(llm_server.settings(llm_timeout=0.8)).structured("echo", "en", {"items": "x"}, Answer)
    assert info.value.kind == "timeout"
    assert "re-asking" in info.value.reason("en") and "Invalid JSON" in info.value.reason("en")
    time.sleep(0.6)


def test_tool_call_arguments_are_read_from_message_tool_calls(llm_server: LLMServer) -> None:
    llm_server.reply_json({"summary": "tool", "count": 7})
    engine = LLMEngine(llm_server.settings(llm_method="function_calling"))
    assert engine.structured("echo", "en", {"items": "x"}, Answer).count == 7
    assert engine.calls[0].method == "function_calling" and engine.calls[0].completion_tokens == 1


def test_no_re_ask_is_started_that_cannot_finish_in_time(llm_server: LLMServer) -> None:
    llm_server.reply_delay(0.7, {"summary": "a", "count": "many"})
    start = time.monotonic()
    with pytest.raises(LLMFailure) as info:
        LLMEngine(llm_server.settings(llm_timeout=1.2)).structured("echo", "en", {"items": "x"}, Answer)
    assert time.monotonic() - start < 1.0
    assert len(llm_server.requests) == 1
    assert info.value.kind == "check" and "count" in info.value.reason("en")
