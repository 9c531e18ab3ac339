"""Offline STAR rewriting: split notes into achievements, sort each clause into S/T/A/R.

Deterministic and local. Every field of an entry is a piece of the user's own text or a
template filled with the user's numbers and code-computed percentages; a missing part becomes
a question, never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from coach.models import Language, MissingPart, StarEntry
from coach.rules.metrics import MetricMatch, find_metrics
from coach.text.language import detect_language
from coach.text.normalize import fold
from coach.text.numbers import display_pct, unit_scale

Part = Literal["situation", "task", "action", "result"]
PARTS: tuple[Part, ...] = ("situation", "task", "action", "result")

# --------------------------------------------------------------------------- line kinds

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s")
_NUMBERED = re.compile(r"^\s*(?:[(（]\d{1,2}[)）]|\d{1,2}[).、）]|\d{1,2}\.(?=\s)|[①-⑳])\s*")
_BULLET = re.compile(r"^\s*(?:[-*+・•●◦▪■□◆◇>]|- \[[ xX]\]|\[[ xX]\])\s*")
_SLACK = re.compile(r"^\s*\[\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AaPp][Mm])?\]\s*(?P<who>[^:：\n]{1,40})[:：]\s*")
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
_INTRO = re.compile(r"^[^\d。.]{1,30}[:：]\s*$")

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
    r"ようにした|にした|変更|設定し|貼り直|入れた|(?<!悪)化し|用意|変え|加え|分け|止め|停止|棚卸|調整|計測|用い|使っ|作業し|発表|登壇|面接|執筆"
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
    r"^\s*(?:あと|また|それと|それから|ちなみに|そこで|なので|でも|also|and|so|then|but|plus)\b\s*[、,]?\s*",
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
    words = {w for w in _KATAKANA.findall(text) if w != "ー"}
    for run in _KANJI.findall(text):
        words.update(run[i : i + 2] for i in range(len(run) - 1))
    words.update(w.lower().removesuffix("s") for w in _WORD.findall(text))
    return words - _GENERIC


# --------------------------------------------------------------------------- units of text


@dataclass
class _Unit:
    """One line-level piece of the notes (a bullet, a numbered item, a message, a paragraph)."""

    start: int
    end: int
    kind: str
    label: Part | None = None
    speaker: str = ""


@dataclass
class _Group:
    units: list[_Unit] = field(default_factory=list)

    @property
    def labels(self) -> set[Part]:
        return {u.label for u in self.units if u.label}


def _units(text: str) -> list[_Unit]:
    units: list[_Unit] = []
    position = 0
    blank_before = True
    for line in text.splitlines(keepends=True):
        line_start, position = position, position + len(line)
        body = line.rstrip("\n")
        if not body.strip():
            blank_before = True
            continue
        kind, offset, speaker = "prose", 0, ""
        if _HEADING.match(body) or _INTRO.match(body):
            kind = "heading"
        elif marker := _SLACK.match(body):
            kind, offset, speaker = "slack", marker.end(), marker.group("who").strip().lower()
        elif marker := _NUMBERED.match(body):
            kind, offset = "numbered", marker.end()
        elif marker := _BULLET.match(body):
            kind, offset = "bullet", marker.end()
        label = _LABEL.match(body, offset)
        part = _LABEL_PART[label.group("label").lower()] if label else None
        if label:
            offset = label.end()
        start = line_start + offset
        end = line_start + len(body.rstrip())
        continues = (
            units
            and not blank_before
            and kind == "prose"
            and part is None
            and units[-1].kind != "heading"
            and (units[-1].kind in ("prose", "paragraph") or body[:1] in " \t\u3000")
        )
        if continues:
            units[-1].end = end
        elif start < end:
            units.append(
                _Unit(start, end, "paragraph" if kind == "prose" and blank_before else kind, part, speaker)
            )
        blank_before = False
    return units


def _groups(text: str, units: list[_Unit]) -> list[_Group]:
    groups: list[_Group] = []
    current = _Group()
    previous: _Unit | None = None
    for unit in units:
        if unit.kind == "heading":
            if current.units:
                groups.append(current)
            current, previous = _Group(), None
            continue
        if current.units and _starts_new(text, current, unit, previous):
            groups.append(current)
            current = _Group()
        current.units.append(unit)
        previous = unit
    if current.units:
        groups.append(current)
    return groups


def _starts_new(text: str, group: _Group, unit: _Unit, previous: _Unit | None) -> bool:
    body = text[unit.start : unit.end]
    if unit.label is not None:
        # labelled lines belong to one entry until a part repeats (a second 状況: starts the next)
        if not group.labels:
            return True
        return unit.label in group.labels and not (previous is not None and previous.label == unit.label)
    if group.labels and unit.kind in ("paragraph", "numbered", "bullet", "slack"):
        return not _metric_only(body)
    if _CONTINUATION.match(body.strip()):
        return False
    if previous is not None and _indent(text, unit) > _indent(text, previous):
        return False  # a sub-item details the item above it
    if _metric_only(body):
        return _another_result(text, group, body)
    if unit.kind in ("paragraph", "numbered"):
        return True
    if unit.kind == "prose":
        return False
    if _replies(unit, previous) and not _LEAD.match(body):
        return False
    group_text = " ".join(text[u.start : u.end] for u in group.units)
    language = detect_language(group_text)
    if all(_classify(text[u.start : u.end], language) == "situation" for u in group.units):
        return False
    return not (_topic_words(body) & _topic_words(group_text))


def _indent(text: str, unit: _Unit) -> int:
    line_start = text.rfind("\n", 0, unit.start) + 1
    line = text[line_start : unit.start].expandtabs(4)
    return len(line) - len(line.lstrip())


def _replies(unit: _Unit, previous: _Unit | None) -> bool:
    """A message answering the one before it (another speaker) is part of the same thread."""
    return (
        previous is not None
        and unit.kind == previous.kind == "slack"
        and bool(unit.speaker)
        and unit.speaker != previous.speaker
    )


def _metric_only(body: str) -> bool:
    """A line that only reports numbers (`月額 80万円 → 52万円`) belongs to the work above it."""
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

    A clause holding only the *before* value of a metric (`2時間かかっていた`, `p95 was 850ms`) is
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
    result_at = [offset + m.after_at for m in matches]
    before_at = [offset + m.before_at for m in matches if m.before_at >= 0]
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
            holds_result = any(start <= at < end for at in result_at)
            holds_before = any(start <= at < end for at in before_at)
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


def _part_text(parts: list[str], language: Language) -> str:
    sep = "。" if language == "ja" else ". "
    if language == "ja":
        parts = [_OPEN_TE_JA.sub("した", p.rstrip("。、")) for p in parts]
    joined = sep.join(p.rstrip("。.") for p in parts if p)
    return joined + ("。" if language == "ja" and joined else "")


# --------------------------------------------------------------------------- statement, questions

_QUESTION = {
    "situation": (
        "どんな状況・問題がありましたか? 例: 何が遅い・高い・手間だったか、誰が困っていたか",
        "What was the situation or problem? e.g. what was slow, costly or manual, and who was affected",
    ),
    "task": (
        "あなたの役割や目標は何でしたか? 例: 任された範囲、目指した水準",
        "What was your role or goal? e.g. what you owned, the level you aimed for",
    ),
    "action": (
        "具体的に何をしましたか? 例: 実装・導入したもの、工夫した点",
        "What exactly did you do? e.g. what you built or changed, the key decision",
    ),
    "result": (
        "結果どうなりましたか? 例: 何が・誰にとって良くなったか",
        "What came of it? e.g. what got better, and for whom",
    ),
}
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
_METRIC_QUESTION = ("結果を数値で言えますか? 例: {hint}", "Can you put a number on the result? e.g. {hint}")
_BEFORE_QUESTION = (
    "変化前の値も分かりますか? 例: 改善前の{name}",
    "Do you know the value before? e.g. {name} before the change",
)
_DEFAULT_HINT = ("改善前後の時間・件数・割合", "time, count or rate before and after")


def _metric_question(entry_text: str, language: Language) -> str:
    index = 0 if language == "ja" else 1
    hint = next((h[index + 1] for h in _METRIC_HINTS if h[0].search(entry_text)), _DEFAULT_HINT[index])
    return _METRIC_QUESTION[index].format(hint=hint)


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
    """`320→180ms` reads as 320ms→180ms; `6 pods instead of 20` as 20 pods → 6 pods."""
    for bare, other in ((before, after), (after, before)):
        if _BARE_NUMBER.fullmatch(bare):
            parts = _LEADING_NUMBER.fullmatch(other)
            if parts and parts.group("unit").strip():
                completed = bare + parts.group("unit")
                return (completed, after) if bare is before else (before, completed)
    return before, after


def _delta_phrase(text: str, match: MetricMatch, language: Language) -> str:
    """A stated change is told in the notes' own clause (`会議時間を週3時間削減`)."""
    pattern = _CLAUSE_JA if language == "ja" else _CLAUSE_EN
    folded = fold(text)
    starts = [0] + [m.end() for m in pattern.finditer(folded, 0, match.start)]
    start = starts[-1]
    end_match = pattern.search(folded, match.end)
    end = end_match.start() if end_match else len(text)
    return _tidy(text[start:end])


