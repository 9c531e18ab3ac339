"""Import a folder of meetings, export the store as Markdown, rebuild the search index."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

from coach.config import Settings
from coach.errors import CoachError, InputError
from coach.flows.rewrite import extract_entries
from coach.memory.ledger import rebuild_ledger
from coach.memory.markdown import ParsedMeeting, parse_meeting, render_meeting
from coach.memory.store import DerivedRows, Store, StoredMeeting
from coach.models import ActionItem, ImportReport, Meeting
from coach.rules import rules_version
from coach.rules.intent import detect_parts
from coach.rules.triage import classify
from coach.search import vectors
from coach.text.inputs import check_text
from coach.text.segment import split_items

Progress = Callable[[int, int, str], None]

MEETING_FILE = re.compile(r"^(\d{4})-(\d{2})-(\d{2}).*\.md$", re.IGNORECASE)


# --------------------------------------------------------------------------- import


def _meeting_files(directory: Path) -> tuple[list[Path], list[tuple[str, str]]]:
    if not directory.is_dir():
        raise CoachError(
            f"Folder not found: {directory}. Pass the folder that holds your meeting notes (YYYY-MM-DD*.md).",
            f"フォルダが見つかりません: {directory}。"
            "会議メモ (YYYY-MM-DD*.md) が入ったフォルダを指定してください。",
        )
    files: list[Path] = []
    warnings: list[tuple[str, str]] = []
    for path in sorted(directory.iterdir()):
        if path.name.startswith(".") or path.is_dir():
            continue
        if MEETING_FILE.match(path.name):
            files.append(path)
        else:
            warnings.append(
                (
                    f"{path.name}: ignored (meeting files are named YYYY-MM-DD*.md)",
                    f"{path.name}: 読み込みませんでした(会議メモのファイル名は YYYY-MM-DD*.md です)",
                )
            )
    if not files:
        raise CoachError(
            f"No meeting notes in {directory}: name each file YYYY-MM-DD.md (e.g. 2026-01-20.md), "
            "one file per meeting.",
            f"{directory} に会議メモがありません。1回の会議を1ファイルにし、YYYY-MM-DD.md "
            "(例: 2026-01-20.md) という名前にしてください。",
        )
    return files, warnings


def derive(meeting: Meeting) -> DerivedRows:
    """What the offline rules read out of a meeting, stored beside it for the review and agenda."""
    results = meeting.section_text("results")
    return DerivedRows(
        version=rules_version(),
        star_entries=extract_entries(results) if results else [],
        concerns=[(text, classify(text)) for text in split_items(meeting.section_text("concerns"))],
        career_intents=[(text, detect_parts(text)) for text in split_items(meeting.section_text("career"))],
    )


def stored(parsed: ParsedMeeting, raw: str, source: str = "import") -> StoredMeeting:
    return StoredMeeting(
        meeting=parsed.meeting,
        raw=raw,
        checklist=parsed.checklist,
        levels=parsed.levels,
        source=source,
        derived=derive(parsed.meeting),
    )


def import_dir(
    directory: str | Path, settings: Settings, progress: Progress | None = None, *, index: bool = True
) -> ImportReport:
    """Import a folder in one transaction: all of it or (on a crash) none of it."""
    files, skipped = _meeting_files(Path(directory))
    ja = settings.language == "ja"
    warnings = [pair[1] if ja else pair[0] for pair in skipped]
    store = Store.open(settings)
    counts = {"imported": 0, "updated": 0, "unchanged": 0}
    changed: list[Meeting] = []
    with store.transaction() as db:
        for done, path in enumerate(files, start=1):
            try:
                raw = check_text(path.read_bytes(), what=f"file {path.name}", what_ja=f"ファイル {path.name}")
                parsed = parse_meeting(raw, path.name)
            except InputError as exc:
                warnings.append(
                    f"{path.name}: 読み込みませんでした({exc.ja})"
                    if ja
                    else f"{path.name}: skipped ({exc.en})"
                )
                continue
            warnings += parsed.warnings_in(settings.language)
            outcome = store.upsert_meeting(db, stored(parsed, raw))
            counts[outcome] += 1
            if outcome != "unchanged":
                changed.append(parsed.meeting)
            if progress:
                progress(done, len(files), path.name)
        if changed or not db.execute("SELECT 1 FROM actions LIMIT 1").fetchone():
            rebuild_ledger(db)
    if index:
        warnings += index_after_commit(settings, changed)
    ledger = store.actions()
    return ImportReport(
        imported=counts["imported"],
        updated=counts["updated"],
        unchanged=counts["unchanged"],
        actions_open=sum(a.status == "open" for a in ledger),
        actions_done=sum(a.status == "done" for a in ledger),
        warnings=warnings,
    )


def index_after_commit(
    settings: Settings, meetings: Sequence[Meeting], progress: Progress | None = None
) -> list[str]:
    """Update the search index; the store stays committed whatever happens here."""
    if not meetings:
        return []
    try:
        vectors.index_meetings(settings, list(meetings), progress)
    except Exception as exc:
        if settings.language == "ja":
            return [
                f"検索インデックスを更新できませんでした({type(exc).__name__})。`coach reindex` を実行してください"
            ]
        return [f"index not updated ({type(exc).__name__}); run `coach reindex`"]
    return []


def export_dir(directory: str | Path, settings: Settings) -> list[Path]:
    store = Store.open(settings)
    meetings = store.meetings()
    if not meetings:
        raise CoachError(
            "There are no meetings to export yet. "
            "Import a folder with `coach import DIR` or save a record first.",
            "書き出す会議がまだありません。`coach import DIR` で取り込むか、会議の記録を保存してください。",
        )
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    by_meeting: dict[str, list[ActionItem]] = {}
    for action in store.actions():
        by_meeting.setdefault(action.from_, []).append(action)
    written = []
    for meeting in meetings:
        path = target / meeting.file
        path.write_text(render_meeting(meeting, by_meeting.get(meeting.file, [])), encoding="utf-8")
        written.append(path)
    return written



def reindex(settings: Settings, progress: Progress | None = None) -> int:
    """Drop the search index and rebuild it from every meeting in the store."""
    return vectors.reindex(settings, Store.open(settings).meetings(), progress)
