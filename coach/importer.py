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
import functools
import re
import sqlite3
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import frontmatter
import yaml
from pydantic import BaseModel, Field

from coach.config import Settings
from coach.dates import MONTHS_EN
from coach.errors import CoachError, InputError
from coach.inputs import check_text
from coach.models import ActionItem, ImportReport, Meeting, MeetingSection, Owner, SectionKind
from coach.store import (
    DROPPED,
    ChecklistItem,
    LedgerEntry,
    Store,
    StoredMeeting,
    available_derivations,
)

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


# --------------------------------------------------------------------------- text helpers


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


@functools.lru_cache(maxsize=65536)
def compact(text: str) -> str:
    """Identity of an action's wording: NFKC, lower case, no spaces or punctuation."""
    return "".join(ch for ch in _nfkc(text).lower() if ch.isalnum())


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


def similarity(a: str, b: str) -> float:
    """How likely two wordings name the same action (0..1): equality, containment, bigram Dice."""
    x, y = compact(a), compact(b)
    if not x or not y or re.findall(r"\d+", x) != re.findall(r"\d+", y):
        return 0.0
    if x == y:
        return 1.0
    if min(len(x), len(y)) >= 4 and (x in y or y in x):
        return 0.9
    bx, by = _bigrams(x), _bigrams(y)
    return 2 * len(bx & by) / (len(bx) + len(by))


_TOKEN = re.compile(
    r"[a-z][a-z0-9'’_-]*|[0-9]+(?:\.[0-9]+)?|[\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶ]+"
)
_EN_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "to",
        "of",
        "for",
        "on",
        "in",
        "at",
        "by",
        "with",
        "and",
        "or",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "i",
        "we",
        "my",
        "our",
        "me",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "last",
        "time",
        "promised",
        "promise",
        "next",
        "meeting",
        "up",
        "out",
        "about",
        "from",
        "as",
        "into",
        "all",
        "do",
        "did",
        "does",
        "done",
        "make",
        "made",
        "create",
        "created",
        "prepare",
        "prepared",
        "write",
        "wrote",
        "written",
        "draft",
        "run",
        "ran",
        "set",
        "start",
        "started",
        "get",
        "got",
        "have",
        "has",
        "had",
        "will",
        "would",
        "should",
        "can",
        "could",
        "let",
        "s",
    ]
)


