"""Settings from the environment (or Streamlit secrets passed in by the UI), through pydantic-settings.

Each field of `Settings` names its variable (`validation_alias`); empty variables count as unset.
A value that does not fit gives a `ConfigError` naming the variable, the value and what is
allowed, in the user's language (COACH_LANG, else the locale).

| variable | meaning | default |
|---|---|---|
| COACH_DATA_DIR | where the store, index and embedding cache live | the user data dir of the OS |
| COACH_ENGINE | `offline` or `llm` | `offline` |
| OPENAI_BASE_URL | any OpenAI-compatible server (Ollama, LM Studio, vLLM, llama.cpp, Azure, OpenAI) | OpenAI's |
| OPENAI_API_KEY | its key (local servers accept any string) | none |
| COACH_LLM_MODEL | model name on that server | `gpt-4o-mini` |
| COACH_LLM_METHOD | structured output: `json_schema`, `function_calling` or `json_mode` | `json_schema` |
| COACH_LLM_TIMEOUT | seconds per call | 60 |
| COACH_LLM_RETRIES | re-asks after an invalid answer | 2 |
| COACH_LLM_CONTEXT | the model's context window in tokens: prompts are cut to fit it | 4096 |
| COACH_LLM_MAX_TOKENS | a cap on the tokens of one answer (each flow has its own bound below it) | unset |
| COACH_CHROMA_URL | `http://host:port` of a chroma server; embedded chroma when unset | unset |
| COACH_LANG | language of messages and UI: `ja` or `en` | from the locale |
| COACH_FISCAL_START_MONTH | month (1–12) the fiscal year starts: 上期/下期 and FY periods count from it | 4 |
| COACH_DEBUG | `1` shows the traceback of an internal error | unset |
| COACH_HOST | address the app listens on (`scripts/app.sh`); `0.0.0.0` exposes it to the network | `127.0.0.1` |
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal, get_args, get_origin
from urllib.parse import urlparse

import annotated_types
import platformdirs
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, EnvSettingsSource, SettingsConfigDict
from pydantic_settings.sources.utils import parse_env_vars

from coach.errors import ConfigError
from coach.messages import message
from coach.models import Language

EngineName = Literal["offline", "llm"]
StructuredMethod = Literal["json_schema", "function_calling", "json_mode"]
OPENAI_DEFAULT_URL = "https://api.openai.com/v1"


DEFAULT_FISCAL_START_MONTH = 4


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("1on1-coach"))


class Settings(BaseSettings):
    """Every setting; `Settings()` reads the process environment, `load_settings()` any mapping.

    Fields are set by their variable name (the alias) from the environment, or by field name in
    code (`Settings(data_dir=..., engine="llm")`)."""

    model_config = SettingsConfigDict(
        frozen=True, populate_by_name=True, env_ignore_empty=True, extra="ignore", validate_default=True
    )

    data_dir: Path = Field(default_factory=default_data_dir, validation_alias="COACH_DATA_DIR")
    engine: EngineName = Field("offline", validation_alias="COACH_ENGINE")
    llm_base_url: str | None = Field(None, validation_alias="OPENAI_BASE_URL")
    llm_api_key: SecretStr | None = Field(None, validation_alias="OPENAI_API_KEY")
    llm_model: str = Field("gpt-4o-mini", validation_alias="COACH_LLM_MODEL")
    llm_method: StructuredMethod = Field("json_schema", validation_alias="COACH_LLM_METHOD")
    llm_timeout: float = Field(60.0, gt=0, validation_alias="COACH_LLM_TIMEOUT")
    llm_retries: int = Field(2, ge=0, validation_alias="COACH_LLM_RETRIES")
    llm_context: int = Field(4096, validation_alias="COACH_LLM_CONTEXT")
    llm_max_tokens: int | None = Field(None, validation_alias="COACH_LLM_MAX_TOKENS")
    chroma_url: str | None = Field(None, validation_alias="COACH_CHROMA_URL")
    fiscal_start_month: int = Field(
        DEFAULT_FISCAL_START_MONTH, ge=1, le=12, validation_alias="COACH_FISCAL_START_MONTH"
    )
    debug: bool = Field(False, validation_alias="COACH_DEBUG")
    language: Language = Field(
        default_factory=lambda: default_language(os.environ), validation_alias="COACH_LANG"
    )

    @field_validator("engine", "llm_method", "language", mode="before")
    @classmethod
    def _folded(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("data_dir")
    @classmethod
    def _expanded(cls, value: Path) -> Path:
        return value.expanduser()

    @property
    def db_path(self) -> Path:
        return self.data_dir / "coach.sqlite3"

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def embedding_cache_path(self) -> Path:
        return self.data_dir / "embeddings.sqlite3"

    @property
    def effective_base_url(self) -> str:
        return self.llm_base_url or OPENAI_DEFAULT_URL

    def text_leaves_machine(self) -> bool:
        """True when the configured engine sends the user's text to another host."""
        if self.engine != "llm":
            return False
        return not is_local_url(self.effective_base_url)

    def with_engine(self, engine: EngineName) -> Settings:
        return self.model_copy(update={"engine": engine})

    def ensure_data_dir(self) -> Path:
        return private_dir(self.data_dir, tighten=True)


