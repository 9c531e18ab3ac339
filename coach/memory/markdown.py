"""Markdown meeting notes in and out, and the action ledger computed from them.

Notes come as one file per meeting (`YYYY-MM-DD*.md`), with optional YAML front matter, a
Notion property block (`Date: …`, `参加者: …`), Notion toggles and Obsidian callouts and wiki
links. Sections are recognised by their headings in Japanese or English; checklist items become
actions (due from `期限: 3/14`, `due Mar 14`, `by Friday`, `📅 2026-03-14`; owner from `@Sam`,
`Sam to …`, `(Manager)`, `佐藤さん: …`); a later meeting closes an earlier action with a checked
item or with prose that reports it done (without negation), or reports it no longer needed: then
it is closed with the result `dropped`. The ledger is recomputed from every stored meeting in
date order, so re-importing gives the same ledger.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import frontmatter
import yaml
from pydantic import BaseModel, Field

from coach.errors import InputError
from coach.memory.store import (
    ChecklistItem,
)
from coach.models import ActionItem, Meeting, MeetingSection, Owner, SectionKind
from coach.text.due import parse_date, split_due
from coach.text.similarity import compact, nfkc

Progress = Callable[[int, int, str], None]

MEETING_FILE = re.compile(r"^(\d{4})-(\d{2})-(\d{2}).*\.md$", re.IGNORECASE)


class ParsedMeeting(BaseModel):
    """A meeting as read from Markdown: the model plus what the ledger needs from it."""

    meeting: Meeting
    checklist: list[ChecklistItem] = Field(default_factory=list)
    levels: list[int] = Field(default_factory=list, description="Heading level of each section.")
    warnings: list[str] = Field(default_factory=list)
    warnings_ja: list[str] = Field(default_factory=list, description="The same warnings in Japanese.")

    def warnings_in(self, language: str) -> list[str]:
        return self.warnings_ja if language == "ja" else self.warnings



# --------------------------------------------------------------------------- headings

_KINDS: list[tuple[SectionKind, re.Pattern[str]]] = [
    (
        "actions",
        re.compile(
            r"アクション|todo|to-do|to do|宿題|やること|タスク|\bactions?\b|\baction items?\b|\bnext steps?\b"
            r"|\btasks?\b|follow[- ]?ups?"
        ),
    ),
    (
        "decisions",
        re.compile(r"決まったこと|決定|合意|\bdecisions?\b|\bdecided\b|\bagreed\b|\bagreements?\b"),
    ),
    ("career", re.compile(r"キャリア|\bcareer\b|\bgrowth\b|成長")),
    (
        "concerns",
        re.compile(
            r"課題|相談|懸念|悩み|困りごと|\bconcerns?\b|\bissues?\b|\basks?\b|\bblockers?\b|\bproblems?\b|\brisks?\b"
        ),
    ),
    (
        "results",
        re.compile(
            r"成果|やったこと|実績|進捗|振り返り|近況|報告|\bresults?\b|\bachievements?\b|\bwins?\b|\bupdates?\b"
            r"|\bprogress\b|\baccomplishments?\b|\brecap\b|\bhighlights?\b|\blast week\b|\bsince last\b"
        ),
    ),
    (
        "info",
        re.compile(
            r"情報|共有事項|学び|フィードバック|\binfo\b|\binformation\b|\blearned\b|\blearnings?\b"
            r"|notes from|\bfyi\b|\bfeedback\b"
        ),
    ),
]
_MANAGER_WORDS = re.compile(r"上司|マネージャ|マネジャ|\bmanager'?s?\b|\bboss\b|\blead'?s\b")
_ME_WORDS = re.compile(r"自分|\bmy\b|\bme\b|\bmine\b|私")

_ATX = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_BOLD = re.compile(r"^\s*(?:\*\*|__)(.+?)(?:\*\*|__)\s*[:：]?\s*$")
_BRACKET = re.compile(r"^\s*【([^】]{1,30})】\s*$")
_COLON = re.compile(r"^([^\s\-*+#>|`].{0,30}?)\s*[:：]\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_CHECK = re.compile(r"^(\s*(?:[-*+]|\d+[.)])\s+\[)([ xX✓✔])(\]\s*)(.*)$")
_CHECKED = {"x", "X", "✓", "✔"}


def _heading_key(text: str) -> str:
    return nfkc(text).lower().strip().strip("*_:：#").strip()


def classify_heading(heading: str) -> SectionKind | None:
    key = _heading_key(heading)
    for kind, pattern in _KINDS:
        if pattern.search(key):
            return kind
    return None


def _names(with_: str | None) -> list[str]:
    """The manager's names as they may appear in an item: each person of `with`, with and
    without an honorific (`佐藤さん`, `佐藤`)."""
    if not with_:
        return []
    names: list[str] = []
    for person in re.split(r"\s*(?:[,、/&・]|\band\b)\s*", unlink(with_)):
        person = person.strip()
        if not person:
            continue
        names.append(person)
        for honorific in ("さん", "様", "氏", "san"):
            if person.endswith(honorific) and len(person) > len(honorific):
                names.append(person[: -len(honorific)].strip())
    return [nfkc(n).lower() for n in names if n and not _ME_WORDS.fullmatch(nfkc(n).lower())]


def _heading_owner(heading: str, with_: str | None) -> Owner | None:
    key = _heading_key(heading)
    if _MANAGER_WORDS.search(key) or any(name in key for name in _names(with_)):
        return "manager"
    if _ME_WORDS.search(key):
        return "me"
    return None


def _heading_of(line: str) -> tuple[int, str, bool] | None:
    """(level, text, explicit): explicit for `#` headings, implicit ones only count when recognised."""
    if match := _ATX.match(line):
        return len(match.group(1)), match.group(2).strip(), True
    for pattern in (_BOLD, _BRACKET, _COLON):
        if match := pattern.match(line):
            return 7, match.group(1).strip(), False
    return None



def _meeting_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return parse_date(value)
    return None


# --------------------------------------------------------------------------- parsing


_FRONT = re.compile(r"\A---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


def _front_matter(text: str, file: str) -> tuple[dict[str, object], str, list[tuple[str, str]]]:
    if not text.startswith("---"):
        return {}, text, []
    try:
        post = frontmatter.loads(text)
    except Exception as exc:
        body = _FRONT.sub("", text, count=1)
        reason = str(exc).splitlines()[0][:80]
        return (
            {},
            body,
            [
                (
                    f"{file}: front matter is not valid YAML ({reason}); used the file name's date instead",
                    f"{file}: フロントマターが YAML として読めません({reason})。ファイル名の日付を使いました",
                )
            ],
        )
    meta = {str(k).lower(): v for k, v in post.metadata.items()}
    return meta, post.content, []


def _meta(meta: dict[str, object], *names: str) -> object:
    for name in names:
        if meta.get(name) not in (None, ""):
            return meta[name]
    return None


_WIKILINK = re.compile(r"\[\[([^\]|#]+)(?:#[^\]|]*)?(?:\|([^\]]+))?\]\]")
_CALLOUT = re.compile(r"^\[!([A-Za-z-]+)\][-+]?\s*(.*)$")
_SUMMARY = re.compile(r"^\s*<summary>(.*?)</summary>\s*$", re.IGNORECASE)
_DETAILS = re.compile(r"^\s*</?details(?:\s[^>]*)?>\s*$|^\s*</?summary>\s*$", re.IGNORECASE)
_PROPERTY = re.compile(r"^([^\s:：#>\-*+|][^:：]{0,24}?)\s*[:：]\s+(\S.*)$")
_PROPERTY_KEYS = {
    "date": ("date", "日付", "日時", "開催日", "meeting date"),
    "with": ("with", "参加者", "相手", "participants", "attendees", "manager", "上司"),
    "title": ("title", "タイトル", "件名"),
    "": (
        "tags",
        "タグ",
        "created",
        "created time",
        "created by",
        "last edited",
        "last edited time",
        "last edited by",
        "updated",
        "status",
        "type",
        "作成日時",
        "最終更新日時",
        "種類",
    ),
}


def unlink(text: str) -> str:
    """Wiki links read as their text: `[[Tanaka]]` -> Tanaka, `[[page|shown]]` -> shown."""
    return _WIKILINK.sub(lambda m: (m.group(2) or m.group(1)).strip(), text)


def _unwrap_markup(body: str) -> str:
    """Notion toggles and Obsidian callouts as plain Markdown: their titles become implicit
    headings (`**title**`) so a `[!todo]` callout or a `<summary>次のアクション</summary>` toggle
    opens an actions section, and the quoted lines inside them read as ordinary lines."""
    lines = []
    for line in unlink(body).split("\n"):
        quoted = re.match(r"^\s*>\s?(.*)$", line)
        if quoted:
            line = quoted.group(1)
            if callout := _CALLOUT.match(line.strip()):
                kind, title = callout.group(1), callout.group(2).strip()
                if title and (classify_heading(title) or not classify_heading(kind)):
                    line = f"**{title}**"
                else:
                    line = f"**{kind}**" if classify_heading(kind) else ""
        elif summary := _SUMMARY.match(line):
            line = f"**{summary.group(1).strip()}**"
        elif _DETAILS.match(line):
            line = ""
        lines.append(line)
    return "\n".join(lines)


def _properties(body: str) -> tuple[dict[str, object], str]:
    """A Notion page's property block (`Date: March 3, 2026`, `参加者: …`, `Tags: 1on1`) right
    after its title: read as metadata and removed from the notes. A block of `key: value` lines
    counts only when a known property key is among them, so prose like `Goal: …` stays notes."""
    lines = body.split("\n")
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start < len(lines) and re.match(r"^#\s", lines[start]):
        start += 1
        while start < len(lines) and not lines[start].strip():
            start += 1
    end = start
    found: dict[str, object] = {}
    known = False
    while end < len(lines) and (match := _PROPERTY.match(lines[end].strip())):
        key = nfkc(match.group(1)).strip().lower()
        for target, names in _PROPERTY_KEYS.items():
            if key in names:
                known = True
                if target and target not in found:
                    found[target] = match.group(2).strip()
        end += 1
    if not known:
        return {}, body
    return found, "\n".join(lines[:start] + lines[end:])


def parse_meeting(text: str, file: str) -> ParsedMeeting:
    """Read one meeting's Markdown. The date comes from the front matter, else from a Notion
    property block, else from the file name."""
    warnings: list[tuple[str, str]] = []
    meta, body, front_warnings = _front_matter(text.replace("\r\n", "\n"), file)
    warnings += front_warnings
    body = _unwrap_markup(body)
    properties, body = _properties(body)
    meta = {**properties, **{k: unlink(v) if isinstance(v, str) else v for k, v in meta.items()}}
    name_match = MEETING_FILE.match(Path(file).name)
    name_date = None
    if name_match:
        try:
            name_date = dt.date(*(int(g) for g in name_match.groups()))
        except ValueError:
            name_date = None
    raw_date = _meta(meta, "date", "日付", "日時", "created")
    date = _meeting_date(raw_date) if raw_date is not None else None
    if raw_date is not None and date is None:
        warnings.append(
            (
                f"{file}: front matter date {raw_date!r} is not a date; used the file name's date",
                f"{file}: フロントマターの日付 {raw_date!r} が日付として読めません。ファイル名の日付を使いました",
            )
        )
    date = date or name_date
    if date is None:
        raise InputError(
            f"{file}: no meeting date. Name the file YYYY-MM-DD.md or add `date: YYYY-MM-DD` "
            "to its front matter.",
            f"{file}: 会議の日付がありません。ファイル名を YYYY-MM-DD.md にするか、"
            "フロントマターに `date: YYYY-MM-DD` を書いてください。",
        )
    with_value = _meta(meta, "with", "相手", "上司", "manager", "attendees")
    with_ = ", ".join(unlink(str(v)) for v in with_value) if isinstance(with_value, list) else with_value
    title_value = _meta(meta, "title", "タイトル", "件名")
    meeting, checklist, levels = _parse_body(
        body,
        file=Path(file).name,
        date=date,
        with_=str(with_) if with_ else None,
        title=str(title_value) if title_value else None,
    )
    return ParsedMeeting(
        meeting=meeting,
        checklist=checklist,
        levels=levels,
        warnings=[en for en, _ in warnings],
        warnings_ja=[ja for _, ja in warnings],
    )


def _parse_body(
    body: str, *, file: str, date: dt.date, with_: str | None, title: str | None
) -> tuple[Meeting, list[ChecklistItem], list[int]]:
    preamble: list[str] = []
    sections: list[tuple[SectionKind, str, int, Owner | None, list[str]]] = []
    top: tuple[SectionKind, int, Owner | None] | None = None
    in_fence = False
    for line in body.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
        heading = None if in_fence else _heading_of(line)
        if heading:
            level, text, explicit = heading
            kind = classify_heading(text)
            owner = _heading_owner(text, with_)
            if kind is None and not explicit and not (top and top[0] == "actions" and owner):
                heading = None
            elif kind is None and level == 1 and not sections and top is None:
                title = title or text
                continue
            elif kind is None and top is not None and level > top[1]:
                sections.append((top[0], text, level, owner or top[2], []))
                continue
            else:
                section_kind: SectionKind = kind or "other"
                if section_kind != "actions":
                    owner = None
                if top is None or level <= top[1] or section_kind != top[0]:
                    top = (section_kind, level, owner)
                sections.append((section_kind, text, level, owner, []))
                continue
        (sections[-1][4] if sections else preamble).append(line)
    checklist: list[ChecklistItem] = []
    for kind, _heading, _level, owner, lines in [("other", "", 0, None, preamble), *sections]:
        if kind not in ("actions", "other"):
            continue
        for line in lines:
            item = _checklist_item(line, owner, with_, date)
            if item and not any(compact(c.text) == compact(item.text) for c in checklist):
                checklist.append(item)
    meeting = Meeting.model_validate(
        {
            "file": file,
            "date": date,
            "with": with_,
            "title": title,
            "preamble": "\n".join(preamble).strip(),
            "sections": [
                MeetingSection(kind=kind, heading=heading, text="\n".join(lines).strip())
                for kind, heading, _level, _owner, lines in sections
            ],
        }
    )
    return meeting, checklist, [level for _k, _h, level, _o, _l in sections]


_TASKS_DUE = re.compile(r"\s*📅\s*(\d{4}-\d{2}-\d{2})")
_TASKS_META = re.compile(
    r"\s*(?:[✅❌⏳🛫➕]\uFE0F?\s*\d{4}-\d{2}-\d{2}|[⏫🔼🔽⏬🔺]\uFE0F?|🔁[^📅✅⏳🛫➕]*)"
)


def _owner_of(who: str, with_: str | None) -> Owner | None:
    key = nfkc(who).lower().strip().strip("@:：()（）[] ")
    if not key:
        return None
    if _ME_WORDS.fullmatch(key) or key in ("i", "self", "俺", "僕"):
        return "me"
    if _MANAGER_WORDS.fullmatch(key) or key in ("上司", "boss", "manager") or key in _names(with_):
        return "manager"
    return None


def _split_owner(text: str, with_: str | None) -> tuple[str, Owner | None]:
    """Remove an owner marker and say whose action it is: `@Sam …`, `… @me`, `Sam to …`,
    `佐藤さん: …`, `… (Manager)`, `… （上司）`, `【上司】…`, `[Manager] …`."""
    if match := re.match(r"^\s*(?:【([^】]{1,20})】|\[([^\]]{1,20})\])\s*", text):
        owner = _owner_of(match.group(1) or match.group(2), with_)
        if owner and text[match.end() :].strip():
            return text[match.end() :].strip(), owner
    if match := re.match(r"^@([^\s:：]+)[:：]?\s*", text):
        return text[match.end() :].strip(), _owner_of(match.group(1), with_) or "me"
    if match := re.search(r"\s+@([^\s:：]+)\s*$", text):
        owner = _owner_of(match.group(1), with_)
        if owner:
            return text[: match.start()].strip(), owner
    if match := re.search(r"\s*[(（]([^()（）]{1,20})[)）]\s*$", text):
        owner = _owner_of(match.group(1), with_)
        if owner:
            return text[: match.start()].strip(), owner
    lowered = nfkc(text).lower()
    names = _names(with_)
    for who in [*names, "manager", "上司", "boss"]:
        if not lowered.startswith(who):
            continue
        bare_space = r"|\s+" if who in names else ""  # `佐藤さん 日程を決める`, never `Manager sync prep`
        rest = re.match(rf"^(?:\s*[:：]\s*|\s+to\s+|\s+will\s+|\s*が\s*{bare_space})", text[len(who) :])
        if rest and text[len(who) + rest.end() :].strip():
            return text[len(who) + rest.end() :].strip(), "manager"
    return text, None


def _checklist_item(line: str, owner: Owner | None, with_: str | None, date: dt.date) -> ChecklistItem | None:
    match = _CHECK.match(line)
    if not match:
        return None
    text = _TASKS_META.sub("", match.group(4))
    due: dt.date | None = None
    if tasks_due := _TASKS_DUE.search(text):
        due = parse_date(tasks_due.group(1))
        text = (text[: tasks_due.start()] + text[tasks_due.end() :]).strip()
    text, item_owner = _split_owner(text.strip(), with_)
    text, written_due = split_due(text, date)
    text, owner_after_due = _split_owner(text, with_)
    if not compact(text):
        return None
    return ChecklistItem(
        text=text,
        checked=match.group(2) in _CHECKED,
        owner=item_owner or owner_after_due or owner or "me",
        due=due or written_due,
    )


# --------------------------------------------------------------------------- export


_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def writes_japanese(text: str) -> bool:
    """Any kana or kanji: headings added to a meeting follow its notes, and one Japanese word
    means the user writes them in Japanese (unlike `detect_language`, which weighs the whole text)."""
    return bool(_JAPANESE.search(text))


def render_meeting(meeting: Meeting, actions: Iterable[ActionItem] = ()) -> str:
    """The meeting as Markdown that `parse_meeting` reads back to the same meeting and ledger.

    Checklist lines keep their marks; an action closed by hand (no closing meeting) from this
    meeting is written `[x]` so the closure survives a round trip.
    """
    closed_by_hand = {
        compact(a.action) for a in actions if a.from_ == meeting.file and a.status == "done" and not a.done_in
    }
    meta: dict[str, object] = {"date": meeting.date}
    if meeting.with_:
        meta["with"] = meeting.with_
    if meeting.title:
        meta["title"] = meeting.title
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=False).strip()
    parts = [f"---\n{front}\n---"]
    if meeting.preamble:
        parts.append(meeting.preamble)
    japanese = writes_japanese(meeting.preamble + "".join(s.heading + s.text for s in meeting.sections))
    previous: SectionKind | None = None
    for section in meeting.sections:
        recognised = classify_heading(section.heading)
        sub = recognised != section.kind and section.kind != "other" and previous == section.kind
        if recognised != section.kind and not sub:
            recognised = None
        level = "###" if sub else "##"
        heading = section.heading if recognised == section.kind or sub or section.kind == "other" else ""
        if not heading:
            heading = _DEFAULT_HEADINGS[section.kind][0 if japanese else 1]
        body = "\n".join(_mark_line(line, closed_by_hand, meeting.date) for line in section.text.split("\n"))
        parts.append(f"{level} {heading}\n{body}".rstrip())
        previous = section.kind
    return "\n\n".join(parts) + "\n"


_DEFAULT_HEADINGS: dict[SectionKind, tuple[str, str]] = {
    "results": ("成果報告", "Results"),
    "concerns": ("課題・相談事項", "Concerns"),
    "career": ("キャリア意向", "Career"),
    "decisions": ("決まったこと", "Decisions"),
    "info": ("得られた情報", "Info"),
    "actions": ("次のアクション", "Next actions"),
    "other": ("メモ", "Notes"),
}


def _mark_line(line: str, closed: set[str], date: dt.date) -> str:
    match = _CHECK.match(line)
    if not match or match.group(2) in _CHECKED or not closed:
        return line
    text, _due = split_due(match.group(4), date)
    if compact(text) in closed:
        return f"{match.group(1)}x{match.group(3)}{match.group(4)}"
    return line