@functools.lru_cache(maxsize=16384)
def _stem(word: str) -> str:
    """A crude English stem that makes a verb, its past and its noun meet:
    share/shared/sharing -> shar, migrate/migration -> migrat, study/studies -> study."""
    word = word.strip("'’-_")
    for suffix, keep, replace in (
        ("ies", 3, "y"),
        ("ied", 3, "y"),
        ("ing", 3, ""),
        ("ed", 3, ""),
        ("es", 4, "e"),
        ("s", 3, ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= keep:
            stem = word[: -len(suffix)]
            doubled = len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "aeiouls"
            word = (stem[:-1] if doubled else stem) + replace
            break
    if word.endswith("ion") and len(word) >= 7:
        word = word[:-3]
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


@functools.lru_cache(maxsize=16384)
def _units(text: str) -> dict[str, float]:
    """Content units of an action's wording with weights: CJK bigrams, English stems, numbers."""
    units: dict[str, float] = {}
    for token in _TOKEN.findall(_nfkc(text).lower()):
        if token[0].isascii() and token[0].isalpha():
            if token not in _EN_STOP:
                units[_stem(token)] = 1.0
        elif token[0].isdigit():
            units[token] = 1.0
        elif len(token) == 1:
            units.setdefault(token, 0.5)
        else:
            for gram in _bigrams(token):
                units[gram] = 1.0
    return units


@functools.lru_cache(maxsize=4096)
def _unit_set(text: str) -> frozenset[str]:
    found: set[str] = set()
    for token in _TOKEN.findall(_nfkc(text).lower()):
        if token[0].isascii() and token[0].isalpha():
            found.add(_stem(token))
        elif token[0].isdigit():
            found.add(token)
        else:
            found.update(token)
            found.update(_bigrams(token))
    return frozenset(found)


def coverage(action: str, text: str, verb: bool = False) -> float:
    """Share of the action's content units that `text` mentions (0 when fewer than 2 match).

    `verb`: the text reports the action's own verb (`ran` for `Run …`), which then counts as
    one more unit even when the verb is too common to be a unit of its own."""
    units = _units(action)
    total = sum(units.values())
    if not total:
        return 0.0
    present = _unit_set(text)
    matched = [u for u in units if u in present]
    if len(matched) < min(2, len(units)):
        return 0.0
    extra = 1.0 if verb and _leading_verb(action) in _EN_STOP else 0.0
    return (sum(units[u] for u in matched) + extra) / (total + extra)


def _leading_verb(action: str) -> str:
    match = re.match(r"\s*([a-z]+)\b", _nfkc(action).lower())
    return match.group(1) if match else ""


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
    return _nfkc(text).lower().strip().strip("*_:：#").strip()


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
    return [_nfkc(n).lower() for n in names if n and not _ME_WORDS.fullmatch(_nfkc(n).lower())]


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


# --------------------------------------------------------------------------- dates


_DATE_TOKEN = (
    r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
    r"|\d{1,2}\s*[/月]\s*\d{1,2}\s*日?"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s*\d{4})?"
    r"|(?:(?:this|next)\s+)?(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\b\.?"
    r"|(?:来週の?)?[月火水木金土日]曜日?"
)
_WEEKDAY = re.compile(
    r"(?:(this|next)\s+)?(mon|tue|wed|thu|fri|sat|sun)[a-z]*|(来週の?)?([月火水木金土日])曜", re.IGNORECASE
)
_WEEKDAYS = {
    **{d: i for i, d in enumerate(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])},
    **{d: i for i, d in enumerate("月火水木金土日")},
}
_DUE_WORDS = r"期限|期日|締切|締め切り|〆切|納期|due(?:\s+date)?|by|deadline"
_DUE_PATTERNS = [
    re.compile(rf"\s*\(\s*(?:{_DUE_WORDS})\s*[:]?\s*({_DATE_TOKEN})\s*(?:まで(?:に)?)?\s*\)", re.IGNORECASE),
    re.compile(rf"\s*\(\s*({_DATE_TOKEN})\s*(?:まで(?:に)?|迄)?\s*\)\s*$", re.IGNORECASE),
    re.compile(rf"\s*[-—,、]?\s*(?:{_DUE_WORDS})\s*[:]?\s*({_DATE_TOKEN})\s*$", re.IGNORECASE),
    re.compile(rf"\s*[-—,、]?\s*({_DATE_TOKEN})\s*(?:まで(?:に)?|迄)\s*$", re.IGNORECASE),
]


def parse_date(token: str, near: dt.date | None = None) -> dt.date | None:
    """A date in any common notation; a month/day without year takes the year that puts it
    closest after `near` (a due date two months before the meeting belongs to next year)."""
    text = _nfkc(token).strip().lower()
    if weekday := _WEEKDAY.fullmatch(text.rstrip(".日")):
        return _next_weekday(weekday, near)
    if match := re.match(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})", text):
        year, month, day = (int(g) for g in match.groups())
    elif match := re.match(r"(\d{1,2})\s*[/月]\s*(\d{1,2})", text):
        year, month, day = (near or dt.date.today()).year, int(match.group(1)), int(match.group(2))
    elif match := re.match(r"([a-z]{3})[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s*(\d{4}))?", text):
        if match.group(1) not in MONTHS_EN:
            return None
        month, day = MONTHS_EN[match.group(1)], int(match.group(2))
        year = int(match.group(3)) if match.group(3) else (near or dt.date.today()).year
    else:
        return None
    try:
        found = dt.date(year, month, day)
    except ValueError:
        return None
    explicit_year = bool(re.match(r"\d{4}", text)) or bool(re.search(r"\d{4}\s*$", text))
    if near and not explicit_year and found < near - dt.timedelta(days=60):
        try:
            found = found.replace(year=found.year + 1)
        except ValueError:
            return None
    return found


def _next_weekday(match: re.Match[str], near: dt.date | None) -> dt.date | None:
    """`by Friday` said in a meeting: the first such day after it (`next Friday`, `来週の金曜`:
    the one in the following week)."""
    if near is None:
        return None
    target = _WEEKDAYS[(match.group(2) or match.group(4)).lower()]
    ahead = (target - near.weekday()) % 7 or 7
    if match.group(1) == "next" or match.group(3):
        ahead = target - near.weekday() + 7
    return near + dt.timedelta(days=ahead)


