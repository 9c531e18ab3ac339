"""The record saved right after a meeting: decisions, what was learned, and who does what by when.

A record becomes an ordinary meeting file (the same Markdown an import reads), so the ledger,
export and search treat recorded and imported meetings alike.

A meeting's identity is its date, its counterpart and its title: two 1on1s on one day with
different people are two meetings. Saving a record whose identity matches a stored meeting
updates it when the caller says so (`if_exists="update"`, or the file being edited), and
otherwise stops with `MeetingExists` so the page can ask first. What the user is typing is kept
as a draft in the store (`save_draft`), so a reload loses nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Literal

from coach.config import Settings
from coach.errors import CoachError
from coach.flows.imports import index_after_commit, stored
from coach.flows.meaning import ledger_meaning
from coach.memory.headings import DEFAULT_HEADINGS, MANAGER_ACTIONS_HEADING
from coach.memory.ledger import rebuild_ledger
from coach.memory.markdown import parse_meeting, render_meeting, writes_japanese
from coach.memory.people import name_keys
from coach.memory.store import ChecklistItem, Store
from coach.messages import both
from coach.models import ActionItem, Language, Meeting, MeetingRecord, MeetingSection
from coach.text.segment import split_items
from coach.text.similarity import compact

_REPLACED = ("decisions", "info", "actions")
DRAFT = "record"


def _nested_or_table(line: str) -> bool:
    return line.startswith((" ", "\t", "|"))


def kept_lines(section: MeetingSection, items: list[ChecklistItem]) -> list[str]:
    """The lines of a stored section the form cannot show, so saving the form keeps them as written.

    Decisions and information are shown one flat item per line: a section with nested lines or
    a table is kept whole. In an actions section, checkbox and TODO items of mine or my
    manager's are shown; every other line (a follow-up report, an action table with its status
    column, a teammate's item, a remark under an item) is kept. Other sections are not in the form.
    """
    lines = [line for line in section.text.splitlines() if line.strip()]
    if section.kind not in _REPLACED:
        return lines
    if section.kind != "actions":
        return lines if any(_nested_or_table(line) for line in lines) else []
    shown = {
        compact(item.source)
        for item in items
        if item.owner in ("me", "manager") and item.via in ("checkbox", "label")
    }
    return [line for line in lines if _nested_or_table(line) or compact(line) not in shown]


class MeetingExists(CoachError):
    """A stored meeting has the record's date, counterpart and title: ask before overwriting."""

    def __init__(self, file: str) -> None:
        super().__init__(*both("record.exists", file=file))
        self.key = "record.exists"
        self.file = file


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


