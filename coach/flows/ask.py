"""Ask your past meetings: answers that quote the sentences that answer, with the meeting cited.

Offline, the answer is extractive: the sentence(s) of the retrieved meetings that answer the
question — the one with a number for "how much", a date for "when", the owner's action items
for "what did X promise", the decision for "what did we decide" — each quoted with its meeting's
date and counterpart, the meetings listed below as sources. With the LLM engine, the model writes
an answer only from the retrieved passages; citation keys (`[2026-03-17]`) are minted here and
listed in the prompt as the only valid ones, any other key is stripped and reported, numbers are
checked against the passages, and any failure falls back to the extractive answer with a notice.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Unpack

import numpy as np

from coach.config import Settings
from coach.errors import LLMError
from coach.flows import asked, followthrough
from coach.llm.grounding import ungrounded_numbers
from coach.memory.store import Store
from coach.messages import both, message
from coach.models import AskResult, Language, Meeting, Passage, SearchHit, SearchResults, SectionKind, Source
from coach.rules.cues import PENDING, PLAN_ANYWHERE, PLAN_LEAD
from coach.rules.metrics import find_metrics
from coach.search import bridges, retrieval
from coach.search import vectors as index
from coach.text.inputs import check_text
from coach.text.japanese import predicate_tense
from coach.text.language import detect_language
from coach.text.normalize import fold
from coach.text.passages import lines_of, passages_of
from coach.text.script import has_japanese

MAX_SOURCES = 4
MAX_HISTORY_SOURCES = 6  # meetings a question about a history may cite
LINES_PER_SOURCE = 2
RELATIVE_CUTOFF = 0.55  # a meeting joins the answer when its fused score is this share of the best
QUOTES = 2  # sentences quoted for a question that asks for one fact (plus the one following the best)
LIST_QUOTES = 10  # ... and for one that asks for a list or a history
LIST_PER_MEETING = 4  # ... at most this many from one meeting
QUOTE_MARGIN = 1.0  # a further sentence is quoted when it scores within this of the best one
CITATION = re.compile(r"\[(\d{4}-\d{2}-\d{2}[a-z]?)\]")
DENSE_LINE_WEIGHT = 0.5  # a sentence's dense z-score among the candidates, in score points
FOLLOWING_TOPIC = 0.3  # the next sentence is quoted when it holds this share of the question's topic
RANK_PRIOR = 0.6  # the best-ranked meeting's sentences get this, the second's half of it
PLAN_PENALTY = 1.0  # a plan sentence, for a question about when or whether something was done, or why
CAUSE_WEIGHT = 1.0  # a sentence naming a cause outside a plan, for a question why (as a connective counts)
LATEST_REPORT = 1.5  # ... and the latest meeting's sentences on the topic, for the same questions: more
# than a status word earns (1.0), since a later report outranks an earlier status
LATEST_TOPIC = 0.5  # share of the question's topic a sentence holds to count as on the topic,
LATEST_TOPIC_OTHER_LANGUAGE = 0.3  # ... or a sentence in the other language than the question's,
# which can hold only the question's names and loanwords: its own words are the other language's


def _latest_meeting(store: Store) -> Callable[[dt.date], dt.date | None]:
    def latest(day: dt.date) -> dt.date | None:
        file = store.last_meeting_file(day)
        meeting = store.meeting(file) if file else None
        return meeting.date if meeting and meeting.date <= day else None

    return latest


def retrieve(
    question: str, settings: Settings, **options: Unpack[retrieval.SearchOptions]
) -> retrieval.Retrieval:
    """Ranked passages of the stored meetings for `question` (see `retrieval.retrieve`, whose
    options and defaults these are): the store's full-text table is the lexical side, the vector
    index the dense side."""
    from coach.flows.imports import repair_before_search

    store = Store.open(settings)
    repaired = repair_before_search(settings) if options.get("mode") != "lexical" else []
    with store.reading():
        found = retrieval.retrieve(
            question,
            settings,
            **options,
            lexical=store,
            latest_meeting=_latest_meeting(store),
            words=bridges.space_for(str(store.path)),
        )
    found.notices.extend(repaired)
    return found


def _check(question: str) -> str:
    return check_text(question, what="question", what_ja="質問").strip()


def _notices(found: retrieval.Retrieval, language: Language) -> list[str]:
    return [ja if language == "ja" else en for en, ja in found.notices]


# --------------------------------------------------------------------------- sentences


@dataclass
class Line:
    text: str
    section: SectionKind
    retrieved: bool
    follows: bool = False  # the next sentence of the same passage as the line before it
    file: str = ""


# A causal connective or a noun of cause, in either language (…に起因, …のせいで, stems from).
# A connective states a cause even in a plan (障害を減らすため…する gives the plan's reason); a noun
# of cause does only outside one (原因を洗い出す, find the root cause: the cause is still to be found).
CAUSE_CONNECTIVE = re.compile(
    r"ため|から|起因|せいで|によるもの|because|since|due to|caused|owing to"
    r"|\bstem(?:s|med)? from|\bresult(?:s|ed)? from|\bled to\b"
)
CAUSE_NOUN = re.compile(r"理由|原因|要因|\breasons?\b|\bcauses?\b")


def _states_change(text: str) -> bool:
    """A measured change, read the way STAR entries read one (before→after, a stated delta)."""
    return bool(find_metrics(text))


# What a question asks for, and the mark of a sentence that gives it: a quantity for "how much",
# a measured change for "how much faster" or "which figures", a date for "when", a reason for
# "why", what was done, how it ended, who owns an item.
# (question pattern, sentence mark: a pattern or a test of the normalised sentence, weight)
ASKS_FOR: list[tuple[re.Pattern[str], re.Pattern[str] | Callable[[str], bool], float]] = [
    (
        re.compile(
            r"いくら|どれ(?:だけ|くらい|ぐらい)|どの(?:くらい|ぐらい)|何[件回人%割倍日時年個]|何時間|何か月|何ヶ月"
            r"|how (?:much|many|often|long|far|fast)|what (?:percentage|share|rate)|いくつ|減った|増えた|改善"
            r"|閾値|しきい値|基準値|threshold|定量|数値|数字|quantif|figures?\b|numbers?\b"
        ),
        asked.states_amount,
        0.7,
    ),
    (
        # a question about a change, or one that asks for figures: the sentence stating a change
        re.compile(
            r"いくら|どれ(?:だけ|くらい)|how (?:much|many)|から.*まで|改善|減|増|faster|slower|drop|cut|move"
            r"|変わった|変化|\bchang(?:e|ed)\b|定量|数値|数字|quantif|figures?\b|metrics?\b|numbers?\b|measur"
        ),
        _states_change,
        0.7,
    ),
    (
        asked.ASKS_DATE,
        asked.states_date,
        1.0,
    ),
    (
        # (a noun of cause counts outside a plan only: see `line_scores`)
        ASKS_CAUSE := re.compile(r"なぜ|なんで|どうして|理由|原因|\bwhy\b|reason|cause"),
        CAUSE_CONNECTIVE,
        1.0,
    ),
    (
        re.compile(
            r"何をした|どう(?:対応|対処|解決|直)|どうやって|what did (?:i|we) (?:do|change|fix)"
            r"|how did (?:i|we) (?:fix|solve|handle)"
        ),
        re.compile(r"^(?:行動|対応|対策|action)\s*[:：]"),
        1.0,
    ),
    (
        # a question about when or whether something was finished: the sentence that reports it done
        ASKS_DONE := re.compile(
            r"完了した|終わった|済んだ|できた\?|実施(?:した|できた|された)|行われた"
            r"|\b(?:completed?|finished|done|shipped|released|held|happened)\b"
        ),
        re.compile(
            r"完了|済み|終わっ|終了|リリースし|\b(?:completed|finished|done|shipped|released|merged)\b"
        ),
        0.7,
    ),
    (
        # a question about how far something got: the sentence that states where it stands
        # (not どうなっている, which as often asks how something is set up as how it is going)
        ASKS_PROGRESS := re.compile(
            r"進んでい|進んでる|進捗|進み具合|どこまで(?:進|でき)|状況は"
            r"|\bon track\b|\bprogress\b|\bstatus\b|how is .* going|how far"
        ),
        STATES_PROGRESS := re.compile(
            PENDING.pattern + r"|進行中|進めている|着手|遅れ|完了|済み|終わっ"
            r"|\b(?:in progress|ongoing|on track|delayed|behind|completed|finished|done|shipped|merged)\b",
            re.IGNORECASE,
        ),
        1.0,
    ),
    (
        re.compile(r"結果|成果|どうなった|outcome|result|how did .* (?:go|end)"),
        re.compile(r"^(?:結果|result)\s*[:：]|結果|完了|done|finished|shipped"),
        0.5,
    ),
    (
        re.compile(r"誰|担当|約束|宿題|todo|to-do|\bwho\b|promise|owe|owner|action item|assigned"),
        re.compile(r"@\w|担当|[:：]|\bwill\b|\bto\s+[a-z]+|\[[ xX]\]|todo", re.IGNORECASE),
        0.5,
    ),
]
# A question about someone's items: its owner is a person the question names, else the user.
SELF = re.compile(r"自分|私|僕|\bmy\b|\bi\b|\bme\b|\bmine\b")
OWNER_CUE = re.compile(
    r"誰|担当|約束|宿題|todo|to-do|アクション|\bwho\b|promise|owe|action item|assigned|follow-up"
)
OWNER_WEIGHT = 1.0


def _states_plan(text: str) -> bool:
    """The sentence says what is to be done (a plan marker, pending work, or a Japanese sentence
    ending on a plain non-past verb, the way notes write a to-do), not what was done."""
    folded = fold(text)
    if PLAN_LEAD.match(folded) or PLAN_ANYWHERE.search(folded) or PENDING.search(folded):
        return True
    if not has_japanese(folded):
        return False
    tail = re.sub(r"[(（][^()（）]*[)）]\s*$", "", folded).rstrip("。.!！ ")  # a due note in brackets
    return predicate_tense(tail[-120:]) in ("present", "plan", "wish")


def owner_marks(question: str, lines: Sequence[Line], settings: Settings) -> dict[int, float] | None:
    """+1 for a sentence that is an action item of the owner the question asks about, -1 for an
    item of someone else (owners from the action ledger); None when the question asks no owner."""
    asked = retrieval.normalize(question)
    if not OWNER_CUE.search(asked):
        return None
    from coach.text.similarity import compact

    files = {line.file for line in lines}
    actions = Store.open(settings).actions_in(files)
    owner_names = {retrieval.normalize(a.owner_name) for a in actions if a.owner_name}
    names = [n for n in retrieval.name_like_units(question) if any(n in who for who in owner_names)]
    by_file: dict[str, list[tuple[str, bool]]] = {}
    for action in actions:
        if action.from_ not in files and action.done_in not in files:
            continue
        who = retrieval.normalize(action.owner_name or "")
        if names:
            mine = any(name in who for name in names)
        elif SELF.search(asked):
            mine = action.owner == "me"
        else:
            continue
        by_file.setdefault(action.from_, []).append((compact(action.action), mine))
        if action.done_in:
            by_file.setdefault(action.done_in, []).append((compact(action.action), mine))
    marks: dict[int, float] = {}
    for i, line in enumerate(lines):
        text = compact(line.text)
        for key, mine in by_file.get(line.file, []):
            if key and len(key) >= 4 and key in text:
                marks[i] = 1.0 if mine else -1.0
                break
    return marks


# A question that asks for several facts (a list, a history, every item of someone): quote more.
# A question about how something developed over several meetings: every meeting it cites is
# quoted (its best sentence at least), in date order, and it may cite more meetings.
HISTORY_CUES = re.compile(
    r"どう(?:変わ|進|推移|展開)|経緯|変わってきた|移り変わ|推移|これまで|今まで"
    r"|how (?:has|have|did) .* (?:evolve|change|develop|progress)|over time|so far|history|timeline"
)
LIST_CUES = re.compile(
    r"すべて|全て|全部|挙げ|一覧|どう(?:変わ|進|推移)|経緯|までの|変わってきた|進んだ|todo|to-do|宿題|約束|成果"
    r"|\ball\b|\blist\b|\bevery\b|across|promise|action items|results|what .* (?:say|said) about|history"
)


def _marks(mark: re.Pattern[str] | Callable[[str], bool], text: str) -> bool:
    return bool(mark.search(text)) if isinstance(mark, re.Pattern) else mark(text)


def line_scores(
    question: str,
    lines: Sequence[Line],
    found: retrieval.Retrieval,
    settings: Settings,
    owners: dict[int, float] | None = None,
    extra: np.ndarray | None = None,
    overlap: np.ndarray | None = None,
) -> np.ndarray:
    """How well each sentence answers the question: its topic words (each by how rare it is in
    the notes, so one long shared word cannot outweigh two specific ones), its meaning (dense
    similarity to the question, relative to the other candidates), and what the question asks for."""
    if not lines:
        return np.zeros(0)
    texts = [retrieval.normalize(line.text) for line in lines]
    if overlap is None:
        overlap = topic_overlap(lines, found)
    embedder = index.embedding_function(settings).embedder
    # the text the search embedded (the question and its words' loanword partners): its vector
    # is cached, and the partners help a sentence in the other script as they helped its passage
    query = embedder.embed([found.probe], "query")[0]
    dense = embedder.embed([line.text for line in lines], "passage") @ query
    dense_z = relative_similarity(dense, retrieval.background_scores(settings, found.probe))
    cues = retrieval.cued_sections(question)
    asked = retrieval.normalize(question)
    wanted = [(mark, weight) for asks, mark, weight in ASKS_FOR if asks.search(asked)]
    prior = np.array(
        [
            1.0 * (line.section in cues)
            + 0.3 * line.retrieved
            - 0.5 * (line.section == "actions" and "actions" not in cues)
            # a concern restates the problem; what was said about it is the answer
            - 0.5 * (line.section == "concerns" and "concerns" not in cues)
            + sum(weight for mark, weight in wanted if _marks(mark, text))
            for line, text in zip(lines, texts, strict=True)
        ]
    )
    progress = bool(ASKS_PROGRESS.search(asked))
    if progress or ASKS_DONE.search(asked):
        # What was to be done is no answer to when, whether or how far it was: a plan line loses
        # (pending work is a plan, except as the answer to how far something got).
        prior -= np.array(
            [
                PLAN_PENALTY
                * (_states_plan(line.text) and not (progress and STATES_PROGRESS.search(line.text)))
                for line in lines
            ]
        )
        # The latest meeting that speaks of the topic tells where it stands now.
        language = detect_language(question)
        topical = [
            share >= (LATEST_TOPIC if detect_language(line.text) == language else LATEST_TOPIC_OTHER_LANGUAGE)
            for line, share in zip(lines, overlap, strict=True)
        ]
        on_topic = [line.file for line, ok in zip(lines, topical, strict=True) if ok]
        if on_topic:
            found_dates = {hit.passage.file: hit.passage.meeting for hit in found.hits}
            latest = max(on_topic, key=lambda file: (found_dates.get(file, dt.date.min), file))
            prior += np.array(
                [
                    LATEST_REPORT * (line.file == latest and ok)
                    for line, ok in zip(lines, topical, strict=True)
                ]
            )
    if ASKS_CAUSE.search(asked):
        # A plan (an action item, or a sentence of what is to be done) gives no cause unless it
        # says why it is made (…ため…する); a noun of cause in one names the cause still to be
        # found (原因を洗い出す, find the root cause), and outside one states it (原因は…だった).
        def cause_prior(line: Line, text: str) -> float:
            if CAUSE_CONNECTIVE.search(text):
                return 0.0  # the connective's mark is ASKS_FOR's
            if line.section == "actions" or _states_plan(line.text):
                return -PLAN_PENALTY
            return CAUSE_WEIGHT * bool(CAUSE_NOUN.search(text))

        prior += np.array([cause_prior(line, text) for line, text in zip(lines, texts, strict=True)])
    if owners is not None:
        prior += np.array([OWNER_WEIGHT * owners.get(i, 0.0) for i in range(len(lines))])
    # A sentence that follows a matching one often carries its answer (…刷新。理由は…ため。).
    carried = np.array([0.5 * overlap[i - 1] if line.follows else 0.0 for i, line in enumerate(lines)])
    dense_weight = DENSE_LINE_WEIGHT
    score: np.ndarray = 2 * np.maximum(overlap, carried) + dense_weight * dense_z + prior
    if extra is not None:
        score = score + extra
    return score


def relative_similarity(dense: np.ndarray, background: np.ndarray) -> np.ndarray:
    """Each candidate sentence's dense similarity to the question above or below the candidates'
    mean, in units of the larger of two spreads: the candidates' own, and the question's over the
    background passages (`coach.search.background`, text that cannot answer it).

    Candidates this model reads as equally far from the question (an English question over
    Japanese sentences sharing none of its words sits at 0.79-0.80 with all of them) differ by
    less than unrelated text does; scaled by their own spread alone, that noise would be worth a
    full score point between two sentences. Against the background it is worth what it says.
    Measured (`bench/retrieval.py`, answers holding every fact): tune A 22/26 -> 23/26, held-out
    23/28 kept, check B 20/28 kept; the same at 0.8x and 1.2x the background's spread."""
    if not len(dense):
        return np.zeros(0)
    spread = max(float(dense.std()), float(background.std()) if len(background) else 0.0, 1e-6)
    result: np.ndarray = (dense - dense.mean()) / spread
    return result


