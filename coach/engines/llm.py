"""The LLM engine: any OpenAI-compatible server through langchain-openai.

`structured()` is the one place that turns a prompt + a pydantic schema into a validated object.
langchain's `with_structured_output` parses but never re-asks, so the loop here does (the
instructor pattern): the model's raw answer and the validation error go back into the
conversation, at most `settings.llm_retries` times, then `LLMError` carries the attempts.
We parse the raw message ourselves because local servers differ in how they fill
`parsed`/tool calls, and so every method (json_schema, function_calling, json_mode) meets the
same pydantic + `validate` checks.

Transport failures (timeout, connection, HTTP status) are never re-asked: they raise
`LLMFailure` at once with a message that says what to check. The API key never appears in any
message: every text that leaves this module passes through `_redact`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any, TypeVar

import openai
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from pydantic import BaseModel, ValidationError

from coach.config import Settings, is_local_url
from coach.errors import LLMError
from coach.models import Language
from coach.prompts import load_prompt

T = TypeVar("T", bound=BaseModel)

_MAX_ERROR_CHARS = 2000


class LLMFailure(LLMError):
    """An LLMError with a short reason for the fallback notice (e.g. "timeout" / "タイムアウト")."""

    def __init__(
        self,
        en: str,
        ja: str,
        *,
        reason_en: str,
        reason_ja: str,
        attempts: int = 0,
        last_output: str | None = None,
    ) -> None:
        super().__init__(en, ja, attempts=attempts, last_output=last_output)
        self.reason_en = reason_en
        self.reason_ja = reason_ja

    def reason(self, language: Language) -> str:
        return self.reason_ja if language == "ja" else self.reason_en


class LLMEngine:
    def __init__(self, settings: Settings, chat_model: BaseChatModel | None = None) -> None:
        self.settings = settings
        self.name = f"llm:{settings.llm_model}"
        self._secret = settings.llm_api_key.get_secret_value() if settings.llm_api_key else ""
        self.chat_model = chat_model or self._build_chat_model()

    def _build_chat_model(self) -> BaseChatModel:
        from langchain_openai import ChatOpenAI

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
                )
            key = "not-needed"  # local servers accept any key, the client insists on one
        return ChatOpenAI(
            base_url=url,
            api_key=key,  # type: ignore[arg-type]
            model=self.settings.llm_model,
            timeout=self.settings.llm_timeout,
            max_retries=0,
            temperature=0,
        )

    # ------------------------------------------------------------------ structured output

    def structured(
        self,
        flow: str,
        language: Language,
        variables: dict[str, str],
        schema: type[T],
        validate: Callable[[T], T] | None = None,
    ) -> T:
        messages = self._messages(flow, language, variables)
        method = self.settings.llm_method
        if method == "json_mode":
            schema_text = json.dumps(schema.model_json_schema(), ensure_ascii=False)
            messages += load_prompt("json_mode", language).format_messages(schema=schema_text)
        runnable = self.chat_model.with_structured_output(
            _json_schema(schema), method=method, include_raw=True
        )
        attempts = 1 + max(0, self.settings.llm_retries)
        raw_text = ""
        error = ""
        for attempt in range(1, attempts + 1):
            output = self._call(partial(runnable.invoke, messages))
            raw = output.get("raw") if isinstance(output, dict) else None
            raw_text = _raw_payload(raw)
            try:
                value = schema.model_validate_json(raw_text)
                if validate is not None:
                    value = validate(value)
                return value
            except (ValidationError, ValueError) as exc:
                error = self._redact(str(exc))[:_MAX_ERROR_CHARS]
            if attempt < attempts:
                messages = [
                    *messages,
                    AIMessage(content=raw_text or "(empty answer)"),
                    *load_prompt("retry", language).format_messages(error=error),
                ]
        summary = error.splitlines()[0] if error else "empty answer"
        raise LLMFailure(
            f"The model's answer was still invalid after {attempts} attempt(s) ({summary}). "
            f"Try a stronger model (COACH_LLM_MODEL) or another COACH_LLM_METHOD, or use the offline engine.",
            f"{attempts} 回試しましたがモデルの回答が検証を通りませんでした({summary})。"
            "より高性能なモデル (COACH_LLM_MODEL) か別の COACH_LLM_METHOD を試すか、"
            "オフラインエンジンを使ってください。",
            reason_en="the answer failed validation",
            reason_ja="回答が検証を通らなかった",
            attempts=attempts,
            last_output=self._redact(raw_text),
        )

    # ------------------------------------------------------------------ streaming text

    def stream(self, flow: str, language: Language, variables: dict[str, str]) -> Iterator[str]:
        messages = self._messages(flow, language, variables)
        iterator = self._call(lambda: iter(self.chat_model.stream(messages)))
        while True:
            chunk = self._call(lambda: next(iterator, None))
            if chunk is None:
                return
            text = _content_text(chunk.content)
            if text:
                yield text

    # ------------------------------------------------------------------ helpers

    def _messages(self, flow: str, language: Language, variables: dict[str, str]) -> list[BaseMessage]:
        return load_prompt(flow, language).format_messages(**variables)

    def _call(self, call: Callable[[], Any]) -> Any:
        """Run one request; turn every transport failure into an LLMFailure saying what to check."""
        url = self.settings.effective_base_url
        model = self.settings.llm_model
        try:
            return call()
        except openai.APITimeoutError:
            raise LLMFailure(
                f"The LLM at {url} did not answer within {self.settings.llm_timeout:g} s. Check that the "
                "server is running and not overloaded, raise COACH_LLM_TIMEOUT, or use the offline engine.",
                f"{url} の LLM が {self.settings.llm_timeout:g} 秒以内に応答しませんでした。"
                "サーバーが起動していて過負荷でないか確認するか、COACH_LLM_TIMEOUT を増やすか、"
                "オフラインエンジンを使ってください。",
                reason_en="timeout",
                reason_ja="タイムアウト",
            ) from None
        except openai.APIConnectionError:
            raise LLMFailure(
                f"Could not connect to the LLM at {url}. "
                "Check OPENAI_BASE_URL and that the server is running.",
                f"{url} の LLM に接続できませんでした。"
                "OPENAI_BASE_URL とサーバーが起動しているかを確認してください。",
                reason_en="connection failed",
                reason_ja="接続失敗",
            ) from None
        except openai.APIStatusError as exc:
            raise self._status_error(exc.status_code, url, model) from None
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

    def _status_error(self, status: int, url: str, model: str) -> LLMFailure:
        if status in (401, 403):
            hint_en, hint_ja = "Check OPENAI_API_KEY.", "OPENAI_API_KEY を確認してください。"
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
        return LLMFailure(
            f"The LLM at {url} answered HTTP {status}. {hint_en} Or use the offline engine.",
            f"{url} の LLM が HTTP {status} を返しました。"
            f"{hint_ja} またはオフラインエンジンを使ってください。",
            reason_en=f"HTTP {status}",
            reason_ja=f"HTTP {status}",
        )

    def _redact(self, text: str) -> str:
        return text.replace(self._secret, "***") if self._secret else text


def _json_schema(schema: type[BaseModel]) -> dict[str, Any]:
    """A plain JSON schema, so the client never parses for us (we validate, then re-ask)."""
    body = schema.model_json_schema()
    body.setdefault("title", schema.__name__)
    body.setdefault("description", (schema.__doc__ or schema.__name__).strip().splitlines()[0])
    return body


def _raw_payload(raw: Any) -> str:
    """The JSON text of an answer: the first tool call's arguments, else the content."""
    if not isinstance(raw, AIMessage):
        return ""
    calls = raw.additional_kwargs.get("tool_calls") or []
    if calls:
        return str(calls[0].get("function", {}).get("arguments") or "")
    if raw.tool_calls:
        return json.dumps(raw.tool_calls[0]["args"], ensure_ascii=False)
    return _strip_fences(_content_text(raw.content))


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
