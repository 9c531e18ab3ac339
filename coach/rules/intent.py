"""Offline career-intent rules: which parts (timeframe, scope, reason) a wish already has.

A part counts only when it is concrete enough for a manager to act on:

- timeframe: a date, a period or a dated event of the work calendar (来期, 2年以内に, by next
  March, 次の査定までに, 10月の体制変更のタイミングで, by the next calibration window). Vague
  times (いずれ, そろそろ, at some point, eventually) and past periods are not.
- scope: a named team (sized or by name), domain, system, artifact or responsibility someone can
  be given (決済基盤チームで…, 課金ドメインの設計判断, own the billing service, the go-to person
  for the billing pipeline). A bare role type (テックリード, EM, staff, senior) says what,
  not where: it is no scope. Scope is read in the wish sentence, outside the reason clause.
- reason: a cause or purpose, with or without a causal word: から/ので/ため, 〜し、, 〜たくて、,
  〜が増えていて、, because/since/so that/cuz, a purpose infinitive (…, to grow my skills), a
  participle (having led …), or a declarative clause after the wish that explains it.

Every decision carries a `why` (rule family and the user's words). Drafts are templates per
construction that keep the user's wish phrase whole (the role, the named team) and slot the
timeframe and reason in by their grammatical shape; only a missing part becomes a placeholder
([時期], [理由], [timeframe] ...), so nothing is invented.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from coach.messages import labels
from coach.models import IntentParts, Language
from coach.text.language import detect_language
from coach.text.script import KANJI

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
    # a named event used as the date (10月の体制変更のタイミングで, 次の査定期間までに, リリースの頃)
    rf"(?:{_NUM}\s*月|来月|再来月|来期|来年度?|今期|次(?:の|回の)?)[^、。\s]{{0,12}}?(?:タイミング|時期|期間|サイクル|頃|ごろ)"
    r"(?:まで(?:に)?|で|に|から)",
    r"を目[処途]に",
    r"(?:年明け|年度明け|(?:春|夏|秋|冬)(?:頃|ごろ|以降|先|口))(?:まで(?:に)?|から|に)?",
    # an event of the work calendar as the date (評価期間が終わるまでに, 来月の組織再編に合わせて)
    r"(?:評価|査定|期間|半期|四半期|年度|リリース|移行|組織変更|組織再編|体制変更|異動|プロジェクト)"
    r"(?:が(?:終わる|明ける|始まる|落ち着く)|の(?:前|後|あと))(?:まで(?:に)?|頃|ごろ|タイミング|とき|に)",
    rf"(?:{_NUM}\s*月|来月|再来月|来期|来年度?|今期)の[^、。\s]{{1,12}}?に合わせて",
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
    # a named cycle used as the date (by the next calibration window, before the promotion round)
    rf"\b(?:in|by|before|during|at|for) the (?:next |upcoming |coming |{_MONTHS} )?(?:review|promotion|performance|"
    r"planning|calibration|appraisal) (?:cycle|round|period|window)\b",
    r"\b(?:this|that) time next year\b",
    r"\bwithin (?:the|this) (?:year|quarter|half|month|fiscal year)\b",
    r"\b(?:in|by|before|after|at|with) the (?:next|upcoming|coming) (?:re-?org|reorgani[sz]ation|restructur(?:e|ing)|"
    r"planning round|headcount round)\b",
    r"\b(?:by|before|at|in|for) (?:my|our|the) next (?:review|performance review|appraisal|evaluation|promotion|"
    r"calibration|planning)\b",
    r"\b(?:by|in|before|until|during|this|next|over) (?:the )?(?:coming )?(?:spring|summer|autumn|fall|winter)\b",
    r"\b(?:when|once|after|as soon as) the (?:new |next )?(?:fiscal year|financial year|quarter|half|year|re-?org|"
    r"reorgani[sz]ation|cycle) (?:starts|begins|ends|lands|happens|is done|kicks off)\b",
]

_VAGUE_OBJECT = re.compile(
    r"もっと|何か|なにか|色々|いろいろ|いろんな|様々|大きな|新しい|良い|いい|面白い|上流|"
    r"的な(?:こと|ところ|仕事|もの)|みたいな|など色々"
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
# what a role or a responsibility can be attached to: a team, a domain, a system, a product
_NAMED_UNIT_JA = (
    r"(?:チーム|基盤|ドメイン|システム|サービス|プロダクト|グループ|部門|部署|領域|アプリ|組織|プロジェクト)"
)
# nouns naming a responsibility one person can be given (not a job title, not a wish)
_RESPONSIBILITY_JA = (
    r"(?:技術選定|選定|意思決定|設計判断|方針決定|判断|設計|育成|採用|担当|オーナー|責任者|窓口|運用|"
    r"(?:進行|まとめ|取りまとめ|相談|調整|推進|旗振り|世話)役|保守|メンテナンス|メンテナー?|整備|品質|"
    r"品質保証|リリース管理|移行|刷新|標準化|自動化|改善|監視|レビュー|オンコール|講師|メンター|取りまとめ)"
)
_ROLE_ONLY_JA = re.compile(
    rf"(?:{_ROLE_JA}|リーダー|マネジメント|管理職|シニア|スタッフ|プリンシパル)(?:職|ロール)?"
)
_SCOPE_JA = [
    r"\d+\s*(?:名|人)(?:程度|ほど|くらい|ぐらい|前後|規模)?(?:の|で)?[^、。\s]{0,10}(?:チーム|メンバー|組織|体制|グループ|部下)",
    r"\[N\]\s*(?:名|人)[^、。\s]{0,10}(?:チーム|メンバー)",
    rf"(?P<obj>[^、。\s]+?)(?:を|の)(?P<verb>{_SCOPE_VERB_JA})(?:を|に|し|する|した|として|役|者)",
    # a responsibility handed over or carried (…を任されたい, オンコールを回せる, 10名を率いる)
    r"(?P<obj>[^、。\s]+?)を(?:任され|任せ|担い|担う|担え|受け持|引き継|引き取|巻き取|回せ|回し|回す|率い)",
    # taking part in a named area (採用に関わりたい); vague objects are dropped by _VAGUE_OBJECT
    r"(?P<obj>[^、。\s]+?)(?:に|へ)も?(?:関わ|携わ|参画|参加|入り|入れ|加わ|異動|移り|転籍)",
    # building a named artifact (QA自動化の仕組みを作りたい, 監視基盤を構築したい)
    rf"(?P<obj>[^、。\s]*?(?:仕組み|基盤|ツール|プロセス|体制|{_NAMED_UNIT_JA})[^、。\s]*?)を[^、。]{{0,14}}?"
    r"(?:作り|作る|作れ|構築|整備|整え|築き|導入し|立ち上げ|設計し)",
    # taking care of a named thing (モバイルのCI/CDの面倒を見る)
    r"(?P<obj>[^、。\s]+?)の面倒を",
    # deciding / leading something as a position (技術方針を決める立場, 設計をまとめる側)
    r"(?P<obj>[^、。\s]+?)を(?:決める|決定する|見る|まとめる|率いる|束ねる|仕切る)(?:立場|側|役|役割|ポジション)",
    # a job title is a scope only with the team / domain / product it is for (課金チームのEM)
    rf"(?P<obj>[^、。\s]*?{_NAMED_UNIT_JA}[^、。\s]*?)(?:[(（][^)）]*[)）])?の(?P<role>{_ROLE_JA}|リーダー|"
    r"(?:ドメイン)?エキスパート|スペシャリスト|第一人者|(?:立ち上げ|コア|初期)?メンバー)",
    # a named team / domain as the place of the wish (決済基盤チームでテックリードを担いたい)
    rf"(?P<obj>[^、。\s]*?[^\s、。のをはが]{_NAMED_UNIT_JA})(?:で|の中で|において)(?=[^、。]*?たい)",
    # a responsibility of a named area (課金ドメインの設計判断, 中途入社者の育成担当, インフラの技術選定)
    rf"(?P<obj>(?<![\w])[^、。\s]{{1,16}}?(?:(?<![いるただ])の(?![でにはがも])|に関する)[^、。\s]{{0,10}}?{_RESPONSIBILITY_JA})",
]
_SCOPE_VERB_EN = (
    r"(?:lead|leading|own|owning|run|running|manage|managing|drive|driving|head|heading|architect|"
    r"standardi[sz]e|standardi[sz]ing|take over|taking over|set up|build|building|"
    r"mentor|mentoring|coach|coaching|train|training|onboard|onboarding|interview|interviewing|"
    r"(?:get|be|getting|being) involved (?:in|with)|contribute to|contributing to|take part in|work on|working on|"
    r"join|joining|move to|transfer to|get into|move into|moving into|take on|taking on|pick up|picking up|"
    r"have (?:led|run|owned|driven|built|shipped))"
)
# something that can be handed to one person: a system, a process, a group of people
_SCOPE_AREA_EN = (
    r"(?:team|teams|service|services|system|systems|project|migration|platform|program|initiative|process|"
    r"pipeline|architecture|infrastructure|stack|roadmap|area|domain|product|feature|squad|reviews?|"
    r"code review|on-?call|rotation|rollout|redesign|rewrite|api|apis|backend|frontend|database|release|"
    r"releases|hiring|interviews?|interviewing|onboarding|incident response|observability|testing|ci|"
    r"security|design|function|practice|guild|chapter|planning|documentation|docs|juniors?|graduates?|org|"
    r"tooling|jobs|integrations?|sdk|library|libraries|modules|"
    r"new hires|interns?|candidates|engineers|developers|members)"
)
_SCOPE_EN = [
    r"\b(?:team|group|squad|org) of (?:\d+|two|three|four|five|six|seven|eight|nine|ten|\[n\])\b",
    r"\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|\[n\])[- ](?:person|people|engineer|member)s?"
    r"(?: \w+)? (?:team|group|squad)\b",
    r"\b\d+ (?:engineers|people|reports|direct reports|members)\b",
    rf"\b{_SCOPE_VERB_EN} (?:the |a |an |our |my |this |that |all )?(?:[\w/&-]+ ){{0,4}}?{_SCOPE_AREA_EN}\b",
    r"\b(?:ownership (?:of|over)|responsible for|in charge of|trusted with|accountable for|own the|owner of|"
    r"take over|taking over)"
    r" (?!more\b|something\b|things\b|bigger\b|stuff\b)\w+",
    # a lead/run/drive verb on a definite thing of the user's world (lead our accessibility audit)
    r"\b(?:lead|leading|run|running|drive|driving|head|heading) (?:our|the|this|that) "
    r"(?!more\b|way\b|show\b|numbers\b)[a-z][\w-]+",
    # a role or person FOR a named thing (tech lead for the billing squad, go-to person for search);
    # a bare job title (become a staff engineer, promoted to senior) names no scope
    rf"\b(?:person|owner|lead|contact|expert|engineer|manager|em|dri|architect|champion) (?:for|of|on) "
    rf"(?:the |our |a |an )?(?:[\w/&-]+ ){{0,4}}?{_SCOPE_AREA_EN}\b",
    r"\b(?:person|owner|contact|dri|champion) for (?:the|our) (?!company\b|org\b|business\b)[a-z][\w-]+",
    # the person who does a named job (the person who handles vendor negotiations)
    r"\b(?:person|one|engineer|someone) who (?:handles|owns|runs|leads|drives|manages|decides|coordinates|"
    r"looks after) (?:the |our |all )?[a-z][\w-]+",
    # a role seat of a named unit (the platform lead role, the mobile EM position)
    r"\b(?:the|a|an) (?!bigger\b|more\b|leadership\b|senior\b|staff\b|new\b)[a-z][\w-]+ (?:lead|owner|manager|em|"
    r"architect) (?:role|position|seat|spot|job)\b",
    # a say over a named kind of decision (more say in hiring decisions, a voice in the roadmap)
    rf"\b(?:say|voice|vote|input) (?:in|on|over) (?:the |our |my )?(?:[\w-]+ ){{0,3}}?(?:decisions|{_SCOPE_AREA_EN})\b",
]
_REASON_JA = [
    r"(?:[るたいだすうくぐつぬむぶ]|ている|ていた|です|ます|ない|った|んだ|のだ|こと)\s*(?:から|ので)(?!すが)(?:だ|です|。|、|$|\s)",
    r"(?:ている|ていた|です|ます|ない|った|[るたいだ])\s*ので(?!すが|しょう)",
    r"(?:^|[^そ])(?:なので|なため|だから)",  # after a noun (異動予定なので); not そうなので
    r"(?<!その)(?<!この)(?<!何の)(?<!なんの)ため(?:に|、|。|です|だ|$|\s)",
    r"理由|なぜなら|というのも|背景|きっかけ|起因|を踏まえ|を受けて|ことから",
    # cause clauses without から/ので: listing (好きだし、), te-form of a wish or state (したくて、),
    # a noun source (経験から、 but not 4月から、), "partly because" (こともあり、)
    r"(?:だ|い|る|た)し[、,]",
    r"(?:たく|しく|なく|が強く)て[、,]",
    r"(?<![月年日期度春夏秋冬週今後頃時点降前目中末半\d])から[、,]",
    r"(?:こと|の)も(?:あり|あって)[、,]",
    # a change or a feeling that leads to the wish (…が増えていて、 / …という思いがあり、)
    r"(?:増え|減っ|続い|感じ|困っ|目立っ|重なっ|溜まっ|たまっ)て(?:いて|おり)[、,]",
    r"(?:が多く|が少なく|が足りず|が足りなく|がなく)[、,]",
    r"(?:思い|課題感|問題意識|危機感|関心)が(?:あり|あって|強く)[、,]",
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
    # purpose: so (that) someone can / will / gets … (so we can stop, so incidents get an owner)
    r"\bso (?:that )?(?:i|we|they|the team|people|everyone|[a-z]+s) (?:can|could|will|would|won't|don't|"
    r"stop|get|have|know)\b",
    r",? so (?:i|i'd|i'm|i've|we)\b",
    r"\b(?:cuz|coz|cos|'cause|bc|b/c)\b",  # informal because
    # a participle clause of what the writer has done (having spent a year on it, …)
    r"(?:^|,\s*)having (?:been|spent|led|run|built|done|seen|had|taken|written|grown|\w+ed)\b",
    r"\b(?:mainly |mostly |partly |largely )?for the (?:sake of\b|(?:learning|experience|growth|challenge|exposure)"
    r"(?=\s*(?:[.,;!?]|$)))",
    r"\b(?:reason|why|motivation)\s*[:：]",  # a labelled reason (Goal: … Reason: …)
    # a purpose infinitive set off by a comma (…by the summer review, to have more say in …)
    r",\s+(?:so as |in order )?to (?:have|grow|learn|help|get|build|gain|support|improve|make|give|keep)\b",
    # a non-restrictive clause giving the cause (…from Priya, who's moving teams)
    r",\s*(?:who|which)(?:'s| is| was| has| had| means| would| will) (?!also\b)\w+",
    # the writer's own finding or liking, before the wish (I've noticed I like X, so I'd like …)
    r"^(?:i've (?:realized|realised|noticed|found|learned|learnt|seen)|i (?:really )?(?:enjoy|love|like|prefer)\b)"
    r"[^.]*?,? (?:and|so) (?:i'd|i would|i want|i'm hoping|i hope)\b",
    r"(?:^|,\s*)(?:seeing|noticing|watching|knowing|realizing|realising) (?:how|that|what|our|the)\b",
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
    why: dict[str, str] = field(default_factory=dict)

    @property
    def parts(self) -> IntentParts:
        return IntentParts(
            timeframe=self.timeframe is not None,
            scope=self.scope is not None,
            reason=self.reason is not None,
            why=dict(self.why),
        )


def _rules_for(language: Language) -> list[Language]:
    """Japanese text often carries English terms (and the reverse): try the text's language first."""
    return [language, "en" if language == "ja" else "ja"]


