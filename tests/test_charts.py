"""Review charts: real PNG/SVG bytes, Japanese labels rendered in a CJK font."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import pytest

from coach.config import load_settings
from coach.flows.charts import cjk_font, follow_through_chart, follow_through_counts, metric_chart
from coach.flows.imports import import_dir
from coach.flows.review import build_review
from coach.models import ActionItem, FollowThrough, Metric, Period, Review, ReviewResultItem

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def make_review(draft: str = "## 成果\n- 応答時間を改善 (2026-01-06)") -> Review:
    metric = Metric(
        name="応答時間", before=320, after=180, unit="ms", change_pct=-43.75, source="320ms→180ms"
    )
    actions = [
        ActionItem.model_validate(
            {"action": "調査", "from": "2026-01-06.md", "status": "done", "done_in": "2026-01-20.md"}
        ),
        ActionItem.model_validate({"action": "集計", "from": "2026-01-06.md", "status": "open"}),
        ActionItem.model_validate(
            {"action": "提案", "from": "2026-02-03.md", "status": "done", "done_in": "2026-02-17.md"}
        ),
    ]
    return Review.model_validate(
        {
            "period": {"from": "2026-01-01", "to": "2026-03-31"},
            "results": [
                ReviewResultItem(statement="応答時間を改善", meetings=["2026-01-06.md"], metrics=[metric])
            ],
            "follow_through": FollowThrough(promised=3, done=2, open=1, actions=actions),
            "career": [],
            "concerns": [],
            "draft": draft,
        }
    )


def test_a_cjk_font_is_found_on_this_machine() -> None:
    assert cjk_font() is not None


def test_metric_chart_png_uses_cjk_font_without_missing_glyphs() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = metric_chart(make_review(), fmt="png")
    assert data.startswith(PNG_MAGIC)
    assert len(data) > 2000
    glyph_warnings = [
        str(w.message) for w in caught if "missing from" in str(w.message) or "Glyph" in str(w.message)
    ]
    assert glyph_warnings == []


def test_metric_chart_svg_keeps_japanese_labels_as_text() -> None:
    svg = metric_chart(make_review(), fmt="svg").decode("utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "応答時間" in svg
    assert "改善前→改善後" in svg
    assert "-43.8%" in svg
    assert str(cjk_font()) in svg


def test_english_labels_when_the_review_is_english() -> None:
    svg = metric_chart(make_review(draft="## Results\n- Faster API (2026-01-06)"), fmt="svg").decode()
    assert "Before" in svg and "After" in svg


def test_follow_through_counts_by_month_and_chart() -> None:
    review = make_review()
    months, promised, done = follow_through_counts(review)
    assert months == ["2026-01", "2026-02", "2026-03"]
    assert promised == [2, 1, 0]
    assert done == [1, 1, 0]
    svg = follow_through_chart(review, fmt="svg").decode()
    assert "約束" in svg and "完了" in svg and "1月" in svg
    assert follow_through_chart(review, fmt="png").startswith(PNG_MAGIC)


def test_empty_review_still_draws_and_bad_format_is_rejected() -> None:
    review = make_review().model_copy(update={"results": []})
    assert "数値がそろった成果はありません" in metric_chart(review, fmt="svg").decode()
    with pytest.raises(ValueError):
        metric_chart(review, fmt="gif")
    assert review.period.from_ == dt.date(2026, 1, 1)


def test_charts_of_a_review_built_from_the_shared_meetings(meetings_dir: Path) -> None:
    settings = load_settings()
    import_dir(meetings_dir, settings, index=False)
    review = build_review(Period.model_validate({"from": "2026-01-01", "to": "2026-06-30"}), settings)
    svg = metric_chart(review, fmt="svg").decode()
    assert "P95レイテンシ" in svg and "320" in svg and "180" in svg
    months, promised, done = follow_through_counts(review)
    assert len(months) == 6
    assert sum(promised) == review.follow_through.promised
    assert sum(done) == review.follow_through.done
    assert "6月" in follow_through_chart(review, fmt="svg").decode()
