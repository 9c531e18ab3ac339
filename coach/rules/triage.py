"""Offline concern triage: self (report only) / support (a concrete ask) / org (an escalation draft).

The bucket is decided by named rules tried in order (RULES); the first that fires wins and its
name and evidence become the item's `why`:

1. a report or escalation tag the user wrote (【報告】, FYI:, [escalate]) wins;
2. an organisation-level topic (company-wide, policy, HR, hiring, pay, promotion process, rules
   across departments) is org, even when phrased as a request or tagged 【相談】: the manager can
   only carry it up;
3. a 相談/ask tag is support, unless the item closes with what the writer will do or is doing
   themselves (…やっておきます, I'll …) and nothing says they cannot;
4. a request addressed to the manager (…てほしい / …てもらえますか / could you …), a permission,
   an approval or a budget is support;
5. the item closing with the writer's own action (the last predicate intended, under way or
   done: …ておきます, …しているところ, I'll …, I've started …) is self;
6. after the last contrast (but / が、), a sign the writer cannot clear it alone is support;
7. the writer acting on it elsewhere in the item, or words of done / on track, is self;
8. anything else brought to a 1on1 needs the manager: support.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from coach.models import Bucket, Language
from coach.rules.clause import en_own_action, en_request, ja_predicates
from coach.text.language import detect_language
from coach.text.script import has_japanese
from coach.text.segment import sentences

#: Tag words per bucket. Report and escalation tags are final; an ask tag (相談) is a hint that
#: the content can overturn (an org-level topic, or the writer saying they will handle it).
_TAG_WORDS: dict[Bucket, str] = {
    "self": r"報告|共有|fyi|report|update|info|status",
    "support": r"相談|依頼|お願い|要相談|ask|help|request|support|question",
    "org": r"エスカレーション|エスカレ|組織課題|escalate|escalation|org",
}


def _tag(words: str) -> re.Pattern[str]:
    """`【相談】…`, `[ask] …`, and the unbracketed `相談: …` / `FYI: …` people also write."""
    return re.compile(
        rf"^\s*(?:[【\[(（]\s*(?:{words})\s*[】\])）]\s*[:：]?|(?:(?:quick|short|brief|small)\s+)?(?:{words})\s*[:：])\s*",
        re.IGNORECASE,
    )


_TAGS: list[tuple[re.Pattern[str], Bucket]] = [(_tag(words), bucket) for bucket, words in _TAG_WORDS.items()]

_ORG = re.compile(
    r"会社全体|会社(?:として|的|が|の(?:方針|制度|ルール))|全社|組織全体|組織的|組織の|組織として|事業部|"
    r"(?:部署|部門|事業部|チーム)(?:ごと|毎|間|横断|を(?:また|跨|越え))|各(?:チーム|部署|部門)|"
    r"全(?:チーム|部署|部門)|部門全体|部署全体|横断的|複数(?:の)?チーム|制度|人事|方針|ポリシー|経営|上層部|"
    r"ヘッドカウント|人員計画|増員計画|"
    r"(?:中途|新卒|エンジニア|人材)採用|採用(?:活動|面接|計画|枠|人数|基準|市場|が難航|に苦戦|が進ま|にも影響|に影響)|"
    r"拠点(?:ごと|間)|オーナー不在|管轄が(?:曖昧|不明)|責任(?:範囲|分界)が(?:曖昧|不明|決まっていない)|"
    r"離職|退職(?:が|者)|給与|報酬|手当|昇給|昇進|昇格基準|賞与|ボーナス|福利厚生|等級|評価基準|キャリアラダー|"
    r"\b(?:company-wide|companywide|across the company|org-wide|organi[sz]ations?(?:al)?|departments|"
    r"divisions|(?:every|each|other|all|cross-|between) (?:department|division)s?|polic(?:y|ies)|hiring|headcount|across teams|cross-team|"
    r"reorgs?|(?:engineering|eng|product|whole|entire) org|across the (?:whole|entire)|"
    r"compensation|salary|salaries|(?:salary|pay) bands?|(?:on-?call|overtime) pay|bonus(?:es)?|"
    r"promotion (?:process|criteria)|career ladder|leadership team|(?:upper|senior|executive|top) "
    r"(?:management|leadership)|executives?|attrition|turnover|backfill(?:ing|ed)?|resignations?|"
    r"(?:engineers|people|members|colleagues|teammates|developers|seniors) (?:have |has )?(?:quit|left|resigned)|"
    r"(?:any|every|each|all) teams?|between (?:\w+ )?(?:offices|sites|locations|teams|departments|orgs)|"
    r"benefits|(?:nobody|no one) owns|no clear owner|(?-i:HR)|"
    # the company as the actor or the level, not a company event (`the company all-hands`)
    r"(?:the|our|this) company (?:still |only |never |just )?(?:has|have|had|does|doesn't|does not|won't|"
    r"requires?|expects?|keeps?|offers?|pays?|allows?|bans?|lets?)|"
    r"company (?:policy|policies|rules?|standards?|level|process(?:es)?|guidelines?)|"
    r"(?:anywhere|everywhere|nowhere) in the company|the (?:whole|entire) company|human resources|people team|"
    r"promo(?:tion)? (?:cycles?|process|criteria|committee|rounds?)|(?:pto|leave|vacation|travel|expense|"
    r"remote|return-to-office|rto|procurement) polic(?:y|ies))\b|"
    # cross-department rules, HR processes, org changes (Japanese)
    r"評価サイクル|昇格(?:審査|の機会|の回数)|採用凍結|採用(?:を)?(?:止め|停止|ストップ)|他部署|部署をまたぐ|"
    r"全社共通|組織変更|就業規則|勤務(?:形態|規定)の|評価の(?:フィードバック|仕組み|プロセス|頻度|回数)|"
    r"(?:昇格|昇進|報酬|給与)の(?:基準|制度|ルール|仕組み|プロセス|回数|頻度)|職種(?:ごと|間|によって)|"
    r"\b(?:budget|procurement|purchasing|expense|approval) (?:process|policy|policies|rules)\b",
    re.IGNORECASE,
)
_ASK = re.compile(
    r"してほしい|して欲しい|てほしい|て欲しい|がほしい|が欲しい|してもらえ|していただけ|いただけ|"
    r"もらえ(?:ない|ます|ると|るか)|ください|下さい|お願い|相談したい|相談させ|承認|許可|決裁|可否|どうすれば|"
    r"どうするか|べきか|べきでしょうか|決めてほしい|"
    r"\b(?:could you|can you|would you|will you|can we|could we|can i|could i|may i|please|approve|approval|"
    r"permission|sign-?off|is it ok|would it be ok|is there (?:budget|room|a way)|"
    r"need (?:your|help|support|a decision|guidance)|help me|how should i|should i|need help)\b",
    re.IGNORECASE,
)
# signs the user cannot clear it alone: these veto a "handling it" reading
_NEEDS_HELP = re.compile(
    r"予算|判断|アドバイス|助言|支援|サポート|協力|調整|優先(?:度|順位)|リソース|人手が足り|手が回ら|困って|"
    r"詰まって|ブロック|間に合わ|返事がない|返答がない|進まない|見通しが立たない|わからない|分からない|"
    r"\b(?:budget|advice|guidance|unblock|(?:am|'m|is|are|was|were|been|got|getting) blocked|blocked (?:by|on)|"
    r"decide|decision|prioriti[sz]|priority|funding|resources|stuck|overloaded|too much|can't|cannot|"
    r"unable|no answer|no response|unless|miss(?:ing)? the deadline)\b",
    re.IGNORECASE,
)
# signs the user is handling it: done, under way, planned, or already decided by them
_SELF = re.compile(
    r"対応中|対応済|自分で|自力で|解決済|解決した|対処して|対処中|見込み|予定です|完了|落ち着い|共有です|報告です|"
    r"問題ありません|予定通り|計画通り|順調|進んで(?:いる|います)|[\u4e00-\u9fff\u30a0-\u30ffA-Za-z]済み?(?:です|で|。|、|$)|"
    # an object the user acts on, in progress or done (…を進めている, …をまとめた); not waiting or being asked
    r"を(?:(?![待探求迷悩困]|[らさ]れ)[^、。をが])+?(?:ている|ています|ておる|ており|てある|ました|た(?:。|、|$|ので|が))|"
    r"(?<!相談)(?<!お願い)[\u4e00-\u9fff]{2}します(?:。|$)|"
    r"\b(?:i(?:'ve| have| had)? (?:already |just |now |also )?(?!need|ask|tried|want|request|rais|escalat|reach|"
    r"flagg|ping|email|messag|notic|reali[sz]|wonder|struggl|fail|worr|feel|heard)(?:\w+ed|set up|wrote|built|"
    r"made|found|put|took|sent|ran|moved|split|cut|rewrote|shipped)|"
    r"i(?:'m| am) (?:now |already |currently )?(?!struggl|wait|wonder|try|trying|getting|having|worry|drown|los|"
    r"fall|consider|think|hop|look|ask|going to need|spend|juggl|deal|cover|doing|burn)\w+ing|i(?:'ll| will) (?!need|have to|ask)\w+|"
    r"i'm handling|i am handling|i'm on it|handled|resolved|fixed|working on it|on track|under control|fyi|"
    r"just to let you know|no action needed|heads-? ?up|(?:have|has) a plan|(?:plan|workaround|fix) in place|"
    r"under ?way|in progress|(?:finished|completed|shipped|merged|deployed|landed|went live|is live|recovered)|(?:is|are) (?:done|fixed|resolved|arranged|sorted|covered)|done and|"
    r"should (?:recover|improve|settle|stabili[sz]e|be (?:fine|back|done|fixed)))\b",
    re.IGNORECASE,
)
# the last contrast decides: "behind, but I have a plan" is handled; "handling it, but can't keep up" is not
_CONTRAST = re.compile(
    r"\b(?:but|however|though|although|yet)\b|が、|けど|けれど|ものの|一方(?:で)?、?", re.IGNORECASE
)
_BULLET = re.compile(r"^\s*(?:[-*+]\s*\[[ xX]\]|[-*+•・●○◦▪︎]|\d+[.)．）]|[(（]\d+[)）]|[①-⑳])\s*")
_DATE = re.compile(
    r"\d{1,2}\s*月\s*\d{1,2}\s*日|\d{1,2}/\d{1,2}|\d{4}-\d{2}-\d{2}|来週(?:中|末)?|今週(?:中|末)?|月末|今月中|"
    r"来月(?:中|末)?|次回(?:の1on1)?まで|"
    r"\b(?:by|before|until) (?:\w+ )?(?:monday|tuesday|wednesday|thursday|friday|next week|the end of \w+|"
    r"end of (?:the )?(?:week|month|sprint|quarter)|\w+ \d{1,2})\b|\bnext week\b|\bthis week\b",
    re.IGNORECASE,
)


def split_concerns(text: str) -> list[str]:
    """One concern per non-empty line, bullets / numbers / checkboxes removed, headings skipped."""
    concerns = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        stripped = _BULLET.sub("", stripped).strip()
        if stripped:
            concerns.append(stripped)
    return concerns


def tagged_bucket(concern: str) -> Bucket | None:
    for pattern, bucket in _TAGS:
        if pattern.match(concern):
            return bucket
    return None


def strip_tag(concern: str) -> str:
    for pattern, _ in _TAGS:
        concern = pattern.sub("", concern, count=1)
    return concern.strip()


Decision = tuple[Bucket, str]


def _last_predicate_ja(text: str) -> str | None:
    """The closing predicate, when it is the writer's own action (intended, under way or done)."""
    predicates = ja_predicates(text)
    if predicates and predicates[-1].is_own_action:
        return predicates[-1].describe()
    return None