def _timeframe_matches(text: str, language: Language) -> list[re.Match[str]]:
    """Future time expressions, earliest first and, at one place, the longest (by the end of next
    year, not next year); past periods (直近3ヶ月, last quarter) are left out."""
    found = []
    for pattern in _RULES["timeframe"][language]:
        for match in pattern.finditer(text):
            before = text[: match.start()]
            if not (_PAST_BEFORE.search(before) or _PAST_EN.search(before)):
                found.append(match)
    if not found:
        return []
    first = min(found, key=lambda m: m.start())
    overlapping = [m for m in found if m.start() < first.end() + 1 and m.end() > first.start()]
    return sorted(overlapping, key=lambda m: (m.start(), -(m.end() - m.start())))


def _find_timeframe(text: str, language: Language, avoid: tuple[int, int] | None = None) -> str | None:
    """The first future time expression, with the particle (JA) or preposition (EN) the user wrote."""
    matches = [
        m for m in _timeframe_matches(text, language) if not (avoid and avoid[0] <= m.start() < avoid[1])
    ]
    if not matches:
        return None
    match = matches[0]
    found = match.group(0).strip()
    if language == "ja":  # 再来期までに, 4月から: the particle says how the time is meant
        tail = re.match(r"(?:までに(?:は)?|まで|には|から|中に)", text[match.end() :])
        return found + (tail.group(0) if tail else "")
    lead = re.search(
        r"\b(?:in|by|before|during|within|at|over|until|for)(?:\s+the)?\s+$", text[: match.start()], re.I
    )
    if lead and not _EN_TIME_PREP.match(found):  # in the next review cycle, not "the next review cycle"
        found = lead.group(0) + found
    return found


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
    r"[.;!?(]|,|\s[—–-]\s|\b(?:because|since|so|in order to|given|due to|as i|as we|cuz|'cause)\b", re.I
)


