"""The app is not offered to the network unless asked: loopback by default, COACH_HOST on purpose."""

from __future__ import annotations

import os
import socket
import subprocess
import tomllib
from pathlib import Path

import pytest

from coach.config import DEFAULT_HOST, app_host
from tests.support.faults import ROOT, environment
from tests.support.processes import free_port, running, wait_for_http


def test_streamlit_config_binds_loopback() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["address"] == "127.0.0.1"


def test_exposing_the_app_is_an_explicit_setting() -> None:
    assert app_host({}) == DEFAULT_HOST == "127.0.0.1"
    assert app_host({"COACH_HOST": " "}) == "127.0.0.1"
    assert app_host({"COACH_HOST": "0.0.0.0"}) == "0.0.0.0"


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a socket in LISTEN state on `port`, from /proc/net/tcp{,6}."""
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if int(hex_port, 16) == port and fields[3] == "0A" and len(address) == width:
                raw = bytes.fromhex(address)
                if width == 8:
                    found.add(socket.inet_ntop(socket.AF_INET, raw[::-1]))
                else:
                    words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
                    found.add(socket.inet_ntop(socket.AF_INET6, words))
    return found


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/proc/net/tcp"), reason="reads the socket table of Linux")
def test_a_fresh_app_sh_listens_on_loopback_only(tmp_path: Path) -> None:
    port = free_port()
    env = environment(tmp_path / "data", COACH_SKIP_SETUP="1")
    env.pop("COACH_HOST", None)
    log = tmp_path / "app.log"
    command = ["bash", str(ROOT / "scripts" / "app.sh"), "--server.port", str(port)]
    with running(
        command,
        ready=lambda process: wait_for_http(
            f"http://127.0.0.1:{port}/_stcore/health", process, timeout=120, log=log
        ),
        log=log,
        env=env,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
    ):
        assert listening_addresses(port) == {"127.0.0.1"}


def test_redact_cuts_the_configured_key_and_key_shaped_tokens_only() -> None:
    from coach.config import REDACTED, redact

    key = "my-own-gateway-key-42"
    echoed = f"The server said: invalid key {key} (Authorization: Bearer abcdefghijklmnopqrstu)"
    assert redact(echoed, [key]) == f"The server said: invalid key {REDACTED} (Authorization: {REDACTED})"
    for token in ("sk-" + "A1b2" * 6, "ghp_" + "x" * 36, "hf_" + "Q" * 30, "AKIA" + "ABCDEFGHIJKLMNOP"):
        assert redact(f"leaked {token} here") == f"leaked {REDACTED} here"
    ordinary = "sk-1 の件、Bearer トークンの期限、AKIA という略語、hf_x は残る。"
    assert redact(ordinary, ["x", "ollama"]) == ordinary  # short placeholders are not secrets
