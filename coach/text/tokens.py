"""Search terms of a text, the same for indexing a passage and for reading a question.

A term is one of:

* a Japanese word from the morphological analyser (`coach.text.japanese`, SudachiPy), in
  dictionary form (減った → 減る), so inflected verbs and two-character nouns (手当, 昇格) are
  whole terms rather than pieces of a longer match;
* a character bigram of every kanji or katakana run of two characters or more, which covers
  compounds the dictionary does not know or splits differently (承認フロー → 承認, 認フ, フロ, ロー)
  and lets a question's word meet a note's longer compound;
* a Latin word or number as written after NFKC and lower case (`p95`, `2.4%`, `450ms`, full-width
  `４件` → `4件`), its letter and number parts (`450ms` → `450`, `ms`), and a crude English stem
  (`promised` → `promis`) so that a question's verb form meets the note's;
* a number joined to the Japanese counter or unit after it (`90件`, `80万`, `3日`).

Function words (`coach.text.stopwords`) and punctuation are dropped. Terms never contain white
space, so a passage's terms are stored space-joined and a plain word tokenizer (FTS5 unicode61)
reads exactly these terms back. Changing what `terms` returns changes the stored index: ship it
with a store migration that rewrites the passages (`coach.memory.fulltext.write`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from coach.text.japanese import analyse
from coach.text.normalize import normalize
from coach.text.script import KANA, KANJI
from coach.text.similarity import english_stem
from coach.text.stopwords import STOPWORDS_EN, STOPWORDS_JA

# Characters FTS5's unicode61 tokenizer must keep inside a term (it splits on other punctuation).
TOKEN_CHARS = ".%+#_-"

_LATIN = re.compile(r"[a-z0-9][a-z0-9.%+#_-]*[a-z0-9%+#]|[a-z0-9]")
_PARTS = re.compile(r"[a-z]+|\d+(?:\.\d+)?")
_JAPANESE_RUN = re.compile(f"[{KANA}{KANJI}\uff66-\uff9f]+")
_BIGRAM_RUN = re.compile(f"[{KANJI}]{{2,}}|[\u30a0-\u30ffー]{{2,}}")
_NUMBER_COUNTER = re.compile(f"(\\d+(?:\\.\\d+)?)([{KANJI}])")
_SKIP_POS = frozenset({"助詞", "助動詞", "補助記号", "空白", "記号"})


def _fold(text: str) -> str:
    return normalize(text).lower()


@lru_cache(maxsize=8192)
def _japanese_terms(run: str) -> tuple[str, ...]:
    out: list[str] = []
    for morpheme in analyse(run):
        if morpheme.major in _SKIP_POS:
            continue
        base = morpheme.base if morpheme.major in ("動詞", "形容詞") else morpheme.surface
        if base in STOPWORDS_JA or morpheme.surface in STOPWORDS_JA:
            continue
        if len(base) == 1 and _JAPANESE_RUN.fullmatch(base) and not re.match(f"[{KANJI}]", base):
            continue  # a lone kana carries nothing on its own
        out.append(base)
    words = set(out)
    for chunk in _BIGRAM_RUN.findall(run):
        if len(chunk) == 2 and chunk in words:
            continue  # the analyser already made it a word; a second copy would double its weight
        out.extend(chunk[i : i + 2] for i in range(len(chunk) - 1))
    return tuple(out)


def _latin_terms(word: str) -> list[str]:
    word = word.strip(".-_")
    if not word or word in STOPWORDS_EN:
        return []
    out = [word]
    parts = _PARTS.findall(word)
    if len(parts) > 1:
        out.extend(part for part in parts if len(part) > 1 or part.isdigit())
    if word.isalpha():
        stem = english_stem(word)
        if stem and stem != word:
            out.append(stem)
    return out


def terms(text: str) -> list[str]:
    """The search terms of `text`, in order of appearance (repeats kept: they count in BM25)."""
    folded = _fold(text)
    out: list[str] = []
    for word in _LATIN.findall(folded):
        out.extend(_latin_terms(word))
    for run in _JAPANESE_RUN.findall(folded):
        out.extend(_japanese_terms(run))
    for number, counter in _NUMBER_COUNTER.findall(folded):
        out.append(number + counter)
    return [term for term in out if term]


_URL = re.compile(r"\b(?:https?://|www\.)\S+")
_WORD_POS = frozenset({"普通名詞", "固有名詞"})


@lru_cache(maxsize=8192)
def _japanese_words(run: str) -> tuple[str, ...]:
    return tuple(
        m.surface
        for m in analyse(run)
        if m.major == "名詞" and len(m.pos) > 1 and m.pos[1] in _WORD_POS and len(m.surface) >= 2
    )


def words(text: str) -> set[str]:
    """The content words of `text`: the nouns the analyser finds (two characters or more) and the
    Latin words of three letters or more, stop words, numbers and web addresses left out. These
    are the words a question's word can be matched to by meaning (`coach.search.bridges`); every
    one of them is also a search term of `text`."""
    folded = _URL.sub(" ", _fold(text))
    out: set[str] = set()
    for word in _LATIN.findall(folded):
        word = word.strip(".-_")
        if len(word) >= 3 and word.replace("-", "").isalpha() and word not in STOPWORDS_EN:
            out.add(word)
    for run in _JAPANESE_RUN.findall(folded):
        out.update(w for w in _japanese_words(run) if w not in STOPWORDS_JA)
    return out


def indexed_text(text: str) -> str:
    """The terms of `text` space-joined: what the full-text table stores for a passage."""
    return " ".join(terms(text))


def fts_query(query_terms: Iterable[str], operator: str = "OR") -> str:
    """An FTS5 MATCH expression over `query_terms`, each quoted as a string (no query syntax)."""
    unique = dict.fromkeys(t for t in query_terms if t)
    return f" {operator} ".join('"' + t.replace('"', '""') + '"' for t in unique)
