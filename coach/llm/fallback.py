"""LLM first, offline rules on failure, and the user is told which one answered and why."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

from pydantic import BaseModel

from coach.config import Settings
from coach.errors import LLMError
from coach.models import Language

if TYPE_CHECKING:
    from coach.llm.engine import LLMEngine

T = TypeVar("T")
R = TypeVar("R", bound=BaseModel)

OFFLINE = "offline"
OFFLINE_FALLBACK = "offline (fallback)"


@dataclass
class FallbackOutcome(Generic[T]):
    value: T
    engine: str
    warnings: list[str] = field(default_factory=list)

    @property
    def fell_back(self) -> bool:
        return self.engine == OFFLINE_FALLBACK


def stamped(outcome: FallbackOutcome[R]) -> R:
    """The result with the engine that answered and its notices: every flow result shows both."""
    warnings = [*outcome.warnings, *getattr(outcome.value, "warnings", [])]
    return outcome.value.model_copy(update={"engine": outcome.engine, "warnings": warnings})


# failure kind -> (ja lead, en lead): what happened, in the words the user needs to act on it.
NOTICE_LEADS: dict[str, tuple[str, str]] = {
    "unreachable": ("LLMに接続できなかったため", "The LLM could not be reached"),
    "timeout": ("LLMが時間内に回答を終えなかったため", "The LLM did not finish in time"),
    "refused": ("LLMサーバーがリクエストを受け付けなかったため", "The LLM server refused the request"),
    "context": ("入力がLLMのコンテキストに収まらなかったため", "The input did not fit the LLM's context"),
    "cut": ("LLMの回答が長さの上限で途切れたため", "The LLM's answer was cut off at its length bound"),
    "check": ("LLMの回答がチェックを通らなかったため", "The LLM's answer failed a check"),
    "http": ("LLMサーバーがエラーを返したため", "The LLM server answered with an error"),
    "auth": ("LLMの認証設定に問題があるため", "The LLM's credentials are missing or wrong"),
    "malformed": (
        "LLMサーバーの応答が壊れていた(形式不正または途中切断)ため",
        "The LLM server's answer was malformed or broke off",
    ),
}
_OTHER = ("LLMを使えなかったため", "The LLM could not be used")


def fallback_notice(error: LLMError, language: Language) -> str:
    """The visible notice shown above a result the offline engine produced instead of the LLM.

    It names the real cause (coach.llm.failures): a server that answered is never "unreachable".
    """
    from coach.llm.failures import LLMFailure

    if isinstance(error, LLMFailure):
        reason = error.reason(language)
        lead_ja, lead_en = NOTICE_LEADS.get(error.kind, _OTHER)
    else:
        reason = error.message(language)
        lead_ja, lead_en = NOTICE_LEADS["check"] if error.attempts else _OTHER
    if language == "ja":
        return f"{lead_ja}、オフラインエンジンの結果を表示しています(理由: {reason})"
    return f"{lead_en}, so this is the offline engine's result (reason: {reason})."


def with_fallback(
    settings: Settings,
    language: Language,
    llm_call: Callable[[LLMEngine], T],
    offline_call: Callable[[], T],
) -> FallbackOutcome[T]:
    """Run `llm_call` when the LLM engine is selected; on LLMError run `offline_call` instead.

    Only LLMError falls back: a bug in a flow must surface, not hide behind the offline result.
    Notices are in the user's language (COACH_LANG, `settings.language`), not the text's: a
    Japanese speaker pasting English notes still reads why the LLM was not used in Japanese.
    `language` (the text's) is kept for callers; the result itself stays in it.
    """
    notice_language = settings.language
    if settings.engine != "llm":
        return FallbackOutcome(offline_call(), OFFLINE)
    # Imported here: langchain and openai take most of a second to load, and offline never needs them.
    from coach.llm.engine import LLMEngine

    engine: LLMEngine | None = None
    try:
        engine = LLMEngine(settings)
        value = llm_call(engine)
        return FallbackOutcome(value, engine.name, engine.notice_texts(notice_language))
    except LLMError as exc:
        notices = engine.notice_texts(notice_language) if engine is not None else []
        return FallbackOutcome(
            offline_call(), OFFLINE_FALLBACK, [*notices, fallback_notice(exc, notice_language)]
        )
