"""Whether the answer holds the kind of fact a question asks for: a number, or a date.

A question can be about a topic the notes discuss and still ask for a fact they never state
(how much budget the new team gets, when a review will be). The passages on the topic are found
and quoted, which reads as an answer though it holds no number or date at all. So, for the two
kinds of fact a sentence shows plainly, the offline answer is checked before it is given:

* an amount (how much, how many, いくら, 何人, 何件…): a sentence that states a number (digits
  that are not a date, a Japanese numeral before a counter, an English number word);
* a date asked of something to come or in force (when is, いつある, 期限は…): a sentence that
  names a day, a month, a relative period (来月, next week, 下期), a due note, or says it is not
  decided yet (未定, TBD), which answers "when" too. A question whether or when something was
  done is left to the meetings' own dates (the follow-through says when), so it is not checked.

When none of the sentences the answer would quote holds the fact, the answer says the notes do
not state it, and the nearest meetings stay as sources. Everything here is a class of phrasing
(named patterns below), not a list of topics.

A fact answers only about what it is asked of. The question names that *subject* in a plain
place (`asked_subject`): in Japanese the noun phrase marked as the topic right before the
interrogative (XはいくらX, Xってどれくらい, Xはいつ; a possessive XのY is one phrase), in
English the noun phrase after "how much / how many / when" and a copula, up to a function word
(how much is X, when was X). Of the subject's content words, only those the notes use count; the
last of them is its head. A sentence stating the fact states it of the subject
(`Subject.answers`) when it holds the head (the word or the notes' word for it) and, unless it
holds every counted word, holds the head at least once without a modifier the question does not
name: an amount stated of a sibling subject (資格手当 for a question about シフト手当, the
team's hours for a question about one person's) does not answer it. A subject word the notes
never use (a paraphrase, a word in the other language that only meaning bridges) asks nothing of
the sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from coach.llm.grounding import quantities
from coach.text import dates
from coach.text.numbers import NUMBER, NUMBER_WORDS
from coach.text.stopwords import is_stopword

# An amount: the question's interrogative for a quantity. Not "how often" or "how long" (their
# answers are as often words: 隔週, weekly, "until the release") nor a question about a change
# (how did it improve?), whose answer may be a sentence without a figure.
ASKS_AMOUNT = re.compile(
    r"いくら|いくつ|何(?:[件回人名個枚本台割倍歳%]|時間|日間|週間|か月|ヶ月|カ月|ページ|円|ドル|パーセント)"
    r"|どれ(?:だけ|くらい|ぐらい)|どの(?:くらい|ぐらい)"
    r"|\bhow (?:much|many)\b|\bwhat (?:percentage|share|number|amount|fraction)\b"
)
# A date: the question's interrogative for a time (何日 is a day here; 何日間 is an amount).
ASKS_DATE = re.compile(
    r"いつ|何月|何日(?!間)|何曜|時期|\bwhen\b|\bwhat (?:date|day|time)\b|\bwhich (?:day|month|week|quarter)\b"
    r"|\bby when\b|\bdeadline\b|期限|締め?切"
)
# A sentence that says the figure or the time is not set yet answers the question too.
UNDECIDED = re.compile(
    r"未定|決まっていない|決まってない|調整中|\btbd\b|\bnot (?:yet )?(?:decided|known|scheduled|set)\b"
)
# A sentence that names a time: a calendar date (dates.CALENDAR: 6/25, 7月, 2026-05, Q3, H2; not
# repeated here), a day or month otherwise written, a relative period, a weekday, or a due note
# (or says the time is not set: UNDECIDED).
STATES_DATE = re.compile(
    r"\d{1,2}/\d{1,2}|\d{1,2}日|月末|月中|月初|上旬|中旬|下旬|週明け|年内|年度末|年明け|年末"
    r"|(?:来|今|先|再来)(?:週|月|期|年|年度)|[上下]期|[上下]半期|四半期|[春夏秋冬]|[月火水木金土日]曜"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b"
    r"|\b(?:next|this|last) (?:week|month|quarter|year|sprint)\b|\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b"
    r"|\b(?:spring|summer|autumn|fall|winter)\b|\bdue\b|期限|締め?切"
)


# Counters that count the same kind of thing, in either language: a question asking 何人 / how
# many people is not answered by a count of 回 or of pages. A counter in no group (本, 台, a noun
# of the notes) may count anything, so it is never taken for the wrong one.
COUNTER_GROUPS: dict[str, frozenset[str]] = {
    "people": frozenset(
        {"人", "名", "people", "persons", "person", "members", "engineers", "hires", "headcount"}
    ),
    "occasions": frozenset({"回", "度", "times", "sessions"}),
    "sheets": frozenset({"枚", "ページ", "pages", "page", "slides", "sheets"}),
    "cases": frozenset({"件", "cases", "incidents", "tickets", "issues", "bugs"}),
    "things": frozenset({"つ", "個", "items", "things"}),
    "age": frozenset({"歳", "才", "years old"}),
}
_GROUP_OF = {counter: group for group, counters in COUNTER_GROUPS.items() for counter in counters}
# The interrogative of an amount with its counter: 何人 / 何ページ, how many pages; いくら asks a price.
_ASKED_COUNTER = re.compile(
    r"何(?P<ja>%|[\u3040-\u30ff\u4e00-\u9fff]{1,3})|how many (?P<en>[a-z]+(?: [a-z]+)?)"
)
# A number as the notes write it, with the currency sign before it and the unit or counter after.
_COUNTER_AFTER = re.compile(
    rf"[$¥€]?{NUMBER}(?:\s?(?P<unit>%|[\u3040-\u30ff\u4e00-\u9fff]{{1,3}}|[a-z]+(?: old)?))?"
)


@dataclass(frozen=True)
class Amount:
    """What an amount question asks for: a unit kind (`coach.llm.grounding.UNIT_KINDS`) and, for
    a count, the group of its counter; None where the question does not say."""

    kind: str | None
    group: str | None
    # the thing an English count asks about (how many *sessions*), when the question names it: a
    # sentence naming it with a number counts it, whatever counter it uses (session数は9件)
    noun: str | None = None


# Kinds of figure that answer a kind of amount besides itself: how much money a change saved is
# as often said as a share (コストを30%削減) or a multiple.
_ANSWERS = {"money": {"money", "percent", "multiple"}}


def _group(unit: str) -> str | None:
    """The group of a counter as written after a number (名チーム -> 名) or of an English noun
    phrase's words (`production incidents` -> incidents, `years old`)."""
    if unit in _GROUP_OF:
        return _GROUP_OF[unit]
    if " " in unit:
        return next((g for word in reversed(unit.split()) if (g := _GROUP_OF.get(word))), None)
    for end in range(len(unit) - 1, 0, -1):
        if unit[:end] in _GROUP_OF:
            return _GROUP_OF[unit[:end]]
    return None


