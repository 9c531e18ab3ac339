"""The reader of notes: Markdown structure, chat lines, plans, pairing rules, input checks, cost.

Every case below is written for this file, in words of its own (not from the shared dev set).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from coach.config import load_settings
from coach.errors import InputError
from coach.flows import rewrite as flow
from coach.memory.store import Store
from coach.rules.metrics import PAIR_RULES, extract_metrics
from coach.rules.notes import read_lines
from coach.rules.star import read_notes
from coach.text.inputs import check_text
from coach.text.japanese import predicate_tense

# ------------------------------------------------------------------ structure


def test_markdown_structure_gives_each_line_its_kind() -> None:
    text = (
        "Quarter wrap-up\n===============\n"
        "- shipped the export API\n  - behind a flag at first\n"
        "1. rotated the signing keys\n\n"
        "```\nretry 3 -> 5\n```\n"
        "| k | before | after |\n|---|---|---|\n| lag | 9s | 2s |\n"
        "・社内勉強会で発表\n"
    )
    kinds = [(line.kind, line.level, text[line.start : line.end]) for line in read_lines(text)]
    assert kinds[0] == ("heading", 0, "Quarter wrap-up")  # setext, its underline dropped
    assert ("bullet", 0, "shipped the export API") in kinds
    assert ("bullet", 1, "behind a flag at first") in kinds
    assert ("numbered", 0, "rotated the signing keys") in kinds
    assert [k for k, _, body in kinds if "retry" in body] == ["code"]
    assert [k for k, _, _ in kinds].count("table") == 2  # header and row; the rule line is dropped
    assert ("bullet", 0, "社内勉強会で発表") in kinds


def test_code_blocks_give_no_metrics_and_no_entries() -> None:
    notes = "Tuned the importer.\n\n```\nbatch 200 -> 800\nlatency 90ms -> 30ms\n```\n"
    reading = read_notes(notes)
    assert len(reading.entries) == 1
    assert reading.entries[0].metrics == []


def test_chat_lines_with_speakers_other_people_are_context() -> None:
    notes = (
        "[14:02] kato: the nightly report is late again, can someone look?\n"
        "[14:20] me: split the report query into two passes and added an index\n"
        "[16:45] me: report now finishes in 12 min, it took 55 min before\n"
        "[16:46] kato: thanks!!\n"
    )
    (entry,) = read_notes(notes).entries
    assert "kato" not in entry.title and "look?" not in entry.title
    assert "index" in entry.action
    assert "thanks" not in entry.result
    (metric,) = entry.metrics
    assert (metric.before, metric.after, metric.unit) == (55, 12, "min")


def test_chat_lines_without_names_and_with_am_pm() -> None:
    notes = (
        "9:05 AM good morning :wave:\n"
        "9:30 AM rolled out the new retry policy for the mailer\n"
        "4:10 PM bounce rate 3.2% -> 1.1% since the rollout\n"
        "4:12 PM will check the weekly numbers tomorrow\n"
    )
    reading = read_notes(notes)
    assert len(reading.entries) == 1
    assert reading.entries[0].metrics[0].change_pct == -65.63
    assert reading.next == ["will check the weekly numbers tomorrow"]


# ------------------------------------------------------------------ plans and titles


@pytest.mark.parametrize(
    ("plan", "lang"),
    [
        ("来週は負荷試験の準備をします", "ja"),
        ("下期は設計レビューを主導したい", "ja"),
        ("明日の朝会で共有します", "ja"),
        ("移行手順書の作成は来月の予定", "ja"),
        ("next: add alerting for the new queue", "en"),
        ("TODO: write the postmortem", "en"),
        ("Plan to retire the old cron host in May", "en"),
        ("the schema change is blocked on the DBA review", "en"),
    ],
)
def test_plans_go_to_the_next_list_not_to_entries(plan: str, lang: str) -> None:
    done = (
        "- キャッシュを導入して応答を 800ms → 200ms にした"
        if lang == "ja"
        else "- cut p95 from 800ms to 200ms"
    )
    reading = read_notes(f"{done}\n- {plan}\n")
    assert len(reading.entries) == 1
    assert reading.next and plan.split()[-1].rstrip("。") in reading.next[0]


@pytest.mark.parametrize(
    ("text", "tense"),
    [
        ("検索を高速化した", "past"),
        ("レビュー会を続けている", "ongoing"),
        ("来年は登壇したい", "wish"),
        ("来週リリースします", "present"),
        ("移行は月末の予定", "plan"),
        ("ドキュメントを整理", "none"),
    ],
)
def test_predicate_tense(text: str, tense: str) -> None:
    assert predicate_tense(text) == tense


def test_a_heading_naming_the_work_is_the_title() -> None:
    notes = "### 画像配信の最適化\n- WebP に変換\n- 転送量 1.8GB → 700MB/日\n"
    (entry,) = read_notes(notes).entries
    assert entry.title == "画像配信の最適化"


def test_a_generic_heading_is_no_title_and_items_stay_separate() -> None:
    notes = (
        "## This week\n"
        "- Migrated the audit log to object storage\n"
        "- Interviewed two backend candidates\n"
        "- Wrote the incident review for the DNS outage\n"
    )
    entries = read_notes(notes).entries
    assert len(entries) == 3
    assert "This week" not in [e.title for e in entries]


# ------------------------------------------------------------------ pairing rules and why


def test_every_pair_says_which_rule_read_it() -> None:
    (arrow,) = extract_metrics("cold start 2.4s → 0.8s")
    assert arrow.why == PAIR_RULES["arrow"]
    (cues,) = extract_metrics("月末処理は並列化して、今は50分で終わる。以前は3時間かかっていた。")
    assert cues.why == PAIR_RULES["role-cues"] and cues.change_pct == -72.22
    (table,) = extract_metrics("| | 旧 | 新 |\n|---|---|---|\n| 起動時間 | 14s | 5s |")
    assert table.why == PAIR_RULES["table-columns"] and table.name == "起動時間"


def test_settings_targets_versions_and_dates_are_no_results() -> None:
    notes = (
        "Raised the connection pool size from 10 to 40 and the heap size from 2GB to 4GB. "
        "Target p99 is 250ms. Upgraded Redis 6 to 7 on 2026-04-02. p99 went from 900ms to 310ms."
    )
    (metric,) = extract_metrics(notes)
    assert (metric.before, metric.after) == (900, 310)


def test_units_are_converted_before_the_change() -> None:
    (size,) = extract_metrics("bundle 1.6 MB → 640 KB")
    assert size.change_pct == -60.0
    (time_,) = extract_metrics("集計に1時間20分かかっていたのが、20分になった")
    assert (time_.before, time_.after, time_.change_pct) == (80, 20, -75.0)


def test_large_numbers_with_scale_words() -> None:
    (metric,) = extract_metrics("Daily active users grew from 1.5 million to 2.1 million.")
    assert (metric.before, metric.after) == (1_500_000, 2_100_000)


# ------------------------------------------------------------------ input checks


@pytest.mark.parametrize(
    "text",
    [
        "API　のタイムアウト率を　２．４％　→　０．３％　に削減",
        "リリース完了🎉 「検索」も【改善】しました…",
        "tabs\tand\u00a0no-break spaces, em—dash",
    ],
)
def test_printable_unicode_is_accepted(text: str) -> None:
    assert check_text(text.encode("utf-8")) == text


def test_binary_is_refused_for_a_stated_reason() -> None:
    with pytest.raises(InputError) as nul:
        check_text(b"PK\x03\x04\x00\x00zip")
    assert "NUL" in nul.value.message("en") and "NUL" in nul.value.message("ja")
    with pytest.raises(InputError) as garbage:
        check_text(("\ufffd" * 40 + "ok").encode("utf-8"))
    assert "U+FFFD" in garbage.value.message("en")
    assert check_text("a stray \ufffd in long enough text is fine".encode()) is not None


def test_shift_jis_bytes_are_refused_not_stored_garbled() -> None:
    with pytest.raises(InputError) as caught:
        check_text("障害対応の手順書を整備した".encode("cp932"))
    assert "Shift_JIS" in caught.value.message("en") and "UTF-8" in caught.value.message("en")
    assert "Shift_JIS" in caught.value.message("ja") and "文字化け" in caught.value.message("ja")


# ------------------------------------------------------------------ flow and cost


def test_notes_are_saved_before_processing(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("reader failed")

    monkeypatch.setattr(flow, "find_metrics", broken)
    settings = load_settings()
    with pytest.raises(RuntimeError):
        flow.rewrite_notes("Moved the build cache to S3.", settings)
    saved = [text for _, kind, text, _ in Store.open(settings).inputs("rewrite")]
    assert saved == ["Moved the build cache to S3."]


def test_the_result_lists_plans_in_next(isolated_env: Path) -> None:
    result = flow.rewrite_notes("- 帳票出力を非同期化した\n- 来週は監視を追加する", load_settings())
    assert len(result.entries) == 1 and result.next == ["来週は監視を追加する"]
    assert "来週は監視を追加する" in flow.to_markdown(result)


def _single_line(size: int) -> str:
    piece = (
        "Moved the cache to Redis and p95 went from 420ms to 130ms. 目標は100ms以下。"
        "以前は1日あたり約300件のエラーがあったが、今は20件程度。 "
    )
    return (piece * (size // len(piece) + 1))[:size]


def test_a_long_single_line_costs_linear_time() -> None:
    read_notes(_single_line(2_000))
    timings = []
    for size in (25_000, 100_000):
        text = _single_line(size)
        start = time.perf_counter()
        read_notes(text)
        timings.append(time.perf_counter() - start)
    # 4x the text: linear is ~4x, quadratic ~16x; allow noise on a shared machine
    assert timings[1] < 9 * timings[0] + 0.5, timings


def test_a_label_after_a_chat_stamp_is_no_speaker() -> None:
    notes = (
        "[10:01] switched the thumbnailer to libvips, p95 1.4s -> 0.5s\n"
        "[10:02] fyi: memory per worker also went down\n"
        "[10:20] next: try the same for PDF previews\n"
    )
    lines = read_lines(notes)
    assert [line.speaker for line in lines] == ["", "", ""]
    reading = read_notes(notes)
    assert len(reading.entries) == 1 and reading.next == ["next: try the same for PDF previews"]
    assert "PDF" not in reading.entries[0].title


def test_dated_chat_stamps_stay_out_of_metric_names() -> None:
    notes = "3/14 09:10 デプロイ手順を自動化しました\n3/14 09:12 所要 45分→8分\n"
    (entry,) = read_notes(notes).entries
    (metric,) = entry.metrics
    assert not any(ch.isdigit() for ch in metric.name) and "所要" in metric.name


def test_a_noun_ending_like_a_verb_stem_is_not_turned_into_a_past_verb() -> None:
    (entry,) = read_notes("- 深夜の電話呼び出し\n  - 月20回 → 3回").entries
    assert entry.title.endswith("呼び出し")