def asked_words(found: retrieval.Retrieval) -> set[str]:
    """The question's content words that name what it asks for (原因, 理由, 時期, threshold), which
    a pattern of `ASKS_FOR` reads whole: the kind of answer, not its topic."""
    return {unit for unit in found.units if any(asks.fullmatch(unit) for asks, _, _ in ASKS_FOR)}


def topic_overlap(lines: Sequence[Line], found: retrieval.Retrieval) -> np.ndarray:
    """Each sentence's share of the question's topic words (loanword partners count); the words
    that name what the question asks for are left to `ASKS_FOR`'s marks, so a plan to find the
    cause (原因を洗い出す) does not outrank the sentence that states it."""
    asked = asked_words(found)
    weights = [0.0 if unit in asked else w for unit, w in zip(found.units, found.weights, strict=True)]
    if not any(weights):
        weights = found.weights
    return np.array(
        [
            retrieval.coverage(
                found.units,
                retrieval.normalize(line.text),
                weights,
                aliases=found.aliases,
                # a word matched by meaning is left to the sentence's own dense similarity: in
                # one sentence, the word in another sense (training ≈ 学習, of a model) misleads
                credit=dict.fromkeys(found.credit, 0.0),
            )
            for line in lines
        ]
    )


def best_lines(
    question: str,
    lines: Sequence[Line],
    settings: Settings,
    limit: int = LINES_PER_SOURCE,
    found: retrieval.Retrieval | None = None,
) -> list[str]:
    """The `limit` sentences of `lines` that best answer the question, best first."""
    if len(lines) <= limit:
        return [line.text for line in lines]
    if found is None:
        units = retrieval.content_units(question)
        found = retrieval.Retrieval(question, None, [], True, units=units, weights=[1.0] * len(units))
    score = line_scores(question, lines, found, settings)
    return [lines[i].text for i in np.argsort(-score, kind="stable")[:limit].tolist()]


