"""Offline STAR rewriting: split notes into achievements, sort each clause into S/T/A/R.

Deterministic and local. The notes' structure comes from `coach.rules.notes` (Markdown via
markdown-it-py, plus chat lines and `・` items); units are grouped into pieces of work: the items
under a heading that names the work, a list item with its sub-items, a chat thread (other
people's messages are context), result lines under the fix they report on. Plans, TODOs and
pending items (`来週は…`, `next:`, `blocked`; for Japanese also the last predicate's tense) go
to the "next" list; chatter is dropped; a group that does nothing and reports nothing is the
situation of the work next to it. Every field of an entry is a piece of the user's own text or
a template filled with the user's numbers and code-computed percentages; a missing part
becomes a question, never a guess.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field, replace
from typing import Literal

from coach.messages import message
from coach.models import Language, MissingPart, StarEntry
from coach.rules.cues import (
    CHATTER,
    FUTURE_TIME,
    GENERIC_HEADING,
    ME_NAMES,
    OPEN_TASK,
    PENDING,
    PLAN_ANYWHERE,
    PLAN_HEADING,
    PLAN_LEAD,
)
from coach.rules.metrics import MetricMatch, find_metrics, value_roles
from coach.rules.notes import CHAT_LINE, Line, read_lines
from coach.text.japanese import analyse, predicate_tense
from coach.text.language import detect_language
from coach.text.normalize import fold
from coach.text.numbers import display_pct, unit_scale
from coach.text.script import has_japanese
from coach.text.segment import SENTENCE_END
from coach.text.similarity import english_stem

Part = Literal["situation", "task", "action", "result"]
PARTS: tuple[Part, ...] = ("situation", "task", "action", "result")

# --------------------------------------------------------------------------- line kinds

_LABEL = re.compile(
    r"(?P<label>状況|背景|課題|目標|タスク|行動|対応|アクション|やったこと|結果|成果|"
    r"situation|background|context|problem|task|goal|action|actions|result|results|outcome|impact)\s*[:：]\s*",
    re.IGNORECASE,
)
_LABEL_PART: dict[str, Part] = {
    "状況": "situation",
    "背景": "situation",
    "situation": "situation",
    "background": "situation",
    "context": "situation",
    "problem": "situation",
    "課題": "task",
    "目標": "task",
    "タスク": "task",
    "task": "task",
    "goal": "task",
    "行動": "action",
    "対応": "action",
    "アクション": "action",
    "やったこと": "action",
    "action": "action",
    "actions": "action",
    "結果": "result",
    "成果": "result",
    "result": "result",
    "results": "result",
    "outcome": "result",
    "impact": "result",
}

# --------------------------------------------------------------------------- clause classes

_TARGET = re.compile(
    r"目標|目指|めざ|ターゲット|狙い|任され|求められ|担当|役割|target|goal|aim\b|objective|"
    r"needed to|asked to|my job|was tasked|responsible for|\bowned\b|in charge of|my role",
    re.IGNORECASE,
)
_ACTION_JA = re.compile(
    r"実施|実装|導入|解消|追加|自動化|見直|移行|切り替|切替|廃止|作成|整備|書き直|対応し|設計|構築|改修|分割|並列|統合|"
    r"主導|リード|刷新|開発|置き換|置換|最適化|整理|共有|提案|作った|作っ|作り|書いた|書い|調査|特定|修正|検証|チューニング|"
    r"がんば|頑張|取り組|進め|立ち上|サポート|支援|教え|伝え|メンタ|レビューし|ペア|始め|公開|リリースし|まとめ|"
    r"ようにした|にした|変更|設定し|貼り直|直し|入れた|(?<!悪)化し|用意|変え|加え|分け|止め|停止|棚卸|調整|計測|用い|使っ|作業し|発表|登壇|面接|執筆"
)
_ACTION_EN = re.compile(
    r"^(?:i|we)\s+\w+|^(?:\w+ed|rewrote|wrote|built|ran|led|made|set up|split|cut|moved|shipped|drove|took|"
    r"began|started|paired|pairing|mentoring|mentored|reviewing|writing|building|migrating|leading|running|"
    r"helping|helped|owning|fixing|automating|designing|refactoring|introducing)\b",
    re.IGNORECASE,
)
_PROBLEM = re.compile(
    r"遅い|遅く|遅かった|高い|高かった|問題|課題が|不満|障害|多発|頻発|多すぎ|重すぎ|重い|重く|手作業|手動|毎回|"
    r"かかっていた|かかる|足りな|不足|困って|失敗|漏れ|できなかった|属人|煩雑|負荷|声が上が|タイムアウト|詰まっ|溜ま|"
    r"追いつかな|[てで]い?ない|kept|slow|problem|issue|manual|too (?:many|much|slow|long)|expensive|missing|"
    r"failing|flaky|broke|outage|complain|pain|bottleneck|\bagain\b|constantly|piling|timed? out|"
    r"(?:was|were|been) (?:always |constantly |still )?\w+ing\b",
    re.IGNORECASE,
)
_RESULT = re.compile(
    r"改善|短縮|削減|向上|減った|減少|増えた|増加|なった|できた|達成|解決|承認|採用|好評|喜ば|感謝|評価|"
    r"dropped|reduced|improved|increased|decreased|faster|cheaper|since|now|useful|helped|saved|"
    r"resolved|approved|achieved|enabled|no longer|haven't|fewer|less",
    re.IGNORECASE,
)
_DID = re.compile(
    r"\b(?:\w{3,}ed|rewrote|wrote|built|led|made|set up|split|shipped|drove|began|started)\b", re.IGNORECASE
)
_CLAUSE_JA = re.compile(
    r"[。．！？!?\n]|、|して(?![いおるたくま])|たところ|した結果|したことで|→(?!\s*[\d約~])"
)
_CLAUSE_EN = re.compile(r"[.!?](?=\s|$)|;|,(?=\s)|\n|(?:→|->)(?!\s*[\d~])")
_LEAD = re.compile(
    r"^\s*(?:あと|また|それと|それから|ちなみに|そこで|なので|でも|(?:その)?結果(?:として|的に)?|also|and|so|then|but|plus)\b\s*[、,]?\s*",
    re.IGNORECASE,
)
_CAUSE_TAIL = re.compile(r"(?<=た)(?:結果|ところ|が|けど)$|(?<=した)ことで$")
_WAS_JA = re.compile(
    r"(?:ていた|てた|でいた|ていました|だった|でした|かった)(?:が|けど|ので|ため)?[。．.、,]?\s*$"
)
_DONE_JA = re.compile(
    r"(?:(?<!か)(?:た|ている|てる|ています|ました)[。．.!！]?|[\u4e00-\u9fffァ-ヶー]し[、,]?)\s*$"
)
_CONTINUATION = re.compile(
    r"^(?:→|=>|その結果|結果|結果的に|おかげで|so\b|which\b|as a result|resulting|then\b)", re.IGNORECASE
)

# --------------------------------------------------------------------------- topic words

_KATAKANA = re.compile(r"[ァ-ヶー]{2,}")
_KANJI = re.compile(r"[\u4e00-\u9fff]{2,}")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9+#]{2,}")
_GENERIC = {
    "改善",
    "実装",
    "対応",
    "作業",
    "時間",
    "削減",
    "短縮",
    "導入",
    "実施",
    "向上",
    "担当",
    "今週",
    "今月",
    "先週",
    "先月",
    "毎回",
    "結果",
    "成果",
    "課題",
    "状況",
    "行動",
    "自分",
    "チーム",
    "the",
    "and",
    "for",
    "with",
    "this",
    "that",
    "from",
    "was",
    "were",
    "our",
    "into",
    "has",
    "have",
    "had",
    "not",
    "are",
}


def _topic_words(text: str) -> set[str]:
    words = set(_KATAKANA.findall(text))
    for run in _KANJI.findall(text):
        words.update(run[i : i + 2] for i in range(len(run) - 1))
    words.update(english_stem(w.lower()) for w in _WORD.findall(text) if w.lower() not in _GENERIC)
    return words - _GENERIC


# --------------------------------------------------------------------------- units of text


@dataclass
class _Unit:
    """One piece of the notes (a list item with its sub-lines, a message, a paragraph, a table).

    `mine` is False for a chat message by someone else: context for the situation, never an
    action or result of mine.
    """

    start: int
    end: int
    kind: str
    label: Part | None = None
    speaker: str = ""
    level: int = 0
    mine: bool = True


@dataclass
class _Group:
    units: list[_Unit] = field(default_factory=list)
    title: str = ""  # the heading of the section it is the only piece of work of

    @property
    def labels(self) -> set[Part]:
        return {u.label for u in self.units if u.label}


def _author(lines: list[Line]) -> str:
    """The speaker who wrote the notes: a name such as `me`/`自分`, else the one with most lines."""
    speakers = [line.speaker for line in lines if line.kind == "chat" and line.speaker]
    if not speakers:
        return ""
    named = next((s for s in speakers if s in ME_NAMES), "")
    return named or max(dict.fromkeys(speakers), key=speakers.count)


def _units(text: str) -> list[_Unit]:
    """The notes' lines (from the Markdown structure) joined into units; code is skipped."""
    lines = read_lines(text)
    me = _author(lines)
    units: list[_Unit] = []
    previous_line: Line | None = None
    for line in lines:
        kind, offset = line.kind, line.start
        body = text[line.start : line.end]
        after_previous = previous_line is not None and previous_line.number == line.number - 1
        previous_line = line
        if kind == "code":
            continue
        if kind in ("heading", "title"):
            units.append(_Unit(line.start, line.end, "heading"))
            continue
        if kind == "table":
            if units and units[-1].kind == "table" and after_previous:
                units[-1].end = line.end
            else:
                units.append(_Unit(line.start, line.end, "table"))
            continue
        if kind == "more" and units and units[-1].kind not in ("heading", "table"):
            units[-1].end = line.end
            continue
        if kind == "more":
            kind = "prose"
        label = _LABEL.match(text, offset, line.end)
        part = _LABEL_PART[label.group("label").lower()] if label else None
        if label:
            offset = label.end()
        continues = (
            units
            and not line.blank_before
            and kind == "prose"
            and part is None
            and units[-1].kind in ("prose", "paragraph")
            and not CHAT_LINE.match(body)
        )
        if continues:
            units[-1].end = line.end
        elif offset < line.end:
            mine = not (kind == "chat" and line.speaker and me and line.speaker != me)
            unit_kind = "paragraph" if kind == "prose" and line.blank_before else kind
            units.append(_Unit(offset, line.end, unit_kind, part, line.speaker, line.level, mine))
    return units


