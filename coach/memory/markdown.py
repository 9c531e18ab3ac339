"""Markdown meeting notes in and out.

A meeting is read from its Markdown syntax tree (markdown-it-py, with tables): ATX and setext
headings, list items with their nesting, task-list items, table rows and paragraphs, each with
its line in the file. The parts are then classified:

- sections by heading (`## 成果`, `成果\\n====`, a bold line `**Action items**`, `【相談】`, a
  numbered agenda item with sub-items) or by an inline label (`決定: …`, `TODO: …`, `共有: …`),
  with the words of `headings.py`;
- action items wherever they stand: checkboxes (`[ ]`, `[x]`, `* [X]`, `☐`, `☑`), `TODO:` labels,
  rows of a table with an action column, `X will …` lines; each keeps its owner as written
  (`@yamada`, `(加藤さん)`, `担当: 山田さん`, `→山田さん`, `Kenji: …`, `Yamada-san to …`,
  `[owner: me]`), its due date (`coach.text.due`), its state (checked, a table status) and its
  line, so the ledger can cite it;
- metadata: YAML front matter, a Notion property block (`Date: March 3, 2026`, `Participants:`),
  Notion `▶` toggles, Obsidian `[[links]]`, callouts and `#tags`;
- a file that is not a meeting (a template full of `{{placeholders}}`, an index of links) and a
  cancelled meeting are recognised.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import frontmatter
import yaml
from markdown_it import MarkdownIt
from pydantic import BaseModel, Field

from coach.errors import InputError
from coach.memory.headings import (
    CANCELLED,
    CANCELLED_MAX_CHARS,
    DEFAULT_HEADINGS,
    INLINE_LABEL,
    MANAGER_WORDS,
    ME_WORDS,
    TABLE_COLUMNS,
    TODO_LABEL,
    section_kind,
    status_of,
)
from coach.memory.people import is_me, names_in_title, strip_name
from coach.memory.store import ChecklistItem
from coach.messages import pair
from coach.models import ActionItem, Meeting, MeetingSection, Owner, SectionKind
from coach.text.due import find_due, parse_date, split_due
from coach.text.japanese import is_person_name
from coach.text.script import has_japanese
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
    cancelled: bool = Field(default=False, description="The meeting did not take place.")

    def warnings_in(self, language: str) -> list[str]:
        return self.warnings_ja if language == "ja" else self.warnings


# --------------------------------------------------------------------------- headings


def _heading_key(text: str) -> str:
    return nfkc(text).lower().strip().strip("*_:：#").strip()


_NUMBERING = re.compile(r"^\s*(?:\d{1,2}[.)．]|[①-⑳]|\(\d{1,2}\))\s*")


def classify_heading(heading: str) -> SectionKind | None:
    return section_kind(_NUMBERING.sub("", _heading_key(heading)))


def _names(with_: str | None) -> list[str]:
    """The manager's names as they may appear in an item: each person of `with`, with and
    without an honorific (`山田さん`, `山田`)."""
    if not with_:
        return []
    names: list[str] = []
    for person in re.split(r"\s*(?:[,、/&・]|\band\b)\s*", unlink(with_)):
        person = person.strip()
        if not person:
            continue
        names.append(person)
        bare = strip_name(person)
        if bare and bare != person:
            names.append(bare)
    return [nfkc(n).lower() for n in names if n and not ME_WORDS.fullmatch(nfkc(n).lower())]


def _heading_owner(heading: str, with_: str | None) -> Owner | None:
    key = _heading_key(heading)
    if MANAGER_WORDS.search(key) or any(name in key for name in _names(with_)):
        return "manager"
    if ME_WORDS.search(key):
        return "me"
    return None


_BOLD = re.compile(r"^\s*(?:\*\*|__)(.+?)(?:\*\*|__)\s*[:：]?\s*$")
_BRACKET = re.compile(r"^\s*【([^】]{1,30})】\s*$")
_COLON = re.compile(r"^([^\s\-*+#>|`].{0,30}?)\s*[:：]\s*$")
_CHECKED = {"x", "X", "✓", "✔"}
# A task box at the start of an item: `[ ]`, `[x]`, `[X]`, `☐`, `☑`, `☒`, `✅`.
_BOX = re.compile(r"^\s*(?:\[([ xX✓✔])\]|([☐□☑☒✅]))\s*")
_BOX_DONE = {"☑", "☒", "✅"}
# A line of a paragraph that is a list item in a notation Markdown does not know: `・`, `•`, `☐`.
_PSEUDO_BULLET = re.compile(r"^\s*([・•●○◦▪‣]|[☐□☑☒])\s*")
_CHECK = re.compile(r"^(\s*(?:[-*+]|\d+[.)])\s+\[)([ xX✓✔])(\]\s*)(.*)$")


def _meeting_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return parse_date(value)
    return None


# --------------------------------------------------------------------------- front matter and markup

_FRONT = re.compile(r"\A---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


def _blank(text: str) -> str:
    """The same number of lines, all empty: removed parts keep the line numbers of the rest."""
    return "\n" * text.count("\n")


def _front_matter(text: str, file: str) -> tuple[dict[str, object], str, list[tuple[str, str]]]:
    match = _FRONT.match(text)
    if not match:
        return {}, text, []
    body = _blank(match.group(0)) + text[match.end() :]
    try:
        post = frontmatter.loads(text)
    except Exception as exc:
        reason = str(exc).splitlines()[0][:80]
        return (
            {},
            body,
            [pair("meeting.bad_front_matter", file=file, reason=reason)],
        )
    meta = {str(k).lower(): v for k, v in post.metadata.items()}
    return meta, body, []


def _meta(meta: dict[str, object], *names: str) -> object:
    for name in names:
        if meta.get(name) not in (None, ""):
            return meta[name]
    return None


_WIKILINK = re.compile(r"\[\[([^\]|#]+)(?:#[^\]|]*)?(?:\|([^\]]+))?\]\]")
_CALLOUT = re.compile(r"^\[!([A-Za-z-]+)\][-+]?\s*(.*)$")
_SUMMARY = re.compile(r"^\s*<summary>(.*?)</summary>\s*$", re.IGNORECASE)
_DETAILS = re.compile(r"^\s*</?details(?:\s[^>]*)?>\s*$|^\s*</?summary>\s*$", re.IGNORECASE)
_TOGGLE = re.compile(r"[▶▸►▾▼]\uFE0F?\s*")
_HASHTAG = re.compile(r"(?<![\w#&])#([^\s#\d][^\s#]*)")
_PROPERTY = re.compile(r"^(?:\*\*|__)?([^\s:：#>\-*+|][^:：]{0,24}?)\s*[:：]\s*(?:\*\*|__)?\s+(\S.*)$")
_PROPERTY_KEYS = {
    "date": ("date", "日付", "日時", "開催日", "meeting date"),
    "with": ("with", "相手", "manager", "上司"),
    "participants": ("participants", "attendees", "参加者", "出席者", "メンバー"),
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
        "language",
        "format",
        "location",
        "作成日時",
        "最終更新日時",
        "種類",
    ),
}


def unlink(text: str) -> str:
    """Wiki links read as their text: `[[Kato]]` -> Kato, `[[page|shown]]` -> shown."""
    return _WIKILINK.sub(lambda m: (m.group(2) or m.group(1)).strip(), text)


def untag(text: str) -> str:
    """Obsidian `#tags` are labels, not words of an action: `… #datacatalog` -> `…`."""
    return re.sub(r"\s{2,}", " ", _HASHTAG.sub("", text)).strip()


def _unwrap_markup(body: str) -> str:
    """Notion toggles and Obsidian callouts as plain Markdown, line for line: a callout's or a
    `<summary>` toggle's title becomes an implicit heading (`**title**`), `▶` toggle marks go,
    and the quoted lines inside read as ordinary lines."""
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
        lines.append(_TOGGLE.sub("", line))
    return "\n".join(lines)


def _properties(body: str) -> tuple[dict[str, object], str]:
    """A Notion page's property block (`Date: March 3, 2026`, `Participants: …`, `**Attendees:** …`)
    right after its title: read as metadata and blanked out of the notes. A block of `key: value`
    lines counts only when a known property key is among them, so prose like `Goal: …` stays."""
    lines = body.split("\n")
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start < len(lines) and re.match(r"^#{1,6}\s", lines[start]):
        start += 1
        while start < len(lines) and not lines[start].strip():
            start += 1
    end = start
    found: dict[str, object] = {}
    known: list[int] = []
    while end < len(lines) and (match := _PROPERTY.match(lines[end].strip())):
        key = nfkc(match.group(1)).strip().strip("*_").lower()
        for target, names in _PROPERTY_KEYS.items():
            if key in names:
                known.append(end)
                if target and target not in found:
                    found[target] = match.group(2).strip()
        end += 1
    if not known:
        return {}, body
    return found, "\n".join("" if i in known else line for i, line in enumerate(lines))


_TEMPLATE = re.compile(r"\{\{[^{}]*\}\}|<%[^%]*%>")
_LINK_LINE = re.compile(r"^\s*(?:[-*+]\s+)?\[\[[^\]]+\]\]")


def not_a_meeting(text: str) -> str | None:
    """Why a Markdown file is not a meeting, or None: a template (`{{date}}` placeholders in its
    metadata or most of its lines) or an index (most of its items are links to other notes)."""
    lines = [line for line in text.split("\n") if line.strip() and not line.strip().startswith("#")]
    if not lines:
        return None
    placeholders = sum(bool(_TEMPLATE.search(line)) for line in lines)
    if (placeholders >= 2 and placeholders * 3 >= len(lines)) or _TEMPLATE.search(text[:200]):
        return "template"
    links = sum(bool(_LINK_LINE.match(line)) for line in lines)
    if links >= 3 and links * 2 >= len(lines):
        return "index"
    return None


def _participants(value: object) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else re.split(r"\s*[,、，]\s*", str(value))
    out = []
    for item in items:
        name = re.sub(r"\s*[(（][^()（）]*[)）]\s*", "", unlink(str(item))).strip()
        if name:
            out.append(name)
    return out


# --------------------------------------------------------------------------- the syntax tree


@dataclass
class Unit:
    """One line of notes as the syntax tree places it."""

    line: int  # 0-based line in the file
    text: str  # the line's inline text, without list marker or quote
    role: str  # "heading" | "item" | "para" | "row" | "header"
    depth: int = 0  # list nesting (0: not in a list)
    level: int = 0  # heading level (7 for an implicit heading)
    ordered: bool = False
    has_children: bool = False
    cells: list[str] = field(default_factory=list)


def _unbullet(text: str) -> str:
    """A pseudo-bullet line without its bullet; a task box (`☐`) stays, it is the item's state."""
    match = _PSEUDO_BULLET.match(text)
    if not match or match.group(1) in "☐□☑☒":
        return text.strip()
    return text[match.end() :].strip()