def meeting_lines(found: retrieval.Retrieval, file: str, meeting: Meeting | None = None) -> list[Line]:
    """Every sentence of one meeting (from the store when `meeting` is not given), in order."""
    retrieved = {h.passage.id for h in found.hits if h.passage.file == file}
    passages = passages_of(meeting) if meeting else [h.passage for h in found.hits if h.passage.file == file]
    return [
        Line(text, p.section, p.id in retrieved, follows=position > 0, file=file)
        for p in passages
        for position, text in enumerate(lines_of(p.text))
    ]


@dataclass
class Cited:
    key: str
    hit: retrieval.Hit
    lines: list[str]
    text: str
    meeting: Meeting | None = None
    best: float = 0.0  # score of its best quoted sentence (the answer's order)
    quotes: list[str] = field(default_factory=list)  # the sentences the extractive answer quotes


def choose_quotes(
    lines: Sequence[Line],
    scores: np.ndarray,
    listing: bool,
    topical: np.ndarray | None = None,
    every_meeting: bool = False,
) -> dict[str, list[tuple[int, float]]]:
    """Which sentences the answer quotes, per meeting: the best one; the sentence right after it
    when it continues the same passage (the answer often follows: …調査は完了。推奨は…) and
    scores near the best or names the question's topic itself (`topical`, its share of the
    question's content words, at least `FOLLOWING_TOPIC`); others
    within `QUOTE_MARGIN` of the best. For a list or a history, the best sentences of every
    meeting within twice the margin, up to `LIST_QUOTES`; for a history (`every_meeting`), first
    the best sentence of each meeting, however far below the best it scores."""
    quotes: dict[str, list[tuple[int, float]]] = {}
    if not len(scores):
        return quotes
    best = float(scores.max())
    order = np.argsort(-scores, kind="stable").tolist()
    limit, per_meeting, margin = (
        (LIST_QUOTES, LIST_PER_MEETING, 2 * QUOTE_MARGIN)
        if listing
        else (QUOTES + 1, QUOTES + 1, QUOTE_MARGIN)
    )
    taken: set[int] = set()

    seen: list[str] = []

    def take(i: int) -> bool:
        mine = quotes.setdefault(lines[i].file, [])
        # the same item written again (carried over, ticked off) says nothing new
        key = followthrough.wording(lines[i].text)
        if any(key == other or (len(key) >= 8 and (key in other or other in key)) for other in seen):
            return False
        if i not in taken and len(mine) < per_meeting and len(taken) < limit:
            mine.append((i, float(scores[i])))
            taken.add(i)
            seen.append(key)
            return True
        return False

    take(order[0])
    if every_meeting:
        # each meeting's best sentence that says something new (a repeat of an item already
        # quoted gives way to the meeting's next best), meetings in the order of their best
        spoken: set[str] = {lines[order[0]].file}
        for i in order:
            if lines[i].file not in spoken and take(i):
                spoken.add(lines[i].file)
    following = order[0] + 1
    continues = following < len(lines) and lines[following].follows
    if (
        continues
        and lines[following].file == lines[order[0]].file
        and (
            scores[following] >= best - 2 * QUOTE_MARGIN
            or (topical is not None and topical[following] >= FOLLOWING_TOPIC)
        )
    ):
        take(following)
    for i in order[1:]:
        if scores[i] < best - margin:
            break
        take(i)
    return quotes


