"""Record page: what was decided, learned and promised, saved in seconds right after the 1on1.

Every input lives in session state, so a rerun, a page change or a failed save loses nothing;
the form is cleared only once the store has the meeting.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from coach.models import ActionItem, MeetingRecord, Owner
from ui.common import KEEP, attempt, settings, t
from ui.i18n import text

DATE_KEY = "in_record_date"
WITH_KEY = "in_record_with"
TITLE_KEY = "in_record_title"
DECISIONS_KEY = "in_record_decisions"
INFO_KEY = "in_record_info"
NOTES_KEY = "in_record_notes"
TEXT_KEYS = (WITH_KEY, TITLE_KEY, DECISIONS_KEY, INFO_KEY, NOTES_KEY)
TABLES: dict[Owner, str] = {"me": "record_my_actions", "manager": "record_manager_actions"}


def _empty_rows() -> pd.DataFrame:
    return pd.DataFrame({"action": pd.Series(dtype="str"), "due": pd.Series(dtype="object")})


def action_table(owner: Owner, label: str) -> pd.DataFrame:
    """A data_editor whose rows outlive page changes.

    Streamlit forgets an editor's edits when another page is shown; its last value is kept
    under `<base>_value` and becomes the starting rows the next time the editor is drawn fresh.
    """
    base = TABLES[owner]
    editor_key = f"{base}_editor_{st.session_state['record_version']}"
    if editor_key not in st.session_state:
        st.session_state[f"{base}_rows"] = st.session_state.get(f"{base}_value", _empty_rows())
    st.markdown(f"**{label}**")
    value: pd.DataFrame = st.data_editor(
        st.session_state[f"{base}_rows"],
        key=editor_key,
        num_rows="dynamic",
        width="stretch",
        column_config={
            "action": st.column_config.TextColumn(t("record.action"), width="large", required=True),
            "due": st.column_config.DateColumn(t("record.due"), format="YYYY-MM-DD"),
        },
    )
    st.session_state[f"{base}_value"] = as_rows(value)
    return value


def _due(value: Any) -> dt.date | None:
    if value is None or (not isinstance(value, str | dt.date) and bool(pd.isna(value))):
        return None
    if isinstance(value, dt.datetime):  # pd.Timestamp too
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def as_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The editor hands dates back as ISO strings; its next start needs real dates again."""
    rows = _empty_rows()
    if len(frame):
        rows = pd.DataFrame(
            {
                "action": pd.Series(
                    [str(a) if isinstance(a, str) else None for a in frame["action"]], dtype="object"
                ),
                "due": pd.Series([_due(d) for d in frame["due"]], dtype="object"),
            }
        )
    return rows


def to_actions(rows: pd.DataFrame, owner: Owner) -> list[ActionItem]:
    items = []
    for row in rows.to_dict("records"):
        action = str(row.get("action") or "").strip()
        if action and action.lower() != "nan":
            items.append(ActionItem(action=action, owner=owner, due=_due(row.get("due")), from_=""))
    return items


def _lines(key: str) -> list[str]:
    return [
        line.strip(" -・*\t") for line in str(st.session_state.get(key) or "").splitlines() if line.strip()
    ]


def clear_form() -> None:
    for key in (*TEXT_KEYS, DATE_KEY):
        st.session_state.pop(key, None)
    for base in TABLES.values():
        st.session_state.pop(f"{base}_value", None)
    st.session_state["record_version"] += 1


def save(my_rows: pd.DataFrame, manager_rows: pd.DataFrame) -> None:
    from coach.errors import InputError
    from coach.flows.record import save_record

    record = MeetingRecord(
        date=st.session_state[DATE_KEY],
        title=(st.session_state.get(TITLE_KEY) or "").strip() or None,
        decisions=_lines(DECISIONS_KEY),
        info=_lines(INFO_KEY),
        my_actions=to_actions(my_rows, "me"),
        manager_actions=to_actions(manager_rows, "manager"),
        notes=(st.session_state.get(NOTES_KEY) or "").strip(),
        **{"with": (st.session_state.get(WITH_KEY) or "").strip() or None},
    )

    def store() -> Any:
        if not (
            record.decisions or record.info or record.my_actions or record.manager_actions or record.notes
        ):
            raise InputError(text("record.empty", "en"), text("record.empty", "ja"))
        return save_record(record, settings())

    st.session_state["record_saved"] = None
    meeting = attempt(store)
    if meeting is not None:
        count = len(record.my_actions) + len(record.manager_actions)
        st.session_state["record_saved"] = (meeting.file, count)
        clear_form()
        st.rerun()


def render() -> None:
    st.title(t("record.title"))
    st.caption(t("record.intro"))
    saved = st.session_state.get("record_saved")
    if saved:
        st.success(t("record.saved", file=saved[0], n=saved[1]), icon=":material/check_circle:")
    st.session_state.setdefault(DATE_KEY, dt.date.today())
    left, middle, right = st.columns([1, 1, 2])
    left.date_input(t("record.date"), key=DATE_KEY, persist_state=KEEP)
    middle.text_input(t("record.with"), key=WITH_KEY, persist_state=KEEP)
    right.text_input(t("record.meeting_title"), key=TITLE_KEY, persist_state=KEEP)
    st.text_area(t("record.decisions"), key=DECISIONS_KEY, height=110, persist_state=KEEP)
    st.text_area(t("record.info"), key=INFO_KEY, height=90, persist_state=KEEP)
    mine = action_table("me", t("record.my_actions"))
    theirs = action_table("manager", t("record.manager_actions"))
    st.text_area(t("record.notes"), key=NOTES_KEY, height=80, persist_state=KEEP)
    if st.button(t("record.save"), type="primary", key="record_save"):
        save(mine, theirs)
