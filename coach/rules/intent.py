"""Offline career-intent rules: which parts (timeframe, scope, reason) a wish already has.

A part counts only when it is concrete enough for a manager to act on: a date or period
(来期, 2年以内に, by next March), a role/team size/system/area someone can be given
(3名程度のチームのリード, own the payments service), a cause or purpose (…から, because …).
Vague interest words (興味がある, もっと成長したい, いずれは, at some point) are never a part.

Drafts are built from the user's own spans plus visible placeholders ([時期], [N], [理由],
[timeframe] ...): the templates hold no fact of their own, so nothing is invented.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from coach.models import IntentParts, Language
from coach.text.language import detect_language

_NUM = r"(?:\d+(?:\.\d+)?|[一二三四五六七八九十半数]+)"
_PERIOD_JA = r"(?:年|年間|ヶ月|か月|カ月|ヵ月|ケ月|箇月|週間|四半期|期|クォーター)"
_PAST_JA = r"(?:直近|過去|この|ここ|前の|先の|昨|これまでの)\s*$"

_TIMEFRAME_JA = [
    r"(?:来|今|再来)(?:期|年度|年|四半期|クォーター|半期|月)(?:中|末|内|のうち|から)?",
    r"(?:来|今)(?:春|夏|秋|冬)",
    r"(?:上|下)(?:期|半期)(?:中|末|内|のうち)?",
    r"年(?:度)?(?:内|末)",
    r"期末",
    rf"{_NUM}\s*{_PERIOD_JA}\s*(?:以内|後|のうち|内|先|まで|ほど|程度|で|かけて)",
    r"\d{4}\s*年(?:度)?",
    r"\d{1,2}\s*月(?:まで|中|末|頃|ごろ|から|に)",
    r"(?<![A-Za-z])(?:Q[1-4]|[1-4]Q|H[12])(?![A-Za-z])",
    r"第[1-4一二三四]四半期",
    r"次(?:の|回の)?(?:評価|査定|期|半期|四半期|クォーター|昇格)",
]
_EN_NUMBER = r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|eighteen|a|an|a couple of)"
_EN_PERIOD = r"(?:years?|months?|quarters?|weeks?|halves|half-years?|sprints?)"
_MONTHS = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)"
)
_TIMEFRAME_EN = [
    rf"\bwithin (?:the next )?{_EN_NUMBER} {_EN_PERIOD}\b",
    rf"\b(?:in|over|during) the (?:next|coming) (?:{_EN_NUMBER} )?{_EN_PERIOD}\b",
    rf"\bin {_EN_NUMBER} {_EN_PERIOD}(?: time)?\b",
    rf"\b{_EN_NUMBER} {_EN_PERIOD} from now\b",
    r"\b(?:next|this|the coming|the next) (?:quarter|half|year|fiscal year|fy|review cycle|cycle|"
    r"performance cycle|performance review|review|term|semester|half-year|planning cycle)\b",
    rf"\b(?:by|before|until|in|from|next|this) (?:the )?(?:end of )?(?:next |this )?(?:{_MONTHS}|year-end|"
    r"(?:q[1-4]|h[12])|\d{4}|the year|the quarter|the half)(?:\s*\d{4})?\b",
    r"\b(?:q[1-4]|h[12])(?:\s*\d{4})?\b",
    r"\bfy\s?\d{2,4}\b",
    r"\b(?:year-end|end of (?:the |this |next )?(?:fiscal |financial |calendar )?(?:year|quarter|half|fy))\b",
]

_VAGUE_OBJECT = re.compile(
    r"もっと|何か|なにか|色々|いろいろ|いろんな|様々|大きな|新しい|良い|いい|面白い|上流|的な|みたいな|など色々"
)
_SCOPE_VERB_JA = (
    r"(?:リード|主導|推進|(?:主|メイン)?担当|取りまとめ|とりまとめ|統括|牽引|オーナー(?:シップ)?|責任者|立ち上げ|"
    r"マネジメント|マネージ|管理|設計|標準化|運営|育成)"
)
_ROLE_JA = (
    r"(?:テックリード|チームリーダー|チームリード|エンジニアリングマネージャー|マネージャー|スタッフエンジニア|"
    r"プリンシパルエンジニア|シニアエンジニア|リードエンジニア|アーキテクト|プロダクトマネージャー|スクラムマスター|"
    r"グループリーダー|CTO|VPoE|EM|PdM|PM|SRE|TL)"
)
_SCOPE_JA = [
    r"\d+\s*(?:名|人)(?:程度|ほど|くらい|ぐらい|前後|規模)?(?:の|で)?[^、。\s]{0,10}(?:チーム|メンバー|組織|体制|グループ|部下)",
    r"\[N\]\s*(?:名|人)[^、。\s]{0,10}(?:チーム|メンバー)",
    rf"(?P<obj>[^、。\s]+?)(?:を|の)(?P<verb>{_SCOPE_VERB_JA})(?:を|に|し|する|した|として|役|者)",
    # a responsibility handed over or carried (…を任されたい, オンコールを回せる, 10名を率いる)
    r"(?P<obj>[^、。\s]+?)を(?:任され|任せ|担い|担う|受け持|引き継|回せ|回し|回す|率い)",
    # taking part in a named area (採用に関わりたい); vague objects are dropped by _VAGUE_OBJECT
    r"(?P<obj>[^、。\s]+?)に(?:関わ|携わ|参画|参加|入り|入れ|加わ|異動|移り|転籍)",
    # a job title the user names, whatever particle follows (EMとして, SREに, マネージャーも)
    rf"(?<![A-Za-z])(?P<role>{_ROLE_JA})(?!的|シップ)(?:として|に|へ|を|も|の(?:ポジション|役割|立場|ロール)|職|ロール)",
    # a bare "leader" says nothing about what is led: only with a verb of taking the role
    r"(?P<role>リーダー)(?!的|シップ)"
    r"(?:として|に(?:なり|昇格|挑戦|就|なる)|を(?:目指|務め|担|経験|やり|任)|職|のポジション|の役割|ロール|になって)",
]
_SCOPE_VERB_EN = (
    r"(?:lead|leading|own|owning|run|running|manage|managing|drive|driving|head|heading|architect|"
    r"standardi[sz]e|standardi[sz]ing|take over|taking over|set up|build|building|"
    r"mentor|mentoring|coach|coaching|train|training|onboard|onboarding|interview|interviewing|"
    r"(?:get|be|getting|being) involved (?:in|with)|contribute to|contributing to|take part in|work on|working on)"
)
# something that can be handed to one person: a system, a process, a group of people
_SCOPE_AREA_EN = (
    r"(?:team|teams|service|services|system|systems|project|migration|platform|program|initiative|process|"
    r"pipeline|architecture|infrastructure|stack|roadmap|area|domain|product|feature|squad|reviews?|"
    r"code review|on-?call|rotation|rollout|redesign|rewrite|api|apis|backend|frontend|database|release|"
    r"releases|hiring|interviews?|interviewing|onboarding|incident response|observability|testing|ci|"
    r"security|design|function|practice|guild|chapter|planning|documentation|docs|juniors?|graduates?|"
    r"new hires|interns?|candidates|engineers|developers|members)"
)
_SCOPE_EN = [
    r"\b(?:team|group|squad|org) of (?:\d+|two|three|four|five|six|seven|eight|nine|ten|\[n\])\b",
    r"\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|\[n\])[- ](?:person|people|engineer|member)s?"
    r"(?: \w+)? (?:team|group|squad)\b",
    r"\b\d+ (?:engineers|people|reports|direct reports|members)\b",
    rf"\b{_SCOPE_VERB_EN} (?:the |a |an |our |my |this |that |all )?(?:[\w/&-]+ ){{0,4}}?{_SCOPE_AREA_EN}\b",
    r"\b(?:ownership of|responsible for|in charge of|trusted with|accountable for|own the|owner of|"
    r"take over|taking over)"
    r" (?!more\b|something\b|things\b|bigger\b|stuff\b)\w+",
    # a lead/run/drive verb on a definite thing of the user's world (lead our accessibility audit)
    r"\b(?:lead|leading|run|running|drive|driving|head|heading) (?:our|the|this|that) "
    r"(?!more\b|way\b|show\b|numbers\b)[a-z][\w-]+",
    r"\b(?:as|be|become|becoming|promoted to|promotion to|move into|moving into|step into|stepping into|"
    r"role as|position as|grow into|work as)"
    r" (?:a |an |the )?(?:interim |acting |full-time |first-time |official )?(?:tech lead|team lead|staff engineer|principal engineer|senior engineer|"
    r"lead engineer|"
    r"engineering manager|em|manager|architect|product manager|sre|people manager|scrum master|"
    r"staff|principal|cto|director)\b",
]
_REASON_JA = [
    r"(?:[るたいだすうくぐつぬむぶ]|ている|ていた|です|ます|ない|った|んだ|のだ|こと)\s*(?:から|ので)(?:だ|です|。|、|$|\s)",
    r"(?:ている|ていた|です|ます|ない|った|[るたいだ])\s*ので",
    r"(?:^|[^そ])(?:なので|なため|だから)",  # after a noun (異動予定なので); not そうなので
    r"(?<!その)(?<!この)(?<!何の)(?<!なんの)ため(?:に|、|。|です|だ|$|\s)",
    r"理由|なぜなら|というのも|背景|きっかけ|起因|を踏まえ|を受けて|ことから",
]
_REASON_EN = [
    r"\bbecause\b",
    # causal since, not the temporal one (since last year, since March, since I joined)
    rf"\bsince (?!last\b|then\b|joining\b|early\b|yesterday\b|\d|{_MONTHS}\b|"
    r"the (?:start|beginning|end|day|time)\b|(?:this|that) (?:year|quarter|month|week)\b|"
    r"(?:i|we|they|he|she) (?:joined|started|came|moved|arrived)\b)\w",
    # a sentence opening with an "as" clause that has a verb (As our team doubled, ...);
    # "as a staff engineer" / "As the tech lead," name a role instead
    r"(?:^|[.!?]\s+)as (?!a\b|an\b)(?:[\w'-]+ ){1,5}?(?:is|are|was|were|has|have|had|keeps?|kept|\w+ed)\b",
    r"\bso that\b",
    r"\bin order to\b",
    r"\bgiven (?:that|the|our|my|how|what|all|these|this)\b",
    r"\bdue to\b",
    r"\b(?:that's|which is|this is) why\b",
    r"\bthe reason\b",
    r"\bas a result of\b",
    r"\bmotivated by\b",
    r"\bafter (?:seeing|noticing|leading|handling|watching)\b",
    r", as (?:i|we|our|my|the)\b",
    r",? so (?:i|i'd|i'm|i've|we)\b",
]


def _compile(patterns: list[str]) -> list[re.Pattern[str]]:
    return [re.compile(p, re.IGNORECASE) for p in patterns]


_RULES: dict[str, dict[Language, list[re.Pattern[str]]]] = {
    "timeframe": {"ja": _compile(_TIMEFRAME_JA), "en": _compile(_TIMEFRAME_EN)},
    "scope": {"ja": _compile(_SCOPE_JA), "en": _compile(_SCOPE_EN)},
    "reason": {"ja": _compile(_REASON_JA), "en": _compile(_REASON_EN)},
}
_PAST_BEFORE = re.compile(_PAST_JA)
_PAST_EN = re.compile(r"\b(?:last|past|previous|prior)\s*$", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[。!?！？\n])|(?<=[.!?])\s+")


@dataclass
class IntentAnalysis:
    """The parts found, with the user's own wording of each (spans reused in the drafts)."""

    language: Language
    timeframe: str | None = None
    scope: str | None = None
    reason: str | None = None
    theme: str = ""
    spans: dict[str, str] = field(default_factory=dict)

    @property
    def parts(self) -> IntentParts:
        return IntentParts(
            timeframe=self.timeframe is not None, scope=self.scope is not None, reason=self.reason is not None
        )


