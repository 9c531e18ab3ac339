"""A real `streamlit run` per test module and a real Chromium driven by Playwright.

Each module gets its own server and data dir (a module may seed meetings before the server
starts by defining `SEED_MEETINGS = True`); Chromium is shared by the whole session.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.support.processes import free_port, running, wait_for_http

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/lib/chromium/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
STARTUP_SECONDS = 60
# Six engineers share two cores: allow slow reruns rather than flaky failures.
expect.set_options(timeout=30_000)


@dataclass(frozen=True)
class AppServer:
    url: str
    data_dir: Path


def server_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "COACH_"))}
    env.update(
        COACH_DATA_DIR=str(data_dir),
        COACH_ENGINE="offline",
        COACH_LANG="ja",
        ANONYMIZED_TELEMETRY="False",
        STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
    )
    return env


def seed_meetings(data_dir: Path) -> None:
    """Import the shared evaluation meetings through the real CLI, as a user would."""
    meetings = Path(os.environ.get("COACH_SHARED_DIR", ROOT.parent / "shared")) / "eval" / "meetings"
    if not meetings.is_dir():
        pytest.fail(f"evaluation meetings not found at {meetings}; set COACH_SHARED_DIR")
    done = subprocess.run(
        [sys.executable, "-m", "coach.cli", "import", str(meetings)],
        cwd=ROOT,
        env=server_env(data_dir),
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        pytest.fail(f"coach import failed ({done.returncode}): {done.stderr[-2000:]}")


@pytest.fixture(scope="module")
def app_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AppServer]:
    base = tmp_path_factory.mktemp("browser-app")
    data_dir = base / "coach-data"
    if getattr(request.module, "SEED_MEETINGS", False):
        seed_meetings(data_dir)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = base / "streamlit.log"
    command = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"),
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    health = f"{url}/_stcore/health"
    with running(
        command,
        ready=lambda process: wait_for_http(health, process, timeout=STARTUP_SECONDS, log=log),
        log=log,
        cwd=ROOT,
        env=server_env(data_dir),
    ):
        yield AppServer(url=url, data_dir=data_dir)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}. Run `bash scripts/setup.sh --browser` to install it "
            "(Debian's chromium and a Japanese font) and run the browser tests again."
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture()
def page(browser: Browser, app_server: AppServer) -> Iterator[Page]:
    context = browser.new_context(
        accept_downloads=True, locale="ja-JP", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(30_000)
    opened = context.new_page()
    try:
        yield opened
    finally:
        context.close()


def wait_idle(page: Page) -> None:
    """Streamlit marks the app `notRunning` once a script run has finished drawing."""
    page.wait_for_selector(IDLE, state="attached")


def open_app(page: Page, server: AppServer, path: str = "") -> None:
    page.goto(f"{server.url}/{path}")
    page.get_by_test_id("stSidebar").wait_for()
    wait_idle(page)


def add_editor_row(editor: Locator, seconds: float = 30) -> None:
    """Click a data editor's "Add row" the way a user does: point at the table, then the button.

    The button lives in a toolbar that shows only while the pointer is over the table; on a
    loaded machine the page can reflow between the hover and the click, the toolbar hides and
    the table's scroller takes the click. So hover again and retry until the button takes it.
    """
    deadline = time.monotonic() + seconds
    button = editor.get_by_role("button", name="Add row")
    while True:
        editor.scroll_into_view_if_needed()
        editor.hover()
        try:
            button.click(timeout=3_000)
            return
        except PlaywrightTimeout:
            if time.monotonic() > deadline:
                raise