def split_due(text: str, meeting_date: dt.date | None = None) -> tuple[str, dt.date | None]:
    """Remove the due-date note from an action and parse it: `X (期限: 2/3)` -> (`X`, date)."""
    normalized = _nfkc(text)
    source = normalized if len(normalized) != len(text) else text
    probe = normalized
    for pattern in _DUE_PATTERNS:
        match = pattern.search(probe)
        if match:
            due = parse_date(match.group(1), meeting_date)
            if due:
                return (source[: match.start()] + source[match.end() :]).strip(), due
    return text.strip(), None


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
        key = _nfkc(match.group(1)).strip().lower()
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
    key = _nfkc(who).lower().strip().strip("@:：()（）[] ")
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
    lowered = _nfkc(text).lower()
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


# --------------------------------------------------------------------------- the ledger

_DONE_JA = re.compile(
    r"完了|完成|終了|終わ|終え|済|できた|できました|出来た|出来ました|公開(?:した|しました)|提出(?:した|しました)"
    r"|作成(?:した|しました)|作(?:った|りました)|達成|実施(?:した|しました)|リリース(?:した|しました)"
    r"|共有(?:した|しました)|送(?:った|りました)"
    r"|(?:開催|導入|適用|展開|移行|発表|設定|構築|整備|更新|修正|報告)(?:した|しました|済)"
)
_DONE_EN = re.compile(
    r"\b(?:done|finished|finish|completed|complete|shipped|submitted|published|delivered|wrapped up|launched"
    r"|merged|sent|resolved|closed)\b"
)
_NOT_JA = re.compile(r"まだ|途中|未|進行中|作業中|対応中|検討中|ていない|てない|ません|なかった|できず|予定")
_NOT_EN = re.compile(
    r"\bnot\b|n't\b|\bstill\b|\byet\b|\bin progress\b|\bongoing\b|\bpending\b|\bpartially\b|\bwill\b"
    r"|\bplann(?:ing|ed) to\b|\bgoing to\b|\bhalf\b"
)
_DROPPED = re.compile(
    r"\bno longer (?:needed|required|necessary|relevant)\b|\bnot (?:needed|required|necessary)(?: anymore)?\b"
    r"|\bunnecessary\b|\bdropped\b|\bcancell?ed\b|\bde-?scoped\b|\bscrapped\b|\babandoned\b|\bshelved\b"
    r"|\bwon't do\b|\bobsolete\b|\bdeprioriti[sz]ed\b"
    r"|不要(?:に|と|です|だ|$)|必要なくなっ|必要がなくなっ|中止|取りやめ|取り止め|見送(?:り|っ|る)|やめ(?:た|ました|る)|なしになっ"
    r"|キャンセル"
)
_IRREGULAR_PAST = {
    "begin": "began begun",
    "bring": "brought",
    "build": "built",
    "buy": "bought",
    "choose": "chose chosen",
    "do": "did done",
    "draw": "drew drawn",
    "drive": "drove driven",
    "find": "found",
    "get": "got gotten",
    "give": "gave given",
    "go": "went gone",
    "hold": "held",
    "keep": "kept",
    "lead": "led",
    "leave": "left",
    "make": "made",
    "meet": "met",
    "pay": "paid",
    "run": "ran",
    "say": "said",
    "see": "saw seen",
    "sell": "sold",
    "send": "sent",
    "speak": "spoke spoken",
    "spend": "spent",
    "take": "took taken",
    "teach": "taught",
    "tell": "told",
    "think": "thought",
    "throw": "threw thrown",
    "write": "wrote written",
    "rewrite": "rewrote rewritten",
    "undertake": "undertook undertaken",
}
_SAME_PAST = frozenset(
    ["set", "put", "cut", "read", "let", "shut", "spread", "quit", "hit", "upset", "reset"]
)
_SENTENCE_END = re.compile(r"(?<=[。！？!?])|(?<=\.)\s+")
_CLAUSE = re.compile(r"[、，,;；]|\s+but\s+|\s+while\s+")
_BULLET = re.compile(r"^\s*(?:[-*+・]|\d+[.)])\s+")
_TAG = re.compile(r"^\s*[【\[][^】\]]{1,12}[】\]]\s*")
COVERAGE = 0.6
SIMILAR = 0.6


def _says_done(clause: str) -> bool:
    text = _nfkc(clause).lower()
    return bool(_DONE_JA.search(text) or _DONE_EN.search(text))


def _says_not(clause: str) -> bool:
    text = _nfkc(clause).lower()
    return bool(_NOT_JA.search(text) or _NOT_EN.search(text))


