"""Import throughput and store size for generated meeting folders; index build separately.

    .venv/bin/python bench/memory.py                    # 16, 1000, 10000 meetings, all indexed (~20 min)
    .venv/bin/python bench/memory.py --index-max 1000   # skip indexing the 10,000 (~2 min)
    .venv/bin/python bench/memory.py --sizes 16,1000 --no-index

Meetings are generated with a seeded RNG (Japanese and English, front matter or not, `##` or
bold headings, checklists with due dates in several notations, closures by checkbox and prose).
Indexing runs the embedding model on every new passage and line (~50 passages/s on 2 cores), so
`--index-max` can skip it for the large sizes; each text is embedded once (cached by content hash).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from coach.config import load_settings
from coach.flows.imports import import_dir
from coach.memory.store import Store

TOPICS_JA = [
    "決済API",
    "検索基盤",
    "在庫同期",
    "ログ基盤",
    "認証サービス",
    "モバイルアプリ",
    "データ基盤",
    "CI",
]
TOPICS_EN = [
    "billing API",
    "search cluster",
    "sync worker",
    "log pipeline",
    "auth service",
    "mobile app",
    "CI",
]
VERBS_JA = [
    "の設計書を書く",
    "の負荷試験をする",
    "の監視を整備する",
    "の移行計画を作る",
    "のレビュー観点をまとめる",
]
VERBS_EN = ["Write the design doc for the {t}", "Run the load test on the {t}", "Set up alerts for the {t}"]


def _due(rng: random.Random, day: dt.date, ja: bool) -> str:
    due = day + dt.timedelta(days=rng.choice([7, 10, 14, 21]))
    style = rng.randrange(4)
    if ja:
        return [f" (期限: {due})", f"（期限：{due.month}/{due.day}）", f" 期限 {due}", ""][style]
    return [f" (due: {due})", f" due {due}", f" (by {due:%b} {due.day})", ""][style]


def generate(folder: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    day = dt.date(2020, 1, 6)
    open_items: list[str] = []
    for n in range(count):
        ja = rng.random() < 0.6
        topic = rng.choice(TOPICS_JA if ja else TOPICS_EN)
        lines: list[str] = []
        if rng.random() < 0.8:
            lines += [
                "---",
                f"date: {day}",
                "with: 田中さん" if ja else "with: Alex",
                f"title: {topic} #{n}",
                "---",
            ]
        closing = open_items[: rng.randint(0, 2)]
        for item in closing[:1]:
            lines.append(
                f"前回約束した{item}は完了しました。結果として{rng.randint(2, 9)}件の改善点が見つかった。"
                if ja
                else f"I finished {item.lower()}; latency dropped {rng.randint(10, 60)}%."
            )
        if rng.random() < 0.2:
            lines.append("設計レビュー会の案はまだ途中。" if ja else "The migration plan is not done yet.")
        heading = (lambda h: f"## {h}") if rng.random() < 0.7 else (lambda h: f"**{h}**")
        before, after = rng.randint(100, 900), rng.randint(20, 99)
        lines += [
            heading("成果報告" if ja else "Results"),
            f"- {topic}のP95を{before}ms→{after}msに改善"
            if ja
            else f"- Cut {topic} p95 from {before}ms to {after}ms",
            heading("課題・相談事項" if ja else "Concerns"),
            "- 【相談】レビュー待ちが長い" if ja else "- Reviews wait two days on average",
            heading("決まったこと" if ja else "Decisions"),
            f"- {topic}の担当を続ける" if ja else f"- Keep owning the {topic}",
            heading("次のアクション" if ja else "Action items"),
        ]
        for item in closing[1:]:
            lines.append(f"- [x] {item}")
        for _ in range(rng.randint(1, 2)):
            text = f"{topic}{rng.choice(VERBS_JA)}" if ja else rng.choice(VERBS_EN).format(t=topic)
            text += f" {n}"
            lines.append(f"- [ ] {text}{_due(rng, day, ja)}")
            open_items.append(text)
        open_items = [i for i in open_items if i not in closing][-6:]
        (folder / f"{day}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
        day += dt.timedelta(days=rng.choice([1, 2, 3]) if count > 2000 else 7)


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="16,1000,10000")
    parser.add_argument("--no-index", action="store_true")
    parser.add_argument("--index-max", type=int, default=10_000, help="index only sizes up to this")
    args = parser.parse_args()
    from coach.flows import imports

    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            folder, data = Path(tmp, "notes"), Path(tmp, "data")
            folder.mkdir()
            generate(folder, size)
            settings = load_settings(data_dir=data)
            start = time.perf_counter()
            report = import_dir(folder, settings, index=False)
            seconds = time.perf_counter() - start
            start = time.perf_counter()
            again = import_dir(folder, settings, index=False)
            rerun = time.perf_counter() - start
            store_mb = sum(_size(p) for p in data.glob("coach.sqlite3*")) / 1e6
            counts = Store.open(settings).counts()
            index_s = index_mb = "-"
            if not args.no_index and size <= args.index_max:
                start = time.perf_counter()
                passages = imports.reindex(settings)
                took = time.perf_counter() - start
                index_s = f"{took:.1f}s ({passages / max(took, 1e-9):.1f} passages/s)"
                index_mb = f"{(_size(settings.chroma_dir) + _size(settings.embedding_cache_path)) / 1e6:.1f}"
            assert again.unchanged == size
            rows.append(
                (
                    size,
                    f"{seconds:.2f}",
                    f"{size / seconds:.0f}",
                    f"{rerun:.2f}",
                    f"{store_mb:.1f}",
                    counts["actions"],
                    report.actions_open,
                    index_s,
                    index_mb,
                )
            )
            print(f"done {size}", file=sys.stderr)
    header = (
        "meetings",
        "import s",
        "meetings/s",
        "re-import s",
        "store MB",
        "actions",
        "open",
        "index",
        "index MB",
    )
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(c).rjust(w) for c, w in zip(row, widths, strict=True)))
    print(f"(cpu count {os.cpu_count()}, derivations run during import)")


if __name__ == "__main__":
    main()
