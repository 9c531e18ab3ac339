"""Before the next 1on1: which past meetings touched the same topics, what was decided, what is open.

Each line of the notes is a topic and is retrieved on its own, because notes for a meeting mix
unrelated topics and one query over all of them would match none well. A meeting is suggested
only when retrieval finds real evidence for a topic (the same not-found rule as `ask`).
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from coach.config import Settings
from coach.flows import ask
from coach.flows.ask import best_lines, lines_of, meeting_lines
from coach.models import ActionItem, FollowUp, FollowUps, Language
from coach.search import retrieval
from coach.text.inputs import check_text
from coach.text.language import detect_language

MAX_TOPICS = 20
MEETINGS_PER_TOPIC = 3
RELATIVE_CUTOFF = 0.6


def suggest_followups(notes: str, settings: Settings, k: int = 5, as_of: dt.date | None = None) -> FollowUps:
    notes = check_text(notes, what="notes", what_ja="メモ")
    topics = [line for line in lines_of(notes) if retrieval.content_units(line)][:MAX_TOPICS]
    best: dict[str, tuple[float, str, retrieval.Retrieval]] = {}
    for topic in topics:
        found = ask.retrieve(topic, settings, k=MEETINGS_PER_TOPIC, as_of=as_of)
        hits = found.best_per_meeting()[:MEETINGS_PER_TOPIC]
        if not found.found:
            # Not enough to answer a question, but a meeting naming the same specific thing
            # (a product, a system, a person) did touch the topic.
            hits = [hit for hit in hits if _names_the_same_thing(topic, hit.passage.text)]
        else:
            # The verdict speaks for the best meeting; each further one needs evidence of its own
            # (a word of the topic, or the same name): in a small store every passage is in the
            # dense pool, and its rank alone earns a fused score close to the best one's.
            hits = hits[:1] + [
                hit for hit in hits[1:] if hit.coverage > 0 or _names_the_same_thing(topic, hit.passage.text)
            ]
        if not hits:
            continue
        for hit in hits:
            if hit.score < hits[0].score * RELATIVE_CUTOFF:
                continue
            previous = best.get(hit.passage.file)
            if previous is None or hit.score > previous[0]:
                best[hit.passage.file] = (hit.score, topic, found)
    if not best:
        return FollowUps(results=[])

    from coach.memory.store import Store

    store = Store.open(settings)
    open_actions = _open_actions_by_meeting(settings, detect_language(notes))
    results: list[FollowUp] = []
    for file, (score, topic, found) in sorted(best.items(), key=lambda item: -item[1][0])[:k]:
        meeting = store.meeting(file)
        if meeting is None:
            continue
        matched = best_lines(topic, meeting_lines(found, file, meeting), settings, limit=1, found=found)
        results.append(
            FollowUp(
                meeting=meeting.date,
                file=file,
                score=round(score, 4),
                topic=matched[0] if matched else "",
                decided=lines_of(meeting.section_text("decisions")),
                open_actions=open_actions.get(file, []),
            )
        )
    return FollowUps(results=results)


def _names_the_same_thing(topic: str, passage: str) -> bool:
    names = retrieval.name_like_units(topic)
    folded = unicodedata.normalize("NFKC", passage).casefold()
    return any(unicodedata.normalize("NFKC", name).casefold() in folded for name in names)


def _open_actions_by_meeting(settings: Settings, language: Language) -> dict[str, list[str]]:
    from coach.memory.store import Store

    actions: list[ActionItem] = Store.open(settings).actions(status="open")
    by_meeting: dict[str, list[str]] = {}
    for action in actions:
        due = ""
        if action.due:
            due = (
                f"(期限: {action.due.isoformat()})"
                if language == "ja"
                else f" (due {action.due.isoformat()})"
            )
        by_meeting.setdefault(action.from_, []).append(action.action + due)
    return by_meeting


def to_markdown(result: FollowUps) -> str:
    if not result.results:
        return "(no related past meetings / 関連する過去の1on1はありません)"
    lines: list[str] = []
    for item in result.results:
        lines += [f"## {item.meeting} ({item.file})", f"- topic / 話題: {item.topic}"]
        lines += [f"- decided / 決まったこと: {d}" for d in item.decided]
        lines += [f"- open / 未完了: {a}" for a in item.open_actions]
        lines.append("")
    return "\n".join(lines).rstrip()