def _scope_phrase_ja(text: str, start: int, timeframe: str | None) -> str:
    """From the object's start up to the wish verb, as a noun phrase (…をリードしたい -> …のリード)."""
    rest = text[start:]
    stop = _DESIRE_JA.search(rest, 1)
    clause = re.split(r"[、。!?！？\n]", rest[: stop.start()] if stop else rest)[0]
    clause = _clean_object(clause, timeframe)
    return re.sub(rf"を({_SCOPE_VERB_JA})(?:する|し)?$", r"の\1", clause).strip()


def _scope_phrase_en(text: str, match: re.Match[str], timeframe: str | None) -> str:
    """The user's verb phrase for the scope (`own the billing service`), cut before the why/when."""
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


def _scope_matches(text: str, language: Language, avoid: tuple[int, int] | None) -> list[re.Match[str]]:
    """Scope candidates in rule order (Japanese) or text order (English: the wish comes first),
    leaving out those inside the reason clause (`because I run its design reviews` is a why)."""
    found = [
        match
        for pattern in _RULES["scope"][language]
        for match in pattern.finditer(text)
        if not (avoid and avoid[0] <= match.start() < avoid[1])
    ]
    if language == "en":
        return sorted(found, key=lambda m: m.start())
    bounds = [0] + [m.end() for m in _SENTENCE.finditer(text)] + [len(text)]
    sentences = [(a, b) for a, b in pairwise(bounds) if b > a]
    wished = next(((a, b) for a, b in sentences if _WISH.search(text[a:b])), None)
    if wished is None:
        return found
    # only the wish sentence: a status line (今は…を担当しています) names where the writer is, not the wish
    return [m for m in found if wished[0] <= m.start() < wished[1]]


