"""The store's full-text table of passages (SQLite FTS5), written with the meeting it belongs to.

Each passage (`coach.text.passages`: a section or the preamble, with its meeting title and
heading) is one row of `passages` and one row of the FTS5 table `passages_fts`, whose single
column holds the passage's search terms (`coach.text.tokens`) space-joined. Tokenizing in Python
and storing the terms lets FTS5's plain `unicode61` tokenizer read Japanese words, CJK bigrams
and numbers with units back exactly as they were made, with BM25 ranking (`bm25()`) and document
frequencies (`fts5vocab`) from SQLite itself; nothing is rebuilt in memory after a write.

The rows are written in the caller's transaction (the one that writes the meeting), so the
index is never out of step with the meetings; deleting a meeting cascades to its passages, and a
trigger removes their FTS rows.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Sequence

from coach.models import Meeting, Passage, SectionKind
from coach.text.loanwords import sound_key
from coach.text.passages import passages_with_context
from coach.text.readings import proper_noun_keys
from coach.text.tokens import TOKEN_CHARS, fts_query, indexed_text
from coach.text.tokens import words as words_of

SCHEMA = f"""
CREATE TABLE passages (
    id INTEGER PRIMARY KEY,
    pid TEXT NOT NULL UNIQUE,
    meeting TEXT NOT NULL REFERENCES meetings(file) ON DELETE CASCADE,
    date TEXT NOT NULL,
    ymd INTEGER NOT NULL,
    section TEXT NOT NULL,
    text TEXT NOT NULL,
    context TEXT NOT NULL
);
CREATE INDEX passages_by_meeting ON passages(meeting);
CREATE INDEX passages_by_ymd ON passages(ymd);
CREATE VIRTUAL TABLE passages_fts USING fts5(
    terms, tokenize = "unicode61 remove_diacritics 0 tokenchars '{TOKEN_CHARS}'"
);
CREATE VIRTUAL TABLE passages_terms USING fts5vocab(passages_fts, 'row')
"""
# Terms by sound key (`coach.text.loanwords`), so that a question's English word can find the
# notes' katakana loanword and back, and the notes' kanji proper nouns by their reading in romaji
# (`coach.text.readings`, keys `r:…`: Fukuoka finds 福岡). Written with the passages; a key never
# removed costs nothing (its term just matches no passage any more).
SOUNDS = """
CREATE TABLE IF NOT EXISTS term_sounds (
    key TEXT NOT NULL,
    term TEXT NOT NULL,
    PRIMARY KEY (key, term)
) WITHOUT ROWID
"""
# The notes' content words (`coach.text.tokens.words`), each once, in the order first written: a
# question's word the notes never use is matched to one of these by meaning
# (`coach.search.bridges`), which reads the new ones by id. Never pruned, like the sound keys.
WORDS = """
CREATE TABLE IF NOT EXISTS words (
    id INTEGER PRIMARY KEY,
    word TEXT NOT NULL UNIQUE
)
"""
TRIGGER = """
CREATE TRIGGER passages_fts_delete AFTER DELETE ON passages BEGIN
    DELETE FROM passages_fts WHERE rowid = old.id;
END
"""
_COLUMNS = "p.pid, p.meeting, p.date, p.section, p.text, p.context"


def ymd(day: dt.date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def create(db: sqlite3.Connection) -> None:
    """The tables, the vocabulary view and the delete trigger (run inside a migration)."""
    for statement in SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)
    db.execute(TRIGGER)
    db.execute(SOUNDS)
    db.execute(WORDS)


def create_sounds(db: sqlite3.Connection) -> None:
    """The sound-key table, filled from the vocabulary already indexed (run inside a migration)."""
    db.execute(SOUNDS)
    add_sounds(db, (str(term) for (term,) in db.execute("SELECT term FROM passages_terms")))


def add_sounds(db: sqlite3.Connection, words: Iterable[str], names: Iterable[tuple[str, str]] = ()) -> None:
    keyed = {(key, word) for word in set(words) if (key := sound_key(word))} | set(names)
    db.executemany("INSERT OR IGNORE INTO term_sounds (key, term) VALUES (?, ?)", sorted(keyed))


def add_name_readings(db: sqlite3.Connection) -> None:
    """The romaji keys of the proper nouns of the passages already stored (run inside a migration)."""
    names: set[tuple[str, str]] = set()
    for (text,) in db.execute("SELECT text FROM passages ORDER BY id"):
        names.update(proper_noun_keys(str(text)))
    add_sounds(db, (), names)


def sounding(db: sqlite3.Connection, keys: Iterable[str]) -> dict[str, list[str]]:
    """The indexed terms under each sound key."""
    wanted = sorted(set(keys))
    found: dict[str, list[str]] = {}
    if not wanted:
        return found
    marks = ",".join("?" * len(wanted))
    for key, term in db.execute(f"SELECT key, term FROM term_sounds WHERE key IN ({marks})", wanted):
        found.setdefault(str(key), []).append(str(term))
    return found


def create_words(db: sqlite3.Connection) -> None:
    """The content-word table, filled from the passages already stored (run inside a migration)."""
    db.execute(WORDS)
    found: set[str] = set()
    for (text,) in db.execute("SELECT text FROM passages ORDER BY id"):
        found.update(words_of(str(text)))
    add_words(db, found)


def add_words(db: sqlite3.Connection, found: Iterable[str]) -> None:
    db.executemany("INSERT OR IGNORE INTO words (word) VALUES (?)", [(w,) for w in sorted(set(found))])


def words_after(db: sqlite3.Connection, after: int, limit: int) -> list[tuple[int, str]]:
    """Up to `limit` content words with an id above `after`, by id."""
    rows = db.execute("SELECT id, word FROM words WHERE id > ? ORDER BY id LIMIT ?", (after, limit))
    return [(int(i), str(w)) for i, w in rows]


def write(db: sqlite3.Connection, meetings: Iterable[Meeting]) -> None:
    """Replace the passages of each meeting (inside the caller's transaction)."""
    words: set[str] = set()
    content: set[str] = set()
    names: set[tuple[str, str]] = set()
    for meeting in meetings:
        db.execute("DELETE FROM passages WHERE meeting = ?", (meeting.file,))
        for passage, context in passages_with_context(meeting):
            cursor = db.execute(
                "INSERT INTO passages (pid, meeting, date, ymd, section, text, context)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    passage.id,
                    meeting.file,
                    meeting.date.isoformat(),
                    ymd(meeting.date),
                    passage.section,
                    passage.text,
                    context,
                ),
            )
            indexed = indexed_text(context)
            db.execute("INSERT INTO passages_fts (rowid, terms) VALUES (?, ?)", (cursor.lastrowid, indexed))
            words.update(indexed.split())
            # the passage's own words: the meeting title and the section heading its context
            # adds (共有, 宿題, Action items) stand in every passage and name no topic
            content.update(words_of(passage.text))
            names.update(proper_noun_keys(passage.text))
    add_sounds(db, words, names)
    add_words(db, content)


