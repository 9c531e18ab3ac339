"""Pictures for the review: before→after of each metric, and follow-through month by month.

Charts are drawn with matplotlib's Agg backend (no display needed) in a CJK font, because labels
are the user's own Japanese text; without one, every kanji renders as an empty box. SVG keeps
text as text so the labels stay searchable and copyable.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import textwrap
from collections import Counter
from functools import lru_cache
from typing import Any, Literal

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from coach.messages import message
from coach.models import Language, Metric, Review
from coach.text.language import detect_language

ChartFormat = Literal["png", "svg"]

CJK_FONTS = (
    "IPAGothic",
    "IPAexGothic",
    "IPAPGothic",
    "Noto Sans CJK JP",
    "Noto Sans JP",
    "Source Han Sans JP",
    "TakaoGothic",
    "VL Gothic",
    "Hiragino Sans",
    "Hiragino Kaku Gothic ProN",
    "Yu Gothic",
    "Meiryo",
    "MS Gothic",
    "IPAMincho",
)
MAX_METRICS = 12
BEFORE_COLOR = "#9aa5b1"
AFTER_COLOR = "#2f7ed8"
DONE_COLOR = "#2e9d5b"

_DATE_IN_FILE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Name of an installed font that has Japanese glyphs, or None (labels then fall back)."""
    installed = {font.name for font in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in installed:
            return name
    for font in font_manager.fontManager.ttflist:
        if re.search(r"CJK|Gothic|Mincho|JP|Han Sans", font.name, re.IGNORECASE):
            return str(font.name)
    return None


def _font_family() -> list[str]:
    font = cjk_font()
    return [font, "DejaVu Sans"] if font else ["DejaVu Sans"]


def _language(review: Review, language: Language | None) -> Language:
    if language:
        return language
    return detect_language(review.draft or " ".join(item.statement for item in review.results))


def _label(key: str, language: Language) -> str:
    """A chart label from the core catalog (coach.messages, keys `chart.*`)."""
    return message(f"chart.{key}", language)


def _render(fig: Figure, fmt: ChartFormat) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, bbox_inches="tight", dpi=120)
    plt.close(fig)
    return buffer.getvalue()


def _rc() -> dict[str, Any]:
    return {"font.family": _font_family(), "svg.fonttype": "none", "axes.unicode_minus": False}


def _check_format(fmt: str) -> ChartFormat:
    if fmt not in ("png", "svg"):
        raise ValueError(f"chart format must be png or svg, not {fmt!r}")
    return "png" if fmt == "png" else "svg"


def _number(value: float) -> str:
    return f"{value:g}"


def _metric_title(metric: Metric, dates: list[str]) -> str:
    name = textwrap.shorten(metric.name or metric.source, width=28, placeholder="…")
    unit = f" ({metric.unit})" if metric.unit else ""
    when = f"\n{dates[0]}" if dates else ""
    return f"{name}{unit}{when}"


def paired_metrics(review: Review) -> list[tuple[Metric, list[str]]]:
    """Metrics with both a before and an after, strongest results first, with their meeting dates."""
    pairs: list[tuple[Metric, list[str]]] = []
    for item in review.results:
        dates = [m.group(0) for file in item.meetings if (m := _DATE_IN_FILE.search(file))]
        pairs.extend(
            (metric, dates)
            for metric in item.metrics
            if metric.before is not None and metric.after is not None
        )
    return pairs[:MAX_METRICS]


def metric_chart(review: Review, fmt: str = "png", language: Language | None = None) -> bytes:
    """One small before→after bar pair per metric; units differ, so each gets its own axis."""
    chart_format = _check_format(fmt)
    lang = _language(review, language)
    pairs = paired_metrics(review)
    with plt.rc_context(_rc()):  # type: ignore[arg-type]
        if not pairs:
            fig = plt.figure(figsize=(6, 1.6))
            fig.text(0.5, 0.5, _label("no_metrics", lang), ha="center", va="center")
            return _render(fig, chart_format)
        columns = min(3, len(pairs))
        rows = (len(pairs) + columns - 1) // columns
        fig, axes = plt.subplots(rows, columns, figsize=(3.6 * columns, 3.0 * rows), squeeze=False)
        for index, ax in enumerate(axes.flat):
            if index >= len(pairs):
                ax.set_visible(False)
                continue
            metric, dates = pairs[index]
            assert metric.before is not None and metric.after is not None
            bars = ax.bar(
                [_label("before", lang), _label("after", lang)],
                [metric.before, metric.after],
                color=[BEFORE_COLOR, AFTER_COLOR],
            )
            ax.bar_label(bars, labels=[_number(metric.before), _number(metric.after)], padding=2)
            ax.set_title(_metric_title(metric, dates), fontsize=9)
            ax.margins(y=0.2)
            if metric.change_pct is not None:
                ax.text(
                    0.97,
                    0.93,
                    f"{metric.change_pct:+.1f}%",
                    transform=ax.transAxes,
                    ha="right",
                    va="top",
                    fontsize=10,
                    fontweight="bold",
                )
            ax.spines[["top", "right"]].set_visible(False)
        fig.suptitle(_label("metrics_title", lang))
        fig.tight_layout()
        return _render(fig, chart_format)


def _month_of(file: str | None) -> str | None:
    match = _DATE_IN_FILE.search(file or "")
    return f"{match.group(1)}-{match.group(2)}" if match else None


def _months(start: dt.date, end: dt.date) -> list[str]:
    months: list[str] = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def follow_through_counts(review: Review) -> tuple[list[str], list[int], list[int]]:
    """(months, promised per month, done per month) from the actions behind the follow-through."""
    months = _months(review.period.from_, review.period.to)
    promised = Counter(_month_of(action.from_) for action in review.follow_through.actions)
    done = Counter(
        _month_of(action.done_in) for action in review.follow_through.actions if action.status == "done"
    )
    return months, [promised[m] for m in months], [done[m] for m in months]


def follow_through_chart(review: Review, fmt: str = "png", language: Language | None = None) -> bytes:
    """Promised vs done per month: a manager reads the rhythm, not just the total."""
    chart_format = _check_format(fmt)
    lang = _language(review, language)
    months, promised, done = follow_through_counts(review)
    with plt.rc_context(_rc()):  # type: ignore[arg-type]
        fig, ax = plt.subplots(figsize=(max(5.0, 0.8 * len(months) + 2), 3.2))
        positions = list(range(len(months)))
        width = 0.38
        ax.bar(
            [p - width / 2 for p in positions],
            promised,
            width,
            label=_label("promised", lang),
            color=AFTER_COLOR,
        )
        ax.bar([p + width / 2 for p in positions], done, width, label=_label("done", lang), color=DONE_COLOR)
        ax.set_xticks(positions, [m if lang == "en" else f"{int(m[5:])}月" for m in months])
        ax.set_ylabel(_label("count", lang))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(_label("follow_title", lang))
        ax.legend(frameon=False)
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        return _render(fig, chart_format)
