"""The core's message catalog: every sentence the core says to a user, in English and Japanese.

One entry per key: ``key -> Message(en, ja)`` with ``{name}`` placeholders. ``message(key,
language, **values)`` renders one (a value that is itself a ``Message``, e.g. from ``pair``, is
shown in the message's language); ``CoachError.of(key, **values)`` (coach.errors) builds an error
carrying both languages; ``labels(prefix, language)`` gives a renderer all labels of one area. The UI has its own catalog for widget labels (``ui/i18n.py``).

Rules of the catalog, checked when the module loads so a broken entry fails at once:
- both languages are present and non-empty;
- both use the same placeholders (a value shown in one language is shown in the other);
- an error message says what to do next.

Keys are grouped by area with a dotted prefix (``cli.``, ``config.``, ``period.``, ``chart.``,
``review.``, ``agenda.``, ``triage.``, ``intent.``, ``markdown.`` ...).
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
    # ------------------------------------------------------------------ user input (text, files)
    "input.too_large": Message(
        "The {what} are too large ({kib} KiB; the limit is {limit} KiB). "
        "Split them into smaller pieces, e.g. one period or one project at a time.",
        "{what}が大きすぎます({kib} KiB、上限は {limit} KiB)。期間やプロジェクトごとに分けて入力してください。",
    ),
    "input.empty": Message(
        "The {what} are empty. Paste some text first.", "{what}が空です。テキストを入力してください。"
    ),
    "input.binary": Message(
        "The {what} look like a binary file, not text ({reason}). Paste or pass a UTF-8 text or Markdown file.",
        "{what}がバイナリファイルのようです({reason})。UTF-8 のテキストか Markdown を入力してください。",
    ),
    "input.reason.nul": Message("NUL bytes", "NUL バイト"),
    "input.reason.replacement": Message(
        "{count} replacement characters (U+FFFD)", "置換文字 (U+FFFD) が {count} 個"
    ),
    "input.reason.control": Message("{count} control characters", "制御文字が {count} 個"),
    "input.not_utf8": Message(
        "The {what} are not valid UTF-8 text (invalid byte at position {position}). "
        "Save the file as UTF-8 and try again.",
        "{what}が UTF-8 のテキストとして読めません({position} バイト目が不正)。UTF-8 で保存し直してください。",
    ),
    "input.shift_jis": Message(
        "The {what} are not UTF-8: they look like Shift_JIS (cp932). They were not read, so nothing "
        "garbled is stored. Save the file as UTF-8 (e.g. in your editor: Save with encoding → UTF-8) and try again.",
        "{what}が UTF-8 ではなく Shift_JIS (cp932) のようです。文字化けを保存しないよう読み込みを止めました。"
        "エディタで文字コードを UTF-8 にして保存し直してから、もう一度入力してください。",
    ),
    "input.file_not_found": Message(
        "File not found: {source}. Pass an existing file, or '-' to read from standard input.",
        "ファイルが見つかりません: {source}。既存のファイルか、標準入力なら '-' を指定してください。",
    ),
    # ------------------------------------------------------------------ the store
    "store.cannot_open": Message(
        "Cannot open the store at {path} ({reason}). Check that the folder is writable "
        "and the file is not corrupted; set COACH_DATA_DIR to use another folder.",
        "保存先 {path} を開けません ({reason})。フォルダに書き込めるか、ファイルが壊れていないかを"
        "確認してください。別のフォルダを使うには COACH_DATA_DIR を設定してください。",
    ),
    "store.no_action": Message(
        "No action with id {id}. List them with `coach actions` to see the ids.",
        "ID {id} のアクションはありません。`coach actions` で ID を確認してください。",
    ),
    "store.busy": Message(
        "The store at {path} is busy: another coach process (an import?) held it too long. "
        "Nothing was saved. Try again when it has finished.",
        "保存先 {path} が使用中です(取り込みなど別の coach の処理が長く使っています)。"
        "何も保存されていません。その処理が終わってからもう一度実行してください。",
    ),
    # ------------------------------------------------------------------ reading meeting notes
    "meeting.not_a_meeting": Message(
        "{file}: not a meeting but {what}; it was not imported. Meeting notes hold one meeting each.",
        "{file}: 会議メモではなく{what}なので読み込みませんでした。会議メモは1回の会議を1ファイルに書きます。",
    ),
    "meeting.kind.template": Message(
        "a template (it has {{placeholders}})", "テンプレート({{…}} の差し込み欄があります)"
    ),
    "meeting.kind.index": Message("an index of other notes", "ほかのノートへのリンク集"),
    "meeting.no_date": Message(
        "{file}: no meeting date. Name the file YYYY-MM-DD.md or add `date: YYYY-MM-DD` to its front matter.",
        "{file}: 会議の日付がありません。ファイル名を YYYY-MM-DD.md にするか、"
        "フロントマターに `date: YYYY-MM-DD` を書いてください。",
    ),
    "meeting.bad_front_matter": Message(
        "{file}: front matter is not valid YAML ({reason}); used the file name's date instead",
        "{file}: フロントマターが YAML として読めません({reason})。ファイル名の日付を使いました",
    ),
    "meeting.bad_front_date": Message(
        "{file}: front matter date {date} is not a date; used the file name's date",
        "{file}: フロントマターの日付 {date} が日付として読めません。ファイル名の日付を使いました",
    ),
    # ------------------------------------------------------------------ import and export
    "import.no_folder": Message(
        "Folder not found: {directory}. Pass the folder that holds your meeting notes (YYYY-MM-DD*.md).",
        "フォルダが見つかりません: {directory}。会議メモ (YYYY-MM-DD*.md) が入ったフォルダを指定してください。",
    ),
    "import.no_meetings": Message(
        "No meeting notes in {directory}: name each file YYYY-MM-DD.md (e.g. 2026-01-20.md), "
        "one file per meeting.",
        "{directory} に会議メモがありません。1回の会議を1ファイルにし、YYYY-MM-DD.md "
        "(例: 2026-01-20.md) という名前にしてください。",
    ),
    "import.skipped": Message("{name}: skipped ({reason})", "{name}: 読み込みませんでした({reason})"),
    "import.skip.bad_name": Message(
        "the file name is not valid UTF-8; rename the file",
        "ファイル名が UTF-8 ではありません。名前を付け直してください",
    ),
    "import.skip.broken_link": Message(
        "a broken link or a link loop", "リンク切れか、循環しているリンクです"
    ),
    "import.skip.outside_link": Message(
        "a link to a file outside the folder; copy the file in instead",
        "フォルダの外を指すリンクです。ファイルをフォルダにコピーしてください",
    ),
    "import.skip.unreadable": Message("cannot read it: {reason}", "読めません: {reason}"),
    "import.skip.not_regular": Message(
        "not a regular file (a folder, FIFO or device)",
        "通常のファイルではありません(フォルダ、FIFO、デバイスなど)",
    ),
    "import.ignored": Message(
        "{name}: ignored (meeting files are named YYYY-MM-DD*.md)",
        "{name}: 読み込みませんでした(会議メモのファイル名は YYYY-MM-DD*.md です)",
    ),
    "import.index_behind": Message(
        "Search index not updated (your meetings are saved). {detail} Once that is fixed, rerun the "
        "import or run `coach reindex` to index the rest.",
        "検索インデックスを更新できませんでした(保存は完了しています)。{detail} "
        "直したら、もう一度取り込むか `coach reindex` を実行すると残りを索引します。",
    ),
    "import.index_pending": Message(
        "{count} meeting(s) are not in the search index yet, so answers may miss them. "
        "Run `coach import` on your notes folder (or `coach reindex`) to finish indexing.",
        "検索インデックスにまだ入っていない1on1が {count} 件あり、答えから漏れることがあります。"
        "メモのフォルダで `coach import` (または `coach reindex`) を実行すると索引が完了します。",
    ),
    "export.no_folder": Message(
        "No export folder given. Name the folder to write into, e.g. `coach export ~/notes-backup`.",
        "書き出し先のフォルダが指定されていません。例: `coach export ~/notes-backup`",
    ),
    "export.nothing": Message(
        "There are no meetings to export yet. Import a folder with `coach import DIR` or save a record first.",
        "書き出す会議がまだありません。`coach import DIR` で取り込むか、会議の記録を保存してください。",
    ),
    "export.target_is_file": Message(
        "{target} is a file, not a folder. Name a folder to export into.",
        "{target} はフォルダではなくファイルです。書き出し先のフォルダを指定してください。",
    ),
    "export.unsafe_names": Message(
        "Stored meeting names that are not plain file names: {names}. Nothing was written.",
        "ファイル名として使えない会議名があります: {names}。何も書き出していません。",
    ),
    "export.name_is_folder": Message(
        "{path} is a folder; move it away and export again.",
        "{path} はフォルダです。移動してからもう一度書き出してください。",
    ),
    "export.refused": Message(
        "{count} file(s) already exist in {target} (e.g. {example}); "
        "nothing was written. Export into an empty folder, or pass --force to replace them.",
        "{target} に同じ名前のファイルが {count} 件あります(例: {example})。"
        "何も書き出していません。空のフォルダを指定するか、--force を付けて置き換えてください。",
    ),
    # ------------------------------------------------------------------ review and triage input
    "review.no_meetings": Message(
        "No meetings between {start} and {end}. Import your notes with "
        "`coach import DIR`, or choose a period that has meetings.",
        "{start} から {end} の間に1on1の記録がありません。"
        "`coach import DIR` で記録を取り込むか、記録のある期間を指定してください。",
    ),
    "review.no_claims": Message(
        "No claims found in the self-evaluation. Paste the sentences or bullets you plan to submit.",
        "自己評価から主張(文や箇条書き)が見つかりません。提出予定の文章をそのまま貼り付けてください。",
    ),
    "triage.no_concerns": Message(
        "No concerns found. Write one concern per line (bullets and numbers are fine).",
        "懸念事項が見つかりません。1行に1つずつ書いてください(箇条書きや番号付きでも構いません)。",
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
    # ------------------------------------------------------------------ the review draft and check
    "review.results": Message("## Results", "## 成果"),
    "review.how": Message("## How", "## 取り組み・プロセス"),
    "review.next": Message("## Next goals", "## 今後の目標"),
    "review.impact_missing": Message(" (impact: [N])", "(効果: [N])"),
    "review.follow": Message(
        "Completed {done} of the {promised} actions I committed to in our 1on1s{on_time}.",
        "1on1で約束したアクション{promised}件のうち{done}件を完了しました{on_time}。",
    ),
    "review.on_time": Message(" ({n} by their due date)", "(うち期限内 {n}件)"),
    "review.concern": Message("Raised “{concern}”; {outcome}", "「{concern}」を相談し、{outcome}"),
    "review.career_path": Message(
        "Made my career intent concrete: “{first}” → “{last}”",
        "キャリア意向を具体化しました: 「{first}」→「{last}」",
    ),
    "review.followed": Message("Following that intent: {text}", "意向を受けて: {text}"),
    "review.intent": Message("{text}", "{text}"),
    "review.open_action": Message("In progress: {text}", "継続中: {text}"),
    "review.decided": Message("decided: {text}", "決定: {text}"),
    "review.informed": Message("learned: {text}", "共有された情報: {text}"),
    "review.reported": Message("reported: {text}", "成果: {text}"),
    "review.still_open": Message(
        "still open (no decision recorded in the period)", "未解決(期間内に決定の記録なし)"
    ),
    "review.title": Message("# Self-evaluation draft {start} – {end}", "# 自己評価ドラフト {start}〜{end}"),
    "review.evidence": Message("# Evidence", "# 根拠"),
    "review.evidence_results": Message("## Results (quantified, strongest first)", "## 成果(数値・強い順)"),
    "review.not_shared": Message("not shared in a 1on1", "1on1で未共有"),
    "review.evidence_follow": Message(
        "## Follow-through: promised {promised} / done {done} / open {open}{on_time}",
        "## アクションの実行: 約束 {promised}件 / 完了 {done}件 / 未完了 {open}件{on_time}",
    ),
    "review.evidence_on_time": Message(" / on time {n}", " / 期限内 {n}件"),
    "review.career": Message("## Career intent over time", "## キャリア意向の推移"),
    "review.concerns": Message("## Concerns and what became of them", "## 相談事項とその後"),
    "review.warnings": Message("## Notes", "## 注意"),
    "review.none": Message("(none)", "(なし)"),
    "review.check_title": Message(
        "# Self-evaluation check {start} – {end}", "# 自己評価の事前チェック {start}〜{end}"
    ),
    "review.unshared": Message(
        "## Not shared in any 1on1 ({n}): raise these before the interview",
        "## 1on1で話していない内容({n}件): 評価面談の前に共有しましょう",
    ),
    "review.differs": Message("## Numbers differ from the meetings ({n})", "## 数値が記録と異なる({n}件)"),
    "review.differs_detail": Message(
        "numbers not in the meetings: {numbers}. The meetings recorded: {recorded}",
        "記録にない数値: {numbers}。1on1の記録: {recorded}",
    ),
    "review.shared": Message("## Shared ({n})", "## 共有済み({n}件)"),
    # ------------------------------------------------------------------ career intent
    "intent.part.timeframe": Message("timeframe", "時期"),
    "intent.part.scope": Message("scope", "範囲"),
    "intent.part.reason": Message("reason", "理由"),
    "intent.title": Message("## Career intent", "## キャリア意向"),
    "intent.drafts": Message("### Drafts", "### 具体化した案"),
    "intent.questions": Message("### Questions", "### 確認したいこと"),
    "intent.evidence": Message("### Evidence", "### 根拠になる実績"),
    # ------------------------------------------------------------------ career intent questions and placeholders
    "intent.question.timeframe": Message(
        "By when do you want this? (e.g. next quarter, within [N] years, by the next review)",
        "いつまでに実現したいですか?(例: 来期、[N]年以内、次の評価期間)",
    ),
    "intent.question.scope": Message(
        "Which role or area exactly? (e.g. leading a team of [N], owning [system])",
        "具体的にどの役割・範囲を担いたいですか?(例: [N]名程度のチームのリード、[システム名]のオーナー)",
    ),
    "intent.question.reason": Message(
        "Why do you want it? Is there a result or a problem (counts, periods) that backs it up?",
        "なぜそれを望むのですか?根拠になる実績や課題(件数・期間など)はありますか?",
    ),
    "intent.placeholder.timeframe": Message("[timeframe]", "[時期]"),
    "intent.placeholder.reason": Message("[reason]", "[理由]"),
    "intent.placeholder.scope": Message("[role or area]", "[役割・範囲]"),
    "intent.placeholder.step": Message("[first step]", "[最初の一歩]"),
    # ------------------------------------------------------------------ concern triage
    "triage.title": Message("## Concern triage", "## 懸念事項の仕分け"),
    "triage.bucket.self": Message("I can solve it (report only)", "自分で解決(報告のみ)"),
    "triage.bucket.support": Message("Needs my manager", "上長の支援が必要"),
    "triage.bucket.org": Message("Organisation-level (escalate)", "組織課題(エスカレーション)"),
    # ------------------------------------------------------------------ the 1on1 agenda
    "agenda.opening": Message("## Last time's actions", "## 前回のアクション"),
    "agenda.career": Message("## Career intent", "## キャリア意向"),
    "agenda.none_results": Message(
        "- (not prepared yet: use Rewrite notes)", "- (未準備: 「成果の言語化」で作成してください)"
    ),
    "agenda.none_concerns": Message(
        "- (not prepared yet: use Concern triage)",
        "- (未準備: 「懸念事項の仕分け」で作成してください)",
    ),
    "agenda.none_career": Message(
        "- (not prepared yet: use Career intent)",
        "- (未準備: 「キャリア意向の具体化」で作成してください)",
    ),
    "agenda.slack_lead": Message("Topics for our next 1on1:", "次回の1on1で話したいこと:"),
    "agenda.slack_none": Message(
        "Nothing prepared for our next 1on1 yet.", "次回の1on1の議題はまだ準備されていません。"
    ),
    "agenda.evidence": Message("Evidence", "根拠"),
    "agenda.point.results": Message("Update", "成果報告"),
    "agenda.point.self": Message("FYI", "共有"),
    "agenda.point.support": Message("Ask", "相談"),
    "agenda.point.org": Message("Escalation", "組織課題"),
    "agenda.point.career": Message("Career", "キャリア"),
    "agenda.more": Message(" (+{n} more)", "(ほか{n}件)"),
    "agenda.slack_title": Message("Slack pre-share", "Slack で事前共有"),
    "agenda.career_intent": Message("career intent", "キャリア意向"),
    # ------------------------------------------------------------------ shared words of rendered Markdown
    "markdown.engine": Message("engine", "エンジン"),
    "markdown.none": Message("(none)", "(なし)"),
    # ------------------------------------------------------------------ questions about past meetings
    "ask.not_found": Message(
        "Not found in your meeting notes.", "過去の1on1のメモには見つかりませんでした。"
    ),
    "ask.from_meeting": Message("From the 1on1 on {day}", "{day} の1on1より"),
    "ask.from_meeting_with": Message("From the 1on1 on {day} with {who}", "{day} の1on1より（{who}）"),
    "ask.quote": Message("“{line}”", "「{line}」"),
    # the question asks for a number or a date that none of the quoted sentences states (coach.flows.asked)
    "ask.amount_absent": Message(
        "Your notes discuss this, but the passages found state no figure for it. Nearest:",
        "メモにこの話題はありますが、見つかった箇所に数値は書かれていません。近い記述:",
    ),
    "ask.date_absent": Message(
        "Your notes discuss this, but the passages found name no date or time for it. Nearest:",
        "メモにこの話題はありますが、見つかった箇所に日付・時期は書かれていません。近い記述:",
    ),
    # what the action ledger says became of a quoted action item (coach.flows.followthrough)
    "ask.ledger_ticked": Message(
        "Action tracker: “{action}” is done, ticked off in the 1on1 on {day}.",
        "アクション記録: 「{action}」は完了（{day} の1on1でチェック済み）。",
    ),
    "ask.ledger_reported": Message(
        "Action tracker: “{action}” is done, reported in the 1on1 on {day}: “{line}”",
        "アクション記録: 「{action}」は完了（{day} の1on1で報告: 「{line}」）。",
    ),
    "ask.ledger_done": Message(
        "Action tracker: “{action}” is done (1on1 on {day}).",
        "アクション記録: 「{action}」は完了（{day} の1on1）。",
    ),
    "ask.ledger_marked": Message(
        "Action tracker: “{action}” was marked done on {day}.",
        "アクション記録: 「{action}」は {day} に完了にされています。",
    ),
    "ask.ledger_dropped": Message(
        "Action tracker: “{action}” was dropped in the 1on1 on {day}: “{line}”",
        "アクション記録: 「{action}」は {day} の1on1で取り下げ（「{line}」）。",
    ),
    "ask.ledger_open": Message(
        "Action tracker: “{action}” is still open (from the 1on1 on {day}{due}).",
        "アクション記録: 「{action}」は未完了（{day} の1on1で起票{due}）。",
    ),
    "ask.ledger_due": Message(", due {due}", "、期限 {due}"),
    "ask.removed_citations": Message(
        "Removed citations to meetings that were not retrieved: {listed}",
        "引用元として渡していない会議への引用を削除しました: {listed}",
    ),
    "ask.check.empty": Message("the answer was empty", "回答が空"),
    "ask.check.too_long": Message(
        "the answer is {length} characters, over the bound of {limit}",
        "回答が {length} 文字で上限 {limit} 文字を超えた",
    ),
    "ask.check.repeats": Message("the answer repeats itself: {text}", "回答が同じ文を繰り返した: {text}"),
    "ask.check.echo": Message(
        "the answer repeats the instructions: {text}", "回答が指示文を繰り返した: {text}"
    ),
    "ask.check.no_citation": Message(
        "no citation of an offered meeting ({keys})", "渡した会議への引用がない({keys})"
    ),
    "ask.check.ungrounded": Message("numbers not in your notes: {listed}", "メモにない数値: {listed}"),
    "search.index_down": Message(
        "The search index server cannot be reached: this answer comes from keyword search only. "
        "Start the chroma server (or unset COACH_CHROMA_URL) for search by meaning.",
        "検索索引のサーバーに接続できないため、キーワード検索だけで答えています。意味での検索には chroma "
        "サーバーを起動してください(または COACH_CHROMA_URL を外してください)。",
    ),
    # ------------------------------------------------------------------ actions and the record
    "actions.dropped": Message(
        "Last time I promised {name}: dropped, it is no longer needed.",
        "前回約束した{name}は不要になったため取りやめました。",
    ),
    "actions.done": Message(
        "Last time I promised {name}: done — result: {result}.",
        "前回約束した{name}は完了しました。結果として{result}。",
    ),
    "actions.result_placeholder": Message("[result in one line]", "[結果を一言で]"),
    "actions.overdue": Message(
        "{name}: overdue since {due} — sharing where it stands and a new date.",
        "{name}: 期限 {due} を過ぎています。現状と新しい期限を共有します。",
    ),
    "actions.in_progress_due": Message(
        "{name}: still in progress (due {due})", "{name}: まだ途中です(期限 {due})"
    ),
    "actions.in_progress": Message("{name}: still in progress", "{name}: まだ途中です"),
    "actions.table.title": Message("# Actions (as of {as_of})", "# アクション一覧({as_of}時点)"),
    "actions.table.header": Message(
        "| id | action | owner | due | status | from | done in | result |",
        "| ID | アクション | 担当 | 期限 | 状態 | 出た会議 | 完了した会議 | 結果 |",
    ),
    "actions.table.none": Message("(none)", "(なし)"),
    "actions.word.open": Message("open", "未完了"),
    "actions.word.done": Message("done", "完了"),
    "actions.word.overdue": Message("overdue", "期限切れ"),
    "actions.word.me": Message("me", "自分"),
    "actions.word.manager": Message("manager", "上司"),
    "actions.word.other": Message("other", "ほかの人"),
    "record.exists": Message(
        "A meeting on this day with the same person and title is already saved ({file}). "
        "Open it from the list to edit it, or confirm to overwrite it.",
        "同じ日・同じ相手・同じタイトルの会議がすでに保存されています ({file})。"
        "一覧から開いて編集するか、上書きしてよいか確認してください。",
    ),
    # ------------------------------------------------------------------ STAR questions (offline engine)
    "star.question.situation": Message(
        "What was the situation or problem? e.g. what was slow, costly or manual, and who was affected",
        "どんな状況・問題がありましたか? 例: 何が遅い・高い・手間だったか、誰が困っていたか",
    ),
    "star.question.task": Message(
        "What was your role or goal? e.g. what you owned, the level you aimed for",
        "あなたの役割や目標は何でしたか? 例: 任された範囲、目指した水準",
    ),
    "star.question.action": Message(
        "What exactly did you do? e.g. what you built or changed, the key decision",
        "具体的に何をしましたか? 例: 実装・導入したもの、工夫した点",
    ),
    "star.question.result": Message(
        "What came of it? e.g. what got better, and for whom",
        "結果どうなりましたか? 例: 何が・誰にとって良くなったか",
    ),
    "star.metric_question": Message(
        "Can you put a number on the result? e.g. {hint}",
        "結果を数値で言えますか? 例: {hint}",
    ),
    "star.before_question": Message(
        "Do you know the value before? e.g. {name} before the change",
        "変化前の値も分かりますか? 例: 改善前の{name}",
    ),
    "star.default_hint": Message("time, count or rate before and after", "改善前後の時間・件数・割合"),
    # ------------------------------------------------------------------ rewrite (STAR)
    "rewrite.no_work": Message(
        "No piece of work was found in the notes. Write what you did as bullets or sentences.",
        "メモから仕事の記述が見つかりませんでした。箇条書きか文章で、やったことを書いてください。",
    ),
    "rewrite.warn.removed": Message(
        "Replaced number(s) {numbers} in the LLM's {field} with [N]: they are not in your notes.",
        "LLMの{field}にメモにない数値 {numbers} があったため [N] に置き換えました。",
    ),
    "rewrite.warn.pct": Message(
        "Corrected {wrong}% in the LLM's {field} to {right}%, the change computed from your notes.",
        "LLMの{field}の割合 {wrong}% をコードで計算した {right}% に直しました。",
    ),
    "rewrite.warn.statement": Message(
        "The LLM's statement had numbers not in your notes, so it was rebuilt from your notes' numbers.",
        "LLMの一言サマリーに根拠のない数値があったため、メモの数値から作り直しました。",
    ),
    "rewrite.warn.stated": Message(
        "Your notes say {stated}, but {before} → {after} is a {pct}% change as computed; "
        "the computed value is used. Please check the numbers in your notes.",
        "メモにある変化「{stated}」は、{before}→{after} からコードで計算した {pct}% と合いません。計算値を使いました。メモの数値を確かめてください。",
    ),
    "rewrite.store_failed": Message(
        "Could not save the result ({reason}); your notes are saved, but the result is only shown here.",
        "結果を保存できませんでした({reason})。入力は保存済みですが、結果はこの画面にだけあります。",
    ),
    "rewrite.field.title": Message("title", "タイトル"),
    "rewrite.field.situation": Message("situation", "状況"),
    "rewrite.field.task": Message("task", "課題"),
    "rewrite.field.action": Message("action", "行動"),
    "rewrite.field.result": Message("result", "結果"),
    "rewrite.field.statement": Message("statement", "一言サマリー"),
    "rewrite.field.questions": Message("questions", "質問"),
    "rewrite.md.heading": Message("# Results in STAR form", "# 成果の整理(STAR)"),
    "rewrite.md.statement": Message("In one line", "一言で"),
    "rewrite.md.situation": Message("Situation", "状況"),
    "rewrite.md.task": Message("Task", "課題"),
    "rewrite.md.action": Message("Action", "行動"),
    "rewrite.md.result": Message("Result", "結果"),
    "rewrite.md.metrics": Message("Numbers", "数値"),
    "rewrite.md.table": Message(
        "| Metric | Before | After | Change | In your notes |",
        "| 指標 | 前 | 後 | 変化 | メモの記述 |",
    ),
    "rewrite.md.questions": Message("To fill in", "確認したいこと"),
    "rewrite.md.engine": Message("Engine", "エンジン"),
    "rewrite.md.none": Message("(not in the notes)", "(記述なし)"),
    "rewrite.md.next": Message("Next (plans, not results)", "次にやること(成果ではないもの)"),
    # ------------------------------------------------------------------ the app's start
    "app.index_progress": Message("Repairing the search index", "検索インデックスを修復中"),
    "app.index_repaired": Message(
        "The search index lacked {n} stored meeting(s); they were added, so Ask finds them again.",
        "検索インデックスに保存済みの会議 {n} 件が欠けていたため追加しました。質問で再び見つかります。",
    ),
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
    if not values:
        return template
    return template.format(**{name: _in(value, language) for name, value in values.items()})


def _in(value: object, language: Language) -> object:
    """A value that is itself in both languages (a `Message`, e.g. from `pair`) is shown in the
    language of the message it fills: `{what}` is "notes" in English and メモ in Japanese."""
    if isinstance(value, Message):
        return value.ja if language == "ja" else value.en
    return value


def pair(key: str, **values: object) -> Message:
    """Message `key` in both languages, as a value for another message's placeholder."""
    return Message(*both(key, **values))


def labels(prefix: str, language: Language = "en") -> dict[str, str]:
    """Every message under ``prefix.`` in `language`, keyed by the rest of its key and not yet
    filled (a renderer that builds a document from many labels takes them in one go)."""
    start = prefix + "."
    return {
        key[len(start) :]: (entry.ja if language == "ja" else entry.en)
        for key, entry in CATALOG.items()
        if key.startswith(start)
    }


def both(key: str, **values: object) -> tuple[str, str]:
    """(en, ja) of one message, as CoachError takes them."""
    return message(key, "en", **values), message(key, "ja", **values)
