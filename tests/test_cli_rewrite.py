"""`coach rewrite`: JSON shape, stdin and files, clear errors without tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from coach.cli import main
from tests.conftest import load_jsonl

ENTRY_KEYS = {
    "title",
    "situation",
    "task",
    "action",
    "result",
    "statement",
    "metrics",
    "missing",
    "questions",
}
METRIC_KEYS = {"name", "before", "after", "unit", "change_pct", "source", "qualifier", "why"}


def test_json_shape_from_a_file(tmp_path: Path) -> None:
    case = load_jsonl("rewrite_dev.jsonl")[0]
    notes = tmp_path / "notes.md"
    notes.write_text(case["notes"], encoding="utf-8")
    run = CliRunner().invoke(main, ["rewrite", str(notes), "--json"])
    assert run.exit_code == 0, run.output
    data = json.loads(run.output)
    assert set(data) == {"language", "engine", "entries", "warnings", "next"}
    assert (data["language"], data["engine"]) == ("ja", "offline")
    entry = data["entries"][0]
    assert set(entry) == ENTRY_KEYS
    assert set(entry["metrics"][0]) == METRIC_KEYS
    assert entry["metrics"][0]["source"] in case["notes"]


def test_stdin_and_markdown() -> None:
    run = CliRunner().invoke(
        main, ["rewrite", "-"], input="Runtime dropped from 5.5h to 1.2h after I split the job."
    )
    assert run.exit_code == 0, run.output
    assert run.output.startswith("# Results in STAR form")
    assert "5.5h" in run.output


def test_engine_option_llm_without_a_server_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("COACH_LLM_TIMEOUT", "2")
    run = CliRunner().invoke(
        main, ["rewrite", "-", "--json", "--engine", "llm"], input="ドキュメント整備をがんばった。"
    )
    assert run.exit_code == 0, run.output
    data = json.loads(run.output)
    assert data["engine"] == "offline (fallback)" and data["warnings"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\x00\x01binary\x00", "binary"),
        (b"a" * (1024 * 1024), "too large"),
    ],
    ids=["empty", "binary", "1MB"],
)
def test_bad_input_gives_a_message_and_non_zero_exit(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(content)
    run = CliRunner().invoke(main, ["rewrite", str(path), "--json"])
    assert run.exit_code != 0
    assert message in run.output
    assert "Traceback" not in run.output


def test_missing_file_in_japanese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_LANG", "ja")
    run = CliRunner().invoke(main, ["rewrite", "no-such-file.md"])
    assert run.exit_code == 2
    assert "ファイルが見つかりません" in run.output
