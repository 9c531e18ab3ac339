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
from coach.llm.grounding import strip_ungrounded, ungrounded_numbers
from coach.memory.store import Store
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
        return "(なし)" if language == "ja" else "(none)"
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


_WARN_REMOVED = (
    "LLMの{field}にメモにない数値 {numbers} があったため [N] に置き換えました。",
    "Replaced number(s) {numbers} in the LLM's {field} with [N]: they are not in your notes.",
)
_WARN_PCT = (
    "LLMの{field}の割合 {wrong}% をコードで計算した {right}% に直しました。",
    "Corrected {wrong}% in the LLM's {field} to {right}%, the change computed from your notes.",
)
_WARN_STATEMENT = (
    "LLMの一言サマリーに根拠のない数値があったため、メモの数値から作り直しました。",
    "The LLM's statement had numbers not in your notes, so it was rebuilt from your notes' numbers.",
)
_PART_NAMES = {
    "situation": ("状況", "Situation"),
    "task": ("課題", "Task"),
    "action": ("行動", "Action"),
    "result": ("結果", "Result"),
}
_FIELD_NAMES = {
    "title": ("タイトル", "title"),
    **{part: (ja, en.lower()) for part, (ja, en) in _PART_NAMES.items()},
    "statement": ("一言サマリー", "statement"),
    "questions": ("質問", "questions"),
}
_WARN_STATED = (
    "メモにある変化「{stated}」は、{before}→{after} からコードで計算した {pct}% と合いません。"
    "計算値を使いました。メモの数値を確かめてください。",
    "Your notes say {stated}, but {before} → {after} is a {pct}% change as computed; the computed value "
    "is used. Please check the numbers in your notes.",
)
_PCT_TOKEN = re.compile(r"\s?[%％]")


def _ground(
    text: str,
    field: str,
    notes: str,
    entry_metrics: list[Metric],
    allowed: list[float],
    language: Language,
    warnings: list[str],
) -> tuple[str, bool]:
    """`text` with invented numbers replaced; True when something had to be replaced."""
    index = 0 if language == "ja" else 1
    label = _FIELD_NAMES[field][index]
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
            warnings.append(_WARN_PCT[index].format(field=label, wrong=token, right=right))
        else:
            text = strip_ungrounded(text, [token])
            removed.append(token)
    if removed:
        warnings.append(_WARN_REMOVED[index].format(field=label, numbers=", ".join(removed)))
    return text, True


def _nearest_pct(pcts: list[float], written: float) -> float | None:
    """The computed change a wrong percentage was meant to be: the closest one, if within 5 points."""
    nearest = min(pcts, key=lambda p: abs(abs(p) - written), default=None)
    return nearest if nearest is not None and abs(abs(nearest) - written) <= 5 else None


def stated_change_warnings(matches: list[MetricMatch], language: Language) -> list[str]:
    """One warning per change the notes state (`(50%削減)`) that the computed change contradicts."""
    index = 0 if language == "ja" else 1
    warnings = []
    for match in matches:
        pct = match.metric.change_pct
        if match.stated_differs and pct is not None:
            warnings.append(
                _WARN_STATED[index].format(
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
        allowed = [v for m in metrics for v in (m.change_pct, m.before, m.after) if v is not None]
        ground = partial(
            _ground, notes=notes, entry_metrics=metrics, allowed=allowed, language=language, warnings=warnings
        )
        parts = {name: ground(getattr(item, name) or "", name)[0] for name in PARTS}
        title = ground(item.title, "title")[0]
        statement, replaced = ground(item.statement, "statement")
        if replaced and own and "[N]" in statement:
            statement = statement_for(notes, own, language)
            warnings.append(_WARN_STATEMENT[0 if language == "ja" else 1])
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
        warnings.append(
            "メモから仕事の記述が見つかりませんでした。箇条書きか文章で、やったことを書いてください。"
            if language == "ja"
            else "No piece of work was found in the notes. Write what you did as bullets or sentences."
        )
    return RewriteResult(
        language=language, engine="offline", entries=entries, warnings=warnings, next=reading.next
    )


# --------------------------------------------------------------------------- the flow


_STORE_WARNING = (
    "結果を保存できませんでした({reason})。入力は保存済みですが、結果はこの画面にだけあります。",
    "Could not save the result ({reason}); your notes are saved, but the result is only shown here.",
)


def _store_warning(exc: Exception, language: Language) -> str:
    reason = exc.message(language) if isinstance(exc, CoachError) else type(exc).__name__
    return _STORE_WARNING[0 if language == "ja" else 1].format(reason=reason)


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

_MD = {
    "heading": ("# 成果の整理(STAR)", "# Results in STAR form"),
    "statement": ("一言で", "In one line"),
    **_PART_NAMES,
    "metrics": ("数値", "Numbers"),
    "table": (
        "| 指標 | 前 | 後 | 変化 | メモの記述 |",
        "| Metric | Before | After | Change | In your notes |",
    ),
    "questions": ("確認したいこと", "To fill in"),
    "engine": ("エンジン", "Engine"),
    "none": ("(記述なし)", "(not in the notes)"),
    "next": ("次にやること(成果ではないもの)", "Next (plans, not results)"),
}


def _cell(value: float | None, unit: str, qualifier: str = "") -> str:
    if value is None:
        return "—"
    return f"{qualifier if qualifier in ('<', '>', '~') else ''}{format_number(value)}{unit}"


def to_markdown(result: RewriteResult) -> str:
    i = 0 if result.language == "ja" else 1
    lines = [_MD["heading"][i], "", f"_{_MD['engine'][i]}: {result.engine}_", ""]
    lines += [f"> ⚠️ {warning}" for warning in result.warnings]
    if result.warnings:
        lines.append("")
    for number, entry in enumerate(result.entries, 1):
        lines += [f"## {number}. {entry.title}", "", f"**{_MD['statement'][i]}**: {entry.statement}", ""]
        for part in PARTS:
            lines.append(f"- **{_MD[part][i]}**: {getattr(entry, part) or _MD['none'][i]}")
        if entry.metrics:
            lines += ["", f"**{_MD['metrics'][i]}**", "", _MD["table"][i], "|---|---|---|---|---|"]
            for metric in entry.metrics:
                unit = metric.unit if "→" not in metric.unit else ""
                change = "—" if metric.change_pct is None else f"{metric.change_pct:+g}%"
                source = metric.source.replace("\n", " ").replace("|", "\\|")
                lines.append(
                    f"| {metric.name} | {_cell(metric.before, unit)} | "
                    f"{_cell(metric.after, unit, metric.qualifier)} | {change} | {source} |"
                )
        if entry.questions:
            lines += ["", f"**{_MD['questions'][i]}**", ""]
            lines += [f"- {question}" for question in entry.questions]
        lines.append("")
    if result.next:
        lines += [f"## {_MD['next'][i]}", ""] + [f"- {item}" for item in result.next] + [""]
    return "\n".join(lines).rstrip() + "\n"