def _find_scope(
    text: str, language: Language, timeframe: str | None, avoid: tuple[int, int] | None = None
) -> str | None:
    for match in _scope_matches(text, language, avoid):
        groups = match.groupdict()
        obj = groups.get("obj")
        if language == "en":
            vague = re.search(r"\b(?:more|something|bigger)\b", match.group(0), re.IGNORECASE)
            if vague and not re.search(
                r"\b(?:of|over|for|on) (?:the|our|my)\b", match.group(0)[vague.end() :], re.I
            ):
                continue  # more responsibility / something bigger; but `more of the checkout work` is named
            if re.search(rf"\b(?:a|an|one) {_SCOPE_AREA_EN}$", match.group(0), re.IGNORECASE):
                continue  # run a team / lead a project: which one is not said
            return _scope_phrase_en(text, match, timeframe)
        role = groups.get("role")
        if role is not None and obj is not None:  # バックエンドチームのテックリード: the team is the scope
            unit = _clean_object(obj, timeframe)
            if not unit or re.fullmatch(rf"(?:その|この|あの|どの|別の|他の|ある){_NAMED_UNIT_JA}", unit):
                continue  # その領域の…: the unit is not named here
            return f"{unit}の{role}"
        if obj is None:
            return _scope_phrase_ja(text, match.start(), timeframe) or match.group(0)
        cleaned = _clean_object(obj, timeframe)
        if not cleaned or _VAGUE_OBJECT.search(obj) or len(cleaned) < 2 or _ROLE_ONLY_JA.fullmatch(cleaned):
            continue
        if "verb" not in groups:  # …を任されたい / …に関わりたい: the object is the scope
            return cleaned
        begin = match.start("obj") + obj.rfind(cleaned)
        return _scope_phrase_ja(text, begin, timeframe)
    return None


