"""Actions page: the ledger across meetings, marking done, opening lines, importing notes."""

from __future__ import annotations

import datetime as dt
import tempfile
import zipfile
from io import BytesIO
from pathlib import Path, PurePosixPath
from typing import Any

import streamlit as st

from coach.config import Settings
from coach.models import ActionItem, ActionsReport, ImportReport
from ui.common import (
    KEEP,
    attempt,
    copy_block,
    flash,
    progress_bar,
    settings,
    show_flash,
    show_warnings,
    t,
)
from ui.i18n import text

OWNER_KEY = "actions_owner"
RESULT_KEY = "in_actions_result"


def action_rows(items: list[ActionItem], *, done: bool) -> list[dict[str, str]]:
    rows = []
    for item in items:
        row = {
            t("actions.col_action"): item.action,
            t("actions.col_owner"): owner_label(item),
            t("actions.col_due"): item.due.isoformat() if item.due else "",
            t("actions.col_from"): item.from_,
        }
        if done:
            row[t("actions.col_done_in")] = item.done_in or ""
            row[t("actions.col_result")] = item.result or ""
        row[t("actions.col_why")] = item.why
        rows.append(row)
    return rows


def owner_label(item: ActionItem) -> str:
    """Whose action, with the person's name when it was written (`マネージャー (鈴木)`), so two
    managers or two teammates never read as one."""
    label = t(f"owner.{item.owner}")
    return f"{label} ({item.owner_name})" if item.owner_name and item.owner != "me" else label


def ledger(report: ActionsReport, owner: str) -> list[ActionItem]:
    """Draw overdue / open / done for the chosen owner; return the open ones (to mark done)."""
    items = [a for a in report.actions if owner == "all" or a.owner == owner]
    still_open = [a for a in items if a.status == "open"]
    overdue = [a for a in still_open if a.due is not None and a.due < report.as_of]
    pending = [a for a in still_open if a not in overdue]
    done = [a for a in items if a.status == "done"]
    for label, group, is_done in (
        ("actions.overdue", overdue, False),
        ("actions.open", pending, False),
        ("actions.done", done, True),
    ):
        st.subheader(t(label, n=len(group)))
        if group:
            st.dataframe(
                action_rows(group, done=is_done),
                hide_index=True,
                width="stretch",
                column_config={
                    t(name): st.column_config.TextColumn(width="small")
                    for name in ("actions.col_owner", "actions.col_due")
                },
            )
        else:
            st.caption(t("common.none_yet"))
    return still_open


def mark_done_form(still_open: list[ActionItem]) -> None:
    from coach.flows.actions import mark_done

    # Labels are fixed at render time: a format_func must not read session state later.
    labels = {
        a.id: f"{a.action} ({t(f'owner.{a.owner}')}, {a.from_})" for a in still_open if a.id is not None
    }
    if not labels:
        return
    st.subheader(t("actions.mark_done"))
    picked = st.selectbox(
        t("actions.pick"),
        options=list(labels),
        format_func=labels.__getitem__,
        key="actions_pick",
    )
    st.text_input(t("actions.result"), key=RESULT_KEY, persist_state=KEEP)
    if st.button(t("actions.mark_done"), key="actions_mark_done") and picked is not None:
        action_id = picked
        outcome = st.session_state.get(RESULT_KEY) or ""
        done = attempt(lambda: mark_done(settings(), action_id, result=outcome))
        if done is not None:
            st.session_state.pop(RESULT_KEY, None)
            flash(t("actions.marked", action=done.action))
            st.rerun()


def opening(config: Settings) -> None:
    from coach.flows.actions import opening_lines

    st.subheader(t("actions.opening"))
    lines = attempt(lambda: opening_lines(config, config.language))
    if lines:
        copy_block("\n".join(lines), "opening.txt", key="actions_opening_download", language="text")
    elif lines is not None:
        st.caption(t("common.none_yet"))


def write_uploads(files: list[Any], directory: Path) -> int:
    """Uploaded .md files (or .md inside zips) into a temp dir, by base name only."""
    count = 0
    for upload in files:
        name = PurePosixPath(upload.name).name
        data = upload.getvalue()
        if name.lower().endswith(".zip"):
            with zipfile.ZipFile(BytesIO(data)) as archive:
                for member in archive.infolist():
                    inner = PurePosixPath(member.filename).name
                    if not member.is_dir() and inner.lower().endswith(".md") and not inner.startswith("."):
                        (directory / inner).write_bytes(archive.read(member))
                        count += 1
        elif name.lower().endswith(".md"):
            (directory / name).write_bytes(data)
            count += 1
    return count


def importer() -> None:
    from coach.errors import InputError
    from coach.flows.imports import import_dir

    st.subheader(t("actions.import"))
    files = st.file_uploader(
        t("actions.import_help"), type=["md", "zip"], accept_multiple_files=True, key="actions_upload"
    )
    if st.button(t("actions.import_button"), key="actions_import", disabled=not files):
        config = settings()
        with tempfile.TemporaryDirectory(prefix="coach-import-") as tmp:

            def run() -> ImportReport:
                try:
                    found = write_uploads(list(files or []), Path(tmp))
                except zipfile.BadZipFile:
                    found = 0
                if not found:
                    raise InputError(
                        text("actions.import_nothing", "en"), text("actions.import_nothing", "ja")
                    )
                with progress_bar() as report:
                    return import_dir(tmp, config, progress=report)

            result = attempt(run)
        if result is not None:
            st.session_state["import_report"] = result
            st.rerun()  # the ledger above was drawn before the import
    report = st.session_state.get("import_report")
    if isinstance(report, ImportReport):
        st.success(
            t(
                "actions.import_done",
                imported=report.imported,
                updated=report.updated,
                unchanged=report.unchanged,
            )
        )
        show_warnings(report.warnings)


def search_index() -> None:
    """Rebuild the derived chroma index from the store, with the core's progress shown."""
    from coach.flows.imports import reindex
    from coach.memory.store import Store

    st.subheader(t("actions.reindex"))
    st.caption(t("actions.reindex_help"))
    if not st.button(t("actions.reindex"), key="actions_reindex", icon=":material/refresh:"):
        return
    config = settings()
    if not attempt(lambda: Store.open(config).meeting_files()):
        st.info(t("actions.reindex_empty"), icon=":material/info:")
        return

    def run() -> int:
        with progress_bar() as report:
            return reindex(config, progress=report)

    passages = attempt(run)
    if passages is not None:
        st.success(t("actions.reindexed", n=passages), icon=":material/check_circle:")


def render() -> None:
    from coach.flows.actions import actions_report

    st.title(t("actions.title"))
    show_flash()
    config = settings()
    owners = {
        "all": t("actions.owner_all"),
        "me": t("owner.me"),
        "manager": t("owner.manager"),
        "other": t("owner.other"),
    }
    owner = st.radio(
        t("actions.owner"),
        options=list(owners),
        format_func=owners.__getitem__,
        horizontal=True,
        key=OWNER_KEY,
        persist_state=KEEP,
    )
    report = attempt(lambda: actions_report(config, as_of=dt.date.today()))
    still_open = ledger(report, owner) if report is not None else []
    mark_done_form(still_open)
    st.divider()
    opening(config)
    st.divider()
    importer()
    st.divider()
    search_index()
