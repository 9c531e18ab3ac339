"""Prepare page: results, career intent, concerns, related past 1on1s, then the agenda."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from coach.config import Settings
from coach.models import Agenda, FollowUps, IntentResult, NextMeetingPrep, RewriteResult, TriageResult
from ui import rewrite
from ui.common import (
    attempt,
    bullets,
    copy_block,
    settings,
    show_warnings,
    t,
    text_box,
    wrapped_table,
)

NOTES_KEY = "in_prepare_notes"
INTENT_KEY = "in_prepare_intent"
CONCERNS_KEY = "in_prepare_concerns"
FOLLOWUPS_KEY = "followups"
#: How many past meetings to suggest: enough to cover a few topics, few enough to read before the 1on1.
FOLLOWUPS_SHOWN = 5


@dataclass(frozen=True)
class Step:
    """One "type, press, see the result" step; the flow saves its result as `part` of the prep."""

    title: str
    label: str
    placeholder: str
    key: str
    height: int
    button: str
    button_key: str
    what: tuple[str, str]  # (en, ja) name of the input, for the empty-input message
    part: str  # the NextMeetingPrep field, also the session key `<part>_result`


INTENT = Step(
    "prepare.step2",
    "prepare.intent",
    "prepare.intent_placeholder",
    INTENT_KEY,
    90,
    "prepare.sharpen",
    "prepare_sharpen",
    ("intent", "キャリア意向"),
    "intent",
)
CONCERNS = Step(
    "prepare.step3",
    "prepare.concerns",
    "prepare.concerns_placeholder",
    CONCERNS_KEY,
    120,
    "prepare.triage",
    "prepare_triage",
    ("concerns", "懸念事項"),
    "triage",
)


def saved_prep() -> NextMeetingPrep:
    from coach.memory.store import Store

    config = settings()
    prep = attempt(lambda: Store.open(config).load_prep())
    return prep or NextMeetingPrep()


def run_step(step: Step, prep: NextMeetingPrep, flow: Callable[[str, Settings], Any]) -> Any:
    """Draw the step's input and button; return this session's result, else the saved one."""
    from coach.text.inputs import check_text

    st.subheader(t(step.title))
    raw = text_box(step.label, step.key, height=step.height, placeholder=step.placeholder)
    if st.button(t(step.button), key=step.button_key):
        config = settings()
        # The core flow saves its result as this part of the prep; the session shows it at once.
        result = attempt(lambda: flow(check_text(raw, what=step.what[0], what_ja=step.what[1]), config))
        if result is not None:
            st.session_state[f"{step.part}_result"] = result
    return st.session_state.get(f"{step.part}_result") or getattr(prep, step.part)


def step_results(prep: NextMeetingPrep) -> None:
    st.subheader(t("prepare.step1"))
    saved = st.session_state.get("rewrite_result") or prep.rewrite
    if isinstance(saved, RewriteResult) and saved.entries:
        st.caption(t("prepare.step1_saved", n=len(saved.entries)))
    notes = text_box("rewrite.notes", NOTES_KEY, height=150, placeholder="rewrite.placeholder")
    if st.button(t("rewrite.generate"), key="prepare_generate"):
        saved = rewrite.generate(notes) or saved
    if isinstance(saved, RewriteResult):
        with st.expander(t("rewrite.entries", n=len(saved.entries)), expanded=not saved.entries):
            show_warnings(saved.warnings)
            if not saved.entries:
                st.caption(t("rewrite.no_entries"))
            for entry in saved.entries:
                st.markdown(f"- **{entry.title}**: {entry.statement}")


def step_intent(prep: NextMeetingPrep) -> None:
    from coach.flows.intent import sharpen_intent

    shown = run_step(INTENT, prep, sharpen_intent)
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
    if result.has.why:
        labels = {
            "timeframe": "prepare.has_timeframe",
            "scope": "prepare.has_scope",
            "reason": "prepare.has_reason",
        }
        with st.expander(t("prepare.why")):
            bullets([f"{t(labels[name])}: {line}" for name, line in result.has.why.items() if name in labels])
    for title, lines in (
        ("prepare.drafts", result.drafts),
        ("questions.title", result.questions),
        ("prepare.evidence", result.evidence),
    ):
        if lines:
            st.markdown(f"**{t(title)}**")
            bullets(lines)


def step_concerns(prep: NextMeetingPrep) -> None:
    from coach.flows.triage import triage_concerns

    shown = run_step(CONCERNS, prep, triage_concerns)
    if isinstance(shown, TriageResult):
        show_warnings(shown.warnings)
        rows = [
            {
                t("prepare.concern"): item.concern,
                t("prepare.bucket"): t(f"bucket.{item.bucket}"),
                t("prepare.suggestion"): item.suggestion,
                t("prepare.why_bucket"): item.why,
            }
            for item in shown.items
        ]
        wrapped_table(rows)


def topics_of(prep: NextMeetingPrep) -> str:
    """What the next 1on1 is about, one topic a line: the text typed on this page, and for an
    empty box the part saved earlier (so the suggestions survive a restart of the app)."""
    saved = {
        NOTES_KEY: [e.title for e in prep.rewrite.entries] if prep.rewrite else [],
        INTENT_KEY: [prep.intent.intent] if prep.intent else [],
        CONCERNS_KEY: [i.concern for i in prep.triage.items] if prep.triage else [],
    }
    parts = [str(st.session_state.get(key) or "").strip() or "\n".join(saved[key]) for key in saved]
    return "\n".join(part for part in parts if part.strip())


def find_followups(topics: str, meetings: dict[str, str], config: Settings) -> FollowUps | None:
    """Search again only when the topics or the stored meetings changed since the last search."""
    from coach.flows.followups import suggest_followups

    fingerprint = (topics, tuple(sorted(meetings.items())))
    cached = st.session_state.get(FOLLOWUPS_KEY)
    if isinstance(cached, tuple) and cached[0] == fingerprint and isinstance(cached[1], FollowUps):
        return cached[1]
    found = attempt(lambda: suggest_followups(topics, config, k=FOLLOWUPS_SHOWN))
    if found is not None:
        st.session_state[FOLLOWUPS_KEY] = (fingerprint, found)
    return found


def step_followups(prep: NextMeetingPrep) -> None:
    from coach.memory.store import Store

    st.subheader(t("prepare.followups"))
    topics = topics_of(prep)
    if not topics:
        st.info(t("prepare.followups_need_text"), icon=":material/info:")
        return
    config = settings()
    meetings = attempt(lambda: Store.open(config).meeting_files())
    if meetings is not None and not meetings:
        st.info(t("prepare.followups_no_meetings"), icon=":material/info:")
    found = find_followups(topics, meetings, config) if meetings else None
    if found is None:
        return
    if not found.results:
        st.caption(t("prepare.followups_none"))
        return
    st.caption(t("prepare.followups_intro"))
    for item in found.results:
        with st.container(border=True):
            st.markdown(f"**{item.meeting.isoformat()}** · `{item.file}`")
            if item.topic:
                st.markdown(f"{t('prepare.followup_topic')}: {item.topic}")
            for title, lines in (
                ("prepare.followup_decided", item.decided),
                ("prepare.followup_open", item.open_actions),
            ):
                if lines:
                    st.markdown(f"**{t(title)}**")
                    bullets(lines)


def step_agenda() -> None:
    from coach.flows.actions import opening_lines
    from coach.flows.agenda import build_agenda

    st.subheader(t("prepare.agenda"))
    config = settings()
    st.markdown(f"**{t('prepare.opening')}**")
    opening = attempt(lambda: opening_lines(config, config.language))
    if opening:
        bullets(opening)
    elif opening is not None:
        st.caption(t("prepare.opening_none"))
    if st.button(t("prepare.build_agenda"), type="primary", key="prepare_agenda"):
        agenda = attempt(lambda: build_agenda(config, language=config.language))
        if agenda is not None:
            st.session_state["agenda"] = agenda
    agenda = st.session_state.get("agenda")
    if not isinstance(agenda, Agenda):
        return
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
    step_followups(prep)
    st.divider()
    step_agenda()
