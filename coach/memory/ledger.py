"""The action ledger: one entry per action, computed from every stored meeting in date order so
that re-importing gives the same ledger.

An action is opened by the first item that writes it (checkbox, `TODO:`, table row, `X will …`)
and belongs to me, my manager or someone else (`people.py`). A later item with the same wording
carries it over (counted once); it is closed by a checked box, a table status (`完了`, `中止`),
or prose that reports it done or dropped, in the same language (word rules below) or in the
other language (meaning vectors, calibrated, see `_meaning_closures`). Every status keeps the
line that gave it (`evidence`) and the rule (`why`).
"""

from __future__ import annotations

import functools
import re
import sqlite3
from collections.abc import Callable, Sequence

from coach.memory.markdown import _BOX, _CHECK
from coach.memory.people import People
from coach.memory.store import (
    DROPPED,
    ChecklistItem,
    LedgerEntry,
    Store,
)
from coach.models import Meeting
from coach.text.script import has_japanese
from coach.text.similarity import (
    WordingForm,
    compact,
    coverage,
    english_stem,
    form_similarity,
    leading_verb,
    nfkc,
    unit_set,
    units_of,
    wording_form,
)

# cosine matrix (queries x passages) of meaning vectors, given by a flow (the memory layer
# does not embed); None: wordings in different languages are not compared.
Meaning = Callable[[Sequence[str], Sequence[str]], Sequence[Sequence[float]]]

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
    r"|\b(?:decided|agreed|chose) (?:to|we would) (?:drop|stop|cancel|skip|abandon|shelve|not do)\b"
    r"|\bwe(?:'re| are| will|'ll)? (?:dropping|drop|stopping|cancelling|canceling)\b"
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
_BULLET = re.compile(r"^\s*(?:[-*+]\s+|[・•]\s*|\d+[.)]\s+)")
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
            if (
                not line.strip()
                or _CHECK.match(line)
                or _BOX.match(_BULLET.sub("", line))
                or line.lstrip().startswith("|")
            ):
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
    if own and (head := _head_noun(action)):
        for i, clause in enumerate(clauses):
            lowered = nfkc(clause).lower()
            if (
                own.search(lowered)
                and re.search(rf"\b{re.escape(head)}s?\b", lowered)
                and not _says_not(lowered)
            ):
                return "done", i
    if coverage(action, sentence) >= COVERAGE:
        verdicts = [_verdict(action, c) for c in clauses]
        closing = [i for i, v in enumerate(verdicts) if v in ("done", DROPPED)]
        if closing and "not" not in verdicts:
            return verdicts[closing[-1]], closing[-1]
    return None, -1


def report_of(action: str, meeting: Meeting) -> str | None:
    """The meeting's prose sentence that reports `action` done (as `_closure` reads one), if any:
    an item ticked off in a checklist is often reported in words too, which say more."""
    for paragraph in _prose_paragraphs(meeting):
        for sentence in paragraph:
            if _closure(action, sentence)[0] == "done":
                return sentence
    return None


_PREPOSITION = re.compile(r"\s(?:for|with|to|on|at|in|from|of|by|about|before|after|into|across)\s")


def _head_noun(action: str) -> str | None:
    """The head of an English action's object: `book the design review room` -> `room`
    (the last word before a preposition), so `Morgan booked the room` reports it done."""
    text = nfkc(action).strip().lower()
    if not leading_verb(text):
        return None
    words = _PREPOSITION.split(f" {text} ", maxsplit=1)[0].split()[1:]
    words = [w for w in words if w.isalpha() and w not in ("the", "a", "an", "our", "my", "their")]
    return words[-1] if words and len(words[-1]) >= 3 else None


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
# Cross-language closure: the cosine of the action and the line must reach MEANING_MIN and stand
# MEANING_MARGIN above the line's next-best action and the action's median line (calibration
# measured on the development corpora, see bench/ledger.py).
MEANING_MIN = 0.84
MEANING_MARGIN = 0.06
MEANING_MIN_SAME = 0.88  # two wordings in one language are closer on the whole: a higher bar
MEANING_MARGIN_SAME = 0.05

