"""The action ledger against the gold ledgers of both development corpora.

    .venv/bin/python bench/ledger.py [--corpus a|b|both] [--show] [--scale 1000]

Per corpus: how many gold actions the ledger has right (found under the meeting that first
wrote it, with the right owner bucket, status and closing meeting), how many are misattributed
(another person's item counted as mine, or mine as another's), how many of my ledger items match
no gold action (invented), and the review's follow-through counts against the gold review.
Corpus B is the one the rules were tuned on; corpus A is the check.

Speed (`--scale N`, 0 to skip): N generated weekly meetings, three action items each (two nouns
and a work verb, no numbers: numbers tell wordings apart cheaply, so wordings without them are the
replay's hard case), a third of them carried over from the last meetings, an earlier item ticked
off in four meetings of ten, the rest left open for ever: the import without the vector index,
then the ledger's replay alone with its caches cleared (what the first save after the app starts
pays: every save replays every meeting).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import sqlite3
import tempfile
import time
from pathlib import Path

from coach.config import load_settings
from coach.flows.imports import import_dir
from coach.flows.review import build_review
from coach.memory.store import DROPPED, Store
from coach.models import ActionItem, Period
from coach.text.similarity import similarity

# the dev data beside the checkout, as the other benches find it (COACH_SHARED_DIR overrides)
EVAL = Path(os.environ.get("COACH_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared")) / "eval"
CORPORA = {
    "a": ("meetings", "meetings_actions.json", "review_dev.json"),
    "b": ("meetings_b", "meetings_b_actions.json", "review_b.json"),
}
CACHE = Path(tempfile.gettempdir()) / "coach-bench-ledger" / "embeddings.sqlite3"
ROLE = {"open": "me", "done": "me", "dropped": "me", "manager": "manager", "others": "other"}


def _status(bucket: str, gold: dict[str, str]) -> str:
    if bucket in ("open", "done", "dropped"):
        return bucket
    return str(gold.get("status", "open"))


def _got_status(action: ActionItem) -> str:
    if action.status == "done" and action.result == DROPPED:
        return "dropped"
    return action.status


def _match(gold: dict[str, str], actions: list[ActionItem], used: set[int]) -> ActionItem | None:
    best: tuple[float, ActionItem] | None = None
    for i, action in enumerate(actions):
        if i in used or action.from_ != gold["from"]:
            continue
        score = max(
            similarity(gold["action"], action.action),
            similarity(re.sub(r"\d", "", gold["action"]), re.sub(r"\d", "", action.action)),
        )
        if score >= 0.5 and (best is None or score > best[0]):
            best = (score, action)
    return best[1] if best else None


def run(corpus: str, show: bool) -> None:
    folder, ledger_file, review_file = CORPORA[corpus]
    gold = json.loads((EVAL / ledger_file).read_text(encoding="utf-8"))
    review_gold = json.loads((EVAL / review_file).read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(data_dir=Path(tmp))
        # one embedding cache across runs, so a rerun only embeds new wordings
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        settings.embedding_cache_path.symlink_to(CACHE)
        import_dir(EVAL / folder, settings, index=False)
        actions = Store.open(settings).actions()
        period = Period.model_validate({"from": review_gold["from"], "to": review_gold["to"]})
        review = build_review(period, settings)
    total = right = misattributed = 0
    used: set[int] = set()
    index = {id(a): i for i, a in enumerate(actions)}
    problems: list[str] = []
    for bucket, role in ROLE.items():
        for item in gold.get(bucket, []):
            total += 1
            got = _match(item, actions, used)
            if got is None:
                problems.append(f"MISSING [{bucket}] {item['from'][:10]} {item['action'][:60]}")
                continue
            used.add(index[id(got)])
            status = _status(bucket, item)
            done_in = item.get("done_in") or item.get("dropped_in")
            owner_ok = got.owner == role
            if not owner_ok and (role == "me" or got.owner == "me"):
                misattributed += 1
            ok = owner_ok and _got_status(got) == status and (status == "open" or got.done_in == done_in)
            right += ok
            if not ok:
                problems.append(
                    f"WRONG [{bucket}] {item['action'][:50]}: owner {got.owner} status {_got_status(got)}"
                    f" done_in {got.done_in} (gold {role}/{status}/{done_in})"
                )
    # Corpus A's gold lists my actions only: others' items cannot be judged there.
    judged = [i for i, a in enumerate(actions) if corpus == "b" or a.owner == "me"]
    invented = [actions[i] for i in judged if i not in used]
    for a in invented:
        problems.append(f"INVENTED {a.owner} {a.from_[:10]} {a.action[:60]}")
    if show:
        for a in actions:
            if a.status == "done":
                problems.append(f"  why: {a.action[:30]} -> {a.why}")
    follow = review.follow_through
    want = review_gold["follow_through"]
    print(
        f"corpus {corpus.upper()}: ledger right {right}/{total} = {right / max(total, 1):.2f};"
        f" misattributed {misattributed}; invented {len(invented)};"
        f" follow-through promised/done/open {follow.promised}/{follow.done}/{follow.open}"
        f" (gold {want['promised']}/{want['done']}/{want['open']})"
    )
    if show:
        for line in problems:
            print("   ", line)


def speed(count: int) -> None:
    from coach.flows.meaning import ledger_meaning
    from coach.memory import ledger
    from coach.text import similarity as similarity_module

    rng = random.Random(1)
    nouns = [
        "監視基盤", "決済API", "採用計画", "設計レビュー", "オンボーディング", "障害対応", "コスト", "検索", "CI",
        "データ品質", "権限管理", "ログ収集", "バッチ", "通知", "請求", "在庫", "認証", "キャッシュ", "移行計画",
        "負荷試験", "アラート", "ダッシュボード", "手順書", "評価シート", "勉強会", "予算", "契約", "SLO",
    ]  # fmt: skip
    verbs = [
        "の資料をまとめる",
        "の計測結果を共有する",
        "の方針を決める",
        "のレビューを依頼する",
        "の案を書く",
    ]
    opened: list[str] = []
    with tempfile.TemporaryDirectory(prefix="coach-ledger-") as tmp:
        folder = Path(tmp) / "meetings"
        folder.mkdir()
        for i in range(count):
            day = dt.date(2000, 1, 3) + dt.timedelta(days=7 * i)
            lines = []
            for _ in range(3):  # a new item, or one of the last few carried over again
                carried = opened[-6:] and rng.random() < 0.3
                text = (
                    rng.choice(opened[-6:])
                    if carried
                    else f"{rng.choice(nouns)}と{rng.choice(nouns)}{rng.choice(verbs)}"
                )
                lines.append(f"- [ ] {text}")
                opened.append(text)
            if opened[:-3] and rng.random() < 0.4:  # an earlier item ticked off
                lines.append(f"- [x] {rng.choice(opened[-9:-3])}")
            items = "\n".join(lines)
            text = f"---\ndate: {day}\nwith: 田中さん\n---\n## メモ\n- {rng.choice(nouns)}の状況を話した\n\n## アクション\n{items}\n"
            (folder / f"{day}.md").write_text(text, encoding="utf-8")
        settings = load_settings(env={"COACH_DATA_DIR": str(Path(tmp) / "data"), "COACH_LANG": "ja"})
        started = time.perf_counter()
        import_dir(folder, settings, index=False)
        imported = time.perf_counter() - started
        for cached in (ledger._alike, ledger._forms, ledger._grams, ledger._closure_keys):
            cached.cache_clear()
        similarity_module.wording_form.cache_clear()
        similarity_module.compact.cache_clear()
        store = Store.open(settings)
        started = time.perf_counter()
        with sqlite3.connect(store.path) as db:
            ledger.rebuild_ledger(db, ledger_meaning(settings))
        replay = time.perf_counter() - started
        actions = len(store.actions())
    print(
        f"speed: {count} generated meetings ({actions} actions): import without the index {imported:.1f} s; "
        f"ledger replay, caches cleared {replay:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", choices=["a", "b", "both"], default="both")
    parser.add_argument("--show", action="store_true", help="list every wrong, missing or invented item")
    parser.add_argument(
        "--scale", type=int, default=1000, help="generated meetings for the speed figure (0: skip)"
    )
    args = parser.parse_args()
    started = dt.datetime.now()
    for corpus in ("b", "a") if args.corpus == "both" else (args.corpus,):
        label = "tune" if corpus == "b" else "check"
        print(f"[{label}]", end=" ")
        run(corpus, args.show)
    print(f"({(dt.datetime.now() - started).total_seconds():.1f} s)")
    if args.scale:
        speed(args.scale)


if __name__ == "__main__":
    main()
