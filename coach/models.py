"""The contract: every CLI JSON output and every value crossing a module boundary.

Models here depend on nothing else in the package. Validators that need other modules
(grounding, number parsing) live with the flows, not here.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Language = Literal["ja", "en"]
MissingPart = Literal["situation", "task", "action", "result", "metric"]
Bucket = Literal["self", "support", "org"]
Owner = Literal["me", "manager", "other"]
ActionStatus = Literal["open", "done"]
SectionKind = Literal["results", "concerns", "career", "decisions", "info", "actions", "other"]


class Contract(BaseModel):
    """Base of every output model: printed with `model_dump_json(by_alias=True)`."""

    model_config = ConfigDict(populate_by_name=True)


# --------------------------------------------------------------------------- rewrite


class Metric(Contract):
    """One quantified result, traced to the exact span of the notes it came from.

    `before`/`after` are in `unit` (the common unit when the notes used two, e.g. 2時間→15分
    gives 120 and 15 in 分). `change_pct = (after - before) / before * 100`, computed by code,
    null when it cannot be computed (no before, before == 0, incompatible units).
    """

    name: str
    before: float | None = None
    after: float | None = None
    unit: str = ""
    change_pct: float | None = None
    source: str = Field(description="Exact substring of the notes this metric was read from.")
    qualifier: Literal["", "<", ">", "~"] = Field(
        default="", description="'<' for 未満/under, '>' for 以上/over, '~' for 約/about."
    )
    why: str = Field(default="", description="Which rule read this metric and on what evidence, in short.")


class StarEntry(Contract):
    title: str
    situation: str = ""
    task: str = ""
    action: str = ""
    result: str = ""
    statement: str = Field(description="One line the user can say in the 1on1, in the notes' language.")
    metrics: list[Metric] = Field(default_factory=list)
    missing: list[MissingPart] = Field(default_factory=list)
    questions: list[str] = Field(default_factory=list)


class RewriteResult(Contract):
    language: Language
    engine: str
    entries: list[StarEntry]
    warnings: list[str] = Field(default_factory=list)
    next: list[str] = Field(
        default_factory=list,
        description="Plans and TODOs found in the notes (not achievements), in their words.",
    )


# --------------------------------------------------------------------------- prepare


class IntentParts(Contract):
    timeframe: bool
    scope: bool
    reason: bool
    why: dict[str, str] = Field(
        default_factory=dict,
        description="Per part (timeframe, scope, reason): which rule decided and on what words, in short.",
    )


class IntentResult(Contract):
    language: Language
    engine: str
    intent: str = ""
    has: IntentParts
    drafts: list[str]
    questions: list[str] = Field(default_factory=list)
    evidence: list[str] = Field(
        default_factory=list, description="Past results (statements) that support the intent, with dates."
    )
    warnings: list[str] = Field(default_factory=list)


class TriageItem(Contract):
    concern: str
    bucket: Bucket
    suggestion: str
    why: str = Field(default="", description="Which rule chose the bucket and on what words, in short.")


class TriageResult(Contract):
    language: Language
    engine: str
    items: list[TriageItem]
    warnings: list[str] = Field(default_factory=list)


class Agenda(Contract):
    language: Language
    markdown: str
    slack: str
    opening: list[str] = Field(default_factory=list, description="Progress report on last meeting's actions.")


# --------------------------------------------------------------------------- memory


class Evidence(Contract):
    """One line of a meeting that says something about an action."""

    meeting: str = Field(description="File name of the meeting.")
    line: int | None = Field(default=None, description="1-based line in that file, when known.")
    text: str = Field(description="The line as written.")
    role: Literal["opened", "carried", "closed", "dropped", "mentioned"] = "opened"


class ActionItem(Contract):
    action: str
    owner: Owner = "me"
    due: dt.date | None = None
    status: ActionStatus = "open"
    from_: str = Field(alias="from", description="File name of the meeting that opened it.")
    done_in: str | None = Field(default=None, description="File name of the meeting that closed it.")
    result: str | None = None
    closed_on: dt.date | None = Field(
        default=None,
        description="When it was closed: the closing meeting's date, or the day it was marked done.",
    )
    id: int | None = None
    owner_name: str | None = Field(default=None, description="The owner as written (`山田さん`, `Jordan`).")
    due_raw: str | None = Field(default=None, description="The due date as written (`来週中`, `〆切 2/14`).")
    closed_by: str | None = Field(
        default=None, description="checkbox, prose, other-language, table, dropped or manual."
    )
    evidence: list[Evidence] = Field(
        default_factory=list, description="The lines that opened, carried over and closed it."
    )
    why: str = Field(default="", description="Which rule gave the status, on which line, in short.")


class ActionsReport(Contract):
    as_of: dt.date
    actions: list[ActionItem]


class MeetingSection(Contract):
    kind: SectionKind
    heading: str
    text: str


class Meeting(Contract):
    """One 1on1. `file` (e.g. `2026-01-20.md`) is its stable identity across import/export."""

    file: str
    date: dt.date
    with_: str | None = Field(default=None, alias="with")
    title: str | None = None
    preamble: str = Field(
        default="", description="Prose before the first heading (often the progress report)."
    )
    sections: list[MeetingSection] = Field(default_factory=list)
    participants: list[str] = Field(default_factory=list, description="Who attended, as written.")
    cancelled: bool = Field(default=False, description="The meeting did not take place.")

    def section_text(self, kind: SectionKind) -> str:
        return "\n".join(s.text for s in self.sections if s.kind == kind).strip()


class ImportReport(Contract):
    imported: int
    updated: int
    unchanged: int
    actions_open: int
    actions_done: int
    warnings: list[str] = Field(default_factory=list)
    skipped: list[str] = Field(
        default_factory=list, description="Files not imported (each also in warnings)."
    )
    index: IndexRepair | None = Field(default=None, description="What the search index caught up on.")


class IndexRepair(Contract):
    """How the search index was brought in step with the store (it is derived and rebuildable)."""

    indexed: int = Field(default=0, description="Meetings (re-)indexed because the index lacked them.")
    removed: int = Field(default=0, description="Meetings dropped from the index: no longer stored.")
    pending: int = Field(default=0, description="Meetings still missing (left for a later run).")
    cleared: list[str] = Field(
        default_factory=list, description="Damaged parts thrown away first: `index`, `cache`."
    )
    why: str = Field(default="", description="What showed the index out of step (record or count check).")
    busy: bool = Field(default=False, description="Another process was writing the index: repair left to it.")
    warnings: list[str] = Field(default_factory=list)


class ExportReport(Contract):
    """What `coach export` wrote, and what it refused to touch."""

    target: str
    written: list[str] = Field(default_factory=list)
    refused: list[str] = Field(default_factory=list, description="Existing files kept (no --force).")
    why: str = ""


class ReindexReport(Contract):
    """What `coach reindex` rebuilt: the search index, from every meeting in the store."""

    passages: int = Field(description="Passages written to the search index.")
    why: str = "The index is derived from the store: it was dropped and rebuilt from every stored meeting."


class MeetingRecord(Contract):
    """What the Record page saves right after a meeting."""

    date: dt.date
    with_: str | None = Field(default=None, alias="with")
    title: str | None = None
    decisions: list[str] = Field(default_factory=list)
    info: list[str] = Field(default_factory=list)
    my_actions: list[ActionItem] = Field(default_factory=list)
    manager_actions: list[ActionItem] = Field(default_factory=list)
    notes: str = ""
    kept: list[str] = Field(
        default_factory=list,
        description="Headings of the stored meeting's sections the form cannot show in full "
        "(follow-up reports, action tables, teammates' items): saving keeps them as written.",
    )


class FollowUp(Contract):
    meeting: dt.date
    file: str
    score: float
    topic: str = Field(description="The passage of that meeting that matched the notes.")
    decided: list[str] = Field(default_factory=list, description="What was decided in that meeting.")
    open_actions: list[str] = Field(default_factory=list, description="Actions from it still open.")


class FollowUps(Contract):
    results: list[FollowUp]


# --------------------------------------------------------------------------- ask


class Passage(Contract):
    """A retrievable chunk of a meeting: one section (or the preamble) of one meeting."""

    id: str
    meeting: dt.date
    file: str
    section: SectionKind
    text: str


class SearchHit(Contract):
    meeting: dt.date
    file: str
    score: float
    excerpt: str
    section: SectionKind | None = None


class SearchResults(Contract):
    query: str = ""
    date_filter: tuple[dt.date, dt.date] | None = None
    results: list[SearchHit]
    notices: list[str] = Field(default_factory=list)  # e.g. answered from keyword search only
    why: str = ""  # the retrieval's verdict and its evidence, as for AskResult


class Source(Contract):
    meeting: dt.date
    file: str
    excerpt: str


class AskResult(Contract):
    answer: str
    found: bool
    sources: list[Source]
    engine: str = "offline"
    warnings: list[str] = Field(default_factory=list)
    # why the notes were judged to hold the answer or not (which evidence: coverage, dense
    # standout, absent topic words) and which words were matched across scripts or by meaning
    why: str = ""


# --------------------------------------------------------------------------- review


class Period(Contract):
    from_: dt.date = Field(alias="from")
    to: dt.date


class ReviewResultItem(Contract):
    statement: str
    meetings: list[str]
    metrics: list[Metric] = Field(default_factory=list)
    why: str = Field(default="", description="Where the result was read and why reports were joined.")


class FollowThrough(Contract):
    promised: int
    done: int
    open: int
    on_time: int | None = Field(default=None, description="Done by their due date, where that can be told.")
    actions: list[ActionItem] = Field(default_factory=list)


class CareerStep(Contract):
    meeting: str
    intent: str
    has: IntentParts
    followed_by: list[str] = Field(default_factory=list, description="Decisions/assignments that followed.")


class ConcernOutcome(Contract):
    meeting: str
    concern: str
    bucket: Bucket
    outcome: str


class Review(Contract):
    period: Period
    results: list[ReviewResultItem]
    follow_through: FollowThrough
    career: list[CareerStep]
    concerns: list[ConcernOutcome]
    draft: str
    engine: str = "offline"
    warnings: list[str] = Field(default_factory=list)


class ClaimCheck(Contract):
    claim: str
    status: Literal["shared", "unshared", "number_differs"]
    meetings: list[str] = Field(default_factory=list)
    detail: str = ""


class ReviewCheck(Contract):
    period: Period
    claims: list[ClaimCheck]

    @property
    def unshared(self) -> list[ClaimCheck]:
        return [c for c in self.claims if c.status != "shared"]


# --------------------------------------------------------------------------- the next meeting


class NextMeetingPrep(Contract):
    """What the user prepared for the next 1on1; the agenda is assembled from it."""

    rewrite: RewriteResult | None = None
    triage: TriageResult | None = None
    intent: IntentResult | None = None
    updated_at: dt.datetime | None = None
