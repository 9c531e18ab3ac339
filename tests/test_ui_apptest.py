"""Every page driven through Streamlit's AppTest, against the real core and a temp data dir."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from coach.models import Language
from tests.conftest import load_jsonl
from tests.support.llm_server import API_KEY, LLMServer
from ui.i18n import TEXTS, text

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "streamlit_app.py")
TIMEOUT = 120
FILE_TYPES = (".md", ".txt", ".png", ".svg", ".zip")


def page_script(page: str) -> None:
    """Stands in for the router on one page: same session set-up and sidebar, then the page."""
    import importlib

    from ui import common

    common.init_session()
    common.sidebar()
    importlib.import_module(f"ui.{page}").render()


def open_page(page: str) -> AppTest:
    return AppTest.from_function(page_script, args=(page,), default_timeout=TIMEOUT).run()


def rewrite_case(lang: str) -> dict[str, object]:
    """The first dev case in that language with a before→after metric."""
    return next(c for c in load_jsonl("rewrite_dev.jsonl") if c["lang"] == lang and c["metrics"])


def notices(at: AppTest) -> list[str]:
    """The sidebar's privacy notice as the user reads it (Streamlit shows the emoji as the icon)."""
    return [f"{a.icon} {a.value}".strip() for a in [*at.sidebar.success, *at.sidebar.warning]]


def all_text(at: AppTest) -> str:
    parts: list[str] = []
    for kind in ("markdown", "caption", "success", "warning", "error", "info", "code", "title", "subheader"):
        parts += [str(getattr(element, "value", "")) for element in getattr(at, kind)]
    return "\n".join(parts)


# ------------------------------------------------------------------------- i18n


def test_every_ui_string_has_japanese_and_english() -> None:
    incomplete = [key for key, entry in TEXTS.items() if not entry.get("ja") or not entry.get("en")]
    assert incomplete == []
    fields = {
        key: (set(re.findall(r"{(\w+)}", e["ja"])), set(re.findall(r"{(\w+)}", e["en"])))
        for key, e in TEXTS.items()
    }
    assert {key for key, (ja, en) in fields.items() if ja != en} == set()


def test_every_key_used_by_the_pages_exists() -> None:
    sections = {key.split(".")[0] for key in TEXTS}
    used: set[str] = set()
    for source in [ROOT / "streamlit_app.py", *sorted((ROOT / "ui").glob("*.py"))]:
        used |= set(re.findall(r"""\bt(?:ext)?\(\s*["']([a-z_]+\.[a-z_]+)["']""", source.read_text("utf-8")))
        # Keys handed to helpers (text_box, Step tables) are literals with a section prefix.
        literals = set(re.findall(r"""["']([a-z]+\.[a-z_]+)["']""", source.read_text("utf-8")))
        used |= {key for key in literals if key.split(".")[0] in sections and not key.endswith(FILE_TYPES)}
    assert used, "no i18n keys found in the pages"
    assert sorted(used - TEXTS.keys()) == []


def test_labels_exist_for_every_value_the_core_can_return() -> None:
    from typing import get_args

    from coach.models import Bucket, ClaimCheck, MissingPart, Owner
    from ui.rewrite import CARD_FIELDS

    status = get_args(ClaimCheck.model_fields["status"].annotation)
    wanted = (
        [f"missing.{v}" for v in get_args(MissingPart)]
        + [f"bucket.{v}" for v in get_args(Bucket)]
        + [f"owner.{v}" for v in get_args(Owner)]
        + [f"status.{v}" for v in status]
        + [f"field.{v}" for v in CARD_FIELDS]
        + [f"nav.{page}" for page in ("rewrite", "prepare", "record", "actions", "ask", "review")]
    )
    assert sorted(set(wanted) - TEXTS.keys()) == []


# ------------------------------------------------------------------------- router and sidebar


