"""Segmentation shared by every reader of notes: list items, bullet markers, sentences."""

from __future__ import annotations

import re

# One bullet grammar for the whole product: Markdown markers, the Japanese middle dot, numbered
# items (`1.` / `1)` / `(1)` / `①`), each followed by optional task-list brackets.
BULLET = re.compile(r"^\s*(?:[-*+・•●○◦▪‣]|\(?\d{1,3}[.)）]|[①-⑳])\s*")
CHECKBOX = re.compile(r"^\[([ xX✓✔])\]\s*")
SENTENCE_END = re.compile(r"(?<=[。！？!?])|(?<=[.])\s+")


def strip_bullet(line: str) -> tuple[str, bool]:
    """The line without its bullet marker (and task brackets), and whether it had one.

    A numbered marker needs white space after it, so `1.5倍` or `3)` inside prose is no bullet."""
    match = BULLET.match(line)
    if not match:
        return line.strip(), False
    marker = match.group(0).strip()
    if marker[:1].isdigit() and not match.group(0)[-1:].isspace():
        return line.strip(), False
    return CHECKBOX.sub("", line[match.end() :], count=1).strip(), True


def split_items(text: str) -> list[str]:
    """List items (or paragraphs when there is no list) of a section: one concern / intent each.

    Indented lines and lines after a prose line continue the item before them."""
    items: list[str] = []
    bullet = False
    for line in text.splitlines():
        if not line.strip():
            continue
        stripped, is_bullet = strip_bullet(line)
        if is_bullet:
            bullet = True
        elif (items and not bullet) or (items and line.startswith((" ", "\t"))):
            items[-1] += "\n" + stripped
            continue
        if stripped:
            items.append(stripped)
    return items


def sentences(text: str) -> list[str]:
    """Sentences of a paragraph: split after 。！？!? and after a full stop followed by space."""
    return [part.strip() for part in SENTENCE_END.split(text) if part and part.strip()]