def _tree_units(body: str) -> list[Unit]:
    """Walk the markdown-it token stream into units, one per source line that carries text.

    The lines of a paragraph are units of their own: a `・` or `☐` line glued to the paragraph
    above it by Markdown's lazy continuation is an item, not part of the line before."""
    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(body)
    units: list[Unit] = []
    lists: list[bool] = []  # ordered flag per open list
    item_first: int | None = None  # line of the open list item's first paragraph
    pending_item: list[Unit] = []
    heading: tuple[int, int] | None = None
    in_head = False
    for index, token in enumerate(tokens):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists.append(kind == "ordered_list_open")
            if pending_item:
                pending_item[-1].has_children = True
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            item_first = token.map[0] if token.map else None
            pending_item = []
        elif kind == "heading_open":
            heading = (int(token.tag[1]), token.map[0] if token.map else 0)
        elif kind == "heading_close":
            heading = None
        elif kind == "thead_open":
            in_head = True
        elif kind == "thead_close":
            in_head = False
        elif kind == "tr_open":
            cells: list[str] = []
            j = index + 1
            while j < len(tokens) and tokens[j].type != "tr_close":
                if tokens[j].type == "inline":
                    cells.append(tokens[j].content.strip())
                j += 1
            line = token.map[0] if token.map else 0
            units.append(
                Unit(line, " | ".join(cells), "header" if in_head else "row", len(lists), cells=cells)
            )
        elif kind == "inline" and token.map and heading is not None:
            units.append(
                Unit(heading[1], token.content.replace("\n", " ").strip(), "heading", level=heading[0])
            )
        elif kind == "inline" and token.map and tokens[index - 1].type == "paragraph_open":
            first = token.map[0]
            for offset, text in enumerate(token.content.split("\n")):
                line = first + offset
                if offset == 0 and item_first is not None and line == item_first:
                    unit = Unit(line, text.strip(), "item", len(lists), ordered=bool(lists and lists[-1]))
                    pending_item.append(unit)
                    item_first = None
                elif _PSEUDO_BULLET.match(text) or (offset == 0 and not lists):
                    depth = 0 if _PSEUDO_BULLET.match(text) else len(lists)
                    role = "item" if _PSEUDO_BULLET.match(text) else "para"
                    unit = Unit(line, _unbullet(text), role, depth)
                else:
                    unit = Unit(line, text.strip(), "para", len(lists))
                units.append(unit)
    return units


