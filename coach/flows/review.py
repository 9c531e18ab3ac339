"""Review season: a self-evaluation drafted from a period of 1on1s, and the no-surprise check.

Everything in the review is read from the meetings of the period and cited back to them: the
evaluation interview should hold no surprises for the manager, so a result that was never shared
in a 1on1 is shown as such, and the draft never states a number the meetings did not record (or
that code did not compute from them: changes, counts). Missing numbers stay visible as `[N]`.

The review reads the store only (no vector index), so it is fast over years of meetings; the
no-surprise check adds dense similarity for paraphrase and English↔Japanese matching.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from coach.config import Settings
from coach.errors import InputError
from coach.flows.review_match import (
    Figures,
    Line,
    LineIndex,
    Match,
    clean_line,
    content_grams,
    dense_scores,
    match_claim,
    meeting_lines,
    sentences,
    with_percent_wari,
)
from coach.llm.fallback import with_fallback
from coach.llm.grounding import ungrounded_numbers
from coach.memory.store import DROPPED, Store
from coach.messages import message
from coach.models import (
    ActionItem,
    CareerStep,
    ClaimCheck,
    ConcernOutcome,
    FollowThrough,
    IntentParts,
    Language,
    Meeting,
    Metric,
    Period,
    Review,
    ReviewCheck,
    ReviewResultItem,
    StarEntry,
)
from coach.rules.cues import TRIAL_SETTING
from coach.rules.metrics import find_metrics
from coach.rules.star import statement_for
from coach.text.language import detect_language
from coach.text.normalize import fold
from coach.text.numbers import display_pct, format_number, unit_scale
from coach.text.periods import resolve_period
from coach.text.similarity import compact

if TYPE_CHECKING:
    from coach.llm.engine import LLMEngine

__all__ = [
    "build_review",
    "check_claims",
    "check_markdown",
    "draft_problems",
    "resolve_period",
    "to_markdown",
]

Progress = Callable[[int, int, str], None]

MAX_DRAFT_RESULTS = 8
MAX_UNQUANTIFIED = 4
MAX_FOLLOWED_BY = 3
MAX_OPEN_IN_DRAFT = 3
SAME_RESULT = 0.6
MIN_SHARED_GRAMS = 3
BLOCKING_MIN = 50
BLOCKING_SHARE = 5
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CITATION = re.compile(
    r"[(\[（]\s*(\d{4}-\d{2}-\d{2}(?:\s*(?:,|、|〜|~|–|-|to)\s*\d{4}-\d{2}-\d{2})*)\s*[)\]）]"
)
_HEADING = re.compile(r"^\s*#")
_MISSING_NUMBER = "[N]"
# "No big results this sprint", "今週は特に成果なし": a report that there is nothing to report.
_NOTHING_DONE = re.compile(
    r"\bno (?:big |major |notable |real |significant )?(?:results?|progress|updates?|wins?|news)\b"
    r"|\bnothing (?:new|major|to report)\b|成果(?:は)?(?:特に)?(?:なし|無し|ない)|特に(?:なし|無し)|進捗(?:なし|無し)",
    re.IGNORECASE,
)


def _t(key: str, language: Language, **values: object) -> str:
    """Review message `key` (``review.`` in coach.messages)."""
    return message(f"review.{key}", language, **values)


# --------------------------------------------------------------------------- the period's material


@dataclass
class _Material:
    """The meetings of a period, split into lines and indexed once for every relatedness question."""

    meetings: list[Meeting]
    language: Language
    index: LineIndex
    dates: dict[str, dt.date]
    texts: dict[str, str]
    source: str

    @property
    def days(self) -> list[str]:
        return [d.isoformat() for d in self.dates.values()]

    @classmethod
    def of(cls, meetings: list[Meeting], progress: Progress | None = None) -> _Material:
        lines: list[Line] = []
        for done, meeting in enumerate(meetings, start=1):
            lines.extend(meeting_lines(meeting))
            if progress:
                progress(done, len(meetings), meeting.file)
        texts = {m.file: _meeting_text(m) for m in meetings}
        source = "\n".join(texts.values())
        return cls(
            meetings=meetings,
            language=detect_language(source),
            index=LineIndex(lines),
            dates={m.file: m.date for m in meetings},
            texts=texts,
            source=source,
        )

    def related(self, text: str, kinds: Iterable[str], since: dt.date, until: dt.date) -> list[Line]:
        """Whole lines of the given kinds, dated in [since, until], about the same thing as `text`."""
        wanted, first, last = set(kinds), since.isoformat(), until.isoformat()

        def accept(line: Line) -> bool:
            return line.whole and line.kind in wanted and first <= line.date <= last

        return [self.index.lines[i] for i, _ in self.index.related(text, accept)]


def _meeting_text(meeting: Meeting) -> str:
    parts = [meeting.date.isoformat(), meeting.title or "", meeting.preamble]
    parts.extend(f"{s.heading}\n{s.text}" for s in meeting.sections)
    return "\n".join(part for part in parts if part)


def _period_meetings(period: Period, settings: Settings) -> tuple[Store, list[Meeting]]:
    store = Store.open(settings)
    meetings = store.meetings(period.from_, period.to)
    if not meetings:
        raise InputError.of("review.no_meetings", start=period.from_, end=period.to)
    return store, meetings


def _cite(dates: Iterable[dt.date | str]) -> str:
    unique = sorted({d if isinstance(d, str) else d.isoformat() for d in dates})
    return f"({', '.join(unique)})" if unique else ""


# --------------------------------------------------------------------------- results


@dataclass
class _Candidate:
    statement: str
    file: str | None
    metrics: list[Metric]
    missing_metric: bool
    why: list[str] = field(default_factory=list)
    grams: set[str] = field(init=False)
    pairs: set[tuple[float | None, float | None]] = field(init=False)
    names: set[frozenset[str]] = field(init=False)

    def __post_init__(self) -> None:
        self.grams = content_grams(self.statement)
        paired = [m for m in self.metrics if _paired(m)]
        self.pairs = {_metric_key(m) for m in paired}
        self.names = {frozenset(grams) for m in paired if (grams := content_grams(m.name))}


def _entries(text: str) -> list[StarEntry]:
    from coach.flows.rewrite import extract_entries

    return list(extract_entries(text)) if text.strip() else []


def _statement(entry: StarEntry) -> str:
    """The entry's statement, unless it puts [N] where the user's own words hold a number."""
    statement = entry.statement or entry.result or entry.title
    if _MISSING_NUMBER in statement and re.search(r"\d", entry.result):
        return " ".join(part.strip() for part in (entry.action, entry.result) if part.strip())
    return statement


# A result whose subject is another person (`加藤さんが…`, `Takahashi-san's …`, `Jordan: …`) is
# theirs, not mine: it is kept out of my results.
_OTHERS_SUBJECT = re.compile(
    r"^\s*(?:[-*+・•]\s*)?(?:\S{1,12}?(?:さん|様|氏|くん)\s*(?:が|は|から|の(?!\S*(?:と確認|と合意)))"
    r"|[A-Z][a-z]+(?:-san)?(?:'s\b|\s*[:：]\s)|[A-Z][a-z]+-san\b)"
)


def _someone_elses(entry: StarEntry) -> bool:
    """The entry's own words (its action, else its result) start with another person as subject."""
    return bool(_OTHERS_SUBJECT.match(entry.action or entry.result or entry.statement or ""))


