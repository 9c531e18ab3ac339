"""Acceptance checks found by driving the real CLI with messy input of our own.

Each test names the product requirement it guards; inputs are ours, not from shared/eval.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from coach.config import load_settings
from coach.flows.imports import import_dir
from coach.flows.rewrite import extract_entries
from coach.memory.store import Store


def _coach(*args: str, stdin: bytes = b"", env_lang: str = "en") -> subprocess.CompletedProcess[bytes]:
    import os

    env = {**os.environ, "COACH_LANG": env_lang}
    return subprocess.run(
        [sys.executable, "-m", "coach.cli", *args], input=stdin, capture_output=True, env=env, timeout=120
    )


# ------------------------------------------------------------------ rewrite: one entry per piece of work


def test_two_bullets_each_with_its_own_metric_give_two_entries() -> None:
    """A top-level bullet that states a different result in a full sentence is a second piece of work."""
    notes = (
        "\ufeff・決済APIのP95レイテンシを３２０ms→１８０msに改善した。キャッシュ導入。\r\n\r\n"
        "・CIのビルド時間を4時間→35分に短縮 🎉\r\n"
    )
    entries = extract_entries(notes.replace("\ufeff", "").replace("\r\n", "\n"))
    assert len(entries) == 2, [e.title for e in entries]
    assert [m.source for m in entries[0].metrics] == ["３２０ms→１８０ms"]
    assert [m.source for m in entries[1].metrics] == ["4時間→35分"]
    assert entries[1].metrics[0].change_pct == -85.42


def test_any_verb_of_change_tells_a_whole_result() -> None:
    """圧縮した / 増やした: the verb need not be one of a fixed list for the line to be its own work."""
    notes = "・NPSを3.6から4.2に改善\n・ログ容量を1.5GB -> 300MBに圧縮した\n・月間PVを50kから120kに増やした\n"
    entries = extract_entries(notes)
    assert [len(e.metrics) for e in entries] == [1, 1, 1], [e.title for e in entries]


def test_english_bullets_with_separate_results_give_two_entries() -> None:
    notes = (
        "- Rewrote the search indexer; indexing went from 50 min to 12 min\n"
        "- Reduced the monthly log bill from $8k to $3k by moving cold logs to S3\n"
    )
    entries = extract_entries(notes)
    assert len(entries) == 2, [e.title for e in entries]


def test_a_bare_metric_bullet_still_belongs_to_the_work_above() -> None:
    """The split above must not break the common layout: the work, then its numbers as bullets."""
    notes = "- 検索APIにキャッシュを入れた\n- p95 900ms→250ms\n- エラー率 1.2%→0.3%\n"
    entries = extract_entries(notes)
    assert len(entries) == 1
    assert len(entries[0].metrics) == 2


def test_an_indented_sub_bullet_belongs_to_its_parent_item() -> None:
    """`\\t- 目標は…` under a bullet details that item; it is no piece of work of its own."""
    notes = "・CIのビルド時間を4時間→35分に短縮した\n\t- 目標は30分以下だった\n・新人のオンボーディング資料を整備した\n"
    entries = extract_entries(notes)
    assert len(entries) == 2, [e.title for e in entries]
    assert "30分以下" in entries[0].task
    assert [m.source for m in entries[0].metrics] == ["4時間→35分"]


# ------------------------------------------------------------------ memory: owners and due dates


def test_bracket_owner_tags_name_the_manager() -> None:
    """`【上司】…` / `[Manager] …` / `【田中さん】…` is how many people mark whose action it is."""
    from coach.memory.markdown import parse_meeting

    text = (
        "---\nwith: 田中さん\n---\n## 次のアクション\n"
        "- [ ] 【上司】予算を確認する (期限: 2026-02-10)\n"
        "- [ ] 【田中さん】評価面談の日程を決める\n"
        "- [ ] [Manager] share the headcount plan\n"
        "- [ ] 【自分】設計書を書く\n"
        "- [ ] 【重要】負荷試験をする\n"
    )
    parsed = parse_meeting(text, "2026-02-01.md")
    owners = {item.text: item.owner for item in parsed.checklist}
    assert owners == {
        "予算を確認する": "manager",
        "評価面談の日程を決める": "manager",
        "share the headcount plan": "manager",
        "設計書を書く": "me",
        "【重要】負荷試験をする": "me",
    }


# ------------------------------------------------------------------ review: no-surprise check


def test_a_result_never_shared_is_unshared_not_a_misquote_of_another(
    tmp_path: Path, meetings_dir: Path
) -> None:
    """A claim about other work whose numbers share nothing with a meeting's result was never shared.

    Sharing only generic words (時間, 短縮) with a meeting that reported a different before→after
    must not turn it into "the number differs" there: the user has to raise it, not correct it.
    """
    from coach.flows.review import check_claims
    from coach.models import Period

    settings = load_settings(data_dir=tmp_path / "data")
    import_dir(meetings_dir, settings, index=False)
    period = Period.model_validate({"from": "2026-01-01", "to": "2026-06-30"})
    sheet = "- CIのビルド時間を4時間→35分に短縮した\n- 新人の開発環境セットアップを3日から1日に短縮した\n"
    check = check_claims(sheet, period, settings)
    status = {c.claim: c.status for c in check.claims}
    assert status["CIのビルド時間を4時間→35分に短縮した"] == "unshared"
    # the same work misquoted (3日→1日 where the meeting said 3日→半日) is still a differing number
    assert status["新人の開発環境セットアップを3日から1日に短縮した"] == "number_differs"


def test_actions_markdown_speaks_the_users_language(tmp_path: Path) -> None:
    """`coach actions` with COACH_LANG=ja: headings, statuses and the empty row in Japanese."""
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "2026-02-01.md").write_text(
        "## 次のアクション\n- [ ] 設計書を書く (期限: 2026-02-10)\n", "utf-8"
    )
    import_dir(notes, load_settings(), index=False)
    out = _coach("actions", "--as-of", "2026-03-01", env_lang="ja")
    assert out.returncode == 0, out.stderr.decode()
    text = out.stdout.decode()
    assert "設計書を書く" in text and "期限切れ" in text
    assert "overdue" not in text and "Actions" not in text
    english = _coach("actions", "--as-of", "2026-03-01", env_lang="en").stdout.decode()
    assert "overdue" in english


def test_import_warnings_speak_the_users_language(tmp_path: Path) -> None:
    """A folder with a stray file, broken front matter and a binary .md: every warning in Japanese."""
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "2026-02-01.md").write_text("## 次のアクション\n- [ ] 設計書を書く\n", "utf-8")
    (notes / "2026-02-05.md").write_text("---\ndate: [broken\n---\n## 決まったこと\n- 続ける\n", "utf-8")
    (notes / "2026-02-06.md").write_bytes(bytes(range(256)) * 4)
    (notes / "memo.md").write_text("not a meeting\n", "utf-8")
    out = _coach("import", str(notes), env_lang="ja")
    assert out.returncode == 0, out.stderr.decode()
    report = json.loads(out.stdout)
    assert report["imported"] == 2
    assert len(report["warnings"]) == 3
    for warning in report["warnings"]:
        assert any("\u3040" <= ch <= "\u30ff" for ch in warning), warning
    settings = load_settings(language="ja")
    again = import_dir(notes, settings, index=False)
    assert again.unchanged == 2 and len(again.warnings) == 3
    assert all(any("\u3040" <= ch <= "\u30ff" for ch in w) for w in again.warnings)
    assert len(Store.open(settings).meetings()) == 2


# ------------------------------------------------------------------ LLM path end to end through the CLI

SECRET = "sk-qa-SECRET-7f3a"


def test_llm_failures_fall_back_visibly_keep_the_text_and_never_leak_the_key(
    llm_server: Any, isolated_env: Path
) -> None:
    """Each prepare flow through the real CLI against a loopback server answering HTTP 500.

    The user sees the fallback notice (JSON warnings and Markdown), their text is in the store,
    and the API key is nowhere: not in stdout/stderr, not in any file of the data dir.
    """
    import os

    env = {
        **os.environ,
        "OPENAI_BASE_URL": llm_server.base_url,
        "OPENAI_API_KEY": SECRET,
        "COACH_LLM_TIMEOUT": "2",
        "COACH_LLM_RETRIES": "0",
    }
    notes = "・請求バッチの実行時間を3時間→40分に短縮した\n"
    concerns = "【相談】負荷試験の環境がない\n"
    runs = []
    for args, text in (
        (["rewrite", "-", "--engine", "llm"], notes),
        (["rewrite", "-", "--engine", "llm", "--json"], notes),
        (["triage", "-", "--engine", "llm"], concerns),
        (["triage", "-", "--engine", "llm", "--json"], concerns),
        (["intent", "来期はチームリードをしたい", "--engine", "llm", "--json"], ""),
        (["intent", "来期はチームリードをしたい", "--engine", "llm"], ""),
    ):
        for _ in range(3):
            llm_server.reply_status(500, "boom")
        run = subprocess.run(
            [sys.executable, "-m", "coach.cli", *args],
            input=text.encode(),
            capture_output=True,
            env={**env, "COACH_LANG": "ja"},
            timeout=120,
        )
        runs.append(run)
        out = run.stdout.decode()
        assert run.returncode == 0, run.stderr.decode()
        assert "オフライン" in out, (args, out)  # the notice, in the user's language
        if "--json" in args:
            data = json.loads(out)
            assert data["engine"] == "offline (fallback)" and data["warnings"]
    assert llm_server.requests, "the CLI never reached the loopback server"
    for run in runs:
        assert SECRET not in run.stdout.decode() + run.stderr.decode()
    for path in isolated_env.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
    settings = load_settings()
    store = Store.open(settings)
    assert [text for _, _, text, _ in store.inputs("rewrite")] == [notes, notes]
    assert [text for _, _, text, _ in store.inputs("triage")] == [concerns, concerns]
    assert len(store.inputs("intent")) == 2


def test_the_console_script_explains_usage_errors_in_japanese(tmp_path: Path) -> None:
    import os

    env = {**os.environ, "COACH_LANG": "ja", "COACH_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "coach.cli", "actions", "--as-of", "2026/01/01"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2
    assert "使い方が正しくありません" in done.stderr and "Traceback" not in done.stderr