# --------------------------------------------------------------------------- owners and notes on items

_TASKS_DUE = re.compile(r"\s*📅\s*(\d{4}-\d{2}-\d{2})")
_TASKS_META = re.compile(
    r"\s*(?:[✅❌⏳🛫➕]\uFE0F?\s*\d{4}-\d{2}-\d{2}|[⏫🔼🔽⏬🔺]\uFE0F?|🔁[^📅✅⏳🛫➕]*)"
)
_OWNER_FIELD = re.compile(
    r"\s*[\[(（]?\s*(?:owner|assignee|担当者?|担当|who)\s*[:：]\s*([^\]\)）,、]{1,24}?)\s*[\])）]?\s*$",
    re.IGNORECASE,
)
_OWNER_FIELD_INLINE = re.compile(
    r"[\[(（]\s*(?:owner|assignee|担当者?|担当)\s*[:：]\s*([^\]\)）]{1,24})\s*[\])）]", re.IGNORECASE
)
_LATIN_NAME = re.compile(r"^[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?(?:-san)?$")
_NOT_NAMES = frozenset(
    [
        "i",
        "we",
        "you",
        "they",
        "he",
        "she",
        "it",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "team",
        "everyone",
        "all",
        "someone",
        "note",
        "memo",
        "update",
        "plan",
        "todo",
        "next",
        "done",
        "result",
        "results",
        "status",
        "decision",
        "context",
        "action",
        "item",
        "items",
        "q&a",
        "fyi",
    ]
)
_CARRIED_NOTE = re.compile(
    r"\s*[(（]\s*(?:再?持ち越し|継続|carried over[^)）]*|carry[- ]over[^)）]*)\s*[)）]\s*", re.IGNORECASE
)
_ARROW = re.compile(r"\s*(?:→|->|⇒)\s*")


