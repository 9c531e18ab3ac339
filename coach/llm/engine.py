"""The LLM engine: any OpenAI-compatible server through the `openai` client.

`structured()` is the one place that turns a prompt + a pydantic schema into a validated object.
It builds the request itself (not langchain's `with_structured_output`) because local servers
differ in what they accept, and the request must carry exactly the fields that work:

- **Method negotiation.** Structured output is asked for with the configured
  `COACH_LLM_METHOD` first. When the server refuses the request naming the method or one of its
  fields (`response_format`, `json_schema`, `tools`, ...: `REFUSAL_FIELDS`), the next method of
  `METHODS` is tried: json_schema → json_object with a schema (llama.cpp's grammar form) →
  function calling (a named tool) → JSON mode (`json_object` + the schema in the system
  message) → the schema in the system message alone. The instructions always go into the ONE
  system message: many chat templates drop a second one. What worked is remembered per server
  and model in `<data dir>/llm_capabilities.json`, and the user is told once which method is
  in use (`notices`).
- **Bounds.** Every request carries `max_tokens` (per flow, `FLOW_OUTPUT_TOKENS`, capped by
  `COACH_LLM_MAX_TOKENS`); a prompt that does not fit `COACH_LLM_CONTEXT` with that reserve is
  not sent (`budget.estimate_tokens` needs no tokenizer). `COACH_LLM_TIMEOUT` is one deadline
  for the whole call, re-asks and streams included; a stream is closed when it passes, so the
  server stops generating. Once the server's speed is known (measured on each answer, kept with
  the method), `max_tokens` is also lowered to what it can write in the time left, so a slow
  server ends its answer before the deadline instead of generating on for nobody; and a re-ask
  that could not finish in time is not started.
- **Re-asks** (the instructor pattern): an answer that fails pydantic or the flow's `validate`
  goes back with the error, at most `COACH_LLM_RETRIES` times. A re-ask sends the original
  prompt, the previous answer and its error only, never the growing history.

Transport failures (timeout, connection, HTTP status) are never re-asked: they raise
`LLMFailure` at once with a kind (see coach.llm.failures) and a message that says what to
check. So do answers that are not in the API's form (kind `malformed`): an HTTP 200 whose body
is not JSON, a stream event that is not JSON, a stream with no events, and a stream that ends
without its final event (a cut-off answer is never taken for a whole one). A non-streamed
request runs on a worker thread under the call's deadline, because the client's timeout bounds
each read and a server that drips a byte a second would never trip it.

The API key never appears in any message or answer: every text that leaves this module passes
through `_redact` (coach.config.redact: the configured key and key-shaped tokens), the model's
output included — an answer that echoes the key is redacted before it is validated, re-asked,
shown or stored; a streamed answer holds back a tail that could be the start of a key split over
chunks (`_Redactor`).
"""

from __future__ import annotations

import contextlib
import json
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import httpx
import openai
from langchain_core.messages import BaseMessage
from pydantic import BaseModel, ValidationError

from coach.config import Settings, is_local_url, redact, secret_values
from coach.llm.budget import (
    CONTEXT_SAFETY,
    cut_to_tokens,
    estimate_tokens,
    messages_tokens,
    split_lines_to_fit,
)
from coach.llm.failures import LLMFailure, check_failed
from coach.llm.prompts import load_prompt
from coach.models import Language

__all__ = ["METHODS", "LLMEngine", "LLMFailure"]

T = TypeVar("T", bound=BaseModel)

_MAX_ERROR_CHARS = 2000

# The structured-output methods, in the order they are tried after the configured one.
METHODS: tuple[str, ...] = ("json_schema", "json_object_schema", "function_calling", "json_mode", "prompt")
_METHOD_NAMES = {
    "json_schema": (
        "JSON schema (response_format json_schema)",
        "JSON スキーマ (response_format json_schema)",
    ),
    "json_object_schema": (
        "JSON object with a schema (llama.cpp's grammar form)",
        "スキーマ付き JSON オブジェクト (llama.cpp の文法制約)",
    ),
    "function_calling": ("function calling (a named tool)", "関数呼び出し (名前指定のツール)"),
    "json_mode": (
        "JSON mode with the schema in the system prompt",
        "JSON モード (スキーマはシステムプロンプト内)",
    ),
    "prompt": ("the schema in the system prompt only", "システムプロンプト内のスキーマのみ"),
}
# Request fields whose name in a 4xx/5xx answer means "this server does not take this form".
REFUSAL_FIELDS = re.compile(
    r"response_format|json_schema|json_object|\btools?\b|tool_choice|\bfunctions?\b|\bstrict\b|stream_options",
    re.IGNORECASE,
)
_TOKEN_FIELD_REFUSAL = re.compile(r"max_tokens|max_completion_tokens", re.IGNORECASE)
_CONTEXT_REFUSAL = re.compile(
    r"context_length_exceeded|context (?:length|window|size)|maximum context|n_ctx|prompt is too long"
    r"|too many tokens|exceeds? the (?:model'?s? )?(?:context|maximum)",
    re.IGNORECASE,
)
_REFUSAL_STATUSES = {400, 404, 405, 415, 422, 500, 501}

