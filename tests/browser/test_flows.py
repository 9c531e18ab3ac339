"""Main flows in a real Chromium against `streamlit run`, in Japanese (the server's COACH_LANG)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ROOT, AppServer, add_editor_row, open_app, wait_idle
from tests.conftest import load_jsonl

pytestmark = pytest.mark.browser


def first_case(name: str, lang: str, need: str) -> dict[str, object]:
    return next(c for c in load_jsonl(name) if c["lang"] == lang and c[need])


def test_rewrite_japanese_notes_to_star_card(page: Page, app_server: AppServer) -> None:
    case = first_case("rewrite_dev.jsonl", "ja", "metrics")
    metric = case["metrics"][0]  # type: ignore[index]
    open_app(page, app_server)
    expect(page.get_by_text("🔒").first).to_be_visible()
    expect(page.get_by_text("オフライン: テキストはこのマシンから出ません")).to_be_visible()
    page.get_by_role("textbox", name="業務メモ").fill(str(case["notes"]))
    page.get_by_role("button", name="作成", exact=True).click()
    statement = page.get_by_label("1on1 で言う一文").first
    expect(statement).to_be_visible()
    wait_idle(page)
    assert statement.input_value().strip()
    table = page.get_by_test_id("stDataFrame").first
    # Grid cells live in glide's accessible table, which is attached but not "visible".
    expect(table.get_by_text(f"{metric['change_pct']:+.1f}%")).to_be_attached()
    expect(table.get_by_text(f"{metric['before']:g}", exact=True).first).to_be_attached()
    expect(page.get_by_test_id("stCode").first).to_contain_text(statement.input_value().strip()[:10])
    if os.environ.get("COACH_UPDATE_SCREENSHOT"):
        page.set_viewport_size({"width": 1280, "height": 1500})
        wait_idle(page)
        page.screenshot(path=str(ROOT / "docs" / "screenshot.png"))


def test_prepare_notes_intent_concerns_agenda_download(page: Page, app_server: AppServer) -> None:
    notes = first_case("rewrite_dev.jsonl", "ja", "metrics")["notes"]
    intent = first_case("intents_dev.jsonl", "ja", "intent")["intent"]
    concerns = [c["concern"] for c in load_jsonl("concerns_dev.jsonl") if c["lang"] == "ja"][:2]
    open_app(page, app_server, "prepare")
    page.get_by_role("textbox", name="業務メモ").fill(str(notes))
    page.get_by_role("button", name="作成", exact=True).click()
    expect(page.get_by_text("STAR カード")).to_be_visible()
    page.get_by_role("textbox", name="キャリアの意向").fill(str(intent))
    page.get_by_role("button", name="具体化する").click()
    expect(page.get_by_text("具体化した案")).to_be_visible()
    page.get_by_role("textbox", name="懸念・相談 (1 行に 1 件)").fill("\n".join(str(c) for c in concerns))
    page.get_by_role("button", name="仕分ける").click()
    expect(page.get_by_test_id("stTable").get_by_text(str(concerns[1])[:10]).first).to_be_visible()
    wait_idle(page)
    page.get_by_role("button", name="アジェンダを作る").click()
    expect(page.get_by_test_id("stCode").first).to_be_visible()
    wait_idle(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Markdown をダウンロード").click()
    assert download.value.suggested_filename == "agenda.md"
    content = Path(download.value.path()).read_text(encoding="utf-8")
    assert content.strip()
    shown = page.get_by_test_id("stCode").first.inner_text()
    assert content.strip().splitlines()[0] in shown


def test_recorded_action_shows_on_actions_page(page: Page, app_server: AppServer) -> None:
    action = "評価面談の資料を先に共有する"
    open_app(page, app_server, "record")
    page.get_by_role("textbox", name="相手").fill("田中さん")
    page.get_by_label("決まったこと (1 行に 1 件)").fill("次回までに資料をまとめる")
    editor = page.get_by_test_id("stDataFrame").first
    add_editor_row(editor)
    box = editor.bounding_box()
    assert box is not None
    row_y = box["y"] + 36 + 17
    page.mouse.dblclick(box["x"] + box["width"] * 0.3, row_y)
    page.locator("textarea.gdg-input").fill(action)
    page.keyboard.press("Enter")
    page.mouse.dblclick(box["x"] + box["width"] * 0.85, row_y)
    page.get_by_test_id("date-picker-cell").fill("2030-01-31")
    page.keyboard.press("Enter")
    page.wait_for_timeout(1000)
    wait_idle(page)
    # Leaving the page and coming back loses nothing that was typed.
    page.get_by_test_id("stSidebar").get_by_role("link", name="アクション").click()
    expect(page.get_by_role("heading", name="アクション台帳")).to_be_visible()
    wait_idle(page)
    page.get_by_test_id("stSidebar").get_by_role("link", name="記録").click()
    expect(page.get_by_role("textbox", name="相手")).to_have_value("田中さん")
    wait_idle(page)
    expect(page.get_by_test_id("stDataFrame").first.get_by_text(action)).to_be_attached()
    wait_idle(page)
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_text("保存しました")).to_be_visible()
    open_app(page, app_server, "actions")
    expect(page.get_by_test_id("stDataFrame").get_by_text(action)).to_be_attached()
    expect(page.get_by_test_id("stDataFrame").get_by_text("2030-01-31")).to_be_attached()