def asked_amount(question: str) -> Amount:
    """The kind of amount `question` (normalised) asks for, read by putting a number where its
    interrogative is and reading that number's unit the way grounding reads the notes'."""
    if "いくら" in question:
        return Amount("money", None)
    match = _ASKED_COUNTER.search(question)
    if match is None:
        return Amount(None, None)
    counter = match.group("ja") or match.group("en") or ""
    found = quantities(f"2{counter}" if match.group("ja") else f"2 {counter.split()[0]}")
    kind = found[0].kind if found else None
    group = _group(counter)
    if kind is None and group is not None:  # a counter grounding does not know (歳) still counts
        kind = "count"
    noun = match.group("en").split()[0] if match.group("en") else None
    return Amount(kind, group if kind == "count" else None, noun if kind == "count" else None)


def states_amount(text: str, amount: Amount = Amount(None, None)) -> bool:
    """A number that is not a date or a period (`6/25`, `7月`, `Q2` are when, not how much), of
    the kind asked for when the question says (a bare number may be any), a numeral word, or a
    statement that the figure is not set yet."""
    if NUMBER_WORDS.search(text) or UNDECIDED.search(text):
        return True
    rest = dates.CALENDAR.sub(" ", text)
    if amount.kind is None:
        return any(ch.isdigit() for ch in rest)
    if amount.noun and any(ch.isdigit() for ch in rest) and _names(amount.noun, rest):
        return True
    for number in _COUNTER_AFTER.finditer(rest):
        found = quantities(number.group(0))
        kind = found[-1].kind if found else None
        if kind is None:  # a bare number may be any amount
            return True
        if kind in _ANSWERS.get(amount.kind, {amount.kind}) and (
            amount.group is None or _group(number.group("unit") or "") in (None, amount.group)
        ):
            return True
    return False


