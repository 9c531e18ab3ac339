"""The core's message catalog: every sentence the core says to a user, in English and Japanese.

One entry per key: ``key -> Message(en, ja)`` with ``{name}`` placeholders. ``message(key,
language, **values)`` renders one; ``CoachError.of(key, **values)`` (coach.errors) builds an error
carrying both languages. The UI has its own catalog for widget labels (``ui/i18n.py``).

Rules of the catalog, checked when the module loads so a broken entry fails at once:
- both languages are present and non-empty;
- both use the same placeholders (a value shown in one language is shown in the other);
- an error message says what to do next.

Keys are grouped by area with a dotted prefix (``cli.``, ``config.``, ``period.``, ``chart.``).
"""

from __future__ import annotations

import string
from typing import NamedTuple

from coach.models import Language


class Message(NamedTuple):
    en: str
    ja: str


CATALOG: dict[str, Message] = {
    # ------------------------------------------------------------------ the command line
    "cli.error": Message("Error: {text}", "エラー: {text}"),
    "cli.internal_error": Message(
        "Internal error ({name}). This command's work may not be saved (what was saved before is kept). "
        "Rerun with COACH_DEBUG=1 for details.",
        "内部エラー ({name})。この操作の結果は保存されていないかもしれません(それ以前に保存したものは残っています)。"
        "COACH_DEBUG=1 を付けて再実行すると詳細が出ます。",
    ),
    "cli.usage": Message(
        "Wrong usage. Run `{command} --help` to see the arguments and their format.",
        "使い方が正しくありません。`{command} --help` で引数と形式を確認してください。",
    ),
    "cli.aborted": Message("Aborted!", "中断しました"),
    "cli.reindexed": Message("{count} passage(s) indexed", "{count} 件の段落を索引しました"),
    "cli.exported": Message(
        "{count} meeting(s) written to {directory}", "{count} 件の1on1を {directory} に書き出しました"
    ),
    # ------------------------------------------------------------------ settings
    "config.invalid": Message(
        "Invalid setting {variable}={value}: expected {allowed}. "
        "Fix it in the environment (or .streamlit/secrets.toml) and run again.",
        "設定 {variable}={value} は使えません。使える値: {allowed}。"
        "環境変数(または .streamlit/secrets.toml)を直して、もう一度実行してください。",
    ),
    "config.allowed.choice": Message("one of {choices}", "{choices} のどれか"),
    "config.allowed.number": Message("a number", "数値"),
    "config.allowed.positive": Message("a number above 0", "0 より大きい数値"),
    "config.allowed.integer": Message("a whole number", "整数"),
    "config.allowed.at_least": Message("a whole number of {low} or more", "{low} 以上の整数"),
    "config.allowed.range": Message("a whole number from {low} to {high}", "{low}〜{high} の整数"),
    "config.allowed.text": Message("text", "文字列"),
    "config.allowed.path": Message("a folder path", "フォルダのパス"),
    # ------------------------------------------------------------------ review periods
    "period.bad_date": Message(
        "'{raw}' is not a date. Use YYYY-MM-DD (e.g. 2026-01-01) or YYYY-MM for a whole month.",
        "「{raw}」は日付として読めません。YYYY-MM-DD(例: 2026-01-01)か、月単位なら YYYY-MM で指定してください。",
    ),
    "period.bad_name": Message(
        "'{raw}' is not a period name. Use e.g. 2026H1, H2, 2026上期, 2026年度下期, 2026Q2, Q3 or FY2026.",
        "「{raw}」は期間名として読めません。2026H1、H2、2026上期、2026年度下期、2026Q2、Q3、FY2026 などで指定してください。",
    ),
    "period.both_given": Message(
        "Give either --period or --from/--to, not both.",
        "--period と --from/--to はどちらか一方だけを指定してください。",
    ),
    "period.reversed": Message(
        "The period starts after it ends ({first} > {to}). Swap --from and --to.",
        "期間の開始日が終了日より後です({first} > {to})。--from と --to を入れ替えてください。",
    ),
    # ------------------------------------------------------------------ review charts
    "chart.before": Message("Before", "前"),
    "chart.after": Message("After", "後"),
    "chart.promised": Message("Promised", "約束"),
    "chart.done": Message("Done", "完了"),
    "chart.metrics_title": Message("Results: before → after", "成果: 改善前→改善後"),
    "chart.no_metrics": Message(
        "No before→after results in this period", "この期間に前後の数値がそろった成果はありません"
    ),
    "chart.follow_title": Message("Follow-through by month", "アクションの実行状況(月別)"),
    "chart.month": Message("Month", "月"),
    "chart.count": Message("Actions", "件数"),
}


def _placeholders(template: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


def _check(catalog: dict[str, Message]) -> None:
    for key, entry in catalog.items():
        if not entry.en.strip() or not entry.ja.strip():
            raise ValueError(f"message {key!r}: both languages are required")
        if _placeholders(entry.en) != _placeholders(entry.ja):
            raise ValueError(f"message {key!r}: en and ja use different placeholders")


_check(CATALOG)


def message(key: str, language: Language = "en", **values: object) -> str:
    """The message `key` in `language`, its placeholders filled from `values`.

    An unknown key is a programming error and raises KeyError."""
    entry = CATALOG[key]
    template = entry.ja if language == "ja" else entry.en
    return template.format(**values) if values else template


def both(key: str, **values: object) -> tuple[str, str]:
    """(en, ja) of one message, as CoachError takes them."""
    return message(key, "en", **values), message(key, "ja", **values)
