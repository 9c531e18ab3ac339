"""Rewrite page: pasted notes -> editable STAR cards -> Markdown to copy."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from coach.models import Language, RewriteResult, StarEntry
from ui.common import (
    KEEP,
    attempt,
    copy_block,
    format_change,
    format_number,
    lang,
    remember_prep,
    settings,
    show_warnings,
    t,
    text_box,
)

NOTES_KEY = "in_rewrite_notes"
DATA_DIR = Path(__file__).resolve().parents[1] / "data"
CARD_FIELDS = ("title", "situation", "task", "action", "result", "statement")
# Editable cards drawn at once: a long paste shows its first entries at once, the rest by page.
PAGE_SIZE = 10


def sample_notes(language: Language) -> Path | None:
    """data/sample_notes_<lang>.md when shipped; any sample otherwise."""
    preferred = DATA_DIR / f"sample_notes_{language}.md"
    if preferred.is_file():
        return preferred
    others = sorted(DATA_DIR.glob("sample_notes_*.md"))
    return others[0] if others else None


def _load_sample(path: Path) -> None:
    st.session_state[NOTES_KEY] = path.read_text(encoding="utf-8")


def generate(notes: str) -> RewriteResult | None:
    """Run the rewrite and keep it for the Prepare page; the notes stay in their text area."""
    from coach.flows.rewrite import rewrite_notes
    from coach.text.inputs import check_text

    config = settings()
    sample = sample_notes(lang())
    if sample is not None and notes.strip() == sample.read_text(encoding="utf-8").strip():
        # The built-in sample is a demonstration: it runs against a throwaway store, never the user's.
        import tempfile

        config = config.model_copy(update={"data_dir": Path(tempfile.mkdtemp(prefix="coach-sample-"))})
    with st.spinner(t("rewrite.working", kb=max(1, len(notes.encode("utf-8")) // 1024))):
        result = attempt(lambda: rewrite_notes(check_text(notes), config))
    if result is not None:
        st.session_state["rewrite_result"] = result
        st.session_state["rewrite_version"] += 1  # rewrite_notes saved it in the prep already
    return result


def metric_rows(entry: StarEntry) -> list[dict[str, str]]:
    return [
        {
            t("metrics.name"): metric.name,
            t("metrics.before"): format_number(metric.before),
            t("metrics.after"): metric.qualifier + format_number(metric.after),
            t("metrics.unit"): metric.unit,
            t("metrics.change"): format_change(metric.change_pct),
            t("metrics.source"): metric.source,
        }
        for metric in entry.metrics
    ]


def star_card(entry: StarEntry, index: int, version: int, prefix: str) -> StarEntry:
    """Draw one entry as editable fields and return it with the user's edits."""
    edits: dict[str, str] = {}
    with st.container(border=True):
        st.markdown(f"#### {index + 1}. {entry.title}")
        for name in CARD_FIELDS:
            key = f"{prefix}_{version}_{index}_{name}"
            st.session_state.setdefault(key, getattr(entry, name))
            edits[name] = st.text_input(t(f"field.{name}"), key=key, persist_state=KEEP)
        if entry.metrics:
            st.markdown(f"**{t('metrics.title')}**")
            st.dataframe(metric_rows(entry), hide_index=True, width="stretch")
        if entry.missing:
            parts = ", ".join(t(f"missing.{part}") for part in entry.missing)
            st.warning(t("missing.title", parts=parts), icon=":material/extension:")
        if entry.questions:
            st.markdown(f"**{t('questions.title')}**")
            st.markdown("\n".join(f"- {question}" for question in entry.questions))
    return entry.model_copy(update=edits)


def show_result(result: RewriteResult, *, prefix: str = "star") -> RewriteResult:
    """Warnings first (e.g. the LLM fell back), then the cards, then the Markdown to copy."""
    from coach.flows.rewrite import to_markdown

    show_warnings(result.warnings)
    st.caption(t("common.engine_used", engine=result.engine))
    if not result.entries:
        st.info(t("rewrite.no_entries"))
        return result
    st.subheader(t("rewrite.entries", n=len(result.entries)))
    st.caption(t("rewrite.edit_hint"))
    version = st.session_state.get("rewrite_version", 0)
    entries = list(result.entries)
    pages = -(-len(entries) // PAGE_SIZE)
    page = 0
    if pages > 1:
        chosen = st.number_input(
            t("rewrite.page", n=pages, total=len(entries), size=PAGE_SIZE),
            min_value=1,
            max_value=pages,
            value=1,
            step=1,
            key=f"{prefix}_page",
        )
        page = int(chosen) - 1
    first = page * PAGE_SIZE
    for index in range(first, min(len(entries), first + PAGE_SIZE)):
        entries[index] = star_card(entries[index], index, version, prefix)
    edited = result.model_copy(update={"entries": entries})
    if result.next:
        with st.expander(t("rewrite.next", n=len(result.next)), expanded=False):
            st.markdown("\n".join(f"- {item}" for item in result.next))
    st.subheader(t("rewrite.markdown"))
    copy_block(to_markdown(edited), "star.md", key=f"{prefix}_download")
    return edited


def render() -> None:
    st.title(t("rewrite.title"))
    st.caption(t("rewrite.intro"))
    notes = text_box("rewrite.notes", NOTES_KEY, height=220, placeholder="rewrite.placeholder")
    buttons = st.container(horizontal=True)
    clicked = buttons.button(t("rewrite.generate"), type="primary", key="rewrite_generate")
    sample = sample_notes(lang())
    if sample is not None:
        buttons.button(t("rewrite.sample"), key="rewrite_sample", on_click=_load_sample, args=(sample,))
    if clicked:
        generate(notes)
    result = st.session_state.get("rewrite_result")
    if isinstance(result, RewriteResult):
        edited = show_result(result)
        if edited != result:
            # The agenda is built from the saved prep, so it should say what the user edited.
            st.session_state["rewrite_result"] = edited
            attempt(lambda: remember_prep(settings(), rewrite=edited))