_ASIDE = re.compile(r"[(（][^()（）\n]*[)）]")


def _is_plan(body: str, language: Language) -> bool:
    """A plan, TODO or pending item: it belongs in the "next" list, not in an achievement.

    Markers first (`next:`, `来週は`, `予定`, `blocked`); for Japanese, the last predicate's
    tense too: a wish (`…したい`) or a plain non-past with a future time word (`明日…共有します`).
    """
    folded = fold(body).strip()
    if OPEN_TASK.match(folded):
        return True  # an unchecked task-list item is not done, whatever its verb says
    # An aside in brackets (`（日割りの見込み、請求画面で確認）`) notes how a figure was read, not what comes next.
    said = _ASIDE.sub(" ", folded)
    if PLAN_LEAD.match(folded) or PLAN_ANYWHERE.search(said) or PENDING.search(said):
        return True
    if language == "en" or not has_japanese(folded):
        return False
    tail = re.split(r"(?<=[。！？!?])", folded.rstrip("。！？!? "))[-1][-160:]
    tense = predicate_tense(tail)
    return tense in ("wish", "plan") or (tense == "present" and bool(FUTURE_TIME.search(tail)))


def _split_plans(text: str, unit: _Unit, language: Language) -> tuple[_Unit | None, list[str]]:
    """The unit without its plan sentences at the end, and those plan sentences."""
    body = text[unit.start : unit.end]
    if len(body) > 2000:
        return unit, []  # a huge paste line: keep linear, read it as it is
    marker = text[text.rfind("\n", 0, unit.start) + 1 : unit.start]  # the list marker read off the line
    if OPEN_TASK.match(marker + body) and unit.kind != "paragraph":
        return None, [_tidy(body)]
    if _is_plan(body.split("\n", 1)[0], language) and unit.kind != "paragraph":
        return None, [_tidy(body)]
    pieces = [p for p in SENTENCE_END.split(body) if p and p.strip()]
    plans: list[str] = []
    while pieces and _is_plan(pieces[-1], language):
        plans.insert(0, _tidy(pieces.pop()))
    if not pieces:
        return None, plans
    if plans:
        end = unit.start + body.rfind(pieces[-1], 0, len(body) - len("".join(plans))) + len(pieces[-1])
        return replace(unit, end=end), plans
    return unit, []


