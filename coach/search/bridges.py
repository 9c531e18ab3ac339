"""A question's word that the notes never use, matched by meaning to a word they do use.

`給料はいくら上がった?` over notes that say 年収, or `outcome` over Japanese notes that say 結果:
no term, no loanword sound in common. The embedder reads both sides: every content word of the
notes (`coach.text.tokens.words`, kept in the store's `words` table and embedded when its meeting
is indexed) is a vector, and a question's missing word is compared with all of them.

Policy (the only data is the calibration below; there is no glossary):

* only a content unit of the question that occurs in no passage (and has no loanword partner) is
  looked up: a word the notes use is its own evidence;
* the nearest word is taken only when it stands out of the whole vocabulary: its similarity is
  more standard deviations above the mean similarity of every word than the nearest of that many
  unrelated words would be (about sqrt(2 ln N) for N words, the expected maximum of N draws),
  by `margin_z`; and `min_gap` above the second nearest. Word vectors of this model sit close
  together (0.80–0.95 for almost any pair), so a fixed similarity threshold says little, and a
  fixed z would let a large vocabulary's chance best match through: with 200 words the best of
  unrelated ones stands near z 3.3, with 20,000 near 4.5;
* the match then counts as the unit's alias, like a loanword partner: it joins the lexical query,
  the coverage of a passage and the not-found evidence, and is named in the retrieval's `reason`.

Calibration (fitted on corpus A's questions, the tuning corpus, about 200 words, and on words
of our own in tests/test_bridges.py; checked on corpus B by `bench/retrieval.py`): right matches
stood at z 4.1–5.3, the words of questions whose topic is absent from the notes at z 2.3–3.2, so
the bar there is z 4.0, sqrt(2 ln 213) + 0.73.
"""

from __future__ import annotations

import bisect
import math
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from coach.search.embedding import DIM, Embedder
from coach.text.script import KANJI
from coach.text.similarity import english_stem

KANJI_RE = re.compile(f"[{KANJI}]")
LATIN_WORD = re.compile(r"[a-z][a-z-]*")


class WordSource(Protocol):
    def words_after(self, after: int, limit: int) -> list[tuple[int, str]]: ...


@dataclass(frozen=True)
class BridgeCalibration:
    margin_z: float = 0.73  # above the z the best of the vocabulary's unrelated words reaches
    min_gap: float = 0.01  # above the second-nearest word
    min_vocabulary: int = 50  # fewer words give no stable mean and spread
    lazy_limit: int = 256  # words embedded inside one search when indexing left them out
    most_units: int = 3  # question words looked up in one search
    # What a matched word counts for in a passage's or a sentence's coverage of the question: a
    # word near in meaning may be the word in another sense (training ≈ 学習, of a model), so it
    # weighs less than the question's own word or its loanword.
    credit: float = 0.5
    # Latin words under this share of the notes' words are their names and codes, not their
    # language (the share at which retrieval reads a script as the notes' own, SCRIPT_SHARE)
    latin_names_share: float = 0.25


CALIBRATION = BridgeCalibration()


@dataclass(frozen=True)
class Bridge:
    unit: str
    word: str
    similarity: float
    z: float
    gap: float
    bar: float  # the z it had to reach among this many words
    vocabulary: int

    @property
    def why(self) -> str:
        return (
            f"{self.unit}≈{self.word} (z {self.z:.1f} ≥ {self.bar:.1f} for {self.vocabulary} words,"
            f" +{self.gap:.3f} over the next word)"
        )


