"""The core's message catalog and the shared stopword lists: complete, consistent, used."""

from __future__ import annotations

import string

import pytest

from coach.errors import InputError, StoreError
from coach.messages import CATALOG, Message, _check, both, message
from coach.text.stopwords import STOPWORDS_EN, STOPWORDS_JA, is_stopword


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_every_message_renders_in_both_languages(key: str) -> None:
    values = {name: f"<{name}>" for name in _fields(CATALOG[key].en)}
    en, ja = message(key, "en", **values), message(key, "ja", **values)
    assert en.strip() and ja.strip()
    for shown in values.values():
        assert shown in en and shown in ja  # a value shown in one language is shown in the other


def test_a_broken_entry_is_refused_when_the_catalog_loads() -> None:
    with pytest.raises(ValueError, match="placeholders"):
        _check({"x.bad": Message("{count} files", "ファイル")})
    with pytest.raises(ValueError, match="both languages"):
        _check({"x.empty": Message("Saved", " ")})


def test_errors_built_from_a_key_carry_both_languages_and_the_key() -> None:
    error = InputError.of("period.bad_name", raw="来期")
    assert isinstance(error, InputError) and error.key == "period.bad_name"
    assert (error.message("en"), error.message("ja")) == both("period.bad_name", raw="来期")
    assert "来期" in str(error)  # str() is the English text
    assert StoreError("plain", "日本語").key is None


def test_an_unknown_key_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        message("no.such.key", "en")


# ----------------------------------------------------------------------- stopwords


def test_stopwords_are_general_function_words_only() -> None:
    assert {"the", "of", "and", "is", "we", "would"} <= STOPWORDS_EN
    assert {"は", "を", "です", "こと", "する", "この"} <= STOPWORDS_JA
    # Policy: no domain vocabulary, months or question topics; English in lower case.
    for word in ("meeting", "manager", "report", "january", "june", "latency", "1on1"):
        assert word not in STOPWORDS_EN
    for word in ("会議", "上司", "報告", "面談", "先月"):
        assert word not in STOPWORDS_JA
    assert all(word == word.lower() for word in STOPWORDS_EN)


def test_is_stopword_ignores_case_for_english() -> None:
    assert is_stopword("The") and is_stopword("ため") and not is_stopword("Deploy")