_BLOCK_LABEL = re.compile(
    r"^\s*(?:before|after|改善前|改善後|導入前|導入後|変更前|変更後|対応前|対応後|以前|現在|results?|結果|成果|効果"
    r"|impact|metrics?|数値|指標)\s*[:：]?\s*$",
    re.IGNORECASE,
)


def _sections(text: str, units: list[_Unit], language: Language) -> tuple[list[_Group], list[str]]:
    """Units into achievements; plans, pending items and chatter into the "next" list or dropped."""
    groups: list[_Group] = []
    plans: list[str] = []
    current = _Group()
    previous: _Unit | None = None
    section_title = ""
    plan_section = False
    section_start = 0

    def close() -> None:
        nonlocal current
        if current.units:
            groups.append(current)
        current = _Group()

    for position, unit in enumerate(units):
        body = text[unit.start : unit.end]
        if _leads_list(text, unit, units[position + 1] if position + 1 < len(units) else None):
            unit = _Unit(unit.start, unit.end, "heading")
        if unit.kind == "heading" and not _BLOCK_LABEL.match(body):
            close()
            _title_section(groups, section_start, section_title)
            section_start, previous = len(groups), None
            section_title = body.strip(" *#:：")
            plan_section = bool(PLAN_HEADING.match(fold(section_title)))
            continue
        if unit.kind == "heading":
            unit = _Unit(unit.start, unit.end, "label")
        if plan_section:
            plans.append(_tidy(body))
            continue
        if unit.kind == "chat" and CHATTER.match(fold(body)):
            continue
        if unit.kind not in ("table", "label"):
            kept, found = _split_plans(text, unit, language)
            plans += found
            if kept is None:
                continue
            unit = kept
        if (
            unit.kind == "numbered"
            and unit.level == 0
            and current.units
            and _lead_in(text, current, language)
        ):
            current = _Group()  # `前回からのアップデートです。` before a numbered list introduces it
        if current.units and _starts_new(text, current, unit, previous, _specific(section_title)):
            close()
        current.units.append(unit)
        previous = unit
    close()
    _title_section(groups, section_start, section_title)
    return _fold_context(text, groups, language), [p for p in plans if p]


