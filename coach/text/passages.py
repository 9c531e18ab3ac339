"""What a passage of a meeting is: the unit that search indexes, ranks and quotes from.

One passage per non-empty section, plus the preamble (position 0). Ids are `file#position`, so the
full-text table in the store and the vector index name the same passage the same way. The text
that gets indexed is the passage with its meeting title and heading, which carry its topic.
"""

from __future__ import annotations

from coach.models import Meeting, Passage, SectionKind
from coach.text.segment import sentences, strip_bullet

PREAMBLE_HEADING = ""


def passages_of(meeting: Meeting) -> list[Passage]:
    """The preamble (position 0, when there is one) and each non-empty section, in order."""
    parts: list[tuple[int, SectionKind, str]] = [(0, "other", meeting.preamble)]
    parts += [(position, s.kind, s.text) for position, s in enumerate(meeting.sections, start=1)]
    return [
        Passage(
            id=f"{meeting.file}#{position}",
            meeting=meeting.date,
            file=meeting.file,
            section=kind,
            text=text.strip(),
        )
        for position, kind, text in parts
        if text.strip()
    ]


def headings_of(meeting: Meeting) -> dict[str, str]:
    """Passage id -> the heading it sat under (kept for context in embeddings and excerpts)."""
    headings = {f"{meeting.file}#0": PREAMBLE_HEADING}
    for position, section in enumerate(meeting.sections, start=1):
        headings[f"{meeting.file}#{position}"] = section.heading
    return headings


def context_text(passage: Passage, heading: str, title: str | None) -> str:
    """What gets indexed and embedded: the passage with its meeting title and heading."""
    head = " / ".join(part for part in (title or "", heading) if part)
    return f"{head}\n{passage.text}" if head else passage.text


def passages_with_context(meeting: Meeting) -> list[tuple[Passage, str]]:
    """Each passage of `meeting` with its context text (the same text the vector index embeds)."""
    headings = headings_of(meeting)
    return [(p, context_text(p, headings.get(p.id, ""), meeting.title)) for p in passages_of(meeting)]


def lines_of(text: str) -> list[str]:
    """Bullets as they are, prose split into sentences: the units an answer quotes and ranks
    (the index embeds the same split, so the cache it warms is the one a question reads)."""
    out: list[str] = []
    for raw in text.splitlines():
        line, bullet = strip_bullet(raw)
        if not line:
            continue
        out.extend([line] if bullet else sentences(line))
    return out
