"""coach.rules.metrics: before→after pairs from notes, traced to exact spans; targets excluded."""

from __future__ import annotations

from typing import Any

import pytest

from coach.models import Metric
from coach.rules.metrics import extract_metrics, find_metrics
from tests.conftest import load_jsonl


def _matches(metric: Metric, expected: dict[str, Any]) -> bool:
    if expected["unit"] == "mixed":
        return metric.change_pct is not None and abs(metric.change_pct - expected["change_pct"]) <= 1
    return (
        metric.before == pytest.approx(expected["before"])
        and metric.after == pytest.approx(expected["after"])
        and metric.unit == expected["unit"]
        and metric.change_pct == pytest.approx(expected["change_pct"], abs=0.01)
    )


@pytest.mark.parametrize("case", load_jsonl("rewrite_dev.jsonl"), ids=lambda c: c["id"])
def test_dev_set_metrics(case: dict[str, Any]) -> None:
    """Every metric read traces to the notes; notes without a result give no pair.

    Recall over the dev set is measured per half in test_rewrite.py and bench/rewrite.py."""
    metrics = extract_metrics(case["notes"])
    for metric in metrics:
        assert metric.source in case["notes"]
    if not case["metrics"]:
        assert [m for m in metrics if m.before is not None] == []


@pytest.mark.parametrize(
    ("notes", "before", "after", "unit", "pct"),
    [
        ("ビルドを4時間→35分に短縮", 240, 35, "分", -85.42),
        ("memory 1.5GB -> 300MB", 1500, 300, "MB", -80.0),
        ("active users grew from 50k to 80k", 50000, 80000, "", 60.0),
        ("満足度を3.6から4.2に", 3.6, 4.2, "", 16.67),
        ("Cut checkout p95 from 2.4s to 0.9s", 2.4, 0.9, "s", -62.5),
        ("CIのビルドが25分→8分", 25, 8, "分", -68.0),
        ("エラー率を0.8%から0.2%に", 0.8, 0.2, "%", -75.0),
        ("保持期間 90日→30日", 90, 30, "日", -66.67),
        ("月額 80万円 → 52万円", 80, 52, "万円", -35.0),
        (
            "スループットを１秒あたり１，２００リクエストから３，０００リクエストに",
            1200,
            3000,
            "req/s",
            150.0,
        ),
        ("Runtime dropped from 5.5h to 1.2h", 5.5, 1.2, "h", -78.18),
        ("we run 6 pods instead of 20", 20, 6, "pods", -70.0),
        ("p95 was 2.4s, now 0.9s", 2.4, 0.9, "s", -62.5),
        ("latency is 0.9s (was 2.4s)", 2.4, 0.9, "s", -62.5),
        ("手作業で2時間かかっていた。自動化して15分になった。", 120, 15, "分", -87.5),
        ("アラートが週300件→90件に減った(70%削減)", 300, 90, "件/週", -70.0),
        ("デプロイ頻度が週2回→週5回に", 2, 5, "回/週", 150.0),
        ("セットアップを3日から半日に短縮", 3, 0.5, "日", -83.33),
        ("処理件数が毎分600件から2倍になった", 600, 1200, "件/min", 100.0),
        ("残業時間が40時間から3割減った", 40, 28, "時間", -30.0),
        ("待ち時間が平均2日あったが、当番制にして半分になった", 2, 1, "日", -50.0),
        ("集計が1時間30分から45分に", 90, 45, "分", -50.0),
        ("6時間かかってたのが1時間半で終わった", 6, 1.5, "時間", -75.0),
        ("egress $12k/mo -> $4.5k/mo", 12000, 4500, "$/month", -62.5),
        ("pages went from 45 per week to 8 per week", 45, 8, "/week", -82.22),
        ("1,800 rps, up from 650 rps", 650, 1800, "req/s", 176.92),
        ("障害が月4回ほど起きていた。今は月1回以下に抑えている", 4, 1, "回/月", -75.0),
        ("エラー件数を１日５０件から５件に", 50, 5, "件/日", -90.0),
    ],
)
def test_formats(notes: str, before: float, after: float, unit: str, pct: float) -> None:
    metrics = [m for m in extract_metrics(notes) if m.before is not None]
    assert len(metrics) == 1, metrics
    metric = metrics[0]
    assert (metric.before, metric.after, metric.unit) == (pytest.approx(before), pytest.approx(after), unit)
    assert metric.change_pct == pytest.approx(pct, abs=0.01)
    assert metric.source in notes


def test_qualifiers_and_cross_sentence_pairs() -> None:
    (metric,) = extract_metrics("失敗率が5%あった。リトライを実装し、1%未満に。")
    assert (metric.before, metric.after, metric.qualifier, metric.change_pct) == (5, 1, "<", -80.0)
    assert metric.name == "失敗率"
    (about,) = extract_metrics("費用を約120万円から80万円に")
    assert about.qualifier == "~"
    assert about.source == "約120万円から80万円"


def test_targets_are_not_results() -> None:
    assert extract_metrics("P95レイテンシを200ms以下に改善するのが目標。") == []
    assert extract_metrics("目標は3時間から1時間に減らすこと") == []
    (metric,) = extract_metrics("target: under 200ms. We got p95 from 320ms to 180ms.")
    assert (metric.before, metric.after) == (320, 180)
    assert extract_metrics("Goal: cut build time from 20 min to 5 min next quarter") == []


