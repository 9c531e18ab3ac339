"""Review season over the shared meetings, through a real SQLite store in the test's data dir."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from coach.cli import main
from coach.config import Settings, load_settings
from coach.errors import InputError
from coach.flows.imports import import_dir
from coach.flows.review import build_review, draft_problems, resolve_period, to_markdown
from coach.memory.store import Store
from coach.models import Metric, Period, Review, RewriteResult, StarEntry

H1 = Period.model_validate({"from": "2026-01-01", "to": "2026-06-30"})
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
NUMBER = re.compile(r"\d+(?:\.\d+)?")


@pytest.fixture
def settings(meetings_dir: Path) -> Settings:
    settings = load_settings()
    import_dir(meetings_dir, settings, index=False)
    return settings


@pytest.fixture
def review(settings: Settings) -> Review:
    return build_review(H1, settings)


@pytest.fixture
def expected(eval_dir: Path) -> dict[str, Any]:
    return json.loads((eval_dir / "review_dev.json").read_text(encoding="utf-8"))


def period_files(meetings_dir: Path) -> set[str]:
    return {p.name for p in meetings_dir.glob("2026-0[1-6]-*.md")}


def test_results_hold_every_quantified_result_with_its_change(
    review: Review, expected: dict[str, Any]
) -> None:
    for want in expected["metrics"]:
        where = want["where"].split(":")[0]
        found = [
            (item, metric)
            for item in review.results
            for metric in item.metrics
            if metric.before == pytest.approx(want["before"]) and metric.after == pytest.approx(want["after"])
        ]
        assert found, f"missing {want}"
        item, metric = found[0]
        assert metric.change_pct == pytest.approx(want["change_pct"], abs=0.01)
        assert where in item.meetings
        assert metric.source and NUMBER.search(metric.source)


def test_results_are_merged_strongest_first_and_cite_period_meetings(
    review: Review, meetings_dir: Path
) -> None:
    files = period_files(meetings_dir)
    strengths = [
        max((abs(m.change_pct) for m in i.metrics if m.change_pct is not None), default=0)
        for i in review.results
    ]
    assert strengths == sorted(strengths, reverse=True)
    pairs = [(m.before, m.after) for i in review.results for m in i.metrics]
    assert len(pairs) == len(set(pairs)), "the same result reported twice must be merged"
    for item in review.results:
        assert set(item.meetings) <= files


def test_follow_through_counts_come_from_the_ledger(review: Review, expected: dict[str, Any]) -> None:
    follow = review.follow_through
    assert (follow.promised, follow.done, follow.open) == tuple(
        expected["follow_through"][k] for k in ("promised", "done", "open")
    )
    assert len(follow.actions) == follow.promised
    assert sum(a.status == "done" for a in follow.actions) == follow.done
    for action in follow.actions:
        assert action.owner == "me"
        assert "2026-01-01" <= action.from_[:10] <= "2026-06-30"
        if action.status == "done":
            assert action.done_in is not None and action.done_in[:10] <= "2026-06-30"
    assert follow.on_time is not None and 0 < follow.on_time <= follow.done


def test_follow_through_as_of_an_earlier_end(settings: Settings) -> None:
    """An action closed after the period's end was still open at the end of the period."""
    follow = build_review(
        Period.model_validate({"from": "2026-01-01", "to": "2026-01-31"}), settings
    ).follow_through
    assert (follow.promised, follow.done, follow.open) == (3, 2, 1)


def test_draft_is_a_cited_sheet_with_no_invented_number(review: Review, meetings_dir: Path) -> None:
    draft = review.draft
    for heading in ("## 成果", "## 取り組み・プロセス", "## 今後の目標"):
        assert heading in draft
    period_dates = {f[:10] for f in period_files(meetings_dir)}
    source = "\n".join(p.read_text(encoding="utf-8") for p in meetings_dir.glob("*.md"))
    source_numbers = {float(n) for n in NUMBER.findall(source.replace(",", ""))}
    follow = review.follow_through
    computed = {float(v) for v in (follow.promised, follow.done, follow.open, follow.on_time or 0)}
    for item in review.results:
        for metric in item.metrics:
            if metric.change_pct is not None:
                computed |= {
                    abs(metric.change_pct),
                    round(abs(metric.change_pct)),
                    round(abs(metric.change_pct), 1),
                }
    bullets = [line for line in draft.splitlines() if line.strip().startswith("-")]
    assert len(bullets) >= 5
    for line in bullets:
        cited = DATE.findall(line)
        assert cited, f"uncited: {line}"
        assert set(cited) <= period_dates, line
        for token in NUMBER.findall(DATE.sub(" ", line).replace("[N]", "")):
            assert float(token) in source_numbers | computed, f"{token} invented in: {line}"
    assert f"{follow.promised}件のうち{follow.done}件" in draft
    assert review.engine == "offline" and review.warnings == []


