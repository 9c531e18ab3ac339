"""The Prepare page in a real Chromium: English and Japanese intent drafts, then the Slack text.

The server runs in Japanese (COACH_LANG=ja). Every input here is our own wording; the expected
drafts are the offline templates filled with the user's parts, so a draft that drops a part the
user gave (the role, the named team) or splices an ungrammatical verb fails the test.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import AppServer, open_app, wait_idle

pytestmark = pytest.mark.browser

NOTES = "決済APIのタイムアウト設定を見直し、エラー率を2.0%から0.4%に下げた"
INTENT_EN = (
    "Within two years I'd like to become a staff engineer on the search team, "
    "because I already run most of its design reviews."
)
DRAFTS_EN = [
    "Within two years, I want to become a staff engineer on the search team, "
    "because I already run most of its design reviews.",
    "Could I become a staff engineer on the search team within two years? "
    "I'm asking because I already run most of its design reviews.",
]
INTENT_JA = "来期は決済基盤チームでテックリードを担いたい。障害対応で決済まわりの仕様を一番把握しているので。"
DRAFT_JA = (
    "来期は、決済基盤チームでテックリードを担いたいと考えています。"
    "理由は、障害対応で決済まわりの仕様を一番把握しているためです。"
)
CONCERNS = [
    "有給の繰越ルールを会社として見直してほしい",
    "【相談】SQLが苦手なので、週末に社内の資料で復習しておきます",
    "来週のリリース判定に同席してもらえますか",
]


def sharpen(page: Page, intent: str) -> None:
    page.get_by_role("textbox", name="キャリアの意向").fill(intent)
    page.get_by_role("button", name="具体化する").click()
    expect(page.get_by_text("具体化した案")).to_be_visible()
    wait_idle(page)


def test_drafts_in_both_languages_and_the_slack_text(page: Page, app_server: AppServer) -> None:
    open_app(page, app_server, "prepare")
    page.get_by_role("textbox", name="業務メモ").fill(NOTES)
    page.get_by_role("button", name="作成", exact=True).click()
    expect(page.get_by_text("STAR カード")).to_be_visible()
    wait_idle(page)

    sharpen(page, INTENT_EN)
    for draft in DRAFTS_EN:
        expect(page.get_by_text(draft, exact=True)).to_be_visible()
    assert not page.get_by_text(re.compile(r"\b(?:want to|Could I) \w+ing\b")).count()

    sharpen(page, INTENT_JA)
    expect(page.get_by_text(DRAFT_JA, exact=True)).to_be_visible()
    expect(page.get_by_text("[時期]")).to_have_count(0)  # the user gave the time: no placeholder
    page.get_by_text("判定の根拠").click()
    expect(
        page.get_by_text("named team / area / responsibility '決済基盤チーム'", exact=False)
    ).to_be_visible()

    page.get_by_role("textbox", name="懸念・相談 (1 行に 1 件)").fill("\n".join(CONCERNS))
    page.get_by_role("button", name="仕分ける").click()
    expect(page.get_by_test_id("stTable").get_by_text("org_topic", exact=False).first).to_be_visible()
    wait_idle(page)

    page.get_by_role("button", name="アジェンダを作る").click()
    wait_idle(page)
    page.get_by_role("tab", name="Slack 事前共有 (3 点)").click()
    slack = page.get_by_test_id("stCode").filter(has_text="次回の1on1で話したいこと:")
    expect(slack).to_be_visible()
    lines = [line.strip() for line in slack.inner_text().splitlines() if line.strip()]
    assert lines == [
        "次回の1on1で話したいこと:",
        "① 成果報告: 決済APIのタイムアウト設定を見直し",
        "② 相談: 来週のリリース判定に同席してもらえますか(ほか2件)",
        "③ キャリア: 決済基盤チームでテックリードを担いたい(来期)",
    ]