def _prose_paragraphs(meeting: Meeting) -> list[list[str]]:
    """Sentences of the meeting grouped by line, without checklist items, bullets or tags."""
    paragraphs = []
    for block in [meeting.preamble, *(s.text for s in meeting.sections)]:
        for line in block.split("\n"):
            if not line.strip() or _CHECK.match(line):
                continue
            line = _TAG.sub("", _BULLET.sub("", line)).strip()
            sentences = [
                s.strip().rstrip("。.") for s in _SENTENCE_END.split(line) if s.strip().rstrip("。.")
            ]
            if sentences:
                paragraphs.append(sentences)
    return paragraphs


@functools.lru_cache(maxsize=4096)
def _own_past(action: str) -> re.Pattern[str] | None:
    """The past of the action's own verb: `Run the game day` is reported as `ran`, `Confirm X`
    as `confirmed`, `話を聞く` as `聞けた` / `聞いた`, `会を主催する` as `主催した`."""
    text = _nfkc(action).strip().lower()
    if verb := _leading_verb(text):
        if verb in _SAME_PAST:
            return re.compile(rf"\b(?:is|are|was|were|been|got|all)\s+(?:\w+\s+)?{verb}\b")
        forms = set(_IRREGULAR_PAST.get(verb, "").split())
        if verb.endswith("e"):
            forms.add(verb + "d")
        elif re.search(r"[^aeiou]y$", verb):
            forms.add(verb[:-1] + "ied")
        else:
            forms.add(verb + "ed")
            if re.search(r"[^aeiou][aeiou][bdgklmnprt]$", verb):
                forms.add(verb + verb[-1] + "ed")
        return re.compile(rf"\b(?:{'|'.join(sorted(forms))})\b")
    if match := re.search(r"([\u4e00-\u9fff々]+)(?:する|します|[うくぐすつぬぶむる])$", text):
        return re.compile(rf"{match.group(1)}[ぁ-ゖ]{{0,4}}た(?!い)")
    return None


_COMPLETION_NOUNS = (
    r"開催|実施|提出|公開|共有|作成|完了|導入|適用|展開|移行|送付|報告|発表|設定|構築|整備|更新|修正|リリース"
)
_NOUN_STOP = re.compile(rf"[をに](?:{_COMPLETION_NOUNS})(?:済み?)?$")
_FUTURE_JA = re.compile(r"来週|来月|次回|今後|明日|予定|つもり|したい|する$")


def _verdict(action: str, clause: str) -> str | None:
    """`done`, `dropped`, `not` (explicitly not done yet) or None (says nothing) about the action."""
    text = _nfkc(clause).lower()
    own = _own_past(action)
    dropped = _DROPPED.search(text)
    if (
        dropped
        and dropped.group(0) not in _nfkc(action).lower()
        and not (own and own.search(dropped.group(0)))
    ):
        return DROPPED
    if _says_not(text):
        return "not"
    noun_stop = bool(_NOUN_STOP.search(text.rstrip("。. "))) and not _FUTURE_JA.search(text)
    if _says_done(text) or (own and own.search(text)) or noun_stop:
        return "done"
    return None


def _closure(action: str, sentence: str) -> tuple[str | None, int]:
    """Does `sentence` report `action` done or dropped? (`done`/`dropped`/None, index of the
    clause that says so.) The clause that names the action decides; when it says nothing, the
    next clause may (`X, done`), or the previous one with the action's own verb
    (`Sam introduced me to Lee, the data platform lead`)."""
    clauses = [c.strip() for c in _CLAUSE.split(sentence) if c and c.strip()]
    own = _own_past(action)
    scores = [coverage(action, c, verb=bool(own and own.search(_nfkc(c).lower()))) for c in clauses]
    best = max(range(len(clauses)), key=lambda i: scores[i]) if clauses else -1
    if best >= 0 and scores[best] >= COVERAGE:
        verdict = _verdict(action, clauses[best])
        if verdict == "not":
            return None, -1
        if verdict:
            return verdict, best
        if best + 1 < len(clauses) and (verdict := _verdict(action, clauses[best + 1])) not in (None, "not"):
            return verdict, best + 1
        if best > 0 and own and own.search(_nfkc(clauses[best - 1]).lower()):
            return "done", best - 1
        return None, -1
    if coverage(action, sentence) >= COVERAGE:
        verdicts = [_verdict(action, c) for c in clauses]
        closing = [i for i, v in enumerate(verdicts) if v in ("done", DROPPED)]
        if closing and "not" not in verdicts:
            return verdicts[closing[-1]], closing[-1]
    return None, -1