def _own_action(text: str) -> str | None:
    """Evidence that the writer handles it: the last sentence's structure, then the sign words."""
    parts = sentences(text) or [text]
    last = parts[-1]
    if has_japanese(last):
        found = _last_predicate_ja(last)
        if found:
            return f"own action {found}"
    else:
        found = next((own for s in (last, *parts) if (own := en_own_action(s))), None)
        if found:
            return f"own action '{found}'"
    return None


def _rule_firm_tag(concern: str, text: str) -> Decision | None:
    tagged = tagged_bucket(concern)
    if tagged in ("self", "org"):
        return tagged, f"tag: the user marked it {tagged}"
    return None


def _rule_org_topic(concern: str, text: str) -> Decision | None:
    match = _ORG.search(text)
    if match:
        return "org", f"org-level topic '{match.group(0)}': the manager can only carry it up"
    return None


def _rule_ask_tag(concern: str, text: str) -> Decision | None:
    if tagged_bucket(concern) != "support":
        return None
    own = _own_action(text)
    if own and not _NEEDS_HELP.search(_CONTRAST.split(text)[-1]):
        return "self", f"ask tag, but the item closes with the writer's {own}"
    return "support", "tag: the user marked it as an ask"


def _rule_request(concern: str, text: str) -> Decision | None:
    for sentence in sentences(text) or [text]:
        if has_japanese(sentence):
            request = next((p for p in ja_predicates(sentence) if p.modality == "request"), None)
            if request:
                return "support", f"request to the manager {request.describe()}"
        else:
            opening = en_request(sentence)
            if opening:
                return "support", f"request to the manager '{opening} …'"
    match = _ASK.search(text)
    if match:
        return "support", f"ask word '{match.group(0)}'"
    return None