def is_local_url(url: str) -> bool:
    host = (urlparse(url).hostname or "").lower()
    if host in {"localhost", "localhost.localdomain"} or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def default_language(env: Mapping[str, str]) -> Language:
    """COACH_LANG when it is `ja` or `en`, else the locale; never fails (used to report errors)."""
    explicit = env.get("COACH_LANG", "").strip().lower()
    if explicit in {"ja", "en"}:
        return "ja" if explicit == "ja" else "en"
    locale = env.get("LC_ALL") or env.get("LC_MESSAGES") or env.get("LANG") or ""
    return "ja" if locale.lower().startswith("ja") else "en"


class _MappingSource(EnvSettingsSource):
    """pydantic-settings' environment source, reading a given mapping instead of os.environ."""

    def __init__(self, settings_cls: type[BaseSettings], mapping: Mapping[str, str]) -> None:
        self._mapping = mapping
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(
            self._mapping, self.case_sensitive, self.env_ignore_empty, self.env_parse_none_str
        )


def _variable(name: str) -> str:
    """The variable that sets field `name` (its alias)."""
    alias = Settings.model_fields[name].validation_alias
    return alias if isinstance(alias, str) else name.upper()


def _field_of(variable: str) -> str | None:
    for name in Settings.model_fields:
        if _variable(name) == variable or name == variable:
            return name
    return None


def _allowed(name: str, language: Language) -> str:
    """What field `name` accepts, in words, derived from its type and bounds."""
    field = Settings.model_fields[name]
    annotation: Any = field.annotation
    args = [arg for arg in get_args(annotation) if arg is not type(None)]
    if get_origin(annotation) is not Literal and len(args) == 1:
        annotation = args[0]  # X | None
    if get_origin(annotation) is Literal:
        return message("config.allowed.choice", language, choices=" | ".join(map(str, get_args(annotation))))
    bounds: dict[str, object] = {}
    for item in field.metadata:
        for kind in ("ge", "gt", "le"):
            if isinstance(item, getattr(annotated_types, kind.capitalize())):
                bounds[kind] = getattr(item, kind)
    if annotation is int:
        if "ge" in bounds and "le" in bounds:
            return message("config.allowed.range", language, low=bounds["ge"], high=bounds["le"])
        if "ge" in bounds:
            return message("config.allowed.at_least", language, low=bounds["ge"])
        return message("config.allowed.integer", language)
    if annotation is float:
        return message(
            "config.allowed.positive" if bounds.get("gt") == 0 else "config.allowed.number", language
        )
    if annotation is Path:
        return message("config.allowed.path", language)
    if annotation is bool:
        return message("config.allowed.choice", language, choices="1 | 0 | true | false")
    return message("config.allowed.text", language)


