"""Widgets and session plumbing shared by every page.

Pages call `settings()` and `lang()` instead of reading the environment, so the sidebar's
language switch and engine toggle apply everywhere at once.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, NoReturn, TypeVar
from urllib.parse import urlparse

import streamlit as st

from coach.config import Settings, default_language, load_settings
from coach.errors import CoachError, ConfigError
from coach.models import Language
from ui.i18n import text

T = TypeVar("T")

#: Widgets holding what the user typed keep it across page switches (Streamlit's own mechanism).
KEEP: Literal["session"] = "session"

SESSION_DEFAULTS: dict[str, Any] = {
    "rewrite_result": None,
    "rewrite_version": 0,
    "intent_result": None,
    "triage_result": None,
    "agenda": None,
    "record_version": 0,
    "record_saved": None,
    "ask_history": [],
    "review": None,
    "review_version": 0,
    "review_check": None,
    "import_report": None,
    "flash": None,
}


def _secrets() -> Mapping[str, object] | None:
    """Streamlit secrets when a secrets.toml exists; absent secrets are not an error here."""
    try:
        if st.secrets.load_if_toml_exists():
            return dict(st.secrets)
    except Exception:
        return None
    return None


def base_settings() -> Settings:
    return load_settings(secrets=_secrets())


def debug_enabled() -> bool:
    """COACH_DEBUG through Settings; a bad setting is reported elsewhere, so it means off here."""
    try:
        return base_settings().debug
    except ConfigError:
        return False


def settings_failed(exc: ConfigError) -> NoReturn:
    """A bad setting stops the app with the variable, its value and what is allowed, no traceback.

    The language is the one already chosen in the session, else COACH_LANG / the locale (as far
    as they can be read: COACH_LANG itself may be the bad setting)."""
    chosen = st.session_state.get("lang")
    language: Language = chosen if chosen in ("ja", "en") else default_language(os.environ)
    st.error(exc.message(language), icon=":material/settings:")
    st.stop()


def llm_configured(config: Settings) -> bool:
    """An engine toggle only makes sense when an endpoint (or key for the default one) exists."""
    return config.engine == "llm" or bool(config.llm_base_url) or config.llm_api_key is not None


def init_session() -> None:
    """Session defaults in one place; idempotent, so every run may call it."""
    config = base_settings()
    st.session_state.setdefault("lang", config.language)
    st.session_state.setdefault("use_llm", config.engine == "llm")
    for key, value in SESSION_DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = list(value) if isinstance(value, list) else value


def lang() -> Language:
    value = st.session_state.get("lang", "en")
    return "ja" if value == "ja" else "en"


def t(key: str, **values: object) -> str:
    return text(key, lang(), **values)


def settings(config: Settings | None = None) -> Settings:
    """Settings for this run: the UI language and the sidebar's engine choice applied."""
    config = config or base_settings()
    engine = "llm" if st.session_state.get("use_llm") and llm_configured(config) else "offline"
    return config.model_copy(update={"engine": engine, "language": lang()})


def llm_host(config: Settings) -> str:
    parsed = urlparse(config.effective_base_url)
    host = parsed.hostname or config.effective_base_url
    return f"{host}:{parsed.port}" if parsed.port else host


def engine_label(config: Settings) -> str:
    if config.engine != "llm":
        return "offline"
    return f"llm:{config.llm_model} at {llm_host(config)}"


def privacy_notice(config: Settings) -> str:
    if config.text_leaves_machine():
        return t("sidebar.leaves", host=llm_host(config))
    return t("sidebar.local_llm") if config.engine == "llm" else t("sidebar.local")


def sidebar() -> Settings:
    """Language switch, engine in use, whether text leaves the machine, data dir."""
    config = base_settings()
    with st.sidebar:
        st.segmented_control(
            text("sidebar.language", lang()),
            options=["ja", "en"],
            format_func=lambda code: "日本語" if code == "ja" else "English",
            key="lang",
            selection_mode="single",
            required=True,
        )
        if llm_configured(config):
            st.toggle(t("sidebar.engine_toggle"), key="use_llm", help=t("sidebar.engine_toggle_help"))
        current = settings(config)
        st.markdown(f"**{t('sidebar.engine')}**: `{engine_label(current)}`")
        notice = privacy_notice(current)
        if current.text_leaves_machine():
            st.warning(notice)
        else:
            st.success(notice)
        st.caption(f"{t('sidebar.data_dir')}: `{display_path(current.data_dir)}`")
    return current


def display_path(path: Path) -> str:
    """A path under the home directory as `~/…`: shorter, and no user name in screenshots."""
    try:
        return "~/" + path.expanduser().resolve().relative_to(Path.home().resolve()).as_posix()
    except (ValueError, RuntimeError, OSError):
        return str(path)