def _fold_context(text: str, groups: list[_Group], language: Language) -> list[_Group]:
    """A group that does nothing and reports nothing (a problem, a context note) is no piece of
    work: it joins the work before it, or the first one after it, as its situation."""
    doing = [any(_achieves(text[u.start : u.end], language) for u in g.units) for g in groups]
    if all(doing) or not any(doing):
        return groups
    kept: list[_Group] = []
    waiting: list[_Unit] = []
    for group, does in zip(groups, doing, strict=True):
        if does:
            if waiting:
                group.units[:0] = [replace(u, label="situation") for u in waiting]
                waiting = []
            kept.append(group)
        elif kept:
            kept[-1].units += [replace(u, label="situation") for u in group.units]
        else:
            waiting += group.units
    return kept


def _lead_in(text: str, group: _Group, language: Language) -> bool:
    """A lone short paragraph that does no work itself: it introduces the list that follows."""
    if len(group.units) != 1 or group.units[0].kind not in ("paragraph", "prose"):
        return False
    body = text[group.units[0].start : group.units[0].end]
    return len(body) <= 80 and "\n" not in body.strip() and not _achieves(body, language)


def _leads_list(text: str, unit: _Unit, following: _Unit | None) -> bool:
    """A one-line paragraph right above a list (no blank line between) is the list's heading."""
    if (
        following is None
        or unit.kind not in ("paragraph", "prose")
        or following.kind not in ("bullet", "numbered")
    ):
        return False
    body = text[unit.start : unit.end]
    if "\n" in body or len(body) > 80 or following.level != 0 or re.search(r"[。.!?！？]\s*$", body):
        return False
    gap = text[unit.end : following.start]
    language = detect_language(body)
    return gap.count("\n") == 1 and not find_metrics(body) and not _achieves(body, language)


def _specific(title: str) -> bool:
    """A heading that names a piece of work (`検索の高速化`), not a period or a kind of notes."""
    return (
        bool(title)
        and len(_GENERIC_STRIP.sub("", GENERIC_HEADING.sub("", title))) >= 2
        and not (
            GENERIC_HEADING.search(title)
            and len(title) <= 40
            and not re.search(r"[\u4e00-\u9fff]{3,}|[A-Z]{2,}", title)
        )
    )


def _title_section(groups: list[_Group], start: int, title: str) -> None:
    """A section holding one piece of work gives it its heading as title, unless it is generic."""
    if len(groups) - start == 1 and _specific(title):
        groups[start].title = title


_GENERIC_STRIP = re.compile(r"[\W\d_]+")


def _starts_new(
    text: str, group: _Group, unit: _Unit, previous: _Unit | None, in_section: bool = False
) -> bool:
    body = text[unit.start : unit.end]
    if unit.kind in ("table", "label"):
        return False  # a table or a `Before:` label reports on the work above it
    if not unit.mine:
        return False  # someone else's message is context of the thread
    if previous is not None and previous.kind in ("label", "table") and unit.kind != "numbered":
        return False  # the values under a `Before:` label
    if previous is not None and unit.level > 0 and unit.level >= previous.level:
        return False  # sub-items detail the item they are under
    if unit.label is not None:
        # labelled lines belong to one entry until a part repeats (a second 状況: starts the next)
        if not group.labels:
            group_language = detect_language(body)
            return any(_achieves(text[u.start : u.end], group_language) for u in group.units)
        return unit.label in group.labels and not (previous is not None and previous.label == unit.label)
    if group.labels and unit.kind in ("paragraph", "numbered", "bullet", "chat"):
        return not _metric_only(body)
    if _CONTINUATION.match(body.strip()):
        return False
    if previous is not None and unit.level > previous.level:
        return False  # a sub-item details the item above it
    if previous is not None and unit.kind == "chat" and previous.kind == "chat" and not _LEAD.match(body):
        return False  # one thread of messages is one piece of work, until `あと、…` / `also …`
    if _metric_only(body):
        return _another_result(text, group, body)
    if len(_LETTERS.sub("", body)) <= 20 and value_roles(body):
        return False  # `now 3.1%` / `以前は5日`: a value told as before or after, of the work above
    if _reports_only(text, group, body):
        return False  # `p99 dropped from 850ms to 210ms` under the fix it came from
    group_text = " ".join(text[u.start : u.end] for u in group.units)
    language = detect_language(group_text)
    if not _achieves(body, language) or not any(
        _achieves(text[u.start : u.end], language) for u in group.units
    ):
        return False  # context, or a group that so far only tells the situation
    if unit.kind == "numbered":
        return True
    if in_section and unit.kind == "bullet" and unit.level == 0:
        return False  # the items under one heading tell one piece of work
    if unit.kind == "paragraph":
        return True
    if unit.kind == "prose":
        return False
    return not (_topic_words(body) & _topic_words(group_text))


