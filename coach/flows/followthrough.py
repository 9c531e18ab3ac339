"""What became of an action item an answer quotes, from the action ledger.

A question whether something was done, or how far it got, is often answered by an action item:
the retrieval finds the meeting that opened it (`- [ ] write the runbook (due 10/31)`), whose
sentence names the topic best, while the meeting that ticked it off or reported it done says
little more than the item's own words again. Quoted alone, the opening item reads as the answer
and says the opposite of what happened. The ledger (`coach.memory.ledger`) already follows each
item from the meeting that opened it to the one that closed it, with the closing line as its
evidence, so the answer states the item's standing first, cites the closing meeting and quotes
its line.

Policy:

* only a question that asks whether or how far something was done is followed through
  (`asks_status`): an English question led by an auxiliary (`did`, `have`, `is` …) or asking
  when something was done, a Japanese one that ends on a past or progressive predicate and asks
  no wh-word but いつ, or one the answer
  scoring reads as asking for completion or progress (`ask.ASKS_DONE`, `ask.ASKS_PROGRESS`);
* the standing opens the answer, unless the answer already quotes the report that closed the
  item: that report says when and how, so it leads and the standing follows as a verdict;
* a quoted sentence is an item when it is the item's own line in a meeting of its evidence
  (its wording without the due note, compared as `coach.text.similarity.compact` text);
* the item's standing is read as of the question's day: a closure in a later meeting does not
  count for a question asked as of an earlier day;
* at most `MOST_ITEMS` items are followed, in the order the answer quotes them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from coach.memory.ledger import report_of
from coach.memory.store import Store
from coach.messages import message
from coach.models import ActionItem, Evidence, Language, Meeting, Source
from coach.text.similarity import compact

MOST_ITEMS = 2
MIN_ITEM_CHARS = 4  # shorter compact wordings match too much to identify an item

# An English yes/no question: led by an auxiliary (after an optional `so`/`and`).
EN_YES_NO = re.compile(r"^(?:so |and )?(?:did|do|does|have|has|had|is|are|was|were)\b", re.IGNORECASE)
# A Japanese question ending on a past, perfective or progressive predicate (`…した?`, `…できた?`,
# `…済んだ?`, `…ている?`, `…進んでいる?`, `…終えた?`), with no wh-word: it asks whether, not what.
JA_DONE_ENDING = re.compile(r"(?:た|だ|[てで]いる|[てで]る|ました|ましたか|たか|だか|済み)\s*[?？]?\s*$")
JA_WH = re.compile(r"何|なに|なん|誰|だれ|いつ|どこ|どう|どれ|どの|なぜ|いくつ|いくら|どんな|どちら")
# A question when something was done (`when did we …`, `いつ…した?`) is about the same event.
EN_WHEN_DONE = re.compile(r"^when (?:did|was|were|have|has|had)\b", re.IGNORECASE)
JA_WHEN = re.compile(r"いつ")
_DUE_NOTE = re.compile(r"[(（](?:期限|due|〆切|締切)[:：]?[^)）]*[)）]", re.IGNORECASE)
_CHECKBOX = re.compile(r"^\s*(?:[-*+]\s*)?\[[ xX]\]\s*")


@dataclass(frozen=True)
class FollowThrough:
    """One quoted action item and what the ledger says became of it."""

    item: ActionItem
    quoted_in: str  # the meeting file whose quoted sentence is the item
    standing: str  # done, dropped or open, as of the question's day
    closing: Evidence | None  # the line that closed or dropped it
    closing_meeting: Meeting | None
    text: str  # the standing, in the question's language
    report_quoted: bool = False  # the answer quotes the sentence that reported it done

    @property
    def why(self) -> str:
        where = f" in {self.closing.meeting}" if self.closing else ""
        how = f" by {self.item.closed_by}" if self.item.closed_by and self.standing != "open" else ""
        because = f"; {self.item.why}" if self.item.why and self.standing != "open" else ""
        return f"ledger: “{self.item.action}” {self.standing}{where}{how} (quoted item of {self.quoted_in}{because})"

    def source(self) -> Source | None:
        if self.closing is None or self.closing_meeting is None:
            return None
        return Source(meeting=self.closing_meeting.date, file=self.closing.meeting, excerpt=self.closing.text)


def asks_status(question: str, cues: Sequence[re.Pattern[str]] = ()) -> bool:
    """True for a question whether something was done or how far it got (see the policy); `cues`
    are the answer scoring's own patterns for completion and progress questions."""
    text = question.strip()
    if EN_YES_NO.match(text) or EN_WHEN_DONE.match(text):
        return True
    if JA_DONE_ENDING.search(text) and (not JA_WH.search(text) or JA_WHEN.search(text)):
        return True
    return any(cue.search(text.lower()) for cue in cues)


