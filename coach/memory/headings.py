"""The words of a 1on1's structure, in one place: section headings and inline labels in Japanese
and English, the default headings written on export and by the Record page, the column names
and status words of action tables, and the words that mark a cancelled meeting or a carried-over
item. Parsing, rendering and recording all read these tables, so a heading added here is read
and written the same way everywhere."""

from __future__ import annotations

import re

from coach.models import SectionKind

# A heading or label is matched against these in order; the first kind that matches wins.
SECTION_PATTERNS: list[tuple[SectionKind, re.Pattern[str]]] = [
    (
        "actions",
        re.compile(
            r"アクション|todo|to-do|to do|宿題|やること|タスク|\bactions?\b|\baction items?\b|\bnext steps?\b"
            r"|\btasks?\b|follow[- ]?ups?|^next$|次回まで"
        ),
    ),
    (
        "decisions",
        re.compile(r"決まったこと|決定|合意|\bdecisions?\b|\bdecided\b|\bagreed\b|\bagreements?\b"),
    ),
    ("career", re.compile(r"キャリア|\bcareer\b|\bgrowth\b|成長")),
    (
        "concerns",
        re.compile(
            r"課題|相談|懸念|悩み|困りごと|気になる|\bconcerns?\b|\bissues?\b|\basks?\b|\bblockers?\b|\bproblems?\b|\brisks?\b"
        ),
    ),
    (
        "results",
        re.compile(
            r"成果|やったこと|うまくいった|良かったこと|よかったこと|実績|進捗|振り返り|近況|報告|\bresults?\b|\bachievements?\b|\bwins?\b|\bupdates?\b"
            r"|\bprogress\b|\baccomplishments?\b|\brecap\b|\bhighlights?\b|\blast week\b|\bsince last\b|^done$"
        ),
    ),
    (
        "info",
        re.compile(
            r"情報|共有|学び|フィードバック|連絡|\binfo\b|\binformation\b|\blearned\b|\blearnings?\b"
            r"|notes from|\bfyi\b|\bfeedback\b|\bcontext\b|\bannouncements?\b"
        ),
    ),
]

# Whose actions a heading announces (`上司のアクション`, `Manager actions`, `My actions`).
MANAGER_WORDS = re.compile(r"上司|マネージャ|マネジャ|\bmanager'?s?\b|\bboss\b|\blead'?s\b")
ME_WORDS = re.compile(r"自分|\bmy\b|\bme\b|\bmine\b|私")

# Headings written on export and by the Record page: (Japanese, English).
DEFAULT_HEADINGS: dict[SectionKind, tuple[str, str]] = {
    "results": ("成果報告", "Results"),
    "concerns": ("課題・相談事項", "Concerns"),
    "career": ("キャリア意向", "Career"),
    "decisions": ("決まったこと", "Decisions"),
    "info": ("得られた情報", "Info"),
    "actions": ("次のアクション", "Next actions"),
    "other": ("メモ", "Notes"),
}
MANAGER_ACTIONS_HEADING = ("上司のアクション", "Manager actions")
OTHERS_ACTIONS_HEADING = ("ほかの人のアクション", "Others' actions")

# An inline label opens a one-item section: `決定: …`, `TODO: …`, `懸念（自分）: …`.
# The label is short and is followed by a colon; what it names is read with SECTION_PATTERNS.
INLINE_LABEL = re.compile(r"^\s*([^\s:：「」()（）]{1,12}?)\s*(?:[(（][^)）]{1,12}[)）])?\s*[:：]\s*(\S.*)$")

# Action tables: which column is which, by its header.
TABLE_COLUMNS: dict[str, re.Pattern[str]] = {
    "action": re.compile(
        r"内容|タスク|アクション|項目|やること|todo|\baction|\bitems?\b|\btasks?\b|\bwhat\b"
    ),
    "owner": re.compile(r"担当|責任者|オーナー|\bowner|\bwho\b|assignee|\bdri\b"),
    "due": re.compile(r"期限|期日|締切|締め切り|〆切|納期|\bdue\b|deadline|\bwhen\b|\bby\b"),
    "status": re.compile(r"状態|状況|ステータス|進捗|\bstatus\b|\bstate\b|\bprogress\b"),
}

# A table status or a checkbox-like cell: what it says about the action.
STATUS_WORDS: list[tuple[str, re.Pattern[str]]] = [
    (
        "dropped",
        re.compile(
            r"中止|取りやめ|取り止め|見送り|不要|キャンセル|\bdropped\b|\bcancell?ed\b|won't do|\bwontfix\b"
        ),
    ),
    ("done", re.compile(r"完了|済み?$|終了|done|complete|closed|finished|✅|☑")),
    (
        "open",
        re.compile(
            r"未着手|進行中|対応中|作業中|持ち越し|保留|着手|\bopen\b|\btodo\b|in progress|doing|pending|blocked"
        ),
    ),
]

# An item carried over to a later meeting (counted once, under the meeting that first wrote it).
CARRIED_OVER = re.compile(r"持ち越し|再持ち越し|継続|carried over|carry[- ]over|still open|\bcarried\b")

# A meeting that did not take place: a short note with one of these words and no actions.
CANCELLED = re.compile(
    r"中止|休み|なし(?:に|で)|見送り|キャンセル|\bcancell?ed\b|\bskipped\b|\bno 1on1\b|\bno meeting\b"
)
CANCELLED_MAX_CHARS = 160

# Words of a title that never name a person (`1on1 w Jordan`, `Skip-level: Priya / Jordan`).
TITLE_NOT_NAMES = frozenset(
    [
        "1on1",
        "1:1",
        "one",
        "on",
        "one",
        "weekly",
        "biweekly",
        "monthly",
        "sync",
        "meeting",
        "notes",
        "note",
        "skip",
        "level",
        "skip-level",
        "w",
        "with",
        "and",
        "the",
        "of",
        "for",
        "date",
        "attendees",
        "participants",
        "mtg",
        "review",
        "kickoff",
        "agenda",
        "final",
        "last",
        "first",
        "team",
    ]
)
SKIP_LEVEL = re.compile(r"skip[- ]?level|スキップ", re.IGNORECASE)


def section_kind(text: str) -> SectionKind | None:
    """The kind of section a heading or label names, if any (the first pattern that matches)."""
    for kind, pattern in SECTION_PATTERNS:
        if pattern.search(text):
            return kind
    return None


def status_of(text: str) -> str | None:
    """`done`, `dropped` or `open` for a table status cell; None when it says nothing."""
    for status, pattern in STATUS_WORDS:
        if pattern.search(text.lower()):
            return status
    return None


# An inline label that makes its line an action (`TODO: …`, `宿題: …`); a bare `Action:` is the
# A of a STAR line, not a task.
TODO_LABEL = re.compile(
    r"^(?:todo|to-?do|宿題|やること|アクション(?:アイテム)?|next steps?|action items?|タスク)$"
)
