"""Named cue tables for reading notes: plans, pending work, chatter, generic headings, speakers.

Each table names one class of phrasing and says why it matters. They are matched against folded
text (NFKC, so full-width letters and digits read as ASCII), case-insensitively.
"""

from __future__ import annotations

import re

# A line that says what will be done rather than what was done: it goes to the "next" list.
# Lead markers sit at the start of the line (`next:`, `TODO`, `来週は…`).
PLAN_LEAD = re.compile(
    r"^\s*(?:\[\s?\]\s*)?(?:next(?:\s+(?:week|sprint|month|quarter|step|steps|half|time))?\s*[:：]|todo\b|to-?do\s*[:：]"
    r"|next (?:week|sprint|month|quarter|up)\b|plans?\s*[:：]|upcoming\b|follow-?ups?\s*[:：]|will\b|going to\b"
    r"|来週|来月|来期|来年|次回|次は|次に|次の|今後|引き続き|下期は|下期に|明日|あした|近日|後日)",
    re.IGNORECASE,
)
# Words anywhere in a line that tell of intent or a later date (`plan to`, `予定`, `tomorrow`).
PLAN_ANYWHERE = re.compile(
    r"\b(?:plan(?:ning|s)? to|going to|will (?:look|try|write|start|do|add|run|share|finish|move|clean|set)"
    r"|want to|next week|next sprint|tomorrow|later this|to be scheduled)\b"
    r"|予定|したい|つもり|見込み|予定です|試したい|検討中|やりたい",
    re.IGNORECASE,
)
# An unchecked task-list item (`- [ ] …`, `☐ …`): open work, so a plan, never an achievement.
OPEN_TASK = re.compile(r"^\s*(?:[-*+・•]\s*)?(?:\[\s?\]|☐)\s")
# A measurement made outside production (staging, a test or local environment): a step on the
# way, not the result the work delivered. Matched in the words before the value on its line.
TRIAL_SETTING = re.compile(
    r"(?<![a-z])(?:stg|staging|stage環境|pre-?prod(?:uction)?|sandbox|qa環境|dev環境|dev environment|local(?:ly)?"
    r"|on my machine|in a test environment)(?![a-z])"
    r"|ステージング|ステージ環境|検証環境|テスト環境|試験環境|開発環境|ローカル(?:環境)?|手元(?:の環境)?で",
    re.IGNORECASE,
)
# Future time words: with a plain non-past Japanese predicate (`来週…します`) they make a plan.
FUTURE_TIME = re.compile(r"来週|来月|来期|明日|あした|次回|今後|後日|近日|下期|tomorrow|next", re.IGNORECASE)
# Work that is waiting or unfinished: not an achievement yet, so it goes to "next" too.
PENDING = re.compile(
    r"\b(?:blocked|waiting (?:on|for)|half done|in review|on hold|carry-?over|not (?:yet )?started|wip)\b"
    r"|待ち(?:です|中|状態)?\s*[。)）]?\s*$|未着手|未完了?\s*$|途中(?:です|まで)?\s*[。]?\s*$|保留|ブロックされ",
    re.IGNORECASE,
)
# Headings of sections that hold plans or pending work, not achievements.
PLAN_HEADING = re.compile(
    r"^\s*(?:next|todo|to-?do|plans?|upcoming|blocked|waiting|backlog|carry-?over|follow-?ups?|try\b"
    r"|来週|来月|来期|次回|次に|今後|予定|やること|宿題|残課題|未完了|ブロック)",
    re.IGNORECASE,
)
# Chat lines that are social glue, not work: greetings, thanks, acknowledgements, emoji only.
CHATTER = re.compile(
    r"^\s*(?:おはよう|こんにちは|お疲れ|おつかれ|ありがとう|了解|承知|よろしく|見ます|確認します|ok\b|okay\b|thanks"
    r"|thank you|thx|ty\b|lgtm|\+1|nice\b|great\b|cool\b|morning\b|good morning|hi\b|hello\b|sure\b|np\b)"
    r"[\s!！。.…ー〜~]*(?::[a-z_+\-]+:|[\U0001F300-\U0001FAFF\u2600-\u27bf])*[\s!！。.]*$"
    r"|^\s*(?::[a-z_+\-]+:|[\U0001F300-\U0001FAFF\u2600-\u27bf\s])+$",
    re.IGNORECASE,
)
# Speaker names that are the author of the notes.
ME_NAMES = frozenset({"me", "i", "myself", "自分", "私", "わたし", "僕", "ぼく", "俺"})
# Heading words that only say when or what kind of notes these are; such a heading is no title.
GENERIC_HEADING = re.compile(
    r"今週|先週|今月|先月|今期|上期|下期|四半期|振り返り|ふりかえり|まとめ|報告|共有|メモ|アップデート|やったこと|成果"
    r"|進捗|週報|月報|日報|その他|\b(?:this|last|past) (?:week|month|quarter|sprint)\b|\bweekly\b|\bmonthly\b"
    r"|\bsummary\b|\bupdates?\b|\bnotes?\b|\bdone\b|\bkeep\b|\bproblems?\b|\bkpt\b|\bmy items\b|\bhighlights\b|\bwins\b|\bstatus\b|\bretro\b"
    r"|\bsprint \d+\b|\bq[1-4]\b|\bh[12]\b|\bfor 1on1\b|1on1",
    re.IGNORECASE,
)