def _named(item: ActionItem) -> str:
    """The item as the standing names it: someone else's with its owner (`Kim: book the venue`)."""
    return item.action if item.owner == "me" or not item.owner_name else f"{item.owner_name}: {item.action}"


def wording(text: str) -> str:
    """An item's wording without its checkbox and due-date note, for telling the same item apart
    when it is quoted, reported or written again (`coach.flows.ask` uses it to skip a repeat)."""
    return compact(_DUE_NOTE.sub("", _CHECKBOX.sub("", text)))


def _is_item_line(item: ActionItem, file: str, line: str) -> bool:
    said = wording(line)
    if len(said) < MIN_ITEM_CHARS:
        return False
    own = wording(item.action)
    for evidence in item.evidence:
        if evidence.meeting != file:
            continue
        written = wording(evidence.text)
        if said == written or (len(own) >= MIN_ITEM_CHARS and own in said and len(said) <= 2 * len(own)):
            return True
    return False


def follow_through(
    quoted: Sequence[tuple[str, str]],
    store: Store,
    language: Language,
    as_of: dt.date | None = None,
) -> list[FollowThrough]:
    """The ledger's standing of the action items among `quoted` ((meeting file, sentence) pairs,
    in the answer's order), as of `as_of` (today when None)."""
    day = as_of or dt.date.today()
    items = store.actions_in({file for file, _ in quoted})
    meetings: dict[str, Meeting | None] = {}

    def meeting_of(file: str) -> Meeting | None:
        if file not in meetings:
            meetings[file] = store.meeting(file)
        return meetings[file]

    said = {wording(line) for _, line in quoted}
    found: list[FollowThrough] = []
    for file, line in quoted:
        for item in items:
            if any(f.item.id == item.id for f in found) or not _is_item_line(item, file, line):
                continue
            found.append(_standing(item, file, day, meeting_of, language, said))
            break
        if len(found) >= MOST_ITEMS:
            break
    return found


def _standing(
    item: ActionItem,
    file: str,
    day: dt.date,
    meeting_of: Callable[[str], Meeting | None],
    language: Language,
    quoted: set[str],
) -> FollowThrough:
    def date_of(file: str) -> dt.date | None:
        meeting = meeting_of(file)
        return meeting.date if meeting else None

    ending = next(
        (
            e
            for e in reversed(item.evidence)
            if e.role in ("closed", "dropped") and (date_of(e.meeting) or dt.date.max) <= day
        ),
        None,
    )
    closed = item.status == "done" and item.closed_on is not None and item.closed_on <= day
    if ending is not None and (closed or ending.role == "dropped"):
        meeting = meeting_of(ending.meeting)
        on = meeting.date.isoformat() if meeting else ending.meeting
        line = _CHECKBOX.sub("", ending.text).strip()
        if ending.role == "dropped" or item.closed_by == "dropped":
            standing, key = "dropped", "ask.ledger_dropped"
        elif not _CHECKBOX.match(ending.text):
            standing, key = "done", "ask.ledger_reported"
        else:
            # a ticked box says no more than the item again: the meeting's sentence reporting it
            # in words, when there is one, is quoted instead
            report = report_of(item.action, meeting) if meeting else None
            standing, key = "done", ("ask.ledger_reported" if report else "ask.ledger_ticked")
            line = report or line
        report_quoted = key != "ask.ledger_ticked" and any(wording(line) in q for q in quoted)
        if report_quoted and standing == "done":
            key = "ask.ledger_done"  # the answer quotes the report already: the verdict is enough
        text = message(key, language, action=_named(item), day=on, line=line)
        return FollowThrough(item, file, standing, ending, meeting, text, report_quoted)
    if closed and item.closed_on is not None:  # marked done by hand, in no meeting
        text = message("ask.ledger_marked", language, action=_named(item), day=item.closed_on.isoformat())
        return FollowThrough(item, file, "done", None, None, text)
    opened = date_of(item.from_)
    due = message("ask.ledger_due", language, due=item.due.isoformat()) if item.due else ""
    text = message(
        "ask.ledger_open",
        language,
        action=_named(item),
        day=opened.isoformat() if opened else item.from_,
        due=due,
    )
    return FollowThrough(item, file, "open", None, None, text)
