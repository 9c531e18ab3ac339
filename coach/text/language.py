"""Which language a text is written in."""

from __future__ import annotations

from coach.models import Language
from coach.text.script import JAPANESE_RE, KANA_RE, LATIN_RE


def detect_language(text: str) -> Language:
    """Japanese when kana appear or CJK characters carry a fair share of the letters.

    Japanese notes are full of English terms (API, P95, Slack), and a Japanese character carries
    about as much as a short English word, hence the weighting.
    """
    sample = text[:20000]
    cjk = len(JAPANESE_RE.findall(sample))
    if not cjk:
        return "en"
    latin = len(LATIN_RE.findall(sample))
    kana = len(KANA_RE.findall(sample))
    if kana and kana * 20 >= latin:
        return "ja"
    return "ja" if cjk * 4 >= latin else "en"