def _result(paragraph: list[str], index: int, clause: int) -> str:
    """What came of it: the rest of the closing sentence and the next sentences that explain it."""
    clauses = [c.strip() for c in _CLAUSE.split(paragraph[index]) if c and c.strip()]
    parts = ["、".join(clauses[clause + 1 :])] if clause + 1 < len(clauses) else []
    for sentence in paragraph[index + 1 : index + 3]:
        if _says_done(sentence):
            break
        parts.append(sentence)
    parts = [p for p in parts if p]
    return "。".join(parts) if parts else paragraph[index]


RECENT_MEETINGS = 8


def build_ledger(sources: Sequence[tuple[Meeting, Sequence[ChecklistItem]]]) -> list[LedgerEntry]:
    """Replay the meetings in date order: checklist items open or close actions, prose closes them.

    Matching looks at open actions, at actions closed in the last few meetings and at closed
    actions with the very same wording, so the replay stays linear in the number of meetings.
    """
    ledger: list[LedgerEntry] = []
    open_entries: list[LedgerEntry] = []
    done_by_key: dict[tuple[str, str], LedgerEntry] = {}
    recent_done: list[tuple[int, LedgerEntry]] = []
    ordered = sorted(sources, key=lambda pair: (pair[0].date, pair[0].file))
    for position, (meeting, items) in enumerate(ordered):
        recent_done = [(p, e) for p, e in recent_done if p > position - RECENT_MEETINGS]
        earlier_open = list(open_entries)
        pool = earlier_open + [e for _, e in recent_done]
        here: set[str] = set()
        for item in items:
            key = compact(item.text)
            match = _find(pool, item) or (done_by_key.get((item.owner, key)) if item.checked else None)
            if match is None:
                if key in here:
                    continue
                here.add(key)
                entry = LedgerEntry(
                    key=key,
                    action=item.text,
                    owner=item.owner,
                    due=item.due,
                    status="open",
                    from_=meeting.file,
                )
                ledger.append(entry)
                open_entries.append(entry)
                match = entry
            elif match.status == "open" and item.due:
                match.due = item.due  # carried over with a new date: rescheduled
            if item.checked and match.status == "open":
                match.status, match.done_in, match.closed_by = "done", meeting.file, "checkbox"
        candidates = [e for e in earlier_open if e.status == "open" or not e.result]
        for paragraph in _prose_paragraphs(meeting) if candidates else []:
            for index, sentence in enumerate(paragraph):
                for entry in candidates:
                    if entry.result:
                        continue
                    verdict, clause = _closure(entry.action, sentence)
                    if verdict is None:
                        continue
                    entry.result = DROPPED if verdict == DROPPED else _result(paragraph, index, clause)
                    if entry.status == "open":
                        entry.status, entry.done_in, entry.closed_by = "done", meeting.file, "prose"
        for entry in [e for e in open_entries if e.status == "done"]:
            open_entries.remove(entry)
            done_by_key[(entry.owner, entry.key)] = entry
            recent_done.append((position, entry))
    return ledger


def _find(pool: Sequence[LedgerEntry], item: ChecklistItem) -> LedgerEntry | None:
    """The earlier action this checklist item repeats.

    An unchecked item only carries over an open action: the same wording after it was closed
    is a new, recurring action (`週報を書く` every week).
    """
    best: tuple[float, LedgerEntry] | None = None
    for entry in pool:
        if entry.owner != item.owner or (entry.status == "done" and not item.checked):
            continue
        score = similarity(entry.action, item.text) + (0.01 if entry.status == "open" else 0.0)
        if score >= SIMILAR and (best is None or score > best[0]):
            best = (score, entry)
    return best[1] if best else None


# --------------------------------------------------------------------------- import


