"""Review season in a real Chromium, over the shared meetings imported before the server starts."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import AppServer, open_app, wait_idle

pytestmark = pytest.mark.browser
SEED_MEETINGS = True


def test_review_draft_chart_and_downloads(page: Page, app_server: AppServer) -> None:
    open_app(page, app_server, "review")
    page.get_by_label("期間名").fill("2026上期")
    page.get_by_role("button", name="下書きを作る").click()
    draft = page.get_by_label("下書き (編集できます)")
    expect(draft).to_be_visible(timeout=120_000)
    wait_idle(page)
    assert draft.input_value().strip()
    chart = page.get_by_test_id("stImage").locator("img").first
    expect(chart).to_be_visible()
    assert chart.evaluate("img => img.naturalWidth") > 100

    with page.expect_download() as markdown:
        page.get_by_role("button", name="Markdown をダウンロード").click()
    content = Path(markdown.value.path()).read_text(encoding="utf-8")
    assert draft.input_value().strip().splitlines()[0] in content

    with page.expect_download() as png:
        page.get_by_role("button", name="PNG をダウンロード").first.click()
    assert Path(png.value.path()).read_bytes().startswith(b"\x89PNG")
    with page.expect_download() as svg:
        page.get_by_role("button", name="SVG をダウンロード").first.click()
    assert b"<svg" in Path(svg.value.path()).read_bytes()[:2000]
