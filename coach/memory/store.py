"""The SQLite store: the single source of truth for meetings, the action ledger and saved work.

One connection per operation (WAL, foreign keys on); every write is one transaction, so a crash
mid-import leaves either the old or the new state, never a mix. The search index is derived from
this store and can always be rebuilt from it.

The store derives nothing: rows computed from a meeting (STAR entries, concern buckets, intent
flags) are handed in by the caller with the version of the rules that made them; the `derived`
column keeps that version, so an unchanged meeting is re-derived only when the rules change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from coach.config import Settings, private_dir, private_file, redact, secret_values
from coach.errors import StoreError
from coach.memory import fulltext
from coach.models import (
    ActionItem,
    ActionStatus,
    Bucket,
    IntentParts,
    Meeting,
    MeetingSection,
    NextMeetingPrep,
    Owner,
    Passage,
    RewriteResult,
    SectionKind,
    StarEntry,
)

ClosedBy = str  # "checkbox" | "prose" | "manual"
DROPPED = "dropped"  # the result of an action closed because it is no longer needed


class ChecklistItem(BaseModel):
    """One action item of a meeting, as written (the ledger is computed from these): a checkbox,
    a `TODO:` label, an action-table row or an `X will …` line."""

    text: str
    checked: bool = False
    owner: Owner = "me"
    due: dt.date | None = None
    owner_name: str | None = None
    line: int | None = None
    source: str = ""
    state: str = "open"  # open | done | dropped (a table status may drop an item)
    via: str = "checkbox"  # checkbox | label | table | will
    carried: bool = False
    note: str = ""
    due_raw: str | None = None


@dataclass
class LedgerEntry:
    """An action as the ledger computation sees it; `key` is its identity within `from_`."""

    key: str
    action: str
    owner: Owner
    due: dt.date | None
    status: ActionStatus
    from_: str
    done_in: str | None = None
    result: str | None = None
    closed_by: ClosedBy | None = None
    owner_name: str | None = None
    due_raw: str | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)
    why: str = ""


@dataclass
class StoredMeeting:
    """A meeting as written to the store: the parsed model, its raw Markdown and its checklist."""

    meeting: Meeting
    raw: str
    checklist: list[ChecklistItem]
    levels: list[int] | None = None
    source: str = "import"
    derived: DerivedRows | None = None


@dataclass
class DerivedRows:
    """What the rules read out of a meeting, stored beside it for the review and the agenda.

    `version` names the rules that made the rows: a meeting whose stored version differs is
    re-derived on the next write even when its Markdown did not change."""

    version: str
    star_entries: list[StarEntry]
    concerns: list[tuple[str, Bucket | None]]
    career_intents: list[tuple[str, IntentParts | None]]


def content_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- migrations

Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: list[tuple[str, Migration]] = []


def migration(fn: Migration) -> Migration:
    """Register a schema change. Append only: never edit or reorder an applied migration."""
    MIGRATIONS.append((fn.__name__, fn))
    return fn


@migration
def m001_initial(db: sqlite3.Connection) -> None:
    _script(
        db,
        """
        CREATE TABLE meetings (
            file TEXT PRIMARY KEY,
            date TEXT NOT NULL,
            with_name TEXT,
            title TEXT,
            preamble TEXT NOT NULL DEFAULT '',
            content_hash TEXT NOT NULL,
            raw TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT 'import',
            derived TEXT NOT NULL DEFAULT '',
            updated_at TEXT NOT NULL
        );
        CREATE INDEX meetings_by_date ON meetings(date, file);
        CREATE TABLE sections (
            meeting TEXT NOT NULL REFERENCES meetings(file) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            kind TEXT NOT NULL,
            heading TEXT NOT NULL,
            level INTEGER NOT NULL DEFAULT 2,
            text TEXT NOT NULL,
            PRIMARY KEY (meeting, position)
        );
        CREATE TABLE checklist (
            meeting TEXT NOT NULL REFERENCES meetings(file) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            text TEXT NOT NULL,
            checked INTEGER NOT NULL,
            owner TEXT NOT NULL CHECK (owner IN ('me', 'manager')),
            due TEXT,
            PRIMARY KEY (meeting, position)
        );
        CREATE TABLE star_entries (
            id INTEGER PRIMARY KEY,
            meeting TEXT NOT NULL REFERENCES meetings(file) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            entry TEXT NOT NULL
        );
        CREATE TABLE concerns (
            id INTEGER PRIMARY KEY,
            meeting TEXT NOT NULL REFERENCES meetings(file) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            text TEXT NOT NULL,
            bucket TEXT CHECK (bucket IN ('self', 'support', 'org'))
        );
        CREATE TABLE career_intents (
            id INTEGER PRIMARY KEY,
            meeting TEXT NOT NULL REFERENCES meetings(file) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            text TEXT NOT NULL,
            has TEXT
        );
        CREATE TABLE actions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            key TEXT NOT NULL,
            action TEXT NOT NULL,
            owner TEXT NOT NULL CHECK (owner IN ('me', 'manager')),
            due TEXT,
            status TEXT NOT NULL CHECK (status IN ('open', 'done')),
            from_meeting TEXT NOT NULL REFERENCES meetings(file) ON DELETE CASCADE,
            done_in TEXT REFERENCES meetings(file) ON DELETE SET NULL,
            result TEXT,
            closed_by TEXT CHECK (closed_by IN ('checkbox', 'prose', 'manual')),
            UNIQUE (from_meeting, key)
        );
        CREATE INDEX actions_by_status ON actions(status, owner);
        CREATE TABLE inputs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            flow TEXT NOT NULL,
            text TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE rewrites (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            input_id INTEGER REFERENCES inputs(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL,
            result TEXT NOT NULL
        );
        CREATE TABLE prep (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            data TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        """,
    )


@migration
def m002_action_closed_on(db: sqlite3.Connection) -> None:
    """Manual closures have no closing meeting: remember the day instead (for the review's period cut)."""
    db.execute("ALTER TABLE actions ADD COLUMN closed_on TEXT")


@migration
def m004_index_state(db: sqlite3.Connection) -> None:
    """How far the search index got: per index target (the embedded dir or a server URL), the
    content hash and passage count of each meeting, written only after the index confirmed it."""
    _script(
        db,
        """
        CREATE TABLE index_state (
            target TEXT NOT NULL,
            file TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            version TEXT NOT NULL,
            passages INTEGER NOT NULL,
            indexed_at TEXT NOT NULL,
            PRIMARY KEY (target, file)
        )
        """,
    )


@migration
def m003_fts_passages(db: sqlite3.Connection) -> None:
    """The full-text table of passages (`coach.memory.fulltext`), filled from the stored meetings."""
    fulltext.create(db)
    rows = db.execute(f"SELECT {MEETING_COLUMNS} FROM meetings ORDER BY date, file").fetchall()
    sections = _sections_by_meeting(db, None)
    fulltext.write(db, (_meeting(row, sections.get(row[0], [])) for row in rows))


@migration
def m003_ledger_people(db: sqlite3.Connection) -> None:
    """Actions of someone other than me or my manager (owner `other`), the owner's name, each
    status's evidence and why, and new ways of closing (table status, other-language prose,
    dropped): the checklist and actions tables are rebuilt with wider checks and a `detail`
    JSON column; meetings learn their participants and whether they were cancelled."""
    _script(
        db,
        """
        ALTER TABLE meetings ADD COLUMN participants TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE meetings ADD COLUMN cancelled INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE checklist_v2 (
            meeting TEXT NOT NULL REFERENCES meetings(file) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            text TEXT NOT NULL,
            checked INTEGER NOT NULL,
            owner TEXT NOT NULL CHECK (owner IN ('me', 'manager', 'other')),
            due TEXT,
            detail TEXT NOT NULL DEFAULT '{}',
            PRIMARY KEY (meeting, position)
        );
        INSERT INTO checklist_v2 (meeting, position, text, checked, owner, due)
            SELECT meeting, position, text, checked, owner, due FROM checklist;
        DROP TABLE checklist;
        ALTER TABLE checklist_v2 RENAME TO checklist;
        CREATE TABLE actions_v2 (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            key TEXT NOT NULL,
            action TEXT NOT NULL,
            owner TEXT NOT NULL CHECK (owner IN ('me', 'manager', 'other')),
            due TEXT,
            status TEXT NOT NULL CHECK (status IN ('open', 'done')),
            from_meeting TEXT NOT NULL REFERENCES meetings(file) ON DELETE CASCADE,
            done_in TEXT REFERENCES meetings(file) ON DELETE SET NULL,
            result TEXT,
            closed_by TEXT,
            closed_on TEXT,
            detail TEXT NOT NULL DEFAULT '{}',
            UNIQUE (from_meeting, key)
        );
        INSERT INTO actions_v2 (id, key, action, owner, due, status, from_meeting, done_in, result,
                                closed_by, closed_on)
            SELECT id, key, action, owner, due, status, from_meeting, done_in, result, closed_by, closed_on
            FROM actions;
        DROP TABLE actions;
        ALTER TABLE actions_v2 RENAME TO actions;
        CREATE INDEX actions_by_status ON actions(status, owner)
        """,
    )


@migration
def m003_ledger_drafts(db: sqlite3.Connection) -> None:
    """What a form holds while the user types (the Record page), so a reload loses nothing."""
    db.execute("CREATE TABLE drafts (name TEXT PRIMARY KEY, data TEXT NOT NULL, updated_at TEXT NOT NULL)")


@migration
def m005_term_sounds(db: sqlite3.Connection) -> None:
    """Terms by sound key, for loanword matching across scripts (`coach.memory.fulltext.SOUNDS`)."""
    fulltext.create_sounds(db)


@migration
def m006_revision(db: sqlite3.Connection) -> None:
    """A counter every change to the meetings or to the index record moves (`Store.revision`):
    equal counters, nothing to compare between the store and the search index."""
    db.execute("CREATE TABLE revision (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL)")
    db.execute("INSERT INTO revision (id, n) VALUES (1, 0)")
    for table in ("meetings", "index_state"):
        for event in ("INSERT", "UPDATE", "DELETE"):
            db.execute(
                f"CREATE TRIGGER {table}_{event.lower()}_revision AFTER {event} ON {table}"
                " BEGIN UPDATE revision SET n = n + 1 WHERE id = 1; END"
            )


@migration
def m007_words(db: sqlite3.Connection) -> None:
    """The notes' content words, for matching a question's word by meaning (`fulltext.WORDS`)."""
    fulltext.create_words(db)


@migration
def m008_term_sounds_rekey(db: sqlite3.Connection) -> None:
    """The sound keys changed (`coach.text.loanwords`: two-consonant keys for words of four or five
    letters, English -er and ee/ea read as Japanese renders them): every term is keyed again."""
    db.execute("DELETE FROM term_sounds")
    fulltext.create_sounds(db)


@migration
def m009_name_readings(db: sqlite3.Connection) -> None:
    """The notes' kanji proper nouns keyed by their reading in romaji (`coach.text.readings`)."""
    fulltext.add_name_readings(db)


def migrate(db: sqlite3.Connection) -> list[str]:
    """Apply pending migrations, each in its own transaction; return the names applied."""
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    done = {row[0] for row in db.execute("SELECT name FROM _migrations")}
    applied = []
    for name, fn in MIGRATIONS:
        if name in done:
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have applied it while we waited for the write lock.
            if db.execute("SELECT 1 FROM _migrations WHERE name = ?", (name,)).fetchone():
                db.execute("COMMIT")
                continue
            fn(db)
            db.execute("INSERT INTO _migrations (name, applied_at) VALUES (?, ?)", (name, _now()))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        applied.append(name)
    return applied


def _script(db: sqlite3.Connection, sql: str) -> None:
    """Run statements one by one: `executescript` would commit and leave the migration's transaction."""
    for statement in sql.split(";"):
        if statement.strip():
            db.execute(statement)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


# --------------------------------------------------------------------------- derived rows


def _write_derived(db: sqlite3.Connection, file: str, rows: DerivedRows) -> None:
    for table in ("star_entries", "concerns", "career_intents"):
        db.execute(f"DELETE FROM {table} WHERE meeting = ?", (file,))
    db.executemany(
        "INSERT INTO star_entries (meeting, position, entry) VALUES (?, ?, ?)",
        [(file, i, e.model_dump_json(by_alias=True)) for i, e in enumerate(rows.star_entries)],
    )
    db.executemany(
        "INSERT INTO concerns (meeting, position, text, bucket) VALUES (?, ?, ?, ?)",
        [(file, i, text, bucket) for i, (text, bucket) in enumerate(rows.concerns)],
    )
    db.executemany(
        "INSERT INTO career_intents (meeting, position, text, has) VALUES (?, ?, ?, ?)",
        [
            (file, i, text, has.model_dump_json() if has is not None else None)
            for i, (text, has) in enumerate(rows.career_intents)
        ],
    )
    db.execute("UPDATE meetings SET derived = ? WHERE file = ?", (rows.version, file))


# --------------------------------------------------------------------------- the store

MEETING_COLUMNS = "file, date, with_name, title, preamble"
# The day an action was closed: the closing meeting's date, else the day it was marked done by hand.
ACTION_COLUMNS = (
    "a.id, a.action, a.owner, a.due, a.status, a.from_meeting, a.done_in, a.result,"
    " COALESCE((SELECT c.date FROM meetings c WHERE c.file = a.done_in), a.closed_on), a.closed_by, a.detail"
)
_CHECKLIST_DETAIL = ("owner_name", "line", "source", "state", "via", "carried", "note", "due_raw")


class Store:
    """Open with `Store.open(settings)`; each method opens and closes its own connection."""

    def __init__(self, path: Path | str, secrets: Sequence[str] = ()) -> None:
        self.path = Path(path)
        self._migrated = False
        self._held = threading.local()
        self.secrets = tuple(secrets)  # redacted from what the user typed and what flows made

    @classmethod
    def open(cls, settings: Settings) -> Store:
        return cls(settings.db_path, secret_values(settings))

    def _redact(self, text: str) -> str:
        return redact(text, self.secrets)

    # -- connections

    def _connect(self, *, write: bool) -> sqlite3.Connection:
        if not write and not self.path.exists():
            db = sqlite3.connect(":memory:", isolation_level=None)
            migrate(db)
            return db
        try:
            if write and not self._migrated:
                private_dir(self.path.parent, tighten=True)  # the data dir: 700
                private_file(self.path)  # 600 before SQLite writes a byte (its -wal/-shm follow)
            db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            _use_wal(db)
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA synchronous = NORMAL")
            if not self._migrated:
                migrate(db)
                self._migrated = True
        except (sqlite3.DatabaseError, OSError) as exc:  # OSError: folder not writable, a file in its place
            if isinstance(exc, sqlite3.OperationalError) and _is_busy(exc):
                raise _busy(self.path) from exc
            raise StoreError.of("store.cannot_open", path=self.path, reason=exc) from exc
        return db

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        held = getattr(self._held, "db", None)
        if held is not None:  # inside `reading()`: the burst's one connection
            yield held
            return
        db = self._connect(write=False)
        try:
            yield db
        finally:
            db.close()

    @contextmanager
    def reading(self) -> Iterator[None]:
        """One read connection for a burst of reads in this thread (a search asks the full-text
        table five or six things): opening a connection per read costs more than the reads."""
        if getattr(self._held, "db", None) is not None:
            yield
            return
        db = self._connect(write=False)
        self._held.db = db
        try:
            yield
        finally:
            self._held.db = None
            db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed on success, rolled back on any exception."""
        db = self._connect(write=True)
        try:
            try:
                db.execute("BEGIN IMMEDIATE")
                try:
                    yield db
                    db.execute("COMMIT")
                except BaseException:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                    raise
            except sqlite3.OperationalError as exc:
                if _is_busy(exc):
                    raise _busy(self.path) from exc
                raise
        finally:
            db.close()

    # -- meetings

    def meetings(self, start: dt.date | None = None, end: dt.date | None = None) -> list[Meeting]:
        with self.read() as db:
            where, args = _range("date", start, end)
            rows = db.execute(
                f"SELECT {MEETING_COLUMNS} FROM meetings {where} ORDER BY date, file",
                args,
            ).fetchall()
            sections = _sections_by_meeting(db, [row[0] for row in rows] if where else None)
        return [_meeting(row, sections.get(row[0], [])) for row in rows]

    def meeting(self, file: str) -> Meeting | None:
        found = self.meetings_named([file])
        return found[0] if found else None

    def meetings_named(self, files: Sequence[str]) -> list[Meeting]:
        """The stored meetings among `files`, in date order; reads only those rows."""
        with self.read() as db:
            rows = _rows_where_in(
                db, f"SELECT {MEETING_COLUMNS} FROM meetings WHERE file", list(dict.fromkeys(files))
            )
            sections = _sections_by_meeting(db, [row[0] for row in rows])
        rows.sort(key=lambda row: (row[1], row[0]))
        return [_meeting(row, sections.get(row[0], [])) for row in rows]

    def last_meeting_file(self, end: dt.date | None = None) -> str | None:
        """The latest meeting on or before `end` (any meeting when none is), without loading them all."""
        with self.read() as db:
            for where, args in (_range("date", None, end), ("", [])):
                row = db.execute(
                    f"SELECT file FROM meetings {where} ORDER BY date DESC, file DESC LIMIT 1", args
                ).fetchone()
                if row:
                    return str(row[0])
        return None

    def meeting_files(self) -> dict[str, str]:
        """file -> content hash of every stored meeting."""
        with self.read() as db:
            return dict(db.execute("SELECT file, content_hash FROM meetings").fetchall())

    def raw(self, file: str) -> str | None:
        with self.read() as db:
            row = db.execute("SELECT raw FROM meetings WHERE file = ?", (file,)).fetchone()
        return row[0] if row else None

    def counts(self) -> dict[str, int]:
        with self.read() as db:
            return {
                table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("meetings", "sections", "actions", "star_entries", "concerns", "career_intents")
            }

    # -- full-text passages (`coach.memory.fulltext`)

    def search_passages(
        self, terms: Sequence[str], k: int, date_range: tuple[dt.date, dt.date] | None = None
    ) -> list[tuple[Passage, float, str]]:
        """Passages best matching any of `terms` (BM25, higher is better), each with its context."""
        with self.read() as db:
            return fulltext.search(db, terms, k, date_range)

    def term_stats(
        self, terms: Sequence[str], groups: Sequence[Sequence[str]] = ()
    ) -> tuple[int, dict[str, int], list[int]]:
        """Passage count, passages holding each term, and passages holding every term of each group."""
        with self.read() as db:
            total = fulltext.count(db)
            freqs = fulltext.doc_freqs(db, [*terms, *(t for g in groups for t in g)])
            together = [
                0 if any(not freqs.get(t) for t in group) else fulltext.co_freq(db, group) for group in groups
            ]
        return total, freqs, together

    def sounding(self, keys: Sequence[str]) -> dict[str, list[str]]:
        """The notes' terms under each sound key (loanwords across scripts)."""
        with self.read() as db:
            return fulltext.sounding(db, keys)

    def words_after(self, after: int, limit: int) -> list[tuple[int, str]]:
        """The notes' content words with an id above `after` (they only ever grow)."""
        with self.read() as db:
            return fulltext.words_after(db, after, limit)

    def passages_in_range(self, start: dt.date, end: dt.date, limit: int) -> list[tuple[Passage, str]] | None:
        """Every passage of the meetings in [start, end] with its context; None beyond `limit`."""
        with self.read() as db:
            return fulltext.in_range(db, start, end, limit)

    @staticmethod
    def upsert_meeting(db: sqlite3.Connection, stored: StoredMeeting) -> str:
        """Write one meeting inside the caller's transaction: 'imported', 'updated' or 'unchanged'.

        A meeting whose Markdown is unchanged but which this version of the parser reads otherwise
        than the stored rows say (an earlier version dropped or split something) is written again
        and left out of the index record, so the next index sync re-indexes it: 'updated'."""
        meeting = stored.meeting
        digest = content_hash(stored.raw)
        row = db.execute(
            "SELECT content_hash, derived FROM meetings WHERE file = ?", (meeting.file,)
        ).fetchone()
        parsed = _parse_rows(stored)
        if row is not None and row[0] == digest:
            if _stored_parse(db, meeting.file) == parsed:
                if stored.derived is not None and row[1] != stored.derived.version:
                    _write_derived(db, meeting.file, stored.derived)
                return "unchanged"
            db.execute("DELETE FROM index_state WHERE file = ?", (meeting.file,))
        head, sections, checklist = parsed
        values = (*head[:4], digest, stored.raw, stored.source, _now(), meeting.file)
        if row is None:
            db.execute(
                "INSERT INTO meetings (date, with_name, title, preamble, content_hash, raw, source,"
                " updated_at, file) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
        else:
            db.execute(
                "UPDATE meetings SET date = ?, with_name = ?, title = ?, preamble = ?, content_hash = ?,"
                " raw = ?, source = ?, updated_at = ? WHERE file = ?",
                values,
            )
            db.execute("DELETE FROM sections WHERE meeting = ?", (meeting.file,))
            db.execute("DELETE FROM checklist WHERE meeting = ?", (meeting.file,))
        db.executemany(
            "INSERT INTO sections (meeting, position, kind, heading, level, text) VALUES (?, ?, ?, ?, ?, ?)",
            [(meeting.file, i, *section) for i, section in enumerate(sections)],
        )
        db.executemany(
            "INSERT INTO checklist (meeting, position, text, checked, owner, due, detail)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(meeting.file, i, *item) for i, item in enumerate(checklist)],
        )
        db.execute(
            "UPDATE meetings SET participants = ?, cancelled = ? WHERE file = ?", (*head[4:], meeting.file)
        )
        fulltext.write(db, [meeting])
        if stored.derived is not None:
            _write_derived(db, meeting.file, stored.derived)
        return "imported" if row is None else "updated"

    @staticmethod
    def ledger_sources(
        db: sqlite3.Connection,
    ) -> list[tuple[Meeting, list[ChecklistItem]]]:
        """Every meeting in date order with its checklist: the input of the ledger computation."""
        rows = db.execute(f"SELECT {MEETING_COLUMNS} FROM meetings ORDER BY date, file").fetchall()
        people = {
            file: (json.loads(participants or "[]"), bool(cancelled))
            for file, participants, cancelled in db.execute(
                "SELECT file, participants, cancelled FROM meetings"
            )
        }
        sections = _sections_by_meeting(db, None)
        items: dict[str, list[ChecklistItem]] = {}
        for file, text, checked, owner, due, detail in db.execute(
            "SELECT meeting, text, checked, owner, due, detail FROM checklist ORDER BY meeting, position"
        ):
            items.setdefault(file, []).append(
                ChecklistItem(
                    text=text, checked=bool(checked), owner=owner, due=_date(due), **json.loads(detail)
                )
            )
        out = []
        for row in rows:
            meeting = _meeting(row, sections.get(row[0], []))
            participants, cancelled = people.get(row[0], ([], False))
            meeting = meeting.model_copy(update={"participants": participants, "cancelled": cancelled})
            out.append((meeting, items.get(row[0], [])))
        return out

    @staticmethod
    def sync_ledger(db: sqlite3.Connection, entries: Sequence[LedgerEntry]) -> None:
        """Make the actions table equal the computed ledger, keeping ids and manual closures."""
        existing = {
            (row[1], row[2]): row
            for row in db.execute(
                "SELECT id, from_meeting, key, status, result, closed_by, done_in FROM actions"
            ).fetchall()
        }
        seen: set[tuple[str, str]] = set()
        for entry in entries:
            ident = (entry.from_, entry.key)
            seen.add(ident)
            old = existing.get(ident)
            status, done_in, result, closed_by = entry.status, entry.done_in, entry.result, entry.closed_by
            if old is not None and old[5] == "manual" and status == "open":
                status, done_in, result, closed_by = "done", old[6], old[4], "manual"
            elif old is not None and old[5] == "manual" and not result:
                result = old[4]
            detail = json.dumps(
                {
                    "owner_name": entry.owner_name,
                    "due_raw": entry.due_raw,
                    "evidence": entry.evidence,
                    "why": entry.why if closed_by != "manual" else "closed by hand",
                },
                ensure_ascii=False,
            )
            values = (entry.action, entry.owner, _iso(entry.due), status, done_in, result, closed_by, detail)
            if old is None:
                db.execute(
                    "INSERT INTO actions (action, owner, due, status, done_in, result, closed_by, detail,"
                    " from_meeting, key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*values, entry.from_, entry.key),
                )
            else:
                db.execute(
                    "UPDATE actions SET action = ?, owner = ?, due = ?, status = ?, done_in = ?, result = ?,"
                    " closed_by = ?, detail = ? WHERE id = ?",
                    (*values, old[0]),
                )
        stale = [existing[ident][0] for ident in existing if ident not in seen]
        db.executemany("DELETE FROM actions WHERE id = ?", [(i,) for i in stale])

    # -- actions

    def actions(self, status: ActionStatus | None = None, owner: Owner | None = None) -> list[ActionItem]:
        clauses: list[str] = []
        args: list[str] = []
        if status:
            clauses.append("a.status = ?")
            args.append(status)
        if owner:
            clauses.append("a.owner = ?")
            args.append(owner)
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        with self.read() as db:
            rows = db.execute(
                f"SELECT {ACTION_COLUMNS}"
                f" FROM actions a JOIN meetings m ON m.file = a.from_meeting {where}"
                " ORDER BY m.date, a.from_meeting, a.id",
                args,
            ).fetchall()
        return [_action(row) for row in rows]

    def actions_in(self, files: Collection[str]) -> list[ActionItem]:
        """The actions that `files` (meeting file names) opened, carried over, closed or dropped:
        what an answer quoting those meetings needs, without reading every action of the store."""
        if not files:
            return []
        names = sorted(set(files))
        marks = ",".join("?" * len(names))
        with self.read() as db:
            rows = db.execute(
                f"SELECT {ACTION_COLUMNS}"
                " FROM actions a JOIN meetings m ON m.file = a.from_meeting"
                f" WHERE a.from_meeting IN ({marks}) OR a.done_in IN ({marks})"
                " OR EXISTS (SELECT 1 FROM json_each("
                "CASE WHEN json_valid(a.detail) THEN a.detail ELSE '{}' END, '$.evidence') e"
                f" WHERE json_extract(e.value, '$.meeting') IN ({marks}))"
                " ORDER BY m.date, a.from_meeting, a.id",
                [*names, *names, *names],
            ).fetchall()
        return [_action(row) for row in rows]

    def action(self, action_id: int) -> ActionItem | None:
        with self.read() as db:
            return _action_by_id(db, action_id)

    def mark_done(self, action_id: int, result: str = "") -> ActionItem:
        with self.transaction() as db:
            row = db.execute("SELECT status, result FROM actions WHERE id = ?", (action_id,)).fetchone()
            if row is None:
                raise StoreError.of("store.no_action", id=action_id)
            if row[0] == "open":
                db.execute(
                    "UPDATE actions SET status = 'done', closed_by = 'manual', result = ?, closed_on = ?"
                    " WHERE id = ?",
                    (result or row[1], dt.date.today().isoformat(), action_id),
                )
            elif result:
                db.execute("UPDATE actions SET result = ? WHERE id = ?", (result, action_id))
            found = _action_by_id(db, action_id)
        assert found is not None
        return found

    # -- derived rows

    def star_entries(
        self, start: dt.date | None = None, end: dt.date | None = None
    ) -> list[tuple[str, dt.date, StarEntry]]:
        rows = self._derived("star_entries", "entry", start, end)
        return [(f, d, StarEntry.model_validate_json(e)) for f, d, e in rows]

    def concerns(
        self, start: dt.date | None = None, end: dt.date | None = None
    ) -> list[tuple[str, dt.date, str, Bucket | None]]:
        return [(f, d, t, b) for f, d, t, b in self._derived("concerns", "text, bucket", start, end)]

    def career_intents(
        self, start: dt.date | None = None, end: dt.date | None = None
    ) -> list[tuple[str, dt.date, str, IntentParts | None]]:
        rows = self._derived("career_intents", "text, has", start, end)
        return [(f, d, t, IntentParts.model_validate_json(h) if h else None) for f, d, t, h in rows]

    def _derived(
        self, table: str, columns: str, start: dt.date | None, end: dt.date | None
    ) -> list[tuple[Any, ...]]:
        """Rows of a derived table with their meeting's file and date, in meeting order."""
        where, args = _range("m.date", start, end)
        with self.read() as db:
            rows = db.execute(
                f"SELECT m.file, m.date, {', '.join(f'x.{c.strip()}' for c in columns.split(','))}"
                f" FROM {table} x JOIN meetings m ON m.file = x.meeting {where}"
                " ORDER BY m.date, m.file, x.position",
                args,
            ).fetchall()
        return [(f, dt.date.fromisoformat(d), *rest) for f, d, *rest in rows]

    # -- what the user typed and prepared

    def save_input(self, flow: str, text: str) -> int:
        """Save what the user submitted before any slow or failing step touches it."""
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO inputs (flow, text, created_at) VALUES (?, ?, ?)",
                (flow, self._redact(text), _now()),
            )
            return int(cursor.lastrowid or 0)

    def inputs(self, flow: str | None = None) -> list[tuple[int, str, str, dt.datetime]]:
        with self.read() as db:
            rows = db.execute(
                "SELECT id, flow, text, created_at FROM inputs"
                + (" WHERE flow = ?" if flow else "")
                + " ORDER BY id",
                (flow,) if flow else (),
            ).fetchall()
        return [(i, f, t, dt.datetime.fromisoformat(c)) for i, f, t, c in rows]

    def save_rewrite(self, result: RewriteResult, input_id: int | None = None) -> int:
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO rewrites (input_id, created_at, result) VALUES (?, ?, ?)",
                (input_id, _now(), self._redact(result.model_dump_json(by_alias=True))),
            )
            return int(cursor.lastrowid or 0)

    def rewrites(
        self, start: dt.date | None = None, end: dt.date | None = None
    ) -> list[tuple[dt.datetime, RewriteResult]]:
        with self.read() as db:
            rows = db.execute("SELECT created_at, result FROM rewrites ORDER BY id").fetchall()
        found = []
        for created, data in rows:
            when = dt.datetime.fromisoformat(created)
            if (start and when.date() < start) or (end and when.date() > end):
                continue
            found.append((when, RewriteResult.model_validate_json(data)))
        return found

    def rewrite_rows(self) -> list[tuple[int, dt.datetime, RewriteResult]]:
        """Every kept rewrite with its id (the review reads them; the user may remove one)."""
        with self.read() as db:
            rows = db.execute("SELECT id, created_at, result FROM rewrites ORDER BY id").fetchall()
        return [(i, dt.datetime.fromisoformat(c), RewriteResult.model_validate_json(r)) for i, c, r in rows]

    def delete_rewrite(self, rewrite_id: int) -> bool:
        """Remove a kept rewrite (it then no longer feeds the review); False when there was none."""
        with self.transaction() as db:
            return db.execute("DELETE FROM rewrites WHERE id = ?", (rewrite_id,)).rowcount > 0

    def save_draft(self, name: str, data: str) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO drafts (name, data, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT (name) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
                (name, self._redact(data), _now()),
            )

    def load_draft(self, name: str) -> str | None:
        with self.read() as db:
            row = db.execute("SELECT data FROM drafts WHERE name = ?", (name,)).fetchone()
        return str(row[0]) if row else None

    def clear_draft(self, name: str) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM drafts WHERE name = ?", (name,))

    def load_prep(self) -> NextMeetingPrep:
        with self.read() as db:
            row = db.execute("SELECT data FROM prep WHERE id = 1").fetchone()
        return NextMeetingPrep.model_validate_json(row[0]) if row else NextMeetingPrep()

    def save_prep(self, prep: NextMeetingPrep) -> NextMeetingPrep:
        with self.transaction() as db:
            return _write_prep(db, prep, self.secrets)

    def update_prep(self, **parts: object) -> NextMeetingPrep:
        """Replace some parts of the prep (rewrite, triage, intent) in one transaction.

        Read and write share the transaction, so two flows saving at once never drop each other's part.
        """
        unknown = set(parts) - (set(NextMeetingPrep.model_fields) - {"updated_at"})
        if unknown:
            raise ValueError(f"not parts of the prep: {sorted(unknown)}")
        with self.transaction() as db:
            row = db.execute("SELECT data FROM prep WHERE id = 1").fetchone()
            current = NextMeetingPrep.model_validate_json(row[0]) if row else NextMeetingPrep()
            return _write_prep(db, current.model_copy(update=parts), self.secrets)

    # -- how far the search index got (the index is derived; this says what it holds)

    def revision(self) -> int:
        """Moves with every change to the meetings or to the index record (see `m006_revision`)."""
        with self.read() as db:
            row = db.execute("SELECT n FROM revision WHERE id = 1").fetchone()
        return int(row[0]) if row else -1

    def index_pending(self, target: str, version: str) -> tuple[list[str], list[str]]:
        """(meetings the index lacks or holds an older version of, files it holds that are gone)."""
        with self.read() as db:
            stale = [
                row[0]
                for row in db.execute(
                    "SELECT m.file FROM meetings m LEFT JOIN index_state s"
                    " ON s.file = m.file AND s.target = ?"
                    " WHERE s.file IS NULL OR s.content_hash != m.content_hash OR s.version != ?"
                    " ORDER BY m.date, m.file",
                    (target, version),
                )
            ]
            gone = [
                row[0]
                for row in db.execute(
                    "SELECT s.file FROM index_state s LEFT JOIN meetings m ON m.file = s.file"
                    " WHERE s.target = ? AND m.file IS NULL ORDER BY s.file",
                    (target,),
                )
            ]
        return stale, gone

    def indexed_passages(self, target: str) -> int:
        """How many passages the index should hold, by the store's record of what it confirmed."""
        with self.read() as db:
            row = db.execute(
                "SELECT COALESCE(SUM(passages), 0) FROM index_state WHERE target = ?", (target,)
            ).fetchone()
        return int(row[0])

    def indexed_counts(self, target: str) -> dict[str, int]:
        """file -> passages the index confirmed holding for it."""
        with self.read() as db:
            rows = db.execute("SELECT file, passages FROM index_state WHERE target = ?", (target,)).fetchall()
        return {file: int(n) for file, n in rows}

    def mark_indexed(self, target: str, version: str, entries: Sequence[tuple[str, str, int]]) -> None:
        """Record (file, content hash, passages) the index has just confirmed holding."""
        if not entries:
            return
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO index_state (target, file, content_hash, version, passages, indexed_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (target, file) DO UPDATE SET"
                " content_hash = excluded.content_hash, version = excluded.version,"
                " passages = excluded.passages, indexed_at = excluded.indexed_at",
                [(target, file, digest, version, passages, _now()) for file, digest, passages in entries],
            )

    def forget_indexed(self, target: str, files: Sequence[str] | None = None) -> None:
        """Forget what the index holds (all of it, or some files) before it is rebuilt or pruned."""
        with self.transaction() as db:
            if files is None:
                db.execute("DELETE FROM index_state WHERE target = ?", (target,))
            else:
                db.executemany(
                    "DELETE FROM index_state WHERE target = ? AND file = ?", [(target, f) for f in files]
                )


# --------------------------------------------------------------------------- row helpers


def _write_prep(
    db: sqlite3.Connection, prep: NextMeetingPrep, secrets: Sequence[str] = ()
) -> NextMeetingPrep:
    saved = prep.model_copy(update={"updated_at": dt.datetime.now(dt.UTC)})
    db.execute(
        "INSERT INTO prep (id, data, updated_at) VALUES (1, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
        (redact(saved.model_dump_json(by_alias=True), secrets), _now()),
    )
    return saved


def _use_wal(db: sqlite3.Connection, attempts: int = 50) -> None:
    """Switch to WAL. SQLite answers `database is locked` at once, without waiting, when another
    process switches a new file at the same moment, so the switch is retried for a few seconds."""
    for attempt in range(attempts):
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.1)


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _busy(path: Path) -> StoreError:
    """A lock timeout: say that nothing was saved and what to do."""
    return StoreError.of("store.busy", path=path)


def _range(column: str, start: dt.date | None, end: dt.date | None) -> tuple[str, list[str]]:
    clauses, args = [], []
    if start:
        clauses.append(f"{column} >= ?")
        args.append(start.isoformat())
    if end:
        clauses.append(f"{column} <= ?")
        args.append(end.isoformat())
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", args


def _rows_where_in(db: sqlite3.Connection, select: str, values: list[str], order: str = "") -> list[Any]:
    """`select … IN (values)` in chunks that stay within SQLite's limit on bound parameters."""
    rows: list[Any] = []
    for start in range(0, len(values), 500):
        part = values[start : start + 500]
        rows += db.execute(f"{select} IN ({','.join('?' * len(part))}){order}", part).fetchall()
    return rows


# A meeting's parse as its rows store it: (date, with, title, preamble, participants, cancelled),
# the sections (kind, heading, level, text) and the checklist (text, checked, owner, due, detail).
ParseRows = tuple[tuple[Any, ...], list[tuple[Any, ...]], list[tuple[Any, ...]]]


def _parse_rows(stored: StoredMeeting) -> ParseRows:
    meeting = stored.meeting
    levels = stored.levels or [2] * len(meeting.sections)
    head = (
        meeting.date.isoformat(),
        meeting.with_,
        meeting.title,
        meeting.preamble,
        json.dumps(meeting.participants, ensure_ascii=False),
        int(meeting.cancelled),
    )
    sections = [(s.kind, s.heading, levels[i], s.text) for i, s in enumerate(meeting.sections)]
    checklist = [
        (
            c.text,
            int(c.checked),
            c.owner,
            _iso(c.due),
            json.dumps(c.model_dump(include=set(_CHECKLIST_DETAIL)), ensure_ascii=False),
        )
        for c in stored.checklist
    ]
    return head, sections, checklist


def _stored_parse(db: sqlite3.Connection, file: str) -> ParseRows:
    head = db.execute(
        "SELECT date, with_name, title, preamble, participants, cancelled FROM meetings WHERE file = ?",
        (file,),
    ).fetchone()
    sections = db.execute(
        "SELECT kind, heading, level, text FROM sections WHERE meeting = ? ORDER BY position", (file,)
    ).fetchall()
    checklist = db.execute(
        "SELECT text, checked, owner, due, detail FROM checklist WHERE meeting = ? ORDER BY position", (file,)
    ).fetchall()
    return tuple(head or ()), [tuple(r) for r in sections], [tuple(r) for r in checklist]


def _sections_by_meeting(db: sqlite3.Connection, files: list[str] | None) -> dict[str, list[MeetingSection]]:
    query = "SELECT meeting, kind, heading, text FROM sections"
    rows: list[tuple[str, str, str, str]] = []
    if files is None:
        rows = db.execute(query + " ORDER BY meeting, position").fetchall()
    else:
        rows = _rows_where_in(db, query + " WHERE meeting", files, " ORDER BY meeting, position")
    found: dict[str, list[MeetingSection]] = {}
    for file, kind, heading, text in rows:
        section_kind: SectionKind = kind  # type: ignore[assignment]
        found.setdefault(file, []).append(MeetingSection(kind=section_kind, heading=heading, text=text))
    return found


def _meeting(row: tuple[str, str, str | None, str | None, str], sections: list[MeetingSection]) -> Meeting:
    file, date, with_name, title, preamble = row
    return Meeting.model_validate(
        {
            "file": file,
            "date": dt.date.fromisoformat(date),
            "with": with_name,
            "title": title,
            "preamble": preamble,
            "sections": sections,
        }
    )


def _action_by_id(db: sqlite3.Connection, action_id: int) -> ActionItem | None:
    row = db.execute(f"SELECT {ACTION_COLUMNS} FROM actions a WHERE a.id = ?", (action_id,)).fetchone()
    return _action(row) if row else None


def _action(row: tuple[Any, ...]) -> ActionItem:
    action_id, action, owner, due, status, from_meeting, done_in, result, closed_on, closed_by, detail = row
    extra = json.loads(detail or "{}")
    return ActionItem.model_validate(
        {
            "owner_name": extra.get("owner_name"),
            "due_raw": extra.get("due_raw"),
            "evidence": extra.get("evidence") or [],
            "why": extra.get("why") or "",
            "closed_by": closed_by,
            "id": action_id,
            "action": action,
            "owner": owner,
            "due": _date(due),
            "status": status,
            "from": from_meeting,
            "done_in": done_in,
            "result": result,
            "closed_on": _date(closed_on) if status == "done" else None,
        }
    )