def asks_for_list(question: str) -> bool:
    return bool(LIST_CUES.search(retrieval.normalize(question)))


def asks_for_history(question: str) -> bool:
    return bool(HISTORY_CUES.search(retrieval.normalize(question)))


def _mint_key(day: dt.date, used: set[str]) -> str:
    """A citation key for a meeting of `day`: its date, with a letter when the day is taken
    (two meetings on one day), added to `used`."""
    key = day.isoformat()
    suffix = iter("bcdefghijklmnopqrstuvwxyz")
    while key in used:
        key = day.isoformat() + next(suffix)
    used.add(key)
    return key


def _cited(question: str, found: retrieval.Retrieval, settings: Settings) -> list[Cited]:
    """The meetings the answer draws on, each with a code-minted citation key and its quotes.

    Sentences of all chosen meetings are scored together, so the answer opens with the sentence
    that answers best wherever it is, and a meeting whose best sentence is far below it is kept
    as a source without being quoted."""
    hits = found.best_per_meeting()
    if not hits:
        return []
    top = hits[0].score
    history = asks_for_history(question)
    most = MAX_HISTORY_SOURCES if history else MAX_SOURCES
    chosen = hits[:most] if found.date_range else [h for h in hits[:most] if h.score >= top * RELATIVE_CUTOFF]
    store = Store.open(settings)
    meetings = {h.passage.file: store.meeting(h.passage.file) for h in chosen}
    per_meeting = {
        h.passage.file: meeting_lines(found, h.passage.file, meetings[h.passage.file]) for h in chosen
    }
    pooled = [line for h in chosen for line in per_meeting[h.passage.file]]
    # Retrieval's own ranking is evidence too: the best-ranked meeting's sentences start ahead.
    rank_of = {h.passage.file: r for r, h in enumerate(chosen)}
    ranked = np.array(
        [RANK_PRIOR / (1 + rank_of[line.file]) if rank_of[line.file] < 2 else 0.0 for line in pooled]
    )
    topical = topic_overlap(pooled, found)
    owners = owner_marks(question, pooled, settings)
    scores = line_scores(question, pooled, found, settings, owners, ranked, overlap=topical)
    quotes = choose_quotes(pooled, scores, asks_for_list(question) or history, topical, every_meeting=history)
    cited: list[Cited] = []
    used: set[str] = set()
    offset = 0
    for hit in chosen:
        file = hit.passage.file
        lines = per_meeting[file]
        key = _mint_key(hit.passage.meeting, used)
        own = scores[offset : offset + len(lines)]
        picked = sorted(quotes.get(file, []))  # in the meeting's own order
        excerpt = [pooled[i].text for i, _ in picked] or [
            lines[j].text for j in np.argsort(-own, kind="stable")[:LINES_PER_SOURCE].tolist()
        ]
        offset += len(lines)
        cited.append(
            Cited(
                key,
                hit,
                excerpt,
                "\n".join(line.text for line in lines),
                meeting=meetings[file],
                best=max((s for _, s in picked), default=float("-inf")),
                quotes=[pooled[i].text for i, _ in picked],
            )
        )
    return cited