def _meeting_files(directory: Path) -> tuple[list[Path], list[tuple[str, str]]]:
    if not directory.is_dir():
        raise CoachError(
            f"Folder not found: {directory}. Pass the folder that holds your meeting notes (YYYY-MM-DD*.md).",
            f"フォルダが見つかりません: {directory}。"
            "会議メモ (YYYY-MM-DD*.md) が入ったフォルダを指定してください。",
        )
    files: list[Path] = []
    warnings: list[tuple[str, str]] = []
    for path in sorted(directory.iterdir()):
        if path.name.startswith(".") or path.is_dir():
            continue
        if MEETING_FILE.match(path.name):
            files.append(path)
        else:
            warnings.append(
                (
                    f"{path.name}: ignored (meeting files are named YYYY-MM-DD*.md)",
                    f"{path.name}: 読み込みませんでした(会議メモのファイル名は YYYY-MM-DD*.md です)",
                )
            )
    if not files:
        raise CoachError(
            f"No meeting notes in {directory}: name each file YYYY-MM-DD.md (e.g. 2026-01-20.md), "
            "one file per meeting.",
            f"{directory} に会議メモがありません。1回の会議を1ファイルにし、YYYY-MM-DD.md "
            "(例: 2026-01-20.md) という名前にしてください。",
        )
    return files, warnings


def stored(parsed: ParsedMeeting, raw: str, source: str = "import") -> StoredMeeting:
    return StoredMeeting(
        meeting=parsed.meeting, raw=raw, checklist=parsed.checklist, levels=parsed.levels, source=source
    )


def rebuild_ledger(db: sqlite3.Connection) -> None:
    """Recompute the actions table from every stored meeting (inside the caller's transaction)."""
    Store.sync_ledger(db, build_ledger(Store.ledger_sources(db)))


def import_dir(
    directory: str | Path, settings: Settings, progress: Progress | None = None, *, index: bool = True
) -> ImportReport:
    """Import a folder in one transaction: all of it or (on a crash) none of it."""
    files, skipped = _meeting_files(Path(directory))
    ja = settings.language == "ja"
    warnings = [pair[1] if ja else pair[0] for pair in skipped]
    store = Store.open(settings)
    derivations = available_derivations()
    counts = {"imported": 0, "updated": 0, "unchanged": 0}
    changed: list[Meeting] = []
    with store.transaction() as db:
        for done, path in enumerate(files, start=1):
            try:
                raw = check_text(path.read_bytes(), what=f"file {path.name}", what_ja=f"ファイル {path.name}")
                parsed = parse_meeting(raw, path.name)
            except InputError as exc:
                warnings.append(
                    f"{path.name}: 読み込みませんでした({exc.ja})"
                    if ja
                    else f"{path.name}: skipped ({exc.en})"
                )
                continue
            warnings += parsed.warnings_in(settings.language)
            outcome = store.upsert_meeting(db, stored(parsed, raw), derivations)
            counts[outcome] += 1
            if outcome != "unchanged":
                changed.append(parsed.meeting)
            if progress:
                progress(done, len(files), path.name)
        if changed or not db.execute("SELECT 1 FROM actions LIMIT 1").fetchone():
            rebuild_ledger(db)
    if index:
        warnings += index_after_commit(settings, changed)
    ledger = store.actions()
    return ImportReport(
        imported=counts["imported"],
        updated=counts["updated"],
        unchanged=counts["unchanged"],
        actions_open=sum(a.status == "open" for a in ledger),
        actions_done=sum(a.status == "done" for a in ledger),
        warnings=warnings,
    )


def index_after_commit(
    settings: Settings, meetings: Sequence[Meeting], progress: Progress | None = None
) -> list[str]:
    """Update the search index; the store stays committed whatever happens here."""
    if not meetings:
        return []
    try:
        from coach.index import index_meetings
    except ImportError:
        return []
    try:
        index_meetings(settings, list(meetings), progress)
    except Exception as exc:
        if settings.language == "ja":
            return [
                f"検索インデックスを更新できませんでした({type(exc).__name__})。`coach reindex` を実行してください"
            ]
        return [f"index not updated ({type(exc).__name__}); run `coach reindex`"]
    return []


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


def export_dir(directory: str | Path, settings: Settings) -> list[Path]:
    store = Store.open(settings)
    meetings = store.meetings()
    if not meetings:
        raise CoachError(
            "There are no meetings to export yet. "
            "Import a folder with `coach import DIR` or save a record first.",
            "書き出す会議がまだありません。`coach import DIR` で取り込むか、会議の記録を保存してください。",
        )
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    by_meeting: dict[str, list[ActionItem]] = {}
    for action in store.actions():
        by_meeting.setdefault(action.from_, []).append(action)
    written = []
    for meeting in meetings:
        path = target / meeting.file
        path.write_text(render_meeting(meeting, by_meeting.get(meeting.file, [])), encoding="utf-8")
        written.append(path)
    return written
