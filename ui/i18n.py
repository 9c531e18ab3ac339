"""Every string the UI shows, in Japanese and English.

One flat dict so a test can check that no key lacks a language, and so a page never carries
prose of its own. Values may hold `str.format` fields filled by `text()`.
"""

from __future__ import annotations

from coach.models import Language

TEXTS: dict[str, dict[Language, str]] = {
    # ------------------------------------------------------------------ app shell
    "nav.rewrite": {"ja": "成果を STAR に", "en": "Rewrite (STAR)"},
    "nav.prepare": {"ja": "1on1 の準備", "en": "Prepare"},
    "nav.record": {"ja": "記録", "en": "Record"},
    "nav.actions": {"ja": "アクション", "en": "Actions"},
    "nav.ask": {"ja": "過去の 1on1 に質問", "en": "Ask"},
    "nav.review": {"ja": "評価面談", "en": "Review"},
    "sidebar.language": {"ja": "表示言語", "en": "Language"},
    "sidebar.engine": {"ja": "エンジン", "en": "Engine"},
    "sidebar.engine_toggle": {"ja": "LLM を使う", "en": "Use the LLM"},
    "sidebar.engine_toggle_help": {
        "ja": "オフにするとルールベースのオフラインエンジンで処理します。",
        "en": "Off: the rule-based offline engine does the work.",
    },
    "sidebar.local": {
        "ja": "🔒 オフライン: テキストはこのマシンから出ません",
        "en": "🔒 Offline: your text never leaves this machine",
    },
    "sidebar.local_llm": {
        "ja": "🔒 ローカル LLM: テキストはこのマシンから出ません",
        "en": "🔒 Local LLM: your text never leaves this machine",
    },
    "sidebar.leaves": {
        "ja": "⚠ テキストは {host} に送信されます",
        "en": "⚠ Your text is sent to {host}",
    },
    "sidebar.data_dir": {"ja": "データの保存先", "en": "Data directory"},
    # ------------------------------------------------------------------ shared widgets
    "common.download_md": {"ja": "Markdown をダウンロード", "en": "Download Markdown"},
    "common.download_txt": {"ja": "テキストをダウンロード", "en": "Download text"},
    "common.internal_error": {
        "ja": "内部エラーが発生しました ({name})。入力内容はそのまま残っています。もう一度試すか、"
        "COACH_DEBUG=1 を付けて起動し直すと詳細が表示されます。",
        "en": "Internal error ({name}). Your input is kept. Try again, or restart the app with "
        "COACH_DEBUG=1 to see the details.",
    },
    "common.engine_used": {"ja": "使用エンジン: {engine}", "en": "Engine used: {engine}"},
    "common.none_yet": {"ja": "まだありません。", "en": "Nothing yet."},
    # ------------------------------------------------------------------ rewrite
    "rewrite.title": {
        "ja": "メモを STAR と定量的な一文に",
        "en": "Turn notes into STAR and one quantified line",
    },
    "rewrite.intro": {
        "ja": "業務メモを貼り付けてください (日本語・英語)。数字はメモにあるものだけを使い、"
        "変化率はコードで計算します。",
        "en": "Paste your work notes (Japanese or English). Numbers come only from your notes; "
        "changes are computed by code.",
    },
    "rewrite.notes": {"ja": "業務メモ", "en": "Work notes"},
    "rewrite.placeholder": {
        "ja": "例: P95レイテンシを320ms→180msに改善。N+1クエリを解消した。",
        "en": "e.g. Cut P95 latency from 320ms to 180ms by removing N+1 queries.",
    },
    "rewrite.generate": {"ja": "作成", "en": "Generate"},
    "rewrite.sample": {"ja": "サンプルのメモを入れる", "en": "Insert sample notes"},
    "rewrite.entries": {"ja": "STAR カード ({n} 件)", "en": "STAR cards ({n})"},
    "rewrite.no_entries": {
        "ja": "成果が見つかりませんでした。何をして、どうなったかを書き足してください。",
        "en": "No results found. Add what you did and what came of it.",
    },
    "rewrite.edit_hint": {
        "ja": "各欄は編集できます。Markdown には編集後の内容が入ります。",
        "en": "Every field is editable; the Markdown below uses your edits.",
    },
    "rewrite.markdown": {"ja": "Markdown でコピー", "en": "Copy as Markdown"},
    "rewrite.working": {"ja": "メモを読んでいます({kb} KB)…", "en": "Reading your notes ({kb} KB)…"},
    "rewrite.page": {
        "ja": "ページ(全 {n} ページ、{total} 件を {size} 件ずつ表示)",
        "en": "Page (of {n}; {total} entries, {size} per page)",
    },
    "rewrite.next": {"ja": "次にやること(成果ではないもの、{n} 件)", "en": "Next (plans, not results: {n})"},
    "field.title": {"ja": "タイトル", "en": "Title"},
    "field.situation": {"ja": "状況 (S)", "en": "Situation (S)"},
    "field.task": {"ja": "課題 (T)", "en": "Task (T)"},
    "field.action": {"ja": "行動 (A)", "en": "Action (A)"},
    "field.result": {"ja": "結果 (R)", "en": "Result (R)"},
    "field.statement": {"ja": "1on1 で言う一文", "en": "One line for the 1on1"},
    "metrics.title": {"ja": "数値 (出典つき)", "en": "Numbers (with their source)"},
    "metrics.name": {"ja": "指標", "en": "Metric"},
    "metrics.before": {"ja": "前", "en": "Before"},
    "metrics.after": {"ja": "後", "en": "After"},
    "metrics.unit": {"ja": "単位", "en": "Unit"},
    "metrics.change": {"ja": "変化率", "en": "Change"},
    "metrics.source": {"ja": "メモ中の出典", "en": "Source in the notes"},
    "missing.title": {"ja": "足りない要素: {parts}", "en": "Missing: {parts}"},
    "missing.situation": {"ja": "状況", "en": "situation"},
    "missing.task": {"ja": "課題", "en": "task"},
    "missing.action": {"ja": "行動", "en": "action"},
    "missing.result": {"ja": "結果", "en": "result"},
    "missing.metric": {"ja": "数値", "en": "a number"},
    "questions.title": {"ja": "埋めるための質問", "en": "Questions to fill the gaps"},
    # ------------------------------------------------------------------ prepare
    "prepare.title": {"ja": "次の 1on1 の準備", "en": "Prepare the next 1on1"},
    "prepare.intro": {
        "ja": "3 つのステップで材料をそろえ、アジェンダ (Notion 用 Markdown と Slack の事前共有) "
        "を作ります。",
        "en": "Three steps to gather the material, then the agenda "
        "(Markdown for Notion and a Slack pre-share).",
    },
    "prepare.step1": {"ja": "ステップ 1: 成果", "en": "Step 1: results"},
    "prepare.step1_saved": {
        "ja": "保存済みの成果 ({n} 件) を使います。作り直すにはメモを貼って「作成」を押してください。",
        "en": "Using the saved results ({n}). To redo them, paste notes and press Generate.",
    },
    "prepare.step2": {"ja": "ステップ 2: キャリアの意向", "en": "Step 2: career intent"},
    "prepare.intent": {"ja": "キャリアの意向", "en": "Career intent"},
    "prepare.intent_placeholder": {
        "ja": "例: マネジメントに興味がある",
        "en": "e.g. I'm interested in management",
    },
    "prepare.sharpen": {"ja": "具体化する", "en": "Sharpen"},
    "prepare.has_timeframe": {"ja": "時期", "en": "Timeframe"},
    "prepare.has_scope": {"ja": "範囲", "en": "Scope"},
    "prepare.has_reason": {"ja": "理由", "en": "Reason"},
    "prepare.drafts": {"ja": "具体化した案", "en": "Sharper drafts"},
    "prepare.why": {"ja": "判定の根拠", "en": "Why these parts"},
    "prepare.why_bucket": {"ja": "分類の根拠", "en": "Why this bucket"},
    "prepare.evidence": {"ja": "裏づけになる過去の成果", "en": "Past results that support it"},
    "prepare.step3": {"ja": "ステップ 3: 懸念・相談", "en": "Step 3: concerns"},
    "prepare.concerns": {"ja": "懸念・相談 (1 行に 1 件)", "en": "Concerns (one per line)"},
    "prepare.concerns_placeholder": {
        "ja": "例: 【相談】新規ライブラリ導入の承認フローについて",
        "en": "e.g. How do new libraries get approved?",
    },
    "prepare.triage": {"ja": "仕分ける", "en": "Sort"},
    "prepare.concern": {"ja": "懸念", "en": "Concern"},
    "prepare.bucket": {"ja": "分類", "en": "Bucket"},
    "prepare.suggestion": {"ja": "1on1 での扱い方", "en": "How to raise it"},
    "bucket.self": {"ja": "自分で対応", "en": "I handle it"},
    "bucket.support": {"ja": "マネージャーの支援", "en": "Manager's support"},
    "bucket.org": {"ja": "組織の課題", "en": "Organisation"},
    "prepare.agenda": {"ja": "アジェンダ", "en": "Agenda"},
    "prepare.build_agenda": {"ja": "アジェンダを作る", "en": "Build the agenda"},
    "prepare.notion": {"ja": "Notion 用 Markdown", "en": "Markdown for Notion"},
    "prepare.slack": {"ja": "Slack 事前共有 (3 点)", "en": "Slack pre-share (three points)"},
    "prepare.opening": {"ja": "前回のアクションの報告", "en": "Progress on last meeting's actions"},
    "prepare.opening_none": {
        "ja": "前回のアクションはありません。1on1 を記録するか議事録を取り込むと、ここに冒頭で話す報告が出ます。",
        "en": "No actions from past meetings yet. Record a 1on1 or import meeting notes, and the "
        "progress report to open with appears here.",
    },
    "prepare.followups": {"ja": "過去の関連する 1on1", "en": "Related past 1on1s"},
    "prepare.followups_intro": {
        "ja": "上のメモ・意向・懸念と同じ話題を扱った過去の回と、そのとき決まったこと。",
        "en": "Past meetings that touched the topics above, with what was decided then.",
    },
    "prepare.followups_need_text": {
        "ja": "上のどれかの欄にメモ・意向・懸念を入れると、同じ話題を扱った過去の 1on1 がここに出ます。",
        "en": "Type notes, an intent or concerns above to see the past 1on1s on the same topics.",
    },
    "prepare.followups_no_meetings": {
        "ja": "過去の 1on1 がまだありません。「記録」で記録するか、「アクション」で議事録を取り込んでください。",
        "en": "No past 1on1s yet. Record one on the Record page, or import meeting notes on the "
        "Actions page.",
    },
    "prepare.followups_none": {
        "ja": "同じ話題を扱った過去の 1on1 は見つかりませんでした。",
        "en": "No past 1on1 touched these topics.",
    },
    "prepare.followup_topic": {"ja": "関連した箇所", "en": "Where it came up"},
    "prepare.followup_decided": {"ja": "そのとき決まったこと", "en": "Decided then"},
    "prepare.followup_open": {"ja": "未完了のアクション", "en": "Still-open actions"},
    # ------------------------------------------------------------------ record
    "record.title": {"ja": "1on1 を記録する", "en": "Record the 1on1"},
    "record.intro": {
        "ja": "終わった直後に。入力はページを移動しても、保存に失敗しても消えません。",
        "en": "Right after the meeting. What you type survives reruns, page changes and failed saves.",
    },
    "record.date": {"ja": "日付", "en": "Date"},
    "record.with": {"ja": "相手", "en": "With"},
    "record.meeting_title": {"ja": "タイトル (任意)", "en": "Title (optional)"},
    "record.decisions": {"ja": "決まったこと (1 行に 1 件)", "en": "Decisions (one per line)"},
    "record.info": {"ja": "得られた情報 (1 行に 1 件)", "en": "Information learned (one per line)"},
    "record.my_actions": {"ja": "自分のアクション", "en": "My next actions"},
    "record.manager_actions": {"ja": "マネージャーの約束", "en": "Manager's promises"},
    "record.action": {"ja": "アクション", "en": "Action"},
    "record.due": {"ja": "期限", "en": "Due"},
    "record.done": {"ja": "完了", "en": "Done"},
    "record.kept": {
        "ja": "このフォームでは全体を表示できないため、保存してもそのまま残す節: {sections}",
        "en": "Kept as written when you save (the form cannot show them in full): {sections}",
    },
    "record.notes": {"ja": "メモ (任意)", "en": "Notes (optional)"},
    "record.save": {"ja": "保存", "en": "Save"},
    "record.saved": {
        "ja": "保存しました: {file} (アクション {n} 件)",
        "en": "Saved: {file} ({n} action(s))",
    },
    "record.new": {"ja": "新しい会議", "en": "New meeting"},
    "record.editing": {"ja": "編集中: {file}", "en": "Editing: {file}"},
    "record.exists": {
        "ja": "同じ日・同じ相手・同じタイトルの会議 ({file}) がすでにあります。上書きしますか?",
        "en": "A meeting on this day with the same person and title ({file}) is already saved. Overwrite it?",
    },
    "record.overwrite": {"ja": "上書きする", "en": "Overwrite"},
    "record.keep": {"ja": "やめる", "en": "Cancel"},
    "record.saved_list": {"ja": "保存した会議", "en": "Saved meetings"},
    "record.open": {"ja": "開く", "en": "Open"},
    "record.none": {"ja": "まだ保存した会議はありません。", "en": "No saved meetings yet."},
    "record.empty": {
        "ja": "決まったこと・情報・アクション・メモのどれかを入力してから保存してください。",
        "en": "Enter at least one decision, piece of information, action or note before saving.",
    },
    # ------------------------------------------------------------------ actions
    "actions.title": {"ja": "アクション台帳", "en": "Action ledger"},
    "actions.owner": {"ja": "担当", "en": "Owner"},
    "actions.owner_all": {"ja": "すべて", "en": "All"},
    "owner.me": {"ja": "自分", "en": "Me"},
    "owner.manager": {"ja": "マネージャー", "en": "Manager"},
    "owner.other": {"ja": "ほかの人", "en": "Someone else"},
    "actions.overdue": {"ja": "期限切れ ({n})", "en": "Overdue ({n})"},
    "actions.open": {"ja": "未完了 ({n})", "en": "Open ({n})"},
    "actions.done": {"ja": "完了 ({n})", "en": "Done ({n})"},
    "actions.col_action": {"ja": "アクション", "en": "Action"},
    "actions.col_owner": {"ja": "担当", "en": "Owner"},
    "actions.col_due": {"ja": "期限", "en": "Due"},
    "actions.col_from": {"ja": "起票した回", "en": "Opened in"},
    "actions.col_done_in": {"ja": "完了した回", "en": "Closed in"},
    "actions.col_result": {"ja": "結果", "en": "Result"},
    "actions.col_why": {"ja": "根拠", "en": "Why"},
    "actions.mark_done": {"ja": "完了にする", "en": "Mark done"},
    "actions.pick": {"ja": "完了したアクション", "en": "Action that is done"},
    "actions.result": {"ja": "結果 (任意)", "en": "Result (optional)"},
    "actions.marked": {"ja": "完了にしました: {action}", "en": "Marked done: {action}"},
    "actions.opening": {"ja": "次の 1on1 の冒頭で話すこと", "en": "Opening lines for the next 1on1"},
    "actions.import": {"ja": "過去の議事録を取り込む", "en": "Import past meeting notes"},
    "actions.import_help": {
        "ja": "YYYY-MM-DD で始まる名前の Markdown ファイル (複数可) か、それをまとめた zip。",
        "en": "Markdown files named YYYY-MM-DD…md (several at once), or a zip of them.",
    },
    "actions.import_button": {"ja": "取り込む", "en": "Import"},
    "actions.import_done": {
        "ja": "取り込み完了: 新規 {imported} / 更新 {updated} / 変更なし {unchanged}",
        "en": "Imported {imported} new, {updated} updated, {unchanged} unchanged",
    },
    "actions.reindex": {"ja": "検索インデックスを再構築", "en": "Rebuild search index"},
    "actions.reindex_help": {
        "ja": "「過去の 1on1 に質問」で見つかるはずの回が出ないときに。保存済みの全議事録から作り直します。",
        "en": "When Ask misses a meeting it should find: rebuilds the index from every stored meeting.",
    },
    "actions.reindexed": {
        "ja": "検索インデックスを再構築しました ({n} 件の断片)。",
        "en": "Search index rebuilt ({n} passages).",
    },
    "actions.reindex_empty": {
        "ja": "議事録がまだないので、索引するものがありません。先に議事録を取り込んでください。",
        "en": "No meetings stored yet, so nothing to index. Import meeting notes first.",
    },
    "actions.import_nothing": {
        "ja": "Markdown ファイルが見つかりません。.md か、.md を含む zip を選んでください。",
        "en": "No Markdown files found. Choose .md files or a zip that contains them.",
    },
    # ------------------------------------------------------------------ ask
    "ask.title": {"ja": "過去の 1on1 に質問する", "en": "Ask your past 1on1s"},
    "ask.intro": {
        "ja": "答えには必ず出典 (どの回の、どの部分か) がつきます。",
        "en": "Every answer cites the meetings (date, file, passage) it came from.",
    },
    "ask.input": {
        "ja": "質問を入力 (例: レビュー負荷はどうなった?)",
        "en": "Ask (e.g. what happened to the review load?)",
    },
    "ask.sources": {"ja": "出典", "en": "Sources"},
    "ask.open_meeting": {"ja": "この回の議事録を開く", "en": "Open this meeting"},
    "ask.open_link": {"ja": "別タブで開く", "en": "Open in a new tab"},
    "ask.meeting": {"ja": "議事録: {file}", "en": "Meeting: {file}"},
    "ask.meeting_missing": {
        "ja": "議事録 {file} は保存されていません。ファイル名を確かめるか、「アクション」で取り込み直してください。",
        "en": "No stored meeting named {file}. Check the name, or import it again on the Actions page.",
    },
    "ask.close_meeting": {"ja": "閉じる", "en": "Close"},
    "ask.empty": {
        "ja": "まだ議事録がありません。「アクション」で過去の議事録を取り込むか、「記録」で 1on1 を記録すると"
        "質問できるようになります。",
        "en": "No meetings yet. Import past meeting notes on the Actions page, or record a 1on1, "
        "and then ask about them here.",
    },
    "ask.not_found": {
        "ja": "記録の中に答えが見つかりませんでした。",
        "en": "The answer is not in your meetings.",
    },
    "ask.clear": {"ja": "会話を消す", "en": "Clear the chat"},
    "ask.why": {"ja": "判定の根拠（検索の証拠）", "en": "Why (the search's evidence)"},
    # ------------------------------------------------------------------ review
    "review.kept": {"ja": "評価の材料にする書き換え ({n})", "en": "Rewrites kept for the review ({n})"},
    "review.kept_none": {"ja": "保存した書き換えはありません。", "en": "No rewrites kept."},
    "review.kept_remove": {"ja": "削除", "en": "Remove"},
    "review.kept_removed": {"ja": "書き換えを削除しました。", "en": "Rewrite removed."},
    "review.title": {"ja": "評価面談の自己評価", "en": "Review season: self-evaluation"},
    "review.mode": {"ja": "期間の指定", "en": "Period"},
    "review.mode_named": {"ja": "半期・四半期", "en": "Half / quarter"},
    "review.mode_dates": {"ja": "日付で指定", "en": "From / to"},
    "review.named": {"ja": "期間名", "en": "Period name"},
    "review.named_help": {
        "ja": "例: 2026H1, 2026上期, 2026Q2",
        "en": "e.g. 2026H1, 2026Q2",
    },
    "review.from": {"ja": "開始日", "en": "From"},
    "review.to": {"ja": "終了日", "en": "To"},
    "review.build": {"ja": "下書きを作る", "en": "Draft it"},
    "review.period": {"ja": "対象期間: {start} 〜 {end}", "en": "Period: {start} to {end}"},
    "review.promised": {"ja": "約束したアクション", "en": "Actions promised"},
    "review.done": {"ja": "完了", "en": "Done"},
    "review.open": {"ja": "未完了", "en": "Open"},
    "review.draft": {"ja": "下書き (編集できます)", "en": "Draft (editable)"},
    "review.charts": {"ja": "グラフ", "en": "Charts"},
    "review.metric_chart": {"ja": "成果の数値", "en": "Results in numbers"},
    "review.follow_chart": {"ja": "約束の実行", "en": "Follow-through"},
    "review.download_png": {"ja": "PNG をダウンロード", "en": "Download PNG"},
    "review.download_svg": {"ja": "SVG をダウンロード", "en": "Download SVG"},
    "review.check": {"ja": "サプライズのない評価かチェック", "en": "No-surprise check"},
    "review.check_help": {
        "ja": "自己評価の文章を貼ると、1on1 で共有していない主張や数字の食い違いを見つけます。",
        "en": "Paste your self-evaluation to find claims never shared in a 1on1, or with different numbers.",
    },
    "review.check_text": {"ja": "自己評価の文章", "en": "Self-evaluation text"},
    "review.check_button": {"ja": "チェックする", "en": "Check"},
    "review.check_ok": {
        "ja": "すべての主張が期間中の 1on1 で共有済みです。",
        "en": "Every claim was shared in a 1on1 during the period.",
    },
    "review.claim": {"ja": "主張", "en": "Claim"},
    "review.status": {"ja": "判定", "en": "Status"},
    "review.meetings": {"ja": "共有した回", "en": "Shared in"},
    "review.detail": {"ja": "詳細", "en": "Detail"},
    "status.shared": {"ja": "共有済み", "en": "shared"},
    "status.unshared": {"ja": "未共有", "en": "never shared"},
    "status.number_differs": {"ja": "数字が違う", "en": "number differs"},
}


def text(key: str, language: Language, **values: object) -> str:
    """Look a string up; a missing key shows itself rather than crashing the page."""
    entry = TEXTS.get(key)
    if entry is None:
        return key
    template = entry.get(language) or entry["en"]
    return template.format(**values) if values else template
