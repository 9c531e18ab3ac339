"""Ask page: a chat over past meetings; every answer shows the passages it cites."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import streamlit as st

from coach.models import AskResult, Meeting, Source
from ui.common import attempt, settings, show_warnings, t


def meeting_text(meeting: Meeting) -> str:
    parts = [meeting.preamble] if meeting.preamble else []
    parts += [f"**{section.heading}**\n\n{section.text}" for section in meeting.sections]
    return "\n\n".join(parts)


def show_sources(sources: list[Source], turn: int) -> None:
    from coach.store import Store

    if not sources:
        return
    st.markdown(f"**{t('ask.sources')}**")
    for number, source in enumerate(sources, start=1):
        st.markdown(f"[{number}] {source.meeting.isoformat()} · `{source.file}`")
        st.caption(source.excerpt)
        with st.expander(t("ask.open_meeting") + f" ({source.file})", expanded=False):
            meeting = attempt(lambda file=source.file: Store.open(settings()).meeting(file))  # type: ignore[misc]
            if isinstance(meeting, Meeting):
                st.markdown(meeting_text(meeting))


def show_turn(turn: dict[str, Any], index: int) -> None:
    with st.chat_message(turn["role"]):
        # Keep the answer's line breaks (one cited line per row) in Markdown.
        st.markdown(str(turn["content"]).replace("\n", "  \n"))
        result = turn.get("result")
        if isinstance(result, AskResult):
            show_warnings(result.warnings)
            if not result.found:
                st.caption(t("ask.not_found"))
            show_sources(result.sources, index)


def answer(question: str) -> AskResult | None:
    """Stream the answer when the engine streams; otherwise one call."""
    from coach import ask as flow

    config = settings()
    if config.engine == "llm":
        holder: dict[str, AskResult] = {}

        def chunks() -> Iterator[str]:
            for piece in flow.ask_stream(question, config):
                if isinstance(piece, AskResult):
                    holder["result"] = piece
                else:
                    yield piece

        written = attempt(lambda: st.write_stream(chunks()))
        result = holder.get("result")
        if result is None and isinstance(written, str):
            result = AskResult(answer=written, found=bool(written), sources=[], engine=config.engine)
        return result
    return attempt(lambda: flow.ask(question, config))


def render() -> None:
    st.title(t("ask.title"))
    st.caption(t("ask.intro"))
    history: list[dict[str, Any]] = st.session_state["ask_history"]
    if history and st.button(t("ask.clear"), key="ask_clear"):
        history.clear()
    for index, turn in enumerate(history):
        show_turn(turn, index)
    question = st.chat_input(t("ask.input"), key="ask_input")
    if not question:
        return
    history.append({"role": "user", "content": question})
    show_turn(history[-1], len(history) - 1)
    with st.chat_message("assistant"):
        result = answer(question)
    if result is not None:
        history.append({"role": "assistant", "content": result.answer, "result": result})
        st.rerun()