# A sentence that reports something done: a completion word, or a past form at a clause end
# (`作ってくれた`, `出した`, `始まった`, `届いた`, `published`, `was held`, `is answered`).
_PAST_JA = re.compile(r"(?:た|だ|ました|済み?|完了|確定|合意)(?:。|、|$|（|\(|！|：|:)|ている$|続けている")
_REPORT_CLAUSE = re.compile(r"[。、，,;；：:]|\s+but\s+")
_PAST_EN = re.compile(
    r"\b(?:\w+ed|done|sent|held|made|built|wrote|written|gave|given|met|ran|got|began|took|is answered|was answered)\b"
)
_NOT_CLAUSE = re.compile(
    r"まだ|途中|未着手|ていない|てない|ません|なかった|できず|予定|したい|つもり|見込み|\bnot\b|n't\b|\byet\b|\bwill\b"
    r"|\bplan(?:s|ned)? to\b|\bgoing to\b|\bstart(?:ed|ing)\b|\bbegan\b|着手|(?:相談|調整|確認|検討|対応|作業|進行|準備|交渉|依頼)中"
)


# An action that waits on something (`send the contract once legal signs it`, `merge it after the
# review is done`, `契約が締結されたら共有する`, `レビュー後に反映する`): what follows the English marker, or
# precedes the Japanese one, is its condition, and a sentence that reports only the condition's
# event (`legal signed the contract`) has not reported the action. `as <participle>` (`as
# expected`, `as agreed`) says how something went, not that anything was done.
_CONDITION_EN = re.compile(r"\b(?:once|after|when|whenever|if|as soon as|until|unless)\b(.+)$")
_CONDITION_JA = re.compile(r"^(.+?)(?:たら|次第|後に|後で|あとで|のあと|のを待って)")
_AS_PARTICIPLE = re.compile(r"\bas\s+\w+ed\b")
_REPORT_EN = re.compile(_PAST_EN.pattern + "|" + _DONE_EN.pattern)
_KANJI_BEFORE_END = re.compile(r"([\u4e00-\u9fff々]{2,})[ぁ-ゖ]{0,5}(?:た|済み?|完了)(?:[。、！]|$)")


def _condition_words(action: str) -> set[str]:
    text = nfkc(action).lower()
    found: set[str] = set()
    if match := _CONDITION_EN.search(text):
        found |= {english_stem(w) for w in re.findall(r"[a-z]{3,}", match.group(1))}
    if match := _CONDITION_JA.search(text):
        found |= set(re.findall(r"[\u4e00-\u9fff々]{2,}", match.group(1)))
    return found


def _reports_this(action: str, sentence: str) -> bool:
    """Whether `sentence` reports something done that is not only the action's condition's event
    (see `_CONDITION_EN`). Without a condition in the action, any report counts."""
    condition = _condition_words(action)
    if not condition:
        return True
    text = nfkc(sentence).lower()
    manner = [m.span() for m in _AS_PARTICIPLE.finditer(text)]  # `as expected`: how, not what
    english = [
        m for m in _REPORT_EN.finditer(text) if not any(start <= m.start() < end for start, end in manner)
    ]
    if any(english_stem(m.group(0)) not in condition for m in english):
        return True
    japanese = _KANJI_BEFORE_END.findall(text)
    if japanese:
        # the verbal noun ends the kanji run (`先週締結された`: 締結)
        return any(not any(word.endswith(c) for c in condition) for word in japanese)
    return not english and bool(_DONE_JA.search(text) or _PAST_JA.search(text))


_CONTENT_WORD = re.compile(r"[a-z][a-z0-9]{2,}|[\u30a0-\u30ff]{2,}|[\u4e00-\u9fff々]{2,}")


def _shared_word(a: str, b: str) -> bool:
    """A content word in common: an English word, a katakana run or a kanji bigram."""

    def words(text: str) -> set[str]:
        found: set[str] = set()
        for word in _CONTENT_WORD.findall(nfkc(text).lower()):
            if re.match(r"[\u4e00-\u9fff々]", word):
                found |= {word[k : k + 2] for k in range(len(word) - 1)}
            else:
                found.add(word)
        return found

    return bool(words(a) & words(b))


_LOOSE_NOUN_STOP = re.compile(rf"[をに]\S{{0,3}}(?:{_COMPLETION_NOUNS}|反映|切替|切り替え)(?:済み?)?$")


def _reports_done(sentence: str) -> bool:
    """Some clause of the sentence reports a thing done and is not negated or in the future."""
    for clause in _REPORT_CLAUSE.split(nfkc(sentence).lower()):
        clause = clause.strip()
        if not clause or _NOT_CLAUSE.search(clause):
            continue
        noun_stop = bool(_LOOSE_NOUN_STOP.search(clause.rstrip("。. "))) and not _FUTURE_JA.search(clause)
        if _says_done(clause) or _PAST_JA.search(clause) or _PAST_EN.search(clause) or noun_stop:
            return True
    return False


def _says_not_clause(text: str) -> bool:
    return bool(_NOT_CLAUSE.search(nfkc(text).lower()))