def _names(noun: str, text: str) -> bool:
    """Whether `text` names an English noun, singular or plural, as a word or before a Japanese
    counter word (session数)."""
    singular = noun[:-1] if noun.endswith("s") and len(noun) > 3 else noun
    return re.search(rf"(?<![a-z]){re.escape(singular)}(?:e?s)?(?![a-z])", text) is not None


def states_date(text: str) -> bool:
    return bool(dates.CALENDAR.search(text) or STATES_DATE.search(text) or UNDECIDED.search(text))


@dataclass(frozen=True)
class FactKind:
    name: str  # the kind of fact, named in `why`
    asks: re.Pattern[str]  # the question asks for one (on the normalised question)
    # for the normalised question, the test of a normalised sentence that states one
    reader: Callable[[str], Callable[[str], bool]]
    message: str  # key of the answer that says the notes do not state one


FACT_KINDS = (
    FactKind(
        "an amount",
        ASKS_AMOUNT,
        lambda question: partial(states_amount, amount=asked_amount(question)),
        "ask.amount_absent",
    ),
    FactKind("a date", ASKS_DATE, lambda _question: states_date, "ask.date_absent"),
)


# A word of a subject: kanji, katakana (with ー and ・), Latin letters and digits; hiragana end it
# (particles, verb endings) except in the joins below.
_WORD = r"[\u4e00-\u9fff\u30a0-\u30ffa-z0-9\-]+"
# A Japanese subject: words, possibly joined by a possessive の (with an honorific before it:
# 小林さんの残業時間) or a space (design review), marked as the topic (は, って, が, も) and
# followed by at most a few characters before the interrogative (障害対応は週何件, 研修はいつから).
_JA_SUBJECT = re.compile(
    rf"(?P<subject>(?:{_WORD}(?:\s{_WORD})*(?:さん|くん|ちゃん|様)?の)*{_WORD}(?:\s{_WORD})*)"
    r"(?:ってのは|って|とは|は|が|も)[^\s、。?？!！はがも]{0,4}$"
)
# An English subject: after "how much/many" or "when", a copula and a determiner, the words up to
# the first function word (`coach.text.stopwords`: of, for, per…), a time word or punctuation
# (how much is the parking fee per day?).
_EN_SUBJECT = re.compile(
    r"\b(?:how (?:much|many)|when)\s+(?:is|was|are|were|will be)\s+(?:(?:the|my|our|a|an)\s+)?"
    r"(?P<subject>[a-z0-9\-]+(?:\s+[a-z0-9\-]+)*)"
)
# Words that end an English subject though they are not function words: a time after it.
_EN_SUBJECT_END = frozenset({"after", "before", "last", "next", "now", "today", "yesterday"})