def test_app_opens_on_rewrite_offline_in_english() -> None:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert at.title[0].value == text("rewrite.title", "en")
    assert notices(at) == [text("sidebar.local", "en")]
    assert "`offline`" in "\n".join(str(m.value) for m in at.sidebar.markdown)
    assert len(at.sidebar.toggle) == 0, "no engine toggle without an LLM endpoint"


def test_app_in_japanese_from_settings_and_switchable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_LANG", "ja")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert at.title[0].value == text("rewrite.title", "ja")
    assert notices(at) == ["🔒 オフライン: テキストはこのマシンから出ません"]
    at.session_state["lang"] = "en"
    at.run()
    assert at.title[0].value == text("rewrite.title", "en")


def test_remote_llm_is_announced_and_the_key_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_LANG", "ja")
    monkeypatch.setenv("COACH_ENGINE", "llm")
    monkeypatch.setenv("OPENAI_BASE_URL", "https://llm.example.com/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-secret-value")
    monkeypatch.setenv("COACH_LLM_MODEL", "my-model")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert notices(at) == ["⚠ テキストは llm.example.com に送信されます"]
    assert "`llm:my-model at llm.example.com`" in "\n".join(str(m.value) for m in at.sidebar.markdown)
    assert at.sidebar.toggle[0].value is True
    assert "sk-test-secret-value" not in str(at._tree)
    at.sidebar.toggle[0].set_value(False).run()
    assert notices(at) == [text("sidebar.local", "ja")]


def test_local_llm_keeps_text_on_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_ENGINE", "llm")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:11434/v1")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert notices(at) == [text("sidebar.local_llm", "en")]
    assert "`llm:gpt-4o-mini at 127.0.0.1:11434`" in "\n".join(str(m.value) for m in at.sidebar.markdown)


