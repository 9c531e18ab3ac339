"""Ask page: a chat over past meetings; every answer shows the passages it cites."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from coach.models import AskResult, Meeting, Source
from ui.common import attempt, settings, show_warnings, t

MEETING_PARAM = "meeting"


def meeting_link(file: str) -> str:
    """A link that opens this meeting on the Ask page (`?meeting=FILE`), shareable and bookmarkable."""
    return f"?{urlencode({MEETING_PARAM: file})}"


def meeting_body(file: str) -> tuple[Meeting, str] | None:
    """The stored meeting and its Markdown as the user wrote (or recorded) it, front matter aside."""
    import frontmatter

    from coach.memory.markdown import render_meeting
    from coach.memory.store import Store

    store = Store.open(settings())
    meeting = store.meeting(file)
    if meeting is None:
        return None
    raw = store.raw(file) or render_meeting(meeting, store.actions())
    return meeting, frontmatter.loads(raw).content.strip()


def show_meeting(file: str) -> None:
    """Header (date, with whom, title) then the meeting's Markdown; a missing file says what to do."""
    found = attempt(lambda: meeting_body(file))
    if found is None:
        st.warning(t("ask.meeting_missing", file=file), icon=":material/search_off:")
        return
    meeting, body = found
    header = " · ".join(part for part in (meeting.date.isoformat(), meeting.with_, meeting.title) if part)
    st.markdown(f"**{header}**")
    st.markdown(body)


def show_sources(sources: list[Source]) -> None:
    if not sources:
        return
    st.markdown(f"**{t('ask.sources')}**")
    for number, source in enumerate(sources, start=1):
        link = f"[{t('ask.open_link')}]({meeting_link(source.file)})"
        st.markdown(f"[{number}] {source.meeting.isoformat()} · `{source.file}` · {link}")
        st.caption(source.excerpt)
        with st.expander(t("ask.open_meeting") + f" ({source.file})", expanded=False):
            show_meeting(source.file)


def linked_meeting() -> None:
    """The meeting named by `?meeting=FILE`, above the chat, until the user closes it."""
    file = st.query_params.get(MEETING_PARAM)
    if not file:
        return
    with st.container(border=True):
        st.subheader(t("ask.meeting", file=file))
        show_meeting(file)
        if st.button(t("ask.close_meeting"), key="ask_close_meeting"):
            del st.query_params[MEETING_PARAM]
            st.rerun()


def show_turn(turn: dict[str, Any]) -> None:
    with st.chat_message(turn["role"]):
        # Keep the answer's line breaks (one cited line per row) in Markdown.
        st.markdown(str(turn["content"]).replace("\n", "  \n"))
        result = turn.get("result")
        if isinstance(result, AskResult):
            show_warnings(result.warnings)
            if not result.found and not result.sources:  # with sources, the answer says what is missing
                st.caption(t("ask.not_found"))
            show_sources(result.sources)
            if result.why:
                with st.expander(t("ask.why")):
                    st.caption(result.why)


def answer(question: str) -> AskResult | None:
    """Stream the answer when the engine streams; otherwise one call."""
    from coach.flows import ask as flow

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


def empty_state() -> None:
    """With no meetings stored, say how to get some instead of answering "not found" to everything."""
    from coach.memory.store import Store

    stored = attempt(lambda: Store.open(settings()).meeting_files())
    if stored is not None and not stored:
        st.info(t("ask.empty"), icon=":material/info:")


def render() -> None:
    st.title(t("ask.title"))
    st.caption(t("ask.intro"))
    linked_meeting()
    history: list[dict[str, Any]] = st.session_state["ask_history"]
    if not history:
        empty_state()
    if history and st.button(t("ask.clear"), key="ask_clear"):
        history.clear()
    for turn in history:
        show_turn(turn)
    question = st.chat_input(t("ask.input"), key="ask_input")
    if not question:
        return
    history.append({"role": "user", "content": question})
    show_turn(history[-1])
    with st.chat_message("assistant"):
        result = answer(question)
    if result is not None:
        history.append({"role": "assistant", "content": result.answer, "result": result})
        st.rerun()
