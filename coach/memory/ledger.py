"""The action ledger: one entry per action, closed by a checkbox, by prose or dropped, computed
from every stored meeting in date order so that re-importing gives the same ledger."""

from __future__ import annotations

import functools
import re
import sqlite3
from collections.abc import Sequence

from coach.memory.markdown import _CHECK
from coach.memory.store import (
    DROPPED,
    ChecklistItem,
    LedgerEntry,
    Store,
)
from coach.models import Meeting
from coach.text.similarity import compact, coverage, leading_verb, nfkc, similarity

# --------------------------------------------------------------------------- the ledger

_DONE_JA = re.compile(
    r"完了|完成|終了|終わ|終え|済|できた|できました|出来た|出来ました|公開(?:した|しました)|提出(?:した|しました)"
    r"|作成(?:した|しました)|作(?:った|りました)|達成|実施(?:した|しました)|リリース(?:した|しました)"
    r"|共有(?:した|しました)|送(?:った|りました)"
    r"|(?:開催|導入|適用|展開|移行|発表|設定|構築|整備|更新|修正|報告)(?:した|しました|済)"
)
_DONE_EN = re.compile(
    r"\b(?:done|finished|finish|completed|complete|shipped|submitted|published|delivered|wrapped up|launched"
    r"|merged|sent|resolved|closed)\b"
)
_NOT_JA = re.compile(r"まだ|途中|未|進行中|作業中|対応中|検討中|ていない|てない|ません|なかった|できず|予定")
_NOT_EN = re.compile(
    r"\bnot\b|n't\b|\bstill\b|\byet\b|\bin progress\b|\bongoing\b|\bpending\b|\bpartially\b|\bwill\b"
    r"|\bplann(?:ing|ed) to\b|\bgoing to\b|\bhalf\b"
)
_DROPPED = re.compile(
    r"\bno longer (?:needed|required|necessary|relevant)\b|\bnot (?:needed|required|necessary)(?: anymore)?\b"
    r"|\bunnecessary\b|\bdropped\b|\bcancell?ed\b|\bde-?scoped\b|\bscrapped\b|\babandoned\b|\bshelved\b"
    r"|\bwon't do\b|\bobsolete\b|\bdeprioriti[sz]ed\b"
    r"|不要(?:に|と|です|だ|$)|必要なくなっ|必要がなくなっ|中止|取りやめ|取り止め|見送(?:り|っ|る)|やめ(?:た|ました|る)|なしになっ"
    r"|キャンセル"
)
_IRREGULAR_PAST = {
    "begin": "began begun",
    "bring": "brought",
    "build": "built",
    "buy": "bought",
    "choose": "chose chosen",
    "do": "did done",
    "draw": "drew drawn",
    "drive": "drove driven",
    "find": "found",
    "get": "got gotten",
    "give": "gave given",
    "go": "went gone",
    "hold": "held",
    "keep": "kept",
    "lead": "led",
    "leave": "left",
    "make": "made",
    "meet": "met",
    "pay": "paid",
    "run": "ran",
    "say": "said",
    "see": "saw seen",
    "sell": "sold",
    "send": "sent",
    "speak": "spoke spoken",
    "spend": "spent",
    "take": "took taken",
    "teach": "taught",
    "tell": "told",
    "think": "thought",
    "throw": "threw thrown",
    "write": "wrote written",
    "rewrite": "rewrote rewritten",
    "undertake": "undertook undertaken",
}
_SAME_PAST = frozenset(
    ["set", "put", "cut", "read", "let", "shut", "spread", "quit", "hit", "upset", "reset"]
)
_SENTENCE_END = re.compile(r"(?<=[。！？!?])|(?<=\.)\s+")
_CLAUSE = re.compile(r"[、，,;；]|\s+but\s+|\s+while\s+")
_BULLET = re.compile(r"^\s*(?:[-*+・]|\d+[.)])\s+")
_TAG = re.compile(r"^\s*[【\[][^】\]]{1,12}[】\]]\s*")
COVERAGE = 0.6
SIMILAR = 0.6


def _says_done(clause: str) -> bool:
    text = nfkc(clause).lower()
    return bool(_DONE_JA.search(text) or _DONE_EN.search(text))


