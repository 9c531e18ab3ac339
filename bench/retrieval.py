"""Retrieval quality on the dev questions and query latency at 16 / 1,000 / 10,000 meetings.

    .venv/bin/python bench/retrieval.py [--scales 16,1000,10000]

Quality: the 16 dev meetings are imported through the real importer (store + chroma), and every
question of shared/eval/meetings_questions.jsonl is run with the lexical, dense and fused
retrievers: recall@1, recall@3 and MRR per kind (over meeting files), and found/not-found accuracy.

Latency: meetings are generated with random dates; their sections are drawn from a FINITE POOL of
section texts (combinations of the dev meetings' lines), so the embedding cache keeps the index
build affordable on a small machine. Query vectors are not cached between measurements (the
query cache is cleared before each scale), so the figures include embedding the question.
The lexical index is built in memory from the generated meetings (as `corpus_for` does from the store).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from coach.config import Settings, load_settings  # noqa: E402
from coach.flows import ask  # noqa: E402
from coach.flows.ask import lines_of  # noqa: E402
from coach.flows.imports import import_dir  # noqa: E402
from coach.models import Meeting, MeetingSection  # noqa: E402
from coach.search import retrieval  # noqa: E402
from coach.search import vectors as index  # noqa: E402
from coach.search.embedding import embedder_for  # noqa: E402

SHARED = Path(os.environ.get("COACH_SHARED_DIR", ROOT.parent / "shared"))
EVAL = SHARED / "eval"
MODES = ("lexical", "dense", "fused")
POOL_SIZE = 1200


def settings_in(path: Path) -> Settings:
    return load_settings(env={"COACH_DATA_DIR": str(path), "COACH_LANG": "en"})


def questions() -> list[dict]:
    lines = (EVAL / "meetings_questions.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def as_of(q: dict) -> dt.date | None:
    return dt.date.fromisoformat(q["as_of"]) if q.get("as_of") else None


def quality(work: Path) -> list[Meeting]:
    settings = settings_in(work / "dev")
    import_dir(EVAL / "meetings", settings)
    corpus = ask.corpus(settings)
    qs = questions()
    print(f"== quality: {len(qs)} dev questions over {len(corpus.meetings)} meetings")
    print(f"{'mode':8} {'kind':14} {'n':>3} {'R@1':>5} {'R@3':>5} {'MRR':>5}")
    for mode in MODES:
        per_kind: dict[str, list[int | None]] = defaultdict(list)
        verdicts = []
        for q in qs:
            found = ask.retrieve(q["question"], settings, k=5, as_of=as_of(q), mode=mode, corpus_=corpus)
            verdicts.append((q["kind"], found.found == bool(q["gold"])))
            if q["gold"]:
                files = found.meetings()
                per_kind[q["kind"]].append(next((i for i, f in enumerate(files) if f in q["gold"]), None))
        everything = [rank for ranks in per_kind.values() for rank in ranks]
        for kind, ranks in [*sorted(per_kind.items()), ("ALL", everything)]:
            r1 = sum(r is not None and r < 1 for r in ranks) / len(ranks)
            r3 = sum(r is not None and r < 3 for r in ranks) / len(ranks)
            mrr = sum(1 / (r + 1) for r in ranks if r is not None) / len(ranks)
            print(f"{mode:8} {kind:14} {len(ranks):>3} {r1:5.2f} {r3:5.2f} {mrr:5.2f}")
        nf = [ok for kind, ok in verdicts if kind == "not_found"]
        print(
            f"{mode:8} found/not-found accuracy: all {sum(ok for _, ok in verdicts)}/{len(verdicts)}, "
            f"not_found questions {sum(nf)}/{len(nf)}"
        )
    heldout(settings, corpus)
    return corpus.meetings


def heldout(settings: Settings, corpus: retrieval.Corpus) -> None:
    """The held-out questions of tests/test_retrieval_heldout.py (written apart from the dev set)."""
    from tests.test_retrieval_heldout import CASES

    print(f"\n== held-out: {len(CASES)} questions ({sum(not c.gold for c in CASES)} never discussed)")
    for mode in MODES:
        recall, verdicts = [], []
        for case in CASES:
            day = dt.date.fromisoformat(case.as_of) if case.as_of else None
            found = ask.retrieve(case.question, settings, k=5, as_of=day, mode=mode, corpus_=corpus)
            verdicts.append((bool(case.gold), found.found == bool(case.gold)))
            if case.gold:
                files = found.meetings()
                recall.append(any(f in case.gold for f in files[:3]))
        nf = [ok for answerable, ok in verdicts if not answerable]
        found_ok = [ok for answerable, ok in verdicts if answerable]
        print(
            f"{mode:8} R@3 {sum(recall)}/{len(recall)} | answerable judged found {sum(found_ok)}/{len(found_ok)}"
            f" | not found {sum(nf)}/{len(nf)}"
        )


def section_pool(meetings: list[Meeting], size: int, rng: random.Random) -> list[MeetingSection]:
    """Varied section texts: 1-3 lines drawn from dev sections of the same kind."""
    by_kind: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for meeting in meetings:
        for section in meeting.sections:
            by_kind[section.kind].extend((section.heading, line) for line in lines_of(section.text))
    kinds = sorted(by_kind)
    pool = []
    for _ in range(size):
        kind = rng.choice(kinds)
        picked = rng.sample(by_kind[kind], k=min(len(by_kind[kind]), rng.randint(1, 3)))
        pool.append(
            MeetingSection(kind=kind, heading=picked[0][0], text="\n".join(f"- {line}" for _, line in picked))  # type: ignore[arg-type]
        )
    return pool


def generated(count: int, pool: list[MeetingSection], rng: random.Random) -> list[Meeting]:
    start = dt.date(2000, 1, 1)
    meetings = []
    for i in range(count):
        day = start + dt.timedelta(days=i * 3 // 2)
        meetings.append(
            Meeting(
                file=f"{day.isoformat()}-{i}.md", date=day, sections=rng.sample(pool, k=rng.randint(3, 5))
            )
        )
    return meetings


def latency(work: Path, dev_meetings: list[Meeting], scales: list[int]) -> None:
    rng = random.Random(7)
    pool = section_pool(dev_meetings, POOL_SIZE, rng)
    cache_dir = work / "shared-cache"
    print(f"\n== latency (fused retrieve, k=5); generated meetings from a pool of {len(pool)} section texts")
    qs = questions()
    ask.retrieve("warm-up: load the embedding model", settings_in(work / "dev"), k=1)
    for scale in scales:
        settings = settings_in(work / f"scale-{scale}")
        settings.ensure_data_dir()
        # one embedding cache for every scale, so each pooled text is embedded once in the whole run
        os.link(cache_dir / "embeddings.sqlite3", settings.embedding_cache_path) if (
            cache_dir / "embeddings.sqlite3"
        ).exists() else None
        meetings = dev_meetings if scale == len(dev_meetings) else generated(scale, pool, rng)
        started = time.perf_counter()
        passages = index.index_meetings(settings, meetings)
        built = time.perf_counter() - started
        if not (cache_dir / "embeddings.sqlite3").exists():
            cache_dir.mkdir(parents=True, exist_ok=True)
            os.link(settings.embedding_cache_path, cache_dir / "embeddings.sqlite3")
        started = time.perf_counter()
        corpus = retrieval.Corpus.build(meetings)
        lexical_built = time.perf_counter() - started
        started = time.perf_counter()
        ask.retrieve("warm-up: open the collection", settings, k=5, corpus_=corpus)
        opened = (time.perf_counter() - started) * 1000  # once per process: chroma loads its HNSW index
        embedder_for(settings.embedding_cache_path).cache.forget("query")
        cold = timed(qs, settings, corpus)
        warm = timed(qs, settings, corpus)  # same questions again: query vectors now cached
        print(
            f"{scale:>6} meetings {passages:>6} passages | index build {built:6.1f} s, "
            "lexical build "
            f"{lexical_built:5.1f} s | first query (opens the index) {opened:6.0f} ms | "
            f"query (incl. embedding) median {cold[0]:6.1f} ms, "
            f"p95 {cold[1]:6.1f} ms | search only (cached query vector) median {warm[0]:5.1f} ms, "
            f"p95 {warm[1]:5.1f} ms (n={len(qs)})"
        )


def timed(qs: list[dict], settings: Settings, corpus: retrieval.Corpus) -> tuple[float, float]:
    times = []
    for q in qs:
        started = time.perf_counter()
        ask.retrieve(q["question"], settings, k=5, as_of=as_of(q), corpus_=corpus)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="16,1000,10000")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="coach-bench-") as tmp:
        work = Path(tmp)
        dev_meetings = quality(work)
        latency(work, dev_meetings, [int(s) for s in args.scales.split(",")])


if __name__ == "__main__":
    main()
