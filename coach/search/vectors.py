"""The chroma index of meeting passages, derived from the store and rebuildable from it.

One passage per section (and the preamble) of a meeting. Ids are `file#position`, so importing
the same meeting again overwrites its passages in place, and passages a re-imported meeting no
longer has are deleted. The store stays the single source of truth: `reindex` drops the
collection (or, when chroma cannot open it, deletes the embedded index folder) and rebuilds it,
which is also the fix for an index that got out of step.

Writers take an advisory file lock (`index.lock` in the data dir) so that two imports in two
processes never write chroma's files at once; readers do not wait for it. `on_indexed` is told
which meetings chroma has confirmed, batch by batch, so the caller can record how far it got.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from coach.config import Settings, private_dir
from coach.errors import StoreError
from coach.models import Meeting, MeetingSection, Passage
from coach.search.background import background_passages
from coach.search.embedding import E5EmbeddingFunction
from coach.text.passages import context_text as context_text
from coach.text.passages import headings_of as headings_of
from coach.text.passages import lines_of as lines_of
from coach.text.passages import passages_of as passages_of
from coach.text.passages import passages_with_context
from coach.text.tokens import words

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

Progress = Callable[[int, int, str], None]
Confirmed = Callable[[Sequence[Meeting], Sequence[int]], None]
COLLECTION = "meetings"
UPSERT_BATCH = 256
MEETING_BATCH = 8  # meetings per confirmed step: what a crash can cost is one step's work
EMBEDDED = "embedded"

_clients: dict[str, ClientAPI] = {}
_collections: dict[str, Collection] = {}
_clients_lock = threading.Lock()


def index_version() -> str:
    """Names how passages are cut and embedded: a change re-indexes every meeting once."""
    probe = Meeting(
        file="probe.md",
        date=dt.date(2000, 1, 1),
        title="t",
        preamble="p",
        sections=[MeetingSection(kind="info", heading="h", text="- a。b")],
    )
    shape = [(p.id, p.section, context, lines_of(p.text)) for p, context in passages_with_context(probe)]
    return hashlib.sha256(repr((shape, E5EmbeddingFunction.name())).encode()).hexdigest()[:12]


def target(settings: Settings) -> str:
    """The index a state record is about: the embedded one, or the server at COACH_CHROMA_URL."""
    return settings.chroma_url or EMBEDDED


class IndexUnavailable(StoreError):
    """The vector index cannot be reached or read; lexical search can still answer."""


def ymd(day: dt.date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def _client(settings: Settings) -> ClientAPI:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    key = _key(settings)
    with _clients_lock:
        if key in _clients:
            return _clients[key]
        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
        try:
            if settings.chroma_url:
                url = urlparse(settings.chroma_url)
                client = chromadb.HttpClient(
                    host=url.hostname or "localhost",
                    port=url.port or (443 if url.scheme == "https" else 8000),
                    ssl=url.scheme == "https",
                    settings=chroma_settings,
                )
            else:
                private_dir(settings.chroma_dir)
                with _opening(settings):
                    client = chromadb.PersistentClient(
                        path=str(settings.chroma_dir), settings=chroma_settings
                    )
        except Exception as exc:
            raise _index_error(settings, exc) from exc
        _clients[key] = client
        return client


def _index_error(settings: Settings, exc: BaseException) -> IndexUnavailable:
    where = settings.chroma_url or str(settings.chroma_dir)
    if settings.chroma_url:
        return IndexUnavailable(
            f"Cannot reach the chroma server at {where} ({type(exc).__name__}). Start it, or unset "
            "COACH_CHROMA_URL to use the built-in index; then run `coach reindex`.",
            f"chroma サーバー {where} に接続できません ({type(exc).__name__})。サーバーを起動するか、"
            "COACH_CHROMA_URL を外して内蔵の索引を使い、`coach reindex` を実行してください。",
        )
    return IndexUnavailable(
        f"The search index at {where} cannot be used ({type(exc).__name__}). Run `coach reindex` to "
        "rebuild it from your saved meetings.",
        f"検索用の索引 {where} を使えません ({type(exc).__name__})。`coach reindex` で保存済みの"
        "1on1から作り直してください。",
    )


def embedding_function(settings: Settings) -> E5EmbeddingFunction:
    settings.ensure_data_dir()
    return E5EmbeddingFunction(settings.embedding_cache_path)


def _key(settings: Settings) -> str:
    return settings.chroma_url or str(settings.chroma_dir)


def collection(settings: Settings, fresh: bool = False) -> Collection:
    """The meetings collection, opened once per process (each query would otherwise pay for a
    get-or-create round trip); `fresh` re-opens it after another process rebuilt it."""
    key = _key(settings)
    with _clients_lock:
        cached = None if fresh else _collections.get(key)
    if cached is not None:
        return cached
    try:
        client = _client(settings)
        with _opening(settings):
            opened = client.get_or_create_collection(
                COLLECTION,
                embedding_function=embedding_function(settings),  # type: ignore[arg-type]
                configuration={"hnsw": {"space": "cosine"}},
            )
    except StoreError:
        raise
    except Exception as exc:
        raise _index_error(settings, exc) from exc
    with _clients_lock:
        _collections[key] = opened
    return opened


@contextmanager
def _opening(settings: Settings) -> Iterator[None]:
    """Hold the data dir's open lock while chroma creates or opens its files.

    Opening a PersistentClient runs chroma's schema migrations and creating the collection writes a
    row: two processes doing either at once on the same folder fail ("table collections already
    exists", "database is locked"), as two imports started together on a new data dir did. The lock is held for milliseconds, is separate from the writers' `index.lock` (a search
    that opens the index never waits for an import to finish), and is never held while waiting
    for that one, so the two cannot deadlock. A chroma server serialises this itself."""
    if settings.chroma_url:
        yield
        return
    with _flocked(settings.ensure_data_dir() / "index-open.lock", wait=True):
        yield


@contextmanager
def _flocked(path: Path, *, wait: bool) -> Iterator[bool]:
    """An advisory lock on `path`, released when the block ends; yields False when `wait` is off
    and another process holds it, True once held (or on a platform without advisory locks)."""
    try:
        import fcntl
    except ImportError:  # no advisory locks on this platform: rely on chroma's own
        yield True
        return
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # closing releases the lock


class IndexBusy(StoreError):
    """Another process is writing the index right now (asked not to wait for it)."""


@contextmanager
def writing(settings: Settings, *, wait: bool = True) -> Iterator[None]:
    """Hold the data dir's index lock: one writer of the index at a time across processes.

    With `wait=False` a lock held elsewhere raises IndexBusy at once (a search never waits for
    an import to finish indexing)."""
    with _flocked(settings.ensure_data_dir() / "index.lock", wait=wait) as held:
        if not held:
            raise IndexBusy(
                "Another coach process is updating the search index; it will hold the rest when it finishes.",
                "別の coach の処理が検索インデックスを更新中です。終わると残りも検索できるようになります。",
            )
        yield


def index_meetings(
    settings: Settings,
    meetings: Iterable[Meeting],
    progress: Progress | None = None,
    on_indexed: Confirmed | None = None,
    *,
    wait: bool = True,
) -> int:
    """Upsert the passages of `meetings`; delete those a meeting no longer has. Returns passages written.

    Works in steps of MEETING_BATCH meetings; after chroma has taken a step, `on_indexed(meetings,
    passage_counts)` is called, so a crash loses at most the step in flight. `wait=False` raises
    IndexBusy instead of waiting for another process's index writes."""
    meetings = list(meetings)
    with writing(settings, wait=wait):
        return _index(settings, meetings, progress, on_indexed)


