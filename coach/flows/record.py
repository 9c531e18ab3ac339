"""The record saved right after a meeting: decisions, what was learned, and who does what by when.

A record becomes an ordinary meeting file (the same Markdown an import reads), so the ledger,
export and search treat recorded and imported meetings alike.
"""

from __future__ import annotations

from coach.config import Settings
from coach.flows.imports import index_after_commit, stored
from coach.memory.ledger import rebuild_ledger
from coach.memory.markdown import parse_meeting, render_meeting, writes_japanese
from coach.memory.store import Store
from coach.models import ActionItem, Language, Meeting, MeetingRecord, MeetingSection

_REPLACED = ("decisions", "info", "actions")
_HEADINGS: dict[str, tuple[str, str]] = {
    "decisions": ("決まったこと", "Decisions"),
    "info": ("得られた情報", "Info"),
    "actions": ("次のアクション", "Next actions"),
    "manager": ("上司のアクション", "Manager actions"),
}


def _language(record: MeetingRecord, fallback: Language) -> Language:
    texts = [*record.decisions, *record.info, record.notes, record.title or ""]
    texts += [a.action for a in (*record.my_actions, *record.manager_actions)]
    return "ja" if writes_japanese("".join(texts)) else fallback


def _bullets(items: list[str]) -> str:
    return "\n".join(f"- {item.strip()}" for item in items if item.strip())


def _checklist(actions: list[ActionItem], language: Language) -> str:
    lines = []
    for action in actions:
        text = " ".join(action.action.split())
        if not text:
            continue
        mark = "x" if action.status == "done" else " "
        due = ""
        if action.due:
            due = (
                f" (期限: {action.due.isoformat()})"
                if language == "ja"
                else f" (due: {action.due.isoformat()})"
            )
        lines.append(f"- [{mark}] {text}{due}")
    return "\n".join(lines)


def _target_file(record: MeetingRecord, store: Store) -> tuple[str, Meeting | None]:
    """The meeting this record updates (same date and title), or a new file name for that date."""
    day = record.date.isoformat()
    same_day = store.meetings(record.date, record.date)
    for meeting in same_day:
        if (meeting.title or "") == (record.title or "") or (not record.title and len(same_day) == 1):
            return meeting.file, meeting
    taken = set(store.meeting_files())
    name, n = f"{day}.md", 2
    while name in taken:
        name, n = f"{day}-{n}.md", n + 1
    return name, None


def save_record(record: MeetingRecord, settings: Settings) -> Meeting:
    """Save the record (the raw input first, so nothing typed is lost), then index it."""
    store = Store.open(settings)
    store.save_input("record", record.model_dump_json(by_alias=True))
    language = _language(record, settings.language)
    index = 0 if language == "ja" else 1
    file, existing = _target_file(record, store)

    sections = [s for s in (existing.sections if existing else []) if s.kind not in _REPLACED]
    for kind, body in (
        ("decisions", _bullets(record.decisions)),
        ("info", _bullets(record.info)),
        ("actions", _checklist(record.my_actions, language)),
    ):
        if body:
            sections.append(
                MeetingSection.model_validate({"kind": kind, "heading": _HEADINGS[kind][index], "text": body})
            )
    managers = _checklist(record.manager_actions, language)
    if managers:
        sections.append(MeetingSection(kind="actions", heading=_HEADINGS["manager"][index], text=managers))

    draft = Meeting.model_validate(
        {
            "file": file,
            "date": record.date,
            "with": record.with_ or (existing.with_ if existing else None),
            "title": record.title or (existing.title if existing else None),
            "preamble": record.notes.strip() or (existing.preamble if existing else ""),
            "sections": sections,
        }
    )
    raw = render_meeting(draft)
    parsed = parse_meeting(raw, file)
    with store.transaction() as db:
        outcome = store.upsert_meeting(db, stored(parsed, raw, source="record"))
        if outcome != "unchanged":
            rebuild_ledger(db)
    if outcome != "unchanged":
        index_after_commit(settings, [parsed.meeting])
    return parsed.meeting
