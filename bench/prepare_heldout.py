"""Offline prepare rules on the held-out set: accuracy of intent parts and concern buckets.

    .venv/bin/python bench/prepare_heldout.py [--misses]

Prints per-part / per-bucket accuracy over tests/test_prepare_heldout.py and the dev data, and
with --misses every case the rules get wrong (expected vs. found), to see which rule to widen.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coach.flows.intent import detect_parts  # noqa: E402
from coach.rules.triage import classify  # noqa: E402
from tests.test_prepare_heldout import CONCERNS, INTENTS, expected_parts  # noqa: E402

DEV = Path(os.environ.get("COACH_SHARED_DIR", ROOT.parent / "shared")) / "eval"


def _dev(name: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in (DEV / name).read_text(encoding="utf-8").splitlines() if line]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args()

    intents = [(text, expected_parts(letters).model_dump()) for text, letters in INTENTS]
    intents += [(str(c["intent"]), dict(c["has"])) for c in _dev("intents_dev.jsonl")]  # type: ignore[call-overload]
    concerns = [*CONCERNS, *((str(c["concern"]), str(c["bucket"])) for c in _dev("concerns_dev.jsonl"))]

    start = time.perf_counter()
    found_parts = [detect_parts(text).model_dump() for text, _ in intents]
    found_buckets = [classify(text) for text, _ in concerns]
    elapsed = (time.perf_counter() - start) * 1000

    whole = sum(found == expected for (_, expected), found in zip(intents, found_parts, strict=True))
    print(f"intents: {whole}/{len(intents)} fully right")
    for part in ("timeframe", "scope", "reason"):
        right = sum(f[part] == e[part] for (_, e), f in zip(intents, found_parts, strict=True))
        print(f"  {part:9s} {right}/{len(intents)}")
    right = sum(f == e for (_, e), f in zip(concerns, found_buckets, strict=True))
    print(f"concerns: {right}/{len(concerns)} right")
    for bucket in ("self", "support", "org"):
        cases = [(e, f) for (_, e), f in zip(concerns, found_buckets, strict=True) if e == bucket]
        print(f"  {bucket:8s} {sum(e == f for e, f in cases)}/{len(cases)}")
    print(f"time: {elapsed:.1f} ms for {len(intents) + len(concerns)} cases")
    if args.misses:
        for (text, expected), found in zip(intents, found_parts, strict=True):
            if found != expected:
                wrong = [k for k in expected if expected[k] != found[k]]
                print(f"INTENT {wrong} expected={[expected[k] for k in wrong]}: {text}")
        for (text, bucket), got in zip(concerns, found_buckets, strict=True):
            if got != bucket:
                print(f"CONCERN expected={bucket} got={got}: {text}")


if __name__ == "__main__":
    main()
