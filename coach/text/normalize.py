"""Normalisation for matching (never to rewrite what the user wrote): NFKC, arrows, spaces.

`fold` keeps offsets (one char in, one char out) so that spans found in folded text are exact
substrings of what the user wrote.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

ARROWS = "→⇒➡⟶➔➝➞⇨"
_ARROW_MAP = {ord(ch): "→" for ch in ARROWS}


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch in ARROWS:
        return "→"
    if ch in "〜～":
        return "~"
    folded = unicodedata.normalize("NFKC", ch)
    return folded if len(folded) == 1 else ch


def fold(text: str) -> str:
    """Offset-preserving normalisation: full-width digits/letters/％ to ASCII, arrows to `→`.

    Unlike `normalize`, every character maps to exactly one character, so a match at [i:j] in
    the folded text is the user's own text at [i:j].
    """
    if text.isascii():
        return text
    return "".join(_fold_char(ch) for ch in text)


_SPACES = re.compile(r"[ \t\u3000]+")


def nfkc_lower(text: str) -> str:
    """NFKC (full-width to half-width) and lower case: the key for matching words, never shown."""
    return unicodedata.normalize("NFKC", text).lower()


def normalize(text: str) -> str:
    """NFKC, one arrow (`→`), single spaces: for matching and search, never to rewrite user text."""
    folded = unicodedata.normalize("NFKC", text).translate(_ARROW_MAP)
    folded = folded.replace("-->", "→").replace("->", "→").replace("=>", "→")
    lines = []
    for line in folded.splitlines():
        pieces = _SPACES.sub(" ", line).split("→")
        lines.append("→".join(piece.strip() for piece in pieces).strip())
    return "\n".join(lines).strip()
