"""Offline rewrite timings: each dev note, the held-out notes, and large pastes (linearity check).

    .venv/bin/python bench/rewrite.py [--repeat 20]

Prints per-note median/max milliseconds and the time for ~100 KB and ~400 KB pastes. Target:
< 20 ms for a typical note, and 4x the text taking roughly 4x the time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from coach.rewrite import extract_entries

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEV = Path(os.environ.get("COACH_SHARED_DIR", ROOT.parent / "shared")) / "eval" / "rewrite_dev.jsonl"


def _time(text: str, repeat: int) -> list[float]:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        extract_entries(text)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def _paste(size: int, notes: list[str]) -> str:
    blocks: list[str] = []
    total = 0
    index = 0
    while total < size:
        block = notes[index % len(notes)]
        blocks.append(f"{index + 1}) {block}")
        total += len(block.encode("utf-8"))
        index += 1
    return "\n\n".join(blocks)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    notes = [
        json.loads(line)["notes"] for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    extract_entries(notes[0])  # warm regex caches
    all_timings = []
    for text in notes:
        timings = _time(text, args.repeat)
        all_timings.extend(timings)
        print(
            f"note {len(text):5d} chars  median {statistics.median(timings):6.2f} ms"
            f"  max {max(timings):6.2f} ms"
        )
    print(f"dev set: median {statistics.median(all_timings):.2f} ms, max {max(all_timings):.2f} ms per note")
    from tests.test_rewrite_heldout import CASES

    heldout = [t for case in CASES for t in _time(case.notes, args.repeat)]
    print(
        f"held-out set ({len(CASES)} notes): median {statistics.median(heldout):.2f} ms,"
        f" p95 {statistics.quantiles(heldout, n=20)[-1]:.2f} ms, max {max(heldout):.2f} ms per note"
    )
    for size in (100 * 1024, 400 * 1024):
        paste = _paste(size, notes)
        elapsed = min(_time(paste, 3))
        entries = len(extract_entries(paste))
        print(f"paste {len(paste.encode('utf-8')) // 1024:4d} KB: {elapsed:8.1f} ms, {entries} entries")
    hostile = (
        "1" * 50_000 + "," * 50_000 + "→" * 20_000 + "から" * 20_000 + " " * 30_000 + "x" + "、" * 30_000
    )
    print(f"hostile 220k chars (digits, commas, arrows, spaces): {min(_time(hostile, 3)):8.1f} ms")


if __name__ == "__main__":
    main()
