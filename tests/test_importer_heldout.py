"""Held-out meeting folders in styles the importer was not written against.

Three folders (a Notion export, an Obsidian vault, English notes with owners and relative dues),
each with the ledger a careful reader would write down. Each expected action is one case, so
the pass count is the importer's accuracy on this set.

Decisions the expectations encode:
- an action reported as dropped / no longer needed is closed (`done`) with result `dropped`;
- `still working on X`, `まだ途中`, `予定` keep X open;
- a due date without a year takes the meeting's year; `by Friday` is the next Friday after the
  meeting; a later checklist line with a new date reschedules the action;
- wiki links are read as their text, Obsidian Tasks emoji (📅 due, ✅ done on, 🔼 priority)
  are metadata, not part of the action;
- owner markers (`@Sam`, `Sam to …`, `(Manager)`, `(Sam)`, `佐藤さん: …`, `[[Tanaka]] to …`)
  make the manager the owner and are removed from the action's text; `@me` is mine.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NamedTuple

import pytest

from coach.config import load_settings
from coach.flows.imports import import_dir
from coach.memory.store import Store
from coach.models import ActionItem, Meeting

HELDOUT = Path(__file__).parent / "fixtures" / "meetings_heldout"


class Expected(NamedTuple):
    action: str
    owner: str
    due: str | None
    from_: str
    done_in: str | None
    result: str | None = None  # only checked when given


_notion = "2026-{} 週次1on1 {}.md".format
NOTION = [
    Expected(
        "オンコール手順書の更新",
        "me",
        "2026-03-13",
        _notion("03-03", "8c1f0e2a"),
        _notion("03-10", "a41d77e0"),
    ),
    Expected(
        "決済APIのリトライ設計をまとめる",
        "me",
        "2026-03-24",
        _notion("03-03", "8c1f0e2a"),
        _notion("03-31", "5c3d0f19"),
    ),
    Expected("ローテーション案を部長と相談", "manager", None, _notion("03-03", "8c1f0e2a"), None),
    Expected(
        "QA工数の見積もりを出す",
        "me",
        "2026-03-17",
        _notion("03-10", "a41d77e0"),
        _notion("03-17", "0b9e21c4"),
    ),
    Expected(
        "社内勉強会の発表資料を作る",
        "me",
        "2026-04-10",
        _notion("03-17", "0b9e21c4"),
        _notion("04-14", "e7a2b9d3"),
    ),
    Expected(
        "新人のオンボーディング計画を作成",
        "me",
        "2026-04-21",
        _notion("03-31", "5c3d0f19"),
        _notion("04-28", "19f0c6aa"),
    ),
    Expected(
        "評価面談の日程を決める", "manager", None, _notion("03-31", "5c3d0f19"), _notion("04-14", "e7a2b9d3")
    ),
    Expected(
        "テックリードの役割について先輩に話を聞く",
        "me",
        None,
        _notion("04-14", "e7a2b9d3"),
        _notion("04-28", "19f0c6aa"),
    ),
    Expected(
        "5月の障害振り返り会を主催する",
        "me",
        "2026-05-15",
        _notion("04-28", "19f0c6aa"),
        _notion("05-12", "77c2e410"),
    ),
    Expected("振り返り会の定例化の提案をまとめる", "me", "2026-05-26", _notion("05-12", "77c2e410"), None),
    Expected("定例化を部の会議で提案する", "manager", None, _notion("05-12", "77c2e410"), None),
]

_obsidian = "2026-{} Tanaka.md".format
OBSIDIAN = [
    Expected("Write the scheduler runbook", "me", "2026-03-10", _obsidian("03-03"), _obsidian("03-10")),
    Expected("Benchmark the new queue client", "me", "2026-03-17", _obsidian("03-03"), _obsidian("03-17")),
    Expected("ask Platform team about the quota", "manager", None, _obsidian("03-03"), _obsidian("03-31")),
    Expected(
        "Pair with Ken on the alert routing", "me", "2026-03-27", _obsidian("03-10"), _obsidian("03-31")
    ),
    Expected("障害訓練のシナリオを書く", "me", "2026-03-31", _obsidian("03-17"), _obsidian("03-31")),
    Expected(
        "Run the game day with the on-call team", "me", "2026-04-10", _obsidian("03-31"), _obsidian("04-14")
    ),
    Expected("Update the Runbook index", "me", "2026-04-07", _obsidian("03-31"), _obsidian("04-14")),
    Expected("Write up the game day findings", "me", "2026-04-21", _obsidian("04-14"), _obsidian("04-28")),
    Expected(
        "Ask Tanaka for a reliability WG charter example",
        "me",
        None,
        _obsidian("04-14"),
        _obsidian("04-28"),
        "dropped",
    ),
    Expected("share last year's WG charter", "manager", None, _obsidian("04-14"), _obsidian("04-28")),
    Expected("Draft the reliability WG proposal", "me", "2026-05-19", _obsidian("04-28"), None),
    Expected("オンコール手当の規程を読む", "me", None, _obsidian("05-12"), None),
]

_english = "2026-{}.md".format
ENGLISH = [
    Expected("Write the migration plan", "me", "2026-03-14", _english("03-02"), _english("03-16")),
    Expected("Review the on-call handbook", "me", "2026-03-09", _english("03-02"), _english("03-09")),
    Expected("Set up the load-test environment", "me", "2026-03-06", _english("03-02"), _english("03-09")),
    Expected("confirm the Q2 headcount", "manager", None, _english("03-02"), _english("03-16")),
    Expected("Ask finance about the tooling budget", "manager", None, _english("03-02"), None),
    Expected("introduce me to the data platform lead", "manager", None, _english("03-02"), _english("04-06")),
    Expected("Pair with Priya on the flaky checkout tests", "me", None, _english("03-09"), _english("03-16")),
    Expected("share the reorg timeline", "manager", "2026-03-20", _english("03-09"), _english("03-23")),
    Expected(
        "Draft the Q2 OKRs for the search team", "me", "2026-04-03", _english("03-16"), _english("03-30")
    ),
    Expected(
        "Write the postmortem for the 3/12 outage", "me", "2026-03-18", _english("03-16"), _english("03-23")
    ),
    Expected(
        "Migrate the staging cluster to the new VPC",
        "me",
        "2026-04-10",
        _english("03-23"),
        _english("03-30"),
        "dropped",
    ),
    Expected("Benchmark the vector index options", "me", "2026-04-03", _english("03-30"), _english("04-06")),
    Expected("Write the HNSW rollout proposal", "me", "2026-04-24", _english("04-06"), None),
    Expected("Set up a monthly sync with Lee", "manager", None, _english("04-06"), _english("04-13")),
]

# Another team's tools: a Notion page with attendees, a Google Docs paste (setext headings), an
# action table whose statuses change, a cancelled week, a template named like a meeting. The
# counterpart is read from the file name; the other attendee is me; Sam is someone else.
_mixed = {
    "0406": "2026-04-06 1on1 w Morgan.md",
    "0413": "2026-04-13_1on1_Morgan.md",
    "0427": "2026-04-27 1on1 Morgan.md",
}
MIXED = [
    Expected("Write the on-call handoff checklist", "me", "2026-04-10", _mixed["0406"], _mixed["0413"]),
    Expected("book the design review room", "manager", None, _mixed["0406"], _mixed["0413"]),
    Expected("collect the vendor quotes", "other", None, _mixed["0406"], None),
    Expected("Draft the Q2 hiring plan", "me", "2026-04-10", _mixed["0406"], _mixed["0427"]),
    Expected(
        "Run the restore drill for the billing DB",
        "me",
        "2026-04-30",
        _mixed["0413"],
        _mixed["0427"],
        "dropped",
    ),
    Expected("Compare the two log vendors", "other", "2026-04-24", _mixed["0413"], _mixed["0427"]),
    Expected("Update the runbook index", "me", "2026-04-17", _mixed["0413"], _mixed["0427"]),
    Expected("Write the migration notice for the billing team", "me", None, _mixed["0427"], None),
]

FOLDERS = {"notion": NOTION, "obsidian": OBSIDIAN, "english": ENGLISH, "mixed": MIXED}
Imported = dict[str, tuple[list[ActionItem], list[Meeting]]]
CASES = [(folder, case) for folder, cases in FOLDERS.items() for case in cases]


def _imported(folder: str, data_dir: Path) -> tuple[list[ActionItem], list[Meeting]]:
    settings = load_settings(data_dir=data_dir)
    import_dir(HELDOUT / folder, settings, index=False)
    store = Store.open(settings)
    return store.actions(), store.meetings()


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    base = tmp_path_factory.mktemp("heldout")
    return {folder: _imported(folder, base / folder) for folder in FOLDERS}


def _got(case: Expected, actions: list[ActionItem]) -> Expected | None:
    for a in actions:
        if a.action == case.action and a.from_ == case.from_:
            return Expected(
                a.action,
                a.owner,
                a.due.isoformat() if a.due else None,
                a.from_,
                a.done_in,
                a.result if case.result is not None else None,
            )
    return None


@pytest.mark.parametrize(("folder", "case"), CASES, ids=[f"{f}-{c.action[:30]}" for f, c in CASES])
def test_heldout_action(folder: str, case: Expected, imported: Imported) -> None:
    actions, _meetings = imported[folder]
    assert _got(case, actions) == case


@pytest.mark.parametrize("folder", list(FOLDERS))
def test_heldout_has_no_extra_actions(folder: str, imported: Imported) -> None:
    actions, _meetings = imported[folder]
    assert sorted((a.action, a.from_) for a in actions) == sorted(
        (c.action, c.from_) for c in FOLDERS[folder]
    )


def test_notion_properties_are_metadata_not_notes(
    imported: Imported,
) -> None:
    _actions, meetings = imported["notion"]
    first = meetings[0]
    assert (first.date, first.with_, first.title) == (dt.date(2026, 3, 3), "佐藤さん", "週次1on1 3/3")
    assert [m.date for m in meetings][3] == dt.date(2026, 3, 31)
    for meeting in meetings:
        text = meeting.preamble + "".join(s.text for s in meeting.sections)
        assert "Created:" not in text and "Tags:" not in text and "<details>" not in text
    toggled = meetings[2]
    assert [s.kind for s in toggled.sections] == ["results", "actions"]


def test_obsidian_links_and_callouts_read_as_text(
    imported: Imported,
) -> None:
    actions, meetings = imported["obsidian"]
    first = meetings[0]
    assert (first.date, first.with_, first.title) == (dt.date(2026, 3, 3), "Tanaka", "1on1 with Tanaka")
    assert [s.kind for s in first.sections] == ["results", "concerns", "actions"]
    assert all("📅" not in a.action and "[[" not in a.action for a in actions)


def test_mixed_folder_leaves_out_the_template_and_the_cancelled_week_holds_nothing(
    imported: Imported,
) -> None:
    actions, meetings = imported["mixed"]
    files = {m.file for m in meetings}
    assert "2026-05-04 テンプレート.md" not in files, "a template is not a meeting"
    assert "2026-04-20 1on1 Morgan.md" in files
    assert not [a for a in actions if "2026-04-20" in (a.from_, a.done_in or "")]
    assert {a.owner_name for a in actions if a.owner == "other"} == {"sam", "Sam"}
