"""Held-out cases for the review, written apart from shared/eval's expected values.

(a) New self-evaluation claims over shared/eval/meetings for 2026-01-01..2026-06-30, labelled by
    reading the meetings: paraphrases, English claims against Japanese notes, numbers written
    differently, things discussed only after the period, and numbers that differ.
(b) A second set of ten English meetings (a web/mobile engineer and a manager named Dana),
    imported into a real store: the review must read as an English sheet, count follow-through
    as worked out by hand below, and state no number the meetings do not hold.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from coach.config import Settings, load_settings
from coach.flows.imports import import_dir
from coach.flows.review import build_review, check_claims
from coach.llm.grounding import ungrounded_numbers
from coach.models import Period, Review, ReviewCheck

H1 = Period.model_validate({"from": "2026-01-01", "to": "2026-06-30"})

# (claim, expected status, a meeting the claim must be traced to when shared / differing)
CLAIMS: list[tuple[str, str, str]] = [
    # -- shared, Japanese, reworded
    ("商品詳細APIのN+1を潰してキャッシュを入れ、P95を44%短縮した", "shared", "2026-01-06"),
    ("アラートのノイズを整理し、週あたりの通知を約7割減らした", "shared", "2026-02-17"),
    ("ライブラリ更新の調査を行い、候補を4つに絞り込んだ", "shared", "2026-01-20"),
    ("技術選定会議でHTTPクライアントの置き換え案を通した", "shared", "2026-02-17"),
    ("ポストモーテムを主導し、本番障害4件の原因がレビュー漏れだと突き止めた", "shared", "2026-03-17"),
    ("lintによる自動チェックを試験導入し、レビュー指摘の3割を機械で拾えるようにした", "shared", "2026-04-28"),
    ("在庫APIのタイムアウト率を２．４％から０．３％に下げた", "shared", "2026-05-12"),
    ("新卒２名の受け入れとオンボーディングを担当した", "shared", "2026-04-14"),
    ("コードレビューのガイドライン草案を書いてチームに共有した", "shared", "2026-03-31"),
    ("オンボーディングの資料を社内wikiで公開した", "shared", "2026-04-28"),
    ("新卒2名を含む3人チームのリードを試験的に始めた", "shared", "2026-06-09"),
    ("上期の成果をSTAR形式で8件に棚卸しした", "shared", "2026-06-23"),
    # -- shared, English claims against Japanese notes
    (
        "Onboarded two new graduates and cut dev environment setup from three days to half a day.",
        "shared",
        "2026-04-14",
    ),
    ("Reduced product detail API p95 latency from 320ms to 180ms.", "shared", "2026-01-06"),
    ("Brought the error rate down from 0.8 % to 0.2 %.", "shared", "2026-01-06"),
    (
        "Cut weekly on-call alerts from 300 to 90 by tuning thresholds and merging duplicates.",
        "shared",
        "2026-02-17",
    ),
    (
        "Got the HTTP client replacement proposal approved by the technology selection board.",
        "shared",
        "2026-02-17",
    ),
    (
        "Led the postmortem that traced all four production incidents to gaps in code review.",
        "shared",
        "2026-03-17",
    ),
    (
        "Ran a lint proof of concept that caught 30% of what reviewers used to point out by hand.",
        "shared",
        "2026-04-28",
    ),
    (
        "Brought inventory API timeouts down from 2.4% to 0.3% by tuning the connection pool.",
        "shared",
        "2026-05-12",
    ),
    ("Published the onboarding guide on our internal wiki.", "shared", "2026-04-28"),
    ("Measured the review load: roughly 6 hours per engineer every week.", "shared", "2026-01-20"),
    (
        "Incidents caused by missed reviews fell from 4 to 1 after the guideline and automated checks.",
        "shared",
        "2026-06-23",
    ),
    ("Made the plan for rolling the automated review checks out to every team.", "shared", "2026-05-26"),
    ("Started leading a small three-person team as a trial.", "shared", "2026-06-09"),
    ("Improved p95 latency by 43.75%.", "shared", "2026-01-06"),
    # -- unshared: never discussed
    ("社外の勉強会でKubernetes運用について登壇した", "unshared", ""),
    ("決済システムのDB移行を無停止で完了させた", "unshared", ""),
    ("フロントエンドのバンドルサイズを40%削減した", "unshared", ""),
    ("Migrated our CI from Jenkins to GitHub Actions and halved build times.", "unshared", ""),
    ("Gave a talk on observability at an external meetup.", "unshared", ""),
    ("Negotiated a 15% discount on the cloud contract.", "unshared", ""),
    ("Built a data pipeline that cut the nightly batch from 5 hours to 2 hours.", "unshared", ""),
    ("決済APIのレイテンシを500msから200msに改善した", "unshared", ""),
    # -- unshared for this period: only discussed in July / August
    ("設計レビュー会を立ち上げて毎週運営している", "unshared", ""),
    ("チームのデプロイ頻度を週2回から週5回に増やした", "unshared", ""),
    ("Received a recommendation for a one-grade promotion.", "unshared", ""),
    ("Increased the new team's deploy frequency from twice to five times a week.", "unshared", ""),
    ("Set up the design review meeting and ran it regularly.", "unshared", ""),
    # -- number differs from what the meetings recorded
    ("P95レイテンシを320msから150msに改善した", "number_differs", "2026-01-06"),
    ("週300件あったアラートを50件まで減らした", "number_differs", "2026-02-17"),
    ("環境構築にかかる時間を5日から半日に短縮した", "number_differs", "2026-04-14"),
    ("在庫APIのタイムアウト率を2.4%から0.1%に削減した", "number_differs", "2026-05-12"),
    ("Cut weekly alerts from 300 to 60.", "number_differs", "2026-02-17"),
    ("The lint PoC automatically detected 45% of review comments.", "number_differs", "2026-04-28"),
    ("Production incidents caused by missed reviews fell from 4 to 2.", "number_differs", "2026-06-23"),
    ("Reduced p95 latency by 60%.", "number_differs", "2026-01-06"),
    ("Secured 30% of next month's engineering capacity for the rollout.", "number_differs", "2026-04-28"),
]


# Still missed (measured, kept visible): an English claim whose only bridge to the Japanese note is a
# loanword (postmortem / ポストモーテム, team / チーム) or a word with no shared number (capacity /
# 工数); a claim about another system (決済API) whose words otherwise match a recorded result.
KNOWN_MISSES = {
    "Led the postmortem that traced all four production incidents to gaps in code review.",
    "Made the plan for rolling the automated review checks out to every team.",
    "決済APIのレイテンシを500msから200msに改善した",
    "Secured 30% of next month's engineering capacity for the rollout.",
}
CASES = [
    pytest.param(i, case, marks=pytest.mark.xfail(strict=True, reason="known miss"), id=case[0][:40])
    if case[0] in KNOWN_MISSES
    else pytest.param(i, case, id=case[0][:40])
    for i, case in enumerate(CLAIMS)
]


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory, meetings_dir: Path) -> ReviewCheck:
    settings = load_settings(data_dir=tmp_path_factory.mktemp("heldout-check"))
    import_dir(meetings_dir, settings, index=False)
    sheet = "\n".join(f"- {claim}" for claim, _, _ in CLAIMS)
    result = check_claims(sheet, H1, settings)
    assert len(result.claims) == len(CLAIMS), [c.claim for c in result.claims]
    return result


@pytest.mark.parametrize(("position", "case"), CASES)
def test_heldout_claim(checked: ReviewCheck, position: int, case: tuple[str, str, str]) -> None:
    claim, status, meeting = case
    got = checked.claims[position]
    assert got.status == status, f"{claim!r}: {got.status} {got.meetings} {got.detail}"
    if meeting:
        assert f"{meeting}.md" in got.meetings, f"{claim!r}: {got.meetings}"


# --------------------------------------------------------------------------- (b) English meetings

ENGLISH_MEETINGS: dict[str, str] = {
    "2025-10-02.md": """
        ---
        date: 2025-10-02
        with: Dana
        title: Kickoff for the half
        ---
        ## Updates
        - Situation: the checkout page was slow on mobile
        - Action: lazy-loaded product images and split the JavaScript bundle
        - Result: Largest Contentful Paint went from 4.2s to 2.1s

        ## Concerns
        - [ask] Not sure who owns the payments SDK upgrade

        ## Career
        - I want to grow toward a staff engineer role

        ## Decisions
        - Dana will find out who owns the payments SDK upgrade

        ## Action items
        - [ ] Write a one-page proposal for a bundle size budget (due: 2025-10-16)
        - [ ] Collect crash-free session numbers for the Android app (due: 2025-10-16)
        """,
    "2025-10-16.md": """
        ---
        date: 2025-10-16
        with: Dana
        title: Bundle budget
        ---
        Quick recap: the bundle size budget proposal is written and went to the web guild.

        ## Updates
        - Android crash-free sessions improved from 97.1% to 99.2% after fixing an image cache leak

        ## Action items
        - [x] Write a one-page proposal for a bundle size budget
        - [ ] Collect crash-free session numbers for the Android app
        - [ ] Set up a bundle size check in CI (due: 2025-10-31)
        """,
    "2025-11-06.md": """
        ---
        date: 2025-11-06
        with: Dana
        title: On-call staffing
        ---
        ## Wins
        - The bundle size check runs on every pull request; the main bundle shrank from 820 KB to 540 KB

        ## Concerns
        - [escalation] Only three people cover on-call for the whole mobile org

        ## Decisions
        - Dana will raise on-call staffing at the managers' meeting

        ## Action items
        - [x] Collect crash-free session numbers for the Android app
        - [x] Set up a bundle size check in CI
        - [ ] Draft an incident review template (due: 2025-11-20)
        """,
    "2025-11-20.md": """
        ---
        date: 2025-11-20
        with: Dana
        title: Career direction
        ---
        ## Updates
        - No big results this sprint; the incident review template is half written

        ## Career
        - Within a year I'd like to lead the web performance workstream across two teams, because I enjoy setting technical direction

        ## Info
        - Staff promotions are reviewed in April; evidence of cross-team impact matters most

        ## Action items
        - [ ] Draft an incident review template (due: 2025-12-04)
        - [ ] Pair with the new hire on the checkout codebase (due: 2025-12-04)
        """,
    "2025-12-04.md": """
        ---
        date: 2025-12-04
        with: Dana
        title: Incident reviews
        ---
        ## Results
        - Ran the first incident review with the new template; the team shipped the follow-up fixes within a week
        - Checkout API error rate dropped from 1.8% to 0.6% after adding retries with backoff

        ## Decisions
        - I will own the web performance workstream from January

        ## Action items
        - [x] Draft an incident review template
        - [x] Pair with the new hire on the checkout codebase
        - [ ] Plan the Q1 performance roadmap (due: 2026-01-15)
        - [ ] @Dana share the headcount plan for next year
        """,
    "2026-01-15.md": """
        ---
        date: 2026-01-15
        with: Dana
        title: Roadmap and feedback
        ---
        ## Updates
        - The Q1 performance roadmap is shared with both teams; 5 initiatives prioritised

        ## Concerns
        - [ask] How do I give feedback to a senior peer without sounding bossy?

        ## Info
        - Dana suggested the situation-behaviour-impact format for feedback

        ## Action items
        - [x] Plan the Q1 performance roadmap
        - [ ] Run a load test of the checkout flow before the spring sale (due: 2026-02-12)
        - [ ] Give SBI feedback to one peer (due: 2026-01-29)
        """,
    "2026-02-05.md": """
        ---
        date: 2026-02-05
        with: Dana
        title: Load test
        ---
        ## Results
        - Checkout throughput went from 450 to 1,200 requests per second after connection pool tuning

        ## Info
        - The managers' meeting approved a fourth on-call engineer starting in March

        ## Action items
        - [x] Run a load test of the checkout flow before the spring sale
        - [ ] Give SBI feedback to one peer
        - [ ] Write the performance section of the engineering blog (due: 2026-03-05)
        """,
    "2026-02-26.md": """
        ---
        date: 2026-02-26
        with: Dana
        title: After the spring sale
        ---
        ## Results
        - The image CDN migration cut monthly bandwidth cost from 3,400 USD to 2,100 USD

        ## Career
        - Next year I want to be evaluated as a staff engineer

        ## Action items
        - [x] Give SBI feedback to one peer
        - [ ] Write the performance section of the engineering blog (due: 2026-03-05)
        - [ ] Mentor two juniors on profiling tools (due: 2026-03-31)
        """,
    "2026-03-19.md": """
        ---
        date: 2026-03-19
        with: Dana
        title: Search page speed
        ---
        The blog post is still in draft.

        ## Updates
        - Search results page LCP improved from 3.5s to 1.9s

        ## Action items
        - [ ] Write the performance section of the engineering blog
        - [ ] Prepare the self-review for April (due: 2026-03-31)
        """,
    "2026-04-09.md": """
        ---
        date: 2026-04-09
        with: Dana
        title: Blog post out
        ---
        ## Results
        - Published the performance blog post; it reached 4,000 readers

        ## Action items
        - [x] Write the performance section of the engineering blog
        - [x] Mentor two juniors on profiling tools
        - [x] Prepare the self-review for April
        - [ ] Define the next half's goals (due: 2026-04-30)
        """,
}
SECOND_HALF = Period.model_validate({"from": "2025-10-01", "to": "2026-03-31"})
# Worked out by hand: my actions opened Oct–Mar are 11 (Dana's headcount plan is hers); 8 closed by
# 2026-03-19; the blog section, mentoring and self-review closed only on 2026-04-09, so open at the end.
# On time: bundle budget, incident template (due moved to 12-04), pairing, roadmap, load test = 5.
FOLLOW = (11, 8, 3, 5)
# before→after pairs of the period, with the change computed by hand.
PAIRS = {
    (4.2, 2.1): -50.0,
    (97.1, 99.2): 2.16,
    (820, 540): -34.15,
    (1.8, 0.6): -66.67,
    (450, 1200): 166.67,
    (3400, 2100): -38.24,
    (3.5, 1.9): -45.71,
}
AFTER_PERIOD = ("4,000", "4000", "readers")


@pytest.fixture(scope="module")
def english(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Path]:
    notes = tmp_path_factory.mktemp("english-notes")
    for name, text in ENGLISH_MEETINGS.items():
        (notes / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    settings = load_settings(data_dir=tmp_path_factory.mktemp("english-data"))
    report = import_dir(notes, settings, index=False)
    assert report.imported == len(ENGLISH_MEETINGS)
    return settings, notes


@pytest.fixture(scope="module")
def english_review(english: tuple[Settings, Path]) -> Review:
    return build_review(SECOND_HALF, english[0])


def test_english_follow_through_counts(english_review: Review) -> None:
    follow = english_review.follow_through
    assert (follow.promised, follow.done, follow.open, follow.on_time) == FOLLOW
    assert all(action.owner == "me" for action in follow.actions)
    assert not any("headcount" in action.action for action in follow.actions)


def test_english_results_carry_every_pair_with_its_change(english_review: Review) -> None:
    found = {
        (m.before, m.after): m.change_pct
        for item in english_review.results
        for m in item.metrics
        if m.before is not None and m.after is not None
    }
    for pair, change in PAIRS.items():
        assert pair in found, f"missing {pair}: {sorted(found)}"
        assert found[pair] == pytest.approx(change, abs=0.01)
    strengths = [max((abs(m.change_pct or 0) for m in i.metrics), default=0) for i in english_review.results]
    assert strengths == sorted(strengths, reverse=True)


def test_english_draft_is_an_english_sheet(english_review: Review) -> None:
    draft = english_review.draft
    lines = [line.strip() for line in draft.splitlines()]
    for heading in ("## Results", "## How", "## Next goals"):
        assert heading in lines
    assert not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", draft), draft
    assert "Completed 8 of the 11 actions" in draft
    for item in english_review.results:
        assert not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", item.statement), item.statement
    results = draft.split("## How")[0]
    assert "4.2" in results and "2.1" in results
    assert not any(word in draft for word in AFTER_PERIOD)
    assert english_review.warnings == [] and english_review.engine == "offline"


def test_english_draft_grounds_every_number_and_cites_a_period_meeting(
    english_review: Review, english: tuple[Settings, Path]
) -> None:
    notes = english[1]
    in_period = {p.name[:10] for p in notes.glob("*.md") if p.name[:10] <= "2026-03-31"}
    source = "\n".join((notes / f"{day}.md").read_text(encoding="utf-8") for day in sorted(in_period))
    follow = english_review.follow_through
    computed = [float(v) for v in (follow.promised, follow.done, follow.open, follow.on_time or 0)]
    computed += list(PAIRS.values())
    for line in english_review.draft.splitlines():
        if not line.strip().startswith("-"):
            continue
        cited = re.findall(r"\d{4}-\d{2}-\d{2}", line)
        assert cited and set(cited) <= in_period, line
        body = re.sub(r"\d{4}-\d{2}-\d{2}", " ", line).replace("[N]", " ")
        assert ungrounded_numbers(body, source, computed) == [], line


def test_english_career_and_concerns(english_review: Review) -> None:
    assert [step.meeting for step in english_review.career] == [
        "2025-10-02.md",
        "2025-11-20.md",
        "2026-02-26.md",
    ]
    timed = english_review.career[1].has
    assert timed.timeframe and timed.reason
    assert any("web performance workstream" in ref for ref in english_review.career[1].followed_by)
    outcomes = {c.meeting: c.outcome for c in english_review.concerns}
    assert set(outcomes) == {"2025-10-02.md", "2025-11-06.md", "2026-01-15.md"}
    assert outcomes["2025-10-02.md"].startswith("decided: Dana will find out")
    assert not any(c.concern.startswith("[") for c in english_review.concerns)


def test_english_draft_leaves_out_a_report_of_no_results(english_review: Review) -> None:
    assert "No big results" not in english_review.draft
    assert "incident review" in english_review.draft