def _index(
    settings: Settings, meetings: list[Meeting], progress: Progress | None, on_indexed: Confirmed | None
) -> int:
    target_ = collection(settings, fresh=True)
    ef = embedding_function(settings)
    written = 0
    try:
        for start in range(0, len(meetings), MEETING_BATCH):
            chunk = meetings[start : start + MEETING_BATCH]
            batch: list[tuple[Passage, str]] = []
            keep: set[str] = set()
            counts: list[int] = []
            for meeting in chunk:
                passages = passages_with_context(meeting)  # the same cut the store's full-text table uses
                keep.update(p.id for p, _ in passages)
                counts.append(len(passages))
                batch.extend(passages)
            same_files: dict[str, Any] = {"file": {"$in": [m.file for m in chunk]}}
            existing = target_.get(where=same_files, include=[])["ids"]  # type: ignore[arg-type]
            stale = [pid for pid in existing if pid not in keep]
            if stale:
                target_.delete(ids=stale)
            for offset in range(0, len(batch), UPSERT_BATCH):
                flush_part = batch[offset : offset + UPSERT_BATCH]
                _upsert(target_, ef, flush_part)
                written += len(flush_part)
            # Answers quote lines chosen by their similarity to the question: embed them now, into
            # the cache, so that the first question about a meeting does not wait for the model.
            ef.embedder.embed([line for p, _ in batch for line in lines_of(p.text)], "passage")
            # and the content words a question's word may be matched to by meaning (`bridges`)
            ef.embedder.embed(sorted({w for p, _ in batch for w in words(p.text)}), "word")
            if on_indexed:
                on_indexed(chunk, counts)
            if progress:
                for done in range(start + 1, start + len(chunk) + 1):
                    progress(done, len(meetings), meetings[done - 1].file)
        if meetings:
            # and the background a question is measured against (read by the model once per cache)
            ef.embedder.embed(list(background_passages()), "passage")
    except StoreError:
        raise
    except Exception as exc:
        raise _index_error(settings, exc) from exc
    return written


def delete_files(settings: Settings, files: Sequence[str], *, wait: bool = True) -> None:
    """Remove every passage of `files` (meetings that are no longer in the store)."""
    if not files:
        return
    with writing(settings, wait=wait):
        try:
            collection(settings, fresh=True).delete(where={"file": {"$in": list(files)}})  # type: ignore[dict-item]
        except Exception as exc:
            raise _index_error(settings, exc) from exc


