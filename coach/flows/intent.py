"""Career-intent sharpening: a vague wish -> which parts it has, concrete drafts, questions.

The offline rules (coach/rules/intent.py) do the whole job; the LLM only writes better
prose under the same checks: numbers must come from the user's text or the cited evidence, and
a part the user did not give must stay a visible placeholder in every draft.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from coach.config import EngineName, Settings
from coach.flows.prepare import answer_and_keep, keep_input
from coach.llm.grounding import ungrounded_numbers
from coach.memory.store import Store
from coach.messages import labels as labels_of
from coach.messages import message
from coach.models import IntentParts, IntentResult, Language
from coach.rules.intent import PLACEHOLDERS, analyse, offline_drafts, questions_for
from coach.rules.intent import detect_parts as detect_parts
from coach.text.stopwords import STOPWORDS_EN

if TYPE_CHECKING:
    from coach.llm.engine import LLMEngine

__all__ = ["IntentDraft", "detect_parts", "sharpen_intent", "to_markdown"]

_PLACEHOLDER = re.compile(r"\[[^\]\n]{1,40}\]")


class IntentDraft(BaseModel):
    """What the model returns for one career intent."""

    has: IntentParts = Field(description="Which parts the user's text already states concretely.")
    drafts: list[str] = Field(
        description="2-3 concrete drafts in the user's language; a missing part stays a [placeholder]."
    )
    questions: list[str] = Field(description="One question per missing part, in the user's language.")


def _evidence(store: Store, text: str, language: Language, limit: int = 2) -> list[str]:
    """Past results (statement + meeting date) sharing words with the intent; empty without a store."""
    try:
        rows = [(date, entry.statement) for _, date, entry in store.star_entries()]
        for when, rewrite in store.rewrites():
            rows += [(when.date(), entry.statement) for entry in rewrite.entries]
    except Exception:
        return []
    wanted = _terms(text)
    scored = []
    for date, statement in rows:
        overlap = len(wanted & _terms(statement))
        if statement and overlap >= 2:
            scored.append((overlap, date, statement))
    scored.sort(key=lambda row: (-row[0], -row[1].toordinal()))
    seen: set[str] = set()
    found = []
    for _, date, statement in scored:
        if statement in seen:
            continue
        seen.add(statement)
        found.append(
            f"{statement}({date.isoformat()})" if language == "ja" else f"{statement} ({date.isoformat()})"
        )
        if len(found) == limit:
            break
    return found


_WISH_WORDS = frozenset({"want", "wants", "hope", "like"})
"""How a wish is phrased, not what it is about: no overlap between a draft and the notes."""

_STOP = STOPWORDS_EN | _WISH_WORDS
"""Words that never make two texts about the same thing (Japanese terms are kanji/katakana
bigrams, so kana function words never reach the overlap)."""


def _terms(text: str) -> set[str]:
    """Words (English) and character bigrams of kanji/katakana runs (Japanese) for a rough overlap."""
    terms = {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z0-9+#.-]{2,}", text)}
    for run in re.findall(r"[\u30a0-\u30ff\u4e00-\u9fffー]{2,}", text):
        terms |= {run[i : i + 2] for i in range(len(run) - 1)}
    return terms - _STOP


def _check_draft(draft: IntentDraft, source: str, offline_has: IntentParts) -> IntentDraft:
    """Reject invented numbers, and drafts that fill a part the rules found missing in the user's text."""
    problems: list[str] = []
    if not 2 <= len(draft.drafts) <= 3 or any(not d.strip() for d in draft.drafts):
        problems.append("Give 2 or 3 non-empty drafts.")
    for text in draft.drafts:
        invented = ungrounded_numbers(text, source)
        if invented:
            problems.append(
                f"Draft uses numbers not in the user's text: {', '.join(invented)}. Use [N] instead."
            )
    missing = [name for name in ("timeframe", "scope", "reason") if not getattr(offline_has, name)]
    for text in draft.drafts if missing else []:
        if not _PLACEHOLDER.search(text):
            problems.append(
                f"The user gave no {', '.join(missing)}: keep a [placeholder] for it in every draft "
                f"instead of inventing one. Draft without placeholder: {text}"
            )
    if problems:
        raise ValueError("\n".join(problems))
    has = IntentParts(
        timeframe=draft.has.timeframe or offline_has.timeframe,
        scope=draft.has.scope or offline_has.scope,
        reason=draft.has.reason or offline_has.reason,
        why=offline_has.why,
    )
    return draft.model_copy(update={"has": has})


def sharpen_intent(text: str, settings: Settings, engine: EngineName | None = None) -> IntentResult:
    text, settings, store = keep_input(
        "intent", text, settings, engine, what="intent", what_ja="キャリア意向"
    )
    analysis = analyse(text)
    language = analysis.language
    evidence = _evidence(store, text, language)
    offline_has = analysis.parts

    def offline() -> IntentResult:
        return IntentResult(
            language=language,
            engine="offline",
            intent=text.strip(),
            has=offline_has,
            drafts=offline_drafts(analysis, evidence, text),
            questions=questions_for(offline_has, language),
            evidence=evidence,
        )

    def llm(model: LLMEngine) -> IntentResult:
        source = text + "\n" + "\n".join(evidence)
        variables = {
            "intent": text.strip(),
            "parts": offline_has.model_dump_json(),
            "evidence": "\n".join(f"- {e}" for e in evidence) or "-",
            "placeholders": ", ".join(PLACEHOLDERS[language].values()) + ", [N]",
        }
        draft = model.structured(
            "intent", language, variables, IntentDraft, lambda d: _check_draft(d, source, offline_has)
        )
        return IntentResult(
            language=language,
            engine=model.name,
            intent=text.strip(),
            has=draft.has,
            drafts=draft.drafts,
            questions=draft.questions or questions_for(draft.has, language),
            evidence=evidence,
        )

    return answer_and_keep(settings, store, language, "intent", llm, offline)


def _bullets(items: Iterable[str]) -> list[str]:
    return [f"- {item}" for item in items]


def to_markdown(result: IntentResult) -> str:
    labels = {**labels_of("intent", result.language), **labels_of("intent.part", result.language)}
    labels["engine"] = message("markdown.engine", result.language)
    flags = " / ".join(
        f"{labels[name]} {'✅' if getattr(result.has, name) else '❌'}"
        for name in ("timeframe", "scope", "reason")
    )
    lines = [*(f"> ⚠ {w}" for w in result.warnings), labels["title"], "", f"> {result.intent}", "", flags, ""]
    lines += [labels["drafts"], *[f"{i}. {d}" for i, d in enumerate(result.drafts, 1)], ""]
    if result.questions:
        lines += [labels["questions"], *_bullets(result.questions), ""]
    if result.evidence:
        lines += [labels["evidence"], *_bullets(result.evidence), ""]
    lines.append(f"_{labels['engine']}: {result.engine}_")
    return "\n".join(lines)
