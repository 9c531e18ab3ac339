"""Real servers for tests: a free loopback port, and a subprocess that is always stopped."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_http(
    url: str, process: subprocess.Popen[bytes], *, timeout: float = 60.0, log: Path | None = None
) -> None:
    """Poll `url` until it answers 200; fail the test with the server's log if it dies or hangs."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
            pytest.fail(f"server behind {url} did not start (exit code {process.poll()}):\n{tail}")
        time.sleep(0.25)


@contextmanager
def running(
    command: list[str], *, ready: Callable[[subprocess.Popen[bytes]], None], log: Path, **popen: object
) -> Iterator[subprocess.Popen[bytes]]:
    """Start `command`, wait until `ready(process)` returns, and terminate it on exit."""
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, **popen)  # type: ignore[call-overload]
    try:
        ready(process)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
