"""Offline prepare rules: intent parts and concern buckets, on both halves of the dev data.

    .venv/bin/python bench/prepare.py [--misses]

The dev sets (shared/eval/intents_dev.jsonl, concerns_dev.jsonl) are split by the parity of the
number ending each id: the rules are tuned on the odd half only, and the even half is the check
(the number to trust). Our own held-out cases (tests/test_prepare_heldout.py) are printed too.
`--misses` lists wrong answers of the tune half and of our cases, never of the check half, so
looking at misses cannot leak the check half into the rules.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coach.rules.intent import detect_parts  # noqa: E402
from coach.rules.triage import classify  # noqa: E402
from tests.test_prepare_heldout import CONCERNS, INTENTS, expected_parts  # noqa: E402

DEV = Path(os.environ.get("COACH_SHARED_DIR", ROOT.parent / "shared")) / "eval"
PARTS = ("timeframe", "scope", "reason")


def _dev(name: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in (DEV / name).read_text(encoding="utf-8").splitlines() if line]


def half(case_id: str) -> str:
    """`tune` for ids ending in an odd number, `check` for even ones."""
    match = re.search(r"(\d+)$", case_id)
    return "tune" if match and int(match.group(1)) % 2 else "check"


def _parts(text: str) -> dict[str, bool]:
    parts = detect_parts(text)
    return {name: bool(getattr(parts, name)) for name in PARTS}


def score_intents(cases: list[tuple[str, dict[str, bool]]]) -> tuple[float, float, dict[str, str], list[str]]:
    """(part accuracy over all parts, whole-intent accuracy, per part right/n, misses)."""
    right_parts = right_whole = 0
    per = dict.fromkeys(PARTS, 0)
    misses = []
    for text, expected in cases:
        found = _parts(text)
        ok = [found[p] == expected[p] for p in PARTS]
        right_parts += sum(ok)
        for part, good in zip(PARTS, ok, strict=True):
            per[part] += good
        right_whole += all(ok)
        if not all(ok):
            wrong = [p for p, good in zip(PARTS, ok, strict=True) if not good]
            misses.append(f"INTENT {wrong} expected={[expected[p] for p in wrong]}: {text}")
    n = max(1, len(cases))
    return right_parts / (3 * n), right_whole / n, {p: f"{r}/{len(cases)}" for p, r in per.items()}, misses


def score_concerns(cases: list[tuple[str, str]]) -> tuple[float, dict[str, str], list[str]]:
    right = 0
    per: dict[str, list[int]] = {"self": [0, 0], "support": [0, 0], "org": [0, 0]}
    misses = []
    for text, bucket in cases:
        got = classify(text)
        per[bucket][1] += 1
        if got == bucket:
            right += 1
            per[bucket][0] += 1
        else:
            misses.append(f"CONCERN expected={bucket} got={got}: {text}")
    return right / max(1, len(cases)), {b: f"{r}/{n}" for b, (r, n) in per.items()}, misses


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--misses", action="store_true", help="wrong answers of the tune half and our cases")
    args = parser.parse_args()

    intents = _dev("intents_dev.jsonl")
    concerns = _dev("concerns_dev.jsonl")
    sets_i = {
        name: [(str(c["intent"]), dict(c["has"])) for c in intents if half(str(c["id"])) == name]  # type: ignore[call-overload]
        for name in ("tune", "check")
    }
    sets_i["ours"] = [(text, expected_parts(letters).model_dump()) for text, letters in INTENTS]
    sets_c = {
        name: [(str(c["concern"]), str(c["bucket"])) for c in concerns if half(str(c["id"])) == name]
        for name in ("tune", "check")
    }
    sets_c["ours"] = list(CONCERNS)

    start = time.perf_counter()
    shown: list[str] = []
    print(
        f"{'set':6s} {'n':>4s} {'intent parts':>13s} {'whole intent':>13s}   {'n':>4s} {'triage':>7s}  per bucket / part"
    )
    for name in ("tune", "check", "ours"):
        parts, whole, per_part, miss_i = score_intents(sets_i[name])
        acc, per, miss_c = score_concerns(sets_c[name])
        print(
            f"{name:6s} {len(sets_i[name]):4d} {parts:13.3f} {whole:13.3f}   {len(sets_c[name]):4d} {acc:7.3f}  "
            + " ".join(f"{b}={v}" for b, v in per.items())
            + "  "
            + " ".join(f"{p}={v}" for p, v in per_part.items())
        )
        if name != "check":
            shown += [f"[{name}] {m}" for m in miss_i + miss_c]
    elapsed = (time.perf_counter() - start) * 1000
    print(f"targets on the check half: intent parts >= 0.92, triage >= 0.85 ({elapsed:.0f} ms)")
    if args.misses:
        print("\n".join(shown))


if __name__ == "__main__":
    main()