#: Words after which `to` + verb is the wish itself or a complement (want to grow, the chance to
#: learn), not a purpose.
_NOT_PURPOSE_BEFORE = frozenset(
    [
        "want",
        "wants",
        "like",
        "love",
        "hope",
        "aim",
        "plan",
        "intend",
        "need",
        "needs",
        "able",
        "going",
        "try",
        "trying",
        "have",
        "has",
        "had",
        "used",
        "ought",
        "would",
        "'d",
        "start",
        "begin",
        "continue",
        "chance",
        "opportunity",
        "time",
        "way",
        "how",
        "where",
        "what",
        "allowed",
        "trusted",
        "asked",
        "expected",
        "due",
        "close",
        "closer",
    ]
)
#: Verbs of a purpose clause (…, to grow my skills / to help the juniors / to cut our on-call load).
_PURPOSE_VERBS = frozenset(
    [
        "grow",
        "learn",
        "help",
        "support",
        "improve",
        "reduce",
        "cut",
        "make",
        "build",
        "gain",
        "develop",
        "free",
        "stop",
        "avoid",
        "unblock",
        "share",
        "give",
        "keep",
        "prepare",
        "broaden",
        "deepen",
        "strengthen",
        "sharpen",
        "practise",
        "practice",
        "round",
        "speed",
        "lower",
        "raise",
        "spread",
        "have",
        "get",
    ]
)
_EN_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?")


def _purpose_infinitive(text: str) -> re.Match[str] | None:
    """`… lead X to grow my skills`: a second `to` + purpose verb after the wish, as a reason."""
    words = list(_EN_TOKEN.finditer(text.lower()))
    wished = False
    for i, word in enumerate(words[:-1]):
        if word.group(0) != "to":
            continue
        before = words[i - 1].group(0) if i else ""
        if before in _NOT_PURPOSE_BEFORE or not wished:
            wished = wished or before in _NOT_PURPOSE_BEFORE
            continue
        if words[i + 1].group(0) in _PURPOSE_VERBS:
            return re.compile(r"\bto\b", re.IGNORECASE).search(text, word.start())
    return None


#: A clause that explains nothing about the wish: the writer hedging about themselves.
_HEDGE = re.compile(
    r"\b(?:not sure|no idea|nothing specific|not decided|undecided|just a thought|maybe|i think|tbh|ngl|"
    r"open to|not in a hurry|we'll see)\b|まだ(?:決|わか|分か|整理)|未定|漠然|わからない|分からない|なんとなく",
    re.IGNORECASE,
)
_WISH = re.compile(
    r"たい|目指|考えている|考えています|希望|"
    r"\b(?:want|wants|wanted|'d like|would like|'d love|would love|hope|hoping|aim|see myself|interested)\b",
    re.IGNORECASE,
)
_FINITE_EN = re.compile(
    r"\b(?:it's|that's|there's|we're|we've|they're|they've|i've|i'm|is|are|was|were|has|have|had|keeps?|kept|"
    r"does|did|can't|cannot|don't|doesn't|won't|isn't|aren't|wasn't|hasn't|haven't|would|could|will|we'd|it'd|"
    r"that'd|they'd|\w+'ll|\w{3,}ed)\b",
    re.IGNORECASE,
)
_SUBJECT_EN = re.compile(
    r"(?:i|we|it|they|he|she|this|that|there|our|my|the|nobody|no one|everyone|people|most|half)\s+\w+", re.I
)
_CLAUSES_EN = re.compile(r"(?<=[.!?])\s+|\s*;\s*|\s+[—–]\s+|\s+-\s+|\s*[()]\s*")


def _explaining_clause(text: str, language: Language) -> str | None:
    """A second, declarative clause beside the wish (`…をやりたい。レビューが長引きがちだ。`,
    `I'd like X; we've been short-staffed`): it says why, even without a causal word."""
    if language == "ja":
        parts = [p for p in _SENTENCE.split(text) if p and p.strip()]
    else:
        parts = [p for p in _CLAUSES_EN.split(text) if p and p.strip()]
    # the wish clause; a note with no wish word (`Next half: own X (…)`) opens with it
    wish_at = next((i for i, p in enumerate(parts) if _WISH.search(p)), 0)
    # only what follows the wish explains it; a status line before it (今は…, I'm currently on…) does not
    for part in parts[wish_at + 1 :]:
        if _WISH.search(part) or _HEDGE.search(part) or "?" in part or "？" in part:
            continue
        if language == "ja":
            from coach.rules.clause import ja_predicates

            predicates = ja_predicates(part)
            if predicates and predicates[-1].modality not in ("wish", "request", "question"):
                return part.strip().rstrip("。.")
        elif (_FINITE_EN.search(part) or _SUBJECT_EN.match(part.strip())) and len(part.split()) >= 3:
            clause = part.strip().rstrip(".")
            return "because " + clause[0].lower() + clause[1:]
    return None


def _find_reason(text: str, language: Language) -> tuple[str, str] | None:
    """(the reason clause, the rule that found it): a causal / purpose marker, a purpose
    infinitive, or a declarative clause after the wish that explains it."""
    times = [(m.start(), m.end()) for m in _timeframe_matches(text, language)]
    for pattern in _RULES["reason"][language]:
        for match in pattern.finditer(text):
            if match.group(0).startswith("から") and any(a <= match.start() <= b for a, b in times):
                continue  # 年明けから、: a start time, not a cause
            marker = match.group(0).strip(" ,、")
            return _reason_clause(text, match, language), f"cause or purpose marker '{marker}':"
    if language == "en":
        purpose = _purpose_infinitive(text)
        if purpose:
            return _reason_clause(text, purpose, language), "purpose infinitive:"
    clause = _explaining_clause(text, language)
    return (clause, "a clause explaining the wish:") if clause else None


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
    head = text[start : match.start() + cut].rstrip("、,")
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