# A goal stated for the work (`目標はp99 300ms以下`) is part of that work, never a piece of its own.
_GOAL = re.compile(r"目標|目指|めざ|ターゲット|target|goal|aim\b|objective|SLO", re.IGNORECASE)


_LETTERS = re.compile(r"[\W\d_]+")
# A result line that names its own cause (`after adding retries`, `…を導入したことで`) is its own work.
_OWN_CAUSE = re.compile(
    r"\b(?:after|by|with|via|through|thanks to|since)\s+(?:the\s+)?\w+ing\b|\bsince (?:we|i)\b"
    r"|(?:した|して|導入し|追加し|入れ)(?:ことで|結果|たら|から)|のおかげで",
    re.IGNORECASE,
)


def _reports_only(text: str, group: _Group, body: str) -> bool:
    """A line that reports a before→after result and does nothing itself, under the work it came from."""
    language = detect_language(body)
    if _OWN_CAUSE.search(body) or not any(not m.delta for m in find_metrics(body, language)):
        return False
    if any(
        _classify(body[s:e], language, holds_result=False) == "action"
        for s, e in _clauses(body, 0, len(body), language)
    ):
        return False
    return any(
        _classify(text[s:e], language, holds_result=False) == "action"
        for unit in group.units
        for s, e in _clauses(text, unit.start, unit.end, language)
    )


def _achieves(body: str, language: Language) -> bool:
    """The text tells something done or a result (an action, a result, or a number that changed)."""
    if find_metrics(body, language):
        return True
    return any(
        _classify(body[s:e], language, holds_result=False) in ("action", "result")
        or (_classify(body[s:e], language, holds_result=False) == "task" and not _GOAL.search(body[s:e]))
        for s, e in _clauses(body, 0, len(body), language)
    )


def _metric_only(body: str) -> bool:
    """A line that only reports numbers (`月額 45万円 → 30万円`) belongs to the work above it."""
    matches = [m for m in find_metrics(body) if not m.delta]
    if not matches:
        return False
    rest = body
    for match in matches:
        rest = rest.replace(match.metric.source, " ")
    if _ACTION_JA.search(rest) or _DID.search(rest):
        return False
    return len(re.sub(r"[\W\d_]", "", rest)) <= 16


_WHOLE_RESULT = re.compile(
    r"を.{0,40}に(?:[\u4e00-\u9fff]{2}|増や|減ら|下げ|上げ|抑え|伸ば|縮め)|"
    r"^\s*(?:cut|reduced|improved|raised|increased|decreased|lowered|shortened|sped up|brought)\b",
    re.IGNORECASE,
)


def _another_result(text: str, group: _Group, body: str) -> bool:
    """`・CIのビルド時間を4時間→35分に短縮` after a result on another topic is a second piece of work.

    Only a whole sentence (an object and a verb of change) after a group that already holds its
    own before→after counts; a bare line of numbers (`p95 900ms→250ms`) stays with the work above.
    """
    if not _WHOLE_RESULT.search(body):
        return False
    group_text = " ".join(text[u.start : u.end] for u in group.units)
    if not any(not m.delta for m in find_metrics(group_text)):
        return False
    return not (_topic_words(body) & _topic_words(group_text))


# --------------------------------------------------------------------------- STAR


def _classify(
    clause: str, language: Language, holds_result: bool | None = None, holds_before: bool = False
) -> Part | None:
    """The STAR part of one clause.

    A clause holding only the *before* value of a metric (`40分かかっていた`, `p99 was 900ms`) is
    the situation; one holding the after value or a stated change is the result.
    """
    clause = _LEAD.sub("", clause.strip())
    if _TARGET.search(clause):
        return "task"
    if holds_result if holds_result is not None else bool(find_metrics(clause, language)):
        return "result"
    if holds_before:
        return "situation"
    if _ACTION_JA.search(clause) or _ACTION_EN.search(clause):
        return "action"
    if _PROBLEM.search(clause):
        return "situation"
    if _RESULT.search(clause):
        return "result"
    if language == "ja" and _WAS_JA.search(clause):
        return "situation"  # 殺到していた: how things were before
    if language == "ja" and _DONE_JA.search(clause):
        return "action"
    return None


