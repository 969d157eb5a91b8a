"""The ``cme`` command.

The CLI prints; the daemon logs. Every failure a user can cause or meet is one
line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cme.config import Config, ConfigError, config_from_mapping, default_config_path, load_config
from register.states import MessageStatus

if TYPE_CHECKING:  # the heavy parts load only in the commands that use them
    from cme.app import App
    from parsers.message import MessageResult
    from register.models import InboundMessage


def expected_errors() -> tuple[type[Exception], ...]:
    """Errors a user can meet, each shown as one line (their modules load lazily)."""
    from cme.clock import ClockError

    errors: list[type[Exception]] = [ConfigError, ClockError]
    loaded = sys.modules
    if "peewee" in loaded:
        errors += [loaded["peewee"].OperationalError, loaded["peewee"].InterfaceError]
    for module, name in (("register.db", "RegisterError"), ("watcher.mailbox", "MailboxError"),
                         ("parsers.templates", "TemplateError")):
        if module in loaded:
            errors.append(getattr(loaded[module], name))
    return tuple(errors)


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
    # peewee's debug lines are SQL with its parameters: names, dates of birth.
    for noisy in ("pypdf", "pdfminer", "extract_msg", "fontTools", "apscheduler", "peewee"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    ctx.obj = config_path or default_config_path()


def open_app(ctx: click.Context) -> App:
    """Everything: register, archive, parser, calendar, workflow (for commands that act)."""
    from cme.clock import clock_from_env

    try:
        config = load_config(ctx.obj)
        _skip_unused_drivers(config)
        from cme.app import build_app

        return build_app(config, clock_from_env())
    except expected_errors() as exc:
        raise UserError(str(exc)) from None


def open_register(ctx: click.Context) -> Session:
    """Just the configuration, the clock and the register: what read commands need."""
    from cme.clock import clock_from_env

    try:
        config = load_config(ctx.obj)
        _skip_unused_drivers(config)
        from register.db import bind

        clock = clock_from_env()
        database = bind(config.register.url)
    except expected_errors() as exc:
        raise UserError(str(exc)) from None
    ctx.call_on_close(database.close)
    return Session(config, clock)


# True when this process is the ``cme`` command itself (``main``), not a host
# such as a test run that imports the CLI.
_OWN_PROCESS = False


def _skip_unused_drivers(config: Config) -> None:
    """On an SQLite register, stop peewee importing the PostgreSQL driver.

    peewee imports every driver it finds when it is first imported; psycopg
    alone costs a read command about 0.3 s. Only done in a process that is
    ``cme`` itself, so no host process loses the driver.
    """
    if _OWN_PROCESS and config.register.url.startswith("sqlite:"):
        for name in ("psycopg", "psycopg2", "psycopg2cffi"):
            sys.modules.setdefault(name, None)  # type: ignore[arg-type]


class Session:
    """What a read command works with; ``cme.app.App`` has the same two fields."""

    def __init__(self, config: Config, clock: Any) -> None:
        self.config = config
        self.clock = clock


@cli.command()
@click.option("--once", is_flag=True, help="Take everything waiting, fire what is due, then exit.")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Log lines as text, or one JSON object per line.")
@click.pass_context
def watch(ctx: click.Context, once: bool, log_format: str) -> None:
    """Watch the mailbox and take mail into the register until stopped."""
    from cme.logs import direct_logs, show_daemon_status

    console = direct_logs(log_format, terminal=sys.stderr.isatty())
    if not once:
        show_daemon_status()
    app, lock = _open_watched_app(ctx)
    try:
        mailbox = app.open_mailbox()
        progress = None
        if console is not None:
            from cme.progress import TerminalProgress

            progress = TerminalProgress(console)
        report = app.daemon(mailbox, progress=progress).run(once=once)
    except expected_errors() as exc:
        raise UserError(str(exc)) from None
    finally:
        app.close()
        if lock is not None:
            lock.release()
    if once:
        click.echo(report.summary())
        if report.stalled:
            raise UserError(f"the pass could not finish ({report.stalled}): nothing is lost, "
                            "run it again later")


def _open_watched_app(ctx: click.Context) -> tuple[App, Any]:
    """``open_app`` for the daemon: on SQLite the register's lock is taken first,
    before the register is opened or migrated (cme/watch_lock.py)."""
    from cme.clock import clock_from_env
    from cme.watch_lock import AlreadyRunning, acquire, lock_path

    path = None
    try:
        config = load_config(ctx.obj)
        _skip_unused_drivers(config)
        clock = clock_from_env()
        path = lock_path(config.register.url)
        lock = acquire(path, clock.now()) if path is not None else None
    except AlreadyRunning as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"cannot create the register's lock {path}: {exc.strerror}") from None
    except expected_errors() as exc:
        raise UserError(str(exc)) from None
    try:
        from cme.app import build_app

        return build_app(config, clock), lock
    except BaseException as exc:
        if lock is not None:
            lock.release()
        if isinstance(exc, expected_errors()):
            raise UserError(str(exc)) from None
        raise


@cli.command("seed-samples")
@click.option("--force", is_flag=True, help="Seed again even if this mailbox was seeded before.")
@click.pass_context
def seed_samples_command(ctx: click.Context, force: bool) -> None:
    """Put the synthetic sample emails in the Maildir, once."""
    from cme.resources import SAMPLES
    from cme.samples import seed_samples
    from watcher.mailbox import MailboxError

    try:
        config = load_config(ctx.obj)
    except ConfigError as exc:
        raise UserError(str(exc)) from None
    if config.mailbox.backend != "maildir":
        raise UserError("seed-samples only fills a local Maildir")
    try:
        added = seed_samples(
            config.mailbox.path, SAMPLES, force=force
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
    open_register(ctx)
    from register.queries import messages_as_dicts

    rows = messages_as_dicts(status)
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("no messages" + (f" {status}" if status else ""))
        return
    from cme.columns import print_columns

    print_columns(
        ("id", "received", "status", "from", "subject", "parts", "problem"),
        ((str(row["id"]), row["received_at"][:16].replace("T", " "), row["status"],
          row["sender"] or "", row["subject"] or "", str(len(row["documents"])),
          row["error"] or "; ".join(row["warnings"])) for row in rows),
    )


@intake.command("show")
@click.argument("message_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def intake_show(ctx: click.Context, message_id: int, as_json: bool) -> None:
    """Show one message: its parts, status and error."""
    open_register(ctx)
    from register.queries import message_as_dict

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
        "sender_domain",
        "trust",
        "subject",
        "message_id",
        "sha256",
        "archive_path",
        "attempts",
    ):
        if row[key] not in (None, ""):
            console().print(f"[bold]{key}[/bold]: {row[key]}", highlight=False)
    auth = row["authentication"]
    if auth:
        how = f" ({auth['method']})" if auth.get("method") else ""
        by = f" by {auth['authserv_id']}" if auth.get("authserv_id") else ""
        console().print(f"[bold]authentication[/bold]: {auth['result']}{how}{by}",
                        highlight=False)
    for warning in row["warnings"]:
        console().print(f"[bold]warning[/bold]: {warning}", highlight=False)
    from rich.table import Table

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
    console().print(table)


@intake.command("retry")
@click.argument("message_id", type=int)
@click.pass_context
def intake_retry(ctx: click.Context, message_id: int) -> None:
    """Read a message again from the archive and run it through every stage.

    Exits 1, with the reason, when it fails again.
    """
    from cme.logs import leave_failures_to_the_command

    leave_failures_to_the_command()
    app = open_app(ctx)
    try:
        message = _message_or_fail(message_id)
        mailbox = app.open_mailbox()
        try:
            message = app.intake.reopen(message)
        except OSError as exc:
            raise UserError(f"message {message_id}: cannot read its mail from the archive: "
                            f"{exc.strerror or exc}") from None
        # Its letters that failed (a broken template, fixed since) go out again,
        # mailed once by the same sender as the daemon's.
        app.sender.requeue_failed(source_id=message.id)
        try:
            message = app.processor.process(message.id)
        finally:
            mailbox.close()
        from cme.cases_cli import letter_lines
        from register.models import Letter

        letters = letter_lines([row.id for row in Letter.select(Letter.id)
                                .where(Letter.source == message.id)])
    except expected_errors() as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:  # the outbox's disk: the letters stay pending for the daemon
        raise UserError(f"message {message_id}: its letters are not mailed yet: "
                        f"{exc.strerror or exc}") from None
    finally:
        app.close()
    if message.status == MessageStatus.FAILED:
        raise UserError(f"message {message.id}: failed again: {message.error}")
    click.echo(
        f"message {message.id}: {message.status}" + (f" ({message.error})" if message.error else "")
    )
    for line in letters.lines:
        click.echo(line)
    if letters.problems:
        raise UserError(f"message {message.id}: " + "; ".join(letters.problems))


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
    from cme.parsing import build_parser
    from parsers.document import ReadError
    from parsers.sandbox import Sandbox
    from parsers.templates import TemplateError

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


@cli.command("eval")
@click.argument("folders", nargs=-1, required=True,
                type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable scores.")
@click.option("--baseline", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              default=None, help="An earlier --json output: show the difference from it.")
@click.option("--no-misses", is_flag=True, help="Only the tables and the scores.")
@click.pass_context
def eval_command(ctx: click.Context, folders: tuple[Path, ...], as_json: bool,
                 baseline: Path | None, no_misses: bool) -> None:
    """Score the reading of labelled folders (NAME.eml + NAME.expected.json)."""
    from cme.evaluation import as_json as scores_json
    from cme.evaluation import evaluate, report_lines
    from cme.parsing import build_parser
    from parsers.evaluate import EvalError
    from parsers.sandbox import Sandbox

    config = _config_or_defaults(ctx)
    before = None
    if baseline is not None:
        try:
            before = json.loads(baseline.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UserError(f"{baseline}: not a `cme eval --json` output ({exc})") from None
    parser = build_parser(config)
    try:
        scores = evaluate(parser, list(folders))
    except EvalError as exc:
        raise UserError(str(exc)) from None
    finally:
        if isinstance(parser.read, Sandbox):
            parser.read.close()
    if as_json:
        click.echo(scores_json(scores))
        return
    for line in report_lines(scores, before, misses=not no_misses):
        click.echo(line)


def _print_result(result: MessageResult) -> None:
    from rich.table import Table

    console().print(f"[bold]{result.source}[/bold]: {result.kind}", highlight=False)
    table = Table("field", "value", "review")
    for name, value in result.fields.items():
        table.add_row(name, str(value), "yes" if name in result.needs_review else "")
    for name in result.needs_review:
        if name not in result.fields:
            table.add_row(name, "(missing)", "yes")
    console().print(table)
    for doc in result.documents:
        line = f"  {doc.part}: {doc.kind}" + (f" ({doc.template})" if doc.template else "")
        console().print(line, highlight=False)
        for warning in doc.warnings:
            console().print(f"    warning: {warning}", highlight=False)


@cli.group()
def templates() -> None:
    """Form and letter templates: check them, and test them on their samples."""


@templates.command("check")
@click.pass_context
def templates_check(ctx: click.Context) -> None:
    """Validate every template; each error names the file and the key."""
    from cme.template_checks import check_templates, template_sources

    config = _config_or_defaults(ctx)
    for name, origin, path in template_sources(config):
        click.echo(f"{name}: {origin} ({path})")
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
    from cme.parsing import build_parser
    from cme.template_checks import test_templates

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
    if out.resolve() == config.calendar_path.resolve():
        raise UserError("write to a new file and review it before replacing the calendar")
    try:
        feed = import_ics(ics)
        merged = merge_import(read_spec(config.calendar_path), feed, school=school,
                              own_terms=own_terms)
        write_spec(merged, out)
    except (CalendarError, ValueError) as exc:
        raise UserError(str(exc)) from None
    for reason in feed.skipped:
        click.echo(f"not imported: {reason}")
    click.echo(f"wrote {out}: review it, then point [calendar] path at it")


def _message_or_fail(message_id: int) -> InboundMessage:
    from register.models import InboundMessage

    message = InboundMessage.get_or_none(InboundMessage.id == message_id)
    if message is None:
        raise UserError(f"no inbound message {message_id}")
    return message


def console() -> Any:
    """rich's console, made when a table is first printed (rich is slow to import)."""
    from rich.console import Console

    return Console()


from cme.cases_cli import register_commands  # noqa: E402  (the case-work commands)

register_commands(cli, open_app, open_register, UserError)
from cme.children_cli import register_child_commands  # noqa: E402  (child, search)

register_child_commands(cli, open_register, UserError)
from cme.site_cli import register_site_commands  # noqa: E402  (init and doctor)

register_site_commands(cli, UserError)


def main() -> None:
    global _OWN_PROCESS
    _OWN_PROCESS = True
    # What cme writes holds personal data: private whatever the caller's umask.
    os.umask(0o077)
    try:
        cli.main(prog_name="cme", standalone_mode=True)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # the last line of defence: one line, never a traceback
        if isinstance(exc, expected_errors()):
            click.echo(f"cme: {exc}", err=True)
            sys.exit(1)
        from watcher.processing import describe

        logging.getLogger("cme").debug("unexpected error", exc_info=True)
        click.echo(f"cme: unexpected error: {describe(exc)} (run with -vv for details)", err=True)
        sys.exit(1)
