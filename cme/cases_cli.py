"""``cme cases``, ``cme case``, ``cme deadlines``, ``cme review``, ``cme letters``.

Read commands open only the register (``open_register``); the tables and the
workflow load when a command needs them, so each command answers at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import click

from cme.actor import current_actor
from cme.columns import print_columns
from cme.dates import UKDate
from cme.emails import EmailAddress


def _emit(rows: Any, as_json: bool, empty: str, columns: tuple[str, ...],
          cells: Any = None) -> None:
    """JSON, or aligned columns of ``cells(row)`` per row, or one line saying there is nothing."""
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif not rows:
        click.echo(empty)
    else:
        print_columns(columns, (cells(row) for row in rows))


def register_commands(cli: click.Group, open_app: Any, open_register: Any,
                      user_error: type[Exception]) -> None:
    """Add the case-work commands to the ``cme`` group."""

    def case_or_fail(reference: str) -> Any:
        from workflows.cases import CaseNotFound, get_case

        try:
            return get_case(reference)
        except CaseNotFound as exc:
            raise user_error(str(exc)) from None

    @cli.command("cases")
    @click.option("--status", type=click.Choice(["open", "closed"]), default=None)
    @click.option("--overdue", is_flag=True,
                  help="Only open cases with work overdue (fired and not done), oldest first.")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_context
    def cases_command(ctx: click.Context, status: str | None, overdue: bool,
                      as_json: bool) -> None:
        """List cases, open and closed (newest last)."""
        session = open_register(ctx)
        from register.models import Case
        from register.queries import cases_as_dicts

        if overdue:
            _overdue_cases(session, status, as_json, user_error)
            return
        query = Case.select().order_by(Case.id)
        if status:
            query = query.where(Case.status == status)
        rows = cases_as_dicts(query)

        def cells(row: dict) -> tuple[str, ...]:
            child = row["child"] or {}
            nxt = row["next_deadline"]
            return (row["reference"], row["kind"], row["status"],
                    f"{child.get('forenames', '')} {child.get('surname', '')}",
                    row["opened"], f"{nxt['purpose']} {nxt['due']}" if nxt else "")

        _emit(rows, as_json, "no cases", ("reference", "kind", "status", "child", "opened",
                                          "next deadline"), cells)

    @cli.command("case")
    @click.argument("reference")
    @click.argument("action", required=False,
                    type=click.Choice(["close", "allocate", "outcome"]))
    @click.argument("outcome", required=False, metavar="[OUTCOME]")
    @click.option("--reason", default=None, help="close: why (e.g. child located).")
    @click.option("--lead", default=None, help="allocate: the Lead Professional's name.")
    @click.option("--email", type=EmailAddress(), default=None,
                  help="allocate: their email address.")
    @click.option("--note", default=None,
                  help="outcome: what was said, by whom (by phone, in person).")
    @click.option("--school", default=None, help="outcome located: the school the child is at.")
    @click.option("--date", "on", type=UKDate(), default=None,
                  help="outcome: the day it happened (default today), e.g. 05/12/2026.")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_context
    def case_command(ctx: click.Context, reference: str, action: str | None,
                     outcome: str | None, reason: str | None, lead: str | None,
                     email: str | None, note: str | None, school: str | None,
                     on: date | None, as_json: bool) -> None:
        """Show a case and its timeline; or `close --reason ...`, `allocate --lead ...`,
        `outcome located|confirmed_missing|removal_advised|file_received|info --note ...`."""
        if action is None:
            open_register(ctx)
            _show_case(case_or_fail(reference), as_json)
            return
        from cme.logs import leave_failures_to_the_command

        leave_failures_to_the_command()
        app = open_app(ctx)
        case = case_or_fail(reference)
        if action == "close":
            if not reason:
                raise user_error("close needs --reason")
            if case.status == "closed":
                raise user_error(f"{case.reference} is already closed")
            _do_and_mail(app, user_error, lambda now: app.workflow.close(
                case, reason, now, actor=current_actor()), f"{case.reference} closed")
        elif action == "allocate":
            if not lead:
                raise user_error("allocate needs --lead")
            _do_and_mail(app, user_error, lambda now: app.workflow.allocate(
                case, lead, email, now, actor=current_actor()),
                f"{case.reference}: Lead Professional {lead}")
        else:
            from workflows.updates import BY_HAND, by_hand

            if outcome not in BY_HAND:
                raise user_error(f"outcome needs one of {', '.join(BY_HAND)}"
                                 + (f", not {outcome!r}" if outcome else ""))
            if not note:
                raise user_error("outcome needs --note TEXT: what was said, and by whom")
            _do_and_mail(app, user_error, lambda now: by_hand(
                app.workflow, case, outcome, note, now, actor=current_actor(), school=school,
                on=on), f"{case.reference}: {outcome} recorded")

    @cli.group("deadlines", invoke_without_command=True)
    @click.option("--due-before", type=UKDate(), default=None,
                  help="Only deadlines due before this day (2026-12-05, 05/12/2026, 5 Dec 2026).")
    @click.option("--state", type=click.Choice(["open", "fired", "met", "cancelled"]))
    @click.option("--overdue", is_flag=True,
                  help="Only overdue ones (fired and not met), oldest first, with the school "
                       "days overdue.")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_context
    def deadlines_command(ctx: click.Context, due_before: date | None, state: str | None,
                          overdue: bool, as_json: bool) -> None:
        """List deadlines in every state (or one), soonest first; `done ID --note`."""
        if ctx.invoked_subcommand is not None:
            return
        session = open_register(ctx)
        from register.models import Deadline
        from register.queries import deadline_as_dict, with_case

        if overdue:
            _overdue_deadlines(session, due_before, state, as_json, user_error)
            return
        query = with_case(Deadline.select()).order_by(Deadline.due, Deadline.id)
        if due_before is not None:
            query = query.where(Deadline.due < due_before)
        if state:
            query = query.where(Deadline.state == state)
        rows = [deadline_as_dict(d) for d in query]
        _emit(rows, as_json, "no deadlines", ("id", "case", "purpose", "due", "state"),
              lambda r: (str(r["id"]), r["case"], r["purpose"], r["due"], r["state"]))

    @deadlines_command.command("done")
    @click.argument("deadline_id", type=int)
    @click.option("--note", required=True, help="What was done, and how it was known.")
    @click.pass_context
    def deadlines_done(ctx: click.Context, deadline_id: int, note: str) -> None:
        """A deadline's work done by hand (a reminder acted on, news by phone): it stops."""
        session = open_register(ctx)
        from register.db import db
        from register.models import Deadline
        from workflows.deadlines import NotPending, done_by_hand

        deadline = Deadline.get_or_none(Deadline.id == deadline_id)
        if deadline is None:
            raise user_error(f"no deadline {deadline_id}")
        if not note.strip():
            raise user_error("done needs --note TEXT: what was done")
        try:
            with db.atomic():
                done_by_hand(deadline, session.clock.now(), actor=current_actor(),
                             note=note.strip())
        except NotPending as exc:
            raise user_error(str(exc)) from None
        click.echo(f"{deadline.case.reference}: {deadline.purpose} (due {deadline.due}) done")

    @cli.group("review", invoke_without_command=True)
    @click.option("--all", "show_all", is_flag=True, help="Resolved items too.")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_context
    def review_group(ctx: click.Context, show_all: bool, as_json: bool) -> None:
        """What needs a person: uncertain matches, fields to check, stray updates."""
        if ctx.invoked_subcommand is not None:
            return
        open_register(ctx)
        from register.models import ReviewItem
        from register.queries import review_as_dict, with_case

        query = with_case(ReviewItem.select()).order_by(ReviewItem.id)
        if not show_all:
            query = query.where(ReviewItem.resolved_at.is_null())
        rows = [review_as_dict(r) for r in query]
        columns = ("id", "case", "message", "reason", "created") + (
            ("resolved", "notes") if show_all else ())
        _emit(rows, as_json, "nothing to review", columns,
              lambda r: (str(r["id"]), r["case"] or "", str(r["message"] or ""), r["reason"],
                         r["created"][:16]) + (
                  ((r["resolved"] or "")[:10], str(len(_notes(r)) or "")) if show_all else ()))
        noted = [(r["id"], line) for r in rows for line in _notes(r)] if show_all else []
        if noted and not as_json:  # whole, under the table, which cuts long cells
            click.echo("\nnotes:")
            for item_id, line in noted:
                click.echo(f"  {item_id}  {line}")

    @review_group.command("resolve")
    @click.argument("item_id", type=int)
    @click.option("--note", default=None, help="What was decided.")
    @click.option("--accept", is_flag=True,
                  help="Do what the item waits for: apply the update or the message, take "
                       "the contact's new detail, or confirm the sender.")
    @click.option("--confirm-sender", "confirm", is_flag=True,
                  help="The sender is who they say: file their contacts, release the "
                       "case's held letters.")
    @click.pass_context
    def review_resolve(ctx: click.Context, item_id: int, note: str | None, accept: bool,
                       confirm: bool) -> None:
        """Mark a review item resolved, with what was decided (and, asked, do it)."""
        if accept or confirm:
            _act_on_review(ctx, open_app, user_error, item_id, note or "", confirm=confirm)
            return
        if not note:
            raise user_error("resolve needs --note TEXT, --accept or --confirm-sender")
        session = open_register(ctx)
        from cme.clock import as_london
        from register.db import db
        from register.models import ReviewItem
        from workflows.cases import note_review
        from workflows.review_actions import letters_waiting

        item = ReviewItem.get_or_none(ReviewItem.id == item_id)
        if item is None:
            raise user_error(f"no review item {item_id}")
        waiting = letters_waiting(item)
        if waiting:
            # A note alone would leave them held with nothing left to release them.
            raise user_error(
                f"review item {item_id} holds {waiting} letter(s) until it is confirmed: "
                "correct what is wrong (cme child ID edit ...), then resolve it with --accept "
                "(or --confirm-sender); or close the case")
        with db.atomic():
            first = note_review(item, note, session.clock.now(), actor=current_actor())
        click.echo(f"review item {item_id} resolved" if first else
                   f"review item {item_id}: note added (resolved on "
                   f"{as_london(item.resolved_at):%-d %b %Y}: {item.resolution})")

    from cme.review_cli import add_review_commands

    add_review_commands(review_group, open_app, open_register, user_error)

    @cli.group("letters", invoke_without_command=True)
    @click.option("--case", "reference", default=None)
    @click.option("--state", type=click.Choice(["pending", "sent", "held", "failed"]))
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_context
    def letters_group(ctx: click.Context, reference: str | None, state: str | None,
                      as_json: bool) -> None:
        """Letters written, newest last, with where each is on its way out."""
        if ctx.invoked_subcommand is not None:
            return
        open_register(ctx)
        from register.models import Letter
        from register.queries import letter_as_dict, with_case

        query = with_case(Letter.select()).order_by(Letter.id)
        if reference:
            query = query.where(Letter.case == case_or_fail(reference))
        if state:
            query = query.where(Letter.state == state)
        rows = [letter_as_dict(letter) for letter in query]
        _emit(rows, as_json, "no letters",
              ("id", "case", "template", "state", "to", "created", "path"),
              lambda r: (str(r["id"]), r["case"], r["template"], r["state"],
                         ", ".join(r["recipients"]), r["created"][:16], r["path"]))

    @letters_group.command("retry")
    @click.argument("letter_id", type=int, required=False)
    @click.option("--case", "reference", default=None, help="Only this case's letters.")
    @click.pass_context
    def letters_retry(ctx: click.Context, letter_id: int | None, reference: str | None) -> None:
        """Mail failed letters again (after their template is fixed), and any pending."""
        from cme.logs import leave_failures_to_the_command

        leave_failures_to_the_command()
        app = open_app(ctx)
        case_id = case_or_fail(reference).id if reference else None
        from register.models import Letter

        if letter_id is not None and Letter.get_or_none(Letter.id == letter_id) is None:
            raise user_error(f"no letter {letter_id}")
        mailbox = app.open_mailbox()
        again = app.sender.requeue_failed(letter_id=letter_id, case_id=case_id)
        click.echo(f"{len(again)} failed letters to mail again")
        mail_and_report(app, mailbox, user_error, again)