# --------------------------------------------------------------------------- search


def search(query: str, settings: Settings, k: int = 5, as_of: dt.date | None = None) -> SearchResults:
    """Meetings ranked for `query`, one hit per meeting with the lines that matched."""
    query = _check(query)
    found = retrieve(query, settings, k=k, as_of=as_of)
    store = Store.open(settings)
    results = []
    for hit in found.best_per_meeting()[:k]:
        lines = meeting_lines(found, hit.passage.file, store.meeting(hit.passage.file))
        results.append(
            SearchHit(
                meeting=hit.passage.meeting,
                file=hit.passage.file,
                score=round(hit.score, 4),
                excerpt=" / ".join(best_lines(query, lines, settings, found=found)),
                section=hit.passage.section,
            )
        )
    return SearchResults(
        query=query,
        date_filter=found.date_range,
        results=results,
        notices=_notices(found, detect_language(query)),
        why=found.reason,
    )


def search_markdown(results: SearchResults) -> str:
    if not results.results:
        return "\n".join(["(no results / 該当なし)", *(f"> {n}" for n in results.notices)])
    lines = [f"## {results.query}", ""]
    if results.date_filter:
        lines += [f"_{results.date_filter[0]} – {results.date_filter[1]}_", ""]
    for hit in results.results:
        lines.append(f"- **{hit.meeting}** ({hit.file}, {hit.score:.3f}): {hit.excerpt}")
    lines += [f"> {n}" for n in results.notices]
    return "\n".join(lines)


