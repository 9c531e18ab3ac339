"""Character classes of the scripts notes are written in: one definition for the whole product."""

from __future__ import annotations

import re

# Hiragana + katakana (with the prolonged sound mark and middle dot).
KANA = "\u3040-\u30ff"
# CJK ideographs: extension A, the unified block, compatibility ideographs, and 々〆ヶ.
KANJI = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶ"
# Every character of Japanese words: kana + kanji (and half-width katakana).
JAPANESE = KANA + KANJI + "\uff66-\uff9f"

KANA_RE = re.compile(f"[{KANA}]")
KANJI_RE = re.compile(f"[{KANJI}]")
JAPANESE_RE = re.compile(f"[{JAPANESE}]")
LATIN_RE = re.compile(r"[A-Za-z]")


def has_japanese(text: str) -> bool:
    """Any kana or kanji."""
    return bool(JAPANESE_RE.search(text))
