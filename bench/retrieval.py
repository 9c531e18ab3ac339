"""Retrieval and answer quality on both dev corpora, and query latency at 16 / 1,000 / 10,000 meetings.

    .venv/bin/python bench/retrieval.py [--scales 16,1000,10000] [--dense-max 1000] [--skip-latency]
        [--corpus A|B|P|all] [-v]

Quality: corpus A (shared/eval/meetings, the tuning corpus), corpus B (shared/eval/meetings_b,
the check corpus: its numbers are the ones to trust) and corpus P (bench/data/corpus_p, our own
mixed-language corpus written by someone who saw neither code nor questions; odd ids tune, even
ids check; `--corpus P`) are each imported through the real importer
(store + full-text table + chroma); every question of `meetings_questions.jsonl` /
`meetings_b_questions.jsonl` is run with the lexical, dense and fused retrievers: recall@1,
recall@3 and MRR per kind (over meeting files), found/not-found accuracy, and for the fused
retriever the share of answerable questions whose offline answer holds every `answer_facts` string
and the answer's own verdict (after `coach.flows.asked` checks that a question asking a number or
a date gets one).
"small store" measures the not-found evidence of a store of two meetings (`small_store`).

Latency: meetings are generated with random dates; their sections are drawn from a FINITE POOL of
section texts (combinations of the dev meetings' lines), so the embedding cache keeps the index
build affordable on a small machine. The lexical side (FTS5 in the store) is measured at every
scale; the dense side (chroma) only up to `--dense-max` meetings (default 1,000, to keep the run
short): above it, fused figures are lexical + the measured query embedding + the dense query time
at `--dense-max`, printed as such. `--scales 1000,10000 --dense-max 10000` measures 10,000 for
real (~4 min on two cores: the pool's section texts are embedded once, so the 10,000-meeting index
builds in ~2 min). Query vectors are not
cached between measurements (nor the question's words, which a search may match by meaning),
so the figures include embedding the question; fused figures also include the index-repair check
`ask.retrieve` runs before a search (the index is built through `sync_index`, as an import builds
it, so the check finds it in step). "first lexical search after a write" saves one more meeting
through the store and times the next question; "first fused search after a save" saves one as
the app does (store, then `index_after_commit`) and times the next question, which compares the
store's record with the index again because the store changed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
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
from coach.flows.imports import import_dir, index_after_commit, sync_index  # noqa: E402
from coach.memory.store import Store, StoredMeeting  # noqa: E402
from coach.models import Meeting, MeetingSection  # noqa: E402
from coach.search import retrieval  # noqa: E402
from coach.search.embedding import embedder_for  # noqa: E402

SHARED = Path(os.environ.get("COACH_SHARED_DIR", ROOT.parent / "shared"))
EVAL = SHARED / "eval"
MODES = ("lexical", "dense", "fused")
POOL_SIZE = 1200
OWN = ROOT / "bench" / "data" / "corpus_p"
# label -> (meetings folder, question file, id parity kept or None for all)
CORPORA: dict[str, tuple[Path, Path, int | None]] = {
    "A (tune)": (EVAL / "meetings", EVAL / "meetings_questions.jsonl", None),
    "B (check)": (EVAL / "meetings_b", EVAL / "meetings_b_questions.jsonl", None),
    # our own mixed-language corpus (bench/data/corpus_p/README.md), split by id parity
    "P odd ids (tune)": (OWN / "meetings", OWN / "questions.jsonl", 1),
    "P even ids (check)": (OWN / "meetings", OWN / "questions.jsonl", 0),
}


def settings_in(path: Path) -> Settings:
    return load_settings(env={"COACH_DATA_DIR": str(path), "COACH_LANG": "en"})


def load_questions(name: str | Path, parity: int | None = None) -> list[dict]:
    lines = (EVAL / name).read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line) for line in lines if line.strip()]
    if parity is None:
        return questions
    return [q for q in questions if int("".join(c for c in q["id"] if c.isdigit())) % 2 == parity]


def as_of(q: dict) -> dt.date | None:
    return dt.date.fromisoformat(q["as_of"]) if q.get("as_of") else None


def quality(
    work: Path,
    label: str,
    folder: Path,
    qs: list[dict],
    verbose: bool,
    settings: Settings | None = None,
) -> Settings:
    if settings is None:
        settings = settings_in(work / folder.parent.name / folder.name)
        import_dir(folder, settings)
    print(f"\n== quality, corpus {label}: {len(qs)} questions over {folder}")
    print(f"{'mode':8} {'kind':14} {'n':>3} {'R@1':>5} {'R@3':>5} {'MRR':>5}")
    for mode in MODES:
        per_kind: dict[str, list[int | None]] = defaultdict(list)
        verdicts = []
        for q in qs:
            found = ask.retrieve(q["question"], settings, k=5, as_of=as_of(q), mode=mode)
            verdicts.append((q["kind"], found.found == bool(q["gold"]), q["id"], found.reason))
            if q["gold"]:
                files = found.meetings()
                rank = next((i for i, f in enumerate(files) if f in q["gold"]), None)
                per_kind[q["kind"]].append(rank)
                if verbose and mode == "fused" and (rank is None or rank >= 3):
                    print(f"   miss {q['id']} {q['question'][:50]} -> {files[:3]}")
        everything = [rank for ranks in per_kind.values() for rank in ranks]
        for kind, ranks in [*sorted(per_kind.items()), ("ALL", everything)]:
            r1 = sum(r is not None and r < 1 for r in ranks) / len(ranks)
            r3 = sum(r is not None and r < 3 for r in ranks) / len(ranks)
            mrr = sum(1 / (r + 1) for r in ranks if r is not None) / len(ranks)
            print(f"{mode:8} {kind:14} {len(ranks):>3} {r1:5.2f} {r3:5.2f} {mrr:5.2f}")
        nf = [ok for kind, ok, _, _ in verdicts if kind == "not_found"]
        answerable = [ok for kind, ok, _, _ in verdicts if kind != "not_found"]
        print(
            f"{mode:8} found/not-found right: all {sum(ok for _, ok, _, _ in verdicts)}/{len(verdicts)}, "
            f"answerable judged found {sum(answerable)}/{len(answerable)}, not_found right {sum(nf)}/{len(nf)}"
        )
        if verbose and mode == "fused":
            for kind, ok, qid, reason in verdicts:
                if not ok:
                    print(f"   wrong verdict {qid} ({kind}): {reason}")
    holds = []
    answered: dict[bool, list[bool]] = {True: [], False: []}  # answerable? -> answer says found
    for q in qs:
        result = ask.ask(q["question"], settings, as_of=as_of(q))
        answered[bool(q["gold"])].append(result.found)
        if not q["answer_facts"]:
            continue
        answer = result.answer
        ok = all(fact in answer for fact in q["answer_facts"])
        holds.append(ok)
        if verbose and not ok:
            missing = [f for f in q["answer_facts"] if f not in answer]
            print(f"   answer {q['id']} lacks {missing}: {answer[:160]!r}")
    print(f"fused    answer holds every fact: {sum(holds)}/{len(holds)} = {sum(holds) / len(holds):.2f}")
    print(
        f"fused    answer's verdict (retrieval, then the asked-fact check): answerable judged found "
        f"{sum(answered[True])}/{len(answered[True])}, not_found right "
        f"{len(answered[False]) - sum(answered[False])}/{len(answered[False])}"
    )
    return settings


def small_store(settings: Settings, label: str, qs: list[dict], trials: int = 3) -> None:
    """A store of two meetings: does the best passage stand out of the background passages?

    For each question, `trials` pairs of meetings (an answerable question: one of its meetings and
    another; a not-found one: any two), the dense standout of the pair's passages measured with
    the background (`retrieval.dense_standout`): the share reaching `standout_found` is how often
    dense evidence alone says found in such a store (right for answerable, wrong for not-found)."""
    from coach.search import vectors
    from coach.text.passages import passages_with_context

    meetings = {m.file: m for m in Store.open(settings).meetings()}
    embedder = vectors.embedding_function(settings).embedder
    contexts = {f: [c for _, c in passages_with_context(m)] for f, m in meetings.items()}
    rng = random.Random(7)
    found: dict[bool, list[bool]] = {True: [], False: []}
    bar = retrieval.CALIBRATION.standout_found
    for q in qs:
        query = embedder.embed([q["question"]], "query")[0]
        background = retrieval.background_scores(settings, q["question"]).tolist()
        for _ in range(trials):
            others = sorted(f for f in meetings if f not in q["gold"])
            files = [q["gold"][0], rng.choice(others)] if q["gold"] else rng.sample(others, 2)
            texts = [c for f in files for c in contexts[f]]
            scores = sorted((embedder.embed(texts, "passage") @ query).tolist(), reverse=True)
            standout = retrieval.dense_standout([(None, s) for s in scores], background)  # type: ignore[misc]
            found[bool(q["gold"])].append(standout >= bar)
    print(
        f"small store (2 meetings), corpus {label}: dense standout >= {bar} against the background for "
        f"answerable {sum(found[True])}/{len(found[True])}, not-found {sum(found[False])}/{len(found[False])}"
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


def save(settings: Settings, meetings: list[Meeting]) -> None:
    store = Store.open(settings)
    with store.transaction() as db:
        for meeting in meetings:
            Store.upsert_meeting(
                db, StoredMeeting(meeting=meeting, raw=meeting.model_dump_json(), checklist=[])
            )


def percentiles(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def latency(work: Path, dev: Settings, scales: list[int], dense_max: int) -> None:
    rng = random.Random(7)
    dev_meetings = Store.open(dev).meetings()
    pool = section_pool(dev_meetings, POOL_SIZE, rng)
    qs = [
        q for name in ("meetings_questions.jsonl", "meetings_b_questions.jsonl") for q in load_questions(name)
    ]
    cache_dir = work / "shared-cache"
    print(
        f"\n== latency (k=5, {len(qs)} questions of both corpora); generated meetings from {len(pool)} section texts"
    )
    ask.retrieve("warm-up: load the embedding model", dev, k=1)
    embedder = embedder_for(dev.embedding_cache_path)
    embed_times = []
    for q in qs:
        started = time.perf_counter()
        embedder.embed([q["question"] + " (uncached)"], "query")
        embed_times.append((time.perf_counter() - started) * 1000)
    embed_med, embed_p95 = percentiles(embed_times)
    print(f"question embedding alone: median {embed_med:.1f} ms, p95 {embed_p95:.1f} ms")
    dense_at_max: tuple[float, float] | None = None
    for scale in scales:
        settings = settings_in(work / f"scale-{scale}")
        settings.ensure_data_dir()
        meetings = generated(scale, pool, rng)
        started = time.perf_counter()
        save(settings, meetings)
        stored = time.perf_counter() - started
        # The generated meetings are the benchmark's, not the app's: an app process does not hold
        # 10,000 meeting objects, whose garbage-collection passes would land inside the searches.
        del meetings
        gc.collect()
        store = Store.open(settings)
        lexical = []
        for q in qs:
            started = time.perf_counter()
            retrieval.retrieve(q["question"], settings, k=5, as_of=as_of(q), mode="lexical", lexical=store)
            lexical.append((time.perf_counter() - started) * 1000)
        lex_med, lex_p95 = percentiles(lexical)
        # the first question after a write: one more meeting saved, then a search
        extra = generated(1, pool, random.Random(scale))[0].model_copy(update={"file": "new.md"})
        save(settings, [extra])
        started = time.perf_counter()
        retrieval.retrieve(qs[0]["question"], settings, k=5, mode="lexical", lexical=store)
        after_write = (time.perf_counter() - started) * 1000
        line = (
            f"{scale:>6} meetings: store+FTS write {stored:6.1f} s | lexical search median {lex_med:5.1f} ms,"
            f" p95 {lex_p95:5.1f} ms | first lexical search after a write {after_write:5.1f} ms"
        )
        if scale <= dense_max:
            if (cache_dir / "embeddings.sqlite3").exists() and not settings.embedding_cache_path.exists():
                os.link(cache_dir / "embeddings.sqlite3", settings.embedding_cache_path)
            started = time.perf_counter()
            sync_index(settings)  # through the store's record of what the index holds, as an import does
            built = time.perf_counter() - started
            if not (cache_dir / "embeddings.sqlite3").exists():
                cache_dir.mkdir(parents=True, exist_ok=True)
                os.link(settings.embedding_cache_path, cache_dir / "embeddings.sqlite3")
            ask.retrieve("warm-up: open the collection", settings, k=5)
            embedder_for(settings.embedding_cache_path).cache.forget("query")
            fused = []
            for q in qs:
                started = time.perf_counter()
                ask.retrieve(q["question"], settings, k=5, as_of=as_of(q))
                fused.append((time.perf_counter() - started) * 1000)
            fused_med, fused_p95 = percentiles(fused)
            dense_at_max = (fused_med - lex_med, fused_p95 - lex_p95)
            # the first question after a save, as the app saves: store, then the index of that meeting
            saved = generated(1, pool, random.Random(scale + 1))[0].model_copy(update={"file": "saved.md"})
            save(settings, [saved])
            index_after_commit(settings, [saved])
            started = time.perf_counter()
            ask.retrieve(qs[1]["question"] + " (after a save)", settings, k=5, as_of=as_of(qs[1]))
            fused_after = (time.perf_counter() - started) * 1000
            line += (
                f" | index build {built:6.1f} s | fused search incl. embedding median {fused_med:5.1f} ms,"
                f" p95 {fused_p95:5.1f} ms | first fused search after a save {fused_after:5.1f} ms"
            )
        elif dense_at_max:
            line += (
                f" | fused estimate (lexical here + dense/embedding part measured at {dense_max})"
                f" p95 ≈ {lex_p95 + dense_at_max[1]:5.1f} ms"
            )
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scales", default="16,1000,10000")
    parser.add_argument("--dense-max", type=int, default=1000)
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--corpus", choices=["A", "B", "P", "all"], default="all")
    parser.add_argument("-v", "--verbose", action="store_true", help="print misses and wrong verdicts")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="coach-bench-") as tmp:
        work = Path(tmp)
        dev = None
        imported: dict[Path, Settings] = {}
        for label, (folder, question_file, parity) in CORPORA.items():
            if args.corpus in ("all", label[0]):
                qs = load_questions(question_file, parity)
                settings = quality(work, label, folder, qs, args.verbose, imported.get(folder))
                imported[folder] = settings
                small_store(settings, label, qs)
                dev = dev or settings
        if not args.skip_latency and dev is not None:
            latency(work, dev, [int(s) for s in args.scales.split(",")], args.dense_max)


if __name__ == "__main__":
    main()