def show_error(exc: BaseException) -> None:
    """A CoachError in the user's language; anything else as a short note, never a key or notes."""
    if isinstance(exc, CoachError):
        st.error(exc.message(lang()), icon=":material/error:")
        return
    st.error(t("common.internal_error", name=type(exc).__name__), icon=":material/error:")
    if debug_enabled():
        st.exception(exc)


def attempt(call: Callable[[], T]) -> T | None:
    """Run a core call; on failure show why and return None so the page keeps its inputs."""
    try:
        return call()
    except Exception as exc:
        show_error(exc)
        return None


@contextmanager
def progress_bar() -> Iterator[Callable[[int, int, str], None]]:
    """A st.progress fed by the core's (done, total, item) callback, removed when finished."""
    bar = st.progress(0.0)

    def report(done: int, total: int, item: str = "") -> None:
        fraction = min(1.0, done / total) if total else 1.0
        bar.progress(fraction, text=f"{done}/{total} {item}".strip())

    try:
        yield report
    finally:
        bar.empty()


# Data dirs whose index this process has brought in step with the store (once each: the check
# opens chroma, and every rerun of every page would pay for it otherwise).
_INDEX_CHECKED: set[str] = set()
_INDEX_LOCK = threading.Lock()


def repair_index_once(config: Settings | None = None) -> None:
    """At the app's start: index whatever the store holds and the search index lacks (a crash
    mid-import, another tool), once per process and data dir. A progress bar appears only when
    there is work; an index that cannot be used is a message on the page, never a crash."""
    from coach.flows.imports import ensure_index
    from coach.messages import message

    config = config or settings()
    where = str(config.data_dir.expanduser().resolve())
    with _INDEX_LOCK:
        if where in _INDEX_CHECKED:
            return
        _INDEX_CHECKED.add(where)
    slot = st.empty()
    bar: Any = None

    def report(done: int, total: int, item: str = "") -> None:
        nonlocal bar
        if bar is None:
            bar = slot.progress(0.0)
        fraction = min(1.0, done / total) if total else 1.0
        label = message("app.index_progress", lang())
        bar.progress(fraction, text=f"{label} {done}/{total} {item}".strip())

    try:
        repair = ensure_index(config, progress=report)
    except Exception as exc:  # the page still works from the store; say why search may miss
        slot.empty()
        show_error(exc)
        return
    slot.empty()
    if repair.indexed:
        st.toast(message("app.index_repaired", lang(), n=repair.indexed), icon=":material/build:")
    show_warnings(repair.warnings)


def show_warnings(warnings: list[str]) -> None:
    for warning in warnings:
        st.warning(warning, icon=":material/warning:")


def copy_block(
    content: str, file_name: str, *, key: str, language: str = "markdown", folded: str | None = None
) -> None:
    """st.code has its own copy button; the download button gives the same text as a file.

    `folded` puts the code in a closed expander of that title, for text already shown above.
    """
    if folded:
        with st.expander(folded):
            st.code(content, language=language, wrap_lines=True)
    else:
        st.code(content, language=language, wrap_lines=True)
    label = t("common.download_md") if file_name.endswith(".md") else t("common.download_txt")
    mime = "text/markdown" if file_name.endswith(".md") else "text/plain"
    st.download_button(label, data=content.encode("utf-8"), file_name=file_name, mime=mime, key=key)


def flash(message: str) -> None:
    """A success message that survives the st.rerun() that follows a state change."""
    st.session_state["flash"] = message


def show_flash() -> None:
    message = st.session_state.get("flash")
    if message:
        st.success(message, icon=":material/check_circle:")
        st.session_state["flash"] = None


def format_change(change_pct: float | None) -> str:
    return "" if change_pct is None else f"{change_pct:+.1f}%"


def format_number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"


def remember_prep(config: Settings, **parts: object) -> None:
    """Put one prepared part (rewrite, intent, triage) into the saved prep for the agenda."""
    from coach.memory.store import Store

    Store.open(config).update_prep(**parts)


def text_box(label: str, key: str, *, height: int, placeholder: str | None = None) -> str:
    """A text area whose content survives page changes; labels and placeholders are i18n keys."""
    return st.text_area(
        t(label),
        key=key,
        height=height,
        placeholder=t(placeholder) if placeholder else None,
        persist_state=KEEP,
    )


def wrapped_table(rows: list[dict[str, str]]) -> None:
    """A static table whose long cells wrap (a dataframe cuts them off), without a row index."""
    import pandas as pd

    st.table(pd.DataFrame(rows).style.hide(axis="index"))


def bullets(lines: list[str]) -> None:
    st.markdown("\n".join(f"- {line}" for line in lines))
