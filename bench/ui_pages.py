"""Time each page's first render and the Record page's save through Streamlit's AppTest.

    .venv/bin/python bench/ui_pages.py

Uses a temp COACH_DATA_DIR with the offline engine; prints seconds per step.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PAGES = ("rewrite", "prepare", "record", "actions", "ask", "review")


def page_script(page: str) -> None:
    import importlib

    from ui import common

    common.init_session()
    common.sidebar()
    importlib.import_module(f"ui.{page}").render()


def main() -> None:
    os.environ.update(
        COACH_DATA_DIR=tempfile.mkdtemp(prefix="coach-bench-"),
        COACH_ENGINE="offline",
        COACH_LANG="ja",
        ANONYMIZED_TELEMETRY="False",
    )
    from streamlit.testing.v1 import AppTest

    for page in PAGES:
        started = time.perf_counter()
        at = AppTest.from_function(page_script, args=(page,), default_timeout=300).run()
        status = "error" if at.exception else "ok"
        print(f"render {page:<8} {time.perf_counter() - started:6.2f} s  {status}")

    at = AppTest.from_function(page_script, args=("record",), default_timeout=300).run()
    at.text_area(key="in_record_decisions").input("HTTP クライアントを刷新する")
    at.text_input(key="in_record_with").input("田中さん")
    started = time.perf_counter()
    at.button(key="record_save").click().run()
    saved = bool(at.success) and not at.error
    print(f"record save      {time.perf_counter() - started:6.2f} s  {'ok' if saved else 'error'}")


if __name__ == "__main__":
    main()