def _evidence(meeting: Meeting, line: int | None, text: str, role: str) -> dict[str, object]:
    return {"meeting": meeting.file, "line": line, "text": text, "role": role}


def _line_of(raw: Sequence[str], text: str) -> int | None:
    """1-based line of the raw file that holds `text` (its first characters), if any."""
    probe = compact(text)[:16]
    if not probe:
        return None
    for number, line in enumerate(raw, start=1):
        if probe in compact(line):
            return number
    return None


def _variants(text: str) -> list[str]:
    """The wording and the wording without its asides: `X（手順・命名の整理）をする` -> `Xをする`."""
    bare = re.sub(r"\s*[(（][^()（）]*[)）]\s*", " ", text).strip()
    return [text, bare] if bare and bare != text else [text]


@functools.lru_cache(maxsize=65536)
def _forms(text: str) -> tuple[WordingForm, ...]:
    """Each variant of a wording as `similarity` reads it, read once per wording."""
    return tuple(wording_form(variant) for variant in _variants(text))


@functools.lru_cache(maxsize=1 << 18)
def _alike(a: str, b: str) -> float:
    """The best `similarity` of the two wordings' variants (a pair met again is not recomputed:
    an open item is compared with every later item of its owner)."""
    return max(form_similarity(x, y) for x in _forms(a) for y in _forms(b))


@functools.lru_cache(maxsize=65536)
def _grams(text: str) -> tuple[frozenset[str], frozenset[tuple[str, ...]]]:
    """The character bigrams of a wording's variants (`compact` text) and the numbers each
    variant holds: two wordings that share no bigram, or no variant's numbers (`similarity` is 0
    unless the numbers are the same), are below SIMILAR whatever it says of equality, containment
    or Dice, so the replay compares only wordings that share both (an exact filter)."""
    forms = _forms(text)
    return frozenset().union(*(form.bigrams for form in forms)), frozenset(form.numbers for form in forms)


def _may_be_alike(a: str, b: str) -> bool:
    (grams_a, numbers_a), (grams_b, numbers_b) = _grams(a), _grams(b)
    return not grams_a.isdisjoint(grams_b) and not numbers_a.isdisjoint(numbers_b)


@functools.lru_cache(maxsize=65536)
def _closure_keys(action: str) -> tuple[frozenset[str], str | None]:
    """What a sentence must hold for `_closure` to read it as this action's report: one of the
    action's content units (its coverage paths) or its head noun (the `own verb + head` path)."""
    return frozenset(units_of(action)), _head_noun(action)


def _same_language(a: str, b: str) -> bool:
    return has_japanese(a) == has_japanese(b)