def _passage(row: Sequence[object]) -> tuple[Passage, str]:
    pid, file, day, section, text, context = row[:6]
    section_kind: SectionKind = section  # type: ignore[assignment]
    passage = Passage(
        id=str(pid),
        meeting=dt.date.fromisoformat(str(day)),
        file=str(file),
        section=section_kind,
        text=str(text),
    )
    return passage, str(context)


def search(
    db: sqlite3.Connection,
    terms: Sequence[str],
    k: int,
    date_range: tuple[dt.date, dt.date] | None = None,
) -> list[tuple[Passage, float, str]]:
    """The `k` passages best matching any of `terms` by BM25 (higher is better), with context."""
    query = fts_query(terms)
    if not query or k <= 0:
        return []
    if date_range is None:
        rows = db.execute(
            f"SELECT {_COLUMNS}, m.score FROM (SELECT rowid, -rank AS score FROM passages_fts"
            " WHERE passages_fts MATCH ? ORDER BY rank LIMIT ?) m JOIN passages p ON p.id = m.rowid"
            " ORDER BY m.score DESC",
            (query, k),
        ).fetchall()
    else:
        rows = db.execute(
            f"SELECT {_COLUMNS}, -bm25(passages_fts) AS score FROM passages_fts"
            " JOIN passages p ON p.id = passages_fts.rowid"
            " WHERE passages_fts MATCH ? AND p.ymd BETWEEN ? AND ? ORDER BY score DESC LIMIT ?",
            (query, ymd(date_range[0]), ymd(date_range[1]), k),
        ).fetchall()
    out: list[tuple[Passage, float, str]] = []
    for row in rows:
        passage, context = _passage(row)
        out.append((passage, float(row[6]), context))
    return out


def doc_freqs(db: sqlite3.Connection, terms: Iterable[str]) -> dict[str, int]:
    """Passages holding each term (0 for a term no passage has)."""
    wanted = sorted(set(terms))
    found = {term: 0 for term in wanted}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for term, docs in db.execute(f"SELECT term, doc FROM passages_terms WHERE term IN ({marks})", chunk):
            found[str(term)] = int(docs)
    return found


def co_freq(db: sqlite3.Connection, terms: Sequence[str], cap: int = 1000) -> int:
    """Passages holding every one of `terms` (counted up to `cap`)."""
    query = fts_query(terms, "AND")
    if not query:
        return 0
    row = db.execute(
        "SELECT count(*) FROM (SELECT rowid FROM passages_fts WHERE passages_fts MATCH ? LIMIT ?)",
        (query, cap),
    ).fetchone()
    return int(row[0])


def count(db: sqlite3.Connection) -> int:
    return int(db.execute("SELECT count(*) FROM passages").fetchone()[0])


def in_range(
    db: sqlite3.Connection, start: dt.date, end: dt.date, limit: int
) -> list[tuple[Passage, str]] | None:
    """Every passage of the meetings in [start, end] with its context; None when more than `limit`."""
    total = db.execute(
        "SELECT count(*) FROM passages WHERE ymd BETWEEN ? AND ?", (ymd(start), ymd(end))
    ).fetchone()
    if int(total[0]) > limit:
        return None
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM passages p WHERE p.ymd BETWEEN ? AND ? ORDER BY p.ymd, p.id",
        (ymd(start), ymd(end)),
    ).fetchall()
    return [_passage(row) for row in rows]