def settings_error(exc: ValidationError) -> ConfigError:
    """One line per bad variable: its name, the value given and what is allowed, in both languages."""
    lines: dict[Language, list[str]] = {"en": [], "ja": []}
    seen: set[str] = set()
    for err in exc.errors():
        variable = str(err["loc"][0]) if err["loc"] else "?"
        name = _field_of(variable)
        if name is None or name in seen:
            continue
        seen.add(name)
        shown = "***" if name == "llm_api_key" else repr(str(err.get("input", "")))
        for language in ("en", "ja"):
            lines[language].append(
                message(
                    "config.invalid",
                    language,
                    variable=_variable(name),
                    value=shown,
                    allowed=_allowed(name, language),
                )
            )
    error = ConfigError("\n".join(lines["en"]), "\n".join(lines["ja"]))
    error.key = "config.invalid"
    return error


def load_settings(
    env: Mapping[str, str] | None = None,
    secrets: Mapping[str, object] | None = None,
    **overrides: object,
) -> Settings:
    """Read settings; `secrets` (e.g. `st.secrets`) fill what the environment leaves unset.

    `overrides` are field values given in code (`data_dir=...`); they win over both."""
    env = os.environ if env is None else env
    merged: dict[str, str] = {
        str(name): str(value) for name, value in (secrets or {}).items() if value not in (None, "")
    }
    merged.update({name: value for name, value in env.items() if value != ""})
    raw: dict[str, object] = dict(_MappingSource(Settings, merged)())
    if "COACH_LANG" not in raw:
        raw["COACH_LANG"] = default_language(merged)
    raw.update(
        {
            _variable(name) if name in Settings.model_fields else name: value
            for name, value in overrides.items()
        }
    )
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        raise settings_error(exc) from None


# --------------------------------------------------------------------------- private files

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
DEFAULT_HOST = "127.0.0.1"


def private_dir(path: Path, *, tighten: bool = False) -> Path:
    """Create `path` (and parents) readable by the user only; a folder coach creates gets 700.

    An existing folder is left as it is unless `tighten` (the data dir: it holds nothing but
    coach's files) and it belongs to this user; the files inside are protected one by one."""
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
        os.chmod(path, PRIVATE_DIR_MODE)  # mkdir's mode is filtered by the umask
    elif tighten:
        info = path.stat()
        if info.st_mode & 0o077 and info.st_uid == getattr(os, "getuid", lambda: info.st_uid)():
            os.chmod(path, PRIVATE_DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Make sure `path` exists with mode 600 before SQLite (or anything else) opens it.

    SQLite gives its -wal and -shm files the mode of the database file, so creating the
    database 600 protects those too."""
    private_dir(path.parent)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE_MODE)
    try:
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, PRIVATE_FILE_MODE)
    finally:
        os.close(fd)
    return path


def app_host(env: Mapping[str, str] | None = None) -> str:
    """Where the app listens: loopback unless COACH_HOST names another address on purpose."""
    env = os.environ if env is None else env
    return env.get("COACH_HOST", "").strip() or DEFAULT_HOST


# --------------------------------------------------------------------------- secrets

REDACTED = "[REDACTED]"
MIN_SECRET_LENGTH = 8  # shorter "keys" ("x", "ollama") are placeholders local servers ignore
# Shapes of API keys that are never ordinary words: OpenAI/Anthropic-style `sk-...`, bearer
# tokens, GitHub and Hugging Face tokens, AWS access key ids.
SECRET_SHAPES = re.compile(
    r"\bsk-[A-Za-z0-9_\-]{16,}"
    r"|\bBearer\s+[A-Za-z0-9._\-]{16,}"
    r"|\bgh[pousr]_[A-Za-z0-9]{20,}"
    r"|\bhf_[A-Za-z0-9]{20,}"
    r"|\bAKIA[0-9A-Z]{16}\b"
)


def secret_values(settings: Settings) -> tuple[str, ...]:
    """The configured secrets worth redacting (the LLM API key, when it is a real one)."""
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else ""
    return (key,) if len(key) >= MIN_SECRET_LENGTH else ()


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with every configured secret and every API-key-shaped token replaced by [REDACTED]."""
    for secret in secrets:
        if len(secret) >= MIN_SECRET_LENGTH and secret in text:
            text = text.replace(secret, REDACTED)
    return SECRET_SHAPES.sub(REDACTED, text)
