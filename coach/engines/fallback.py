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
    from coach.engines.llm import LLMEngine

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


def fallback_notice(error: LLMError, language: Language) -> str:
    """The visible notice shown above a result the offline engine produced instead of the LLM."""
    from coach.engines.llm import LLMFailure

    if isinstance(error, LLMFailure):
        reason = error.reason(language)
        invalid = error.attempts > 0
    else:
        reason = error.message(language)
        invalid = False
    if language == "ja":
        lead = "LLMの回答が検証を通らなかったため" if invalid else "LLMに接続できなかったため"
        return f"{lead}、オフラインエンジンの結果を表示しています(理由: {reason})"
    lead = "The LLM's answer failed validation" if invalid else "The LLM could not be reached"
    return f"{lead}, so this is the offline engine's result (reason: {reason})."


def with_fallback(
    settings: Settings,
    language: Language,
    llm_call: Callable[[LLMEngine], T],
    offline_call: Callable[[], T],
) -> FallbackOutcome[T]:
    """Run `llm_call` when the LLM engine is selected; on LLMError run `offline_call` instead.

    Only LLMError falls back: a bug in a flow must surface, not hide behind the offline result.
    """
    if settings.engine != "llm":
        return FallbackOutcome(offline_call(), OFFLINE)
    # Imported here: langchain and openai take most of a second to load, and offline never needs them.
    from coach.engines.llm import LLMEngine

    try:
        engine = LLMEngine(settings)
        return FallbackOutcome(llm_call(engine), engine.name)
    except LLMError as exc:
        return FallbackOutcome(offline_call(), OFFLINE_FALLBACK, [fallback_notice(exc, language)])