def indexed_files(settings: Settings) -> dict[str, int]:
    """file -> passages the index actually holds (the slow, exact check behind a count mismatch)."""
    try:
        found = collection(settings, fresh=True).get(include=["metadatas"])
    except Exception as exc:
        raise _index_error(settings, exc) from exc
    held: dict[str, int] = {}
    for meta in found["metadatas"] or []:
        file = str(meta.get("file", ""))
        held[file] = held.get(file, 0) + 1
    return held


def _upsert(target: Collection, ef: E5EmbeddingFunction, batch: Sequence[tuple[Passage, str]]) -> None:
    target.upsert(
        ids=[p.id for p, _ in batch],
        documents=[p.text for p, _ in batch],
        embeddings=ef([text for _, text in batch]),  # type: ignore[arg-type]
        metadatas=[_metadata(p) for p, _ in batch],
    )


def _forget_clients(settings: Settings) -> None:
    """Drop this process's handles on the index (chroma's included) so the next use re-opens it."""
    with _clients_lock:
        _collections.pop(_key(settings), None)
        _clients.pop(_key(settings), None)
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()


def clear(settings: Settings) -> list[str]:
    """Leave an empty index: drop the collection, or delete an embedded index chroma cannot open.

    Also throws away an embedding cache SQLite finds damaged. Returns what was repaired, for the
    caller to tell the user."""
    repaired: list[str] = []
    if not embedding_function(settings).embedder.cache.check():
        repaired.append("cache")
    try:
        client = _client(settings)
        with _clients_lock:
            _collections.pop(_key(settings), None)
        if any(c.name == COLLECTION for c in client.list_collections()):
            client.delete_collection(COLLECTION)
        collection(settings, fresh=True).count()
        return repaired
    except Exception as exc:
        if settings.chroma_url:  # a server's files are not ours to delete
            if isinstance(exc, StoreError):
                raise
            raise _index_error(settings, exc) from exc
    _forget_clients(settings)
    if settings.chroma_dir.is_symlink() or settings.chroma_dir.is_file():
        settings.chroma_dir.unlink()
    shutil.rmtree(settings.chroma_dir, ignore_errors=True)
    try:
        collection(settings, fresh=True).count()
    except StoreError:
        raise
    except Exception as exc:
        raise _index_error(settings, exc) from exc
    return [*repaired, "index"]


def reindex(
    settings: Settings,
    meetings: Sequence[Meeting],
    progress: Progress | None = None,
    on_indexed: Confirmed | None = None,
    on_cleared: Callable[[list[str]], None] | None = None,
) -> int:
    """Rebuild from nothing: clear the index (see `clear`), then index every given meeting."""
    with writing(settings):
        repaired = clear(settings)
        if on_cleared:
            on_cleared(repaired)
        if progress and not meetings:
            progress(0, 0, "")
        return _index(settings, list(meetings), progress, on_indexed)


def count(settings: Settings) -> int:
    return collection(settings).count()


def dense_search(
    settings: Settings,
    query: str,
    k: int,
    date_range: tuple[dt.date, dt.date] | None = None,
) -> list[tuple[Passage, float]]:
    """Top-k passages by cosine similarity (1 = identical), optionally within a date range."""
    where: dict[str, Any] | None = None
    if date_range:
        where = {"$and": [{"ymd": {"$gte": ymd(date_range[0])}}, {"ymd": {"$lte": ymd(date_range[1])}}]}
    if k <= 0:
        return []
    for attempt in range(2):
        try:
            found = collection(settings, fresh=attempt > 0).query(
                query_texts=[query],
                n_results=k,  # chroma returns fewer when the collection (or the date range) holds fewer
                where=where,  # type: ignore[arg-type]
                include=["documents", "metadatas", "distances"],
            )
            break
        except StoreError:
            raise
        except Exception as exc:  # e.g. the collection was rebuilt by another process: re-open once
            if attempt:
                raise _index_error(settings, exc) from exc
            if not settings.chroma_url:  # e.g. `coach reindex` replaced a damaged index folder
                _forget_clients(settings)
    ids = found["ids"][0]
    documents = (found["documents"] or [[]])[0]
    metadatas = (found["metadatas"] or [[]])[0]
    distances = (found["distances"] or [[]])[0]
    hits: list[tuple[Passage, float]] = []
    for pid, text, meta, distance in zip(ids, documents, metadatas, distances, strict=True):
        passage = Passage(
            id=pid,
            meeting=dt.date.fromisoformat(str(meta["date"])),
            file=str(meta["file"]),
            section=meta["section"],  # type: ignore[arg-type]
            text=text or "",
        )
        hits.append((passage, 1.0 - float(distance)))
    return hits


def _metadata(passage: Passage) -> dict[str, str | int]:
    return {
        "file": passage.file,
        "date": passage.meeting.isoformat(),
        "ymd": ymd(passage.meeting),
        "section": passage.section,
    }
