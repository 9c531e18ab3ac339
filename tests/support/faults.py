"""Fault drills through real `coach` processes: a synthetic notes folder, a CLI runner, kill -9.

The meetings are generated, not taken from the evaluation data: each one carries a topic word of
its own, so "search finds every meeting" can be checked meeting by meeting.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from coach.config import Settings, load_settings
from coach.memory.markdown import parse_meeting
from coach.search import vectors
from coach.text.passages import passages_of

ROOT = Path(__file__).resolve().parents[2]
TOPICS = [
    "検索基盤",
    "請求バッチ",
    "監視ダッシュボード",
    "採用面接",
    "オンボーディング",
    "負荷試験",
    "設計レビュー",
]


def topic(i: int) -> str:
    """A word found in meeting `i` only (a topic plus a project code)."""
    return f"{TOPICS[i % len(TOPICS)]}PRJ{i:04d}"


def write_meetings(
    folder: Path, count: int, start: dt.date = dt.date(2025, 1, 6), *, action_every: int = 1
) -> list[str]:
    """`count` weekly meetings, four passages each (preamble and three sections).

    Every `action_every`-th meeting ends with an open action (0: none); the others end with plain
    information. Fewer actions keep the ledger replay (which compares sentences by meaning)
    short in the tests that do not look at the ledger."""
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for i in range(count):
        day = start + dt.timedelta(days=7 * i)
        name = f"{day.isoformat()}.md"
        (folder / name).write_text(
            f"---\ndate: {day.isoformat()}\nwith: 佐藤さん\ntitle: 週次 {i}\n---\n"
            f"{topic(i)} の進捗を報告した。先週より{i % 9 + 1}件多く片付いた。\n\n"
            f"## 課題・相談事項\n- {topic(i)} のレビュー待ちが溜まっている\n\n"
            f"## 得られた情報\n- {topic(i)} の締め切りは翌月末\n\n"
            + (
                f"## 次のアクション\n- [ ] {topic(i)} の手順書を書く\n"
                if action_every and i % action_every == 0
                else f"## メモ\n- {topic(i)} の手順書\n"
            ),
            encoding="utf-8",
        )
        names.append(name)
    return names


def notes_folder(factory: pytest.TempPathFactory, count: int, *, action_every: int) -> Path:
    """A fresh folder of `count` generated meetings (see `write_meetings`)."""
    folder = factory.mktemp("notes")
    write_meetings(folder, count, action_every=action_every)
    return folder


def expected_passages(folder: Path) -> dict[str, int]:
    """file -> passages the index must hold, from the meeting files themselves."""
    found = {}
    for path in sorted(folder.glob("*.md")):
        if path.is_file() and not path.is_symlink():
            meeting = parse_meeting(path.read_text(encoding="utf-8"), path.name).meeting
            found[path.name] = len(passages_of(meeting))
    return found


def environment(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COACH_", "OPENAI_"))}
    env.update(
        COACH_DATA_DIR=str(data_dir), COACH_LANG="en", COACH_ENGINE="offline", ANONYMIZED_TELEMETRY="False"
    )
    env.update(extra)
    return env


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "coach.cli", *args]


def coach(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run `coach ARGS` to the end in a fresh process."""
    return subprocess.run(
        command(*args), cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def import_notes(data_dir: Path, notes: Path, *, timeout: float = 300) -> dict[str, Any]:
    """`coach import NOTES` into `data_dir`, run to the end: its JSON report (a failure fails the test)."""
    done = coach(environment(data_dir), "import", str(notes), timeout=timeout)
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def at_progress(label: str, done: int) -> Callable[[str], bool]:
    """A stderr line of the `label` progress bar that has reached `done` items."""
    bar = re.compile(rf"^{re.escape(label)} \[[#.]*\] (\d+)/(\d+)")

    def reached(line: str) -> bool:
        found = bar.match(line)
        return found is not None and int(found.group(1)) >= done

    return reached


def kill_at(
    env: dict[str, str], args: list[str], when: Callable[[str], bool], *, timeout: float = 300
) -> list[str]:
    """Start `coach ARGS`, SIGKILL it as soon as a stderr line satisfies `when`; return the lines seen.

    Fails (AssertionError) when the process ends before such a line: the drill would not test the
    point it names."""
    process = subprocess.Popen(
        command(*args), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    assert process.stderr is not None
    seen: list[str] = []
    try:
        for line in process.stderr:
            seen.append(line.rstrip())
            if when(line):
                os.kill(process.pid, signal.SIGKILL)
                break
        process.wait(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == -signal.SIGKILL, f"finished before the kill point: {seen[-5:]}"
    return seen


def settings_for(data_dir: Path, **extra: str) -> Settings:
    return load_settings(env=environment(data_dir, **extra))


def index_holds(settings: Settings) -> dict[str, int]:
    """file -> passages the vector index holds, read fresh from its files."""
    vectors._forget_clients(settings)
    return vectors.indexed_files(settings)