#: Words that look like a part but are not one; named in `why` when they explain a missing part.
_VAGUE_TIME = re.compile(
    r"いずれ(?:は)?|そろそろ|そのうち|ゆくゆく(?:は)?|将来的?に?(?:は)?|いつか(?:は)?|近いうちに|早めに|"
    r"\b(?:at some point(?: soon)?|someday|some day|eventually|one day|in the future|sometime(?: soon)?|"
    r"down the (?:road|line)|long[- ]term)\b",
    re.IGNORECASE,
)
_ROLE_WORD = re.compile(
    rf"{_ROLE_JA}|リーダー|マネジメント|管理職|シニア|\b(?:tech lead|team lead|staff(?: engineer)?|principal(?: engineer)?|"
    r"senior(?: engineer)?|engineering manager|manager|management|em|architect|sre|cto|director|lead)\b",
    re.IGNORECASE,
)


def _explain(result: IntentAnalysis, text: str) -> dict[str, str]:
    """One line per part: the rule family that decided and the user's words it rests on."""
    why: dict[str, str] = {}
    vague = _VAGUE_TIME.search(text)
    if result.timeframe:
        why["timeframe"] = f"time expression '{result.timeframe}'"
    elif vague:
        why["timeframe"] = f"missing: '{vague.group(0).strip()}' is a vague time, not a date or period"
    else:
        why["timeframe"] = "missing: no date, period or dated event"
    role = _ROLE_WORD.search(text)
    if result.scope:
        why["scope"] = f"named team / area / responsibility '{result.scope}'"
    elif role:
        why["scope"] = f"missing: '{role.group(0)}' is a role type; no team, domain or artifact is named"
    else:
        why["scope"] = "missing: no team, domain, system or responsibility named"
    source = result.spans.get("reason_rule", "cause or purpose clause")
    why["reason"] = f"{source} '{result.reason}'" if result.reason else "missing: no cause or purpose clause"
    return why


def _span_of(text: str, clause: str | None) -> tuple[int, int] | None:
    """Where the reason clause sits in the text (it may have lost a leading `because`)."""
    if not clause:
        return None
    core = re.sub(r"^because\s+", "", clause)
    start = text.lower().find(core.lower())
    return (start, start + len(core)) if start >= 0 else None


def analyse(text: str) -> IntentAnalysis:
    language = detect_language(text)
    result = IntentAnalysis(language=language, theme=_theme(text, language))
    for rules in _rules_for(language):
        found = _find_reason(text, rules) if result.reason is None else None
        if found is not None:
            result.reason, result.spans["reason_rule"] = found
    # a time or an area inside the reason clause belongs to the why (…来年倍になる予定なので)
    avoid = _span_of(text, result.reason)
    for rules in _rules_for(language):
        result.timeframe = result.timeframe or _find_timeframe(text, rules, avoid)
        result.scope = result.scope or _find_scope(text, rules, result.timeframe, avoid)
    if result.scope:
        result.scope = _VAGUE_TIME.sub("", result.scope).strip(" 、,")
    result.why = _explain(result, text)
    return result


def detect_parts(text: str) -> IntentParts:
    return analyse(text).parts


# --------------------------------------------------------------------------- drafts

_LEADERSHIP = re.compile(r"マネジ|マネー|リード|リーダー|育成|メンバー|lead|manag|mentor|people|team", re.I)
_ARCHITECTURE = re.compile(r"アーキテク|設計|技術選定|architect|design|technical direction", re.I)

PLACEHOLDERS: dict[Language, dict[str, str]] = {
    language: labels("intent.placeholder", language) for language in ("ja", "en")
}
"""What a draft says where the user gave no detail: `[時期]`, `[reason]` (coach.messages)."""


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


# Drafts are templates per construction: the user's wish predicate is kept whole (`be promoted to
# staff engineer`, `決済基盤チームでテックリードを担い`), the timeframe and the reason are slotted in
# by their grammatical shape, and only a part the user did not give becomes a placeholder.

#: Gerunds the English scope phrase may start with, and their base forms (`owning X` -> `own X`).
_GERUND_BASE: dict[str, str] = {
    "owning": "own",
    "leading": "lead",
    "running": "run",
    "managing": "manage",
    "driving": "drive",
    "heading": "head",
    "building": "build",
    "taking": "take",
    "mentoring": "mentor",
    "coaching": "coach",
    "training": "train",
    "onboarding": "onboard",
    "interviewing": "interview",
    "working": "work",
    "getting": "get",
    "being": "be",
    "becoming": "become",
    "moving": "move",
    "stepping": "step",
    "setting": "set",
    "designing": "design",
    "architecting": "architect",
    "joining": "join",
    "contributing": "contribute",
    "trying": "try",
    "doing": "do",
    "having": "have",
    "making": "make",
    "growing": "grow",
    "shaping": "shape",
    "supporting": "support",
    "handling": "handle",
}
#: Connectors an English reason clause may open with; any other clause gets `because`.
_EN_CONNECTORS = re.compile(
    r"^(?:because|since|so that|so (?:i|we|they|the team|people|everyone)|given|as|in order to|to|for|due to|"
    r"after|motivated by|as a result of)\b",
    re.IGNORECASE,
)
_FILLER_EN = re.compile(r"\s*\b(?:ngl|lol|tbh|imo|kinda|sorta)\b", re.IGNORECASE)
_INFORMAL_BECAUSE = re.compile(r"^(?:mostly |mainly |partly )?(?:cuz|coz|cos|'cause|bc|b/c)\b", re.IGNORECASE)
_EN_WISH = re.compile(
    r"\b(?:want to|wants to|'d like to|would like to|'d love to|would love to|hope to|aim to|plan to|"
    r"intend to|like to|see myself|interested in|open to)\s+",
    re.IGNORECASE,
)
_EN_TIME_PREP = re.compile(
    r"^(?:by|within|in|before|over|during|until|from|at|after|when|once|next|this)\b", re.I
)


