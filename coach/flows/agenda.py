"""The next 1on1's agenda (issue 3), assembled from what the user prepared and saved.

Three sections that paste cleanly into Notion (results / concerns by bucket / career intent),
preceded by last meeting's actions when there are any, plus a three-point Slack pre-share.
Nothing is generated here: every line comes from the saved prep or the action ledger.
"""

from __future__ import annotations

import re

from coach.config import Settings
from coach.flows.actions import opening_lines
from coach.flows.triage import BUCKET_LABELS, grouped
from coach.memory.store import Store
from coach.models import Agenda, Bucket, Language, NextMeetingPrep
from coach.rules.intent import analyse
from coach.rules.triage import strip_tag

_HEADINGS: dict[Language, dict[str, str]] = {
    "ja": {
        "opening": "## 前回のアクション",
        "results": "## 成果報告",
        "concerns": "## 課題・相談事項",
        "career": "## キャリア意向",
        "none_results": "- (未準備: 「成果の言語化」で作成してください)",
        "none_concerns": "- (未準備: 「懸念事項の仕分け」で作成してください)",
        "none_career": "- (未準備: 「キャリア意向の具体化」で作成してください)",
        "slack_lead": "次回の1on1で話したいこと: ",
        "slack_none": "次回の1on1の議題はまだ準備されていません。",
        "evidence": "根拠",
    },
    "en": {
        "opening": "## Last time's actions",
        "results": "## Results",
        "concerns": "## Concerns",
        "career": "## Career intent",
        "none_results": "- (not prepared yet: use Rewrite notes)",
        "none_concerns": "- (not prepared yet: use Concern triage)",
        "none_career": "- (not prepared yet: use Career intent)",
        "slack_lead": "Topics for our next 1on1: ",
        "slack_none": "Nothing prepared for our next 1on1 yet.",
        "evidence": "Evidence",
    },
}
_CIRCLED = "①②③④⑤⑥⑦⑧⑨"
_TOPIC_SUFFIX: dict[Language, dict[str, str]] = {
    "ja": {
        "results": "の報告",
        "self": "の共有",
        "support": "の相談",
        "org": "の課題提起",
        "career": "の希望",
    },
    "en": {
        "results": "update on ",
        "self": "FYI on ",
        "support": "ask about ",
        "org": "escalation: ",
        "career": "",
    },
}


def _language(prep: NextMeetingPrep, settings: Settings) -> Language:
    for part in (prep.rewrite, prep.triage, prep.intent):
        if part is not None:
            return part.language
    return settings.language


def _short(text: str, limit: int = 28) -> str:
    text = re.split(r"[。.!?！？\n]", strip_tag(text).strip(), maxsplit=1)[0]
    text = re.sub(
        r"(?:ので|ため|、)?(?:相談(?:させて|したい)|してほしい|して欲しい|お願いしたい|いただけ).*$", "", text
    )
    text = re.sub(r"(?:について|に関して|の件|件)$", "", text.split("、")[0]).strip()
    if re.search(r"[いるたす]$", text):
        text += "件"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _slack_topics(prep: NextMeetingPrep, language: Language) -> list[str]:
    suffix = _TOPIC_SUFFIX[language]

    def topic(kind: str, text: str) -> str:
        return f"{_short(text)}{suffix[kind]}" if language == "ja" else f"{suffix[kind]}{_short(text, 48)}"

    topics = []
    if prep.rewrite and prep.rewrite.entries:
        titles = [e.title for e in prep.rewrite.entries[:2] if e.title]
        joiner = "・" if language == "ja" else " and "
        topics.append(topic("results", joiner.join(titles) or prep.rewrite.entries[0].statement))
    concerns: list[str] = []
    if prep.triage and prep.triage.items:
        order: list[Bucket] = ["support", "org", "self"]
        ranked = sorted(prep.triage.items, key=lambda item: order.index(item.bucket))
        concerns = [topic(item.bucket, item.concern) for item in ranked]
    # three points when there is material for three: more concerns stand in for a missing part
    room = max(1, 3 - len(topics) - (1 if prep.intent else 0))
    topics += concerns[:room]
    if prep.intent:
        analysis = analyse(prep.intent.intent) if prep.intent.intent else None
        if analysis and analysis.scope:
            label = (
                f"{analysis.timeframe}の{analysis.scope}"
                if analysis.timeframe and language == "ja"
                else analysis.scope
            )
            if language == "en" and analysis.timeframe:
                label = f"{analysis.scope} {analysis.timeframe}"
            topics.append(topic("career", label) if language == "ja" else f"career: {_short(label, 48)}")
        else:
            topics.append("キャリア意向の相談" if language == "ja" else "career intent")
    return topics


def _slack(topics: list[str], language: Language) -> str:
    labels = _HEADINGS[language]
    if not topics:
        return labels["slack_none"]
    if language == "ja":
        return labels["slack_lead"] + "、".join(f"{_CIRCLED[i]}{t}" for i, t in enumerate(topics))
    return labels["slack_lead"] + " ".join(f"{i}) {t}" for i, t in enumerate(topics, 1))


def render(prep: NextMeetingPrep, language: Language, opening: list[str]) -> str:
    labels = _HEADINGS[language]
    lines: list[str] = []
    if opening:
        lines += [labels["opening"], *[f"- {line}" for line in opening], ""]
    lines.append(labels["results"])
    entries = prep.rewrite.entries if prep.rewrite else []
    lines += [f"- {e.statement}" for e in entries if e.statement] or [labels["none_results"]]
    lines += ["", labels["concerns"]]
    if prep.triage and prep.triage.items:
        bucket_labels = BUCKET_LABELS[language]
        for bucket, items in grouped(prep.triage.items).items():
            if items:
                lines += [f"### {bucket_labels[bucket]}", *[f"- {item.suggestion}" for item in items]]
    else:
        lines.append(labels["none_concerns"])
    lines += ["", labels["career"]]
    if prep.intent and prep.intent.drafts:
        lines.append(f"- {prep.intent.drafts[0]}")
        lines += [f"  - {labels['evidence']}: {e}" for e in prep.intent.evidence]
    else:
        lines.append(labels["none_career"])
    return "\n".join(lines).rstrip() + "\n"


def build_agenda(settings: Settings, language: Language | None = None) -> Agenda:
    prep = Store.open(settings).load_prep()
    language = language or _language(prep, settings)
    opening = opening_lines(settings, language)
    return Agenda(
        language=language,
        markdown=render(prep, language, opening),
        slack=_slack(_slack_topics(prep, language), language),
        opening=opening,
    )


def to_markdown(agenda: Agenda) -> str:
    title = "Slack で事前共有" if agenda.language == "ja" else "Slack pre-share"
    return f"{agenda.markdown}\n---\n\n**{title}**\n\n{agenda.slack}\n"