def _paired(metric: Metric) -> bool:
    return metric.before is not None and metric.after is not None


# Where a result can be reported besides the results section: the preamble, the follow-up on
# last time's actions, shared information, loose notes. Only before→after results count there,
# and never the lines that are themselves action items (an open item states a goal, not a result).
REPORT_KINDS = ("actions", "info", "other")


def _item_lines(store: Store) -> dict[str, set[str]]:
    """Per meeting, the action-item lines the ledger read there (opened or carried), as bare words."""
    lines: dict[str, set[str]] = {}
    for action in store.actions():
        for evidence in action.evidence:
            if evidence.role in ("opened", "carried"):
                lines.setdefault(evidence.meeting, set()).add(compact(evidence.text))
    return lines


def _report_text(meeting: Meeting, items: set[str]) -> str:
    parts = [meeting.preamble, *(s.text for s in meeting.sections if s.kind in REPORT_KINDS)]
    kept = []
    for part in parts:
        for line in part.splitlines():
            words = compact(line)
            if words and not any(item and (item in words or words in item) for item in items):
                kept.append(line)
    return "\n".join(kept)


def _trial(metric: Metric, text: str) -> bool:
    """The value was measured outside production (`検証環境で 90s → 30s`): a step, not a result."""
    at = text.find(metric.source)
    if at < 0:
        return False
    line_start = text.rfind("\n", 0, at) + 1
    return bool(TRIAL_SETTING.search(fold(text[line_start:at])))