def _rules_for(language: Language) -> list[Language]:
    """Japanese text often carries English terms (and the reverse): try the text's language first."""
    return [language, "en" if language == "ja" else "ja"]


def _find_timeframe(text: str, language: Language) -> str | None:
    for pattern in _RULES["timeframe"][language]:
        for match in pattern.finditer(text):
            before = text[: match.start()]
            if _PAST_BEFORE.search(before) or _PAST_EN.search(before):
                continue
            return match.group(0).strip()
    return None


def _clean_object(obj: str, timeframe: str | None) -> str:
    for marker in ("は", "で", "も"):
        if marker in obj.replace("もっと", ""):
            obj = obj.rsplit(marker, 1)[1]
    if timeframe and timeframe in obj:
        obj = obj.split(timeframe, 1)[1]
    return re.sub(r"^(?:までに|まで|から|[にでをのが、\s])+", "", obj).strip()


_DESIRE_JA = re.compile(
    r"(?:を|に)?(?:したい|やりたい|を?経験|を?任され|を?任せ|を担|に挑戦|を目指|を務め|になりたい|として|"
    r"できるよう|してみたい|に就|が(?:したい|やりたい)|(?:を|が|に)[^、。をのにが]{0,6}?たい)"
)
_WANT_EN = re.compile(
    r"\b(?:want to|wants to|'d like to|would like to|hope to|aim to|plan to|intend to|like to)\s+",
    re.IGNORECASE,
)
_CLAUSE_END_EN = re.compile(
    r"[.;!?]|,|\b(?:because|since|so that|in order to|given|due to|as i|as we)\b", re.I
)


