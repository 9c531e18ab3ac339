"""Import a folder of meetings, export the store as Markdown, rebuild the search index."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import sqlite3
import stat
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from coach.config import Settings, private_dir
from coach.errors import CoachError, InputError, StoreError
from coach.flows.meaning import ledger_meaning
from coach.flows.rewrite import extract_entries
from coach.memory.ledger import build_ledger, rebuild_ledger
from coach.memory.markdown import ParsedMeeting, parse_meeting, render_meeting
from coach.memory.store import DerivedRows, Store, StoredMeeting
from coach.messages import Message, message
from coach.messages import pair as bilingual
from coach.models import ActionItem, ExportReport, ImportReport, IndexRepair, Meeting
from coach.rules import rules_version
from coach.rules.intent import detect_parts
from coach.rules.triage import classify
from coach.text.inputs import MAX_INPUT_BYTES, check_text
from coach.text.segment import split_items

Progress = Callable[[int, int, str], None]

MEETING_FILE = re.compile(r"^(\d{4})-(\d{2})-(\d{2}).*\.md$", re.IGNORECASE)


# --------------------------------------------------------------------------- import

WRITE_BATCH = 50  # meetings per write transaction: other writers never wait long for the store
Warning = tuple[str, str]  # (en, ja)


def shown_name(name: str) -> str:
    """A file name safe to print: bytes that are not UTF-8 are shown as \\xNN escapes."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _skip(name: str, why: str, **values: object) -> Warning:
    """`NAME: skipped (reason)`, the reason being message ``import.skip.<why>``."""
    return bilingual(
        "import.skipped", name=shown_name(name), reason=bilingual(f"import.skip.{why}", **values)
    )


def _not_regular(entry: os.DirEntry[str], root: Path) -> Warning | None:
    """Why a directory entry is skipped, or None for a file that may be opened.

    Only regular files are opened: a FIFO would block the import forever, a device could be
    anything. A link is followed only when it ends at a regular file inside the folder itself, so
    a folder of notes never makes coach read a file elsewhere on the machine."""
    try:
        if entry.is_symlink():
            try:
                real = _inside(Path(entry.path), root)
            except (OSError, RuntimeError):
                return _skip(entry.name, "broken_link")
            if real is None:
                return _skip(entry.name, "outside_link")
            mode = real.stat().st_mode
        else:
            mode = entry.stat(follow_symlinks=False).st_mode
    except OSError as exc:
        return _skip(entry.name, "unreadable", reason=exc.strerror)
    if not stat.S_ISREG(mode):
        return _skip(entry.name, "not_regular")
    return None


def _inside(link: Path, root: Path) -> Path | None:
    """Where `link` ends, when that is inside `root` (None when it leads out). Raises on a loop."""
    real = link.resolve(strict=True)
    return real if real.is_relative_to(root) else None


def _meeting_files(directory: Path) -> tuple[list[Path], list[Warning]]:
    if not directory.is_dir():
        raise CoachError.of("import.no_folder", directory=directory)
    root = directory.resolve()
    files: list[Path] = []
    warnings: list[Warning] = []
    with os.scandir(root) as listing:
        entries = sorted(listing, key=lambda e: os.fsencode(e.name))
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        try:
            name.encode("utf-8")
        except UnicodeEncodeError:
            warnings.append(_skip(name, "bad_name"))
            continue
        if not MEETING_FILE.match(name):
            if not entry.is_dir(follow_symlinks=False):
                warnings.append(bilingual("import.ignored", name=name))
            continue
        why = _not_regular(entry, root)
        if why:
            warnings.append(why)
        else:
            files.append(Path(entry.path))
    if not files:
        raise CoachError.of("import.no_meetings", directory=directory)
    return files, warnings


def read_file(path: Path) -> bytes:
    """The bytes of a regular file, at most one byte over the input limit (which check_text reports).

    A link is opened at its end, and only inside its own folder. The file is opened non-blocking
    and checked again once open, so a file swapped for a FIFO or a link between the listing and
    the read cannot hang the import or lead it out of the folder."""
    if path.is_symlink():
        real = _inside(path, path.parent.resolve())
        if real is None:
            raise OSError(errno.EXDEV, "a link to a file outside the folder")
        path = real
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        chunks: list[bytes] = []
        left = MAX_INPUT_BYTES + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def derive(meeting: Meeting) -> DerivedRows:
    """What the offline rules read out of a meeting, stored beside it for the review and agenda."""
    results = meeting.section_text("results")
    return DerivedRows(
        version=rules_version(),
        star_entries=extract_entries(results) if results else [],
        concerns=[(text, classify(text)) for text in split_items(meeting.section_text("concerns"))],
        career_intents=[(text, detect_parts(text)) for text in split_items(meeting.section_text("career"))],
    )


