"""Sentence structure for the prepare rules: who acts, what is asked of whom, and the modality.

Japanese is read through SudachiPy morphemes (coach.text.japanese): the predicate that closes a
sentence is its last content verb / adjective / サ変 noun plus the auxiliaries after it, and the
auxiliary chain (て+ほしい, て+もらえる+か, て+おく, て+いる, た, たい ...) says whether the writer
asks someone, intends to act, is acting, is done, or only wishes. English goes through a small
word tokenizer: the subject and modal opening a clause (`could you`, `I'll`, `I've started`,
a subjectless `Blocking …` diary line) carry the same information.

The tables below are the rules, as data: each entry names a class of phrasing, never a case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from coach.text.japanese import Morpheme, analyse
from coach.text.segment import sentences

Modality = Literal["request", "intend", "doing", "done", "wish", "question", "state", "none"]

# --------------------------------------------------------------------------- Japanese

#: Auxiliary chains (dictionary forms after the predicate, joined) and what they say, first match wins.
#: A request names someone else as the doer (…てほしい, …てもらえますか, お願いします).
JA_MODALITY: list[tuple[Modality, re.Pattern[str]]] = [
    (
        "request",
        re.compile(
            r"[てで](?:ほしい|欲しい)|[てで](?:もらえる|もらう|いただける|いただく|くださる|下さる)|^(?:お)?願う"
        ),
    ),
    ("wish", re.compile(r"たい")),
    ("question", re.compile(r"か$|べき")),
    ("intend", re.compile(r"[てで](?:おく|みる)ます|[てで]おく|ます$|つもり|予定|見込み|う$")),
    ("doing", re.compile(r"[てで](?:いる|いく|くる)|ところ|中$")),
    ("done", re.compile(r"た$|た(?:です|ので)|済み?")),
]
#: Verbs that never report the writer handling something (waiting, worrying, being stuck).
JA_NOT_ACTION = frozenset(
    {
        "待つ",
        "困る",
        "迷う",
        "悩む",
        "探す",
        "止まる",
        "遅れる",
        "増える",
        "減る",
        "変わる",
        "続く",
        "足りる",
        "分かる",
        "わかる",
        "感じる",
        "思う",
        "揉める",
        "かかる",
        "違う",
        "重なる",
        "つく",
        "回る",
        "なる",
        "ある",
        "いる",
        "できる",
        "出る",
        "起きる",
        "落ちる",
        "壊れる",
    }
)
#: Verbs of asking: "I will ask / consult" still brings the item to the manager.
JA_ASK_VERBS = frozenset({"相談", "依頼", "願う", "お願い", "質問", "打診"})


@dataclass(frozen=True)
class Predicate:
    """The predicate closing one sentence: its head word, the auxiliary chain and what it says."""

    head: str
    chain: str
    modality: Modality
    negative: bool
    passive: bool
    own_agent: bool  # 自分で / 自力で / 私が before the predicate
    has_object: bool  # a を-object in the clause

    @property
    def is_own_action(self) -> bool:
        """The writer acts on it (intends, is doing, or did), not a state of the world."""
        if self.modality not in ("intend", "doing", "done") or self.negative or self.passive:
            return False
        if self.head in JA_NOT_ACTION or self.head in JA_ASK_VERBS:
            return False
        return self.modality == "intend" or self.own_agent or self.has_object

    def describe(self) -> str:
        return f"{self.head}+{self.chain or '∅'} ({self.modality})"


_CLAUSE_BREAK = ("、", "。", "!", "?", "！", "？")
#: Suffixes that make a noun the predicate, and what they say.
_NOUN_PREDICATE: dict[str, Modality] = {
    "中": "doing",
    "済み": "done",
    "済": "done",
    "完了": "done",
    "予定": "intend",
}
#: Nouns that belong to the predicate (…しているところ, 対応中, 修正予定) rather than end a noun phrase.
_PREDICATE_NOUNS = frozenset({"ところ", "中", "予定", "つもり", "済み", "最中", "見込み", "方針"})
_AGENT = re.compile(r"自分で|自力で|自分が|私が|僕が|自分から|こちらで")


def _is_head(m: Morpheme, nxt: Morpheme | None, prev: Morpheme | None) -> bool:
    """A content predicate: a verb or adjective not used as an auxiliary (…て|いる, …て|ほしい)."""
    auxiliary = prev is not None and prev.major == "助詞" and prev.surface in ("て", "で")
    if m.major in ("動詞", "形容詞") and (m.pos[1] != "非自立可能" or not auxiliary):
        return True
    return m.major == "名詞" and nxt is not None and nxt.major == "動詞" and nxt.base in ("する", "できる")


@lru_cache(maxsize=2048)
def ja_predicates(text: str) -> tuple[Predicate, ...]:
    """One Predicate per sentence of `text` (a sentence without a predicate gives none)."""
    out: list[Predicate] = []
    for sentence in sentences(text):
        morphemes = [m for m in analyse(sentence) if m.major != "補助記号" or m.surface in _CLAUSE_BREAK]
        while morphemes and morphemes[-1].major == "補助記号":
            morphemes.pop()
        suffix = _NOUN_PREDICATE.get(morphemes[-1].base if morphemes else "")
        if suffix and len(morphemes) > 1 and morphemes[-2].major == "名詞":
            # a サ変 noun closing the line with 中 / 済み / 予定 (解消中, 対応済み, 修正予定)
            out.append(
                Predicate(
                    head=morphemes[-2].base,
                    chain=morphemes[-1].base,
                    modality=suffix,
                    negative=False,
                    passive=False,
                    own_agent=bool(_AGENT.search(sentence)),
                    has_object=any(m.surface == "を" for m in morphemes),
                )
            )
            continue
        idx = None
        for i in range(len(morphemes) - 1, -1, -1):
            nxt = morphemes[i + 1] if i + 1 < len(morphemes) else None
            if morphemes[i].surface in _CLAUSE_BREAK:
                break
            if _is_head(morphemes[i], nxt, morphemes[i - 1] if i else None):
                idx = i
                if morphemes[i].major == "名詞" or morphemes[i].base not in ("する", "できる"):
                    break
        if idx is None:
            continue
        head = morphemes[idx]
        if head.base in ("する", "できる") and idx > 0 and morphemes[idx - 1].major == "名詞":
            head = morphemes[idx - 1]
        tail = [m for m in morphemes[idx + 1 :] if m.base not in ("する", "できる")]
        chain = "".join(m.base for m in tail)
        if head.base == "願う" or head.surface == "お願い":
            chain = "願う" + chain
        modality: Modality = "state"
        for name, pattern in JA_MODALITY:
            if pattern.search(chain):
                modality = name
                break
        if modality == "state" and not chain and head.major == "動詞":
            modality = "intend"  # a bare dictionary form closing a line: 見直す, 対応する
        if any(m.major == "名詞" and m.base not in _PREDICATE_NOUNS for m in tail):
            modality = "state"  # the verb modifies a noun that closes the line (…しているテスト基盤の今後)
        out.append(
            Predicate(
                head=head.base,
                chain=chain,
                modality=modality,
                negative=any(m.base in ("ない", "ぬ", "ず") for m in tail),
                passive=any(m.base in ("れる", "られる") for m in tail),
                own_agent=bool(_AGENT.search(sentence)),
                has_object=any(m.surface == "を" for m in morphemes[:idx]),
            )
        )
    return tuple(out)


# --------------------------------------------------------------------------- English

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[?]")


def en_words(text: str) -> list[str]:
    """Lower-case words (contractions kept: i'll, can't) and question marks, in order."""
    return _WORD.findall(text.lower().replace("’", "'"))


#: Openings that ask the reader (the manager) to act or decide.
EN_REQUEST_OPENINGS: tuple[tuple[str, ...], ...] = (
    ("could", "you"),
    ("can", "you"),
    ("would", "you"),
    ("will", "you"),
    ("please",),
    ("need", "you"),
    ("i", "need", "you"),
    ("can", "we", "get"),
    ("could", "we", "get"),
    ("can", "i", "get"),
    ("could", "i", "get"),
    ("is", "it", "ok"),
    ("would", "it", "be", "ok"),
    ("is", "there", "budget"),
    ("any", "chance"),
    ("mind", "if"),
)
#: A first-person clause opening that reports the writer acting: (subject, auxiliaries...).
EN_OWN_ACTION: tuple[re.Pattern[str], ...] = (
    re.compile(r"^(?:going to|gonna|planning to|plan to) (?!need|have to|ask)\w+"),  # subjectless future
    re.compile(
        r"^i(?:'ll| will| am going to|'m going to) (?!need|have to|ask|miss|lose|fail|run out|probably|likely|not|never|struggle|be (?:stuck|blocked|late|out|away))\w+"
    ),
    re.compile(
        r"^i(?:'ve| have)(?: already| just| now| also)? (?!tried|asked|pinged|emailed|messaged|requested|"
        r"raised|escalated|flagged|reached|noticed|reali[sz]ed|wondered|struggled|failed|worried|heard|"
        r"been (?:asked|told|added|waiting|trying|stuck|blocked))"
        r"(?:started|begun|been \w+ing|set up|\w+ed)\b"
    ),
    re.compile(
        r"^i(?:'m| am) (?:now |already |currently )?(?!struggl|wait|wonder|try|getting|having|worr|"
        r"drown|los|fall|consider|think|hop|look|ask|going to need|not|afraid|feeling|stuck|spend|juggl|"
        r"deal|cover|doing|burn|running out)\w+ing\b"
    ),
)
#: What may follow the gerund of a diary line: an object's opening (`Reserving 30 min`, `Writing a
#: runbook`, `Adding tests`); `pairing time` is a noun compound, not an action.
EN_OBJECT_OPENERS = frozenset(
    {
        *("a", "an", "the", "my", "our", "your", "their", "his", "her", "some", "all", "more"),
        *("it", "them", "this", "that", "these", "those"),
        *("up", "out", "off", "through", "over", "with", "on", "into", "to", "for", "aside", "down", "back"),
    }
)
#: A subjectless diary line opening with what the writer is doing (`Blocking 2h …`, `Adding tests …`).
EN_GERUND_NOT_ACTION = frozenset(
    {
        "been",
        "being",
        "feeling",
        "getting",
        "having",
        "waiting",
        "struggling",
        "wondering",
        "thinking",
        "trying",
        "hoping",
        "looking",
        "starting",
    }
)


def en_request(sentence: str) -> str | None:
    """The opening words when a clause of the sentence asks the reader to act, else None.

    Each clause is tried (`hey, blocked on X, could you …`): the opening must start the clause."""
    for clause in re.split(r"[,;:.!?—–-]+\s*|\s+(?:and|but|so)\s+", sentence):
        words = en_words(clause)
        for start in range(min(2, len(words))):
            for opening in EN_REQUEST_OPENINGS:
                if tuple(words[start : start + len(opening)]) == opening:
                    return " ".join(opening)
    return None


def en_own_action(sentence: str) -> str | None:
    """The words showing the writer acts on it themselves (I'll …, I've started …, Blocking …)."""
    words = en_words(sentence)
    for clause in re.split(r"\b(?:and|but|so|then)\b", " ".join(words)):
        clause = clause.strip()
        for pattern in EN_OWN_ACTION:
            match = pattern.match(clause)
            if match:
                return match.group(0)
    if (
        len(words) > 1
        and words[0].endswith("ing")
        and len(words[0]) > 4
        and words[0] not in EN_GERUND_NOT_ACTION
        and (words[1] in EN_OBJECT_OPENERS or words[1][:1].isdigit() or words[1].endswith("s"))
    ):
        return f"{words[0]} {words[1]}"
    return None
