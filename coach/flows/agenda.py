"""The next 1on1's agenda, assembled from what the user prepared and saved.

Three sections that paste cleanly into Notion (results / concerns by bucket / career intent),
preceded by last meeting's actions when there are any, plus a three-point Slack pre-share, one
point a line, each `kind: the user's phrase` shortened only at clause or word boundaries.
Each item sits in the section its kind says: a rewrite entry that reads as a concern (an ask,
a blocker, an org-level issue, with no metric) is triaged into the concerns, not reported as a
result. Nothing is generated here: every line comes from the saved prep or the action ledger.
"""

from __future__ import annotations

import re
from typing import Literal

from coach.config import Settings
from coach.flows.actions import opening_lines
from coach.flows.triage import bucket_label, grouped
from coach.memory.headings import DEFAULT_HEADINGS
from coach.memory.store import Store
from coach.messages import labels as labels_of
from coach.messages import message
from coach.models import Agenda, Bucket, Language, NextMeetingPrep, SectionKind, StarEntry, TriageItem
from coach.rules.intent import analyse, wish_phrase
from coach.rules.triage import decide, strip_tag, suggestion

_CIRCLED = "①②③④⑤⑥⑦⑧⑨"
#: How long a Slack point may be before it is shortened at a clause or word boundary.
POINT_LIMIT: dict[Language, int] = {"ja": 40, "en": 80}
#: Triage rules whose firing means "this is a concern", not a report of done work.
_CONCERN_RULES = frozenset({"org_topic", "ask_tag", "request", "needs_help"})

# A placeholder the rewrite adds for a missing effect: not the user's words, never in a point.
_EFFECT_PLACEHOLDER = re.compile(r"\s*[(（](?:効果|impact|effect)\s*[:：]\s*\[[^\]]*\][)）]", re.IGNORECASE)
# A sentence end: 。！？!? or a full stop before white space (not the dot in `3.12` or `v2.1`).
_SENTENCE_END = re.compile(r"(?<=[。！？!?])|(?<=\.)\s+(?=[A-Z\[(「『])")
_CLAUSE_BREAK = re.compile(r"[、,;；:：]\s*|\s+[—–-]\s+")
_EN_DANGLING = re.compile(
    r"(?:\s+(?:and|or|of|to|the|a|an|for|with|from|in|on|at|by|but|so|as))+$", re.IGNORECASE
)


def _language(prep: NextMeetingPrep, settings: Settings) -> Language:
    for part in (prep.rewrite, prep.triage, prep.intent):
        if part is not None:
            return part.language
    return settings.language


def _ja_cut(text: str, limit: int) -> str:
    """Japanese text shortened to whole words: the morphemes up to `limit`, without trailing
    particles or auxiliaries (a point ends on a content word, never mid-word)."""
    from coach.text.japanese import analyse as morphemes

    words = [m for m in morphemes(text) if m.end <= limit]
    while words and words[-1].major in ("助詞", "助動詞", "補助記号", "接頭辞"):
        words.pop()
    return text[: words[-1].end] if words else text[:limit]


def _phrase(text: str, language: Language, limit: int | None = None) -> str:
    """A complete short phrase from the user's text: its first sentence, shortened only at a
    clause boundary or between whole words; a `…` cut made elsewhere is undone to the last word."""
    limit = limit or POINT_LIMIT[language]
    text = _EFFECT_PLACEHOLDER.sub("", strip_tag(text)).strip()
    if text.endswith("…"):  # cut mid-word upstream: drop the partial word
        text = text[:-1]
        text = _ja_cut(text, len(text) - 1) if language == "ja" else text.rsplit(" ", 1)[0]
    text = next((s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()), text)
    if len(text) <= limit:
        return text
    clauses = _CLAUSE_BREAK.split(text)
    if 6 <= len(clauses[0]) <= limit:
        kept = clauses[0]
        for clause in clauses[1:]:
            joined = kept + ("、" if language == "ja" else ", ") + clause
            if len(joined) > limit:
                break
            kept = joined
        return kept.rstrip("、,;:")
    if language == "ja":
        return _ja_cut(text, limit)
    return _EN_DANGLING.sub("", text[:limit].rsplit(" ", 1)[0]).rstrip(",;:")


def _entry_text(entry: StarEntry) -> str:
    title = entry.title if not entry.title.endswith("…") else ""
    return _EFFECT_PLACEHOLDER.sub("", entry.statement).strip() or title


def _kind_of_entry(entry: StarEntry) -> Literal["results", "concern"]:
    """Where a rewrite entry belongs: an achievement (a metric, or nothing that reads as a
    problem) is a result; a problem, an ask or an org-level issue pasted as notes is a concern."""
    if entry.metrics:
        return "results"
    _, why = decide(_entry_text(entry))
    return "concern" if why.split(":", 1)[0] in _CONCERN_RULES else "results"