def _says_not(clause: str) -> bool:
    text = nfkc(clause).lower()
    return bool(_NOT_JA.search(text) or _NOT_EN.search(text))


def _prose_paragraphs(meeting: Meeting) -> list[list[str]]:
    """Sentences of the meeting grouped by line, without checklist items, bullets or tags."""
    paragraphs = []
    for block in [meeting.preamble, *(s.text for s in meeting.sections)]:
        for line in block.split("\n"):
            if not line.strip() or _CHECK.match(line):
                continue
            line = _TAG.sub("", _BULLET.sub("", line)).strip()
            sentences = [
                s.strip().rstrip("。.") for s in _SENTENCE_END.split(line) if s.strip().rstrip("。.")
            ]
            if sentences:
                paragraphs.append(sentences)
    return paragraphs


@functools.lru_cache(maxsize=4096)
def _own_past(action: str) -> re.Pattern[str] | None:
    """The past of the action's own verb: `Run the game day` is reported as `ran`, `Confirm X`
    as `confirmed`, `話を聞く` as `聞けた` / `聞いた`, `会を主催する` as `主催した`."""
    text = nfkc(action).strip().lower()
    if verb := leading_verb(text):
        if verb in _SAME_PAST:
            return re.compile(rf"\b(?:is|are|was|were|been|got|all)\s+(?:\w+\s+)?{verb}\b")
        forms = set(_IRREGULAR_PAST.get(verb, "").split())
        if verb.endswith("e"):
            forms.add(verb + "d")
        elif re.search(r"[^aeiou]y$", verb):
            forms.add(verb[:-1] + "ied")
        else:
            forms.add(verb + "ed")
            if re.search(r"[^aeiou][aeiou][bdgklmnprt]$", verb):
                forms.add(verb + verb[-1] + "ed")
        return re.compile(rf"\b(?:{'|'.join(sorted(forms))})\b")
    if match := re.search(r"([\u4e00-\u9fff々]+)(?:する|します|[うくぐすつぬぶむる])$", text):
        return re.compile(rf"{match.group(1)}[ぁ-ゖ]{{0,4}}た(?!い)")
    return None


_COMPLETION_NOUNS = (
    r"開催|実施|提出|公開|共有|作成|完了|導入|適用|展開|移行|送付|報告|発表|設定|構築|整備|更新|修正|リリース"
)
_NOUN_STOP = re.compile(rf"[をに](?:{_COMPLETION_NOUNS})(?:済み?)?$")
_FUTURE_JA = re.compile(r"来週|来月|次回|今後|明日|予定|つもり|したい|する$")


def _verdict(action: str, clause: str) -> str | None:
    """`done`, `dropped`, `not` (explicitly not done yet) or None (says nothing) about the action."""
    text = nfkc(clause).lower()
    own = _own_past(action)
    dropped = _DROPPED.search(text)
    if (
        dropped
        and dropped.group(0) not in nfkc(action).lower()
        and not (own and own.search(dropped.group(0)))
    ):
        return DROPPED
    if _says_not(text):
        return "not"
    noun_stop = bool(_NOUN_STOP.search(text.rstrip("。. "))) and not _FUTURE_JA.search(text)
    if _says_done(text) or (own and own.search(text)) or noun_stop:
        return "done"
    return None


def _closure(action: str, sentence: str) -> tuple[str | None, int]:
    """Does `sentence` report `action` done or dropped? (`done`/`dropped`/None, index of the
    clause that says so.) The clause that names the action decides; when it says nothing, the
    next clause may (`X, done`), or the previous one with the action's own verb
    (`Sam introduced me to Lee, the data platform lead`)."""
    clauses = [c.strip() for c in _CLAUSE.split(sentence) if c and c.strip()]
    own = _own_past(action)
    scores = [coverage(action, c, verb=bool(own and own.search(nfkc(c).lower()))) for c in clauses]
    best = max(range(len(clauses)), key=lambda i: scores[i]) if clauses else -1
    if best >= 0 and scores[best] >= COVERAGE:
        verdict = _verdict(action, clauses[best])
        if verdict == "not":
            return None, -1
        if verdict:
            return verdict, best
        if best + 1 < len(clauses) and (verdict := _verdict(action, clauses[best + 1])) not in (None, "not"):
            return verdict, best + 1
        if best > 0 and own and own.search(nfkc(clauses[best - 1]).lower()):
            return "done", best - 1
        return None, -1
    if coverage(action, sentence) >= COVERAGE:
        verdicts = [_verdict(action, c) for c in clauses]
        closing = [i for i, v in enumerate(verdicts) if v in ("done", DROPPED)]
        if closing and "not" not in verdicts:
            return verdicts[closing[-1]], closing[-1]
    return None, -1