# --------------------------------------------------------------------------- ask


def _frame(item: Cited, language: Language) -> str:
    day = item.hit.passage.meeting.isoformat()
    who = item.meeting.with_ if item.meeting and item.meeting.with_ else ""
    if who:
        return message("ask.from_meeting_with", language, day=day, who=who)
    return message("ask.from_meeting", language, day=day)


def _shown(cited: Sequence[Cited]) -> list[Cited]:
    """The meetings whose sentences the extractive answer quotes (the best one when none has quotes)."""
    return [c for c in cited if c.quotes] or list(cited[:1])


def _extractive(cited: Sequence[Cited], language: Language, listing: bool = False) -> str:
    """The quoted sentences, each meeting's under its date and counterpart: best answer first,
    or in date order when the question asks for a list or a history."""
    quoted = _shown(cited)
    if listing:
        quoted.sort(key=lambda c: c.hit.passage.meeting)
    else:
        quoted.sort(key=lambda c: -c.best)
    paragraphs = []
    for item in quoted:
        lines = item.quotes or item.lines
        quotes = " ".join(message("ask.quote", language, line=line) for line in lines)
        paragraphs.append(_frame(item, language) + ": " + quotes)
    return "\n".join(paragraphs)


def _asks_status(question: str) -> bool:
    """Whether the question asks whether, when or how far something was done
    (`followthrough.asks_status`, with this module's completion and progress cues)."""
    return followthrough.asks_status(retrieval.normalize(question), (ASKS_DONE, ASKS_PROGRESS))


def _subject_of(found: retrieval.Retrieval) -> Callable[[str], asked.Subject | None]:
    """For the words naming what a question asks about, its `asked.Subject`: the question's content
    words among them that the notes use (`Retrieval.used`), in the order the question says them,
    each found in a sentence as itself or one of its aliases."""

    def places(unit: str, text: str) -> list[tuple[int, int]]:
        return retrieval.unit_places(unit, text, found.aliases)

    def subject(words: str) -> asked.Subject | None:
        named = retrieval.normalize(words)
        at = {unit: named.find(unit) for unit in found.units if found.used.get(unit, 0) > 0}
        required = tuple(sorted((u for u, i in at.items() if i >= 0), key=lambda u: (at[u], -len(u))))
        if not required:
            return None
        return asked.Subject(words, required, places)

    return subject


def _absent_fact(
    question: str, cited: Sequence[Cited], status: bool, found: retrieval.Retrieval
) -> asked.Absent | None:
    """The number or date the question asks for when no sentence the answer quotes states one of
    what the question asks about (`coach.flows.asked`); a question whether or when something was
    done (`status`) is not checked for a date."""
    shown = [retrieval.normalize(line) for c in _shown(cited) for line in (c.quotes or c.lines)]
    return asked.asked_fact_absent(
        retrieval.normalize(question), shown, status=status, subject_of=_subject_of(found)
    )