def _scope_phrase_ja(text: str, start: int, timeframe: str | None) -> str:
    """From the object's start up to the wish verb, as a noun phrase (…をリードしたい -> …のリード)."""
    rest = text[start:]
    stop = _DESIRE_JA.search(rest, 1)
    clause = re.split(r"[、。!?！？\n]", rest[: stop.start()] if stop else rest)[0]
    clause = _clean_object(clause, timeframe)
    return re.sub(rf"を({_SCOPE_VERB_JA})(?:する|し)?$", r"の\1", clause).strip()


def _scope_phrase_en(text: str, match: re.Match[str], timeframe: str | None) -> str:
    """The user's verb phrase for the scope (`own the payments service`), cut before the why/when."""
    want = None
    for found in _WANT_EN.finditer(text, 0, match.start() + 1):
        want = found
    begin = (
        want.end() if want and not _CLAUSE_END_EN.search(text, want.end(), match.start()) else match.start()
    )
    end = _CLAUSE_END_EN.search(text, match.end())
    phrase = text[begin : end.start() if end else len(text)]
    if timeframe:
        phrase = re.sub(re.escape(timeframe), "", phrase, flags=re.IGNORECASE)
    phrase = re.sub(r"\s+", " ", phrase).strip(" ,")
    if not re.match(
        r"(?:be|lead|own|run|manage|drive|head|architect|standardi|take|set|build|become|move|"
        r"step|grow|work|get|have|do|make|start|join|mentor|coach|train|onboard|contribute)",
        phrase,
        re.IGNORECASE,
    ):
        phrase = "take on " + re.sub(
            r"^(?:as|in charge of)\s+", "a role as " if phrase.lower().startswith("as ") else "", phrase
        )
    return phrase