def asked_subject(question: str, asks: re.Match[str]) -> str | None:
    """The words of `question` (normalised) naming what its interrogative `asks` asks about, or
    None when the question does not name it in one of the plain places (see the module's text)."""
    before = question[: asks.start()]
    if japanese := _JA_SUBJECT.search(before):
        return japanese.group("subject")
    english = _EN_SUBJECT.search(question, max(0, asks.start() - 1))
    if english is None or english.start() > asks.start():
        return None
    words: list[str] = []
    for word in english.group("subject").split():
        if is_stopword(word) or word in _EN_SUBJECT_END:
            break
        words.append(word)
    return " ".join(words) or None


# The word written right before a word: its modifier when no particle but a possessive の, a
# space or a hyphen stands between (資格手当, シフトの手当, conference travel budget).
_MODIFIER = re.compile(rf"({_WORD})(?:の|\s|-)?$")


@dataclass(frozen=True)
class Subject:
    """The subject of an asked fact: its words in the question, the content words of it that the
    notes use (the last is its head: 手当 of シフト手当, budget of travel budget), and
    where a sentence holds a word (`places`: the spans of the word and of the notes' words for it;
    none when it does not hold it)."""

    words: str
    required: tuple[str, ...]
    places: Callable[[str, str], list[tuple[int, int]]]

    @property
    def head(self) -> str:
        return self.required[-1]

    def answers(self, text: str) -> bool:
        """Whether a sentence stating the fact states it of this subject: it holds the head, and
        unless it holds every word of the subject, not only in compounds with a modifier the
        question does not have (資格手当 for シフト手当: a sibling subject's figure)."""
        places = self.places(self.head, text)
        if not places:
            return False
        if all(self.places(word, text) for word in self.required[:-1]):
            return True
        return any(not self._foreign_modifier(text[:start]) for start, _ in places)

    def _foreign_modifier(self, before: str) -> bool:
        match = _MODIFIER.search(before)
        if match is None:
            return False
        word = match.group(1)
        return word not in self.words and not is_stopword(word)


@dataclass(frozen=True)
class Absent:
    kind: FactKind
    asked: str  # the question's words that ask for it
    read: int  # sentences of the answer read
    subject: Subject | None = None  # when set, sentences stating one were about another subject
    elsewhere: int = 0  # sentences that state one without the subject's words

    @property
    def why(self) -> str:
        reason = (
            f"asked fact absent: the question asks for {self.kind.name} (“{self.asked}”); "
            f"none of the {self.read} sentences the answer would quote states one"
        )
        if self.subject is not None and self.elsewhere:
            others = ", ".join(self.subject.required[:-1])
            compound = f", or with it in a compound the question does not name, and without {others}"
            reason += (
                f" of “{self.subject.words}” ({self.elsewhere} state one of another subject: "
                f"without “{self.subject.head}”{compound if others else ''})"
            )
        return reason


def asked_fact_absent(
    question: str,
    quoted: Sequence[str],
    *,
    status: bool,
    subject_of: Callable[[str], Subject | None] = lambda _words: None,
) -> Absent | None:
    """The kind of fact `question` asks for that none of `quoted` (the sentences the answer would
    quote, normalised) states; None when it asks for no such fact or one of them states it.
    `status`: the question asks whether or when something was done (its date is the meeting's).
    `subject_of`: for the words naming what is asked about (`asked_subject`), its `Subject` (None
    when the notes use none of its words); a sentence states the fact only if it holds it."""
    if not quoted:
        return None
    for kind in FACT_KINDS:
        if kind.name == "a date" and status:
            continue
        match = kind.asks.search(question)
        if match is None:
            continue
        states = kind.reader(question)  # what the question asks, read once for every sentence
        stating = [text for text in quoted if states(text)]
        if not stating:
            return Absent(kind, match.group(0), len(quoted))
        words = asked_subject(question, match)
        subject = subject_of(words) if words else None
        if subject is not None and not any(subject.answers(text) for text in stating):
            return Absent(kind, match.group(0), len(quoted), subject, len(stating))
    return None