def split_prep(prep: NextMeetingPrep) -> tuple[list[StarEntry], list[TriageItem]]:
    """Results, and concerns: the triaged ones plus rewrite entries that read as concerns."""
    entries = prep.rewrite.entries if prep.rewrite else []
    results = [e for e in entries if _kind_of_entry(e) == "results"]
    concerns = list(prep.triage.items) if prep.triage else []
    for entry in entries:
        if _kind_of_entry(entry) == "concern":
            text = _entry_text(entry)
            bucket, why = decide(text)
            concerns.append(
                TriageItem(concern=text, bucket=bucket, suggestion=suggestion(text, bucket), why=why)
            )
    return results, concerns


def _career_point(intent: str, language: Language) -> str:
    analysis = analyse(intent) if intent else None
    if analysis is None:
        return message("agenda.career_intent", language)
    what = _phrase(wish_phrase(analysis, intent) or analysis.scope or analysis.theme or intent, language)
    when = analysis.timeframe
    if not when:
        return what
    if language == "ja":
        return f"{what}({when})"
    first = when.split(" ", 1)[0]
    return f"{what} ({when if first.isupper() and len(first) > 1 else when[0].lower() + when[1:]})"


def _slack_topics(prep: NextMeetingPrep, language: Language) -> list[str]:
    """Three points (one per agenda section when each has material; more concerns stand in for
    a missing section), each `label: the user's phrase`."""
    labels = labels_of("agenda.point", language)  # what kind of topic opens each Slack point
    results, concerns = split_prep(prep)
    topics: list[str] = []
    if results:
        first = results[0]
        title = first.title if first.title and not first.title.endswith("…") else first.statement
        topics.append(f"{labels['results']}: {_phrase(title or first.statement, language)}")
    order: list[Bucket] = ["support", "org", "self"]
    ranked = sorted(concerns, key=lambda item: order.index(item.bucket))
    room = max(1, 3 - len(topics) - (1 if prep.intent else 0))
    if ranked:
        shown = ranked[:room]
        points = [f"{labels[item.bucket]}: {_phrase(item.concern, language)}" for item in shown]
        rest = len(ranked) - len(shown)
        if rest:
            points[-1] += message("agenda.more", language, n=rest)
        topics += points
    if prep.intent:
        topics.append(f"{labels['career']}: {_career_point(prep.intent.intent, language)}")
    return topics


def _slack(topics: list[str], language: Language) -> str:
    """One point a line under a lead line, so each point stays one line when pasted into Slack."""
    labels = labels_of("agenda", language)
    if not topics:
        return labels["slack_none"]
    if language == "ja":
        return "\n".join([labels["slack_lead"], *(f"{_CIRCLED[i]} {t}" for i, t in enumerate(topics))])
    return "\n".join([labels["slack_lead"], *(f"{i}) {t}" for i, t in enumerate(topics, 1))])


def _heading(kind: SectionKind, language: Language) -> str:
    """A section the meeting notes will have too, headed as the notes head it (coach.memory.headings)."""
    ja, en = DEFAULT_HEADINGS[kind]
    return f"## {ja if language == 'ja' else en}"


def render(prep: NextMeetingPrep, language: Language, opening: list[str]) -> str:
    labels = labels_of("agenda", language)
    results, concerns = split_prep(prep)
    lines: list[str] = []
    if opening:
        lines += [labels["opening"], *[f"- {line}" for line in opening], ""]
    lines.append(_heading("results", language))
    lines += [f"- {e.statement}" for e in results if e.statement] or [labels["none_results"]]
    lines += ["", _heading("concerns", language)]
    if concerns:
        for bucket, items in grouped(concerns).items():
            if items:
                lines += [
                    f"### {bucket_label(bucket, language)}",
                    *[f"- {item.suggestion}" for item in items],
                ]
    else:
        lines.append(labels["none_concerns"])
    lines += ["", labels["career"]]
    if prep.intent and prep.intent.drafts:
        lines.append(f"- {prep.intent.drafts[0]}")
        lines += [f"  - {labels['evidence']}: {e}" for e in prep.intent.evidence]
    else:
        lines.append(labels["none_career"])
    return "\n".join(lines).rstrip() + "\n"


def build_agenda(settings: Settings, language: Language | None = None) -> Agenda:
    prep = Store.open(settings).load_prep()
    language = language or _language(prep, settings)
    opening = opening_lines(settings, language)
    return Agenda(
        language=language,
        markdown=render(prep, language, opening),
        slack=_slack(_slack_topics(prep, language), language),
        opening=opening,
    )


def to_markdown(agenda: Agenda) -> str:
    title = message("agenda.slack_title", agenda.language)
    return f"{agenda.markdown}\n---\n\n**{title}**\n\n{agenda.slack}\n"