# Tokens an answer of each flow may take: a bound, not a target (answers stop when done).
FLOW_OUTPUT_TOKENS: dict[str, int] = {
    "rewrite": 1000,
    "review": 1000,
    "intent": 500,
    "triage": 600,
    "ask": 400,
}
# A prompt token costs this share of the time of an answer token (`rate` below counts both).
# Measured on llama-cpp-python, 2 shared cores: ~125 prompt tokens/s against ~29 answer tokens/s.
PROMPT_TOKEN_SHARE = 0.25
SPEED_MARGIN = 0.85  # plan to finish with this share of the time left
DEFAULT_OUTPUT_TOKENS = 800
CAPABILITIES_FILE = "llm_capabilities.json"


@dataclass
class CallStats:
    """One request: what bench/llm.py prints (tokens/s, latency)."""

    flow: str
    method: str
    seconds: float
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    first_token_seconds: float | None = None
    outcome: str = "ok"


@dataclass
class _Answer:
    text: str
    finish_reason: str | None = None


@dataclass
class _Capabilities:
    """What one server + model accepted, remembered in the data dir."""

    method: str | None = None
    configured: str | None = None
    token_field: str = "max_tokens"
    announced: bool = False
    rate: float | None = None  # answer tokens per second (prompt tokens at PROMPT_TOKEN_SHARE)