def test_career_and_concerns(review: Review) -> None:
    assert [step.meeting for step in review.career] == sorted(step.meeting for step in review.career)
    assert len(review.career) >= 4
    assert any(step.has.timeframe and step.has.scope for step in review.career)
    assert any(step.followed_by for step in review.career)
    for step in review.career:
        for ref in step.followed_by:
            assert DATE.search(ref).group(0) >= step.meeting[:10]  # type: ignore[union-attr]
    assert review.concerns
    assert {c.bucket for c in review.concerns} <= {"self", "support", "org"}
    assert not any(c.concern.startswith("【") for c in review.concerns)
    resolved = [c for c in review.concerns if "未解決" not in c.outcome]
    assert resolved and len(resolved) < len(review.concerns)


def test_saved_rewrite_result_not_shared_in_a_meeting_is_marked(settings: Settings) -> None:
    metric = Metric(
        name="build time", before=40, after=10, unit="min", change_pct=-75.0, source="40min -> 10min"
    )
    entry = StarEntry(title="CI", statement="Cut CI build time from 40min to 10min", metrics=[metric])
    Store.open(settings).save_rewrite(RewriteResult(language="en", engine="offline", entries=[entry]))
    period = resolve_period("2026-01-01", None, None)
    review = build_review(period, settings)
    unshared = [item for item in review.results if item.statement == entry.statement]
    assert unshared and unshared[0].meetings == []
    assert entry.statement not in review.draft
    assert "40min" in to_markdown(review)


def test_no_meetings_in_period_is_explained(settings: Settings) -> None:
    with pytest.raises(InputError) as caught:
        build_review(Period.model_validate({"from": "2020-01-01", "to": "2020-06-30"}), settings)
    assert "coach import" in caught.value.message("en")
    assert "記録がありません" in caught.value.message("ja")


def test_progress_reports_every_meeting(settings: Settings) -> None:
    calls: list[tuple[int, int, str]] = []
    build_review(H1, settings, progress=lambda done, total, item: calls.append((done, total, item)))
    assert calls[-1][0] == calls[-1][1] == 13
    assert calls[0][2] == "2026-01-06.md"


def test_markdown_report_holds_draft_and_evidence(review: Review) -> None:
    text = to_markdown(review)
    assert review.draft.strip() in text
    assert "# 根拠" in text and "約束 15件 / 完了 11件 / 未完了 4件" in text
    assert "-43.75%" in text


