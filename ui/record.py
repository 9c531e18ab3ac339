"""Record page: what was decided, learned and promised, saved in seconds right after the 1on1.

Every input lives in session state, so a rerun, a page change or a failed save loses nothing;
the form is cleared only once the store has the meeting.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
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
    return pd.DataFrame(
        {"action": pd.Series(dtype="str"), "due": pd.Series(dtype="object"), "done": pd.Series(dtype="bool")}
    )


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
        column_order=("action", "done", "due"),
        column_config={
            "action": st.column_config.TextColumn(t("record.action"), width="large", required=True),
            "due": st.column_config.DateColumn(t("record.due"), format="YYYY-MM-DD"),
            "done": st.column_config.CheckboxColumn(t("record.done"), default=False),
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
                "done": pd.Series(
                    [_done(d) for d in (frame["done"] if "done" in frame else [False] * len(frame))],
                    dtype="bool",
                ),
            }
        )
    return rows


def _done(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true") or value == 1


def to_actions(rows: pd.DataFrame, owner: Owner) -> list[ActionItem]:
    items = []
    for row in rows.to_dict("records"):
        action = str(row.get("action") or "").strip()
        if action and action.lower() != "nan":
            status = "done" if _done(row.get("done")) else "open"
            items.append(
                ActionItem(action=action, owner=owner, due=_due(row.get("due")), status=status, from_="")
            )
    return items


def _lines(key: str) -> list[str]:
    return [
        line.strip(" -・*\t") for line in str(st.session_state.get(key) or "").splitlines() if line.strip()
    ]


FILE_KEY = "record_file"  # the stored meeting the form is editing (None: a new one)
CONFIRM_KEY = "record_confirm"  # the stored meeting a save would overwrite, waiting for a yes
DRAFT_KEY = "record_draft_seen"
KEPT_KEY = "record_kept"  # headings of the edited meeting's sections kept as written


def _table_data(owner: Owner) -> list[dict[str, str | bool | None]]:
    frame = st.session_state.get(f"{TABLES[owner]}_value", _empty_rows())
    out: list[dict[str, str | bool | None]] = []
    for row in frame.to_dict("records"):
        action = row.get("action")
        due = _due(row.get("due"))
        out.append(
            {
                "action": action if isinstance(action, str) else None,
                "due": due.isoformat() if due else None,
                "done": _done(row.get("done")),
            }
        )
    return out


def _snapshot() -> dict[str, Any]:
    """Everything the form holds, as JSON: the draft kept in the store on each change."""
    day = st.session_state.get(DATE_KEY)
    return {
        "date": day.isoformat() if isinstance(day, dt.date) else None,
        **{key: st.session_state.get(key) or "" for key in TEXT_KEYS},
        "me": _table_data("me"),
        "manager": _table_data("manager"),
        "file": st.session_state.get(FILE_KEY),
        "kept": st.session_state.get(KEPT_KEY) or [],
    }


def _fill(data: dict[str, Any]) -> None:
    """Put a draft or an opened meeting into the form (the editors start again from its rows)."""
    if data.get("date"):
        st.session_state[DATE_KEY] = dt.date.fromisoformat(str(data["date"]))
    for key in TEXT_KEYS:
        st.session_state[key] = str(data.get(key) or "")
    for owner in TABLES:
        rows = [
            {"due": None, "done": False, **row, "action": str(row["action"])}
            for row in data.get(owner, [])
            if row.get("action")
        ]
        st.session_state[f"{TABLES[owner]}_value"] = as_rows(pd.DataFrame(rows))
    st.session_state[FILE_KEY] = data.get("file")
    st.session_state[KEPT_KEY] = list(data.get("kept") or [])
    st.session_state["record_version"] += 1


def _restore_draft() -> None:
    """On a fresh page (a reload, a new tab) the form comes back from the store's draft."""
    if st.session_state.get(DRAFT_KEY):
        return
    st.session_state[DRAFT_KEY] = True
    from coach.flows.record import load_draft

    draft = attempt(lambda: load_draft(settings()))
    if draft:
        _fill(draft)
        st.session_state["record_last_draft"] = _snapshot()


def _keep_draft() -> None:
    snapshot = _snapshot()
    if snapshot != st.session_state.get("record_last_draft"):
        from coach.flows.record import save_draft

        if attempt(lambda: save_draft(snapshot, settings())) is not False:
            st.session_state["record_last_draft"] = snapshot


def clear_form() -> None:
    """An empty form (called before the widgets are drawn: their values are set, not dropped,
    because a browser keeps showing a widget's last value when its key merely disappears)."""
    for key in TEXT_KEYS:
        st.session_state[key] = ""
    st.session_state[DATE_KEY] = dt.date.today()
    for base in TABLES.values():
        st.session_state.pop(f"{base}_value", None)
    st.session_state[FILE_KEY] = None
    st.session_state[KEPT_KEY] = []
    st.session_state[CONFIRM_KEY] = None
    st.session_state["record_version"] += 1


