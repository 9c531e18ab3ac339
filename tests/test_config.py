"""Settings through pydantic-settings: bad values explained in the user's language, from the real CLI.

The CLI runs as a subprocess (`python -m coach.cli`), with exactly the environment a user would
have, so these tests see what the user sees: the exit code, stderr, and no traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from coach.config import Settings, load_settings
from coach.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
KEEP = ("PATH", "HOME", "SYSTEMROOT", "TMPDIR")


def coach(
    args: list[str], env: dict[str, str], data_dir: Path, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """The real `coach` command with only `env` (and the data dir) set, as a user's shell would."""
    base = {name: os.environ[name] for name in KEEP if name in os.environ}
    base.update({"COACH_DATA_DIR": str(data_dir), "ANONYMIZED_TELEMETRY": "False", "PYTHONPATH": str(ROOT)})
    base.update(env)
    return subprocess.run(
        [sys.executable, "-m", "coach.cli", *args],
        env=base,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    path = tmp_path / "notes.md"
    path.write_text("- Cut the deploy time from 40 min to 12 min by caching the build.\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("env", "variable", "allowed", "language"),
    [
        ({"COACH_ENGINE": "bogus", "COACH_LANG": "en"}, "COACH_ENGINE", "offline | llm", "en"),
        ({"COACH_ENGINE": "bogus", "COACH_LANG": "ja"}, "COACH_ENGINE", "offline | llm", "ja"),
        ({"COACH_LLM_TIMEOUT": "abc", "COACH_LANG": "en"}, "COACH_LLM_TIMEOUT", "a number above 0", "en"),
        ({"COACH_LLM_TIMEOUT": "abc", "COACH_LANG": "ja"}, "COACH_LLM_TIMEOUT", "0 より大きい数値", "ja"),
        ({"COACH_LLM_RETRIES": "-1", "COACH_LANG": "en"}, "COACH_LLM_RETRIES", "0 or more", "en"),
        (
            {"COACH_LLM_METHOD": "xml", "COACH_LANG": "en"},
            "COACH_LLM_METHOD",
            "json_schema | function_calling",
            "en",
        ),
        # No COACH_LANG: the locale decides the language of the message.
        (
            {"COACH_FISCAL_START_MONTH": "13", "LANG": "ja_JP.UTF-8"},
            "COACH_FISCAL_START_MONTH",
            "1〜12",
            "ja",
        ),
        (
            {"COACH_FISCAL_START_MONTH": "April", "LANG": "en_US.UTF-8"},
            "COACH_FISCAL_START_MONTH",
            "1 to 12",
            "en",
        ),
        # A bad COACH_LANG is itself reported, in the locale's language.
        ({"COACH_LANG": "fr", "LANG": "en_US.UTF-8"}, "COACH_LANG", "ja | en", "en"),
    ],
)
def test_a_bad_setting_is_a_message_not_a_traceback(
    env: dict[str, str], variable: str, allowed: str, language: str, notes: Path, tmp_path: Path
) -> None:
    done = coach(["rewrite", str(notes)], env, tmp_path / "data")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert variable in done.stderr and allowed in done.stderr
    value = next(v for k, v in env.items() if k == variable)
    assert repr(value) in done.stderr  # the value the user gave, so they can find it
    if language == "ja":
        assert done.stderr.startswith("エラー: ") and "直して" in done.stderr
    else:
        assert done.stderr.startswith("Error: ") and "Fix it" in done.stderr
    assert not (tmp_path / "data").exists()  # nothing was written with a bad configuration


def test_every_bad_variable_is_named_at_once(notes: Path, tmp_path: Path) -> None:
    env = {"COACH_ENGINE": "bogus", "COACH_LLM_TIMEOUT": "soon", "COACH_LANG": "en"}
    done = coach(["rewrite", str(notes)], env, tmp_path / "data")
    assert done.returncode == 2
    assert "COACH_ENGINE" in done.stderr and "COACH_LLM_TIMEOUT" in done.stderr


def test_a_bad_setting_stops_even_commands_that_read_no_file(tmp_path: Path) -> None:
    done = coach(["agenda", "--json"], {"COACH_ENGINE": "LLMX", "COACH_LANG": "en"}, tmp_path / "data")
    assert done.returncode == 2 and "COACH_ENGINE" in done.stderr and "Traceback" not in done.stderr


def test_good_settings_are_read_case_insensitively_and_empty_means_unset(notes: Path, tmp_path: Path) -> None:
    env = {"COACH_ENGINE": "Offline", "COACH_LLM_TIMEOUT": "", "COACH_LANG": "EN"}
    done = coach(["rewrite", str(notes), "--json"], env, tmp_path / "data")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["engine"] == "offline"


def test_fiscal_start_month_reaches_the_review_period(tmp_path: Path) -> None:
    """COACH_FISCAL_START_MONTH moves 上期 in `coach review --period` (the empty store's error names
    the resolved period)."""
    spans = {}
    for month in ("4", "10"):
        env = {"COACH_FISCAL_START_MONTH": month, "COACH_LANG": "en"}
        done = coach(["review", "--period", "2026上期", "--json"], env, tmp_path / f"data{month}")
        assert done.returncode == 2 and "Traceback" not in done.stderr
        spans[month] = done.stderr
    assert "between 2026-04-01 and 2026-09-30" in spans["4"]
    assert "between 2026-10-01 and 2027-03-31" in spans["10"]


def test_fiscal_start_month_reaches_the_date_filter_of_a_question(tmp_path: Path) -> None:
    """The same month moves 上半期 in a question to Ask/search, as it moves it in the review."""
    filters = {}
    for month in ("4", "1"):
        env = {"COACH_FISCAL_START_MONTH": month, "COACH_LANG": "ja"}
        done = coach(["search", "2026上半期に決まったことは?", "--json"], env, tmp_path / f"data{month}")
        assert done.returncode == 0, done.stderr
        filters[month] = json.loads(done.stdout)["date_filter"]
    assert filters["4"] == ["2026-04-01", "2026-09-30"]
    assert filters["1"] == ["2026-01-01", "2026-06-30"]


# ----------------------------------------------------------------------- load_settings itself


def test_secrets_fill_what_the_environment_leaves_unset(tmp_path: Path) -> None:
    settings = load_settings(
        env={"COACH_DATA_DIR": str(tmp_path), "COACH_ENGINE": "llm", "COACH_LLM_MODEL": ""},
        secrets={"COACH_ENGINE": "offline", "COACH_LLM_MODEL": "qwen2.5", "COACH_FISCAL_START_MONTH": 7},
    )
    assert settings.engine == "llm"  # the environment wins
    assert settings.llm_model == "qwen2.5"  # empty in the environment: the secret fills it
    assert settings.fiscal_start_month == 7


def test_a_bad_secret_is_reported_like_a_bad_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(env={"COACH_DATA_DIR": str(tmp_path)}, secrets={"COACH_LLM_RETRIES": "many"})
    assert "COACH_LLM_RETRIES='many'" in caught.value.message("en")
    assert "整数" in caught.value.message("ja")


def test_overrides_in_code_win_and_use_field_names(tmp_path: Path) -> None:
    settings = load_settings(
        env={"COACH_DATA_DIR": "/nowhere", "COACH_ENGINE": "llm"}, data_dir=tmp_path, engine="offline"
    )
    assert (settings.data_dir, settings.engine) == (tmp_path, "offline")
    with pytest.raises(ConfigError) as caught:
        load_settings(env={}, fiscal_start_month=0)
    assert "COACH_FISCAL_START_MONTH='0'" in caught.value.message("en")


def test_language_comes_from_coach_lang_else_the_locale(tmp_path: Path) -> None:
    base = {"COACH_DATA_DIR": str(tmp_path)}
    assert load_settings(env={**base, "LANG": "ja_JP.UTF-8"}).language == "ja"
    assert load_settings(env={**base, "LANG": "ja_JP.UTF-8", "COACH_LANG": "en"}).language == "en"
    assert load_settings(env={**base, "LC_ALL": "C"}).language == "en"


def test_settings_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`Settings()` is a pydantic-settings model: the variables are its source, empty ones unset."""
    monkeypatch.setenv("COACH_FISCAL_START_MONTH", "10")
    monkeypatch.setenv("COACH_LLM_TIMEOUT", "")
    settings = Settings(data_dir=tmp_path)
    assert settings.fiscal_start_month == 10 and settings.llm_timeout == 60.0


def test_the_api_key_is_never_echoed_in_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(
            env={"COACH_DATA_DIR": str(tmp_path), "OPENAI_API_KEY": "sk-secret-123", "COACH_ENGINE": "x"}
        )
    assert "sk-secret-123" not in caught.value.message("en") + caught.value.message("ja")


# ----------------------------------------------------------------------- the UI


def test_the_app_shows_a_bad_setting_instead_of_crashing(monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("COACH_ENGINE", "bogus")
    monkeypatch.setenv("COACH_LANG", "ja")
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60).run()
    assert not at.exception
    errors = [element.value for element in at.error]
    assert len(errors) == 1 and "COACH_ENGINE" in errors[0] and "offline | llm" in errors[0]
    assert "使える値" in errors[0]