def name_like(text: str, with_: str | None = None) -> bool:
    """Does `text` name a person (or me, or the manager)? Honorifics, `@handles`, a capitalised
    Latin name, a person name in the dictionary, the meeting's counterpart, `自分`/`me`."""
    raw = unlink(text).strip().strip("@").strip()
    bare = strip_name(raw)
    if not bare or len(bare) > 24 or re.search(r"\d", bare):
        return False
    if is_me(raw) or MANAGER_WORDS.fullmatch(nfkc(bare).lower()):
        return True
    if bare.lower() in _NOT_NAMES or re.search(r"[ぁ-ゖ]", bare):
        return False
    if bare != raw.strip("[]") and re.search(r"(?:さん|様|氏|くん|-san)$", raw):
        return True
    if nfkc(bare).lower() in _names(with_):
        return True
    if _LATIN_NAME.match(bare):
        return True
    if re.fullmatch(r"[\u4e00-\u9fff々]{1,4}(?:\s[\u4e00-\u9fff々]{1,3})?", bare):
        return is_person_name(bare)
    return False


def _outside_brackets(text: str, pattern: re.Pattern[str]) -> list[re.Match[str]]:
    depth, spans = 0, []
    for _i, ch in enumerate(text):
        if ch in "(（[【「":
            depth += 1
        elif ch in ")）]】」":
            depth = max(0, depth - 1)
        spans.append(depth)
    return [m for m in pattern.finditer(text) if spans[m.start()] == 0]


@dataclass
class _Owned:
    text: str
    name: str | None = None  # the owner as written (`山田さん`, `ito`, `自分`)
    note: str = ""  # what follows an arrow when it is not a person: `→ 9/12 完了`
    carried: bool = False


