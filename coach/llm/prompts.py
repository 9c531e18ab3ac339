"""Prompt files -> langchain-core chat templates.

File format of `prompts/<flow>.<lang>.md` (lang is `ja` or `en`)::

    <!-- optional comment, ignored -->
    ## system
    Instructions. Variables are written {like_this}.
    ## user
    The user's material: {notes}

- A line `## system`, `## user` or `## assistant` starts a message of that role; text before the
  first such line (except an HTML comment) is an error, so a typo cannot silently drop a section.
- `{name}` is a variable filled by the caller; a literal brace is written `{{` or `}}`
  (Python format syntax, as in ChatPromptTemplate's f-string templates).
- Both languages must exist for each flow, with the same variables.

`PROMPT_VARIABLES` is the registry of what each flow's caller passes; tests/test_prompts.py
checks every file against it, so a prompt edit cannot ask for a variable nobody fills.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from langchain_core.prompts import ChatPromptTemplate

from coach.errors import ConfigError
from coach.models import Language

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"

# flow -> the variables its caller passes. Add your flow here when you add its prompt files.
PROMPT_VARIABLES: dict[str, set[str]] = {
    "retry": {"error"},
    "json_mode": {"schema"},
    "intent": {"intent", "parts", "evidence", "placeholders"},
    "triage": {"concerns"},
    "rewrite": {"notes", "metrics"},
    "ask": {"question", "passages", "keys"},
    "review": {"period", "material", "dates"},
}

_HEADING = re.compile(r"^##\s+(system|user|assistant)\s*$", re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_ROLE = {"system": "system", "user": "human", "assistant": "ai"}


def prompt_path(flow: str, language: Language) -> Path:
    return PROMPTS_DIR / f"{flow}.{language}.md"


def parse_prompt(text: str, source: str = "prompt") -> list[tuple[str, str]]:
    """Split a prompt file into (role, template) messages; raise ConfigError on a malformed file."""
    messages: list[tuple[str, list[str]]] = []
    for line in _COMMENT.sub("", text).splitlines():
        match = _HEADING.match(line.strip())
        if match:
            messages.append((_ROLE[match.group(1).lower()], []))
        elif messages:
            messages[-1][1].append(line)
        elif line.strip():
            raise ConfigError(
                f"{source}: text before the first '## system' / '## user' heading. Add a heading.",
                f"{source}: 最初の '## system' / '## user' 見出しより前に本文があります。"
                "見出しを追加してください。",
            )
    parsed = [(role, "\n".join(lines).strip()) for role, lines in messages]
    if not parsed or any(not body for _, body in parsed):
        raise ConfigError(
            f"{source}: a prompt needs at least one non-empty '## system' or '## user' section.",
            f"{source}: プロンプトには空でない '## system' か '## user' の節が必要です。",
        )
    return parsed


@lru_cache(maxsize=64)
def _load(path: Path, mtime: float) -> ChatPromptTemplate:
    messages = parse_prompt(path.read_text(encoding="utf-8"), source=path.name)
    try:
        return ChatPromptTemplate.from_messages(messages, template_format="f-string")
    except (ValueError, KeyError) as exc:
        raise ConfigError(
            f"{path.name}: invalid template ({exc}). Write literal braces as '{{{{' and '}}}}'.",
            f"{path.name}: テンプレートが不正です({exc})。波括弧そのものは '{{{{' '}}}}' と書いてください。",
        ) from None


def load_prompt(flow: str, language: Language) -> ChatPromptTemplate:
    path = prompt_path(flow, language)
    if not path.is_file():
        raise ConfigError(
            f"Prompt file missing: prompts/{path.name}. Restore it from the repository.",
            f"プロンプトファイルがありません: prompts/{path.name}。リポジトリから復元してください。",
        )
    return _load(path, path.stat().st_mtime)


def prompt_variables(flow: str, language: Language) -> set[str]:
    return set(load_prompt(flow, language).input_variables)


def available_flows() -> dict[str, set[str]]:
    """Flow -> languages with a prompt file present."""
    flows: dict[str, set[str]] = {}
    for path in sorted(PROMPTS_DIR.glob("*.md")):
        parts = path.name.split(".")
        if len(parts) == 3 and parts[1] in ("ja", "en"):
            flows.setdefault(parts[0], set()).add(parts[1])
    return flows