_AS_ROLE_EN = re.compile(
    r"\bas (?:a|an|the|our|my) (?:[\w-]+ ){0,2}?(?:engineer|lead|manager|architect|developer|sre|em|owner)\b",
    re.IGNORECASE,
)


def _base_form(phrase: str) -> str:
    """`owning the checkout platform` -> `own the checkout platform`; `as X` -> `work as X`."""
    first, _, rest = phrase.partition(" ")
    base = _GERUND_BASE.get(first.lower())
    if base:
        return f"{base} {rest}".strip()
    if first.lower() == "as":
        return f"work {phrase}"
    return phrase


def _en_wish_phrase(text: str, analysis: IntentAnalysis) -> str | None:
    """The user's own verb phrase of the wish (`be given the API design reviews as a senior
    engineer`), without the timeframe, the reason and vague time words, in base form."""
    for sentence in _SENTENCE.split(text):
        if not sentence:
            continue
        wish = _EN_WISH.search(sentence)
        if not wish:
            continue
        rest = sentence[wish.end() :]
        end = _CLAUSE_END_EN.search(rest)
        phrase = rest[: end.start() if end else len(rest)]
        if analysis.timeframe:
            phrase = re.sub(
                r"(?:\b(?:in|by|before|during|within|at|for|over|until)\s+)?" + re.escape(analysis.timeframe),
                "",
                phrase,
                flags=re.IGNORECASE,
            )
        phrase = _FILLER_EN.sub("", _VAGUE_TIME.sub("", phrase))
        phrase = re.sub(r"\s+", " ", phrase).strip(" ,:;—-")
        phrase = re.sub(r"\b(?:my|me)self\b", "", phrase).strip()
        if phrase:
            based = _base_form(phrase)
            if wish.group(0).lower().startswith(("interested in", "open to")) and based == phrase:
                return f"grow into {phrase}"  # a noun of interest (management): keep it, as a direction
            return based
    return None


def _en_reason(reason: str | None) -> str:
    if reason is None:
        return "because [reason]"
    reason = re.sub(r"\bi\b", "I", reason.strip().rstrip("."))
    reason = _INFORMAL_BECAUSE.sub("because", _FILLER_EN.sub("", reason)).strip()
    reason = re.sub(r"^as\b", "because", reason, flags=re.IGNORECASE)
    if re.match(r"having\b", reason, re.IGNORECASE):
        return "because I have" + reason[len("having") :]
    if _EN_CONNECTORS.match(reason):
        return reason
    return "because " + reason


def _en_when(timeframe: str | None) -> str:
    """The timeframe as a complete adverbial: `by next March`, `within 2 years`, `by [timeframe]`."""
    if timeframe is None:
        return "by [timeframe]"
    first = timeframe.split(" ", 1)[0]
    when = timeframe if first.isupper() and len(first) > 1 else timeframe[0].lower() + timeframe[1:]
    return when if _EN_TIME_PREP.match(when) else f"by {when}"


def _en_drafts(analysis: IntentAnalysis, text: str, cite: str | None) -> list[str]:
    # the user's wish phrase carries every part they gave (role, scope); the scope found stands
    # in only when there is no `want to …` to take it from
    wish = _en_wish_phrase(text, analysis) or (_base_form(analysis.scope) if analysis.scope else None)
    role = _AS_ROLE_EN.search(text)
    if wish and role and role.group(0).lower() not in wish.lower():
        wish = (
            f"{wish} as{role.group(0)[2:]}"  # As a senior engineer, I'd like … : the role stays with the wish
        )
    note = ""
    if wish is None:
        wish = _base_form(_scope_placeholder(analysis))
        if analysis.theme:
            note = f" (about: {analysis.theme})"
    elif not analysis.scope:
        note = " (scope: [team, area or system])"
    when = _en_when(analysis.timeframe)
    lead = when[0].upper() + when[1:]
    because = _en_reason(analysis.reason)
    drafts = [
        f"{lead}, I want to {wish}{note}, {because}.",
        f"Could I {wish}{note} {when}? I'm asking {because}.",
        f"To {wish}{note} {when}, I'd like to agree with you on a first step: [first step].",
    ]
    if cite:
        drafts[2] = f"{lead}, I want to {wish}{note}. As evidence: {cite}."
    return drafts


# ---- Japanese

_JA_WISH_END = re.compile(
    r"たい(?:と(?:考えて|思って)(?:います|いる)|です|な|と思う|のです)?(?=[。!?！？、]|$)"
)