def _split(entry: StarEntry, text: str, language: Language) -> list[tuple[str, list[Metric]]]:
    """One (statement, metrics) per result: a line that sums up several results of different
    measures (`build 12m→4m, error rate 3%→1%, …`) gives one candidate for each, so that each
    is joined with its own earlier report and not all of them with one another."""
    paired = [m for m in entry.metrics if _paired(m)]
    names = {m.name for m in paired}
    if len(paired) < 2 or len(names) < len(paired):
        return [(_statement(entry), list(entry.metrics))]
    matches = {(m.metric.source, m.metric.before, m.metric.after): m for m in find_metrics(text, language)}
    out: list[tuple[str, list[Metric]]] = []
    for metric in paired:
        match = matches.get((metric.source, metric.before, metric.after))
        statement = statement_for(text, [match], language) if match else f"{metric.name} {metric.source}"
        out.append((statement, [metric]))
    return out


def _without_steps(candidates: list[_Candidate]) -> list[_Candidate]:
    """The candidates of one meeting without the steps of a result reported beside them: with
    30s→5s, the breakdown 30s→12s and 12s→5s (each within the whole change, sharing one
    end) are its parts."""
    whole = [m for candidate in candidates for m in candidate.metrics if _paired(m)]
    out = []
    for candidate in candidates:
        kept = [m for m in candidate.metrics if not (_paired(m) and any(_step_of(m, w) for w in whole))]
        if len(kept) != len(candidate.metrics):
            why = [*candidate.why, "breakdown steps of a larger change in the same meeting left out"]
            candidate = replace(candidate, metrics=kept, why=why)
        out.append(candidate)
    return out


def _change(metric: Metric) -> float:
    return (metric.after or 0.0) - (metric.before or 0.0)


def _step_of(part: Metric, whole: Metric) -> bool:
    if (
        part is whole
        or part.unit != whole.unit
        or None in (part.before, part.after, whole.before, whole.after)
    ):
        return False
    low, high = sorted((whole.before or 0.0, whole.after or 0.0))
    inside = all(low <= v <= high for v in (part.before or 0.0, part.after or 0.0))
    shares_end = part.before == whole.before or part.after == whole.after
    same_way = _change(part) * _change(whole) > 0
    return inside and shares_end and same_way and (part.before, part.after) != (whole.before, whole.after)


def _result_candidates(store: Store, material: _Material, period: Period) -> list[_Candidate]:
    """STAR entries of the results sections, before→after results reported elsewhere in a meeting
    (see REPORT_KINDS), saved rewrites."""
    stored: dict[str, list[StarEntry]] = {}
    for file, _, entry in store.star_entries(period.from_, period.to):
        stored.setdefault(file, []).append(entry)
    items = _item_lines(store)
    candidates: list[_Candidate] = []
    for meeting in material.meetings:
        results_text = meeting.section_text("results")
        report_text = _report_text(meeting, items.get(meeting.file, set()))
        sources = [
            (e, results_text, "results section") for e in stored.get(meeting.file) or _entries(results_text)
        ]
        sources += [
            (e, report_text, "reported outside the results section")
            for e in _entries(report_text)
            if any(_paired(m) for m in e.metrics)
        ]
        found: list[_Candidate] = []
        for entry, text, where in sources:
            if _someone_elses(entry):
                continue
            metrics = [m for m in entry.metrics if not _trial(m, text)]
            if len(metrics) != len(entry.metrics) and not any(_paired(m) for m in metrics):
                continue  # only measured outside production
            entry = entry.model_copy(update={"metrics": metrics})
            for statement, part in _split(entry, text, material.language):
                candidate = _Candidate(statement, meeting.file, part, "metric" in entry.missing)
                candidate.why.append(f"{where} of {meeting.file}")
                found.append(candidate)
        candidates += _without_steps(found)
    # Kept rewrites add results only with a before→after of their own: a setting written as a
    # change (`pool size +150%`) is how a fix was made, not what it achieved.
    for _, rewrite in store.rewrites(period.from_, period.to):
        for entry in rewrite.entries:
            if any(_paired(m) for m in entry.metrics):
                candidate = _Candidate(entry.statement, None, [m for m in entry.metrics if _paired(m)], False)
                candidate.why.append("a kept rewrite")
                candidates.append(candidate)
    return candidates


def _metric_key(metric: Metric) -> tuple[float | None, float | None]:
    return (metric.before, metric.after)


