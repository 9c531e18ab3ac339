"""Notes → STAR entries with quantified statements.

The offline engine does everything by rule. The LLM engine only writes prose: the metrics
always come from code (`coach.rules.metrics` on the notes), the model merely says which metric
belongs to which entry, every number it writes is checked against the notes, and an
invented one is replaced by a visible `[N]` and reported. Any LLM failure falls back to the
offline result with a notice. The notes are saved before any LLM call.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from coach.config import EngineName, Settings
from coach.errors import CoachError, StoreError
from coach.llm.fallback import stamped, with_fallback
from coach.llm.grounding import code_values, strip_ungrounded, ungrounded_numbers
from coach.memory.store import Store
from coach.messages import labels, message
from coach.models import Language, Metric, MissingPart, RewriteResult, StarEntry
from coach.rules.metrics import MetricMatch, find_metrics
from coach.rules.star import PARTS, question_for, read_notes, statement_for
from coach.rules.star import extract_entries as _offline_entries
from coach.text.inputs import check_text
from coach.text.language import detect_language
from coach.text.numbers import display_pct, format_number, parse_number

if TYPE_CHECKING:
    from coach.llm.engine import LLMEngine

__all__ = ["extract_entries", "rewrite_notes", "to_markdown"]


def extract_entries(text: str, language: Language | None = None) -> list[StarEntry]:
    """Offline and deterministic; also used on a meeting's results section."""
    return _offline_entries(text, language)


# --------------------------------------------------------------------------- LLM drafts