def split_owner(text: str, with_: str | None = None) -> _Owned:
    """Remove owner markers from an action and say who was named: `@yamada …`, `… @ito`,
    `Kenji: …`, `Yamada-san to …`, `Jordan will …`, `… (加藤さん)`, `…（担当: 山田さん）`,
    `… →山田さん`, `[owner: me] …`, `【上司】…`; a note after an arrow that names no one
    (`… → 9/12 完了`) is kept apart as what came of it."""
    owned = _Owned(text.strip())
    if _CARRIED_NOTE.search(owned.text):
        owned.carried = True
        owned.text = _CARRIED_NOTE.sub(" ", owned.text).strip()
    if match := _OWNER_FIELD_INLINE.search(owned.text):
        owned.name = match.group(1).strip()
        owned.text = (owned.text[: match.start()] + owned.text[match.end() :]).strip()
    arrows = _outside_brackets(owned.text, _ARROW)
    if arrows:
        last = arrows[-1]
        right = owned.text[last.end() :].strip()
        left = owned.text[: last.start()].strip()
        if name_like(right, with_) and left:
            owned.name = owned.name or right
            owned.text = left
        elif left and right and not name_like(left, with_):
            owned.note = right
            owned.text = left
    text = owned.text
    if match := re.match(r"^\s*(?:【([^】]{1,20})】|\[([^\]]{1,20})\])\s*", text):
        who = match.group(1) or match.group(2)
        who = re.sub(r"^(?:owner|担当)\s*[:：]\s*", "", who, flags=re.IGNORECASE)
        if name_like(who, with_) and text[match.end() :].strip():
            owned.name = owned.name or who
            text = text[match.end() :].strip()
    if match := re.match(r"^@([^\s:：]+)[:：]?\s*", text):
        owned.name = owned.name or match.group(1)
        text = text[match.end() :].strip()
    elif match := re.match(r"^([^:：\s][^:：]{0,20}?)\s*[:：]\s*(?=\S)", text):
        who = match.group(1)
        first = _ARROW.split(who)[0].strip()
        if name_like(first, with_):
            owned.name = owned.name or first
            text = text[match.end() :].strip()
    if (
        owned.name is None
        and (
            match := re.match(
                r"^((?:\[\[)?[^\s,]{1,20}?(?:\]\])?(?:[ -][A-Z][a-z]+)?(?:-san)?)\s+(?:to|will|'ll)\s+(?=[a-z])",
                text,
            )
        )
        and name_like(match.group(1), with_)
    ):
        owned.name = match.group(1)
        text = text[match.end() :].strip()
    if owned.name is None and (match := re.match(r"^(\S{1,12}?(?:さん|様|氏))\s*が\s*", text)):
        owned.name = match.group(1)
        text = text[match.end() :].strip()
    if match := re.search(r"\s+@([^\s:：]+)\s*$", text):
        owned.name = owned.name or match.group(1)
        text = text[: match.start()].strip()
    if (match := _OWNER_FIELD.search(text)) and name_like(match.group(1), with_):
        owned.name = owned.name or match.group(1).strip()
        text = text[: match.start()].strip()
    if (match := re.search(r"\s*[(（]([^()（）]{1,24})[)）]\s*$", text)) and name_like(match.group(1), with_):
        owned.name = owned.name or match.group(1)
        text = text[: match.start()].strip()
    owned.text = text
    return owned


# --------------------------------------------------------------------------- sections and items


@dataclass
class _Section:
    kind: SectionKind
    heading: str
    level: int
    owner: Owner | None
    lines: list[str] = field(default_factory=list)
    scope: int | None = None  # an agenda item or label: the depth its children are deeper than


def _implicit_heading(unit: Unit) -> str | None:
    if unit.role not in ("para", "item"):
        return None
    for pattern in (_BOLD, _BRACKET, _COLON):
        if match := pattern.match(unit.text):
            return match.group(1).strip()
    if unit.role == "item" and unit.has_children and unit.ordered and classify_heading(unit.text):
        return unit.text
    if unit.role == "item" and unit.has_children and classify_heading(unit.text) and len(unit.text) <= 16:
        return unit.text
    return None


_TITLE_HINT = re.compile(
    r"1on1|1:1|one[- ]on[- ]one|\d{4}[-/.年]\d{1,2}|\d{1,2}/\d{1,2}|面談|ミーティング", re.I
)
# A sentence's end (`。`, `!`, `?`, or a full stop before a space or the line's end): a line that
# has one is prose, kept as the meeting's text, never read as its title and dropped.
_SENTENCE_MARK = re.compile(r"[。！？!?]|\.(?:\s|$)")


def _label(text: str) -> tuple[SectionKind, str, str] | None:
    """An inline label (`決定: …`, `TODO: …`, `懸念（自分）: …`): its kind, the label, the rest."""
    match = INLINE_LABEL.match(text)
    if not match:
        return None
    label = match.group(1)
    kind = section_kind(nfkc(label).lower())
    if kind is None or name_like(label):
        return None
    if kind == "actions" and not TODO_LABEL.match(nfkc(label).lower()):
        return None
    head = text[: text.index(match.group(2), len(label))].rstrip(" :：")
    return kind, head, match.group(2)