class _Replay:
    """The ledger as meetings are replayed in date order."""

    def __init__(self, people: People, meaning: Meaning | None) -> None:
        self.people = people
        self.meaning = meaning
        self.ledger: list[LedgerEntry] = []
        self.open: list[LedgerEntry] = []
        self.done_by_key: dict[tuple[str, str], LedgerEntry] = {}
        self.recent_done: list[tuple[int, LedgerEntry]] = []
        self.carried_here: set[int] = set()
        self.wordings: dict[
            int, list[str]
        ] = {}  # every wording an action was carried over in  # actions an item of the current meeting carries over

    def owner_of(self, item: ChecklistItem) -> tuple[str, str | None]:
        if item.owner_name:
            role = self.people.role(item.owner_name)
            return role, None if role == "me" else item.owner_name
        return item.owner, None

    def find(
        self, pool: Sequence[LedgerEntry], item: ChecklistItem, owner: str, meeting: Meeting
    ) -> LedgerEntry | None:
        """The earlier action this item repeats: the same owner and a like wording; an item marked
        carried over may repeat it in the other language (by meaning). An unchecked item only
        carries over an open action: the same wording after it was closed is a new, recurring one."""
        best: tuple[float, LedgerEntry] | None = None
        for entry in pool:
            if entry.owner != owner or (entry.status == "done" and item.state == "open"):
                continue
            wordings = self.wordings.get(id(entry), [entry.action])
            if not any(_may_be_alike(w, item.text) for w in wordings):
                continue  # no bigram or no numbers in common: below SIMILAR (see `_grams`)
            score = max(_alike(w, item.text) for w in wordings) + (0.01 if entry.status == "open" else 0.0)
            if score >= SIMILAR and (best is None or score > best[0]):
                best = (score, entry)
        if best is None and item.carried and self.meaning is not None:
            others = [
                e
                for e in pool
                if e.owner == owner and e.status == "open" and not _same_language(e.action, item.text)
            ]
            if others:
                scores = self.meaning([item.text], [e.action for e in others])[0]
                top = max(range(len(others)), key=lambda i: scores[i])
                if scores[top] >= MEANING_MIN - 0.05:
                    return others[top]
        return best[1] if best else None

    def close(
        self, entry: LedgerEntry, meeting: Meeting, how: str, line: int | None, text: str, why: str
    ) -> None:
        if entry.status != "open":
            return
        entry.status, entry.done_in, entry.closed_by = "done", meeting.file, how
        if how == DROPPED:
            entry.result = DROPPED
        entry.evidence.append(_evidence(meeting, line, text, "dropped" if how == DROPPED else "closed"))
        entry.why = why

    def items(self, position: int, meeting: Meeting, items: Sequence[ChecklistItem]) -> list[LedgerEntry]:
        self.recent_done = [(p, e) for p, e in self.recent_done if p > position - RECENT_MEETINGS]
        self.carried_here = set()
        earlier_open = list(self.open)
        pool = earlier_open + [e for _, e in self.recent_done]
        here: set[str] = set()
        for item in items:
            key = compact(item.text)
            owner, name = self.owner_of(item)
            match = self.find(pool, item, owner, meeting) or (
                self.done_by_key.get((owner, key)) if item.state != "open" else None
            )
            if match is None:
                if key in here:
                    continue
                here.add(key)
                match = LedgerEntry(
                    key=key,
                    action=item.text,
                    owner=owner,  # type: ignore[arg-type]
                    due=item.due,
                    status="open",
                    from_=meeting.file,
                    owner_name=name,
                    due_raw=item.due_raw,
                    evidence=[_evidence(meeting, item.line, item.source or item.text, "opened")],
                    why=f"opened by a {item.via} item in {meeting.file}"
                    + (f" line {item.line}" if item.line else ""),
                )
                self.ledger.append(match)
                self.open.append(match)
            else:
                if match.status == "open" and item.due and item.due != match.due:
                    match.due, match.due_raw = item.due, item.due_raw  # carried over with a new date
                wordings = self.wordings.setdefault(id(match), [match.action])
                if compact(item.text) != match.key and item.text not in wordings:
                    wordings.append(item.text)  # each wording once: an item carried for a year is one
                if item.state == "open":
                    self.carried_here.add(id(match))
                    match.evidence.append(_evidence(meeting, item.line, item.source or item.text, "carried"))
                    match.why = f"carried over in {meeting.file}" + (
                        f" line {item.line}" if item.line else ""
                    )
            if item.state == "done":
                how = "table" if item.via == "table" else "checkbox"
                rule = "table status" if how == "table" else "checked box"
                self.close(
                    match,
                    meeting,
                    how,
                    item.line,
                    item.source or item.text,
                    f"{rule} in {meeting.file} line {item.line}",
                )
                if item.note and not match.result:
                    match.result = item.note
            elif item.state == "dropped":
                self.close(
                    match,
                    meeting,
                    DROPPED,
                    item.line,
                    item.source or item.text,
                    f"table status says dropped in {meeting.file} line {item.line}",
                )
        return earlier_open

    def prose(self, meeting: Meeting, candidates: list[LedgerEntry], raw: Sequence[str]) -> None:
        for paragraph in _prose_paragraphs(meeting) if candidates else []:
            for index, sentence in enumerate(paragraph):
                present, lowered = unit_set(sentence), nfkc(sentence).lower()
                for entry in candidates:
                    if entry.result:
                        continue
                    units, head = _closure_keys(entry.action)
                    if present.isdisjoint(units) and not (head and head in lowered):
                        continue  # nothing of the action in the sentence: `_closure` finds no report
                    verdict, clause = _closure(entry.action, sentence)
                    if verdict is None:
                        continue
                    line = _line_of(raw, sentence)
                    entry.result = DROPPED if verdict == DROPPED else _result(paragraph, index, clause)
                    if entry.status == "open":
                        how = DROPPED if verdict == DROPPED else "prose"
                        self.close(
                            entry,
                            meeting,
                            how,
                            line,
                            sentence,
                            f"prose says {verdict} in {meeting.file} line {line}",
                        )
                        if how == DROPPED:
                            entry.result = DROPPED

    def meaning_closures(self, meeting: Meeting, candidates: list[LedgerEntry], raw: Sequence[str]) -> None:
        """Close actions a sentence reports done in other words or the other language: the
        sentence (or one of its clauses) must report something done (`_reports_done`), be the
        action's closest line by meaning, reach MEANING_MIN and stand MEANING_MARGIN above the
        action's median line, and be no other open action's closer match."""
        if self.meaning is None:
            return
        open_entries = [e for e in candidates if e.status == "open" and id(e) not in self.carried_here]
        if not open_entries:
            return
        units: list[tuple[str, str]] = []  # (text compared, the sentence it belongs to)
        for paragraph in _prose_paragraphs(meeting):
            if len(paragraph) > 1:
                whole = "。".join(paragraph)
                units.append((whole, whole))
            for sentence in paragraph:
                units.append((sentence, sentence))
                clauses = [c.strip() for c in _REPORT_CLAUSE.split(sentence) if c and len(c.strip()) >= 8]
                if len(clauses) > 1:
                    units += [(c, sentence) for c in clauses]
        reports = [_reports_done(sentence) and not _says_not_clause(text) for text, sentence in units]
        if not any(reports):
            return  # nothing here reports anything done: no need to embed this meeting
        actions = [e.action for e in open_entries]
        # Every line is embedded, reporting or not: the median line calibrates the action's scores.
        matrix = self.meaning(actions, [u for u, _ in units])
        pairs: list[tuple[float, int, int, float]] = []  # score, action, unit, the action's median
        for i, entry in enumerate(open_entries):
            scores = list(matrix[i])
            median = sorted(scores)[(len(scores) - 1) // 2]  # the lower median: a typical line
            for j, (text, whole) in enumerate(units):
                if not reports[j]:
                    continue
                same = _same_language(entry.action, text)
                floor, margin = (
                    (MEANING_MIN_SAME, MEANING_MARGIN_SAME) if same else (MEANING_MIN, MEANING_MARGIN)
                )
                if scores[j] < floor or scores[j] - median < margin:
                    continue
                if same and not _shared_word(entry.action, text):
                    continue  # one language and not one word in common: a look-alike, not a report
                if not _reports_this(entry.action, whole):
                    continue  # it reports what the action waits on, not the action
                pairs.append((scores[j], i, j, median))
        # One line reports one action and one action is closed once: the closest pairs first.
        used_actions: set[int] = set()
        used_sentences: set[str] = set()
        for best, i, j, median in sorted(pairs, reverse=True):
            text, sentence = units[j]
            if i in used_actions or text in used_sentences:
                continue
            used_actions.add(i)
            used_sentences.add(text)
            entry = open_entries[i]
            line = _line_of(raw, text)
            verdict = _verdict(entry.action, sentence)
            same = _same_language(entry.action, text)
            how = DROPPED if verdict == DROPPED else ("prose" if same else "other-language")
            self.close(
                entry,
                meeting,
                how,
                line,
                text,
                f"{how} in {meeting.file} line {line}: meaning {best:.2f} (median line {median:.2f},"
                " the closest pair of this meeting) and it reports it done",
            )
            if how != DROPPED:
                entry.result = sentence

    def settle(self, position: int) -> None:
        for entry in [e for e in self.open if e.status == "done"]:
            self.open.remove(entry)
            self.done_by_key[(entry.owner, entry.key)] = entry
            self.recent_done.append((position, entry))


def build_ledger(
    sources: Sequence[tuple[Meeting, Sequence[ChecklistItem]]],
    meaning: Meaning | None = None,
    raw: dict[str, str] | None = None,
) -> list[LedgerEntry]:
    """Replay the meetings in date order: items open, carry over or close actions, prose closes them.

    Matching looks at open actions, at actions closed in the last few meetings and at closed
    actions with the very same wording, so the replay stays linear in the number of meetings.
    A cancelled meeting says nothing about any action.
    """
    ordered = sorted(sources, key=lambda pair: (pair[0].date, pair[0].file))
    replay = _Replay(People.of(m for m, _ in ordered), meaning)
    for position, (meeting, items) in enumerate(ordered):
        if meeting.cancelled:
            continue
        lines = (raw or {}).get(meeting.file, "").split("\n")
        earlier_open = replay.items(position, meeting, items)
        candidates = [e for e in earlier_open if e.status == "open" or not e.result]
        replay.prose(meeting, candidates, lines)
        replay.meaning_closures(meeting, [e for e in earlier_open if e.status == "open"], lines)
        replay.settle(position)
    return replay.ledger


def rebuild_ledger(db: sqlite3.Connection, meaning: Meaning | None = None) -> None:
    """Recompute the actions table from every stored meeting (inside the caller's transaction)."""
    raw = dict(db.execute("SELECT file, raw FROM meetings").fetchall())
    Store.sync_ledger(db, build_ledger(Store.ledger_sources(db), meaning, raw))