def _find_scope(text: str, language: Language, timeframe: str | None) -> str | None:
    for pattern in _RULES["scope"][language]:
        for match in pattern.finditer(text):
            groups = match.groupdict()
            obj = groups.get("obj")
            if language == "en":
                if re.search(r"\b(?:more|something|bigger)\b", match.group(0), re.IGNORECASE):
                    continue
                return _scope_phrase_en(text, match, timeframe)
            role = groups.get("role")
            if role is not None and not match.group(0).endswith("として"):
                return f"{role}の役割"  # マネージャーも / SREに / PMへの転向: the title is the scope
            if obj is None:
                return _scope_phrase_ja(text, match.start(), timeframe) or match.group(0)
            cleaned = _clean_object(obj, timeframe)
            if not cleaned or _VAGUE_OBJECT.search(obj) or len(cleaned) < 2:
                continue
            if "verb" not in groups:  # …を任されたい / …に関わりたい: the object is the scope
                return cleaned
            begin = match.start("obj") + obj.rfind(cleaned)
            return _scope_phrase_ja(text, begin, timeframe)
    return None


def _find_reason(text: str, language: Language) -> str | None:
    for pattern in _RULES["reason"][language]:
        match = pattern.search(text)
        if match:
            return _reason_clause(text, match, language)
    return None


