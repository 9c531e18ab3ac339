"""Screenshots of every page in Japanese and English, over the shared meetings, for a human look.

    .venv/bin/python bench/ui_screenshots.py [--out /tmp/ui-shots] [--docs]

Starts `streamlit run` once per language with a fresh data dir under a throw-away HOME (so the
sidebar shows the neutral `~/.local/share/1on1-coach`), imports shared/eval/meetings through the
CLI, fills each page as a user would, and saves full-page PNGs. `--docs` also rewrites
docs/screenshot.png (the README's picture: the Japanese Rewrite page with its STAR cards).
Prints the seconds each page took to settle.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from tests.support.processes import free_port, running, wait_for_http  # noqa: E402

SHARED = Path(os.environ.get("COACH_SHARED_DIR", ROOT.parent / "shared")) / "eval"
CHROMIUM = "/usr/lib/chromium/chromium"
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
PAGES = ("rewrite", "prepare", "record", "actions", "ask", "review")
# What a user would type on each page, per language (topics of the shared meetings' kind).
TYPED = {
    "ja": {
        "notes": "決済APIのP95レイテンシを450ms→210msに改善した。\nレビュー負荷の偏りを相談したい",
        "concerns": "コードレビューの負荷が偏っている\n新しいライブラリの承認フロー",
        "question": "ライブラリの承認フローはどうなった?",
        "period": "2026上期",
    },
    "en": {
        "notes": "Cut checkout API P95 latency from 450ms to 210ms.\nReview load is uneven across the team",
        "concerns": "Code review load is uneven\nHow new libraries get approved",
        "question": "How do new libraries get approved?",
        "period": "2026H1",
    },
}


def settle(page: Page) -> None:
    page.wait_for_selector(IDLE, state="attached", timeout=120_000)


def fill_page(page: Page, name: str, typed: dict[str, str]) -> None:
    """Interact with the page so the screenshot shows results, not only empty inputs."""
    textareas = page.locator("[data-testid=stTextArea] textarea")
    if name == "rewrite":
        page.locator("[data-testid=stButton] button").nth(1).click()  # the shipped sample notes
        settle(page)
        page.locator("[data-testid=stBaseButton-primary]").first.click()
        page.get_by_test_id("stCode").first.wait_for(timeout=120_000)
    elif name == "prepare":
        textareas.nth(0).fill(typed["notes"])
        textareas.nth(2).fill(typed["concerns"])
        textareas.nth(2).blur()
        settle(page)
        page.locator("[data-testid=stButton] button").nth(2).click()  # sort the concerns
    elif name == "ask":
        page.locator("[data-testid=stChatInputTextArea]").fill(typed["question"])
        page.keyboard.press("Enter")
        page.get_by_test_id("stChatMessage").nth(1).wait_for(timeout=120_000)
    elif name == "review":
        page.locator("[data-testid=stTextInput] input").first.fill(typed["period"])
        page.locator("[data-testid=stTextInput] input").first.press("Enter")
        settle(page)
        page.locator("[data-testid=stButton] button").first.click()
        page.get_by_test_id("stImage").first.wait_for(timeout=120_000)
    page.wait_for_timeout(500)  # let the last rerun start before waiting for it to finish
    settle(page)


def full_height(page: Page) -> None:
    """Streamlit scrolls inside its main block, so a full-page shot needs a viewport that tall."""
    height = page.evaluate(
        "Math.max(...[...document.querySelectorAll('section, [data-testid]')].map(e => e.scrollHeight))"
    )
    page.set_viewport_size({"width": 1280, "height": max(900, min(int(height) + 40, 6000))})
    settle(page)


def shoot(lang: str, out: Path, docs: bool) -> None:
    home = Path(tempfile.mkdtemp(prefix="coach-shots-home-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "COACH_"))}
    env.update(
        HOME=str(home),
        COACH_DATA_DIR=str(home / ".local" / "share" / "1on1-coach"),
        COACH_ENGINE="offline",
        COACH_LANG=lang,
        ANONYMIZED_TELEMETRY="False",
    )
    subprocess.run(
        [sys.executable, "-m", "coach.cli", "import", str(SHARED / "meetings")],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"),
        "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
    ]  # fmt: skip
    log = home / "streamlit.log"
    with (
        running(
            command,
            ready=lambda p: wait_for_http(f"{url}/_stcore/health", p, log=log),
            log=log,
            cwd=ROOT,
            env=env,
        ),
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox"]
        )
        context = browser.new_context(
            locale=f"{lang}-JP" if lang == "ja" else "en-GB", viewport={"width": 1280, "height": 900}
        )
        page = context.new_page()
        for name in PAGES:
            started = time.perf_counter()
            page.goto(f"{url}/{'' if name == PAGES[0] else name}")  # the default page lives at /
            page.get_by_test_id("stSidebar").wait_for(timeout=120_000)
            settle(page)
            try:
                fill_page(page, name, TYPED[lang])
            except Exception:
                page.screenshot(path=str(out / f"{lang}-{name}-FAILED.png"), full_page=True)
                raise
            full_height(page)
            page.screenshot(path=str(out / f"{lang}-{name}.png"), full_page=True)
            page.set_viewport_size({"width": 1280, "height": 900})
            print(f"{lang} {name:<8} {time.perf_counter() - started:6.2f} s")
            if docs and lang == "ja" and name == "rewrite":
                page.set_viewport_size({"width": 1280, "height": 1500})
                settle(page)
                page.screenshot(path=str(ROOT / "docs" / "screenshot.png"))
                page.set_viewport_size({"width": 1280, "height": 900})
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=Path("/tmp/ui-shots"))
    parser.add_argument("--docs", action="store_true", help="also rewrite docs/screenshot.png")
    parser.add_argument("--lang", choices=["ja", "en"], action="append")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for lang in args.lang or ["ja", "en"]:
        shoot(lang, args.out, args.docs)
    print(f"screenshots in {args.out}")


if __name__ == "__main__":
    main()