def _same_person(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return not a and not b
    return bool(name_keys(a) & name_keys(b)) or a.strip() == b.strip()


def same_meeting(meeting: Meeting, record: MeetingRecord) -> bool:
    """Date, counterpart and title all agree (a record without a title matches an untitled one,
    or the only meeting with that person that day)."""
    if meeting.date != record.date:
        return False
    if record.with_ and meeting.with_ and not _same_person(record.with_, meeting.with_):
        return False
    return (meeting.title or "").strip() == (record.title or "").strip()


def _target_file(record: MeetingRecord, store: Store) -> tuple[str, Meeting | None]:
    """The meeting this record is (same identity), or a new file name for that date."""
    day = record.date.isoformat()
    same_day = store.meetings(record.date, record.date)
    for meeting in same_day:
        if same_meeting(meeting, record):
            return meeting.file, meeting
    if not record.title:
        with_person = [m for m in same_day if record.with_ and _same_person(m.with_, record.with_)]
        if len(with_person) == 1:
            return with_person[0].file, with_person[0]
        if len(same_day) == 1 and not record.with_ and not same_day[0].title:
            return same_day[0].file, same_day[0]
    taken = set(store.meeting_files())
    name, n = f"{day}.md", 2
    while name in taken:
        name, n = f"{day}-{n}.md", n + 1
    return name, None


def save_record(
    record: MeetingRecord,
    settings: Settings,
    *,
    file: str | None = None,
    if_exists: Literal["update", "ask"] = "update",
) -> Meeting:
    """Save the record (the raw input first, so nothing typed is lost), then index it.

    `file`: the stored meeting being edited (its identity may change: a typo in the title).
    `if_exists="ask"`: stop with `MeetingExists` instead of updating another stored meeting
    with the same identity."""
    store = Store.open(settings)
    store.save_input("record", record.model_dump_json(by_alias=True))
    language = _language(record, settings.language)
    index = 0 if language == "ja" else 1
    existing = store.meeting(file) if file else None
    if existing is None:
        file, existing = _target_file(record, store)
        if existing is not None and if_exists == "ask":
            raise MeetingExists(existing.file)
    assert file is not None

    kept = existing.sections if existing else []
    if existing is not None and (before := store.raw(existing.file)) is not None:
        checklist = parse_meeting(before, existing.file).checklist
        kept = [
            section.model_copy(update={"text": "\n".join(lines)})
            for section in existing.sections
            if (lines := kept_lines(section, checklist))
        ]
    sections = list(kept)
    for kind, body in (
        ("decisions", _bullets(record.decisions)),
        ("info", _bullets(record.info)),
        ("actions", _checklist(record.my_actions, language)),
    ):
        if body:
            sections.append(
                MeetingSection.model_validate(
                    {"kind": kind, "heading": DEFAULT_HEADINGS[kind][index], "text": body}  # type: ignore[index]
                )
            )
    managers = _checklist(record.manager_actions, language)
    if managers:
        sections.append(MeetingSection(kind="actions", heading=MANAGER_ACTIONS_HEADING[index], text=managers))

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
            rebuild_ledger(db, ledger_meaning(settings))
    if outcome != "unchanged":
        index_after_commit(settings, [parsed.meeting])
    return parsed.meeting


def saved_meetings(settings: Settings) -> list[Meeting]:
    """Every stored meeting, newest first: the list the Record page opens meetings from."""
    return sorted(Store.open(settings).meetings(), key=lambda m: (m.date, m.file), reverse=True)


def record_of(file: str, settings: Settings) -> MeetingRecord | None:
    """A stored meeting as the Record form shows it: decisions, information, my and my manager's
    actions (with their due and checked state) and the notes."""
    store = Store.open(settings)
    meeting, raw = store.meeting(file), store.raw(file)
    if meeting is None or raw is None:
        return None
    parsed = parse_meeting(raw, file)
    sections = parsed.meeting.sections
    kept = [kept_lines(s, parsed.checklist) for s in sections]  # by position: headings repeat
    shown = [s for s, lines in zip(sections, kept, strict=True) if s.kind in _REPLACED and not lines]
    held = {compact(line) for lines in kept for line in lines}
    in_actions = {compact(line) for s in sections if s.kind == "actions" for line in s.text.splitlines()}
    listed = [
        c
        for c in parsed.checklist
        if c.owner in ("me", "manager") and compact(c.source) in in_actions and compact(c.source) not in held
    ]
    mine = [
        ActionItem.model_validate(
            {"action": c.text, "due": c.due, "status": "done" if c.checked else "open", "from": file}
        )
        for c in listed
        if c.owner == "me"
    ]
    theirs = [
        ActionItem.model_validate(
            {
                "action": c.text,
                "owner": "manager",
                "due": c.due,
                "status": "done" if c.checked else "open",
                "from": file,
            }
        )
        for c in listed
        if c.owner == "manager"
    ]
    return MeetingRecord.model_validate(
        {
            "date": meeting.date,
            "with": meeting.with_,
            "title": meeting.title,
            "decisions": [i for s in shown if s.kind == "decisions" for i in split_items(s.text)],
            "info": [i for s in shown if s.kind == "info" for i in split_items(s.text)],
            "kept": list(
                dict.fromkeys(
                    s.heading
                    for s, lines in zip(sections, kept, strict=True)
                    if s.kind in _REPLACED and lines
                )
            ),
            "my_actions": mine,
            "manager_actions": theirs,
            "notes": meeting.preamble,
        }
    )


def save_draft(data: dict[str, object], settings: Settings) -> None:
    """What the form holds right now (any JSON-able values), kept until the next change."""
    Store.open(settings).save_draft(DRAFT, json.dumps(data, ensure_ascii=False, default=_json_default))


def load_draft(settings: Settings) -> dict[str, object] | None:
    data = Store.open(settings).load_draft(DRAFT)
    return json.loads(data) if data else None


def clear_draft(settings: Settings) -> None:
    Store.open(settings).clear_draft(DRAFT)


def _json_default(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