def _rule_needs_help(concern: str, text: str) -> Decision | None:
    match = _NEEDS_HELP.search(_CONTRAST.split(text)[-1])
    if match:
        return "support", f"cannot clear it alone: '{match.group(0)}'"
    return None


def _rule_closing_action(concern: str, text: str) -> Decision | None:
    """The item closes with the writer's own action (…ておきます, I'll …): structure beats a
    worry word inside it (`ブロックしておきます` is blocking time, not being blocked)."""
    own = _own_action(_CONTRAST.split(text)[-1])
    if own:
        return "self", f"the writer handles it: {own}"
    return None


def _rule_own_action(concern: str, text: str) -> Decision | None:
    tail = _CONTRAST.split(text)[-1]
    if tail != text and has_japanese(tail):
        closing = ja_predicates(tail)
        if closing and not closing[-1].is_own_action:
            return None  # tried, but the problem remains (…しているけど、それでも2日かかる)
    own = _own_action(text)
    if own:
        return "self", f"the writer handles it: {own}"
    match = _SELF.search(tail) or _SELF.search(text)
    if match and not _NEEDS_HELP.search(text):
        return "self", f"handled / on track: '{match.group(0)}'"
    return None


#: The triage rules in the order they are tried (see the module docstring).
RULES: list[tuple[str, Callable[[str, str], Decision | None]]] = [
    ("firm_tag", _rule_firm_tag),
    ("org_topic", _rule_org_topic),
    ("ask_tag", _rule_ask_tag),
    ("request", _rule_request),
    ("closing_action", _rule_closing_action),
    ("needs_help", _rule_needs_help),
    ("own_action", _rule_own_action),
]