def _new_meeting() -> None:
    """The "new meeting" button's callback: it runs before the widgets are drawn, so the form is
    cleared in the same run as the click (a second run, by st.rerun, widens the window in which
    text typed right after the click could meet the clearing values on their way to the page)."""
    from coach.flows.record import clear_draft

    clear_form()
    attempt(lambda: clear_draft(settings()))
    st.session_state["record_saved"] = None
    st.session_state["record_last_draft"] = None


def _record(my_rows: pd.DataFrame, manager_rows: pd.DataFrame) -> MeetingRecord:
    return MeetingRecord(
        date=st.session_state[DATE_KEY],
        title=(st.session_state.get(TITLE_KEY) or "").strip() or None,
        decisions=_lines(DECISIONS_KEY),
        info=_lines(INFO_KEY),
        my_actions=to_actions(my_rows, "me"),
        manager_actions=to_actions(manager_rows, "manager"),
        notes=(st.session_state.get(NOTES_KEY) or "").strip(),
        **{"with": (st.session_state.get(WITH_KEY) or "").strip() or None},
    )


def save(my_rows: pd.DataFrame, manager_rows: pd.DataFrame, overwrite: str | None = None) -> bool:
    """Save exactly what is on screen. The form stays as it is (a re-save after fixing a typo
    sends every row again); a save that would replace another stored meeting asks first."""
    from coach.errors import InputError
    from coach.flows.record import MeetingExists, save_record

    record = _record(my_rows, manager_rows)
    editing = overwrite or st.session_state.get(FILE_KEY)

    def store() -> Any:
        if not (
            record.decisions or record.info or record.my_actions or record.manager_actions or record.notes
        ):
            raise InputError(text("record.empty", "en"), text("record.empty", "ja"))
        return save_record(record, settings(), file=editing, if_exists="ask")

    st.session_state["record_saved"] = None
    st.session_state[CONFIRM_KEY] = None
    try:
        meeting = store()
    except MeetingExists as exists:
        st.session_state[CONFIRM_KEY] = exists.file
        return True  # drawn again with the question
    except Exception as exc:  # shown like every other failure; the form keeps its inputs
        from ui.common import show_error

        show_error(exc)
        return False
    count = len(record.my_actions) + len(record.manager_actions)
    st.session_state["record_saved"] = (meeting.file, count)
    st.session_state[FILE_KEY] = meeting.file
    return True


def _row(action: ActionItem) -> dict[str, Any]:
    return {"action": action.action, "due": action.due, "done": action.status == "done"}


def _saved_list() -> None:
    from coach.flows.record import record_of, saved_meetings

    meetings = attempt(lambda: saved_meetings(settings())) or []
    with st.expander(f"{t('record.saved_list')} ({len(meetings)})", expanded=False):
        if not meetings:
            st.caption(t("record.none"))
        for meeting in meetings[:50]:
            left, right = st.columns([5, 1])
            label = " · ".join(
                x for x in (meeting.date.isoformat(), meeting.with_ or "", meeting.title or "") if x
            )
            left.write(f"{label}  `{meeting.file}`")
            if right.button(t("record.open"), key=f"record_open_{meeting.file}"):
                opened = attempt(partial(record_of, meeting.file, settings()))
                if opened is not None:
                    _fill(
                        {
                            "date": opened.date.isoformat(),
                            WITH_KEY: opened.with_ or "",
                            TITLE_KEY: opened.title or "",
                            DECISIONS_KEY: "\n".join(opened.decisions),
                            INFO_KEY: "\n".join(opened.info),
                            NOTES_KEY: opened.notes,
                            "me": [_row(a) for a in opened.my_actions],
                            "manager": [_row(a) for a in opened.manager_actions],
                            "file": meeting.file,
                            "kept": opened.kept,
                        }
                    )
                    st.session_state["record_saved"] = None
                    st.rerun()


def render() -> None:
    st.title(t("record.title"))
    st.caption(t("record.intro"))
    _restore_draft()
    _saved_list()
    editing = st.session_state.get(FILE_KEY)
    top_left, top_right = st.columns([4, 1])
    if editing:
        top_left.info(t("record.editing", file=editing), icon=":material/edit:")
        if kept := st.session_state.get(KEPT_KEY):
            st.caption(t("record.kept", sections=", ".join(kept)))
    top_right.button(t("record.new"), key="record_new", on_click=_new_meeting)
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
    _keep_draft()
    confirm = st.session_state.get(CONFIRM_KEY)
    if confirm:
        st.warning(t("record.exists", file=confirm), icon=":material/warning:")
        yes, no = st.columns(2)
        if yes.button(t("record.overwrite"), key="record_overwrite") and save(
            mine, theirs, overwrite=confirm
        ):
            st.rerun()
        if no.button(t("record.keep"), key="record_keep"):
            st.session_state[CONFIRM_KEY] = None
            st.rerun()
    if st.button(t("record.save"), type="primary", key="record_save") and save(mine, theirs):
        st.rerun()