def _followed(
    cited: Sequence[Cited],
    settings: Settings,
    language: Language,
    as_of: dt.date | None,
    listing: bool,
    status: bool,
) -> list[followthrough.FollowThrough]:
    """For a question whether something was done (`status`): what the ledger says became of the
    action items the answer quotes (`coach.flows.followthrough`), in the answer's order."""
    if listing or not status:
        return []
    ordered = sorted((c for c in cited if c.quotes), key=lambda c: -c.best)
    quoted = [(c.hit.passage.file, line) for c in ordered for line in c.quotes]
    return followthrough.follow_through(quoted, Store.open(settings), language, as_of)


def _closing_cited(
    followed: Sequence[followthrough.FollowThrough],
    cited: Sequence[Cited],
    found: retrieval.Retrieval,
    settings: Settings,
) -> list[Cited]:
    """The meetings that closed or dropped a quoted item and are not cited yet, as citable
    passages for the LLM (keys minted like the others')."""
    used = {c.key for c in cited}
    files = {c.hit.passage.file for c in cited}
    extra: list[Cited] = []
    for item in followed:
        meeting = item.closing_meeting
        if meeting is None or meeting.file in files:
            continue
        files.add(meeting.file)
        key = _mint_key(meeting.date, used)
        lines = meeting_lines(found, meeting.file, meeting)
        passage = Passage(
            id=f"{meeting.file}#ledger", meeting=meeting.date, file=meeting.file, section="other", text=""
        )
        text = "\n".join(line.text for line in lines)
        extra.append(
            Cited(key, retrieval.Hit(passage, 0.0), [item.closing.text] if item.closing else [], text)
        )
    return extra


def _sources(cited: Sequence[Cited]) -> list[Source]:
    return [
        Source(meeting=c.hit.passage.meeting, file=c.hit.passage.file, excerpt=" / ".join(c.lines))
        for c in cited
    ]


def _not_found(language: Language) -> AskResult:
    return AskResult(answer=message("ask.not_found", language), found=False, sources=[])


def _prepare(
    question: str, settings: Settings, as_of: dt.date | None
) -> tuple[str, Language, retrieval.Retrieval, list[Cited]]:
    question = _check(question)
    language = detect_language(question)
    found = retrieve(question, settings, k=MAX_SOURCES * 2, as_of=as_of)
    cited = _cited(question, found, settings) if found.found else []
    return question, language, found, cited


def ask(question: str, settings: Settings, as_of: dt.date | None = None) -> AskResult:
    """Answer from past meetings only; found=false rather than the nearest unrelated meeting."""
    result: AskResult | None = None
    for item in ask_stream(question, settings, as_of=as_of):
        if isinstance(item, AskResult):
            result = item
    assert result is not None
    return result


def ask_stream(question: str, settings: Settings, as_of: dt.date | None = None) -> Iterator[str | AskResult]:
    """Text chunks as the answer is written, then the final AskResult (citations checked).

    The UI shows the chunks live and replaces them with the final answer, which may differ:
    invalid citations are stripped, and a failed LLM answer is replaced by the extractive one.
    """
    question, language, found, cited = _prepare(question, settings, as_of)
    if not cited:
        result = _not_found(language).model_copy(
            update={"warnings": _notices(found, language), "why": found.reason}
        )
        yield result.answer
        yield result
        return
    listing = asks_for_list(question) or asks_for_history(question)
    status = _asks_status(question)
    followed = _followed(cited, settings, language, as_of, listing, status)
    extra = [s for f in followed if (s := f.source()) and all(c.hit.passage.file != s.file for c in cited)]
    # the LLM reads whole meetings, not only the quoted sentences: the check is the offline answer's
    absent = None if listing or followed else _absent_fact(question, cited, status, found)
    why = "; ".join([found.reason, *(f.why for f in followed)])
    offline = AskResult(
        answer="\n".join(
            [
                *([message(absent.kind.message, language)] if absent else []),
                *(f.text for f in followed if not f.report_quoted),
                _extractive(cited, language, listing),
                *(f.text for f in followed if f.report_quoted),
            ]
        ),
        found=absent is None,
        sources=[*_sources(cited), *extra],
        warnings=_notices(found, language),
        why="; ".join([why, *([absent.why] if absent else [])]),
    )
    if settings.engine != "llm":
        yield offline.answer
        yield offline
        return

    from coach.llm.budget import fit_in_order
    from coach.llm.engine import LLMEngine
    from coach.llm.failures import LLMFailure
    from coach.llm.fallback import OFFLINE_FALLBACK, fallback_notice

    chunks: list[str] = []
    engine: LLMEngine | None = None
    try:
        engine = LLMEngine(settings)
        # The passages that fit the model's context, best-ranked first; the last one may be cut.
        bare = prompt_variables(question, [])
        # the meetings that closed a quoted item go right after the best one: without them the
        # model reads only the item's opening and answers that it is still to do
        pool = [*cited[:1], *_closing_cited(followed, cited, found, settings), *cited[1:]]
        room = engine.prompt_room("ask", language, bare) - 6 * len(pool)  # each key is listed too
        kept = fit_in_order([f"[{c.key}]\n{c.text}" for c in pool], room)
        offered = [
            Cited(c.key, c.hit, c.lines, text.partition("\n")[2]) for c, text in zip(pool, kept, strict=False)
        ]
        if not offered or not offered[0].text.strip():
            raise LLMFailure(
                f"The question and instructions leave no room for the notes in COACH_LLM_CONTEXT="
                f"{settings.llm_context} tokens. Raise COACH_LLM_CONTEXT if the model allows.",
                f"COACH_LLM_CONTEXT={settings.llm_context} トークンでは、質問と指示のあとにメモを入れる"
                "余地がありません。モデルが許すなら COACH_LLM_CONTEXT を増やしてください。",
                reason_en=f"no room for the notes in {settings.llm_context} tokens",
                reason_ja=f"{settings.llm_context} トークンにメモが収まらない",
                kind="context",
            )
        variables = prompt_variables(question, offered)
        for chunk in engine.stream("ask", language, variables):
            chunks.append(chunk)
            yield chunk
        instructions = engine.rendered("ask", language, bare)[0]["content"]
        # the check's notices (removed citations, failed checks) are in COACH_LANG
        result = check_answer("".join(chunks), offered, settings.language, prompt=instructions)
        warnings = [*engine.notice_texts(settings.language), *result.warnings]
        # the ledger's standing of a quoted item is code's, not the model's: it follows the answer
        answer = "\n".join([result.answer, *(f.text for f in followed)])
        yield result.model_copy(
            update={"answer": answer, "engine": engine.name, "warnings": warnings, "why": why}
        )
    except LLMError as exc:
        notices = engine.notice_texts(settings.language) if engine is not None else []
        notice = fallback_notice(exc, settings.language)
        if chunks:
            yield "\n\n"
        yield offline.answer
        yield offline.model_copy(update={"engine": OFFLINE_FALLBACK, "warnings": [*notices, notice]})


