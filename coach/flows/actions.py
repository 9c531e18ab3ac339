"""The action ledger across meetings: what is open, what is overdue, and how to open the next 1on1.

The next meeting starts with a progress report on what was promised last time; `opening_lines`
writes it from the ledger so the user never has to remember it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from coach.config import Settings, load_settings
from coach.memory.store import DROPPED, Store
from coach.messages import labels, message
from coach.models import ActionItem, ActionsReport, Language


def actions_report(
    settings: Settings, only_open: bool = False, as_of: dt.date | None = None
) -> ActionsReport:
    store = Store.open(settings)
    return ActionsReport(
        as_of=as_of or dt.date.today(), actions=store.actions(status="open" if only_open else None)
    )


def mark_done(settings: Settings, action_id: int, result: str = "") -> ActionItem:
    """Close an action by hand (Actions page, `coach actions done`); kept across re-imports."""
    return Store.open(settings).mark_done(action_id, result.strip())


def overdue(actions: Iterable[ActionItem], as_of: dt.date) -> list[ActionItem]:
    return [a for a in actions if a.status == "open" and a.due is not None and a.due < as_of]


def _sentence(text: str) -> str:
    return text.strip().rstrip("。.")


def opening_lines(settings: Settings, language: Language, as_of: dt.date | None = None) -> list[str]:
    """One line per action of mine from the last meeting, then every older one still open."""
    today = as_of or dt.date.today()
    store = Store.open(settings)
    last = store.last_meeting_file(end=today)
    if last is None:
        return []
    mine = store.actions(owner="me")
    chosen = [a for a in mine if a.from_ == last] + [
        a for a in mine if a.from_ != last and a.status == "open"
    ]
    return [_line(action, language, today) for action in chosen]


def _line(action: ActionItem, language: Language, today: dt.date) -> str:
    name = _sentence(action.action)
    due = action.due.isoformat() if action.due else None
    if action.status == "done" and action.result == DROPPED:
        return message("actions.dropped", language, name=name)
    if action.status == "done":
        result = (
            _sentence(action.result) if action.result else message("actions.result_placeholder", language)
        )
        return message("actions.done", language, name=name, result=result)
    if due and action.due and action.due < today:
        return message("actions.overdue", language, name=name, due=due)
    if due:
        return message("actions.in_progress_due", language, name=name, due=due)
    return message("actions.in_progress", language, name=name)


def to_markdown(report: ActionsReport, language: Language | None = None) -> str:
    """The ledger as a table in the user's language (COACH_LANG when not given)."""
    language = language or load_settings().language
    table, words = labels("actions.table", language), labels("actions.word", language)
    title, header, none = table["title"], table["header"], table["none"]
    late = {a.id for a in overdue(report.actions, report.as_of)}
    lines = [title.format(as_of=report.as_of.isoformat()), "", header, "|---|---|---|---|---|---|---|---|"]
    for a in report.actions:
        status = "overdue" if a.id in late else a.status
        cells = [
            str(a.id or ""),
            a.action,
            words[a.owner] + (f" ({a.owner_name})" if a.owner_name and a.owner != "me" else ""),
            a.due.isoformat() if a.due else "",
            words[status],
            a.from_,
            a.done_in or "",
            (a.result or "").replace("\n", " "),
        ]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    if not report.actions:
        lines.append(f"| | {none} | | | | | | |")
    return "\n".join(lines)