def stored(parsed: ParsedMeeting, raw: str, source: str = "import") -> StoredMeeting:
    return StoredMeeting(
        meeting=parsed.meeting,
        raw=raw,
        checklist=parsed.checklist,
        levels=parsed.levels,
        source=source,
        derived=derive(parsed.meeting),
    )


def import_dir(
    directory: str | Path,
    settings: Settings,
    progress: Progress | None = None,
    *,
    index: bool = True,
    index_progress: Progress | None = None,
) -> ImportReport:
    """Import a folder: every readable meeting file, each bad one skipped with a warning.

    Files are read and parsed before the store is touched; meetings are then written in short
    transactions (a crash keeps the batches already written, and a rerun writes the rest), and
    the ledger is recomputed from everything stored. Then the search index catches up on every
    meeting it does not hold yet, whichever run stored it (see `sync_index`)."""
    files, skipped = _meeting_files(Path(directory))
    ja = settings.language == "ja"
    warnings = [pair[1] if ja else pair[0] for pair in skipped]
    skipped_names = [pair[0].split(": ", 1)[0] for pair in skipped if ": skipped" in pair[0]]
    ready: list[StoredMeeting] = []
    for done, path in enumerate(files, start=1):
        name = path.name
        if progress:
            progress(done, len(files), name)
        try:
            raw = check_text(read_file(path), what=f"file {name}", what_ja=f"ファイル {name}")
            parsed = parse_meeting(raw, name)
        except InputError as exc:
            warnings.append(
                message("import.skipped", settings.language, name=name, reason=Message(exc.en, exc.ja))
            )
            skipped_names.append(name)
            continue
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            warnings.append(message("import.skipped", settings.language, name=name, reason=reason))
            skipped_names.append(name)
            continue
        warnings += parsed.warnings_in(settings.language)
        ready.append(stored(parsed, raw))
    store = Store.open(settings)
    counts = {"imported": 0, "updated": 0, "unchanged": 0}
    for start in range(0, len(ready), WRITE_BATCH):
        with store.transaction() as db:
            for item in ready[start : start + WRITE_BATCH]:
                counts[store.upsert_meeting(db, item)] += 1
    # Always: a run killed between its last meeting batch and this step left the ledger behind,
    # and the rerun finds every meeting unchanged.
    _rebuild_ledger(store, ledger_meaning(settings))
    repair: IndexRepair | None = None
    if index:
        repair = sync_index(settings, index_progress)
        warnings += repair.warnings
    ledger = store.actions()
    return ImportReport(
        imported=counts["imported"],
        updated=counts["updated"],
        unchanged=counts["unchanged"],
        actions_open=sum(a.status == "open" for a in ledger),
        actions_done=sum(a.status == "done" for a in ledger),
        warnings=warnings,
        skipped=skipped_names,
        index=repair,
    )


def _fingerprint(db: sqlite3.Connection) -> str:
    """Names the stored meetings' content: equal fingerprints, equal ledger sources."""
    digest = hashlib.sha256()
    for file, content in db.execute("SELECT file, content_hash FROM meetings ORDER BY file"):
        digest.update(f"{file}\x00{content}\n".encode())
    return digest.hexdigest()


def _rebuild_ledger(store: Store, meaning: object | None, attempts: int = 3) -> None:
    """Recompute the ledger outside the write lock (it may embed sentences, which takes seconds),
    then write it in a short transaction if the meetings did not change meanwhile; after
    `attempts` races with another writer, compute it under the lock."""
    for _ in range(attempts):
        with store.read() as db:
            mark = _fingerprint(db)
            raw = dict(db.execute("SELECT file, raw FROM meetings").fetchall())
            sources = Store.ledger_sources(db)
        entries = build_ledger(sources, meaning, raw)  # type: ignore[arg-type]
        with store.transaction() as db:
            if _fingerprint(db) == mark:
                Store.sync_ledger(db, entries)
                return
    with store.transaction() as db:
        rebuild_ledger(db, meaning)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the search index


def _index_warning(settings: Settings, exc: Exception) -> str:
    detail = exc.message(settings.language) if isinstance(exc, CoachError) else type(exc).__name__
    return message("import.index_behind", settings.language, detail=detail)