def _overdue_now(session: Any, user_error: type[Exception], *,
                 before: date | None = None, state: str | None = None) -> list[Any]:
    """What is overdue at the session's clock, oldest first, counted in the school calendar
    (loaded only when there is something to count: it brings the bank holidays)."""
    from cme.clock import as_london
    from register.models import Deadline
    from workflows.overdue import as_overdue, overdue_deadlines

    now = as_london(session.clock.now())
    query = overdue_deadlines(now)
    if before is not None:
        query = query.where(Deadline.due < before)
    if state:
        query = query.where(Deadline.state == state)
    deadlines = list(query)
    if not deadlines:
        return []
    from workflows.calendar import CalendarError, load_calendar

    try:
        calendar = load_calendar(session.config.calendar_path)
    except CalendarError as exc:
        raise user_error(f"the school calendar: {exc}") from None
    return [as_overdue(d, now.date(), calendar) for d in deadlines]


def _overdue_cases(session: Any, status: str | None, as_json: bool,
                   user_error: type[Exception]) -> None:
    """``cme cases --overdue``: one row per case, its oldest overdue work first."""
    from register.models import Case
    from register.queries import cases_as_dicts

    items = [] if status == "closed" else _overdue_now(session, user_error)
    by_case: dict[str, list[Any]] = {}
    for item in items:
        by_case.setdefault(item.reference, []).append(item)
    cases = {c.reference: c for c in Case.select().where(Case.reference.in_(list(by_case)))}
    rows = [{**row, "overdue": [i.as_dict() for i in by_case[row["reference"]]]}
            for row in cases_as_dicts(cases[ref] for ref in by_case)]

    def cells(row: dict) -> tuple[str, ...]:
        first = row["overdue"][0]
        more = len(row["overdue"]) - 1
        work = first["purpose"].replace("_", " ") + (f" (+{more} more)" if more else "")
        days = first["school_days_overdue"]
        return (row["reference"], first["child"], first["officer"], work, first["due"],
                "?" if days is None else str(days))

    _emit(rows, as_json, "no overdue cases",
          ("reference", "child", "officer", "overdue", "due", "school days overdue"), cells)


