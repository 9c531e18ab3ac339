"""Offline rewrite quality on the dev notes (tune half / check half) and timings.

    .venv/bin/python bench/rewrite.py [--repeat 5] [--show check|tune|all] [--no-timing]

The dev notes are split by the parity of the number in their id: even ids are the half rules
were tuned on, odd ids the half to trust. For each half, per language and per format:

- metric recall: gold before→after pairs found (same values, or the same values after a unit
  scale, or, for `mixed` units, the same change within 1 point),
- change correct: found pairs whose change_pct is the gold one (within 0.05; `mixed` within 1),
- entries in range: notes cut into min_entries..max_entries achievements,
- spurious pairs: before→after pairs read that are no gold metric (or use a `not_metrics` number),
- invented numbers: a before/after value that no number of the notes gives.

Then timings: p95 per note, the analyser's load cost, and single-line pastes of 100/200/400 KB
(linear in length means 4x the text takes about 4x the time).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coach.models import Metric  # noqa: E402
from coach.rules.star import read_notes  # noqa: E402
from coach.text.normalize import fold  # noqa: E402

DEV = Path(os.environ.get("COACH_SHARED_DIR", ROOT.parent / "shared")) / "eval" / "rewrite_dev.jsonl"
_SCALES = (1, 1e3, 1e4, 1e6, 1e8, 60, 3600, 24, 7, 1024, 1024**2, 1024**3, 1 / 60, 1e-3, 1e-4)
_NUM = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")


def half(case: dict[str, object]) -> str:
    digits = re.findall(r"\d+", str(case["id"]))
    return "tune" if int(digits[-1]) % 2 == 0 else "check"


def note_format(notes: str) -> str:
    if re.search(r"^\s*\[\d{1,2}:\d{2}", notes, re.M) or re.search(r"^\S+\s+\d{1,2}:\d{2}\s*$", notes, re.M):
        return "slack"
    if re.search(r"^\s*\|.*\|\s*$", notes, re.M):
        return "table"
    if re.search(r"(?im)^\s*[-*・]?\s*(before|after|改善前|改善後|変更前|変更後)\s*[:：]", notes):
        return "before/after"
    if re.search(r"^\s*(?:[-*+・•]|\d+[.)])\s", notes, re.M) or "\n・" in notes:
        return "bullets"
    return "prose"


def _close(a: float, b: float, tol: float = 1e-6) -> bool:
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def matches(gold: dict[str, object], metric: Metric) -> bool:
    if metric.before is None or metric.after is None:
        return False
    g_before, g_after = float(gold["before"]), float(gold["after"])  # type: ignore[arg-type]
    g_pct = gold.get("change_pct")
    if gold.get("unit") == "mixed":
        return (
            metric.change_pct is not None
            and g_pct is not None
            and abs(metric.change_pct - float(g_pct)) <= 1.0  # type: ignore[arg-type]
        )
    for scale in _SCALES:
        if _close(metric.before, g_before * scale) and _close(metric.after, g_after * scale):
            return True
    return False


def change_right(gold: dict[str, object], metric: Metric) -> bool:
    g_pct = gold.get("change_pct")
    if g_pct is None or metric.change_pct is None:
        return g_pct is None and metric.change_pct is None
    tol = 1.0 if gold.get("unit") == "mixed" else 0.05
    return abs(metric.change_pct - float(g_pct)) <= tol  # type: ignore[arg-type]


def reachable(value: float, numbers: list[float]) -> bool:
    """A value the notes give: a number as written, scaled, or one number applied to another."""
    for n in numbers:
        for scale in _SCALES:
            if _close(value, n * scale):
                return True
        for m in numbers:
            if any(
                _close(value, x)
                for x in (
                    n * m,
                    n * (1 - m / 100),
                    n * (1 + m / 100),
                    n * (1 - m / 10),
                    n * 60 + m,
                    n + m / 60,
                    n * 24 + m,
                )
            ):
                return True
        if (
            any(_close(value, n * r) for r in (0.5, 2, 3))
            or _close(value, n + 0.5)
            or _close(value, (n + 0.5) * 60)
        ):
            return True
    return False


@dataclass
class Tally:
    cases: int = 0
    gold: int = 0
    found: int = 0
    change_ok: int = 0
    in_range: int = 0
    spurious: int = 0
    excluded: int = 0
    invented: int = 0
    misses: list[str] = field(default_factory=list)

    def line(self, label: str) -> str:
        recall = self.found / self.gold if self.gold else 1.0
        change = self.change_ok / self.found if self.found else 1.0
        entries = self.in_range / self.cases if self.cases else 1.0
        return (
            f"{label:<22} n={self.cases:3d}  recall {recall:5.2f} ({self.found}/{self.gold})"
            f"  change {change:5.2f}  entries {entries:5.2f} ({self.in_range}/{self.cases})"
            f"  spurious {self.spurious:2d} (not_metrics used {self.excluded})  invented {self.invented}"
        )


def score(cases: list[dict[str, object]], show: str) -> None:
    tallies: dict[str, dict[str, Tally]] = {"tune": defaultdict(Tally), "check": defaultdict(Tally)}
    for case in cases:
        notes = str(case["notes"])
        reading = read_notes(notes)
        entries = reading.entries
        metrics = [m for e in entries for m in e.metrics if m.before is not None]
        gold = list(case["metrics"])  # type: ignore[call-overload]
        not_metrics = [float(x) for x in case.get("not_metrics", [])]  # type: ignore[attr-defined]
        numbers = [float(x.replace(",", "")) for x in _NUM.findall(fold(notes))]
        found, change_ok, used = 0, 0, set()
        missed = []
        for g in gold:
            hit = next((i for i, m in enumerate(metrics) if i not in used and matches(g, m)), None)
            if hit is None:
                missed.append(f"{g['before']}->{g['after']}{g['unit']}")
                continue
            used.add(hit)
            found += 1
            change_ok += change_right(g, metrics[hit])
        spurious = [m for i, m in enumerate(metrics) if i not in used]
        excluded = [
            m
            for m in spurious
            if any(_close(v, x) for x in not_metrics for v in (m.before or 0.0, m.after or 0.0))
        ]
        invented = [
            v for m in metrics for v in (m.before, m.after) if v is not None and not reachable(v, numbers)
        ]
        low = int(case.get("min_entries", 1))  # type: ignore[call-overload]
        high = int(case.get("max_entries", max(low, 1) if not case.get("max_entries") else 99))  # type: ignore[call-overload]
        ok_entries = low <= len(entries) <= high
        side = half(case)
        for key in ("all", f"lang {case['lang']}", f"format {note_format(notes)}"):
            t = tallies[side][key]
            t.cases += 1
            t.gold += len(gold)
            t.found += found
            t.change_ok += change_ok
            t.in_range += ok_entries
            t.spurious += len(spurious)
            t.excluded += len(excluded)
            t.invented += len(invented)
        if show in (side, "all") and (missed or spurious or not ok_entries or invented):
            problems = []
            if missed:
                problems.append("missed " + ", ".join(missed))
            if spurious:
                problems.append(
                    "spurious " + ", ".join(f"{m.before}->{m.after}{m.unit}[{m.why}]" for m in spurious)
                )
            if not ok_entries:
                problems.append(f"entries {len(entries)} not in {low}..{high}")
            if invented:
                problems.append(f"invented {invented}")
            tallies[side]["all"].misses.append(f"  {case['id']}: " + "; ".join(problems))
    for side in ("tune", "check"):
        print(
            f"== {side} half ({'even' if side == 'tune' else 'odd'} ids){' — the number to trust' if side == 'check' else ''}"
        )
        for key in sorted(tallies[side], key=lambda k: (k != "all", k)):
            print("  " + tallies[side][key].line(key))
        for miss in tallies[side]["all"].misses:
            print(miss)


def _time(text: str, repeat: int) -> list[float]:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        read_notes(text)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def timing(cases: list[dict[str, object]], repeat: int) -> None:
    load = subprocess.run(
        [
            sys.executable,
            "-c",
            "import time; s=time.perf_counter(); from coach.text.japanese import analyse; analyse('起動');"
            "print(f'{(time.perf_counter()-s)*1000:.0f}')",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    ).stdout.strip()
    print(f"analyser load (SudachiPy dictionary, first call, fresh process): {load} ms")
    notes = [str(c["notes"]) for c in cases]
    read_notes(notes[0])
    per_note = [t for text in notes for t in _time(text, repeat)]
    print(
        f"per note ({len(notes)} notes x {repeat}): median {statistics.median(per_note):.2f} ms,"
        f" p95 {statistics.quantiles(per_note, n=20)[-1]:.2f} ms, max {max(per_note):.2f} ms"
    )
    line = " ".join(n.replace("\n", " ") for n in notes)
    for size in (100_000, 200_000, 400_000):
        paste = (line * (size // len(line) + 1))[:size]
        elapsed = min(_time(paste, 2))
        print(f"single line {size // 1000:4d} KB: {elapsed:8.1f} ms")
    blocks = "\n\n".join(f"{i + 1}) {n}" for i, n in enumerate(notes * 12))[:100_000]
    start = time.perf_counter()
    count = len(read_notes(blocks).entries)
    print(f"multi-line 100 KB paste: {(time.perf_counter() - start) * 1000:8.1f} ms, {count} entries")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--show", choices=("tune", "check", "all", "none"), default="tune")
    parser.add_argument("--no-timing", action="store_true")
    args = parser.parse_args()
    cases = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    score(cases, args.show)
    if not args.no_timing:
        timing(cases, args.repeat)


if __name__ == "__main__":
    main()
