"""``cme review show ID`` and ``cme review complete ID``: one item whole, and the
details a "complete the details" item waits for (workflows/completion.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from cme.actor import current_actor
from cme.columns import print_columns
from cme.dates import UKDate
from cme.emails import EmailAddress

# --option -> the canonical field it gives (FIELDS.md).
GIVEN = (
    ("forenames", "child_forenames", "the child's forenames"),
    ("surname", "child_surname", "the child's surname"),
    ("dob", "child_dob", "date of birth: 2015-04-03, 03/04/2015, 3 Apr 2015, 3.4.15"),
    ("upn", "child_upn", "the 13-character UPN"),
    ("gender", "child_gender", "M, F or X"),
    ("year-group", "child_year_group", "e.g. 7, Year 7, Reception"),
    ("address", "child_address", "the child's address, without the postcode"),
    ("postcode", "child_postcode", "the child's postcode"),
    ("school", "school_name", "the school the child is (or was) on roll at"),
    ("laestab", "school_laestab", "the school's LA and establishment number (7 digits)"),
    ("parent-name", "parent_name", "a parent or carer's name"),
    ("parent-phone", "parent_phone", "their phone number"),
    ("parent-email", "parent_email", "their email address"),
    ("last-attended", "date_last_attended", "the day the child last attended"),
    ("removed", "date_removed_from_roll", "the day the school removed the pupil from roll"),
    ("ehe-start", "ehe_start_date", "the day home education starts"),
)
EMAILS = {"parent_email"}
DATES = {"child_dob", "date_last_attended", "date_removed_from_roll", "ehe_start_date"}
FLAGS = (("cp-plan", "cp_plan", "subject to a Child Protection Plan"),
         ("looked-after", "looked_after", "looked after (in care)"))


def add_review_commands(review_group: click.Group, open_app: Any, open_register: Any,
                        user_error: type[Exception]) -> None:
    """``show`` and ``complete`` under ``cme review``."""

    @review_group.command("show")
    @click.argument("item_id", type=int)
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_context
    def review_show(ctx: click.Context, item_id: int, as_json: bool) -> None:
        """One review item whole: why, the message, what was read, warnings, attachments."""
        session = open_register(ctx)
        from register.models import ReviewItem
        from register.queries import review_as_dict

        item = ReviewItem.get_or_none(ReviewItem.id == item_id)
        if item is None:
            raise user_error(f"no review item {item_id}")
        row = {**review_as_dict(item), "detail": item.detail or {}}
        if as_json:
            click.echo(json.dumps(row, indent=2, ensure_ascii=False))
            return
        _print_item(row, session.config.archive.path)

    def complete_command(ctx: click.Context, item_id: int, note: str | None,
                         **options: Any) -> None:
        """Give the child's details a "complete the details" item waits for: the message is
        then applied as of its arrival day (its case opened, its clocks started, its
        letters written) and the item resolved."""
        from cme.cases_cli import mail_and_report
        from cme.logs import leave_failures_to_the_command
        from parsers.validate import InvalidValue
        from register.db import db
        from register.models import Letter, ReviewItem
        from workflows.completion import CannotComplete, complete, typed_values

        typed = {field: options[_param(option)] for option, field, _ in GIVEN}
        for option, field, _ in FLAGS:
            if options[_param(option)] is not None:
                typed[field] = options[_param(option)] == "yes"
        try:
            given = typed_values(typed)
        except InvalidValue as exc:
            raise user_error(f"not accepted: {exc}") from None
        leave_failures_to_the_command()
        app = open_app(ctx)
        item = ReviewItem.get_or_none(ReviewItem.id == item_id)
        if item is None:
            raise user_error(f"no review item {item_id}")
        mailbox = app.open_mailbox()
        before = Letter.select(Letter.id).order_by(Letter.id.desc()).scalar() or 0
        try:
            with db.atomic():
                done = complete(item, app.workflow, app.clock.now(), given, note or "",
                                actor=current_actor())
        except CannotComplete as exc:
            mailbox.close()
            raise user_error(str(exc)) from None
        click.echo(f"review item {item_id} resolved: {done}")
        written = [row.id for row in Letter.select(Letter.id).where(Letter.id > before)]
        mail_and_report(app, mailbox, user_error, written)

    complete_command = click.pass_context(complete_command)
    for option, field, text in reversed(GIVEN):
        kind = UKDate() if field in DATES else EmailAddress() if field in EMAILS else str
        complete_command = click.option(f"--{option}", _param(option), type=kind,
                                        default=None, help=text)(complete_command)
    for option, _field, text in reversed(FLAGS):
        complete_command = click.option(f"--{option}", _param(option),
                                        type=click.Choice(["yes", "no"]), default=None,
                                        help=f"{text}: yes or no")(complete_command)
    complete_command = click.option("--note", default=None,
                                    help="How the details were found (a call, the form "
                                         "sent again).")(complete_command)
    complete_command = click.argument("item_id", type=int)(complete_command)
    review_group.command("complete")(complete_command)


def _param(option: str) -> str:
    return option.replace("-", "_")


def _print_item(row: dict[str, Any], archive_root: Path) -> None:
    """A review item as a person reads it: the reason, then each part of its detail."""
    detail = row["detail"]
    state = f"resolved {row['resolved'][:16]}: {row['resolution']}" if row["resolved"] else "open"
    click.echo(f"review item {row['id']} ({state})")
    click.echo(f"reason: {row['reason']}")
    if row["case"]:
        click.echo(f"case: {row['case']}")
    message = detail.get("message")
    if message:
        click.echo(f"message {message['id']}: from {message.get('sender') or '(no sender)'}, "
                   f"subject {message.get('subject') or '(none)'!r}, received "
                   f"{message['received'][:16].replace('T', ' ')}")
    elif row["message"]:
        click.echo(f"message: {row['message']} (cme intake show {row['message']})")
    if detail.get("kind"):
        click.echo(f"read as: {detail['kind'].replace('_', ' ')}")
    doubts = detail.get("doubts") or []
    if doubts:
        from workflows.identity import LABELS

        click.echo("in doubt:")
        for doubt in doubts:
            click.echo(f"  {LABELS.get(doubt['field'], doubt['field'])}: {doubt['why']}")
    read = detail.get("read")
    if read is not None:
        click.echo("read from the message:" if read else "read from the message: nothing")
        on_review = set(detail.get("needs_review") or [])
        if read:
            print_columns(("field", "value", ""),
                          ((name, str(value), "on review" if name in on_review else "")
                           for name, value in sorted(read.items())), max_width=60)
    for warning in detail.get("warnings") or []:
        click.echo(f"warning: {warning}")
    attachments = detail.get("attachments")
    if message and message.get("archive_path"):
        click.echo(f"original mail kept at: {Path(archive_root) / message['archive_path']}")
    if attachments:
        click.echo("attachments:")
        print_columns(("file", "declared type", "sniffed type", "size", "kept"),
                      ((a.get("filename") or a["part"], a.get("declared_type") or "",
                        a.get("sniffed_type") or "", f"{a.get('size') or 0:,} bytes",
                        a["kept"]) for a in attachments), max_width=60)
    rest = {k: v for k, v in detail.items()
            if k not in ("message", "kind", "doubts", "read", "needs_review", "warnings",
                         "attachments", "vouched", "notes", "action")}
    for key, value in rest.items():
        click.echo(f"{key.replace('_', ' ')}: {_plain(value)}")
    for note in detail.get("notes") or []:
        click.echo(f"note {note['at'][:10]} {note['by']}: {note['note']}")
    if detail.get("action") == "complete_details" and not row["resolved"]:
        click.echo(f"to open its case: cme review complete {row['id']} --forenames ... "
                   "--surname ... --dob ... (cme review complete --help for more)")


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} {_plain(v)}" for k, v in value.items())
    return str(value)