def _overdue_deadlines(session: Any, before: date | None, state: str | None, as_json: bool,
                       user_error: type[Exception]) -> None:
    """``cme deadlines --overdue``: each overdue deadline, oldest first."""
    if state in ("met", "cancelled"):
        rows: list[dict] = []  # done or ended: never overdue
    else:
        rows = [i.as_dict() for i in _overdue_now(session, user_error, before=before,
                                                   state=state)]
    _emit(rows, as_json, "no overdue deadlines",
          ("id", "case", "child", "officer", "purpose", "due", "state", "school days overdue"),
          lambda r: (str(r["id"]), r["case"], r["child"], r["officer"],
                     r["purpose"].replace("_", " "), r["due"], r["state"],
                     "?" if r["school_days_overdue"] is None else str(r["school_days_overdue"])))


@dataclass(frozen=True)
class LetterReport:
    lines: list[str]
    problems: list[str]  # failed letters, and letters the mailbox could not take yet


def letter_lines(ids: list[int]) -> LetterReport:
    """One line per letter of ``ids``: where it stands, and why when it is stuck."""
    from register.models import Letter
    from register.states import LetterState

    lines, problems = [], []
    for letter in Letter.select().where(Letter.id.in_(ids)).order_by(Letter.id):
        line = f"letter {letter.id} ({letter.template}): {letter.state}"
        lines.append(line + (f": {letter.error}" if letter.error else ""))
        if letter.state == LetterState.FAILED or (letter.state == LetterState.PENDING
                                                  and letter.error):
            problems.append(f"letter {letter.id} {letter.state}: {letter.error}")
    return LetterReport(lines, problems)


