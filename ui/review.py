"""Review page: a self-evaluation draft for a period, its charts, and the no-surprise check."""

from __future__ import annotations

import datetime as dt
from functools import partial

import streamlit as st

from coach.models import Period, Review, ReviewCheck
from ui.common import KEEP, attempt, copy_block, lang, progress_bar, settings, show_warnings, t

MODE_KEY = "in_review_mode"
NAMED_KEY = "in_review_named"
FROM_KEY = "in_review_from"
TO_KEY = "in_review_to"
CHECK_KEY = "in_review_check_text"
CHART_FORMATS = ("png", "svg")


def pick_period() -> tuple[str | None, str | None, str | None]:
    """(from, to, named) as the core's resolve_period takes them."""
    today = dt.date.today()
    st.session_state.setdefault(MODE_KEY, "named")
    st.session_state.setdefault(FROM_KEY, today.replace(month=1, day=1))
    st.session_state.setdefault(TO_KEY, today)
    mode = st.radio(
        t("review.mode"),
        options=["named", "dates"],
        format_func={"named": t("review.mode_named"), "dates": t("review.mode_dates")}.__getitem__,
        horizontal=True,
        key=MODE_KEY,
        persist_state=KEEP,
    )
    if mode == "named":
        named = st.text_input(
            t("review.named"), key=NAMED_KEY, placeholder=t("review.named_help"), persist_state=KEEP
        )
        return None, None, named or None
    left, right = st.columns(2)
    start = left.date_input(t("review.from"), key=FROM_KEY, persist_state=KEEP)
    end = right.date_input(t("review.to"), key=TO_KEY, persist_state=KEEP)
    return (
        start.isoformat() if isinstance(start, dt.date) else None,
        end.isoformat() if isinstance(end, dt.date) else None,
        None,
    )


def build(start: str | None, end: str | None, named: str | None) -> None:
    from coach.flows.review import build_review, resolve_period

    config = settings()

    def run() -> Review:
        period = resolve_period(start, end, named, fiscal_start=config.fiscal_start_month)
        with progress_bar() as report:
            return build_review(period, config, progress=report)

    review = attempt(run)
    if review is not None:
        st.session_state["review"] = review
        st.session_state["review_version"] += 1
        st.session_state["review_check"] = None


def figures(review: Review) -> None:
    follow = review.follow_through
    first, second, third = st.columns(3)
    first.metric(t("review.promised"), follow.promised)
    second.metric(t("review.done"), follow.done)
    third.metric(t("review.open"), follow.open)


def draft(review: Review) -> None:
    from coach.flows.review import to_markdown

    key = f"review_draft_{st.session_state['review_version']}"
    st.session_state.setdefault(key, review.draft)
    edited = st.text_area(t("review.draft"), key=key, height=360, persist_state=KEEP)
    content = to_markdown(review.model_copy(update={"draft": edited}))
    period = review.period
    file_name = f"review_{period.from_.isoformat()}_{period.to.isoformat()}.md"
    copy_block(content, file_name, key="review_download_md", folded=t("rewrite.markdown"))


def charts(review: Review) -> None:
    from coach.flows.charts import follow_through_chart, metric_chart

    st.subheader(t("review.charts"))
    language = lang()
    cached = st.session_state.setdefault("review_charts", {})
    for name, draw, label in (
        ("metrics", metric_chart, "review.metric_chart"),
        ("follow_through", follow_through_chart, "review.follow_chart"),
    ):
        cache_key = (st.session_state["review_version"], language, name)
        if cache_key not in cached:
            cached[cache_key] = attempt(
                lambda draw=draw: {fmt: draw(review, fmt, language) for fmt in CHART_FORMATS}  # type: ignore[misc]
            )
        images = cached[cache_key]
        if not images:
            continue
        st.markdown(f"**{t(label)}**")
        st.image(images["png"])
        left, right = st.columns(2)
        left.download_button(
            t("review.download_png"), images["png"], f"{name}.png", mime="image/png", key=f"review_{name}_png"
        )
        right.download_button(
            t("review.download_svg"),
            images["svg"],
            f"{name}.svg",
            mime="image/svg+xml",
            key=f"review_{name}_svg",
        )


def check(period: Period) -> None:
    from coach.flows.review import check_claims
    from coach.text.inputs import check_text

    st.subheader(t("review.check"))
    st.caption(t("review.check_help"))
    raw = st.text_area(t("review.check_text"), key=CHECK_KEY, height=160, persist_state=KEEP)
    if st.button(t("review.check_button"), key="review_check_button"):
        config = settings()
        result = attempt(
            lambda: check_claims(check_text(raw, what="self-evaluation", what_ja="自己評価"), period, config)
        )
        if result is not None:
            st.session_state["review_check"] = result
    result = st.session_state.get("review_check")
    if not isinstance(result, ReviewCheck):
        return
    if not result.unshared:
        st.success(t("review.check_ok"))
    rows = [
        {
            t("review.claim"): claim.claim,
            t("review.status"): ("✓ " if claim.status == "shared" else "⚠ ") + t(f"status.{claim.status}"),
            t("review.meetings"): ", ".join(claim.meetings),
            t("review.detail"): claim.detail,
        }
        for claim in result.claims
    ]
    st.dataframe(rows, hide_index=True, width="stretch")


def kept_rewrites() -> None:
    """The saved rewrites that feed the review's results, each removable."""
    from coach.memory.store import Store

    store = attempt(lambda: Store.open(settings()))
    if store is None:  # the failure is shown; the rest of the page still works
        return
    rows = attempt(store.rewrite_rows) or []
    with st.expander(t("review.kept", n=len(rows)), expanded=False):
        if not rows:
            st.caption(t("review.kept_none"))
        for rewrite_id, created, result in rows:
            left, right = st.columns([6, 1])
            statements = "; ".join(e.statement for e in result.entries) or "—"
            left.write(f"{created:%Y-%m-%d %H:%M} — {statements[:200]}")
            if right.button(t("review.kept_remove"), key=f"review_remove_rewrite_{rewrite_id}") and attempt(
                partial(store.delete_rewrite, rewrite_id)
            ):
                st.session_state.pop("review", None)  # built from what was just removed
                st.toast(t("review.kept_removed"))
                st.rerun()


def render() -> None:
    st.title(t("review.title"))
    kept_rewrites()
    start, end, named = pick_period()
    if st.button(t("review.build"), type="primary", key="review_build"):
        build(start, end, named)
    review = st.session_state.get("review")
    if not isinstance(review, Review):
        return
    st.markdown(t("review.period", start=review.period.from_.isoformat(), end=review.period.to.isoformat()))
    show_warnings(review.warnings)
    st.caption(t("common.engine_used", engine=review.engine))
    figures(review)
    draft(review)
    charts(review)
    st.divider()
    check(review.period)