def _clauses(text: str, start: int, end: int, language: Language) -> list[tuple[int, int]]:
    pattern = _CLAUSE_JA if language == "ja" else _CLAUSE_EN
    folded = fold(text[start:end])
    spans = []
    cursor = 0
    for match in pattern.finditer(folded):
        if match.end() > cursor:
            spans.append((start + cursor, start + match.end()))
            cursor = match.end()
    if cursor < len(folded):
        spans.append((start + cursor, end))
    return [(s, e) for s, e in spans if text[s:e].strip(" 、。,.;\n\t")]


def _tidy(fragment: str) -> str:
    fragment = " ".join(line.strip() for line in fragment.splitlines() if line.strip())
    fragment = _LEAD.sub("", fragment.strip(" 、,;→")).rstrip(" →")
    return _CAUSE_TAIL.sub("", fragment)  # 最適化した結果 → 最適化した


@dataclass
class _Draft:
    parts: dict[Part, list[str]] = field(default_factory=lambda: {p: [] for p in PARTS})
    first_clause: str = ""


def _star(text: str, group: _Group, language: Language, matches: list[MetricMatch], offset: int) -> _Draft:
    """Each clause of the group into its STAR part; `matches` index into the text from `offset`."""
    result_at = sorted(offset + m.after_at for m in matches)
    before_at = sorted(offset + m.before_at for m in matches if m.before_at >= 0)
    draft = _Draft()
    for unit in group.units:
        if unit.label is not None:
            draft.parts[unit.label].append(_tidy(text[unit.start : unit.end]))
            draft.first_clause = draft.first_clause or _tidy(text[unit.start : unit.end])
            continue
        last: Part | None = None
        pending: list[str] = []
        for start, end in _clauses(text, unit.start, unit.end, language):
            clause = text[start:end]
            draft.first_clause = draft.first_clause or _tidy(clause)
            holds_result = _holds(result_at, start, end)
            holds_before = _holds(before_at, start, end)
            part = _classify(clause, language, holds_result, holds_before)
            if part is None:
                if last is None:
                    pending.append(clause)
                    continue
                part = last
            if pending:
                clause = "".join(pending) + clause
                pending = []
            if last == part and draft.parts[part]:
                draft.parts[part][-1] = _join(draft.parts[part][-1], clause, language)
            else:
                draft.parts[part].append(_tidy(clause))
            last = part
        if pending:
            leftover = _tidy("".join(pending))
            target: Part = "situation" if not any(draft.parts.values()) else (last or "situation")
            draft.parts[target].append(leftover)
    return draft


def _holds(positions: list[int], start: int, end: int) -> bool:
    """Any of the sorted `positions` in [start, end): a bisection, so long notes stay linear."""
    index = bisect.bisect_left(positions, start)
    return index < len(positions) and positions[index] < end


def _join(head: str, clause: str, language: Language) -> str:
    clause = _tidy(clause)
    if language == "ja":
        return (
            head + ("" if head.endswith(("。", "、")) else "、") + clause
            if not head.endswith("して")
            else head + clause
        )
    return f"{head.rstrip('.')}; {clause}" if head else clause


# `…を導入して` / `…を統合し` cut at a clause boundary, told in the past: `…を導入した`
_OPEN_TE_JA = re.compile(r"(?:して|(?<=[\u4e00-\u9fff])し)$")


_UNPAIRED_CLOSE = re.compile(r"[)）]+$")


def _close_te(text: str) -> str:
    """`…を導入して` cut at a clause boundary reads `…を導入した`; a noun (`呼び出し`) stays."""
    if not _OPEN_TE_JA.search(text):
        return text
    if text.endswith("し") and not text.endswith("して"):
        words = analyse(text[-12:])
        if words and words[-1].major == "名詞":
            return text
    return _OPEN_TE_JA.sub("した", text)


def _part_text(parts: list[str], language: Language) -> str:
    sep = "。" if language == "ja" else ". "
    if language == "ja":
        parts = [_close_te(p.rstrip("。、")) for p in parts]
    joined = sep.join(p.rstrip("。.") for p in parts if p)
    return joined + ("。" if language == "ja" and joined else "")


# --------------------------------------------------------------------------- statement, questions

_METRIC_HINTS: list[tuple[re.Pattern[str], str, str]] = [
    (
        re.compile(r"レイテンシ|レスポンス|速度|遅|latency|response|slow|speed", re.I),
        "改善前後のレイテンシ",
        "latency before and after",
    ),
    (
        re.compile(r"コスト|費用|料金|円|cost|spend|bill", re.I),
        "改善前後の月額コスト",
        "monthly cost before and after",
    ),
    (
        re.compile(r"エラー|失敗|障害|error|fail|incident|outage", re.I),
        "改善前後のエラー率や障害件数",
        "error rate or incident count before and after",
    ),
    (
        re.compile(r"ドキュメント|手順書|資料|wiki|doc", re.I),
        "問い合わせ件数や参照回数、立ち上がりにかかる日数の変化",
        "fewer questions, page views, or days to onboard",
    ),
    (
        re.compile(r"ペア|メンター|新人|新卒|育成|オンボーディング|pair|mentor|junior|onboard", re.I),
        "相手が独力でこなせるようになった作業の数や、立ち上がりにかかる期間の変化",
        "tasks they now do alone, or how much faster they ramped up",
    ),
    (re.compile(r"会議|定例|meeting", re.I), "削減できた会議時間(週あたり)", "meeting hours saved per week"),
    (
        re.compile(r"デプロイ|リリース|deploy|release|build|CI", re.I),
        "所要時間や頻度の改善前後",
        "duration or frequency before and after",
    ),
]