def prompt_variables(question: str, cited: Sequence[Cited]) -> dict[str, str]:
    passages = "\n\n".join(f"[{c.key}]\n{c.text}" for c in cited)
    return {
        "question": question,
        "passages": passages,
        "keys": ", ".join(f"[{c.key}]" for c in cited),
    }


def check_answer(answer: str, cited: Sequence[Cited], language: Language, prompt: str = "") -> AskResult:
    """Keep an answer only when it holds up: citation keys that were not offered are stripped
    (and reported); then it must be non-empty, within a length bound, not repeat itself, not
    echo the instructions (`prompt`), cite at least one offered meeting, and state only numbers
    the passages contain with the same kind of unit. A failed check raises an LLMFailure that
    names it, and the caller falls back to the extractive answer."""
    from coach.llm.failures import check_failed
    from coach.llm.grounding import ungrounded_details

    max_chars = 1500  # a short answer: several sentences, each with its citation
    echo_chars = 24  # an instruction line this long, repeated verbatim, is an echo, not an answer
    valid = {c.key: c for c in cited}
    invalid = sorted({key for key in CITATION.findall(answer) if key not in valid})
    warnings: list[str] = []
    if invalid:
        answer = CITATION.sub(lambda m: m.group(0) if m.group(1) in valid else "", answer)
        answer = re.sub(r"[ \t]+([。.,、])", r"\1", answer)
        listed = ", ".join(invalid)
        warnings.append(message("ask.removed_citations", language, listed=listed))
    answer = answer.strip()
    if not answer:
        raise check_failed(*both("ask.check.empty"))
    if len(answer) > max_chars:
        raise check_failed(*both("ask.check.too_long", length=len(answer), limit=max_chars))
    sentences = [s.strip() for s in re.split(r"(?<=[。.!?！？])\s*|\n+", answer) if len(s.strip()) >= 12]
    repeated = next((s for s in sentences if sentences.count(s) >= 3), None)
    if repeated:
        raise check_failed(*both("ask.check.repeats", text=repeated[:60]))
    echoed = next(
        (
            line.strip()
            for line in prompt.splitlines()
            if len(line.strip()) >= echo_chars and line.strip() in answer
        ),
        None,
    )
    if echoed:
        raise check_failed(*both("ask.check.echo", text=echoed[:60]))
    used = [valid[key] for key in dict.fromkeys(CITATION.findall(answer)) if key in valid]
    if not used:
        keys = ", ".join(f"[{key}]" for key in valid)
        raise check_failed(*both("ask.check.no_citation", keys=keys))
    source_text = "\n".join(c.text for c in cited)
    body = CITATION.sub("", answer)
    if ungrounded_numbers(body, source_text):
        listed = ", ".join(ungrounded_details(body, source_text, language=language))
        raise check_failed(*both("ask.check.ungrounded", listed=listed))
    return AskResult(answer=answer, found=True, sources=_sources(used), warnings=warnings)


def to_markdown(result: AskResult) -> str:
    lines = [result.answer]
    if result.sources:
        lines += ["", "---"]
        lines += [f"- {s.meeting} ({s.file}): {s.excerpt}" for s in result.sources]
    lines += [f"> {w}" for w in result.warnings]
    return "\n".join(lines)
