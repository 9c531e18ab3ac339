"""1on1 Coach: the router. Session defaults, the shared sidebar, then the chosen page."""

from __future__ import annotations

import streamlit as st

from ui import actions, ask, common, prepare, record, review, rewrite

st.set_page_config(page_title="1on1 Coach", page_icon=":material/record_voice_over:", layout="wide")
common.init_session()
common.sidebar()

page = st.navigation(
    [
        st.Page(rewrite.render, title=common.t("nav.rewrite"), icon=":material/edit_note:", url_path="rewrite", default=True),
        st.Page(prepare.render, title=common.t("nav.prepare"), icon=":material/checklist:", url_path="prepare"),
        st.Page(record.render, title=common.t("nav.record"), icon=":material/edit_calendar:", url_path="record"),
        st.Page(actions.render, title=common.t("nav.actions"), icon=":material/task_alt:", url_path="actions"),
        st.Page(ask.render, title=common.t("nav.ask"), icon=":material/forum:", url_path="ask"),
        st.Page(review.render, title=common.t("nav.review"), icon=":material/insights:", url_path="review"),
    ]
)
page.run()