def question_for(part: MissingPart, text: str, language: Language) -> str:
    """The question that fills a missing part; the metric one gives an example fitting the work."""
    if part == "metric":
        return _metric_question(text, language)
    return _QUESTION[part][0 if language == "ja" else 1]


def statement_for(text: str, matches: list[MetricMatch], language: Language) -> str:
    """The one-line statement built from metrics found in `text` (matches index into `text`)."""
    phrases = [_metric_phrase(m, language) for m in matches if not m.delta][:2]
    phrases += [_delta_phrase(text, m, language) for m in matches if m.delta][: max(0, 2 - len(phrases))]
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
        title = _OPEN_TE_JA.sub("した", title)
    title = re.sub(r"^(?:I|We)\s+", "", title)
    limit = 40 if language == "ja" else 70
    if len(title) > limit:
        title = title[: limit - 1].rstrip() + "…"
    return title[:1].upper() + title[1:] if language == "en" else title


def build_entry(body: str, matches: list[MetricMatch], draft: _Draft, language: Language) -> StarEntry:
    missing: list[MissingPart] = [p for p in PARTS if not draft.parts[p]]
    if not matches:
        missing.append("metric")
    index = 0 if language == "ja" else 1
    questions = [question_for(p, body, language) for p in missing]
    if "metric" not in missing and all(m.delta for m in matches):
        questions.append(
            _BEFORE_QUESTION[index].format(name=matches[0].metric.name.split("(")[0].split(" (")[0])
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
    if "\n" in body.strip() or len(body.strip()) > 24 or any(ch.isdigit() for ch in body):
        return False
    return _classify(body, language, holds_result=False) is None


def extract_entries(text: str, language: Language | None = None) -> list[StarEntry]:
    """One STAR entry per piece of work in `text`; deterministic, no network."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    language = language or detect_language(text)
    entries = []
    for group in _groups(text, _units(text)):
        start, end = group.units[0].start, group.units[-1].end
        if _is_caption(text[start:end], group, language):
            continue
        matches = find_metrics(text[start:end], language)
        draft = _star(text, group, language, matches, start)
        entries.append(build_entry(text[start:end], matches, draft, language))
    return entries


@dataclass(frozen=True)
class NotesReading:
    """The achievements of some notes, and the plans/TODOs they mention (not achievements)."""

    entries: list[StarEntry]
    next: list[str] = field(default_factory=list)


def read_notes(text: str, language: Language | None = None) -> NotesReading:
    return NotesReading(extract_entries(text, language))
