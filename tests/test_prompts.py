"""Every prompt file parses, exists in both languages, and asks only for what its caller passes."""

from __future__ import annotations

import pytest

from coach.errors import ConfigError
from coach.llm import prompts

FLOWS = prompts.available_flows()


def test_prompt_dir_has_the_infrastructure_prompts() -> None:
    assert {"retry", "json_mode"} <= set(FLOWS)


@pytest.mark.parametrize("flow", sorted(FLOWS))
def test_both_languages_exist(flow: str) -> None:
    assert FLOWS[flow] == {"ja", "en"}, f"prompts/{flow}.*.md must exist in ja and en"


@pytest.mark.parametrize("flow", sorted(FLOWS))
def test_variables_match_the_registry(flow: str) -> None:
    assert flow in prompts.PROMPT_VARIABLES, f"add {flow!r} to PROMPT_VARIABLES in coach/prompts.py"
    expected = prompts.PROMPT_VARIABLES[flow]
    for language in sorted(FLOWS[flow]):
        assert prompts.prompt_variables(flow, language) == expected, f"prompts/{flow}.{language}.md"  # type: ignore[arg-type]


@pytest.mark.parametrize("flow", sorted(FLOWS))
def test_prompts_render_with_their_variables(flow: str) -> None:
    for language in sorted(FLOWS[flow]):
        template = prompts.load_prompt(flow, language)  # type: ignore[arg-type]
        values = {name: f"<{name}>" for name in prompts.PROMPT_VARIABLES[flow]}
        messages = template.format_messages(**values)
        text = "\n".join(str(m.content) for m in messages)
        for name in values:
            assert f"<{name}>" in text


def test_format_errors_are_reported() -> None:
    with pytest.raises(ConfigError):
        prompts.parse_prompt("no heading here\n## user\n{x}")
    with pytest.raises(ConfigError):
        prompts.parse_prompt("## system\n\n## user\n{x}")
    parsed = prompts.parse_prompt("<!-- note -->\n## system\nrules\n## user\n{x}\n## assistant\nok")
    assert [role for role, _ in parsed] == ["system", "human", "ai"]


def test_missing_file_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as info:
        prompts.load_prompt("no-such-flow", "ja")
    assert "no-such-flow.ja.md" in info.value.message("ja")