def test_cli_review_json_and_markdown(settings: Settings) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["review", "--period", "2026H1", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["period"] == {"from": "2026-01-01", "to": "2026-06-30"}
    assert data["follow_through"]["promised"] == 15
    assert {"statement", "meetings", "metrics"} <= set(data["results"][0])
    assert {"name", "before", "after", "unit", "change_pct", "source"} <= set(
        data["results"][0]["metrics"][0]
    )
    bad = runner.invoke(main, ["review", "--from", "2026-06-30", "--to", "2026-01-01"])
    assert bad.exit_code == 2 and "swap" in bad.output.lower()


# ------------------------------------------------------------------ LLM path through a loopback server


def test_llm_draft_with_invented_number_is_re_asked(settings: Settings, llm_server: Any) -> None:
    invented = (
        "## 成果\n- レイテンシを99%改善した (2026-01-06)\n"
        "## 取り組み・プロセス\n- 改善を主導 (2026-01-06)\n## 今後の目標\n- リード (2026-06-23)"
    )
    good = (
        "## 成果\n- P95レイテンシを320ms→180msに改善しました (2026-01-06)\n"
        "## 取り組み・プロセス\n- 約束したアクション15件のうち11件を完了しました (2026-01-06, 2026-06-23)\n"
        "## 今後の目標\n- チームリードとして評価されることを目指します (2026-06-23)"
    )
    llm_server.reply_json({"draft": invented})
    llm_server.reply_json({"draft": good})
    review = build_review(H1, llm_server.settings())
    assert review.draft == good
    assert review.engine != "offline" and review.warnings == []
    assert len(llm_server.requests) == 2
    sent = json.dumps(llm_server.requests[1], ensure_ascii=False)
    assert "99" in sent and "numbers not in the meetings" in sent


def test_llm_citing_a_day_without_meeting_falls_back_to_offline(settings: Settings, llm_server: Any) -> None:
    wrong_date = (
        "## 成果\n- P95レイテンシを320ms→180msに改善 (2026-01-07)\n"
        "## 取り組み・プロセス\n- 主導 (2026-01-06)\n## 今後の目標\n- リード (2026-06-23)"
    )
    llm_server.reply_json({"draft": wrong_date})
    llm_server.reply_json({"draft": wrong_date})
    review = build_review(H1, llm_server.settings(language="ja"))
    assert review.engine == "offline (fallback)"
    assert review.warnings and "オフライン" in review.warnings[0]
    assert "2026-01-07" not in review.draft


def test_draft_problems_name_each_defect() -> None:
    source = "2026-01-06\nP95レイテンシが320ms→180ms"
    good = (
        "## 成果\n- P95を320ms→180msに短縮(44%削減) (2026-01-06)\n## 取り組み・プロセス\n- 主導 [2026-01-06]"
    )
    headings = ["## 成果", "## 取り組み・プロセス"]
    assert draft_problems(good, source, [-43.75], ["2026-01-06"], headings) == []
    problems = draft_problems(good + "\n- 速くした\n- 99%改善 (2026-02-01)", source, [-43.75], ["2026-01-06"])
    assert any(p.startswith("no meeting cited") for p in problems)
    assert any("2026-02-01" in p for p in problems)
    assert any("99" in p and "numbers not in the meetings" in p for p in problems)
    assert draft_problems(good, source, [-43.75], ["2026-01-06"], ["## 今後の目標"]) == [
        "missing heading: ## 今後の目標"
    ]


def test_an_action_marked_done_by_hand_counts_as_done_from_that_day(meetings_dir: Path) -> None:
    """A manual closure has no closing meeting: the review cuts it by the day it was marked done."""
    settings = load_settings()
    import_dir(str(meetings_dir), settings, index=False)
    store = Store.open(settings)
    still_open = [a for a in store.actions(owner="me", status="open") if a.from_ == "2026-06-09.md"]
    assert still_open, "the dev meetings leave an action of 2026-06-09 open"
    marked = store.mark_done(still_open[0].id or 0, result="done by hand")
    assert marked.closed_on == dt.date.today() and marked.done_in is None

    this_year = resolve_period("2026-01-01", dt.date.today().isoformat(), None)
    counted = {a.action: a.status for a in build_review(this_year, settings).follow_through.actions}
    assert counted[marked.action] == "done"
    first_half = resolve_period("2026-01-01", "2026-06-30", None)
    follow = build_review(first_half, settings).follow_through
    assert (follow.promised, follow.done, follow.open) == (15, 11, 4), (
        "closed after the period: still open then"
    )


def test_a_removed_rewrite_no_longer_feeds_the_review_and_settings_are_not_results(
    settings: Settings,
) -> None:
    paired = Metric(name="p99", before=800, after=300, unit="ms", change_pct=-62.5, source="800ms -> 300ms")
    setting = Metric(name="worker count", change_pct=200.0, source="worker count +200%")
    kept = StarEntry(title="API", statement="Cut the export API p99 from 800ms to 300ms", metrics=[paired])
    tuned = StarEntry(title="Workers", statement="Raised the worker count by +200%", metrics=[setting])
    store = Store.open(settings)
    rewrite_id = store.save_rewrite(RewriteResult(language="en", engine="offline", entries=[kept, tuned]))
    since = resolve_period("2026-01-01", None, None)  # a rewrite is dated the day it was made
    statements = [item.statement for item in build_review(since, settings).results]
    assert kept.statement in statements
    assert tuned.statement not in statements, "a setting changed as part of a fix is not a result"
    assert [i for i, _, _ in store.rewrite_rows()] == [rewrite_id]
    assert store.delete_rewrite(rewrite_id) and not store.delete_rewrite(rewrite_id)
    assert kept.statement not in [item.statement for item in build_review(since, settings).results]


def test_dropped_actions_and_others_actions_are_not_my_promises(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "2026-02-02.md").write_text(
        "---\nwith: 山田さん\n---\n## 成果\n- 検索APIの p95 を 900ms→300ms に短縮した\n"
        "- 小林さんが 請求バッチを 40分→10分 に短縮した\n"
        "## TODO\n- [ ] 移行計画を書く\n- [ ] 旧環境の撤去手順を作る\n- [ ] 監視設定を見直す @kobayashi\n",
        encoding="utf-8",
    )
    (notes / "2026-02-16.md").write_text(
        "---\nwith: 山田さん\n---\n## 振り返り\n- 移行計画を書いた\n- 旧環境の撤去手順は方針変更で中止\n",
        encoding="utf-8",
    )
    settings = load_settings(data_dir=tmp_path / "data")
    import_dir(notes, settings, index=False)
    review = build_review(Period.model_validate({"from": "2026-02-01", "to": "2026-02-28"}), settings)
    follow = review.follow_through
    assert (follow.promised, follow.done, follow.open) == (1, 1, 0), [a.action for a in follow.actions]
    pairs = {(m.before, m.after) for item in review.results for m in item.metrics}
    assert (900, 300) in pairs and (40, 10) not in pairs, "a teammate's result is not mine"


def _review_of(tmp_path: Path, files: dict[str, str], start: str, end: str) -> Review:
    notes = tmp_path / "notes"
    notes.mkdir()
    for name, text in files.items():
        (notes / name).write_text(text, encoding="utf-8")
    settings = load_settings(data_dir=tmp_path / "data")
    import_dir(notes, settings, index=False)
    return build_review(Period.model_validate({"from": start, "to": end}), settings)


def _pairs(review: Review) -> dict[tuple[float | None, float | None], list[str]]:
    return {(m.before, m.after): item.meetings for item in review.results for m in item.metrics}


def test_results_reported_outside_the_results_section_are_found_once_and_cited_first(
    tmp_path: Path,
) -> None:
    """A follow-up on last time's item and a shared note report results too; a closing summary
    line that lists several results joins each with its own first report, not them all together."""
    review = _review_of(
        tmp_path,
        {
            "2026-03-02.md": "---\nwith: 山田さん\n---\n## 前回の宿題\n"
            "- 画像変換キューの滞留：ワーカーの再起動ループを直して、平均待ち時間が 14分→3分 になった\n"
            "## 共有\n- 共有: CDN 転送量 月40TB→月26TB（今月の日割り見込み、請求画面で確認）\n"
            "## TODO\n- [ ] 検索のキャッシュヒット率を 60%→85% に上げる\n",
            "2026-03-30.md": "---\nwith: 山田さん\n---\n## 成果\n"
            "- 四半期のまとめ：待ち時間 14分→3分、転送量 月40TB→月26TB\n",
        },
        "2026-03-01",
        "2026-03-31",
    )
    pairs = _pairs(review)
    assert pairs[(14, 3)][0] == "2026-03-02.md" and pairs[(40, 26)][0] == "2026-03-02.md", pairs
    assert len(review.results) == 2, [item.statement for item in review.results]
    assert (60, 85) not in pairs, "an open task states a goal, not a result"
    assert all(item.why for item in review.results)


def test_staging_figures_breakdown_steps_and_earlier_progress_are_not_separate_results(
    tmp_path: Path,
) -> None:
    review = _review_of(
        tmp_path,
        {
            "2026-05-07.md": "---\nwith: Jordan\n---\n## Follow-ups\n"
            "- Ran the new index on staging: report query 80s → 30s\n"
            "## Results\n- Report query in production went from 80s to 45s after the first fix\n",
            "2026-05-21.md": "---\nwith: Jordan\n---\n## Results\n"
            "- Report query time 80s → 12s in production\n"
            "  - steps: the index took it 80s → 45s, the rewrite 45s → 12s\n",
        },
        "2026-05-01",
        "2026-05-31",
    )
    pairs = _pairs(review)
    assert set(pairs) == {(80, 12)}, pairs
    item = review.results[0]
    assert item.meetings == ["2026-05-21.md"] and "superseded" in item.why, item
