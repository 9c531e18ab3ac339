"""The structure of pasted notes: one `Line` per physical line, kinds from a Markdown parser.

markdown-it-py (CommonMark + GFM tables) says which lines are headings (ATX and setext), list
items and at what depth, table rows and fenced code. Notes also use markers Markdown does not
know, read here line by line inside paragraphs: the Japanese middle dot `・`, `【title】`
lines, a `title:` line ending in a colon, and chat lines copied from Slack or Teams
(`[09:12] name: text`, `10:42 AM text`, `[Mon 10:15] text`, `10/8 11:20 text`).

Everything is one pass over the lines (markdown-it's block parser is linear in the text), so a
long paste costs time proportional to its length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# A chat line: an optional date, a time, an optional AM/PM, optionally bracketed, then an
# optional speaker name followed by a colon. The speaker is kept only when a colon follows it.
CHAT_LINE = re.compile(
    r"^\s*(?:\[\s*)?(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun|[月火水木金土日])\w{0,6}\.?\s+|\d{1,2}/\d{1,2}\s+)?"
    r"(?P<time>\d{1,2}:\d{2}(?::\d{2})?)(?:\s?[AaPp]\.?[Mm]\.?)?\s*(?:\]\s*)?"
    r"(?:(?P<who>[^\s:：\[\]][^:：\n]{0,30}?)\s*[:：]\s+|(?P<who2>[A-Za-z][\w.\-]{0,20}|[^\s\x00-\x7f]{1,8})\s*[:：])?"
)
# Markers of list items Markdown does not read: the middle dot and friends, circled numbers.
EXTRA_BULLET = re.compile(r"^\s*(?:[・•●◦▪■□◆◇▶►]|[①-⑳]|[(（]\d{1,2}[)）])\s*")
# A line that titles what follows: `【検索の高速化】`, `■ cache warm-up`, `**Done this sprint**`.
TITLE_LINE = re.compile(r"^\s*(?:【(?P<a>[^】]{1,60})】|■\s*(?P<b>.{1,60})|\*\*(?P<c>[^*]{1,60})\*\*)\s*$")
# A line that ends in a colon and carries no value titles the list below it.
INTRO_LINE = re.compile(r"^[^\d。.:：]{1,40}[:：]\s*$")
TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")


# Words that end in a colon after a chat stamp but name no one: labels of the message itself.
NOT_SPEAKERS = frozenset(
    {
        "next", "todo", "note", "notes", "fyi", "memo", "re", "update", "updates", "done", "result",
        "results", "before", "after", "plan", "plans", "wip", "結果", "対応", "メモ", "予定", "次",
        "次回", "課題", "背景", "目的", "目標", "共有", "報告", "補足", "追記",
    }
)  # fmt: skip


@dataclass
class Line:
    """One line of the notes: [start, end) is its text without the list/chat marker.

    kind: heading, title (a line titling what follows), bullet, numbered, chat, table, code,
    prose (a paragraph line), more (a line continuing the list item above it).
    """

    start: int
    end: int
    kind: str
    level: int = 0
    speaker: str = ""
    blank_before: bool = False
    number: int = 0  # the physical line number


@lru_cache(maxsize=1)
def _parser() -> Any:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table")


def _block_kinds(text: str) -> dict[int, tuple[str, int, str]]:
    """Line number → (kind, list depth, list marker) for the lines Markdown gives a role."""
    kinds: dict[int, tuple[str, int, str]] = {}
    depth = 0
    ordered: list[bool] = []
    for token in _parser().parse(text):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            ordered.append(kind == "ordered_list_open")
            depth += 1
        elif kind in ("bullet_list_close", "ordered_list_close"):
            ordered.pop()
            depth -= 1
        elif token.map is None:
            continue
        elif kind == "heading_open":
            first, last = token.map
            for number in range(first, last):
                kinds[number] = ("heading", 0, token.markup)
            if token.markup in ("=", "-"):
                kinds[last - 1] = ("rule", 0, "")  # the underline of a setext heading
        elif kind == "list_item_open":
            first, last = token.map
            item = "numbered" if ordered and ordered[-1] else "bullet"
            kinds[first] = (item, depth - 1, token.markup)  # an inner item comes after its outer one
            for number in range(first + 1, last):
                kinds.setdefault(number, ("more", depth - 1, ""))
        elif kind == "fence":
            first, last = token.map
            for number in range(first, last):
                kinds[number] = ("code", 0, "")
        elif kind == "table_open":
            first, last = token.map
            for number in range(first, last):
                kinds[number] = ("table", 0, "")
        elif kind == "hr":
            kinds[token.map[0]] = ("rule", 0, "")
    return kinds


_LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+(?:\[[ xX]\]\s+)?")
_HEADING_MARKER = re.compile(r"^\s{0,3}#{1,6}\s+")


def read_lines(text: str) -> list[Line]:
    """Every non-blank line of `text` with its kind; `text` uses `\\n` line ends."""
    kinds = _block_kinds(text)
    chats = sum(1 for raw in text.split("\n") if CHAT_LINE.match(raw) and raw.strip())
    lines: list[Line] = []
    position = 0
    blank = True
    for number, raw in enumerate(text.split("\n")):
        start, position = position, position + len(raw) + 1
        body = raw.rstrip()
        if not body.strip():
            blank = True
            continue
        kind, level, _marker = kinds.get(number, ("prose", 0, ""))
        if kind == "table" and not TABLE_ROW.match(body) and not TABLE_RULE.match(body):
            kind = "prose"  # a GFM table runs on to the next blank line; a plain line ends it here
        offset = 0
        speaker = ""
        if kind == "rule":
            blank = False
            continue
        if kind == "heading":
            marker = _HEADING_MARKER.match(body)
            offset = marker.end() if marker else 0
            body = body.rstrip(" #")
        elif kind in ("bullet", "numbered"):
            marker = _LIST_MARKER.match(body)
            offset = marker.end() if marker else len(body) - len(body.lstrip())
        elif kind in ("prose", "more"):
            chat = CHAT_LINE.match(body)
            title = TITLE_LINE.match(body)
            if chat and chat.end() < len(body) and (chats >= 2 or body.lstrip().startswith("[")):
                kind, offset = "chat", chat.end()
                speaker = (chat.group("who") or chat.group("who2") or "").strip().lower()
                if speaker in NOT_SPEAKERS:  # `[14:10] next: …` is a label, not a person
                    speaker, offset = "", chat.start("who") if chat.group("who") else chat.start("who2")
            elif title and not (title.group("b") and re.search(r"[:：]\s*\S|\d", title.group("b"))):
                kind = "title"
                group = next(g for g in ("a", "b", "c") if title.group(g))
                offset = title.start(group)
                body = body[: title.end(group)]
            elif kind == "prose" and (marker := _LIST_MARKER.match(body)):
                # `\t- detail` under a `・item` line: Markdown reads it as paragraph text
                kind, offset = "bullet", marker.end()
                level = 1 if body[:1] in " \t\u3000" else 0
            elif extra := EXTRA_BULLET.match(body) or re.match(r"^\s*■\s*", body):
                kind = "bullet" if kind == "prose" else "more"
                level = level + 1 if kind == "more" else len(body) - len(body.lstrip()) > 1
                offset = extra.end()
            elif kind == "prose" and INTRO_LINE.match(body) and not TABLE_ROW.match(body):
                kind = "title"
                body = body.rstrip(":： ")
            offset = offset or len(body) - len(body.lstrip())
        if TABLE_RULE.match(body) and kind == "table":
            blank = False
            continue
        line_start = start + offset
        line_end = start + len(body)
        if line_start < line_end:
            lines.append(Line(line_start, line_end, kind, int(level), speaker, blank, number))
        blank = False
    return lines