def _act_on_review(ctx: click.Context, open_app: Any, user_error: type[Exception],
                   item_id: int, note: str, *, confirm: bool) -> None:
    """``review resolve --accept`` / ``--confirm-sender``: the decision done, in one
    transaction, and the letters it released or wrote mailed after the commit."""
    from register.db import db
    from register.models import Letter, ReviewItem
    from register.states import LetterState
    from workflows.review_actions import NothingToAccept, accept, confirm_sender

    app = open_app(ctx)
    item = ReviewItem.get_or_none(ReviewItem.id == item_id)
    if item is None:
        raise user_error(f"no review item {item_id}")
    mailbox = app.open_mailbox()
    before = _last_letter()
    try:
        with db.atomic():
            done = (confirm_sender if confirm else accept)(item, app.workflow, app.clock.now(),
                                                           note)
    except NothingToAccept as exc:
        mailbox.close()
        raise user_error(str(exc)) from None
    click.echo(f"review item {item_id} resolved: {done}")
    ready = Letter.select(Letter.id).where(
        (Letter.id > before) | ((Letter.case == item.case_id)
                                & (Letter.state == LetterState.PENDING)))
    mail_and_report(app, mailbox, user_error, [row.id for row in ready])


def _notes(row: dict) -> list[str]:
    """Every note on a review item, oldest first, each "2026-02-10 sam: text"."""
    notes, resolution = row.get("notes") or [], row.get("resolution")
    lines = [f"{n['at'][:10]} {n['by']}: {n['note']}" for n in notes]
    if resolution and (not notes or notes[0]["note"] != resolution):
        lines.insert(0, f"{(row.get('resolved') or '')[:10]} {resolution}")  # by --accept
    return lines


