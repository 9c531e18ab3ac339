"""What the prepare flows (intent, triage) share: keep the input first, answer, then keep the
answer for the agenda."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, TypeVar

from pydantic import BaseModel

from coach.config import EngineName, Settings
from coach.llm.fallback import stamped, with_fallback
from coach.memory.store import Store
from coach.models import Language
from coach.text.inputs import check_text

if TYPE_CHECKING:
    from coach.llm.engine import LLMEngine

R = TypeVar("R", bound=BaseModel)


def keep_input(
    flow: Literal["intent", "triage"],
    text: str,
    settings: Settings,
    engine: EngineName | None,
    *,
    what: str,
    what_ja: str,
) -> tuple[str, Settings, Store]:
    """The user's text, checked and saved before anything is computed from it (a StoreError
    stops the flow here, so no answer exists for unsaved input), with the settings for `engine`."""
    text = check_text(text, what=what, what_ja=what_ja)
    if engine is not None:
        settings = settings.with_engine(engine)
    store = Store.open(settings)
    store.save_input(flow, text)
    return text, settings, store


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