def decide(concern: str) -> Decision:
    """The bucket and why (`rule: evidence`) for one concern."""
    text = strip_tag(concern)
    for name, rule in RULES:
        decision = rule(concern, text)
        if decision is not None:
            return decision[0], f"{name}: {decision[1]}"
    return "support", "default: brought to the 1on1 without a sign of handling it, so it needs the manager"


def classify(concern: str) -> Bucket:
    return decide(concern)[0]


def deadline_in(concern: str) -> str | None:
    match = _DATE.search(concern)
    return match.group(0) if match else None


def suggestion(concern: str, bucket: Bucket, language: Language | None = None) -> str:
    """What to say in the 1on1, in the concern's language; placeholders where the text is silent."""
    language = language or detect_language(concern)
    core = strip_tag(concern).rstrip("。.！!？? ")
    due = deadline_in(concern)
    if language == "ja":
        if bucket == "self":
            return (
                f"【報告】{core}。自分で対応しており、共有のみです"
                "(必要なら[次の報告時期]に進捗を報告します)。"
            )
        if bucket == "support":
            when = due or "[期限]"
            if _ASK.search(core):
                return f"【相談】{core}。{when}までにご判断・ご対応いただけますか。"
            return (
                f"【相談】{core}。[具体的にお願いしたいこと(判断・承認・調整など)]を"
                f"{when}までにお願いできますか。"
            )
        return (
            f"【エスカレーション】{core}。チーム内では解決できない組織課題として、"
            f"[関係部署・上位者]への共有をお願いできますか。影響: [影響(件数・期間など)]。"
        )
    if bucket == "self":
        return f"FYI: {core}. I'm handling it; sharing for awareness (next update: [when])."
    if bucket == "support":
        when = due if due and re.match(r"(?:by|before|until)\b", due, re.I) else f"by {due or '[by when]'}"
        if _ASK.search(core):
            return f"Ask: {core} (needed {when})."
        return f"Ask: {core}. Could you help with [the specific decision / approval / introduction] {when}?"
    return (
        f"Escalation: {core}. This can't be solved within the team; could you raise it with "
        f"[which group or leader]? Impact: [impact, e.g. count or duration]."
    )
