"""Concern triage: each concern -> self / support / org, with what to say about it and why.

Offline rules decide on their own (coach/rules/triage.py). The LLM may write better
suggestions, but a tag the user wrote is never overridden, numbers must come from the concern,
and a support ask without a date in the concern keeps its deadline placeholder.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from coach.config import EngineName, Settings
from coach.errors import InputError
from coach.flows.prepare import answer_and_keep, keep_input
from coach.llm.grounding import ungrounded_numbers
from coach.messages import message
from coach.models import Bucket, Language, TriageItem, TriageResult
from coach.rules.triage import classify, deadline_in, decide, split_concerns, suggestion, tagged_bucket
from coach.text.language import detect_language

if TYPE_CHECKING:
    from coach.llm.engine import LLMEngine

__all__ = ["classify", "split_concerns", "to_markdown", "triage_concerns"]

_DEADLINE_PLACEHOLDER = re.compile(r"\[(?:期限|by when|deadline|いつまで)[^\]]*\]", re.IGNORECASE)


class TriageDraftItem(BaseModel):
    index: int = Field(description="1-based number of the concern in the list given.")
    bucket: Bucket = Field(description="self, support or org.")
    suggestion: str = Field(description="What to say in the 1on1, in the concern's language.")


class TriageDraft(BaseModel):
    """What the model returns: one item per concern, in the given order."""

    items: list[TriageDraftItem]


def _check(draft: TriageDraft, concerns: list[str]) -> TriageDraft:
    problems: list[str] = []
    if sorted(item.index for item in draft.items) != list(range(1, len(concerns) + 1)):
        problems.append(f"Return exactly one item per concern, indexes 1..{len(concerns)}.")
    for item in draft.items:
        if not 1 <= item.index <= len(concerns):
            continue
        concern = concerns[item.index - 1]
        tagged = tagged_bucket(concern)
        if tagged is not None and item.bucket != tagged:
            problems.append(f"Concern {item.index} is tagged by the user as {tagged!r}; keep that bucket.")
        invented = ungrounded_numbers(item.suggestion, concern)
        if invented:
            problems.append(
                f"Concern {item.index}: numbers not in the concern: {', '.join(invented)}. "
                "Use a [placeholder]."
            )
        if (
            item.bucket == "support"
            and not deadline_in(concern)
            and not _DEADLINE_PLACEHOLDER.search(item.suggestion)
        ):
            problems.append(
                f"Concern {item.index}: the ask needs a deadline; the concern gives none, "
                "so write [期限]/[by when]."
            )
    if problems:
        raise ValueError("\n".join(problems))
    return draft


def _llm_why(bucket: Bucket, offline: tuple[Bucket, str]) -> str:
    """The model's bucket, with the offline rule's reading beside it (agreeing or not)."""
    agrees = "agrees with" if bucket == offline[0] else f"differs from the rules' {offline[0]!r},"
    return f"llm: {bucket} ({agrees} {offline[1]})"


def triage_concerns(text: str, settings: Settings, engine: EngineName | None = None) -> TriageResult:
    text, settings, store = keep_input("triage", text, settings, engine, what="concerns", what_ja="懸念事項")
    concerns = split_concerns(text)
    if not concerns:
        raise InputError.of("triage.no_concerns")
    language = detect_language(text)

    decisions = [decide(concern) for concern in concerns]

    def offline() -> TriageResult:
        items = [
            TriageItem(concern=c, bucket=b, suggestion=suggestion(c, b), why=why)
            for c, (b, why) in zip(concerns, decisions, strict=True)
        ]
        return TriageResult(language=language, engine="offline", items=items)

    def llm(model: LLMEngine) -> TriageResult:
        listing = "\n".join(f"{i}. {c}" for i, c in enumerate(concerns, 1))
        draft = model.structured(
            "triage", language, {"concerns": listing}, TriageDraft, lambda d: _check(d, concerns)
        )
        by_index = {item.index: item for item in draft.items}
        items = [
            TriageItem(
                concern=c,
                bucket=by_index[i].bucket,
                suggestion=by_index[i].suggestion,
                why=_llm_why(by_index[i].bucket, decisions[i - 1]),
            )
            for i, c in enumerate(concerns, 1)
        ]
        return TriageResult(language=language, engine=model.name, items=items)

    return answer_and_keep(settings, store, language, "triage", llm, offline)


def bucket_label(bucket: Bucket, language: Language) -> str:
    """How a triage bucket is headed in Markdown (``triage.bucket.`` in coach.messages)."""
    return message(f"triage.bucket.{bucket}", language)


def grouped(items: list[TriageItem]) -> dict[Bucket, list[TriageItem]]:
    groups: dict[Bucket, list[TriageItem]] = {"self": [], "support": [], "org": []}
    for item in items:
        groups[item.bucket].append(item)
    return groups


def to_markdown(result: TriageResult) -> str:
    title = message("triage.title", result.language)
    lines = [*(f"> ⚠ {w}" for w in result.warnings), title, ""]
    for bucket, items in grouped(result.items).items():
        if not items:
            continue
        lines += [
            f"### {bucket_label(bucket, result.language)}",
            *[f"- {item.suggestion}" for item in items],
            "",
        ]
    lines.append(f"_{message('markdown.engine', result.language)}: {result.engine}_")
    return "\n".join(lines)
