"""Shared fixtures: every test runs with its own data dir and the offline engine."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

pytest_plugins = ["tests.support.llm_server"]

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("COACH_SHARED_DIR", ROOT.parent / "shared"))
EVAL = SHARED / "eval"


def load_jsonl(name: str) -> list[dict[str, Any]]:
    path = EVAL / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point COACH_DATA_DIR at a fresh temp dir; never reach a real LLM or chroma server."""
    data_dir = tmp_path / "coach-data"
    monkeypatch.setenv("COACH_DATA_DIR", str(data_dir))
    monkeypatch.setenv("COACH_ENGINE", "offline")
    monkeypatch.setenv("COACH_LANG", "en")
    for name in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "COACH_CHROMA_URL",
        "COACH_LLM_MODEL",
        "COACH_LLM_METHOD",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    return data_dir


@pytest.fixture(scope="session")
def eval_dir() -> Path:
    if not EVAL.is_dir():
        pytest.fail(f"evaluation data not found at {EVAL}; set COACH_SHARED_DIR")
    return EVAL


@pytest.fixture(scope="session")
def meetings_dir(eval_dir: Path) -> Path:
    return eval_dir / "meetings"
