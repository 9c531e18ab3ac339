"""The Rewrite page on a long paste, driven through Streamlit's AppTest against the real core.

A 100 KB paste of many pieces of work must render in seconds: only one page of editable cards is
drawn, the rest are reached by paging, and plans land in a collapsed "next" list.
"""

from __future__ import annotations

import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from ui.rewrite import PAGE_SIZE

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "streamlit_app.py")

_WORK = (
    "{n}) Moved the nightly invoice export to a queue worker. Export time went from {a} min to {b} min.\n"
    "   - also wrote the runbook for the on-call rotation\n\n"
)


def _long_paste(size: int) -> str:
    parts: list[str] = []
    total = 0
    n = 1
    while total < size:
        part = _WORK.format(n=n, a=40 + n % 50, b=10 + n % 7)
        parts.append(part)
        total += len(part.encode("utf-8"))
        n += 1
    return "".join(parts) + "next: move the payroll export too\n"


def _cards(at: AppTest) -> list[str]:
    return [str(w.key) for w in at.text_input if str(w.key).endswith("_title")]


def test_a_100kb_paste_renders_in_seconds_with_paging(isolated_env: Path) -> None:
    notes = _long_paste(100 * 1024)
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.text_area(key="in_rewrite_notes").input(notes)
    started = time.perf_counter()
    at.button(key="rewrite_generate").click().run()
    elapsed = time.perf_counter() - started
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    result = at.session_state["rewrite_result"]
    assert len(result.entries) > 5 * PAGE_SIZE
    assert len(_cards(at)) == PAGE_SIZE  # one page of editable cards, not hundreds
    assert result.next == ["next: move the payroll export too"]
    assert elapsed < 20, f"rendering took {elapsed:.1f} s"
    # The second page shows the next entries, numbered on from the first page.
    at.number_input(key="star_page").set_value(2).run()
    assert not at.exception
    keys = _cards(at)
    assert len(keys) == PAGE_SIZE and keys[0].endswith(f"_{PAGE_SIZE}_title")
    # Every entry is still in the Markdown to copy.
    assert str(at.code[0].value).count("## ") >= len(result.entries)


def test_a_short_paste_has_no_paging(isolated_env: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_area(key="in_rewrite_notes").input("Cut the build from 20 min to 8 min by caching layers.")
    at.button(key="rewrite_generate").click().run()
    assert not at.exception
    assert len(_cards(at)) == 1
    assert not [w for w in at.number_input if w.key == "star_page"]
