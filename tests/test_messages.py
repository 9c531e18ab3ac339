"""The core's message catalog and the shared stopword lists: complete, consistent, used."""

from __future__ import annotations

import string

import pytest

from coach.errors import InputError, StoreError
from coach.messages import CATALOG, Message, _check, both, labels, message, pair
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


def test_a_bilingual_value_is_shown_in_the_language_of_the_message_it_fills() -> None:
    what = Message("meeting file", "会議ファイル")
    reason = pair("input.reason.control", count=7)
    en = message("input.binary", "en", what=what, reason=reason)
    ja = message("input.binary", "ja", what=what, reason=reason)
    assert "meeting file" in en and "7 control characters" in en and "制御文字" not in en
    assert "会議ファイル" in ja and "制御文字が 7 個" in ja and "control characters" not in ja
    error = InputError.of("input.binary", what=what, reason=reason)
    assert (error.en, error.ja) == (en, ja) and error.key == "input.binary"


def test_labels_hand_a_renderer_one_area_in_one_language() -> None:
    words_ja, words_en = labels("actions.word", "ja"), labels("actions.word", "en")
    assert words_ja["overdue"] == "期限切れ" and words_en["overdue"] == "overdue"
    assert set(words_ja) == set(words_en) == {"open", "done", "overdue", "me", "manager", "other"}
    assert labels("no.such.area", "en") == {}
    # a prefix is a whole key segment: `intent` does not take `intent.part.*` as its own labels
    assert "timeframe" not in labels("intent", "en") and "part.timeframe" in labels("intent", "en")


def test_the_core_renders_its_sentences_from_the_catalog() -> None:
    """A rendered document and an error both come from catalog entries, in the asked language."""
    from coach.flows.triage import bucket_label
    from coach.rules.star import question_for
    from coach.text.inputs import check_text

    assert bucket_label("org", "ja") == message("triage.bucket.org", "ja")
    assert question_for("task", "", "en") == message("star.question.task", "en")
    with pytest.raises(InputError) as caught:
        check_text("   ", what="question", what_ja="質問")
    assert caught.value.key == "input.empty"
    assert caught.value.message("ja") == "質問が空です。テキストを入力してください。"


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
