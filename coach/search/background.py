"""The background passages: a null pool of no one's meetings (`data/background_passages.txt`,
whose policy is written at its top).

A question's best dense score is set against them when the user's own notes hold too few passages
to measure how far it stands out (`coach.search.retrieval.dense_standout`), and an answer's
candidate sentences are told apart only by more than the question's spread over them
(`coach.flows.ask.relative_similarity`). Their vectors are
cached with the first meetings indexed (`coach.search.vectors.index_meetings`), so the first
question asked of a new store does not wait ~1.5 s for the model to read them.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files


@lru_cache(maxsize=1)
def background_passages() -> tuple[str, ...]:
    text = files("coach.search").joinpath("data/background_passages.txt").read_text(encoding="utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    return tuple(part.strip() for part in body.split("\n---\n") if part.strip())
