"""The ``cme`` command.

The CLI prints; the daemon logs. Every failure a user can cause or meet is one
line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import click
import peewee
from rich.console import Console
from rich.table import Table

from cme.app import App, build_app
from cme.cases_cli import register_commands
from cme.clock import ClockError, clock_from_env
from cme.config import Config, ConfigError, config_from_mapping, default_config_path, load_config
from cme.parsing import build_parser
from cme.samples import seed_samples
from cme.template_checks import check_templates, test_templates
from parsers.document import ReadError
from parsers.message import MessageResult
from parsers.sandbox import Sandbox
from parsers.templates import TemplateError
from register.db import RegisterError
from register.models import InboundMessage, MessageStatus
from register.queries import message_as_dict, messages
from watcher.mailbox import MailboxError
from watcher.processing import describe

EXPECTED_ERRORS = (
    ConfigError,
    ClockError,
    RegisterError,
    MailboxError,
    TemplateError,
    peewee.OperationalError,
)

console = Console()


class UserError(click.ClickException):
    """A one-line error for the person at the terminal."""

    def show(self, file: Any = None) -> None:
        click.echo(f"cme: {self.format_message()}", err=True)


@click.group()
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Configuration file (default: $CME_CONFIG or ./config.toml).",
)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, verbose: int) -> None:
    """cme: the Children Missing Education register, its mailbox and its clocks."""
    level = (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Library warnings about damaged files can quote the file's bytes: keep
    # personal data out of the logs, and report problems our own way.
    for noisy in ("pypdf", "pdfminer", "extract_msg", "fontTools", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    ctx.obj = config_path or default_config_path()


def open_app(ctx: click.Context) -> App:
    try:
        config = load_config(ctx.obj)
        return build_app(config, clock_from_env())
    except EXPECTED_ERRORS as exc:
        raise UserError(str(exc)) from None


@cli.command()
@click.option("--once", is_flag=True, help="Take everything waiting, fire what is due, then exit.")
@click.pass_context
def watch(ctx: click.Context, once: bool) -> None:
    """Watch the mailbox and take mail into the register until stopped."""
    app = open_app(ctx)
    try:
        mailbox = app.open_mailbox()
        daemon = app.daemon(mailbox)
        if not once:
            click.echo(
                f"cme: watching {app.config.mailbox.backend} mailbox; Ctrl-C to stop", err=True
            )
        report = daemon.run(once=once)
    except EXPECTED_ERRORS as exc:
        raise UserError(str(exc)) from None
    finally:
        app.close()
    if once:
        click.echo(
            f"taken in {report.taken}, seen before {report.duplicates}, "
            f"processed {report.processed}, deadlines fired {report.fired}"
            + (f", problems {len(report.errors)} (see cme intake list)" if report.errors else "")
        )


@cli.command("seed-samples")
@click.option("--force", is_flag=True, help="Seed again even if this mailbox was seeded before.")
@click.pass_context
def seed_samples_command(ctx: click.Context, force: bool) -> None:
    """Put the synthetic sample emails in the Maildir, once."""
    try:
        config = load_config(ctx.obj)
    except ConfigError as exc:
        raise UserError(str(exc)) from None
    if config.mailbox.backend != "maildir":
        raise UserError("seed-samples only fills a local Maildir")
    try:
        added = seed_samples(
            config.mailbox.path, config.base_dir / "tests" / "fixtures", force=force
        )
    except (OSError, MailboxError) as exc:
        raise UserError(str(exc)) from None
    if added is None:
        click.echo("sample mail was seeded before; nothing added (use --force to add again)")
    else:
        click.echo(f"added {added} sample emails to {config.mailbox.path}")


@cli.group()
def intake() -> None:
    """The intake ledger: every email received, and what became of it."""


@intake.command("list")
@click.option("--status", type=click.Choice(MessageStatus.ALL), default=None)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.pass_context
def intake_list(ctx: click.Context, status: str | None, as_json: bool) -> None:
    """List inbound messages, newest last."""
    open_app(ctx)
    rows = [message_as_dict(m) for m in messages(status)]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = Table("id", "received", "status", "from", "subject", "parts", "problem")
    for row in rows:
        problem = row["error"] or "; ".join(row["warnings"])
        table.add_row(
            str(row["id"]),
            row["received_at"][:16].replace("T", " "),
            row["status"],
            row["sender"] or "",
            (row["subject"] or "")[:50],
            str(len(row["documents"])),
            problem[:60],
        )
    console.print(table)


@intake.command("show")
@click.argument("message_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def intake_show(ctx: click.Context, message_id: int, as_json: bool) -> None:
    """Show one message: its parts, status and error."""
    open_app(ctx)
    message = _message_or_fail(message_id)
    row = message_as_dict(message)
    if as_json:
        click.echo(json.dumps(row, indent=2, ensure_ascii=False))
        return
    for key in (
        "id",
        "status",
        "error",
        "received_at",
        "taken_at",
        "sender",
        "subject",
        "message_id",
        "sha256",
        "archive_path",
        "attempts",
    ):
        if row[key] not in (None, ""):
            console.print(f"[bold]{key}[/bold]: {row[key]}", highlight=False)
    for warning in row["warnings"]:
        console.print(f"[bold]warning[/bold]: {warning}", highlight=False)
    table = Table("#", "part", "declared", "sniffed", "size", "stored", "warning")
    for doc in row["documents"]:
        table.add_row(
            str(doc["position"]),
            doc["part"],
            doc["declared_type"] or "",
            doc["sniffed_type"] or "",
            f"{doc['size']:,}",
            "yes" if doc["stored"] else "no",
            doc["warning"] or "",
        )
    console.print(table)


@intake.command("retry")
@click.argument("message_id", type=int)
@click.pass_context
def intake_retry(ctx: click.Context, message_id: int) -> None:
    """Read a message again from the archive and run it through every stage."""
    app = open_app(ctx)
    message = _message_or_fail(message_id)
    message = app.intake.reopen(message)
    message = app.processor.process(message.id)
    click.echo(
        f"message {message.id}: {message.status}" + (f" ({message.error})" if message.error else "")
    )


def _config_or_defaults(ctx: click.Context) -> Config:
    """Commands that need no register still honour --config when there is one."""
    path: Path = ctx.obj
    try:
        return load_config(path) if path.exists() else config_from_mapping({}, path.resolve())
    except ConfigError as exc:
        raise UserError(str(exc)) from None


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="JSON (JSON Lines for several files).")
@click.pass_context
def parse(ctx: click.Context, files: tuple[Path, ...], as_json: bool) -> None:
    """Read forms and emails and print what they say; the register is not touched."""
    config = _config_or_defaults(ctx)
    try:
        parser = build_parser(config)
    except TemplateError as exc:
        raise UserError(str(exc)) from None
    failed = False
    try:
        for path in files:
            try:
                result = parser.parse_file(path)
            except (OSError, ReadError) as exc:
                reason = exc.reason if isinstance(exc, ReadError) else exc.strerror or str(exc)
                click.echo(f"cme: {path}: {reason}", err=True)
                failed = True
                continue
            if as_json:
                click.echo(json.dumps(result.as_dict(), ensure_ascii=False))
            else:
                _print_result(result)
    finally:
        if isinstance(parser.read, Sandbox):
            parser.read.close()
    if failed:
        sys.exit(1)


def _print_result(result: MessageResult) -> None:
    console.print(f"[bold]{result.source}[/bold]: {result.kind}", highlight=False)
    table = Table("field", "value", "review")
    for name, value in result.fields.items():
        table.add_row(name, str(value), "yes" if name in result.needs_review else "")
    for name in result.needs_review:
        if name not in result.fields:
            table.add_row(name, "(missing)", "yes")
    console.print(table)
    for doc in result.documents:
        line = f"  {doc.part}: {doc.kind}" + (f" ({doc.template})" if doc.template else "")
        console.print(line, highlight=False)
        for warning in doc.warnings:
            console.print(f"    warning: {warning}", highlight=False)


@cli.group()
def templates() -> None:
    """Form and letter templates: check them, and test them on their samples."""


@templates.command("check")
@click.pass_context
def templates_check(ctx: click.Context) -> None:
    """Validate every template; each error names the file and the key."""
    config = _config_or_defaults(ctx)
    problems = check_templates(config)
    for problem in problems:
        click.echo(problem)
    if problems:
        sys.exit(1)
    click.echo("all templates are valid")


@templates.command("test")
@click.option("--template", "only", default=None, help="Test only this template.")
@click.pass_context
def templates_test(ctx: click.Context, only: str | None) -> None:
    """Run each form template on its sample documents and show the differences."""
    config = _config_or_defaults(ctx)
    parser = build_parser(config, sandboxed=False)
    differences = 0
    for report in test_templates(parser, only):
        click.echo(report.heading)
        for line in report.lines:
            click.echo(f"  {line}")
        differences += len(report.lines)
    if differences:
        click.echo(f"{differences} differences")
        sys.exit(1)
    click.echo("every sample reads as expected")


@cli.group()
def calendar() -> None:
    """The school calendar that deadlines count school days in."""


@calendar.command("import")
@click.argument("ics", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--out", "out", type=click.Path(path_type=Path), required=True,
              help="Where to write the merged calendar, for review (never over the original).")
@click.option("--school", default=None, help="A school's own feed: its LAESTAB or name.")
@click.option("--own-terms", is_flag=True, help="The school sets its own terms.")
@click.pass_context
def calendar_import(ctx: click.Context, ics: Path, out: Path, school: str | None,
                    own_terms: bool) -> None:
    """Merge an iCalendar feed into the calendar, written to a new file to review."""
    from workflows.calendar import CalendarError, import_ics, merge_import, read_spec, write_spec

    config = _config_or_defaults(ctx)
    if out.resolve() == config.calendar.path.resolve():
        raise UserError("write to a new file and review it before replacing the calendar")
    try:
        feed = import_ics(ics)
        merged = merge_import(read_spec(config.calendar.path), feed, school=school,
                              own_terms=own_terms)
        write_spec(merged, out)
    except (CalendarError, ValueError) as exc:
        raise UserError(str(exc)) from None
    for reason in feed.skipped:
        click.echo(f"not imported: {reason}")
    click.echo(f"wrote {out}: review it, then point [calendar] path at it")


def _message_or_fail(message_id: int) -> InboundMessage:
    message = InboundMessage.get_or_none(InboundMessage.id == message_id)
    if message is None:
        raise UserError(f"no inbound message {message_id}")
    return message


register_commands(cli, open_app, UserError)


def main() -> None:
    try:
        cli.main(prog_name="cme", standalone_mode=True)
    except KeyboardInterrupt:
        sys.exit(130)
    except EXPECTED_ERRORS as exc:
        click.echo(f"cme: {exc}", err=True)
        sys.exit(1)
    except Exception as exc:  # the last line of defence: one line, never a traceback
        logging.getLogger("cme").debug("unexpected error", exc_info=True)
        click.echo(f"cme: unexpected error: {describe(exc)} (run with -vv for details)", err=True)
        sys.exit(1)