def _do_and_mail(app: Any, user_error: type[Exception], work: Any, done: str) -> None:
    """``work(now)`` in one transaction, ``done`` said, and the letters it wrote mailed after
    the commit; a closed case or a refused outcome is one line, and nothing is written."""
    from register.db import db
    from workflows.cases import CaseClosed
    from workflows.updates import OutcomeRefused

    mailbox = app.open_mailbox()
    before = _last_letter()
    try:
        with db.atomic():
            work(app.clock.now())
    except (CaseClosed, OutcomeRefused) as exc:
        mailbox.close()
        raise user_error(str(exc)) from None
    click.echo(done)
    mail_and_report(app, mailbox, user_error, _letters_since(before))


def _last_letter() -> int:
    from register.models import Letter

    return Letter.select(Letter.id).order_by(Letter.id.desc()).scalar() or 0


def _letters_since(row_id: int) -> list[int]:
    from register.models import Letter

    return [row.id for row in Letter.select(Letter.id).where(Letter.id > row_id)]


def mail_and_report(app: Any, mailbox: Any, user_error: type[Exception],
                    ids: list[int]) -> None:
    """Mail what is pending (after the command's commit), then say how letters ``ids`` stand."""
    try:
        app.sender.send_pending()
    except OSError as exc:  # the outbox's disk: the daemon mails them later
        raise user_error(f"letters not mailed yet: {exc.strerror or exc}") from None
    finally:
        mailbox.close()
    report = letter_lines(ids)
    for line in report.lines:
        click.echo(line)
    if report.problems:
        raise user_error("; ".join(report.problems))


def _show_case(case: Any, as_json: bool) -> None:
    """The case, its child, school, deadlines, letters and timeline (cme/views.py)."""
    from cme.views import show_case

    show_case(case, as_json)