# ------------------------------------------------------------------------- rewrite


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_rewrite_builds_editable_star_cards(lang: Language, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_LANG", lang)
    case = rewrite_case(lang)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.text_area(key="in_rewrite_notes").input(str(case["notes"]))
    at.button(key="rewrite_generate").click().run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    statements = [w.value for w in at.text_input if str(w.key).endswith("_statement")]
    assert statements and all(statements)
    first = case["metrics"][0]  # type: ignore[index]
    table = at.dataframe[0].value
    assert float(first["before"]) in {float(v) for v in table.iloc[:, 1] if v}  # type: ignore[index]
    assert any(text("metrics.change", lang) == column for column in table.columns)
    assert str(statements[0]) in str(at.code[0].value)
    # Editing a card flows into the Markdown to copy.
    title = next(w for w in at.text_input if str(w.key).endswith("_0_title"))
    title.input("EDITED TITLE").run()
    assert "EDITED TITLE" in str(at.code[0].value)
    assert at.text_area(key="in_rewrite_notes").value == case["notes"]
    assert notices(at) == [text("sidebar.local", lang)]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_rewrite_empty_notes_error_in_the_users_language(
    lang: Language, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COACH_LANG", lang)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.text_area(key="in_rewrite_notes").input("   \n ")
    at.button(key="rewrite_generate").click().run()
    assert len(at.error) == 1
    message = at.error[0].value
    assert ("空です" in message) if lang == "ja" else ("empty" in message)
    assert at.text_area(key="in_rewrite_notes").value == "   \n "


def test_rewrite_result_kept_for_the_agenda(isolated_env: Path) -> None:
    from coach.config import load_settings
    from coach.memory.store import Store

    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.text_area(key="in_rewrite_notes").input(str(rewrite_case("en")["notes"]))
    at.button(key="rewrite_generate").click().run()
    prep = Store.open(load_settings()).load_prep()
    assert prep.rewrite is not None and prep.rewrite.entries


# ------------------------------------------------------------------------- prepare


def test_prepare_from_notes_to_agenda(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_LANG", "ja")
    intent = next(c for c in load_jsonl("intents_dev.jsonl") if c["lang"] == "ja")
    concerns = [c["concern"] for c in load_jsonl("concerns_dev.jsonl") if c["lang"] == "ja"][:3]
    at = open_page("prepare")
    at.text_area(key="in_prepare_notes").input(str(rewrite_case("ja")["notes"]))
    at.button(key="prepare_generate").click().run()
    at.text_area(key="in_prepare_intent").input(str(intent["intent"]))
    at.button(key="prepare_sharpen").click().run()
    at.text_area(key="in_prepare_concerns").input("\n".join(str(c) for c in concerns))
    at.button(key="prepare_triage").click().run()
    assert not at.error, [e.value for e in at.error]
    triage_table = at.table[-1].value
    assert len(triage_table) == len(concerns)
    at.button(key="prepare_agenda").click().run()
    assert not at.exception
    codes = [c.value for c in at.code]
    assert len(codes) == 2 and all(codes)
    assert concerns[0][:8] in codes[0] or any(concerns[0][:8] in c for c in codes)


# ------------------------------------------------------------------------- record and actions


def test_record_keeps_input_on_failed_save_then_saves_action() -> None:
    at = open_page("record")
    at.text_input(key="in_record_with").input("Tanaka")
    at.button(key="record_save").click().run()
    assert len(at.error) == 1, "an empty meeting is refused"
    assert at.text_input(key="in_record_with").value == "Tanaka"

    at.text_area(key="in_record_decisions").input("Ship the new HTTP client")
    at.button(key="record_save").click().run()
    assert not at.error, [e.value for e in at.error]
    assert at.success and "Saved" in at.success[0].value
    assert at.text_input(key="in_record_with").value == "Tanaka", "the form is kept once saved"


def test_record_action_appears_on_actions_page() -> None:
    from coach.config import load_settings
    from coach.flows.record import save_record
    from coach.models import ActionItem, MeetingRecord

    record = MeetingRecord(
        date=dt.date(2026, 3, 1),
        decisions=["Pilot the review rota"],
        my_actions=[ActionItem(action="Write the rota proposal", due=dt.date(2026, 3, 10), from_="")],
        manager_actions=[ActionItem(action="Ask the platform team", owner="manager", from_="")],
    )
    save_record(record, load_settings())
    at = open_page("actions")
    assert not at.exception
    tables = [d.value for d in at.dataframe]
    cells = {str(v) for table in tables for v in table.to_numpy().ravel()}
    assert "Write the rota proposal" in cells and "Ask the platform team" in cells
    overdue_header = at.subheader[0].value
    assert overdue_header == text("actions.overdue", "en", n=1)
    at.radio(key="actions_owner").set_value("manager").run()
    cells = {str(v) for d in at.dataframe for v in d.value.to_numpy().ravel()}
    assert "Write the rota proposal" not in cells and "Ask the platform team" in cells
    at.text_input(key="in_actions_result").input("Done in the sync")
    at.button(key="actions_mark_done").click().run()
    assert not at.error, [e.value for e in at.error]
    at.radio(key="actions_owner").set_value("all").run()
    assert at.subheader[2].value == text("actions.done", "en", n=1)


def test_opening_a_meeting_and_saving_it_again_keeps_done_items_done_and_says_what_is_kept() -> None:
    from coach.config import load_settings
    from coach.flows.imports import import_dir
    from coach.memory.store import Store

    settings = load_settings()
    notes = settings.data_dir / "incoming"
    notes.mkdir(parents=True)
    (notes / "2026-04-06.md").write_text(
        "---\nwith: Priya\n---\n## Follow-ups\n- Shipped the cache warmer; cold starts 9s → 2s\n"
        "## Actions\n- [x] Draft the on-call rota\n- [ ] Book the retro room\n",
        encoding="utf-8",
    )
    import_dir(notes, settings, index=False)
    at = open_page("record")
    at.button(key="record_open_2026-04-06.md").click().run()
    assert not at.exception
    assert any("Follow-ups" in c.value for c in at.caption), [c.value for c in at.caption]
    at.button(key="record_save").click().run()
    assert not at.error, [e.value for e in at.error]
    store = Store.open(settings)
    assert {(a.action, a.status) for a in store.actions()} == {
        ("Draft the on-call rota", "done"),
        ("Book the retro room", "open"),
    }
    assert "cold starts 9s → 2s" in (store.raw("2026-04-06.md") or "")


# ------------------------------------------------------------------------- ask and review


@pytest.mark.slow
def test_ask_answers_with_sources(meetings_dir: Path) -> None:
    from coach.config import load_settings
    from coach.flows.imports import import_dir

    import_dir(meetings_dir, load_settings())
    question = next(q for q in load_jsonl("meetings_questions.jsonl") if q["kind"] == "lookup")
    at = open_page("ask")
    at.chat_input(key="ask_input").set_value(str(question["question"])).run()
    assert not at.exception
    assert len(at.chat_message) == 2
    assert text("ask.sources", "en") in all_text(at)
    cited = all_text(at)
    assert any(str(gold) in cited for gold in question["gold"])
    # the verdict's evidence is one click away
    [why] = [e for e in at.expander if e.label == text("ask.why", "en")]
    assert "coverage" in " ".join(c.value for c in why.caption)


@pytest.mark.slow
def test_ask_says_which_fact_the_notes_lack_and_keeps_the_sources(meetings_dir: Path) -> None:
    """A topic the notes discuss, asked for a figure they never state: the answer says so, the
    nearest meetings stay as sources, and no bare "not found" caption contradicts it."""
    from coach.config import load_settings
    from coach.flows.imports import import_dir
    from coach.messages import message

    import_dir(meetings_dir, load_settings())
    at = open_page("ask")
    at.chat_input(key="ask_input").set_value("How many people will join the team next quarter?").run()
    assert not at.exception
    shown = all_text(at)
    assert message("ask.amount_absent", "en") in shown
    assert text("ask.sources", "en") in shown
    assert text("ask.not_found", "en") not in [c.value for c in at.caption]


@pytest.mark.slow
def test_review_draft_and_charts(meetings_dir: Path) -> None:
    from coach.config import load_settings
    from coach.flows.imports import import_dir

    import_dir(meetings_dir, load_settings())
    at = open_page("review")
    at.radio(key="in_review_mode").set_value("dates").run()
    at.date_input(key="in_review_from").set_value(dt.date(2026, 1, 1))
    at.date_input(key="in_review_to").set_value(dt.date(2026, 6, 30)).run()
    at.button(key="review_build").click().run()
    assert not at.error, [e.value for e in at.error]
    draft = next(a for a in at.text_area if str(a.key).startswith("review_draft_"))
    assert str(draft.value).strip()
    promised = at.metric[0].value
    assert int(promised) > 0
    assert len(at.image) == 2
    assert [getattr(b, "label", "") for b in at.get("download_button")].count(
        text("review.download_svg", "en")
    ) == 2

    at.text_area(key="in_review_check_text").input("I cut the build time from 40 minutes to 5 minutes.")
    at.button(key="review_check_button").click().run()
    assert not at.error, [e.value for e in at.error]
    claims = at.dataframe[-1].value
    assert len(claims) >= 1
    assert text("review.claim", "en") in claims.columns


# ------------------------------------------------------------------------- LLM engine (loopback)


def use_llm_server(monkeypatch: pytest.MonkeyPatch, server: LLMServer) -> None:
    monkeypatch.setenv("COACH_ENGINE", "llm")
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("COACH_LLM_MODEL", "test-model")
    monkeypatch.setenv("COACH_LLM_TIMEOUT", "2")
    monkeypatch.setenv("COACH_LLM_RETRIES", "0")


def test_rewrite_llm_failure_falls_back_with_a_visible_notice(
    monkeypatch: pytest.MonkeyPatch, llm_server: LLMServer
) -> None:
    use_llm_server(monkeypatch, llm_server)
    for _ in range(4):
        llm_server.reply_status(500, "model crashed")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert notices(at) == [text("sidebar.local_llm", "en")]
    assert "`llm:test-model at localhost:" in "\n".join(str(m.value) for m in at.sidebar.markdown)
    at.text_area(key="in_rewrite_notes").input(str(rewrite_case("en")["notes"]))
    at.button(key="rewrite_generate").click().run()
    assert llm_server.requests, "the LLM endpoint was called"
    assert not at.error, [e.value for e in at.error]
    assert at.warning, "the fallback to the offline engine is announced"
    assert [w for w in at.text_input if str(w.key).endswith("_statement")]
    assert API_KEY not in str(at._tree)


def test_engine_toggle_off_keeps_the_llm_uncalled(
    monkeypatch: pytest.MonkeyPatch, llm_server: LLMServer
) -> None:
    use_llm_server(monkeypatch, llm_server)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.sidebar.toggle[0].set_value(False).run()
    at.text_area(key="in_rewrite_notes").input(str(rewrite_case("ja")["notes"]))
    at.button(key="rewrite_generate").click().run()
    assert llm_server.requests == []
    assert not at.warning
    assert [w for w in at.text_input if str(w.key).endswith("_statement")]


def test_sample_notes_fill_the_text_area(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_LANG", "ja")
    sample = ROOT / "data" / "sample_notes_ja.md"
    if not sample.is_file():
        pytest.fail(f"{sample} is missing: the sample button has nothing to insert")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.button(key="rewrite_sample").click().run()
    assert at.text_area(key="in_rewrite_notes").value == sample.read_text(encoding="utf-8")


@pytest.mark.slow
def test_import_uploaded_markdown_and_zip(meetings_dir: Path) -> None:
    files = sorted(meetings_dir.glob("*.md"))[:3]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in files[1:]:
            bundle.write(path, f"notes/{path.name}")
    at = open_page("actions")
    at.file_uploader(key="actions_upload").set_value(
        [
            (files[0].name, files[0].read_bytes(), "text/markdown"),
            ("meetings.zip", archive.getvalue(), "application/zip"),
        ]
    ).run()
    at.button(key="actions_import").click().run()
    assert not at.error, [e.value for e in at.error]
    assert text("actions.import_done", "en", imported=3, updated=0, unchanged=0) in [
        s.value for s in at.success
    ]
    cells = {str(v) for d in at.dataframe for v in d.value.to_numpy().ravel()}
    assert any(name.name in cells for name in files), "actions from the imported meetings are listed"


def test_import_without_markdown_is_refused_in_japanese(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_LANG", "ja")
    at = open_page("actions")
    at.file_uploader(key="actions_upload").set_value([("broken.zip", b"not a zip", "application/zip")]).run()
    at.button(key="actions_import").click().run()
    assert [e.value for e in at.error] == [text("actions.import_nothing", "ja")]


@pytest.mark.slow
def test_ask_streams_the_llm_answer_with_sources(
    monkeypatch: pytest.MonkeyPatch, llm_server: LLMServer, meetings_dir: Path
) -> None:
    from coach.config import load_settings
    from coach.flows.imports import import_dir

    import_dir(meetings_dir, load_settings())
    use_llm_server(monkeypatch, llm_server)
    llm_server.reply_stream(
        ["The approval ", "goes through the ", "monthly tech selection meeting [2026-01-20]."]
    )
    at = open_page("ask")
    at.chat_input(key="ask_input").set_value("How do new libraries get approved?").run()
    assert not at.exception
    assert llm_server.requests and llm_server.requests[0].get("stream") is True
    answer = at.chat_message[1]
    assert "monthly tech selection meeting" in str(answer.markdown[0].value)
    assert text("ask.sources", "en") in all_text(at)
    assert re.search(r"\d{4}-\d{2}-\d{2}\.md", all_text(at)), "each source names its meeting file"
