"""A chroma server (COACH_CHROMA_URL) that dies mid-session: search answers from keyword search with
a notice, an import saves and says the index is behind, and a plain rerun catches the index up."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.faults import (
    coach,
    environment,
    expected_passages,
    index_holds,
    settings_for,
    write_meetings,
)
from tests.support.processes import free_port, wait_for_http

pytestmark = pytest.mark.slow
CHROMA = Path(sys.executable).with_name("chroma")


def start_chroma(path: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]
    with log.open("ab") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    wait_for_http(f"http://127.0.0.1:{port}/api/v2/heartbeat", server, log=log)
    return server


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGKILL)
    server.wait(timeout=30)


def test_server_dies_then_comes_back(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    write_meetings(notes, 4, action_every=0)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = environment(tmp_path / "data", COACH_CHROMA_URL=url)
    log = tmp_path / "chroma.log"
    server = start_chroma(tmp_path / "server", port, log)
    try:
        done = coach(env, "import", str(notes))
        assert done.returncode == 0, done.stderr
        assert index_holds(settings_for(tmp_path / "data", COACH_CHROMA_URL=url)) == expected_passages(notes)
    finally:
        stop(server)

    # The server is gone: search still answers, from keyword search, and says so.
    found = coach(env, "search", "PRJ0002 の締め切り", "--json")
    assert found.returncode == 0, found.stderr
    results = json.loads(found.stdout)
    assert results["results"][0]["file"] == sorted(expected_passages(notes))[2]
    assert any("keyword search" in n or "キーワード検索" in n for n in results["notices"])

    # An import while it is down saves the meetings and says the index is behind, without failing.
    write_meetings(notes, 6, action_every=0)
    behind = coach(env, "import", str(notes))
    assert behind.returncode == 0, behind.stderr
    report = json.loads(behind.stdout)
    assert report["imported"] == 2 and report["index"]["pending"] >= 1
    assert any("coach reindex" in w for w in report["warnings"])

    # The server is back (same data): a plain rerun catches the index up.
    server = start_chroma(tmp_path / "server", port, log)
    try:
        rerun = coach(env, "import", str(notes))
        assert rerun.returncode == 0, rerun.stderr
        assert json.loads(rerun.stdout)["index"]["indexed"] == 2
        assert index_holds(settings_for(tmp_path / "data", COACH_CHROMA_URL=url)) == expected_passages(notes)
    finally:
        stop(server)
