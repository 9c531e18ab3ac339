"""Review quality on both dev corpora, and the time to build a year's review from 1,000 meetings.

    .venv/bin/python bench/review.py [--meetings 1000] [--seed 7] [--skip-quality] [--skip-speed]

Quality: corpus A (shared/eval/meetings + review_dev.json) is the tuning corpus, corpus B
(shared/eval/meetings_b + review_b.json) the check corpus. Each is imported through the real
importer and reviewed over the gold period: results found (a result item holding the gold
before→after, in a unit of the same dimension), results that are no gold result (spurious), gold
results split over several items (duplicated), and the follow-through counts, exact or not.

Speed: meetings are generated (seeded) and imported without the vector index: the review reads
the store only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from coach.config import load_settings  # noqa: E402
from coach.flows.imports import import_dir  # noqa: E402
from coach.flows.review import build_review, to_markdown  # noqa: E402
from coach.models import Period, Review  # noqa: E402
from coach.text.numbers import unit_scale  # noqa: E402

EVAL = Path(os.environ.get("COACH_SHARED_DIR", ROOT.parent / "shared")) / "eval"
CORPORA = {"A (tune)": ("meetings", "review_dev.json"), "B (check)": ("meetings_b", "review_b.json")}


def _dimension(unit: str) -> str:
    return unit_scale(unit)[0].split("/")[0]  # 件 and 件/四半期 count the same thing


def _holds(review: Review, gold: dict) -> list[int]:
    """Indexes of the result items holding the gold before→after (units of one dimension)."""
    return [
        i
        for i, item in enumerate(review.results)
        for m in item.metrics
        if m.before is not None
        and m.after is not None
        and _dimension(m.unit) in (_dimension(gold["unit"]), "")
        and abs(m.before * unit_scale(m.unit)[1] - gold["before"] * unit_scale(gold["unit"])[1]) < 1e-6
        and abs(m.after * unit_scale(m.unit)[1] - gold["after"] * unit_scale(gold["unit"])[1]) < 1e-6
    ]


def quality(label: str, folder: str, gold_file: str, verbose: bool) -> None:
    gold = json.loads((EVAL / gold_file).read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(data_dir=Path(tmp), engine="offline")
        import_dir(EVAL / folder, settings, index=False)
        period = Period.model_validate({"from": gold["from"], "to": gold["to"]})
        review = build_review(period, settings)
    used: set[int] = set()
    found = split = 0
    for metric in gold["metrics"]:
        items = set(_holds(review, metric))
        used |= items
        found += bool(items)
        split += len(items) > 1
        if verbose and not items:
            print(f"   missed {metric}")
    spurious = [item for i, item in enumerate(review.results) if i not in used and item.metrics]
    follow = review.follow_through
    want = gold["follow_through"]
    exact = (follow.promised, follow.done, follow.open) == (want["promised"], want["done"], want["open"])
    print(
        f"corpus {label:9} results {found}/{len(gold['metrics'])} found, {len(spurious)} spurious, "
        f"{split} split over items; follow-through {follow.promised}/{follow.done}/{follow.open} "
        f"(gold {want['promised']}/{want['done']}/{want['open']}, {'exact' if exact else 'WRONG'})"
    )
    if verbose:
        for item in spurious:
            print(f"   spurious {item.statement} {item.meetings} why: {item.why}")


SYSTEMS = [
    "決済API",
    "検索API",
    "在庫バッチ",
    "通知基盤",
    "管理画面",
    "CIパイプライン",
    "ログ基盤",
    "認証サービス",
]
MEASURES = [
    ("P95レイテンシ", "ms", 100, 900),
    ("エラー率", "%", 1, 9),
    ("ビルド時間", "分", 10, 60),
    ("アラート", "件/週", 50, 400),
]
CONCERNS = [
    "【相談】{s}の設計方針に迷っている",
    "【報告】{s}の運用負荷が高い",
    "【エスカレーション】{s}の担当者が足りない",
]
INTENTS = [
    "来期は{s}の設計をリードしたい",
    "2年以内に{s}のテックリードになりたい。理由は設計判断に関わりたいから",
]
DECISIONS = ["{s}の改善は自分が主導する", "{s}の工数を来月20%確保する"]
TOPICS = ["リトライ設計", "監視ダッシュボード", "負荷試験", "権限設計", "キャッシュ戦略", "障害手順書"]
VERBS = ["を見直す", "の案を作る", "を自動化する", "をチームに共有する", "の担当を決める"]


def meeting_text(rng: random.Random, day: dt.date, previous_actions: list[str]) -> tuple[str, list[str]]:
    system = rng.choice(SYSTEMS)
    name, unit, low, high = rng.choice(MEASURES)
    before = rng.randint(low * 2, high)
    after = rng.randint(low, max(low, before // 2))
    lines = [f"---\ndate: {day}\nwith: 田中さん\ntitle: {system}の相談\n---"]
    lines += ["## 成果報告", f"- {system}の{name}を{before}{unit}→{after}{unit}に改善した", ""]
    lines += ["## 課題・相談事項", "- " + rng.choice(CONCERNS).format(s=system), ""]
    if rng.random() < 0.2:
        lines += ["## キャリア意向", "- " + rng.choice(INTENTS).format(s=system), ""]
    lines += ["## 決まったこと", "- " + rng.choice(DECISIONS).format(s=system), ""]
    new = [f"{system}の{rng.choice(TOPICS)}{rng.choice(VERBS)}"]
    due = day + dt.timedelta(days=rng.randint(5, 20))
    lines += ["## 次のアクション"]
    lines += [f"- [x] {action}" for action in previous_actions if rng.random() < 0.7]
    lines += [f"- [ ] {action} (期限: {due})" for action in new]
    return "\n".join(lines) + "\n", new


def generate(directory: Path, count: int, seed: int, year: int) -> None:
    rng = random.Random(seed)
    start = dt.date(year, 1, 1)
    previous: list[str] = []
    for i in range(count):
        day = start + dt.timedelta(days=i * 365 // count)
        text, previous = meeting_text(rng, day, previous)
        (directory / f"{day}-{i:04d}.md").write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--meetings", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="list misses and spurious results")
    args = parser.parse_args()
    if not args.skip_quality:
        print("== quality (A tunes, B checks: B is the number to trust)")
        for label, (folder, gold_file) in CORPORA.items():
            quality(label, folder, gold_file, args.verbose)
    if args.skip_speed:
        return
    with tempfile.TemporaryDirectory() as tmp:
        notes = Path(tmp) / "notes"
        notes.mkdir()
        generate(notes, args.meetings, args.seed, 2025)
        settings = load_settings(data_dir=Path(tmp) / "data", engine="offline")
        started = time.perf_counter()
        report = import_dir(notes, settings, index=False)
        imported = time.perf_counter() - started
        period = Period.model_validate({"from": "2025-01-01", "to": "2025-12-31"})
        started = time.perf_counter()
        review = build_review(period, settings)
        built = time.perf_counter() - started
        started = time.perf_counter()
        to_markdown(review)
        rendered = time.perf_counter() - started
    print(f"meetings imported      {report.imported} in {imported:.2f} s (no vector index)")
    print(
        f"review of one year     {built:.2f} s  ({len(review.results)} results, "
        f"{review.follow_through.promised} actions, {len(review.career)} intents, "
        f"{len(review.concerns)} concerns)"
    )
    print(f"markdown               {rendered * 1000:.0f} ms")


if __name__ == "__main__":
    main()