def _metric_question(entry_text: str, language: Language) -> str:
    index = 0 if language == "ja" else 1
    fallback = message("star.default_hint", language)
    hint = next((h[index + 1] for h in _METRIC_HINTS if h[0].search(entry_text)), fallback)
    return message("star.metric_question", language, hint=hint)


def _metric_phrase(match: MetricMatch, language: Language) -> str:
    metric = match.metric
    pct = metric.change_pct
    before, after = _with_shared_unit(fold(match.before_text), fold(match.after_text))
    name = metric.name
    if language == "en" and name[:1].isupper() and name[1:2].islower():
        name = name[0].lower() + name[1:]
    if language == "ja":
        phrase = f"{name}を{before}→{after}に"
        if pct is None:
            return phrase + "変更"
        shrink = pct < 0
        verb = (
            "短縮"
            if shrink and unit_scale(metric.unit)[0].startswith("time")
            else "改善"
            if shrink
            else "向上"
        )
        return f"{phrase}{verb}({display_pct(pct)}%{'削減' if shrink else '増'})"
    if pct is None:
        return f"Changed {name} from {before} to {after}"
    verb = "Cut" if pct < 0 else "Raised"
    sign = "-" if pct < 0 else "+"
    return f"{verb} {name} from {before} to {after} ({sign}{display_pct(pct)}%)"


_BARE_NUMBER = re.compile(r"[\d,.]+")
_LEADING_NUMBER = re.compile(r"(?P<pre>\D*?)(?P<num>\d[\d,.]*)(?P<unit>.*)")


def _with_shared_unit(before: str, after: str) -> tuple[str, str]:
    """`320→180ms` reads as 320ms→180ms; `4 nodes instead of 12` as 12 nodes → 4 nodes."""
    for bare, other in ((before, after), (after, before)):
        if _BARE_NUMBER.fullmatch(bare):
            parts = _LEADING_NUMBER.fullmatch(other)
            if parts and parts.group("unit").strip():
                completed = bare + parts.group("unit")
                return (completed, after) if bare is before else (before, completed)
    return before, after


def _delta_phrase(text: str, match: MetricMatch, language: Language) -> str:
    """A stated change is told in the notes' own clause (`待ち時間を週2時間削減`)."""
    pattern = _CLAUSE_JA if language == "ja" else _CLAUSE_EN
    window = max(0, match.start - 300)  # a clause is short: look only this far back and ahead
    folded = fold(text[window : match.end + 300])
    starts = [0] + [m.end() for m in pattern.finditer(folded, 0, match.start - window)]
    start = window + starts[-1]
    end_match = pattern.search(folded, match.end - window)
    end = window + end_match.start() if end_match else min(len(text), match.end + 300)
    return _tidy(text[start:end])


def question_for(part: MissingPart, text: str, language: Language) -> str:
    """The question that fills a missing part; the metric one gives an example fitting the work."""
    if part == "metric":
        return _metric_question(text, language)
    return message(f"star.question.{part}", language)


def statement_for(text: str, matches: list[MetricMatch], language: Language) -> str:
    """The one-line statement built from metrics found in `text` (matches index into `text`)."""
    phrases = [_metric_phrase(m, language) for m in matches if not m.delta][:2]
    deltas = [m for m in matches if m.delta][: max(0, 2 - len(phrases))]
    phrases += [_delta_phrase(text, m, language) for m in deltas]
    if language == "en":
        phrases = phrases[:1] + [p[:1].lower() + p[1:] for p in phrases[1:]]
    return ("、" if language == "ja" else "; ").join(phrases)


def _statement(text: str, matches: list[MetricMatch], draft: _Draft, language: Language) -> str:
    statement = statement_for(text, matches, language)
    if statement:
        return statement
    summary = (draft.parts["action"] or draft.parts["result"] or [draft.first_clause])[0]
    summary = summary.rstrip("。.")
    if language == "ja":
        return f"{summary}(効果: [N])"
    return f"{summary[:1].upper()}{summary[1:]} (impact: [N])"


def _metric_title(match: MetricMatch, language: Language) -> str:
    pct = match.metric.change_pct
    if language == "ja":
        return f"{match.metric.name}の" + ("改善" if pct is None or pct < 0 else "向上")
    return ("Improved " if pct is None else "Cut " if pct < 0 else "Raised ") + match.metric.name


