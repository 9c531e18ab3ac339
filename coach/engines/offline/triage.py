"""Offline concern triage: self (report only) / support (a concrete ask) / org (an escalation draft).

Order of the rules: a tag the user already wrote wins; then organisation-level scope (company-wide,
policy, hiring, headcount, across teams), because an ask about those still needs carrying up;
then an explicit request, permission, approval or budget; then signs the user is handling it.
An untagged concern with none of these is brought to the manager, so it is `support`.
"""

from __future__ import annotations

import re

from coach.models import Bucket, Language
from coach.text import detect_language

_TAGS: list[tuple[re.Pattern[str], Bucket]] = [
    (
        re.compile(r"^\s*[【\[(（]\s*(?:報告|共有|fyi|report|update|info|status)\s*[】\])）]\s*:?\s*", re.I),
        "self",
    ),
    (
        re.compile(
            r"^\s*[【\[(（]\s*(?:相談|依頼|お願い|要相談|ask|help|request|support|question)\s*[】\])）]\s*:?\s*",
            re.I,
        ),
        "support",
    ),
    (
        re.compile(
            r"^\s*[【\[(（]\s*(?:エスカレーション|エスカレ|組織課題|escalate|escalation|org)\s*[】\])）]\s*:?\s*",
            re.I,
        ),
        "org",
    ),
]

_ORG = re.compile(
    r"会社全体|全社|組織全体|組織的|組織の|組織として|部門全体|部署全体|事業部|部門間|部署間|チーム間|"
    r"複数(?:の)?チーム|全チーム|制度|人事|方針|ポリシー|経営|ヘッドカウント|人員計画|増員計画|"
    r"(?:中途|新卒|エンジニア|人材)採用|採用(?:活動|面接|計画|枠|人数|基準|市場|が難航|に苦戦|が進ま|にも影響|に影響)|"
    r"離職|退職者が|給与|報酬|昇格基準|"
    r"\b(?:company-wide|companywide|across the company|org-wide|organi[sz]ation(?:al)?|department|division|"
    r"policy|policies|hiring|headcount|across teams|cross-team|all teams|every team|reorg|"
    r"compensation|salary|salaries|promotion (?:process|criteria)|career ladder|leadership team|executives?|"
    r"attrition|company)\b",
    re.IGNORECASE,
)
_ASK = re.compile(
    r"してほしい|して欲しい|してもらえ|していただけ|いただけ|もらえ(?:ない|ます|ると)|ください|下さい|お願い|"
    r"相談したい|相談させ|承認|許可|決裁|可否|どうすれば|すべきか|べきでしょうか|"
    r"\b(?:could you|can you|would you|will you|please|approve|approval|permission|sign-?off|"
    r"need (?:your|help|support|a decision|guidance)|help me|how should i|should i|need help)\b",
    re.IGNORECASE,
)
_NEEDS_HELP = re.compile(
    r"予算|判断|アドバイス|助言|支援|サポート|協力|調整|優先(?:度|順位)|リソース|人手が足り|手が回ら|困って|"
    r"詰まって|ブロック|"
    r"\b(?:budget|advice|guidance|unblock|blocked|decide|decision|prioriti[sz]|priority|funding|resources|"
    r"stuck|overloaded|too much)\b",
    re.IGNORECASE,
)
_SELF = re.compile(
    r"対応中|対応済|自分で|自力で|解決済|解決した|対処して|対処中|進めて(?:いる|います)|見込み|予定です|しました|"
    r"完了|落ち着い|共有です|報告です|問題ありません|"
    r"\b(?:i'm handling|i am handling|i'll handle|i will handle|i'm on it|handled|resolved|fixed|"
    r"working on it|on track|under control|fyi|just to let you know|no action needed|i've set up|i set up|"
    r"i've started|i started)\b",
    re.IGNORECASE,
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
    if _SELF.search(text) and not _NEEDS_HELP.search(text):
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
