"""Prepare page: results, career intent, concerns, then the agenda to paste and pre-share."""

from __future__ import annotations

import streamlit as st

from coach.models import Agenda, IntentResult, NextMeetingPrep, RewriteResult, TriageResult
from ui import rewrite
from ui.common import KEEP, attempt, copy_block, remember_prep, settings, show_warnings, t

NOTES_KEY = "in_prepare_notes"
INTENT_KEY = "in_prepare_intent"
CONCERNS_KEY = "in_prepare_concerns"


def saved_prep() -> NextMeetingPrep:
    from coach.store import Store

    config = settings()
    prep = attempt(lambda: Store.open(config).load_prep())
    return prep or NextMeetingPrep()


def step_results(prep: NextMeetingPrep) -> None:
    st.subheader(t("prepare.step1"))
    saved = st.session_state.get("rewrite_result") or prep.rewrite
    if isinstance(saved, RewriteResult) and saved.entries:
        st.caption(t("prepare.step1_saved", n=len(saved.entries)))
    notes = st.text_area(
        t("rewrite.notes"),
        key=NOTES_KEY,
        height=150,
        placeholder=t("rewrite.placeholder"),
        persist_state=KEEP,
    )
    if st.button(t("rewrite.generate"), key="prepare_generate"):
        saved = rewrite.generate(notes) or saved
    if isinstance(saved, RewriteResult):
        with st.expander(t("rewrite.entries", n=len(saved.entries)), expanded=not saved.entries):
            show_warnings(saved.warnings)
            for entry in saved.entries:
                st.markdown(f"- **{entry.title}**: {entry.statement}")


def step_intent(prep: NextMeetingPrep) -> None:
    from coach.inputs import check_text
    from coach.intent import sharpen_intent

    st.subheader(t("prepare.step2"))
    raw = st.text_area(
        t("prepare.intent"),
        key=INTENT_KEY,
        height=90,
        placeholder=t("prepare.intent_placeholder"),
        persist_state=KEEP,
    )
    if st.button(t("prepare.sharpen"), key="prepare_sharpen"):
        config = settings()
        result = attempt(
            lambda: sharpen_intent(check_text(raw, what="intent", what_ja="キャリア意向"), config)
        )
        if result is not None:
            st.session_state["intent_result"] = result
            attempt(lambda: remember_prep(config, intent=result))
    shown = st.session_state.get("intent_result") or prep.intent
    if isinstance(shown, IntentResult):
        show_intent(shown)


def show_intent(result: IntentResult) -> None:
    show_warnings(result.warnings)
    marks = [
        f"{':material/check_circle:' if present else ':material/cancel:'} {t(label)}"
        for present, label in (
            (result.has.timeframe, "prepare.has_timeframe"),
            (result.has.scope, "prepare.has_scope"),
            (result.has.reason, "prepare.has_reason"),
        )
    ]
    st.markdown(" ・ ".join(marks))
    if result.drafts:
        st.markdown(f"**{t('prepare.drafts')}**")
        st.markdown("\n".join(f"- {draft}" for draft in result.drafts))
    if result.questions:
        st.markdown(f"**{t('questions.title')}**")
        st.markdown("\n".join(f"- {question}" for question in result.questions))
    if result.evidence:
        st.markdown(f"**{t('prepare.evidence')}**")
        st.markdown("\n".join(f"- {item}" for item in result.evidence))


def step_concerns(prep: NextMeetingPrep) -> None:
    from coach.inputs import check_text
    from coach.triage import triage_concerns

    st.subheader(t("prepare.step3"))
    raw = st.text_area(
        t("prepare.concerns"),
        key=CONCERNS_KEY,
        height=120,
        placeholder=t("prepare.concerns_placeholder"),
        persist_state=KEEP,
    )
    if st.button(t("prepare.triage"), key="prepare_triage"):
        config = settings()
        result = attempt(
            lambda: triage_concerns(check_text(raw, what="concerns", what_ja="懸念事項"), config)
        )
        if result is not None:
            st.session_state["triage_result"] = result
            attempt(lambda: remember_prep(config, triage=result))
    shown = st.session_state.get("triage_result") or prep.triage
    if isinstance(shown, TriageResult):
        show_warnings(shown.warnings)
        rows = [
            {
                t("prepare.concern"): item.concern,
                t("prepare.bucket"): t(f"bucket.{item.bucket}"),
                t("prepare.suggestion"): item.suggestion,
            }
            for item in shown.items
        ]
        st.dataframe(rows, hide_index=True, width="stretch")


def step_agenda() -> None:
    from coach.agenda import build_agenda

    st.subheader(t("prepare.agenda"))
    if st.button(t("prepare.build_agenda"), type="primary", key="prepare_agenda"):
        config = settings()
        agenda = attempt(lambda: build_agenda(config, language=config.language))
        if agenda is not None:
            st.session_state["agenda"] = agenda
    agenda = st.session_state.get("agenda")
    if not isinstance(agenda, Agenda):
        return
    if agenda.opening:
        st.markdown(f"**{t('prepare.opening')}**")
        st.markdown("\n".join(f"- {line}" for line in agenda.opening))
    notion, slack = st.tabs([t("prepare.notion"), t("prepare.slack")])
    with notion:
        copy_block(agenda.markdown, "agenda.md", key="agenda_download_md")
    with slack:
        copy_block(agenda.slack, "slack.txt", key="agenda_download_slack", language="text")


def render() -> None:
    st.title(t("prepare.title"))
    st.caption(t("prepare.intro"))
    prep = saved_prep()
    step_results(prep)
    st.divider()
    step_intent(prep)
    st.divider()
    step_concerns(prep)
    st.divider()
    step_agenda()