def _reason_clause(text: str, match: re.Match[str], language: Language) -> str:
    """The user's own words for the cause, without the causal marker (the drafts add their own)."""
    start = max(text.rfind(ch, 0, match.start()) for ch in "。.!?！？\n") + 1
    stops = [i for i in (text.find(ch, match.end()) for ch in "。!?！？\n") if i >= 0]
    sentence_end = min(stops) if stops else len(text)
    marker = match.group(0)
    if language == "en" and re.match(r",? so\b", marker, re.IGNORECASE):
        head = text[start : match.start()].strip(" ,")
        return "because " + head[0].lower() + head[1:] if head else "because [reason]"
    if language == "en":
        begin = match.start() + len(re.match(r"[\s.!?,]*", match.group(0)).group(0))  # type: ignore[union-attr]
        start = max(text.rfind(ch, 0, begin) for ch in ".!?\n") + 1
        stop = re.compile(r"[.!?](?:\s|$)").search(text, begin)
        end = stop.start() if stop else len(text)
        if not text[start:begin].strip() and "," in text[begin:end]:
            end = text.index(",", begin)  # a leading "As …, I want …": the cause ends at the comma
        clause = text[begin:end].rstrip(" .")
        return clause[0].lower() + clause[1:] if clause else clause
    keyword = re.match(r"理由|なぜなら|というのも|背景", marker)
    if keyword:
        clause = text[match.start() + len(keyword.group(0)) : sentence_end]
        return re.sub(r"^(?:は|として|には|としては|、)+", "", clause).strip("、 。")
    # no から/ので/ため in the marker (起因, を踏まえ, を受けて): the clause runs up to the marker's end
    cut = next((marker.find(m) for m in ("から", "ので", "ため") if m in marker), len(marker))
    head = text[start : match.start() + cut]
    if "、" in head and "たい" in head.rsplit("、", 1)[0]:
        head = head.rsplit("、", 1)[1]
    head = re.sub(r"^(?:理由は|なぜなら|というのも|背景は)、?", "", head.strip())
    return re.sub(r"(?:を踏まえ|を受けて|ことから)$", "", head).strip("、 。")


_INTEREST_JA = re.compile(
    r"(?:に|へ|について)?(?:興味|関心)が(?:ある|あります|出てきた)|(?:を|が)?(?:したい|やりたい|やってみたい|"
    r"経験したい|挑戦したい|目指したい|なりたい|伸ばしたい)(?:です)?|的な(?:こと|ところ|仕事)?を?|いずれ(?:は)?|"
    r"ゆくゆく(?:は)?|将来的?に?(?:は)?|いつか|そのうち|もっと|[。、]"
)
_INTEREST_EN = re.compile(
    r"\b(?:i(?:'m| am)? (?:interested in|want to|would like to|'d like to|hope to)|i want|at some point|"
    r"someday|some day|eventually|in the future|one day|more)\b|[.,]",
    re.IGNORECASE,
)


def _theme(text: str, language: Language) -> str:
    first = next((s for s in _SENTENCE.split(text) if s and s.strip()), text)
    pattern = _INTEREST_JA if language == "ja" else _INTEREST_EN
    theme = re.sub(r"\s+", " ", pattern.sub(" " if language == "en" else "", first)).strip(" 、。は")
    return theme[:60]


def analyse(text: str) -> IntentAnalysis:
    language = detect_language(text)
    result = IntentAnalysis(language=language, theme=_theme(text, language))
    for rules in _rules_for(language):
        result.timeframe = result.timeframe or _find_timeframe(text, rules)
        result.scope = result.scope or _find_scope(text, rules, result.timeframe)
        result.reason = result.reason or _find_reason(text, rules)
    return result


def detect_parts(text: str) -> IntentParts:
    return analyse(text).parts


# --------------------------------------------------------------------------- drafts

_LEADERSHIP = re.compile(r"マネジ|マネー|リード|リーダー|育成|メンバー|lead|manag|mentor|people|team", re.I)
_ARCHITECTURE = re.compile(r"アーキテク|設計|技術選定|architect|design|technical direction", re.I)

