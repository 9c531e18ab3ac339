"""The action ledger across meetings: what is open, what is overdue, and how to open the next 1on1.

The next meeting starts with a progress report on what was promised last time; `opening_lines`
writes it from the ledger so the user never has to remember it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from coach.config import Settings, load_settings
from coach.memory.store import DROPPED, Store
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
        if language == "ja":
            return f"前回約束した{name}は不要になったため取りやめました。"
        return f"Last time I promised {name}: dropped, it is no longer needed."
    if action.status == "done":
        if language == "ja":
            result = _sentence(action.result) if action.result else "[結果を一言で]"
            return f"前回約束した{name}は完了しました。結果として{result}。"
        result = _sentence(action.result) if action.result else "[result in one line]"
        return f"Last time I promised {name}: done — result: {result}."
    if due and action.due and action.due < today:
        if language == "ja":
            return f"{name}: 期限 {due} を過ぎています。現状と新しい期限を共有します。"
        return f"{name}: overdue since {due} — sharing where it stands and a new date."
    if language == "ja":
        return f"{name}: まだ途中です(期限 {due})" if due else f"{name}: まだ途中です"
    return f"{name}: still in progress (due {due})" if due else f"{name}: still in progress"


_TABLE = {
    "en": (
        "# Actions (as of {as_of})",
        "| id | action | owner | due | status | from | done in | result |",
        "(none)",
        {
            "open": "open",
            "done": "done",
            "overdue": "overdue",
            "me": "me",
            "manager": "manager",
            "other": "other",
        },
    ),
    "ja": (
        "# アクション一覧({as_of}時点)",
        "| ID | アクション | 担当 | 期限 | 状態 | 出た会議 | 完了した会議 | 結果 |",
        "(なし)",
        {
            "open": "未完了",
            "done": "完了",
            "overdue": "期限切れ",
            "me": "自分",
            "manager": "上司",
            "other": "ほかの人",
        },
    ),
}


def to_markdown(report: ActionsReport, language: Language | None = None) -> str:
    """The ledger as a table in the user's language (COACH_LANG when not given)."""
    language = language or load_settings().language
    title, header, none, words = _TABLE[language]
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
