"""1on1 Coach: the router. Session defaults, the shared sidebar, then the chosen page."""

from __future__ import annotations

import streamlit as st

from coach.errors import ConfigError
from ui import actions, ask, common, prepare, record, review, rewrite

PAGES = (
    (rewrite.render, "rewrite", ":material/edit_note:"),
    (prepare.render, "prepare", ":material/checklist:"),
    (record.render, "record", ":material/edit_calendar:"),
    (actions.render, "actions", ":material/task_alt:"),
    (ask.render, "ask", ":material/forum:"),
    (review.render, "review", ":material/insights:"),
)

st.set_page_config(page_title="1on1 Coach", page_icon=":material/record_voice_over:", layout="wide")
try:
    common.init_session()
    common.sidebar()
    common.repair_index_once()  # once per process: meetings stored but missing from the index
except ConfigError as exc:  # a bad COACH_* / OPENAI_* setting: say which and how to fix it
    common.settings_failed(exc)
page = st.navigation(
    [
        st.Page(render, title=common.t(f"nav.{name}"), icon=icon, url_path=name, default=name == "rewrite")
        for render, name, icon in PAGES
    ]
)
page.run()
