"""The Record page in a real Chromium: save, edit, re-save, two meetings on one day, reload."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from coach.config import load_settings
from coach.memory.store import Store
from tests.browser.conftest import AppServer, add_editor_row, open_app, wait_idle

pytestmark = pytest.mark.browser

WITH = "相手"
TITLE = "タイトル (任意)"
DECISIONS = "決まったこと (1 行に 1 件)"


def _store(server: AppServer) -> Store:
    return Store.open(load_settings(data_dir=server.data_dir))


def _add_action(page: Page, action: str) -> None:
    wait_idle(page)
    editor = page.get_by_test_id("stDataFrame").first
    add_editor_row(editor)
    box = editor.bounding_box()
    assert box is not None
    page.mouse.dblclick(box["x"] + box["width"] * 0.3, box["y"] + 36 + 17)
    page.locator("textarea.gdg-input").fill(action)
    page.keyboard.press("Enter")
    page.wait_for_timeout(1000)
    wait_idle(page)


def _click(page: Page, button: str) -> None:
    """Click a button and wait for the rerun the click starts to finish."""
    page.get_by_role("button", name=button, exact=True).click()
    with contextlib.suppress(PlaywrightTimeout):  # the rerun may be over already
        page.wait_for_selector("[data-testid=stApp][data-test-script-state=running]", timeout=3000)
    wait_idle(page)


def _save(page: Page) -> None:
    page.keyboard.press("Tab")  # commit the field being typed in
    wait_idle(page)
    _click(page, "保存")


def _new_meeting(page: Page) -> None:
    """Start a new meeting the way a user does: click, then type only once the form shows empty."""
    _click(page, "新しい会議")
    expect(page.get_by_role("textbox", name=WITH)).to_have_value("")
    expect(page.get_by_label(DECISIONS)).to_have_value("")


def _eventually(check: Callable[[], bool], seconds: float = 20) -> None:
    """The server writes the store while the page reruns: wait for what it should have written."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("the store never reached the expected state")
        time.sleep(0.2)


def test_save_edit_resave_two_meetings_on_one_day_and_reload(page: Page, app_server: AppServer) -> None:
    action = "評価シートの下書きを送る"
    open_app(page, app_server, "record")
    page.get_by_role("textbox", name=WITH).fill("田中さん")
    page.get_by_role("textbox", name=TITLE).fill("週次の1on1（誤字あり")
    page.get_by_label(DECISIONS).fill("評価の進め方を決めた")
    _add_action(page, action)

    _save(page)
    expect(page.get_by_text("保存しました")).to_be_visible()
    _eventually(lambda: len(_store(app_server).meetings()) == 1)
    # The form keeps what was saved: the text and the action row.
    expect(page.get_by_role("textbox", name=WITH)).to_have_value("田中さん")
    expect(page.get_by_test_id("stDataFrame").first.get_by_text(action)).to_be_attached()
    meetings = _store(app_server).meetings()
    assert len(meetings) == 1 and [a.action for a in _store(app_server).actions()] == [action]
    first = meetings[0].file

    # Fix the typo and save again: the same meeting, the action still there, no question asked.
    page.get_by_role("textbox", name=TITLE).fill("週次の1on1")
    _save(page)
    expect(page.get_by_text("保存しました")).to_be_visible()
    _eventually(lambda: [m.title for m in _store(app_server).meetings()] == ["週次の1on1"])
    meetings = _store(app_server).meetings()
    assert [(m.file, m.title) for m in meetings] == [(first, "週次の1on1")]
    assert [a.action for a in _store(app_server).actions()] == [action]

    # A reload loses nothing: the form comes back from the draft in the store.
    page.get_by_role("textbox", name="メモ (任意)").fill("まだ保存していないメモ")
    page.keyboard.press("Tab")
    # Each change is kept in the store as a draft: wait until the server has it, then reload.
    _eventually(lambda: "まだ保存していないメモ" in (_store(app_server).load_draft("record") or ""))
    page.reload()
    page.get_by_test_id("stSidebar").wait_for()
    wait_idle(page)
    expect(page.get_by_role("textbox", name=WITH)).to_have_value("田中さん")
    expect(page.get_by_role("textbox", name="メモ (任意)")).to_have_value("まだ保存していないメモ")
    expect(page.get_by_test_id("stDataFrame").first.get_by_text(action)).to_be_attached()

    # A second 1on1 the same day with someone else is a second meeting.
    _new_meeting(page)
    page.get_by_role("textbox", name=WITH).fill("鈴木さん")
    page.get_by_label(DECISIONS).fill("オンボーディングの担当を決めた")
    page.keyboard.press("Tab")
    _save(page)
    expect(page.get_by_text("保存しました")).to_be_visible()
    _eventually(lambda: len(_store(app_server).meetings()) == 2)
    meetings = _store(app_server).meetings()
    assert len(meetings) == 2 and len({m.date for m in meetings}) == 1
    assert {m.with_ for m in meetings} == {"田中さん", "鈴木さん"}
    assert [a.action for a in _store(app_server).actions()] == [action], "the first meeting kept its action"

    # The same person, day and title again: asked before anything is overwritten.
    _new_meeting(page)
    page.get_by_role("textbox", name=WITH).fill("田中さん")
    page.get_by_role("textbox", name=TITLE).fill("週次の1on1")
    page.get_by_label(DECISIONS).fill("上書きしてはいけない決定")
    page.keyboard.press("Tab")
    # the fields reach the server before Save: under load a fill's rerun can still be running
    expect(page.get_by_role("textbox", name=TITLE)).to_have_value("週次の1on1")
    _eventually(lambda: "上書きしてはいけない決定" in (_store(app_server).load_draft("record") or ""))
    _save(page)
    try:
        expect(page.get_by_text("上書きしますか")).to_be_visible()
    except AssertionError as exc:  # say whether anything was written instead of asking
        held = [(m.file, m.title, m.section_text("decisions")) for m in _store(app_server).meetings()]
        raise AssertionError(f"no overwrite question; the store holds {held}") from exc
    page.get_by_role("button", name="やめる").click()
    wait_idle(page)
    stored = _store(app_server).meeting(first)
    assert stored is not None and "評価の進め方を決めた" in stored.section_text("decisions")

    # Open the first meeting from the list: its fields and its action row come back for editing.
    page.get_by_text("保存した会議 (2)").click()
    page.get_by_role("button", name="開く").first.click()
    wait_idle(page)
    expect(page.get_by_role("textbox", name=WITH)).to_have_value("田中さん")
    expect(page.get_by_label(DECISIONS)).to_have_value("評価の進め方を決めた")
    expect(page.get_by_test_id("stDataFrame").first.get_by_text(action)).to_be_attached()
    expect(page.get_by_text(f"編集中: {first}")).to_be_visible()