class LLMEngine:
    def __init__(self, settings: Settings, client: openai.OpenAI | None = None) -> None:
        self.settings = settings
        self.name = f"llm:{settings.llm_model}"
        self._secret = settings.llm_api_key.get_secret_value() if settings.llm_api_key else ""
        self._own_client = client is None
        self.client = client or self._build_client()
        self.notices: list[tuple[str, str]] = []  # (en, ja), see notice_texts
        self.calls: list[CallStats] = []
        self._capabilities = self._load_capabilities()
        self._last_refusal = ""
        self._token_field_changed = False
        self._rate_changed = False
        self._method_changed = False
        self._last_bound = self.output_tokens("")

    def _build_client(self) -> openai.OpenAI:
        url = self.settings.effective_base_url
        key = self._secret
        if not key:
            if not is_local_url(url):
                raise LLMFailure(
                    f"No API key for {url}. Set OPENAI_API_KEY, or point OPENAI_BASE_URL at a local "
                    "server (Ollama, LM Studio, ...), or use the offline engine.",
                    f"{url} 用の API キーがありません。OPENAI_API_KEY を設定するか、OPENAI_BASE_URL を"
                    "ローカルサーバー (Ollama, LM Studio など) に向けるか、"
                    "オフラインエンジンを使ってください。",
                    reason_en="no API key",
                    reason_ja="API キー未設定",
                    kind="auth",
                )
            key = "not-needed"  # local servers accept any key, the client insists on one
        return openai.OpenAI(base_url=url, api_key=key, timeout=self.settings.llm_timeout, max_retries=0)

    def notice_texts(self, language: Language) -> list[str]:
        """What the user is told once about this server (e.g. which method is in use)."""
        return [ja if language == "ja" else en for en, ja in self.notices]

    # ------------------------------------------------------------------ budget

    def output_tokens(self, flow: str) -> int:
        """The `max_tokens` of a call of `flow`: its own bound, the user's cap, half the context."""
        bound = FLOW_OUTPUT_TOKENS.get(flow, DEFAULT_OUTPUT_TOKENS)
        if self.settings.llm_max_tokens:
            bound = min(bound, self.settings.llm_max_tokens)
        return max(16, min(bound, self.settings.llm_context // 2))

    def _bound(self, flow: str, messages: list[dict[str, str]], remaining: float) -> int:
        """`max_tokens` for one request: the flow's bound, lowered so that the answer can finish in
        the time left at the speed this server showed (so it never generates past the deadline)."""
        bound = self.output_tokens(flow)
        rate = self._capabilities.rate
        if rate:
            prompt = messages_tokens(m["content"] for m in messages) * PROMPT_TOKEN_SHARE
            bound = min(bound, max(32, int(rate * remaining * SPEED_MARGIN - prompt)))
        self._last_bound = bound
        return bound

    def _measured(
        self, prompt: int | None, completion: int | None, seconds: float, streamed_after: float | None = None
    ) -> None:
        """Update the server's speed from one finished request (a running mean of two)."""
        if not completion or seconds <= 0:
            return
        if streamed_after is not None and completion > 1 and seconds > streamed_after:
            rate = (completion - 1) / (seconds - streamed_after)
        else:
            rate = ((prompt or 0) * PROMPT_TOKEN_SHARE + completion) / seconds
        old = self._capabilities.rate
        self._capabilities.rate = rate if old is None else (old + rate) / 2
        self._rate_changed = True

    def _slower_than(self, tokens: int, messages: list[dict[str, str]], seconds: float) -> None:
        """A request that timed out: the server writes fewer than this many tokens per second."""
        prompt = messages_tokens(m["content"] for m in messages) * PROMPT_TOKEN_SHARE
        ceiling = (prompt + tokens) / max(seconds, 0.1)
        old = self._capabilities.rate
        self._capabilities.rate = ceiling if old is None else min(old, ceiling)
        self._rate_changed = True

    def prompt_tokens(
        self, flow: str, language: Language, variables: dict[str, str], schema: type[BaseModel] | None = None
    ) -> int:
        """The estimated prompt cost of a call, schema instructions included."""
        messages = self._messages(flow, language, variables)
        extra = estimate_tokens(_schema_text(schema)) if schema is not None else 0
        return messages_tokens(m["content"] for m in messages) + extra

    def prompt_room(
        self, flow: str, language: Language, variables: dict[str, str], schema: type[BaseModel] | None = None
    ) -> int:
        """Tokens left for more material in a prompt built from `variables` (may be negative)."""
        used = self.prompt_tokens(flow, language, variables, schema)
        return self._usable_context - self.output_tokens(flow) - used

    @property
    def _usable_context(self) -> int:
        return int(self.settings.llm_context * CONTEXT_SAFETY)

    def split_to_fit(
        self,
        flow: str,
        language: Language,
        variables: dict[str, str],
        field: str,
        schema: type[BaseModel] | None = None,
        carry: re.Pattern[str] | None = None,
    ) -> list[dict[str, str]]:
        """`[variables]` when the call fits the context; otherwise one copy per piece of
        `variables[field]`, cut at line ends so each call fits and each piece is at most the
        answer's bound (an answer that restates its material needs as many tokens as it)."""
        room = self.prompt_room(flow, language, {**variables, field: ""}, schema)
        if estimate_tokens(variables[field]) <= room:
            return [variables]
        piece = min(room, self.output_tokens(flow))
        if piece < 64:
            used = self.prompt_tokens(flow, language, variables, schema)
            raise _context_failure(used, self.settings.llm_context, self.output_tokens(flow))
        return [{**variables, field: text} for text in split_lines_to_fit(variables[field], piece, carry)]

    def rendered(self, flow: str, language: Language, variables: dict[str, str]) -> list[dict[str, str]]:
        """The chat messages of a call, as sent (for checks that an answer does not echo them)."""
        return self._messages(flow, language, variables)

    def _check_fits(self, flow: str, messages: list[dict[str, str]], schema_text: str) -> None:
        used = messages_tokens(m["content"] for m in messages) + estimate_tokens(schema_text)
        limit = self._usable_context - self.output_tokens(flow)
        if used > limit:
            raise _context_failure(used, self.settings.llm_context, self.output_tokens(flow))

    # ------------------------------------------------------------------ structured output

    def structured(
        self,
        flow: str,
        language: Language,
        variables: dict[str, str],
        schema: type[T],
        validate: Callable[[T], T] | None = None,
    ) -> T:
        try:
            return self._structured(flow, language, variables, schema, validate)
        finally:
            self._flush()

    def _structured(
        self,
        flow: str,
        language: Language,
        variables: dict[str, str],
        schema: type[T],
        validate: Callable[[T], T] | None,
    ) -> T:
        deadline = time.monotonic() + self.settings.llm_timeout
        base = self._messages(flow, language, variables)
        schema_body = _json_schema(schema)
        schema_text = _schema_text(schema)
        self._check_fits(flow, base, schema_text)
        attempts = 1 + max(0, self.settings.llm_retries)
        raw_text = ""
        error = ""
        messages = base
        for attempt in range(1, attempts + 1):
            started = time.monotonic()
            try:
                answer = self._negotiated(flow, language, messages, schema_body, schema_text, deadline)
            except LLMFailure as failure:
                if attempt > 1 and failure.kind == "timeout":
                    raise _while_re_asking(failure, error, attempt - 1) from None
                raise
            raw_text = answer.text
            try:
                value = schema.model_validate_json(raw_text)
                if validate is not None:
                    value = validate(value)
                return value
            except (ValidationError, ValueError) as exc:
                error = self._redact(str(exc))[:_MAX_ERROR_CHARS]
            if answer.finish_reason == "length":
                raise _cut_failure(self._last_bound, attempt, self._redact(raw_text))
            if attempt < attempts:
                if deadline - time.monotonic() < (time.monotonic() - started) * SPEED_MARGIN:
                    # a re-ask like the last attempt would not finish before the deadline: say
                    # which check failed now, rather than time out and leave the server busy
                    attempts = attempt
                    break
                messages = self._re_ask(flow, language, base, raw_text, error, schema_text)
        summary = _first_line(error) or "empty answer"
        raise check_failed(
            f"still invalid after {attempts} attempt(s): {summary}",
            f"{attempts} 回試行して不合格: {summary}",
            attempts=attempts,
            last_output=self._redact(raw_text),
        )

    def _re_ask(
        self,
        flow: str,
        language: Language,
        base: list[dict[str, str]],
        previous: str,
        error: str,
        schema_text: str,
    ) -> list[dict[str, str]]:
        """The original prompt + the previous answer + its error: the size never grows."""
        retry = _to_dicts(load_prompt("retry", language).format_messages(error=error))
        fixed = messages_tokens(m["content"] for m in [*base, *retry]) + estimate_tokens(schema_text)
        room = self._usable_context - self.output_tokens(flow) - fixed
        shown = cut_to_tokens(previous, room) if room > 0 else ""
        return [*base, {"role": "assistant", "content": shown or "(empty answer)"}, *retry]

    def _negotiated(
        self,
        flow: str,
        language: Language,
        messages: list[dict[str, str]],
        schema_body: dict[str, Any],
        schema_text: str,
        deadline: float,
    ) -> _Answer:
        """One structured request, going down the methods while the server refuses them."""
        for method in self._method_order():
            try:
                answer = self._with_token_field_retry(
                    partial(
                        self._request, flow, language, method, messages, schema_body, schema_text, deadline
                    )
                )
            except _Refused as refused:
                self._last_refusal = refused.detail
                continue
            self._remember(method)
            return answer
        detail = self._last_refusal
        raise LLMFailure(
            f"The LLM at {self.settings.effective_base_url} refused every structured-output method "
            f"({', '.join(METHODS)}); last answer: {detail}. Try another server or model, or the offline engine.",
            f"{self.settings.effective_base_url} の LLM が構造化出力のどの方式も受け付けませんでした"
            f"(最後の応答: {detail})。別のサーバーかモデルを試すか、オフラインエンジンを使ってください。",
            reason_en=f"the server refused the request: {detail}",
            reason_ja=f"サーバーがリクエストを拒否: {detail}",
            kind="refused",
        )

    def _with_token_field_retry(self, attempt: Callable[[], Any]) -> Any:
        """`attempt()`; refused for its token field, once more with the other field name.

        `max_tokens` is what local servers read; OpenAI's newer models want `max_completion_tokens`."""
        try:
            return attempt()
        except _Refused as refused:
            if not refused.token_field:
                raise
        caps = self._capabilities
        caps.token_field = "max_completion_tokens" if caps.token_field == "max_tokens" else "max_tokens"
        self._token_field_changed = True
        return attempt()

    def _refused(self, detail: str) -> LLMFailure:
        return LLMFailure(
            f"The LLM at {self.settings.effective_base_url} refused the request: {detail}. "
            "Try another server or model, or the offline engine.",
            f"{self.settings.effective_base_url} の LLM がリクエストを拒否しました: {detail}。"
            "別のサーバーかモデルを試すか、オフラインエンジンを使ってください。",
            reason_en=f"the server refused the request: {detail}",
            reason_ja=f"サーバーがリクエストを拒否: {detail}",
            kind="refused",
        )

    def _open_stream(self, flow: str, messages: list[dict[str, str]], deadline: float) -> Any:
        try:
            return self._with_token_field_retry(
                lambda: self._call(
                    lambda: self.client.chat.completions.create(
                        **self._common(flow, messages, deadline), stream=True
                    ),
                    deadline,
                )
            )
        except _Refused as refused:
            raise self._refused(refused.detail) from None

    def _method_order(self) -> list[str]:
        caps = self._capabilities
        configured = self.settings.llm_method
        first = caps.method if caps.method and caps.configured == configured else configured
        return [first, *(m for m in METHODS if m != first)]

    def _request(
        self,
        flow: str,
        language: Language,
        method: str,
        messages: list[dict[str, str]],
        schema_body: dict[str, Any],
        schema_text: str,
        deadline: float,
    ) -> _Answer:
        name = str(schema_body.get("title") or "output")
        body: dict[str, Any] = {}
        sent = messages
        if method == "json_schema":
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": name, "schema": schema_body},
            }
        elif method == "json_object_schema":
            body["response_format"] = {"type": "json_object", "schema": schema_body}
        elif method == "function_calling":
            tool = {
                "name": name,
                "description": str(schema_body.get("description", name)),
                "parameters": schema_body,
            }
            body["tools"] = [{"type": "function", "function": tool}]
            body["tool_choice"] = {"type": "function", "function": {"name": name}}
        else:
            sent = _with_schema_instructions(messages, language, schema_text)
            if method == "json_mode":
                body["response_format"] = {"type": "json_object"}
        started = time.monotonic()
        stats = CallStats(flow, method, 0.0)
        self.calls.append(stats)
        try:
            response = self._call(
                partial(
                    self._by_deadline,
                    lambda: self.client.chat.completions.create(
                        **self._common(flow, sent, deadline), extra_body=body or None
                    ),
                    deadline,
                ),
                deadline,
            )
        except _Refused:
            stats.outcome = "refused"
            raise
        except LLMFailure as failure:
            stats.outcome = failure.kind
            if failure.kind == "timeout":
                self._slower_than(self._last_bound, sent, time.monotonic() - started)
            raise
        finally:
            stats.seconds = time.monotonic() - started
        if not hasattr(response, "choices"):
            # the client hands back the raw body when the server's content type is not JSON
            stats.outcome = "malformed"
            raise self._malformed("an HTTP 200 whose body is not JSON", str(response))
        usage = getattr(response, "usage", None)
        if usage is not None:
            stats.prompt_tokens = getattr(usage, "prompt_tokens", None)
            stats.completion_tokens = getattr(usage, "completion_tokens", None)
            self._measured(stats.prompt_tokens, stats.completion_tokens, stats.seconds)
        choice = response.choices[0] if response.choices else None
        if choice is None:
            return _Answer("")
        return _Answer(self._redact(_raw_payload(choice.message)), choice.finish_reason)

    def _by_deadline(self, call: Callable[[], Any], deadline: float) -> Any:
        """Run `call` on a worker thread and give up at `deadline`.

        The client's timeout bounds each read, not the whole answer: a server that drips a byte a
        second never trips it. Past the deadline the connection pool is closed (the server sees
        the client leave) and a fresh client serves the next call."""
        outcome: dict[str, Any] = {}

        def work() -> None:
            try:
                outcome["value"] = call()
            except BaseException as exc:  # handed to the caller, who classifies it
                outcome["error"] = exc

        worker = threading.Thread(target=work, daemon=True, name="coach-llm-call")
        worker.start()
        worker.join(max(deadline - time.monotonic(), 0.0) + 0.05)
        if worker.is_alive():
            if self._own_client:
                with contextlib.suppress(Exception):  # best effort: the worker is a daemon
                    self.client.close()
                self.client = self._build_client()
            raise self._timeout()
        if "error" in outcome:
            raise outcome["error"]
        return outcome.get("value")

    def _malformed(self, what_en: str, body: str = "", what_ja: str = "") -> LLMFailure:
        """A server that answered, but not in the API's form (an HTML page, a broken event)."""
        seen = self._redact(" ".join(body.split()))[:80]
        said = f": {seen}" if seen else ""
        what_ja = what_ja or what_en
        return LLMFailure(
            f"The LLM at {self.settings.effective_base_url} sent {what_en}{said}. Check that OPENAI_BASE_URL "
            "points at the model server itself (not a proxy or web page) and that it is healthy, then retry, "
            "or use the offline engine.",
            f"{self.settings.effective_base_url} の LLM が不正な応答を返しました({what_ja}{said})。"
            "OPENAI_BASE_URL がプロキシや Web ページではなくモデルサーバー自体を指し、サーバーが正常か確認して"
            "再実行するか、オフラインエンジンを使ってください。",
            reason_en=f"{what_en}{said}",
            reason_ja=f"{what_ja}{said}",
            kind="malformed",
        )

    def _common(self, flow: str, messages: list[dict[str, str]], deadline: float) -> dict[str, Any]:
        """What every request carries: model, messages, temperature 0, the token bound, the time left."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise self._timeout()
        common: dict[str, Any] = {
            "model": self.settings.llm_model,
            "messages": messages,
            "temperature": 0,
            "timeout": remaining,
        }
        common[self._capabilities.token_field] = self._bound(flow, messages, remaining)
        return common

    # ------------------------------------------------------------------ streaming text

    def stream(self, flow: str, language: Language, variables: dict[str, str]) -> Iterator[str]:
        """The answer's text as it arrives; the whole stream ends by the call's deadline."""
        deadline = time.monotonic() + self.settings.llm_timeout
        messages = self._messages(flow, language, variables)
        self._check_fits(flow, messages, "")
        stats = CallStats(flow, "stream", 0.0, completion_tokens=0)
        self.calls.append(stats)
        started = time.monotonic()
        stream = self._open_stream(flow, messages, deadline)
        chunks: queue.Queue[tuple[str, Any]] = queue.Queue()
        stop = threading.Event()

        def pump() -> None:
            """Read the stream on a worker thread, so a stalled read cannot hold the caller past
            the deadline; the worker closes the stream (the server then stops generating)."""
            try:
                for chunk in stream:
                    chunks.put(("chunk", chunk))
                    if stop.is_set():
                        break
                chunks.put(("end", None))
            except Exception as exc:  # handed to the caller, who classifies it
                chunks.put(("error", exc))
            finally:
                stream.close()

        threading.Thread(target=pump, daemon=True, name="coach-llm-stream").start()
        text_seen = False
        events = 0
        finish: str | None = None
        shown = _Redactor(self._redact, max((len(s) for s in secret_values(self.settings)), default=0))
        try:
            while True:
                remaining = deadline - time.monotonic()
                try:
                    kind, item = chunks.get(timeout=max(remaining, 0.0)) if remaining > 0 else ("late", None)
                except queue.Empty:
                    kind, item = "late", None
                if kind == "late":
                    stats.outcome = "timeout"
                    # close now, not after the worker's next chunk: a stalled server sees us leave
                    with contextlib.suppress(Exception):
                        stream.close()
                    raise self._timeout()
                if kind == "error":
                    failed: BaseException = (
                        item if isinstance(item, BaseException) else RuntimeError(str(item))
                    )
                    stats.outcome = "error"
                    if not isinstance(failed, openai.OpenAIError):
                        raise self._broken_stream(failed, deadline) from None
                    try:
                        self._call(partial(_raise, failed), deadline)
                    except _Refused as refused:
                        raise self._refused(refused.detail) from None
                if kind == "end":
                    break
                events += 1
                choice = item.choices[0] if item is not None and item.choices else None
                if choice is None:
                    continue
                finish = choice.finish_reason or finish
                text = choice.delta.content if choice.delta else None
                if text:
                    if stats.first_token_seconds is None:
                        stats.first_token_seconds = time.monotonic() - started
                    stats.completion_tokens = (stats.completion_tokens or 0) + 1
                    text_seen = True
                    safe = shown.feed(text)
                    if safe:
                        yield safe
            if not events:
                stats.outcome = "malformed"
                raise self._malformed(
                    "an answer stream with no events (not a server-sent event stream)",
                    "",
                    "イベントのない回答ストリーム(SSE ではない)",
                )
            if text_seen and finish is None:
                # the body ended without the final event: the answer is not known to be whole
                stats.outcome = "cut"
                raise _stream_broke_off("ended before its final event")
            rest = shown.flush()
            if rest:
                yield rest
        finally:
            stop.set()
            stats.seconds = time.monotonic() - started
            self._measured(None, stats.completion_tokens, stats.seconds, stats.first_token_seconds)
            self._flush()
        if not text_seen:
            stats.outcome = "empty"
            raise LLMFailure(
                "The LLM sent an empty answer. If the server's context is smaller than "
                f"COACH_LLM_CONTEXT={self.settings.llm_context}, lower COACH_LLM_CONTEXT.",
                "LLM の回答が空でした。サーバーのコンテキスト長が "
                f"COACH_LLM_CONTEXT={self.settings.llm_context} より小さい場合は値を下げてください。",
                reason_en="the server sent an empty answer (context too small?)",
                reason_ja="サーバーの回答が空(コンテキスト不足の可能性)",
                kind="context",
            )
        if finish == "length":
            stats.outcome = "cut"
            raise _cut_failure(self._last_bound, 1, None)

    # ------------------------------------------------------------------ helpers

    def _messages(self, flow: str, language: Language, variables: dict[str, str]) -> list[dict[str, str]]:
        return _to_dicts(load_prompt(flow, language).format_messages(**variables))

    def _broken_stream(self, exc: BaseException, deadline: float) -> LLMFailure:
        """A stream that broke off mid-answer (the transport's own error, not the API's)."""
        if isinstance(exc, httpx.TimeoutException) or time.monotonic() >= deadline:
            return self._timeout()
        if isinstance(exc, ValueError):
            return self._malformed("a stream event that is not JSON", "", "JSON ではないストリームイベント")
        return _stream_broke_off(type(exc).__name__)

    def _timeout(self) -> LLMFailure:
        url = self.settings.effective_base_url
        seconds = self.settings.llm_timeout
        return LLMFailure(
            f"The LLM at {url} did not finish within {seconds:g} s (COACH_LLM_TIMEOUT, one deadline for the "
            "whole call). Check that the server is not overloaded, raise COACH_LLM_TIMEOUT, lower "
            "COACH_LLM_MAX_TOKENS, or use the offline engine.",
            f"{url} の LLM が {seconds:g} 秒 (COACH_LLM_TIMEOUT、呼び出し全体の期限) 以内に回答を"
            "終えませんでした。サーバーが過負荷でないか確認するか、COACH_LLM_TIMEOUT を増やすか、"
            "COACH_LLM_MAX_TOKENS を減らすか、オフラインエンジンを使ってください。",
            reason_en=f"timed out after {seconds:g} s",
            reason_ja=f"{seconds:g} 秒でタイムアウト",
            kind="timeout",
        )

    def _call(self, call: Callable[[], Any], deadline: float) -> Any:
        """Run one request; turn every transport failure into an LLMFailure saying what to check."""
        url = self.settings.effective_base_url
        model = self.settings.llm_model
        try:
            return call()
        except openai.APITimeoutError:
            raise self._timeout() from None
        except openai.APIConnectionError:
            if time.monotonic() >= deadline:
                raise self._timeout() from None
            raise LLMFailure(
                f"Could not connect to the LLM at {url}. "
                "Check OPENAI_BASE_URL and that the server is running.",
                f"{url} の LLM に接続できませんでした。"
                "OPENAI_BASE_URL とサーバーが起動しているかを確認してください。",
                reason_en="could not connect",
                reason_ja="接続できなかった",
                kind="unreachable",
            ) from None
        except openai.APIStatusError as exc:
            detail = self._redact(_error_text(exc))[:300]
            if _CONTEXT_REFUSAL.search(detail):
                raise _server_context_failure(detail) from None
            if exc.status_code in _REFUSAL_STATUSES:
                if _TOKEN_FIELD_REFUSAL.search(detail):
                    raise _Refused(detail, token_field=True) from None
                if REFUSAL_FIELDS.search(detail):
                    raise _Refused(detail) from None
            raise self._status_error(exc.status_code, url, model, detail) from None
        except ValueError as exc:
            # the client parses a body labelled JSON itself: an HTML page with that label lands here
            raise self._malformed(
                "an HTTP 200 whose body is not JSON", "", "HTTP 200 だが本文が JSON ではない"
            ) from exc
        except openai.OpenAIError as exc:
            detail = self._redact(str(exc))[:300]
            raise LLMFailure(
                f"The LLM call failed ({type(exc).__name__}: {detail}). Check OPENAI_BASE_URL, "
                "OPENAI_API_KEY and COACH_LLM_MODEL.",
                f"LLM の呼び出しに失敗しました({type(exc).__name__}: {detail})。OPENAI_BASE_URL、"
                "OPENAI_API_KEY、COACH_LLM_MODEL を確認してください。",
                reason_en=type(exc).__name__,
                reason_ja=type(exc).__name__,
            ) from None

    def _status_error(self, status: int, url: str, model: str, detail: str) -> LLMFailure:
        kind: Any = "http"
        if status in (401, 403):
            hint_en, hint_ja = "Check OPENAI_API_KEY.", "OPENAI_API_KEY を確認してください。"
            kind = "auth"
        elif status == 404:
            hint_en = (
                f"Check the model name (COACH_LLM_MODEL={model}) "
                "and OPENAI_BASE_URL (it usually ends in /v1)."
            )
            hint_ja = (
                f"モデル名 (COACH_LLM_MODEL={model}) と "
                "OPENAI_BASE_URL (通常 /v1 で終わる) を確認してください。"
            )
        elif status == 429:
            hint_en = "The server is rate-limiting: wait a moment and retry."
            hint_ja = "レート制限中です。少し待ってから再実行してください。"
        else:
            hint_en = "Check that the server is running and the model is loaded, then retry."
            hint_ja = "サーバーが起動しモデルが読み込まれているか確認して、再実行してください。"
        said = f" ({detail[:120]})" if detail else ""
        return LLMFailure(
            f"The LLM at {url} answered HTTP {status}{said}. {hint_en} Or use the offline engine.",
            f"{url} の LLM が HTTP {status} を返しました{said}。"
            f"{hint_ja} またはオフラインエンジンを使ってください。",
            reason_en=f"HTTP {status}",
            reason_ja=f"HTTP {status}",
            kind=kind,
        )

    def _redact(self, text: str) -> str:
        """`text` without the configured key or anything shaped like a key (coach.config.redact)."""
        return redact(text, secret_values(self.settings))

    # ------------------------------------------------------------------ remembered capabilities

    @property
    def _capabilities_path(self) -> Path:
        return self.settings.data_dir / CAPABILITIES_FILE

    @property
    def _server_key(self) -> str:
        return f"{self.settings.effective_base_url.rstrip('/')} {self.settings.llm_model}"

    def _load_capabilities(self) -> _Capabilities:
        try:
            stored = json.loads(self._capabilities_path.read_text(encoding="utf-8")).get(self._server_key, {})
        except (OSError, ValueError, AttributeError):
            return _Capabilities()
        if not isinstance(stored, dict):
            return _Capabilities()
        return _Capabilities(
            method=stored.get("method") if stored.get("method") in METHODS else None,
            configured=stored.get("configured"),
            token_field="max_completion_tokens"
            if stored.get("token_field") == "max_completion_tokens"
            else "max_tokens",
            announced=bool(stored.get("announced")),
            rate=float(stored["rate"])
            if isinstance(stored.get("rate"), int | float) and stored["rate"] > 0
            else None,
        )

    def _remember(self, method: str) -> None:
        """Note the method that worked; tell the user once when it is not the configured one."""
        caps = self._capabilities
        configured = self.settings.llm_method
        known = caps.method == method and caps.configured == configured
        if method != configured and not (known and caps.announced):
            en, ja = _METHOD_NAMES[method]
            asked_en, asked_ja = _METHOD_NAMES.get(configured, (configured, configured))
            self.notices.append(
                (
                    f"{self.settings.llm_model} at {self.settings.effective_base_url} does not accept "
                    f"{asked_en}, so {en} is used (and used directly from now on).",
                    f"{self.settings.effective_base_url} の {self.settings.llm_model} は {asked_ja} を"
                    f"受け付けないため、{ja} を使います(次回からはこの方式を直接使います)。",
                )
            )
            caps.announced = True
            self._method_changed = True
        if not known:
            caps.method, caps.configured = method, configured
            self._method_changed = True

    def _flush(self) -> None:
        """Write what was learnt about the server (method, token field, speed), if anything."""
        if self._method_changed or self._token_field_changed or self._rate_changed:
            self._save_capabilities()
            self._method_changed = self._token_field_changed = self._rate_changed = False

    def _save_capabilities(self) -> None:
        caps = self._capabilities
        path = self._capabilities_path
        try:
            stored = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
            if not isinstance(stored, dict):
                stored = {}
        except (OSError, ValueError):
            stored = {}
        stored[self._server_key] = {
            "method": caps.method,
            "configured": caps.configured,
            "token_field": caps.token_field,
            "announced": caps.announced,
            "rate": round(caps.rate, 3) if caps.rate else None,
        }
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(".tmp")
            temporary.write_text(json.dumps(stored, indent=2, ensure_ascii=False), encoding="utf-8")
            temporary.replace(path)
        except OSError:
            pass  # remembering is an optimisation: the next call negotiates again


class _Refused(Exception):
    """The server refused the request's form (a method or a field), not its content."""

    def __init__(self, detail: str, token_field: bool = False) -> None:
        super().__init__(detail)
        self.detail = detail
        self.token_field = token_field


def _raise(exc: BaseException) -> Any:
    raise exc


def _stream_broke_off(how: str) -> LLMFailure:
    return LLMFailure(
        f"The LLM's answer stream broke off mid-answer ({how}), so the answer is not used. Check that the "
        "server is still running, then retry.",
        f"LLM の回答ストリームが途中で切れたため、回答は使いません({how})。サーバーが動いているか確認して"
        "再実行してください。",
        reason_en=f"the answer stream broke off mid-answer ({how})",
        reason_ja=f"回答ストリームが途中で切断された ({how})",
        kind="malformed",
    )


# The start of something key-shaped that may still be growing at the end of a streamed buffer
# (the prefixes of coach.config.SECRET_SHAPES): held back until it is complete and redacted.
_KEY_TAIL = re.compile(
    r"(?:\bsk-|\bBearer\s*|\bgh[pousr]_|\bhf_|\bAKIA)[A-Za-z0-9._\-]*$"
    r"|(?:\bsk?|\bB[a-z]{0,5}|\bgh?|\bhf?|\bA[A-Z]{0,3})$"
)


class _Redactor:
    """Streamed text with secrets redacted although a key may arrive split over several chunks:
    the tail that could still be the start of a secret is held back until more text (or the end)
    shows what it is. What was emitted is never revised, so the caller can print it at once."""

    def __init__(self, redact_text: Callable[[str], str], hold: int) -> None:
        self._redact = redact_text
        self._hold = hold
        self._raw = ""
        self._emitted = 0

    def feed(self, text: str) -> str:
        self._raw += text
        clean = self._redact(self._raw)
        cut = len(clean) - self._hold
        tail = _KEY_TAIL.search(clean)
        if tail is not None:
            cut = min(cut, tail.start())
        if cut <= self._emitted:
            return ""
        out, self._emitted = clean[self._emitted : cut], cut
        return out

    def flush(self) -> str:
        clean = self._redact(self._raw)
        out, self._emitted = clean[self._emitted :], len(clean)
        return out


def _to_dicts(messages: list[BaseMessage]) -> list[dict[str, str]]:
    roles = {"system": "system", "human": "user", "ai": "assistant"}
    return [{"role": roles.get(m.type, "user"), "content": _content_text(m.content)} for m in messages]


def _with_schema_instructions(
    messages: list[dict[str, str]], language: Language, schema_text: str
) -> list[dict[str, str]]:
    """The schema instructions appended to the ONE system message (never a second one)."""
    instructions = "\n\n".join(
        _content_text(m.content)
        for m in load_prompt("json_mode", language).format_messages(schema=schema_text)
    )
    out = [dict(m) for m in messages]
    for message in out:
        if message["role"] == "system":
            message["content"] = f"{message['content']}\n\n{instructions}"
            return out
    return [{"role": "system", "content": instructions}, *out]


def _error_text(exc: openai.APIStatusError) -> str:
    body = exc.body
    parts = [str(exc.message or "")]
    if body is not None:
        parts.append(json.dumps(body, ensure_ascii=False) if not isinstance(body, str) else body)
    return " ".join(parts)


_PYDANTIC_NOISE = re.compile(r"\s*\[type=[^\]]*\]|^For further information.*$", re.MULTILINE)


def _first_line(text: str) -> str:
    """The gist of a check's error: pydantic's field and problem, without its links and types."""
    lines = [line.strip() for line in _PYDANTIC_NOISE.sub("", text).splitlines() if line.strip()]
    return " / ".join(lines[:3])[:240] if lines else ""


def _context_failure(used: int, context: int, reserve: int) -> LLMFailure:
    return LLMFailure(
        f"The prompt (about {used} tokens) and its answer ({reserve}) do not fit the model's context "
        f"(COACH_LLM_CONTEXT={context}). Shorten the input, or raise COACH_LLM_CONTEXT if the model allows.",
        f"プロンプト(約 {used} トークン)と回答({reserve})がモデルのコンテキスト "
        f"(COACH_LLM_CONTEXT={context}) に収まりません。入力を短くするか、モデルが許すなら "
        "COACH_LLM_CONTEXT を増やしてください。",
        reason_en=f"the prompt is too long for the context ({used}+{reserve} > {context} tokens)",
        reason_ja=f"プロンプトがコンテキストに収まらない({used}+{reserve} > {context} トークン)",
        kind="context",
    )


def _server_context_failure(detail: str) -> LLMFailure:
    return LLMFailure(
        f"The server says the prompt exceeds the model's context: {detail}. Lower COACH_LLM_CONTEXT to the "
        "server's context size, or start the server with a larger one.",
        f"サーバーによるとプロンプトがモデルのコンテキストを超えています: {detail}。COACH_LLM_CONTEXT を"
        "サーバーのコンテキスト長に合わせて下げるか、より大きなコンテキストでサーバーを起動してください。",
        reason_en=f"context too long: {detail[:160]}",
        reason_ja=f"コンテキスト超過: {detail[:160]}",
        kind="context",
    )


def _cut_failure(tokens: int, attempts: int, last_output: str | None) -> LLMFailure:
    return LLMFailure(
        f"The model's answer was cut off at its bound of {tokens} tokens. Raise COACH_LLM_MAX_TOKENS, "
        "shorten the input, or use the offline engine.",
        f"モデルの回答が上限の {tokens} トークンで途切れました。COACH_LLM_MAX_TOKENS を増やすか、"
        "入力を短くするか、オフラインエンジンを使ってください。",
        reason_en=f"the answer was cut off at {tokens} tokens",
        reason_ja=f"回答が {tokens} トークンで途切れた",
        kind="cut",
        attempts=attempts,
        last_output=last_output,
    )


def _while_re_asking(failure: LLMFailure, error: str, asked: int) -> LLMFailure:
    summary = _first_line(error)[:160]
    return LLMFailure(
        f"{failure.en} (while re-asking after a failed check: {summary})",
        f"{failure.ja}(チェック不合格後の再質問中: {summary})",
        reason_en=f"{failure.reason_en} while re-asking after: {summary}",
        reason_ja=f"{failure.reason_ja}(再質問中。直前の不合格: {summary})",
        kind="timeout",
        attempts=asked,
    )


def _json_schema(schema: type[BaseModel]) -> dict[str, Any]:
    """A plain JSON schema with a title and description (the tool's or format's name)."""
    body = schema.model_json_schema()
    body.setdefault("title", schema.__name__)
    body.setdefault("description", (schema.__doc__ or schema.__name__).strip().splitlines()[0])
    return body


def _schema_text(schema: type[BaseModel] | None) -> str:
    return json.dumps(schema.model_json_schema(), ensure_ascii=False) if schema is not None else ""


def _raw_payload(message: Any) -> str:
    """The JSON text of an answer: the first tool call's arguments, else the content."""
    calls = getattr(message, "tool_calls", None) or []
    if calls:
        function = getattr(calls[0], "function", None)
        return str(getattr(function, "arguments", "") or "")
    return _strip_fences(_content_text(getattr(message, "content", None) or ""))


def _content_text(content: str | list[Any]) -> str:
    """A message's text, whether the server sent a string or a list of content parts."""
    if isinstance(content, str):
        return content
    return "".join(
        part if isinstance(part, str) else str(part.get("text", "")) for part in content if part is not None
    )


def _strip_fences(text: str) -> str:
    """Local models often wrap JSON in ```json fences despite being told not to."""
    stripped = text.strip()
    if stripped.startswith("```"):
        stripped = stripped.split("\n", 1)[1] if "\n" in stripped else ""
        if stripped.rstrip().endswith("```"):
            stripped = stripped.rstrip()[:-3]
    return stripped.strip()
