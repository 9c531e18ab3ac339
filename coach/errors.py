"""Errors that tell the user what to do next, in Japanese and English."""

from __future__ import annotations

from typing import TypeVar

from coach.messages import both
from coach.models import Language

E = TypeVar("E", bound="CoachError")


class CoachError(Exception):
    """A problem the user can act on. Carries the message in both languages.

    `str(err)` is the English text; `err.message(lang)` picks the user's language.
    Never put secrets (API keys, full notes) into these messages.
    """

    def __init__(self, en: str, ja: str | None = None) -> None:
        super().__init__(en)
        self.en = en
        self.ja = ja or en

    key: str | None = None
    """The catalog key (coach.messages) the message came from, when it came from one."""

    @classmethod
    def of(cls: type[E], key: str, /, **values: object) -> E:
        """The error whose text is catalog message `key` (coach.messages), in both languages."""
        en, ja = both(key, **values)
        error = cls(en, ja)
        error.key = key
        return error

    def message(self, language: Language = "en") -> str:
        return self.ja if language == "ja" else self.en


class InputError(CoachError):
    """The user's input cannot be processed as given (empty, binary, too large, malformed)."""


class ConfigError(CoachError):
    """Settings (environment, secrets) are missing or inconsistent."""


class StoreError(CoachError):
    """The on-disk store or index could not be read or written."""


class LLMError(CoachError):
    """The LLM call failed after its retries: timeout, HTTP error, or output that never validated.

    Flows catch it and fall back to the offline engine with a visible notice.
    """

    def __init__(
        self,
        en: str,
        ja: str | None = None,
        *,
        attempts: int = 0,
        last_output: str | None = None,
    ) -> None:
        super().__init__(en, ja)
        self.attempts = attempts
        self.last_output = last_output
