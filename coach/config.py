"""Settings from the environment (or Streamlit secrets passed in by the UI).

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
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

import platformdirs
from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError

from coach.errors import ConfigError

EngineName = Literal["offline", "llm"]
StructuredMethod = Literal["json_schema", "function_calling", "json_mode"]
OPENAI_DEFAULT_URL = "https://api.openai.com/v1"


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    data_dir: Path
    engine: EngineName = "offline"
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_model: str = "gpt-4o-mini"
    llm_method: StructuredMethod = "json_schema"
    llm_timeout: float = 60.0
    llm_retries: int = 2
    llm_context: int = 4096
    llm_max_tokens: int | None = None
    chroma_url: str | None = None
    language: Literal["ja", "en"] = "en"

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
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir


def is_local_url(url: str) -> bool:
    host = (urlparse(url).hostname or "").lower()
    if host in {"localhost", "localhost.localdomain"} or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def default_language(env: Mapping[str, str]) -> Literal["ja", "en"]:
    explicit = env.get("COACH_LANG", "").lower()
    if explicit in {"ja", "en"}:
        return "ja" if explicit == "ja" else "en"
    locale = env.get("LC_ALL") or env.get("LC_MESSAGES") or env.get("LANG") or ""
    return "ja" if locale.lower().startswith("ja") else "en"


def load_settings(
    env: Mapping[str, str] | None = None,
    secrets: Mapping[str, object] | None = None,
    **overrides: object,
) -> Settings:
    """Read settings; `secrets` (e.g. `st.secrets`) fill what the environment leaves unset."""
    env = os.environ if env is None else env
    secrets = secrets or {}

    def get(name: str) -> str | None:
        value = env.get(name)
        if value in (None, ""):
            secret = secrets.get(name)
            value = None if secret in (None, "") else str(secret)
        return value

    raw: dict[str, object] = {
        "data_dir": Path(get("COACH_DATA_DIR") or platformdirs.user_data_dir("1on1-coach")).expanduser(),
        "engine": (get("COACH_ENGINE") or "offline").lower(),
        "llm_base_url": get("OPENAI_BASE_URL"),
        "llm_api_key": get("OPENAI_API_KEY"),
        "llm_model": get("COACH_LLM_MODEL") or "gpt-4o-mini",
        "llm_method": get("COACH_LLM_METHOD") or "json_schema",
        "llm_timeout": get("COACH_LLM_TIMEOUT") or 60.0,
        "llm_retries": get("COACH_LLM_RETRIES") or 2,
        "llm_context": get("COACH_LLM_CONTEXT") or 4096,
        "llm_max_tokens": get("COACH_LLM_MAX_TOKENS"),
        "chroma_url": get("COACH_CHROMA_URL"),
        "language": default_language(env),
    }
    raw.update(overrides)
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        fields = ", ".join(str(err["loc"][0]) for err in exc.errors())
        raise ConfigError(
            f"Invalid setting(s): {fields}. Check COACH_ENGINE (offline|llm), COACH_LLM_METHOD "
            "(json_schema|function_calling|json_mode) and the numeric COACH_LLM_TIMEOUT/COACH_LLM_RETRIES.",
            f"設定値が不正です: {fields}。COACH_ENGINE (offline|llm)、COACH_LLM_METHOD "
            "(json_schema|function_calling|json_mode)、数値の COACH_LLM_TIMEOUT/COACH_LLM_RETRIES を確認してください。",
        ) from None