def _marker(raw_line: str) -> str:
    match = re.match(r"^(\s*(?:[-*+]|\d+[.)]|[・•])?\s*)", raw_line)
    return match.group(1) if match else ""


def _item_from_row(cells: list[str], columns: dict[str, int]) -> tuple[str, str | None, str, str | None]:
    def cell(name: str) -> str:
        i = columns.get(name)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    return (
        cell("action"),
        cell("owner") or None,
        cell("due"),
        status_of(cell("status")) if cell("status") else None,
    )


def _columns(cells: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for i, cell in enumerate(cells):
        key = nfkc(cell).lower()
        for name, pattern in TABLE_COLUMNS.items():
            if name not in columns and pattern.search(key):
                columns[name] = i
                break
    return columns


_WILL = re.compile(r"^([A-Z][a-z]+(?:[ -][A-Z][a-z]+)?(?:-san)?)\s+(?:will|'ll)\s+[a-z]")


def parse_meeting(text: str, file: str) -> ParsedMeeting:
    """Read one meeting's Markdown. The date comes from the front matter, else from a Notion
    property block, else from the file name; the counterpart from the front matter, else the
    property block, else the file name or title."""
    warnings: list[tuple[str, str]] = []
    if kind := not_a_meeting(text):
        raise InputError.of("meeting.not_a_meeting", file=file, what=pair(f"meeting.kind.{kind}"))
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
        warnings.append(pair("meeting.bad_front_date", file=file, date=repr(raw_date)))
    date = date or name_date
    if date is None:
        raise InputError.of("meeting.no_date", file=file)
    with_value = _meta(meta, "with", "相手", "上司", "manager")
    with_ = ", ".join(unlink(str(v)) for v in with_value) if isinstance(with_value, list) else with_value
    participants = _participants(_meta(meta, "participants", "attendees", "参加者"))
    title_value = _meta(meta, "title", "タイトル", "件名")
    return _parse_body(
        body,
        file=Path(file).name,
        date=date,
        with_=str(with_) if with_ else None,
        title=str(title_value) if title_value else None,
        participants=participants,
        warnings=warnings,
    )


def _counterpart(file: str, title: str | None, participants: list[str]) -> str | None:
    """Who the meeting was with when no metadata says: the people the file name names, else
    those its title names, else the only participant."""
    stem = re.sub(r"^\d{4}-\d{2}-\d{2}", "", Path(file).stem)
    for source in (stem, title or ""):
        names = [n for n in names_in_title(source) if not is_me(n)]
        if names:
            return ", ".join(names)
    if len(participants) == 1:
        return participants[0]
    return None


def _parse_body(
    body: str,
    *,
    file: str,
    date: dt.date,
    with_: str | None,
    title: str | None,
    participants: list[str],
    warnings: list[tuple[str, str]],
) -> ParsedMeeting:
    raw_lines = body.split("\n")
    units = sorted(_tree_units(body), key=lambda u: u.line)
    preamble: list[str] = []
    sections: list[_Section] = []
    top: _Section | None = None  # the section the last real heading opened
    current: _Section | None = None
    columns: dict[str, int] = {}
    found: list[tuple[Unit, _Section | None, str, str]] = []  # unit, section, text, via
    title_line: int | None = None
    for unit in units:
        raw = raw_lines[unit.line] if unit.line < len(raw_lines) else unit.text
        if current is not None and current.scope is not None and unit.depth <= current.scope:
            # the agenda item or label is over: back to the section of the last heading
            current = _Section(top.kind, top.heading, top.level, top.owner) if top else None
            if current is not None:
                sections.append(current)
        if unit.role == "heading":
            kind = classify_heading(unit.text)
            owner = _heading_owner(unit.text, with_)
            if kind is None and not sections and not _content(preamble) and title_line is None:
                title = title or unit.text
                title_line = unit.line
                continue
            if kind is None and top is not None and unit.level > top.level:
                current = _Section(top.kind, unit.text, unit.level, owner or top.owner)
            else:
                current = _Section(
                    kind or "other", unit.text, unit.level, owner if kind == "actions" else None
                )
                top = current
            sections.append(current)
            continue
        if (
            title_line is None
            and not sections
            and not _content(preamble)
            and unit.role == "para"
            and _TITLE_HINT.search(unit.text)
            and len(unit.text) <= 60
            and not _SENTENCE_MARK.search(unit.text)
        ):
            title = title or unit.text
            title_line = unit.line
            continue
        implicit = _implicit_heading(unit)
        if implicit is not None:
            kind = classify_heading(implicit)
            owner = _heading_owner(implicit, with_)
            explicit_bold = bool(_BOLD.match(unit.text))
            if (
                kind is not None
                or (explicit_bold and unit.depth == 0)
                or (top is not None and top.kind == "actions" and owner)
            ):
                scope = unit.depth - 1 if unit.role == "item" and unit.has_children else None
                current = _Section(
                    kind or "other", implicit, 7, owner if kind == "actions" else None, scope=scope
                )
                if scope is None:
                    top = current
                sections.append(current)
                continue
        if unit.role == "header":
            columns = _columns(unit.cells)
            target = current.lines if current else preamble
            target.append(raw)
            if unit.line + 1 < len(raw_lines) and re.match(r"^\s*\|?\s*:?-{2,}", raw_lines[unit.line + 1]):
                target.append(raw_lines[unit.line + 1])
            continue
        text = unit.text
        label = _label(_BOX.sub("", text)) if unit.role in ("item", "para") else None
        if label is not None and top is not None and label[0] != "actions":
            label = None  # under a heading, `課題: …` is a part of that section (a STAR line), not a section
        if label is not None:
            kind, head, rest = label
            if current is None or current.kind != kind or current.heading != head or current.scope is None:
                current = _Section(kind, head, 7, None, scope=unit.depth - 1 if unit.depth else 0)
                if unit.depth == 0:
                    current.scope = -1  # a top-level label holds only itself and its children
                sections.append(current)
            current.lines.append(_marker(raw) + rest)
            if kind == "actions":
                found.append((unit, current, rest, "label"))
            elif _BOX.match(text):
                found.append((unit, current, text, "checkbox"))
            continue
        if current is not None and current.scope == -1 and unit.depth == 0:
            current = _Section(top.kind, top.heading, top.level, top.owner) if top else None
            if current is not None:
                sections.append(current)
        (current.lines if current else preamble).append(raw)
        if unit.role == "row" and "action" in columns and len(columns) >= 2:
            found.append((unit, current, text, "table"))
        elif _BOX.match(text):
            found.append((unit, current, text, "checkbox"))
        elif (will := _WILL.match(text)) and name_like(will.group(1), with_):
            found.append((unit, current, text, "will"))
    # section lines that are not units (blank lines, continuation lines) keep their place
    meeting_with = with_ or _counterpart(file, title, participants)
    checklist: list[ChecklistItem] = []
    for unit, section, text, via in found:
        item = _item(unit, section, text, via, columns_for(units, unit), meeting_with, date, raw_lines)
        if item and not any(compact(c.text) == compact(item.text) for c in checklist):
            checklist.append(item)
    merged: list[_Section] = []
    for section in sections:
        if (
            merged
            and merged[-1].kind == section.kind
            and merged[-1].heading == section.heading
            and not section.lines
        ):
            continue
        if merged and merged[-1].kind == section.kind and merged[-1].heading == section.heading:
            merged[-1].lines += section.lines
            continue
        if not section.lines and section.level == 7 and section.kind == "other":
            continue
        merged.append(section)
    body_text = "\n".join(line for line in raw_lines if line.strip())
    # A meeting that did not happen is a line or two of prose saying so: no sections, no items.
    notes = [u for u in units if u.line != title_line and u.role != "heading"]
    cancelled = (
        not checklist
        and 0 < len(notes) <= 2
        and all(u.role == "para" and u.depth == 0 for u in notes)
        and len(body_text) - len(title or "") <= CANCELLED_MAX_CHARS
        and bool(CANCELLED.search(nfkc(body_text).lower()))
    )
    meeting = Meeting.model_validate(
        {
            "file": file,
            "date": date,
            "with": meeting_with,
            "title": title,
            "preamble": "\n".join(preamble).strip(),
            "participants": participants,
            "cancelled": cancelled,
            "sections": [
                MeetingSection(kind=s.kind, heading=s.heading, text="\n".join(s.lines).strip())
                for s in merged
            ],
        }
    )
    return ParsedMeeting(
        meeting=meeting,
        checklist=checklist,
        levels=[s.level for s in merged],
        warnings=[en for en, _ in warnings],
        warnings_ja=[ja for _, ja in warnings],
        cancelled=cancelled,
    )


def _content(lines: list[str]) -> bool:
    return any(line.strip() for line in lines)


def columns_for(units: list[Unit], row: Unit) -> dict[str, int]:
    """The columns of the table a row belongs to: the header closest above it."""
    header = None
    for unit in units:
        if unit.line > row.line:
            break
        if unit.role == "header":
            header = unit
    return _columns(header.cells) if header else {}


def _item(
    unit: Unit,
    section: _Section | None,
    text: str,
    via: str,
    columns: dict[str, int],
    with_: str | None,
    date: dt.date,
    raw_lines: list[str],
) -> ChecklistItem | None:
    state = "open"
    owner_name: str | None = None
    due: dt.date | None = None
    due_raw: str | None = None
    if via == "table":
        action, owner_name, due_cell, status = _item_from_row(unit.cells, columns)
        if due_cell:
            _, due, due_raw = find_due(f"x ({due_cell})", date)
        state = status or "open"
        carried = bool(
            re.search(
                r"持ち越し|carried",
                nfkc(unit.cells[columns["status"]])
                if "status" in columns and columns["status"] < len(unit.cells)
                else "",
            )
        )
        owned = split_owner(unlink(action), with_)
        text = owned.text
        note = owned.note
    else:
        if box := _BOX.match(text):
            mark = box.group(1) or box.group(2)
            state = "done" if mark in _CHECKED or mark in _BOX_DONE else "open"
            text = text[box.end() :]
        text = _TASKS_META.sub("", untag(text))
        if tasks_due := _TASKS_DUE.search(text):
            due = parse_date(tasks_due.group(1))
            due_raw = tasks_due.group(0).strip()
            text = (text[: tasks_due.start()] + text[tasks_due.end() :]).strip()
        text, written_due, written_raw = find_due(text.strip(), date)
        owned = split_owner(text, with_)
        text, later_due, later_raw = find_due(owned.text, date)
        due, due_raw = due or written_due or later_due, due_raw or written_raw or later_raw
        if owned.name is None:
            again = split_owner(text, with_)
            if again.name:
                owned.name, text = again.name, again.text
        owner_name, note, carried = owned.name, owned.note, owned.carried
    text = text.strip().rstrip("、,;；").strip()
    if not compact(text) or _TEMPLATE.search(text):
        return None
    owner: Owner = "me"
    if owner_name is None and section is not None and section.owner:
        owner = section.owner
        owner_name = with_ if section.owner == "manager" else None
    elif owner_name is not None:
        names = _names(with_)
        key = nfkc(strip_name(owner_name)).lower()
        if is_me(owner_name):
            owner = "me"
        elif MANAGER_WORDS.fullmatch(key) or key in names or nfkc(owner_name).lower() in names:
            owner = "manager"
        else:
            owner = "other"  # resolved against all meetings by the ledger
    return ChecklistItem(
        text=text,
        checked=state == "done",
        owner=owner,
        due=due,
        owner_name=strip_name(unlink(owner_name)) if owner_name else None,
        line=unit.line + 1,
        source=(raw_lines[unit.line] if unit.line < len(raw_lines) else unit.text).strip(),
        state=state,
        via=via,
        carried=carried,
        note=note,
        due_raw=due_raw,
    )


# --------------------------------------------------------------------------- export


def writes_japanese(text: str) -> bool:
    """Any kana or kanji: headings added to a meeting follow its notes, and one Japanese word
    means the user writes them in Japanese (unlike `detect_language`, which weighs the whole text)."""
    return has_japanese(text)


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
            heading = DEFAULT_HEADINGS[section.kind][0 if japanese else 1]
        body = "\n".join(_mark_line(line, closed_by_hand, meeting.date) for line in section.text.split("\n"))
        parts.append(f"{level} {heading}\n{body}".rstrip())
        previous = section.kind
    return "\n\n".join(parts) + "\n"


def _mark_line(line: str, closed: set[str], date: dt.date) -> str:
    match = _CHECK.match(line)
    if not match or match.group(2) in _CHECKED or not closed:
        return line
    text, _due = split_due(match.group(4), date)
    if compact(text) in closed:
        return f"{match.group(1)}x{match.group(3)}{match.group(4)}"
    return line