def _title(draft: _Draft, matches: list[MetricMatch], language: Language) -> str:
    source = (
        draft.parts["action"] or draft.parts["result"] or draft.parts["situation"] or [draft.first_clause]
    )[0]
    if not draft.parts["action"] and matches and not matches[0].delta:
        source = _metric_title(matches[0], language)
    title = re.split(r"。|\.\s", source.strip(), maxsplit=1)[0]
    title = title[:200].rstrip("、。., \t\n")
    if language == "ja":
        title = _close_te(title)
    title = _UNPAIRED_CLOSE.sub("", title) if title.count("(") + title.count("（") == 0 else title
    title = re.sub(r"^(?:I|We)\s+", "", title)
    title = _short_title(title, language)
    return title[:1].upper() + title[1:] if language == "en" else title


def build_entry(body: str, matches: list[MetricMatch], draft: _Draft, language: Language) -> StarEntry:
    missing: list[MissingPart] = [p for p in PARTS if not draft.parts[p]]
    if not matches:
        missing.append("metric")
    questions = [question_for(p, body, language) for p in missing]
    if "metric" not in missing and all(m.delta for m in matches):
        questions.append(
            message(
                "star.before_question", language, name=matches[0].metric.name.split("(")[0].split(" (")[0]
            )
        )
    return StarEntry(
        title=_title(draft, matches, language),
        situation=_part_text(draft.parts["situation"], language),
        task=_part_text(draft.parts["task"], language),
        action=_part_text(draft.parts["action"], language),
        result=_part_text(draft.parts["result"], language),
        statement=_statement(body, matches, draft, language),
        metrics=[m.metric for m in matches],
        missing=missing,
        questions=questions,
    )


def _is_caption(body: str, group: _Group, language: Language) -> bool:
    """A lone short line such as `weekly notes` / `今週` titles the notes; it is no piece of work.

    An item of a list (bullet, numbered, message) is a piece of work however short.
    """
    if len(group.units) > 1 or group.units[0].kind not in ("paragraph", "prose"):
        return False
    if "\n" in body.strip():
        return False
    if len(body.strip()) <= 60 and GENERIC_HEADING.search(body) and not _achieves(body, language):
        return True  # `Sprint 12 (Feb 2 – Feb 13) — my items`: when and whose, not what
    if len(body.strip()) > 24 or any(ch.isdigit() for ch in body):
        return False
    return _classify(body, language, holds_result=False) is None


def extract_entries(text: str, language: Language | None = None) -> list[StarEntry]:
    """One STAR entry per piece of work in `text`; deterministic, no network."""
    return read_notes(text, language).entries


@dataclass(frozen=True)
class NotesReading:
    """The achievements of some notes, and the plans/TODOs they mention (not achievements)."""

    entries: list[StarEntry]
    next: list[str] = field(default_factory=list)


def read_notes(text: str, language: Language | None = None) -> NotesReading:
    """Notes → achievements (one STAR entry per piece of work) and the "next" list of plans."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    language = language or detect_language(text)
    groups, plans = _sections(text, _units(text), language)
    entries = []
    for group in groups:
        start, end = group.units[0].start, group.units[-1].end
        body = text[start:end]
        if _is_caption(body, group, language):
            continue
        spans = [(u.start - start, u.end - start) for u in group.units]
        matches = [
            m
            for m in find_metrics(body, language)
            if all(any(a <= at < b for a, b in spans) for at in (m.before_at, m.after_at) if at >= 0)
        ]
        draft = _star(text, group, language, matches, start)
        entry = build_entry(body, matches, draft, language)
        title = group.title or _parent_item(text, group)
        if title:
            entry = entry.model_copy(update={"title": _short_title(title, language)})
        entries.append(entry)
    return NotesReading(entries, plans)


def _parent_item(text: str, group: _Group) -> str:
    """A list item with sub-items under it names the work they detail (`1. 注文APIの高速化`)."""
    first = group.units[0]
    if first.kind not in ("bullet", "numbered") or not any(u.level > first.level for u in group.units[1:]):
        return ""
    body = text[first.start : first.end].strip()
    return body if len(body) <= 60 and "\n" not in body else ""


def _short_title(title: str, language: Language) -> str:
    limit = 40 if language == "ja" else 70
    return title if len(title) <= limit else _cut(title, limit)


_PARTIAL_TAIL = re.compile(r"[\w.,:/-]+$")


def _cut(title: str, limit: int) -> str:
    """`title` cut to `limit` with an ellipsis, never inside a word or a number (`2026-03-…`)."""
    head = title[: limit - 1]
    if title[limit - 1 : limit].isalnum() and head[-1:].isalnum() and head.isascii():
        head = _PARTIAL_TAIL.sub("", head) or head
    elif title[limit - 1 : limit].isdigit() and head[-1:].isdigit():
        head = re.sub(r"[\d.,:/-]+$", "", head) or head
    return head.rstrip(" 、,") + "…"