@dataclass
class WordSpace:
    """The notes' content words and their unit vectors, read from the store and topped up by id."""

    words: list[str] = field(default_factory=list)
    matrix: np.ndarray = field(default_factory=lambda: np.zeros((0, DIM), dtype=np.float32))
    upto: int = 0
    first: int = 0  # id of the first word held, to notice a store replaced under the same name
    lock: threading.Lock = field(default_factory=threading.Lock)

    # What `related` reads, built from `words` as they grow (a search must not scan every word in
    # Python for each unit: ~20 ms per unit at 30,000 words, more than embedding the unit).
    _indexed: int = 0
    _by_word: dict[str, list[int]] = field(default_factory=dict)
    _by_kanji: dict[str, list[int]] = field(default_factory=dict)
    _joined: str = ""  # each word after a NUL, to find the words holding a unit with str.find
    _starts: list[int] = field(default_factory=list)  # offset of each word in `_joined`
    _latin: dict[str, list[int]] = field(default_factory=dict)  # English stem -> its Latin words

    def _clear(self) -> None:
        self.words, self.upto, self.first = [], 0, 0
        self.matrix = np.zeros((0, DIM), dtype=np.float32)
        self._indexed, self._by_word, self._by_kanji, self._joined, self._starts = 0, {}, {}, "", []
        self._latin = {}

    def _index(self) -> None:
        if self._indexed == len(self.words):
            return
        added = self.words[self._indexed :]
        offset = len(self._joined)
        for i, word in enumerate(added, start=self._indexed):
            self._by_word.setdefault(word, []).append(i)
            for kanji in set(KANJI_RE.findall(word)):
                self._by_kanji.setdefault(kanji, []).append(i)
            if LATIN_WORD.fullmatch(word):
                self._latin.setdefault(english_stem(word), []).append(i)
            self._starts.append(offset + 1)  # after the NUL that opens the word
            offset += len(word) + 1
        self._joined += "".join(f"\0{word}" for word in added)
        self._indexed = len(self.words)

    def related(self, unit: str) -> list[int]:
        """Indices of the words inside `unit`, holding it, or sharing a kanji with it."""
        with self.lock:
            self._index()
            found: set[int] = set()
            for start in range(len(unit)):
                for end in range(start + 1, len(unit) + 1):
                    found.update(self._by_word.get(unit[start:end], ()))
            at = self._joined.find(unit)
            while at != -1:
                found.add(bisect.bisect_right(self._starts, at) - 1)
                at = self._joined.find(unit, at + 1)
            for kanji in set(KANJI_RE.findall(unit)):
                found.update(self._by_kanji.get(kanji, ()))
            return sorted(found)

    def other_latin(self, unit: str, names_share: float) -> list[int]:
        """For an English unit over notes written in another script (Latin words under
        `names_share` of their words), the notes' English words of another stem. There, the
        Latin words are names and codes (http, p95, a product), which this model reads as near
        any English word (offsite ≈ http): never the unit in other words. The same word in
        another form (scheduling, schedule) shares the stem and stays a candidate; over English notes,
        every English word does."""
        if not LATIN_WORD.fullmatch(unit):
            return []
        with self.lock:
            self._index()
            latin = sum(len(found) for found in self._latin.values())
            if not self.words or latin >= names_share * len(self.words):
                return []
            stem = english_stem(unit)
            return [i for key, found in self._latin.items() if key != stem for i in found]

    def refresh(self, source: WordSource, embedder: Embedder, lazy_limit: int) -> None:
        """Add the words written since the last refresh. Words whose vector is not cached yet
        (a store filled without indexing) are embedded here, at most `lazy_limit` per call; the
        rest wait for a later call."""
        with self.lock:
            if self.words and source.words_after(0, 1) != [(self.first, self.words[0])]:
                self._clear()  # the store was replaced under the same name: start again
            new = source.words_after(self.upto, 1_000_000)
            if not new:
                return
            keys = [embedder.cache.key("word", word) for _, word in new]
            cached = embedder.cache.get_many(keys)
            take: list[tuple[int, str]] = []
            budget = lazy_limit
            for (wid, word), key in zip(new, keys, strict=True):
                if key not in cached:
                    if budget == 0:
                        break
                    budget -= 1
                take.append((wid, word))
            if not take:
                return
            vectors = embedder.embed([word for _, word in take], "word")
            if not self.words:
                self.first = take[0][0]
            self.words.extend(word for _, word in take)
            self.matrix = np.vstack([self.matrix, vectors.astype(np.float32)])
            self.upto = take[-1][0]


_SPACES: dict[str, WordSpace] = {}
_SPACES_LOCK = threading.Lock()


def space_for(name: str) -> WordSpace:
    """One word space per store file in this process (words only ever grow, so it is topped up)."""
    with _SPACES_LOCK:
        return _SPACES.setdefault(name, WordSpace())


def chance_z(words: int) -> float:
    """How far above the mean, in standard deviations, the nearest of `words` unrelated words
    stands by chance: the expected maximum of that many normal draws, about sqrt(2 ln N)."""
    return math.sqrt(2 * math.log(max(words, 2)))


def bridges(
    units: Sequence[str],
    space: WordSpace,
    embedder: Embedder,
    calibration: BridgeCalibration = CALIBRATION,
) -> list[Bridge]:
    """The notes' word nearest in meaning to each unit, where it stands out (see the policy)."""
    if not units or len(space.words) < calibration.min_vocabulary:
        return []
    queries = embedder.embed(list(units), "query")  # a question's words: cached as the question is
    bar = chance_z(len(space.words)) + calibration.margin_z
    scores = space.matrix @ queries.T  # (words, units)
    found: list[Bridge] = []
    for column, unit in enumerate(units):
        column_scores = scores[:, column]
        mean, spread = float(column_scores.mean()), max(float(column_scores.std()), 1e-6)
        # A word inside the unit or holding it names a broader or narrower subject (住宅手当 is
        # not 手当), and a compound sharing a kanji with it a sibling (休暇, 連休, 休日): never
        # the same subject in other words. The lexical side already weighs what they share.
        related = [*space.related(unit), *space.other_latin(unit, calibration.latin_names_share)]
        if related:
            column_scores = column_scores.copy()
            column_scores[related] = -np.inf
        order = np.argpartition(-column_scores, 1)[:2]
        first, second = sorted(order, key=lambda i: -column_scores[i])
        best, runner_up = float(column_scores[first]), float(column_scores[second])
        if not np.isfinite(best):
            continue
        z = (best - mean) / spread
        word = space.words[int(first)]
        if z >= bar and best - runner_up >= calibration.min_gap:
            found.append(Bridge(unit, word, best, z, best - runner_up, bar, len(space.words)))
    return found
