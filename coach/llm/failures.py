"""Why an LLM call failed, as a kind the fallback notice can name (light: no openai import).

Each failure carries a `kind` and a short reason in both languages. The kinds name what the
user can act on, so the notice never says "could not be reached" for a server that answered:

| kind | what happened | what to do |
|---|---|---|
| unreachable | no connection | start the server / fix OPENAI_BASE_URL |
| timeout | no complete answer before the call's deadline | raise COACH_LLM_TIMEOUT, a faster model |
| refused | the server rejected every structured-output method | another server or model |
| context | the prompt does not fit the model's context | raise COACH_LLM_CONTEXT (if the model allows) |
| cut | the answer hit its token bound | raise COACH_LLM_MAX_TOKENS |
| check | the answer failed a check (which one is in the reason) | a stronger model |
| http | another HTTP error | see the status |
| auth | no key / a wrong key | OPENAI_API_KEY |
| malformed | the server answered, but not in the API's form (a non-JSON body, a broken event, a stream cut off mid-answer) | check OPENAI_BASE_URL / the server |
"""

from __future__ import annotations

from typing import Literal

from coach.errors import LLMError
from coach.models import Language

FailureKind = Literal[
    "unreachable", "timeout", "refused", "context", "cut", "check", "http", "auth", "malformed"
]


class LLMFailure(LLMError):
    """An LLMError with its kind and a short reason for the fallback notice."""

    def __init__(
        self,
        en: str,
        ja: str,
        *,
        reason_en: str,
        reason_ja: str,
        kind: FailureKind = "http",
        attempts: int = 0,
        last_output: str | None = None,
    ) -> None:
        super().__init__(en, ja, attempts=attempts, last_output=last_output)
        self.reason_en = reason_en
        self.reason_ja = reason_ja
        self.kind: FailureKind = kind

    def reason(self, language: Language) -> str:
        return self.reason_ja if language == "ja" else self.reason_en


def check_failed(
    detail_en: str, detail_ja: str, *, attempts: int = 1, last_output: str | None = None
) -> LLMFailure:
    """An answer that arrived but failed a check; the details say which number or citation."""
    return LLMFailure(
        f"The model's answer failed a check ({detail_en}). Try a stronger model (COACH_LLM_MODEL), "
        "or use the offline engine.",
        f"モデルの回答がチェックを通りませんでした({detail_ja})。より高性能なモデル (COACH_LLM_MODEL) "
        "を試すか、オフラインエンジンを使ってください。",
        reason_en=detail_en,
        reason_ja=detail_ja,
        kind="check",
        attempts=attempts,
        last_output=last_output,
    )