def _ja_time(timeframe: str | None) -> str:
    """The timeframe as an adverbial that can open a sentence: 来期は、 / 2年以内に、 / …のタイミングで、"""
    if timeframe is None:
        return "[時期]までに、"
    if re.search(r"(?:に|で|から|は|までに)$", timeframe):
        return timeframe + "、"
    if re.search(r"(?:以内|後|まで|中|末|内|先|頃|ごろ|うち)$", timeframe):
        return timeframe + "に、"
    return timeframe + "は、"


def _ja_wish_stem(text: str, analysis: IntentAnalysis) -> str | None:
    """The user's wish clause up to たい, without the timeframe, vague time words or the reason:
    `来期は決済基盤チームでテックリードを担いたい` -> `決済基盤チームでテックリードを担い`."""
    for sentence in (p for p in _SENTENCE.split(text) if p and p.strip()):
        end = _JA_WISH_END.search(sentence)
        if not end:
            continue
        clause = sentence[: end.start()]
        if analysis.reason and analysis.reason in clause:
            clause = clause.split(analysis.reason, 1)[1]
            clause = re.sub(r"^(?:ので|から|ため(?:に)?|なので|し|くて|て)?[、,]?", "", clause)
        elif (
            "、" in clause
            and _RULES["reason"]["ja"]
            and any(p.search(clause) for p in _RULES["reason"]["ja"])
        ):
            clause = clause.rsplit("、", 1)[1]
        if analysis.timeframe and analysis.timeframe in clause:
            before, after = clause.split(analysis.timeframe, 1)
            clause = before + re.sub(r"^(?:までに|まで|には|に|は|で|から)?[、,]?", "", after)
        clause = _VAGUE_TIME.sub("", clause)
        clause = re.sub(r"^(?:くらい|ぐらい|ほど|には|は|に|、|,|\s)+", "", clause).strip()
        if clause:
            return clause
    return None


#: Continuative endings a cause clause stops on, and their plain forms (so ため can follow).
_JA_CONTINUATIVE: dict[str, str] = {
    "ていて": "ている",
    "ており": "ている",
    "があり": "がある",
    "があって": "がある",
    "が多く": "が多い",
    "が少なく": "が少ない",
    "が足りず": "が足りない",
    "が足りなく": "が足りない",
    "がなく": "がない",
    "が強く": "が強い",
}
_JA_POLITE = re.compile(r"(?:です|ます|ました|でした|ません)$")


def _ja_because(reason: str | None) -> str:
    """`理由は、…ためです。` by the shape of the reason's last word; polite or other endings are
    quoted instead of conjugated."""
    if reason is None:
        return "理由は[理由]です。"
    reason = re.sub(r"たくて$", "たい", reason.strip("、。 "))
    reason = re.sub(r"(?<=[だいるた])し$", "", reason)
    reason = re.sub(rf"(?<=[{KANJI}\u30a0-\u30ff])な$", "", reason)  # 異動予定な(ので) -> 異動予定
    for ending, plain in _JA_CONTINUATIVE.items():  # 思いがあり(、) -> 思いがある
        if reason.endswith(ending):
            reason = reason[: -len(ending)] + plain
            break
    if _JA_POLITE.search(reason):
        return f"理由: {reason}。"
    if re.search(r"[いるたうくすつぬむぶぐ]$", reason):
        return f"理由は、{reason}ためです。"
    if reason.endswith("だ"):
        return f"理由は、{reason[:-1]}なためです。"
    return f"理由は、{reason}のためです。"


def _ja_drafts(analysis: IntentAnalysis, text: str, cite: str | None) -> list[str]:
    when = _ja_time(analysis.timeframe)
    because = _ja_because(analysis.reason)
    stem = _ja_wish_stem(text, analysis)
    if stem is None:
        scope = analysis.scope or _scope_placeholder(analysis)
        about = f"{analysis.theme}に関して、" if analysis.theme and analysis.theme not in scope else ""
        wish = f"{about}{scope}を担い"
    elif analysis.scope or re.search(r"\[[^\]]+\]", stem):
        wish = stem
    else:
        wish = f"[担当したいチーム・領域]で、{stem}"
    drafts = [
        f"{when}{wish}たいと考えています。{because}",
        f"{when}{wish}たいです。実現に向けて、機会をいただけないでしょうか。{because}",
        f"{when}{wish}たいです。そのために、まず[最初の一歩]から始めたいと考えています。",
    ]
    if cite:
        drafts[2] = f"{when}{wish}たいです。根拠として、{cite}という実績があります。"
    return drafts


def wish_phrase(analysis: IntentAnalysis, text: str) -> str | None:
    """The user's wish as a short phrase, every part they gave kept: `決済基盤チームでテックリードを
    担いたい`, `become a staff engineer on the search team`; None when there is no wish predicate."""
    if analysis.language == "ja":
        stem = _ja_wish_stem(text, analysis)
        return f"{stem}たい" if stem else None
    return _en_wish_phrase(text, analysis)


def offline_drafts(analysis: IntentAnalysis, evidence: list[str], text: str = "") -> list[str]:
    """Three drafts in the user's language: a statement, a request to the manager, a first step.

    `text` is the user's intent (the wish predicate is taken from it); without it, the scope
    found stands in for the wish."""
    cite = evidence[0] if evidence else None
    if analysis.language == "ja":
        return _ja_drafts(analysis, text, cite)
    return _en_drafts(analysis, text, cite)


def questions_for(parts: IntentParts, language: Language) -> list[str]:
    table = labels("intent.question", language)
    return [table[name] for name in ("timeframe", "scope", "reason") if not getattr(parts, name)]