PLACEHOLDERS: dict[Language, dict[str, str]] = {
    "ja": {"timeframe": "[時期]", "reason": "[理由]", "scope": "[役割・範囲]", "step": "[最初の一歩]"},
    "en": {
        "timeframe": "[timeframe]",
        "reason": "[reason]",
        "scope": "[role or area]",
        "step": "[first step]",
    },
}


def _scope_placeholder(analysis: IntentAnalysis) -> str:
    theme = analysis.theme
    if analysis.language == "ja":
        if _LEADERSHIP.search(theme):
            return "[N]名程度のチームのリード"
        if _ARCHITECTURE.search(theme):
            return "[対象システム]のアーキテクチャ設計の主担当"
        return "[担当したい役割・範囲]"
    if _LEADERSHIP.search(theme):
        return "lead a team of [N]"
    if _ARCHITECTURE.search(theme):
        return "own the architecture of [system]"
    return "take on [role or area]"


def _ja_time(timeframe: str | None) -> str:
    if timeframe is None:
        return "[時期]までに"
    if re.search(r"(?:以内|後|まで|中|末|内|先|頃|ごろ|うち)$", timeframe):
        return timeframe + ("に" if not timeframe.endswith("に") else "")
    return timeframe + "は"


def _ja_because(reason: str | None) -> str:
    if reason is None:
        return "理由は[理由]です。"
    if re.search(r"[いるたうくすつぬむぶぐ]$", reason):
        return f"理由は、{reason}ためです。"
    if reason.endswith("だ"):
        return f"理由は、{reason[:-1]}なためです。"
    return f"理由は、{reason}です。"


def _en_when(timeframe: str | None) -> str:
    if timeframe is None:
        return "[timeframe]"
    first = timeframe.split(" ", 1)[0]
    return timeframe if first.isupper() else timeframe[0].lower() + timeframe[1:]


def offline_drafts(analysis: IntentAnalysis, evidence: list[str]) -> list[str]:
    """Three drafts in the user's language: a statement, a request to the manager, a first step."""
    scope = analysis.scope or _scope_placeholder(analysis)
    cite = evidence[0] if evidence else None
    if analysis.language == "ja":
        when = _ja_time(analysis.timeframe)
        because = _ja_because(analysis.reason)
        drafts = [
            f"{when}{scope}を経験したいと考えています。{because}",
            f"{when}{scope}を任せていただけないでしょうか。{because}",
            f"{when}{scope}を実現するために、まず[最初の一歩]から始めたいです。",
        ]
        if cite:
            drafts[2] = f"{when}{scope}を担いたいです。根拠として、{cite}という実績があります。"
        return drafts
    when_en = _en_when(analysis.timeframe)
    lead = when_en[0].upper() + when_en[1:]
    because_en = analysis.reason or "because [reason]"
    drafts = [
        f"{lead}, I want to {scope}, {because_en}.",
        f"Could I {scope} {when_en}? I'm asking {because_en}.",
        f"To {scope} {when_en}, I'd like to agree with you on a first step: [first step].",
    ]
    if cite:
        drafts[2] = f"{lead}, I want to {scope}; as evidence: {cite}."
    return drafts


QUESTIONS: dict[Language, dict[str, str]] = {
    "ja": {
        "timeframe": "いつまでに実現したいですか?(例: 来期、[N]年以内、次の評価期間)",
        "scope": (
            "具体的にどの役割・範囲を担いたいですか?(例: [N]名程度のチームのリード、[システム名]のオーナー)"
        ),
        "reason": "なぜそれを望むのですか?根拠になる実績や課題(件数・期間など)はありますか?",
    },
    "en": {
        "timeframe": "By when do you want this? (e.g. next quarter, within [N] years, by the next review)",
        "scope": "Which role or area exactly? (e.g. leading a team of [N], owning [system])",
        "reason": "Why do you want it? Is there a result or a problem (counts, periods) that backs it up?",
    },
}


def questions_for(parts: IntentParts, language: Language) -> list[str]:
    table = QUESTIONS[language]
    return [table[name] for name in ("timeframe", "scope", "reason") if not getattr(parts, name)]