class StarDraft(BaseModel):
    """One achievement as the model writes it; code adds metrics, missing parts and checks."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(description="Short heading of the piece of work, in the notes' language.")
    situation: str | None = Field(description="The situation or problem, from the notes; null if not stated.")
    task: str | None = Field(description="The engineer's role or goal, from the notes; null if not stated.")
    action: str | None = Field(description="What the engineer did, from the notes; null if not stated.")
    result: str | None = Field(description="What came of it, from the notes; null if not stated.")
    statement: str = Field(
        description="One sentence to say in the 1on1, with before, after and change if known."
    )
    metric_ids: list[int] = Field(description="Ids from 'Extracted numbers' that this entry reports.")
    questions: list[str] = Field(description="Questions that would fill the parts left null; no numbers.")


class RewriteDraft(BaseModel):
    """STAR entries for the notes, one per piece of work."""

    model_config = ConfigDict(extra="forbid")

    entries: list[StarDraft] = Field(min_length=1, description="One entry per piece of work in the notes.")


def _metrics_listing(matches: list[MetricMatch], language: Language) -> str:
    if not matches:
        return message("markdown.none", language)
    lines = []
    for index, match in enumerate(matches):
        metric = match.metric
        before = "?" if metric.before is None else format_number(metric.before)
        after = "?" if metric.after is None else format_number(metric.after)
        change = "?" if metric.change_pct is None else f"{format_number(metric.change_pct)}%"
        lines.append(
            f"{index}: {metric.name} / {before}→{after} {metric.unit} / {change} / 「{metric.source}」"
        )
    return "\n".join(lines)


def _check_ids(count: int) -> Callable[[RewriteDraft], RewriteDraft]:
    def validate(draft: RewriteDraft) -> RewriteDraft:
        bad = sorted({i for entry in draft.entries for i in entry.metric_ids if not 0 <= i < count})
        if bad:
            valid = f"0..{count - 1}" if count else "none (use an empty list)"
            raise ValueError(f"metric_ids {bad} do not exist; valid ids: {valid}")
        return draft

    return validate


_PCT_TOKEN = re.compile(r"\s?[%％]")


def _ground(
    text: str,
    field: str,
    notes: str,
    entry_metrics: list[Metric],
    allowed: list[float | tuple[float, str]],
    language: Language,
    warnings: list[str],
) -> tuple[str, bool]:
    """`text` with invented numbers replaced; True when something had to be replaced."""
    label = message(f"rewrite.field.{field}", language)
    bad = ungrounded_numbers(text, notes, allowed)
    if not bad:
        return text, False
    pcts = [m.change_pct for m in entry_metrics if m.change_pct is not None]
    removed = []
    for token in dict.fromkeys(bad):
        position = text.find(token)
        is_pct = position >= 0 and _PCT_TOKEN.match(text, position + len(token)) is not None
        written = parse_number(token)
        nearest = _nearest_pct(pcts, written) if is_pct and written is not None else None
        if nearest is not None:
            right = display_pct(nearest)
            text = strip_ungrounded(text, [token], right)
            warnings.append(message("rewrite.warn.pct", language, field=label, wrong=token, right=right))
        else:
            text = strip_ungrounded(text, [token])
            removed.append(token)
    if removed:
        warnings.append(message("rewrite.warn.removed", language, field=label, numbers=", ".join(removed)))
    return text, True


def _nearest_pct(pcts: list[float], written: float) -> float | None:
    """The computed change a wrong percentage was meant to be: the closest one, if within 5 points."""
    nearest = min(pcts, key=lambda p: abs(abs(p) - written), default=None)
    return nearest if nearest is not None and abs(abs(nearest) - written) <= 5 else None


def stated_change_warnings(matches: list[MetricMatch], language: Language) -> list[str]:
    """One warning per change the notes state (`(50%削減)`) that the computed change contradicts."""
    warnings = []
    for match in matches:
        pct = match.metric.change_pct
        if match.stated_differs and pct is not None:
            warnings.append(
                message(
                    "rewrite.warn.stated",
                    language,
                    stated=match.stated,
                    before=match.before_text,
                    after=match.after_text,
                    pct=("-" if pct < 0 else "+") + display_pct(pct),
                )
            )
    return warnings


def _llm_entries(
    engine: LLMEngine, notes: str, language: Language, matches: list[MetricMatch]
) -> RewriteResult:
    draft = engine.structured(
        "rewrite",
        language,
        {"notes": notes, "metrics": _metrics_listing(matches, language)},
        RewriteDraft,
        validate=_check_ids(len(matches)),
    )
    claimed = {i for entry in draft.entries for i in entry.metric_ids}
    orphans = [i for i in range(len(matches)) if i not in claimed]
    warnings: list[str] = []
    entries = []
    for position, item in enumerate(draft.entries):
        ids = list(dict.fromkeys(item.metric_ids))
        if position == 0:
            ids += orphans  # a code-found metric the model left out is still the user's result
        own = [matches[i] for i in ids]
        metrics = [m.metric for m in own]
        allowed = [v for m in metrics for v in code_values(m.before, m.after, m.unit, m.change_pct)]
        ground = partial(
            _ground,
            notes=notes,
            entry_metrics=metrics,
            allowed=allowed,
            language=engine.settings.language,  # its warnings are notices: in COACH_LANG
            warnings=warnings,
        )
        parts = {name: ground(getattr(item, name) or "", name)[0] for name in PARTS}
        title = ground(item.title, "title")[0]
        statement, replaced = ground(item.statement, "statement")
        if replaced and own and "[N]" in statement:
            statement = statement_for(notes, own, language)
            warnings.append(message("rewrite.warn.statement", engine.settings.language))
        questions = [ground(question, "questions")[0] for question in item.questions]
        missing: list[MissingPart] = [p for p in PARTS if not parts[p].strip()]
        if not metrics:
            missing.append("metric")
        if missing and not questions:
            questions = [question_for(part, notes, language) for part in missing]
        entries.append(
            StarEntry(
                title=title.strip() or parts["action"][:40] or statement[:40],
                statement=statement,
                metrics=metrics,
                missing=missing,
                questions=questions,
                **parts,
            )
        )
    return RewriteResult(language=language, engine=engine.name, entries=entries, warnings=warnings)


def _offline_result(notes: str, language: Language) -> RewriteResult:
    reading = read_notes(notes, language)
    entries = reading.entries
    warnings = []
    if not entries:
        warnings.append(message("rewrite.no_work", language))
    return RewriteResult(
        language=language, engine="offline", entries=entries, warnings=warnings, next=reading.next
    )


# --------------------------------------------------------------------------- the flow


def _store_warning(exc: Exception, language: Language) -> str:
    reason = exc.message(language) if isinstance(exc, CoachError) else type(exc).__name__
    return message("rewrite.store_failed", language, reason=reason)


def rewrite_notes(notes: str, settings: Settings, engine: EngineName | None = None) -> RewriteResult:
    """Notes → RewriteResult; the notes are stored first so that nothing typed is ever lost."""
    notes = check_text(notes)
    if engine is not None:
        settings = settings.with_engine(engine)
    language = detect_language(notes)
    # Saving what the user typed comes first and must succeed, as in intent and triage: a
    # StoreError here stops the flow with what to do (nothing is computed from unsaved notes).
    store = Store.open(settings)
    input_id = store.save_input("rewrite", notes)
    matches = find_metrics(notes, language)
    warnings = stated_change_warnings(matches, language)
    outcome = with_fallback(
        settings,
        language,
        lambda llm: _llm_entries(llm, notes, language, matches),
        lambda: _offline_result(notes, language),
    )
    result = stamped(outcome)
    result = result.model_copy(update={"warnings": [*result.warnings, *warnings]})
    try:  # the notes are safe; a result that could not be saved is still shown, with a warning
        store.save_rewrite(result, input_id)
        store.update_prep(rewrite=result)
    except StoreError as exc:
        result = result.model_copy(update={"warnings": [*result.warnings, _store_warning(exc, language)]})
    return result


# --------------------------------------------------------------------------- Markdown


def _cell(value: float | None, unit: str, qualifier: str = "") -> str:
    if value is None:
        return "—"
    return f"{qualifier if qualifier in ('<', '>', '~') else ''}{format_number(value)}{unit}"


def to_markdown(result: RewriteResult) -> str:
    md = labels("rewrite.md", result.language)
    lines = [md["heading"], "", f"_{md['engine']}: {result.engine}_", ""]
    lines += [f"> ⚠️ {warning}" for warning in result.warnings]
    if result.warnings:
        lines.append("")
    for number, entry in enumerate(result.entries, 1):
        lines += [f"## {number}. {entry.title}", "", f"**{md['statement']}**: {entry.statement}", ""]
        for part in PARTS:
            lines.append(f"- **{md[part]}**: {getattr(entry, part) or md['none']}")
        if entry.metrics:
            lines += ["", f"**{md['metrics']}**", "", md["table"], "|---|---|---|---|---|"]
            for metric in entry.metrics:
                unit = metric.unit if "→" not in metric.unit else ""
                change = "—" if metric.change_pct is None else f"{metric.change_pct:+g}%"
                source = metric.source.replace("\n", " ").replace("|", "\\|")
                lines.append(
                    f"| {metric.name} | {_cell(metric.before, unit)} | "
                    f"{_cell(metric.after, unit, metric.qualifier)} | {change} | {source} |"
                )
        if entry.questions:
            lines += ["", f"**{md['questions']}**", ""]
            lines += [f"- {question}" for question in entry.questions]
        lines.append("")
    if result.next:
        lines += [f"## {md['next']}", ""] + [f"- {item}" for item in result.next] + [""]
    return "\n".join(lines).rstrip() + "\n"