# (store file, index target, index version) -> (store revision, passages recorded) at the last
# check that found the record and the index in step: while the revision stands, comparing the
# record with the stored meetings again (two joins over every meeting: ~18 ms at 10,000) finds
# nothing, so only the index's own count is compared.
_IN_STEP: dict[tuple[str, str, str], tuple[int, int]] = {}


def sync_index(
    settings: Settings,
    progress: Progress | None = None,
    *,
    verify: bool = True,
    limit: int | None = None,
    wait: bool = True,
) -> IndexRepair:
    """Bring the search index in step with the store, from the store's record of what it holds.

    The record (per meeting: content hash, passage count) is written only after chroma has taken
    a meeting, so it never claims more than the index has; meetings missing from it or stored in
    a newer version are indexed, meetings no longer stored are removed. With `verify`, the passage
    count chroma reports is compared with the record, which catches an index deleted or replaced
    behind the store's back; a mismatch triggers a per-file comparison. `limit` bounds the work
    (a search repairs a few meetings inline and leaves the rest for an import); `wait=False` skips
    the repair while another process writes the index. Never raises: an index that cannot be
    reached is a warning, the store is untouched.

    Passages of a file the record does not list are deleted only when the store no longer has
    that meeting: an import in another process may have indexed it a moment before recording."""
    from coach.search import vectors  # chroma: only when the index is touched (`coach export` is not)

    store = Store.open(settings)
    where, version = vectors.target(settings), vectors.index_version()
    repair = IndexRepair()
    stale: list[str] = []
    gone: list[str] = []
    key = (str(store.path), where, version)
    try:
        revision = store.revision()
        known = _IN_STEP.pop(key, None)
        if known and known[0] == revision:
            expected: int | None = known[1]  # nothing changed in the store since it agreed
        else:
            stale, gone = store.index_pending(where, version)
            expected = None
        reasons = ["record"] if stale or gone else []
        if verify:
            expected = store.indexed_passages(where) if expected is None else expected
            if vectors.count(settings) != expected:
                reasons.append("count")
                held = vectors.indexed_files(settings)
                recorded = store.indexed_counts(where)
                wrong = [f for f, n in recorded.items() if held.get(f, 0) != n and f not in gone]
                stored_files = store.meeting_files()
                extra = [f for f in held if f not in recorded and f not in stored_files]
                store.forget_indexed(where, wrong)
                stale = sorted(set(stale) | set(wrong))
                gone = sorted(set(gone) | set(extra))
        if gone:
            vectors.delete_files(settings, gone, wait=wait)
            store.forget_indexed(where, gone)
            repair.removed = len(gone)
        in_step = "in step: the record and the index count agree" if verify else "in step by the record"
        repair.why = " + ".join(reasons) if reasons else in_step
        if verify and not reasons and expected is not None:
            _IN_STEP[key] = (revision, expected)
        if not stale:
            if limit is None:
                _embed_words(settings, store)
            return repair
        todo = stale[:limit] if limit is not None else stale
        repair.pending = len(stale) - len(todo)
        hashes = store.meeting_files()  # read before the meetings: a later edit only re-indexes again
        meetings = store.meetings_named(todo)

        def confirmed(chunk: Sequence[Meeting], passages: Sequence[int]) -> None:
            store.mark_indexed(
                where, version, [(m.file, hashes[m.file], n) for m, n in zip(chunk, passages, strict=True)]
            )
            repair.indexed += len(chunk)

        vectors.index_meetings(settings, meetings, progress, on_indexed=confirmed, wait=wait)
        if limit is None:
            _embed_words(settings, store)
    except vectors.IndexBusy as exc:
        repair.busy = True
        repair.pending = max(len(stale) - repair.indexed, 1)
        repair.warnings.append(exc.message(settings.language))
    except Exception as exc:  # the index is derived: its failure never undoes or hides a save
        repair.pending = max(len(stale) - repair.indexed, 1)
        repair.warnings.append(_index_warning(settings, exc))
    return repair


def _embed_words(settings: Settings, store: Store) -> None:
    """Vectors for the notes' content words that have none yet (a store written before words were
    kept, or without indexing), so that no search has to compute them (`coach.search.bridges`)."""
    from coach.search import bridges, vectors

    space = bridges.space_for(str(store.path))
    space.refresh(store, vectors.embedding_function(settings).embedder, lazy_limit=sys.maxsize)


SEARCH_REPAIR = 16  # meetings a search indexes inline before answering; more waits for an import