def _result(paragraph: list[str], index: int, clause: int) -> str:
    """What came of it: the rest of the closing sentence and the next sentences that explain it."""
    clauses = [c.strip() for c in _CLAUSE.split(paragraph[index]) if c and c.strip()]
    parts = ["、".join(clauses[clause + 1 :])] if clause + 1 < len(clauses) else []
    for sentence in paragraph[index + 1 : index + 3]:
        if _says_done(sentence):
            break
        parts.append(sentence)
    parts = [p for p in parts if p]
    return "。".join(parts) if parts else paragraph[index]


RECENT_MEETINGS = 8


def build_ledger(sources: Sequence[tuple[Meeting, Sequence[ChecklistItem]]]) -> list[LedgerEntry]:
    """Replay the meetings in date order: checklist items open or close actions, prose closes them.

    Matching looks at open actions, at actions closed in the last few meetings and at closed
    actions with the very same wording, so the replay stays linear in the number of meetings.
    """
    ledger: list[LedgerEntry] = []
    open_entries: list[LedgerEntry] = []
    done_by_key: dict[tuple[str, str], LedgerEntry] = {}
    recent_done: list[tuple[int, LedgerEntry]] = []
    ordered = sorted(sources, key=lambda pair: (pair[0].date, pair[0].file))
    for position, (meeting, items) in enumerate(ordered):
        recent_done = [(p, e) for p, e in recent_done if p > position - RECENT_MEETINGS]
        earlier_open = list(open_entries)
        pool = earlier_open + [e for _, e in recent_done]
        here: set[str] = set()
        for item in items:
            key = compact(item.text)
            match = _find(pool, item) or (done_by_key.get((item.owner, key)) if item.checked else None)
            if match is None:
                if key in here:
                    continue
                here.add(key)
                entry = LedgerEntry(
                    key=key,
                    action=item.text,
                    owner=item.owner,
                    due=item.due,
                    status="open",
                    from_=meeting.file,
                )
                ledger.append(entry)
                open_entries.append(entry)
                match = entry
            elif match.status == "open" and item.due:
                match.due = item.due  # carried over with a new date: rescheduled
            if item.checked and match.status == "open":
                match.status, match.done_in, match.closed_by = "done", meeting.file, "checkbox"
        candidates = [e for e in earlier_open if e.status == "open" or not e.result]
        for paragraph in _prose_paragraphs(meeting) if candidates else []:
            for index, sentence in enumerate(paragraph):
                for entry in candidates:
                    if entry.result:
                        continue
                    verdict, clause = _closure(entry.action, sentence)
                    if verdict is None:
                        continue
                    entry.result = DROPPED if verdict == DROPPED else _result(paragraph, index, clause)
                    if entry.status == "open":
                        entry.status, entry.done_in, entry.closed_by = "done", meeting.file, "prose"
        for entry in [e for e in open_entries if e.status == "done"]:
            open_entries.remove(entry)
            done_by_key[(entry.owner, entry.key)] = entry
            recent_done.append((position, entry))
    return ledger


def _find(pool: Sequence[LedgerEntry], item: ChecklistItem) -> LedgerEntry | None:
    """The earlier action this checklist item repeats.

    An unchecked item only carries over an open action: the same wording after it was closed
    is a new, recurring action (`週報を書く` every week).
    """
    best: tuple[float, LedgerEntry] | None = None
    for entry in pool:
        if entry.owner != item.owner or (entry.status == "done" and not item.checked):
            continue
        score = similarity(entry.action, item.text) + (0.01 if entry.status == "open" else 0.0)
        if score >= SIMILAR and (best is None or score > best[0]):
            best = (score, entry)
    return best[1] if best else None


def rebuild_ledger(db: sqlite3.Connection) -> None:
    """Recompute the actions table from every stored meeting (inside the caller's transaction)."""
    Store.sync_ledger(db, build_ledger(Store.ledger_sources(db)))
