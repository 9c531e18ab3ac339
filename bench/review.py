"""Time to build a year's review from 1,000 stored meetings (seeded, generated notes).

    .venv/bin/python bench/review.py [--meetings 1000] [--seed 7]

Meetings are imported without the vector index: the review reads the store only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
from pathlib import Path

from coach.config import load_settings
from coach.flows.imports import import_dir
from coach.flows.review import build_review, to_markdown
from coach.models import Period

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
    args = parser.parse_args()
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