def repair_before_search(settings: Settings) -> list[tuple[str, str]]:
    """Index a few meetings the index lacks before a search, and say (en, ja) when more are left.

    Never waits for another process's index writes and never fails the search: an index that
    cannot be reached is reported by the search itself."""
    repair = sync_index(settings, limit=SEARCH_REPAIR, wait=False)
    if not repair.pending or (repair.warnings and not repair.busy):
        return []
    return [bilingual("import.index_pending", count=repair.pending)]


def ensure_index(settings: Settings, progress: Progress | None = None) -> IndexRepair:
    """For the app's start: repair whatever a crash or another tool left out of the index."""
    return sync_index(settings, progress)


def index_after_commit(
    settings: Settings, meetings: Sequence[Meeting], progress: Progress | None = None
) -> list[str]:
    """Update the search index after a save; the store stays committed whatever happens here."""
    if not meetings:
        return []
    return sync_index(settings, progress, verify=False).warnings


# --------------------------------------------------------------------------- export

SAFE_NAME = re.compile(r"^[^/\\\x00]+$")


def export_meetings(directory: str | Path, settings: Settings, *, force: bool = False) -> ExportReport:
    """Write every stored meeting as Markdown into `directory`, never outside it.

    Refuses an empty target (it would mean the current folder). Without `force`, nothing is
    written when any target file exists (the report lists them). With `force`, an existing file
    or link is replaced by a new file in the folder: the write goes to a temporary file that is
    renamed over the name, so a link is replaced, never followed out of the folder."""
    if not str(directory).strip():
        raise InputError.of("export.no_folder")
    store = Store.open(settings)
    meetings = store.meetings()
    if not meetings:
        raise CoachError.of("export.nothing")
    target = Path(directory).expanduser()
    if target.exists() and not target.is_dir():
        raise InputError.of("export.target_is_file", target=target)
    names = [m.file for m in meetings]
    unsafe = [n for n in names if not SAFE_NAME.match(n) or n in {".", ".."}]
    if unsafe:
        raise StoreError.of("export.unsafe_names", names=", ".join(unsafe[:3]))
    if not target.exists():
        private_dir(target)
    root = target.resolve()
    existing = [n for n in names if os.path.lexists(root / n)]
    if existing and not force:
        return ExportReport(
            target=str(target),
            refused=existing,
            why=f"{len(existing)} file(s) already in the folder; nothing written (rerun with --force to replace them)",
        )
    by_meeting: dict[str, list[ActionItem]] = {}
    for action in store.actions():
        by_meeting.setdefault(action.from_, []).append(action)
    written: list[str] = []
    for meeting in meetings:
        _write_inside(root, meeting.file, render_meeting(meeting, by_meeting.get(meeting.file, [])))
        written.append(str(root / meeting.file))
    why = f"replaced {len(existing)} existing file(s) (--force)" if existing else "new files only"
    return ExportReport(target=str(target), written=written, why=why)


def _write_inside(root: Path, name: str, text: str) -> None:
    """Create `root/name` through a temporary file in `root` renamed over it (links are replaced)."""
    if os.path.isdir(root / name) and not os.path.islink(root / name):
        raise InputError.of("export.name_is_folder", path=root / name)
    temp = root / f".{name}.{os.getpid()}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temp, root / name)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def export_dir(directory: str | Path, settings: Settings, *, force: bool = False) -> list[Path]:
    """The files `export_meetings` wrote; an error when it refused to overwrite existing ones."""
    report = export_meetings(directory, settings, force=force)
    if report.refused:
        raise refusal(report)
    return [Path(p) for p in report.written]


def refusal(report: ExportReport) -> CoachError:
    """The error for an export that found files of the same names and wrote nothing."""
    return CoachError.of(
        "export.refused", count=len(report.refused), target=report.target, example=report.refused[0]
    )


def reindex(settings: Settings, progress: Progress | None = None) -> int:
    """Rebuild the search index from nothing: the store's record of it is forgotten first, a
    damaged index folder or embedding cache is deleted, then every stored meeting is indexed and
    recorded step by step (a reindex killed midway is finished by the next import or reindex)."""
    from coach.search import vectors

    store = Store.open(settings)
    where, version = vectors.target(settings), vectors.index_version()
    store.forget_indexed(where)
    hashes = store.meeting_files()
    meetings = store.meetings()

    def confirmed(chunk: Sequence[Meeting], passages: Sequence[int]) -> None:
        store.mark_indexed(
            where, version, [(m.file, hashes[m.file], n) for m, n in zip(chunk, passages, strict=True)]
        )

    return vectors.reindex(settings, meetings, progress, on_indexed=confirmed)
