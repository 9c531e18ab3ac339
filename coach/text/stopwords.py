"""Stopwords: the one list of general function words per language.

Policy. A word belongs here only if it is a closed-class word of the language: an article,
determiner, pronoun, preposition, conjunction, auxiliary or copula, a Japanese particle, formal
noun (こと, もの, ため) or demonstrative, or one of the commonest light verbs (get, する, なる).
Such words carry grammar, never a topic, so every matcher can drop them safely.

Domain vocabulary (meeting, manager, 報告), question words a flow treats specially, month names
and verbs that matter to one rule do NOT belong here: a flow that needs more words keeps its own
named set and unions it with these (``STOPWORDS_EN | _QUESTION_WORDS``), so this list stays
general and one change here means the same thing everywhere.

The words live in ``data/stopwords.txt`` (sections ``[en]`` and ``[ja]``), so they are data, not
code. English words are lower case; compare against a lower-cased (NFKC) token.
"""

from __future__ import annotations

from importlib.resources import files


def _load() -> dict[str, frozenset[str]]:
    sections: dict[str, set[str]] = {}
    current: set[str] | None = None
    text = files("coach.text").joinpath("data/stopwords.txt").read_text(encoding="utf-8")
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1].strip(), set())
            continue
        if current is None:
            raise ValueError(f"stopwords.txt: words before a section header: {line!r}")
        current.update(line.split())
    return {name: frozenset(words) for name, words in sections.items()}


_SECTIONS = _load()

STOPWORDS_EN: frozenset[str] = _SECTIONS["en"]
"""English function words, lower case."""

STOPWORDS_JA: frozenset[str] = _SECTIONS["ja"]
"""Japanese function words: particles, auxiliaries, formal nouns, demonstratives, light verbs."""


def is_stopword(word: str) -> bool:
    """True when ``word`` (any case) is a general function word of English or Japanese."""
    return word.lower() in STOPWORDS_EN or word in STOPWORDS_JA
