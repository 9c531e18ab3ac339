"""Offline concern triage: self (report only) / support (a concrete ask) / org (an escalation draft).

Order of the rules: a tag the user already wrote wins; then organisation-level scope (company-wide,
policy, hiring, headcount, across teams), because an ask about those still needs carrying up;
then an explicit request, permission, approval or budget; then signs the user is handling it.
An untagged concern with none of these is brought to the manager, so it is `support`.
"""

from __future__ import annotations

import re

from coach.models import Bucket, Language
from coach.text.language import detect_language

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
    r"\b(?:company-wide|companywide|across the company|org-wide|organi[sz]ations?(?:al)?|departments?|"
    r"divisions?|polic(?:y|ies)|hiring|headcount|across teams|cross-team|"
    r"reorgs?|(?:engineering|eng|product|whole|entire) org|across the (?:whole|entire)|"
    r"compensation|salary|salaries|(?:salary|pay) bands?|(?:on-?call|overtime) pay|bonus(?:es)?|"
    r"promotion (?:process|criteria)|career ladder|leadership team|(?:upper|senior|executive|top) "
    r"(?:management|leadership)|executives?|attrition|turnover|backfill(?:ing|ed)?|resignations?|"
    r"(?:engineers|people|members|colleagues|teammates|developers|seniors) (?:have |has )?(?:quit|left|resigned)|"
    r"(?:any|every|each|all) teams?|between (?:\w+ )?(?:offices|sites|locations|teams|departments|orgs)|"
    r"benefits|(?:nobody|no one) owns|no clear owner|company)\b",
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
    r"fall|consider|think|hop|look|ask|going to need)\w+ing|i(?:'ll| will) (?!need|have to|ask)\w+|"
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


def classify(concern: str) -> Bucket:
    tagged = tagged_bucket(concern)
    if tagged is not None:
        return tagged
    text = strip_tag(concern)
    if _ORG.search(text):
        return "org"
    if _ASK.search(text):
        return "support"
    tail = _CONTRAST.split(text)[-1]
    if _NEEDS_HELP.search(tail):
        return "support"
    if _SELF.search(tail) or (_SELF.search(text) and not _NEEDS_HELP.search(text)):
        return "self"
    return "support"  # a concern brought to the 1on1 without a sign of handling it needs the manager


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
