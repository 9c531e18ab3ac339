"""What the prepare flows (intent, triage) share: answer, then keep the answer for the agenda."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, TypeVar

from pydantic import BaseModel

from coach.config import Settings
from coach.llm.fallback import stamped, with_fallback
from coach.memory.store import Store
from coach.models import Language

if TYPE_CHECKING:
    from coach.llm.engine import LLMEngine

R = TypeVar("R", bound=BaseModel)


def answer_and_keep(
    settings: Settings,
    store: Store,
    language: Language,
    part: Literal["intent", "triage"],
    llm_call: Callable[[LLMEngine], R],
    offline_call: Callable[[], R],
) -> R:
    """LLM or offline rules, stamped with the engine that answered, saved as `part` of the next prep.

    The agenda is assembled from the saved prep, so a result the user saw is one the agenda shows.
    """
    result = stamped(with_fallback(settings, language, llm_call, offline_call))
    store.update_prep(**{part: result})
    return result