def _same_result(a: _Candidate, b: _Candidate, index: LineIndex) -> bool:
    """Two reports of the same work: the same before→after numbers, or (across meetings) the same words.

    Two results with different before→after numbers are the same work only when they also
    measure the same thing (a metric reported again later, with new numbers).
    """
    if a.pairs & b.pairs or _progress(a, b):
        return True
    if a.file == b.file or len(a.grams & b.grams) < MIN_SHARED_GRAMS:
        return False
    if a.pairs and b.pairs and not a.names & b.names:
        return False
    return index.similarity(a.grams, b.grams) >= SAME_RESULT


def _progress(a: _Candidate, b: _Candidate) -> bool:
    """Two meetings report the same measure from the same starting value, moved further the same
    way (800ms→500ms, later 800ms→300ms): progress on one result, the later report supersedes."""
    if a.file == b.file:
        return False
    for first in a.metrics:
        for second in b.metrics:
            if not (_paired(first) and _paired(second)) or first.unit != second.unit:
                continue
            if first.before != second.before or first.after == second.after:
                continue
            if _change(first) * _change(second) > 0:
                return True
    return False


def _neighbours(candidates: list[_Candidate]) -> list[set[int]]:
    """For each candidate, the later ones that could be the same result (blocking, so that a
    year of results is not compared pair by pair). Words most results share cannot tell two
    results apart, so they do not make candidates neighbours."""
    by_gram: dict[str, list[int]] = {}
    by_pair: dict[tuple[float | None, float | None], list[int]] = {}
    by_start: dict[tuple[float | None, str], list[int]] = {}
    for i, candidate in enumerate(candidates):
        for gram in candidate.grams:
            by_gram.setdefault(gram, []).append(i)
        for pair in candidate.pairs:
            by_pair.setdefault(pair, []).append(i)
        for metric in candidate.metrics:
            if _paired(metric):
                by_start.setdefault((metric.before, metric.unit), []).append(i)
    common = max(BLOCKING_MIN, len(candidates) // BLOCKING_SHARE)
    neighbours: list[set[int]] = []
    for i, candidate in enumerate(candidates):
        shared: Counter[int] = Counter()
        for gram in candidate.grams:
            ids = by_gram[gram]
            if len(ids) <= common:
                shared.update(j for j in ids if j > i)
        near = {j for j, count in shared.items() if count >= MIN_SHARED_GRAMS}
        near.update(j for pair in candidate.pairs for j in by_pair[pair] if j > i)
        starts = {(m.before, m.unit) for m in candidate.metrics if _paired(m)}
        near.update(j for start in starts for j in by_start[start] if j > i)
        neighbours.append(near)
    return neighbours


def _merge(candidates: list[_Candidate], index: LineIndex) -> list[list[_Candidate]]:
    parent = list(range(len(candidates)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, near in enumerate(_neighbours(candidates)):
        for j in sorted(near):
            if root(i) != root(j) and _same_result(candidates[i], candidates[j], index):
                parent[root(j)] = root(i)
    groups: dict[int, list[_Candidate]] = {}
    for i, candidate in enumerate(candidates):
        groups.setdefault(root(i), []).append(candidate)
    return list(groups.values())


def _strength(item: ReviewResultItem) -> tuple[float, int]:
    changes = [abs(m.change_pct) for m in item.metrics if m.change_pct is not None]
    return (max(changes, default=0.0), len(item.meetings))


def _results(candidates: list[_Candidate], material: _Material) -> list[ReviewResultItem]:
    items: list[ReviewResultItem] = []
    for group in _merge([c for c in candidates if c.metrics], material.index):
        ordered = sorted(group, key=lambda c: (material.dates.get(c.file or "", dt.date.max), c.file or ""))
        # The latest report of a measure from one starting value supersedes the earlier ones.
        latest: dict[tuple[float | None, str], Metric] = {}
        for candidate in ordered:
            for metric in candidate.metrics:
                if _paired(metric):
                    latest[(metric.before, metric.unit)] = metric
        kept: dict[tuple[float | None, float | None, str, float], Metric] = {}
        superseded: list[str] = []
        files: list[str] = []
        for candidate in ordered:
            own = []
            for metric in candidate.metrics:
                newest = latest.get((metric.before, metric.unit))
                if newest is not None and newest.after != metric.after:
                    superseded.append(f"{metric.source} ({candidate.file or 'rewrite'})")
                    continue
                own.append(metric)
                kept.setdefault((metric.before, metric.after, *unit_scale(metric.unit)), metric)  # 分 = min
            if own and candidate.file and candidate.file not in files:
                files.append(candidate.file)
        if not kept:
            continue
        best = max(
            ordered, key=lambda c: sum(_paired(m) and m in kept.values() for m in c.metrics)
        )  # the first of equals
        why = "; ".join(dict.fromkeys(w for c in ordered for w in c.why))
        if len(files) > 1:
            why += "; joined: the same before→after, the same measure moved on, or the same words"
        if superseded:
            why += "; superseded by a later report: " + ", ".join(superseded)
        items.append(
            ReviewResultItem(statement=best.statement, meetings=files, metrics=list(kept.values()), why=why)
        )
    return sorted(items, key=lambda item: tuple(-v for v in _strength(item)))


# --------------------------------------------------------------------------- follow-through


def _follow_through(store: Store, material: _Material, period: Period) -> FollowThrough:
    """My actions opened in the period, as they stood at its end (closed later = still open then)."""
    promised: list[ActionItem] = []
    done = on_time = with_due = 0
    for action in store.actions(owner="me"):
        if action.from_ not in material.dates or action.result == DROPPED:
            continue  # a dropped action was never owed: it is not counted as promised
        closed = action.closed_on
        if action.status == "done" and closed is not None and closed <= period.to:
            done += 1
            if action.due is not None:
                with_due += 1
                on_time += closed <= action.due
            promised.append(action)
        else:
            promised.append(action.model_copy(update={"status": "open", "done_in": None, "closed_on": None}))
    return FollowThrough(
        promised=len(promised),
        done=done,
        open=len(promised) - done,
        on_time=on_time if with_due else None,
        actions=promised,
    )


# --------------------------------------------------------------------------- career and concerns


def _line_ref(line: Line) -> str:
    return f"{line.text} ({line.date})"


def _career(store: Store, material: _Material, period: Period) -> list[CareerStep]:
    steps: list[CareerStep] = []
    for file, date, text, has in store.career_intents(period.from_, period.to):
        if has is None:
            from coach.flows.intent import detect_parts

            has = detect_parts(text)
        related = material.related(text, ("decisions", "results"), date, period.to)[:MAX_FOLLOWED_BY]
        steps.append(
            CareerStep(
                meeting=file,
                intent=text,
                has=has,
                followed_by=[_line_ref(line) for line in related],
            )
        )
    return steps


def _concerns(store: Store, material: _Material, period: Period) -> list[ConcernOutcome]:
    outcomes: list[ConcernOutcome] = []
    for file, date, text, bucket in store.concerns(period.from_, period.to):
        if bucket is None:
            from coach.flows.triage import classify

            bucket = classify(text)
        related = material.related(text, ("decisions", "info", "results"), date, period.to)
        if related:
            line = related[0]
            key = {"decisions": "decided", "info": "informed"}.get(line.kind, "reported")
            outcome = _t(key, material.language, text=_line_ref(line))
        else:
            outcome = _t("still_open", material.language)
        outcomes.append(
            ConcernOutcome(meeting=file, concern=_strip_tag(text), bucket=bucket, outcome=outcome)
        )
    return outcomes


def _strip_tag(text: str) -> str:
    return clean_line(text) or text


# --------------------------------------------------------------------------- the draft


def _change_values(metrics: Iterable[Metric]) -> list[float]:
    """A computed change as it may be written: signed, unsigned, rounded the way people say it."""
    values: list[float] = []
    for metric in metrics:
        if metric.change_pct is not None:
            values += [metric.change_pct, abs(metric.change_pct), float(display_pct(metric.change_pct))]
    return values


def _computed_numbers(results: Sequence[ReviewResultItem], follow: FollowThrough) -> list[float]:
    """Numbers code computed from the meetings, which the draft may state."""
    allowed: list[float] = [follow.promised, follow.done, follow.open]
    if follow.on_time is not None:
        allowed.append(follow.on_time)
    for item in results:
        allowed += _change_values(item.metrics)
    return allowed


def _offline_draft(
    material: _Material,
    results: list[ReviewResultItem],
    candidates: list[_Candidate],
    follow: FollowThrough,
    career: list[CareerStep],
    concerns: list[ConcernOutcome],
) -> str:
    lang = material.language
    dates = material.dates
    out = [_t("results", lang)]
    shared = [item for item in results if item.meetings]
    for item in shared[:MAX_DRAFT_RESULTS]:
        out.append(f"- {item.statement} {_cite(dates[f] for f in item.meetings)}")
    unquantified = [
        c
        for c in candidates
        if not c.metrics and c.missing_metric and c.file and not _NOTHING_DONE.search(c.statement)
    ]
    for candidate in unquantified[-MAX_UNQUANTIFIED:]:
        statement = candidate.statement.rstrip("。.")
        suffix = "" if re.search(r"\d|\[N\]", statement) else _t("impact_missing", lang)
        out.append(f"- {statement}{suffix} {_cite([dates[candidate.file]])}")  # type: ignore[index]

    out += ["", _t("how", lang)]
    if follow.promised:
        on_time = _t("on_time", lang, n=follow.on_time) if follow.on_time is not None else ""
        sources = [dates[a.from_] for a in follow.actions if a.from_ in dates]
        span = f"({min(sources)}〜{max(sources)})"
        out.append(
            f"- {_t('follow', lang, promised=follow.promised, done=follow.done, on_time=on_time)} {span}"
        )
    for concern in concerns:
        if concern.outcome == _t("still_open", lang):
            continue
        later = _ISO_DATE.findall(concern.outcome)
        text = _t("concern", lang, concern=concern.concern, outcome=_ISO_DATE.sub("", concern.outcome))
        text = re.sub(r"\s*[(（]\s*[)）]", "", text).rstrip()
        out.append(f"- {text} {_cite([dates[concern.meeting], *later])}")
    if len(career) > 1:
        first, last = career[0], career[-1]
        out.append(
            f"- {_t('career_path', lang, first=first.intent, last=last.intent)} "
            f"{_cite([dates[first.meeting], dates[last.meeting]])}"
        )
    followed = {ref for step in career for ref in step.followed_by}
    for ref in sorted(followed, key=lambda r: (_ISO_DATE.findall(r) or [""])[-1]):
        out.append(f"- {_t('followed', lang, text=ref)}")

    out += ["", _t("next", lang)]
    if career:
        latest = career[-1]
        out.append(f"- {_t('intent', lang, text=latest.intent)} {_cite([dates[latest.meeting]])}")
    still_open = [a for a in follow.actions if a.status == "open" and a.from_ in dates]
    for action in still_open[-MAX_OPEN_IN_DRAFT:]:
        out.append(f"- {_t('open_action', lang, text=action.action)} {_cite([dates[action.from_]])}")
    return "\n".join(out).strip() + "\n"


def _cited_dates(line: str) -> list[str]:
    return [d for group in _CITATION.findall(line) for d in _ISO_DATE.findall(group)]


def sheet_headings(language: Language) -> list[str]:
    return [_t(key, language) for key in ("results", "how", "next")]


def draft_problems(
    draft: str,
    source: str,
    allowed: Iterable[float],
    meeting_dates: Iterable[str],
    headings: Sequence[str] = (),
) -> list[str]:
    """What makes a draft unacceptable: a missing sheet heading, a number the meetings never
    stated, a sentence with no citation, or a citation of a day without a meeting in the period.
    Empty when the draft is sound."""
    valid = set(meeting_dates)
    present = {line.strip() for line in draft.splitlines()}
    problems = [f"missing heading: {heading}" for heading in headings if heading not in present]
    for line in draft.splitlines():
        text = line.strip()
        if not text or _HEADING.match(text):
            continue
        cited = _cited_dates(text)
        if not cited:
            problems.append(f"no meeting cited: {text[:80]}")
        wrong = [d for d in cited if d not in valid]
        if wrong:
            problems.append(f"cites a date with no meeting in the period ({', '.join(wrong)}): {text[:80]}")
    numbers = ungrounded_numbers(_ISO_DATE.sub(" ", draft.replace(_MISSING_NUMBER, " ")), source, allowed)
    if numbers:
        problems.append(
            f"numbers not in the meetings: {', '.join(numbers)}; use only the meetings' numbers or [N]"
        )
    return problems


class ReviewDraftAnswer(BaseModel):
    """What the LLM returns: the self-evaluation draft only; evidence stays computed by code."""

    draft: str = Field(
        description=(
            "The self-evaluation in Markdown with the three given headings; every bullet ends with the "
            "cited meeting date(s) in parentheses, e.g. (YYYY-MM-DD); [N] where a number is missing."
        )
    )


def _material_text(material: _Material, offline_draft: str, results: list[ReviewResultItem]) -> str:
    lines = [offline_draft, ""]
    for item in results:
        for metric in item.metrics:
            if metric.change_pct is not None:
                cited = _cite(material.dates[f] for f in item.meetings)
                lines.append(f"- {metric.source}: {format_number(metric.change_pct)}% {cited}")
    return "\n".join(lines)


def _draft(
    settings: Settings,
    material: _Material,
    offline: str,
    allowed: list[float],
    results: list[ReviewResultItem],
    period: Period,
) -> tuple[str, str, list[str]]:
    dates = material.days

    def validate(answer: ReviewDraftAnswer, headings: Sequence[str] | None = None) -> ReviewDraftAnswer:
        if headings is None:
            headings = sheet_headings(material.language)
        problems = draft_problems(answer.draft, material.source, allowed, dates, headings)
        if problems:
            raise ValueError("\n".join(problems))
        return answer

    def llm_call(engine: LLMEngine) -> str:
        from functools import partial

        from coach.llm.budget import merge_sections

        variables = {
            "period": f"{period.from_} – {period.to}",
            "material": _material_text(material, offline, results),
            "dates": ", ".join(dates),
        }
        language = material.language
        pieces = engine.split_to_fit("review", language, variables, "material", ReviewDraftAnswer, _HEADING)
        if len(pieces) == 1:
            return engine.structured("review", language, variables, ReviewDraftAnswer, validate).draft
        # A long period: one draft per piece of the material that fits the model's context, joined.
        sheet = sheet_headings(language)
        drafts = []
        for piece in pieces:
            present = [h for h in sheet if h in piece["material"].splitlines()]
            check: Callable[[ReviewDraftAnswer], ReviewDraftAnswer] = partial(validate, headings=present)
            drafts.append(engine.structured("review", language, piece, ReviewDraftAnswer, check).draft)
        return merge_sections(drafts, sheet)

    outcome = with_fallback(settings, material.language, llm_call, lambda: offline)
    return outcome.value, outcome.engine, outcome.warnings


def build_review(period: Period, settings: Settings, progress: Progress | None = None) -> Review:
    """The review of `period`: results, follow-through, career, concerns and a cited draft."""
    store, meetings = _period_meetings(period, settings)
    material = _Material.of(meetings, progress)
    candidates = _result_candidates(store, material, period)
    results = _results(candidates, material)
    follow = _follow_through(store, material, period)
    career = _career(store, material, period)
    concerns = _concerns(store, material, period)
    offline = _offline_draft(material, results, candidates, follow, career, concerns)
    allowed = _computed_numbers(results, follow)
    draft, engine, warnings = _draft(settings, material, offline, allowed, results, period)
    problems = draft_problems(draft, material.source, allowed, material.days)
    if problems:
        warnings = [*warnings, *problems]
    return Review(
        period=period,
        results=results,
        follow_through=follow,
        career=career,
        concerns=concerns,
        draft=draft,
        engine=engine,
        warnings=warnings,
    )


# --------------------------------------------------------------------------- markdown


_PARTS = ("timeframe", "scope", "reason")  # the parts of a career intent, named by ``intent.part.``


def _metric_line(metric: Metric) -> str:
    before = "?" if metric.before is None else format_number(metric.before)
    after = "?" if metric.after is None else format_number(metric.after)
    change = "" if metric.change_pct is None else f" ({metric.change_pct:+.2f}%)"
    return f"{metric.name}: {before}→{after} {metric.unit}".rstrip() + change


def _present(has: IntentParts) -> set[str]:
    return {name for name in _PARTS if getattr(has, name)}


def _parts(names: set[str], language: Language) -> str:
    return "+".join(message(f"intent.part.{name}", language) for name in _PARTS if name in names) or "-"


def to_markdown(review: Review) -> str:
    """The full report: the draft to paste into the sheet, then the evidence behind it."""
    lang = detect_language(review.draft)
    out = [_t("title", lang, start=review.period.from_, end=review.period.to), "", review.draft.strip(), ""]
    if review.warnings:
        out += [_t("warnings", lang), *(f"- {w}" for w in review.warnings), ""]
    out += [_t("evidence", lang), "", _t("evidence_results", lang)]
    for item in review.results:
        where = ", ".join(item.meetings) or _t("not_shared", lang)
        out.append(f"- {item.statement} [{where}]")
        out.extend(f"  - {_metric_line(metric)}" for metric in item.metrics)
    follow = review.follow_through
    on_time = _t("evidence_on_time", lang, n=follow.on_time) if follow.on_time is not None else ""
    out += [
        "",
        _t(
            "evidence_follow",
            lang,
            promised=follow.promised,
            done=follow.done,
            open=follow.open,
            on_time=on_time,
        ),
    ]
    for action in follow.actions:
        box = "x" if action.status == "done" else " "
        due = f" ({action.due})" if action.due else ""
        closed = f" → {action.done_in}" if action.done_in else ""
        out.append(f"- [{box}] {action.action}{due} [{action.from_}{closed}]")
    out += ["", _t("career", lang)]
    seen: set[str] = set()
    for step in review.career:
        has = _present(step.has)
        gained = has - seen
        plus = f" (+{_parts(gained, lang)})" if gained else ""
        out.append(f"- {step.meeting}: {step.intent} [{_parts(has, lang)}]{plus}")
        out.extend(f"  - → {ref}" for ref in step.followed_by)
        seen |= has
    if not review.career:
        out.append(_t("none", lang))
    out += ["", _t("concerns", lang)]
    out.extend(f"- {c.meeting} [{c.bucket}] {c.concern} → {c.outcome}" for c in review.concerns)
    if not review.concerns:
        out.append(_t("none", lang))
    return "\n".join(out).rstrip() + "\n"


# --------------------------------------------------------------------------- the no-surprise check


def split_claims(text: str) -> list[str]:
    """Sentences and bullets of a self-evaluation, without headings and labels."""
    claims: list[str] = []
    for raw in text.splitlines():
        if not raw.strip() or _HEADING.match(raw) or raw.strip().endswith((":", "：")):
            continue
        for sentence in sentences(raw):
            body = _CITATION.sub("", sentence).strip()
            if len(content_grams(body)) >= 2:
                claims.append(body)
    return claims


def _number_detail(
    claim: str, match: Match, figures: dict[Line, Figures], material: _Material, language: Language
) -> str | None:
    """The numbers the meetings recorded, when the claim states others for the same thing: a number
    found nowhere in the meetings it matched, or one its best line states differently."""
    files = {line.file for line in match.lines}
    evidence = "\n".join(text for file, text in material.texts.items() if file in files)
    allowed = [change for line in match.lines for change in figures[line].changes]
    text = with_percent_wari(_ISO_DATE.sub(" ", claim))
    differing = ungrounded_numbers(text, with_percent_wari(evidence), allowed)
    best = figures[match.lines[0]]
    differing += [
        format_number(v) for v in Figures.of(claim).contradicted_by(best) if format_number(v) not in differing
    ]
    if not differing:
        return None
    recorded = "; ".join(_line_ref(line) for line in match.lines)
    return _t("differs_detail", language, numbers=", ".join(differing), recorded=recorded)


def check_claims(text: str, period: Period, settings: Settings) -> ReviewCheck:
    """Flag each claim of a self-evaluation that no 1on1 of the period shared, or whose number differs."""
    _, meetings = _period_meetings(period, settings)
    claims = split_claims(text)
    if not claims:
        raise InputError.of("review.no_claims")
    material = _Material.of(meetings)
    language = detect_language(text)
    lines = material.index.lines
    dense = dense_scores(claims, lines, settings.embedding_cache_path)
    figures = {line: Figures.of(line.text) for line in lines}
    line_figures = [figures[line] for line in lines]
    checked: list[ClaimCheck] = []
    for claim, scores in zip(claims, dense, strict=True):
        match = match_claim(claim, material.index, scores, line_figures)
        files = sorted({line.file for line in match.lines}, key=lambda f: material.dates[f])
        if not match.shared:
            checked.append(ClaimCheck(claim=claim, status="unshared"))
            continue
        detail = _number_detail(claim, match, figures, material, language)
        if detail:
            checked.append(ClaimCheck(claim=claim, status="number_differs", meetings=files, detail=detail))
        else:
            best = match.lines[0]
            checked.append(ClaimCheck(claim=claim, status="shared", meetings=files, detail=_line_ref(best)))
    return ReviewCheck(period=period, claims=checked)


def check_markdown(check: ReviewCheck) -> str:
    """Unshared claims first: they are what the user must raise before the interview."""
    lang = detect_language("\n".join(c.claim for c in check.claims))
    out = [_t("check_title", lang, start=check.period.from_, end=check.period.to), ""]
    groups = (
        ("unshared", [c for c in check.claims if c.status == "unshared"]),
        ("differs", [c for c in check.claims if c.status == "number_differs"]),
        ("shared", [c for c in check.claims if c.status == "shared"]),
    )
    for key, claims in groups:
        out.append(_t(key, lang, n=len(claims)))
        for claim in claims:
            where = f" [{', '.join(claim.meetings)}]" if claim.meetings else ""
            out.append(f"- {claim.claim}{where}")
            if claim.detail and key != "shared":
                out.append(f"  - {claim.detail}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