def test_stated_reduction_is_kept_without_inventing_a_before() -> None:
    (metric,) = extract_metrics("定例を廃止して、会議時間を週3時間削減")
    assert metric.before is None and metric.change_pct is None
    assert metric.after == 3 and metric.unit == "時間/週"
    assert metric.source == "週3時間"
    assert metric.name.startswith("会議時間")


def test_names_come_from_the_words_before_the_numbers() -> None:
    names = [m.name for m in extract_metrics("P95レイテンシは320ms→180msに改善。エラー率は0.8%→0.2%。")]
    assert names == ["P95レイテンシ", "エラー率"]
    (metric,) = extract_metrics("Runtime dropped from 5.5h to 1.2h")
    assert metric.name == "Runtime"


def test_dates_times_identifiers_and_list_markers_are_not_quantities() -> None:
    notes = "1) 2026-01-20 [10:32] tanaka: P95 と N+1 を確認\n2. v2.3 を 3月 にリリース"
    assert extract_metrics(notes) == []


def test_spans_are_exact_substrings_with_full_width_text() -> None:
    notes = "処理時間を　１２０秒　→　４５秒　に"
    (metric,) = extract_metrics(notes)
    assert metric.source in notes and "１２０" in metric.source
    assert (metric.before, metric.after, metric.change_pct) == (120, 45, -62.5)


def test_a_ratio_without_a_base_is_no_metric() -> None:
    """`2倍になった` says nothing of what it multiplies: the entry asks for the numbers instead.

    (This used to be kept as a stated change of 2x; the dev set's conventions list ratios without
    a stated base among the numbers that are not metrics.)"""
    assert extract_metrics("スループットが2倍になった") == []
    assert extract_metrics("The nightly export got twice as fast; it doubled again after caching.") == []
    (based,) = extract_metrics("月600件だった問い合わせが半分になった")
    assert (based.before, based.after) == (600, 300)
    assert extract_metrics("Led the upgrade of Postgres from 12 to 15") == []


def test_a_stated_percentage_is_checked_against_the_computed_change() -> None:
    (right,) = find_metrics("Reduced image size from 1.2GB to 400MB, a 67% reduction.")
    assert right.stated == "67%" and not right.stated_differs
    (wrong,) = find_metrics("Export time went from 40s to 25s (50% faster).")
    assert wrong.stated_pct == 50 and wrong.stated_differs
    assert wrong.metric.change_pct == -37.5
    (ratio,) = find_metrics("p95 went from 800ms to 200ms (3x faster)")
    assert ratio.stated_differs


def test_names_from_context_when_the_clause_has_none() -> None:
    (alerts,) = extract_metrics(
        "アラートのしきい値を見直し、重複アラートを統合。週300件→90件に減った(70%削減)"
    )
    assert alerts.name == "アラート件数"
    (target,) = extract_metrics("目標はエラー率0.1%以下。現状は0.5%→0.3%まで改善。")
    assert target.name == "エラー率"
    (english,) = extract_metrics(
        "Consolidated duplicate alerts and tuned thresholds; went from 300 a week to 90."
    )
    assert english.name == "duplicate alerts"
    (of,) = extract_metrics("Reduced p99 latency of the search API by 35% by adding a read replica.")
    assert of.name == "p99 latency (change)"


@pytest.mark.parametrize(
    ("notes", "before", "after"),
    [
        ("問い合わせは 2月 90件 → 4月 35件 まで減った", 90, 35),
        ("障害対応: 上期は 8 回 → 下期（10/1〜12/20）は 3 回", 8, 3),
        ("Pages dropped from 9 in January to 2 in March", 9, 2),
        ("H1: 44 flaky tests → H2: 10 flaky tests", 44, 10),
        ("手動リリースは 1月が 12 回、3月は 4 回に減った", 12, 4),
    ],
)
def test_values_tagged_with_their_own_periods_pair(notes: str, before: float, after: float) -> None:
    (match,) = find_metrics(notes)
    assert (match.metric.before, match.metric.after) == (before, after)
    assert "period" in match.metric.why


def test_a_list_of_values_per_period_is_no_pair() -> None:
    assert find_metrics("リリース回数は 1月は 5 回、2月は 7 回、3月は 6 回だった") == []


def test_a_target_in_brackets_does_not_hide_the_result_beside_it() -> None:
    (match,) = find_metrics("ビルド時間を 25分→9分 に短縮（目標は 10分）")
    assert (match.metric.before, match.metric.after) == (25, 9)
    assert find_metrics("バンドルサイズは 2MB→1.2MB になる予定") == []
    assert find_metrics("Build time should go from 25 min to 9 min (target)") == []


def test_to_a_value_is_no_stated_amount_and_one_per_is_a_rate() -> None:
    assert find_metrics("レビュー待ちを 2日に短縮した") == [], "に短縮: reduced to, not by"
    assert find_metrics("今は1本5分で流れる。先週は失敗が3本あった") == [], "1本5分: per one run"
