"""``cme child ID``, ``cme child ID edit ...``, ``cme child merge A B`` and ``cme search``.

Showing a child and searching are read commands: they open only the register.
An edit or a merge is a person's correction, with their name on its events
(``cme/actor.py``), made in one transaction.
"""

from __future__ import annotations

import json
from typing import Any

import click

from cme.columns import print_columns
from cme.views import day, describe, join, lines, minute, section, words

_USAGE = "use: cme child ID | cme child ID edit --surname ... | cme child merge A B"


def register_child_commands(cli: click.Group, open_register: Any,
                            user_error: type[Exception]) -> None:
    """Add ``child`` and ``search`` to the ``cme`` group."""

    def child_or_fail(text: str) -> Any:
        from register.models import Child

        if not text.isdigit():
            raise user_error(f"not a child's number: {text!r} ({_USAGE})")
        child = Child.get_or_none(Child.id == int(text))
        if child is None:
            raise user_error(f"no child {text}")
        return child

    @cli.command("child")
    @click.argument("first")
    @click.argument("action", required=False)
    @click.argument("other", required=False)
    @click.option("--forenames", default=None, help="edit: the child's forenames.")
    @click.option("--surname", default=None, help="edit: the child's surname.")
    @click.option("--dob", default=None,
                  help="edit: date of birth (2015-04-03, 03/04/2015, 3.4.15, 3 April 2015).")
    @click.option("--upn", default=None, help="edit: the UPN (its check letter is checked).")
    @click.option("--gender", default=None, help="edit: M, F or X (or a word for one).")
    @click.option("--address", default=None, help="edit: a new address (kept in the history).")
    @click.option("--postcode", default=None, help="edit: the postcode of that address.")
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_context
    def child_command(ctx: click.Context, first: str, action: str | None, other: str | None,
                      as_json: bool, **edits: str | None) -> None:
        """A child's whole history (`cme child ID`); correct it (`cme child ID edit
        --surname ...`); or merge two records of one child (`cme child merge A B`: B's
        cases and addresses move to A, B is kept as merged into A)."""
        session = open_register(ctx)
        given = {name: value for name, value in edits.items() if value is not None}
        if first == "merge":
            if action is None or other is None or given:
                raise user_error("merge needs two children: cme child merge A B")
            _merge(session, child_or_fail(action), child_or_fail(other), user_error)
            return
        child = child_or_fail(first)
        if action is None:
            if given:
                raise user_error(f"to change details: cme child {first} edit --surname ...")
            _show_child(child, as_json)
        elif action == "edit" and other is None:
            if not given:
                raise user_error("edit needs a detail to change: --forenames, --surname, "
                                 "--dob, --upn, --gender, --address or --postcode")
            _edit(session, child, given, user_error)
        else:
            raise user_error(_USAGE)

    @cli.command("search")
    @click.argument("words", nargs=-1, required=True)
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_context
    def search_command(ctx: click.Context, words: tuple[str, ...], as_json: bool) -> None:
        """Find children and cases by name (spelt roughly), UPN, date of birth (3.4.15,
        03/04/2015, 3 April 2015), postcode or case reference, best match first."""
        open_register(ctx)
        from register.search import find

        rows = find(" ".join(words))
        if as_json:
            click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
            return
        if not rows:
            click.echo("no matches")
            return
        print_columns(("child", "name", "born", "UPN", "postcode", "cases", "matched"),
                      (_hit_cells(row) for row in rows))


def _hit_cells(row: dict[str, Any]) -> tuple[str, ...]:
    child = row["child"] or {}
    name = f"{child.get('forenames') or ''} {child.get('surname') or ''}".strip()
    return (str(child.get("id") or "-"), name or "(no child)", child.get("dob") or "",
            child.get("upn") or "", child.get("postcode") or "", " ".join(row["cases"]),
            row["matched"])


def _edit(session: Any, child: Any, given: dict[str, str], user_error: type[Exception]) -> None:
    from cme.actor import current_actor
    from register.db import db
    from workflows.children import CorrectionError, edit_child, validated

    try:
        values = validated(given)
        with db.atomic():
            changes = edit_child(child, values, session.clock.now(), current_actor())
    except CorrectionError as exc:
        raise user_error(str(exc)) from None
    for name, change in changes.items():
        click.echo(f"child {child.id}: {name} {change.old or '(none)'} -> {change.new}")


def _merge(session: Any, keep: Any, gone: Any, user_error: type[Exception]) -> None:
    from cme.actor import current_actor
    from register.db import db
    from workflows.children import CorrectionError, merge_children

    try:
        with db.atomic():
            moved = merge_children(keep, gone, session.clock.now(), current_actor())
    except CorrectionError as exc:
        raise user_error(str(exc)) from None
    cases = ", ".join(moved) if moved else "no cases"
    click.echo(f"child {gone.id} merged into child {keep.id} ({cases} moved)")


def _show_child(child: Any, as_json: bool) -> None:
    from register.history import child_history

    row = child_history(child)
    if as_json:
        click.echo(json.dumps(row, indent=2, ensure_ascii=False))
        return
    click.echo(f"child {row['id']}: {row['forenames']} {row['surname']}".rstrip())
    if row["merged_into"]:
        click.echo(f"  merged into child {row['merged_into']}: see cme child "
                   f"{row['merged_into']}")
    lines(("born", row["dob"]), ("UPN", row["upn"]), ("gender", row["gender"]),
          ("address", join(row["address"], row["postcode"])),
          ("merged from", ", ".join(f"child {i}" for i in row["merged_from"])))
    section("addresses", row["addresses"], "none", ("recorded", "address", "from"),
            lambda a: (day(a["recorded"]), join(a["address"], a["postcode"]),
                       f"message {a['message']}" if a["message"] else "by hand"))
    section("cases", row["cases"], "none", ("reference", "kind", "status", "opened", "closed"),
            lambda c: (c["reference"], words(c["kind"]), c["status"], c["opened"],
                       c["closed"] or ""))
    section("messages", row["messages"], "none",
            ("id", "received", "from", "kind", "status", "case", "subject"),
            lambda m: (str(m["id"]), minute(m["received"]), m["sender"] or "",
                       words(m["kind"] or ""), m["status"], m["case"] or "", m["subject"] or ""))
    section("letters", row["letters"], "none", ("id", "case", "letter", "state", "created"),
            lambda x: (str(x["id"]), x["case"], words(x["template"]), x["state"],
                       minute(x["created"])))
    section("events", row["events"], "none", ("at", "case", "what", "by", "detail"),
            lambda e: (minute(e["at"]), e["case"] or "", words(e["kind"]), e["actor"],
                       describe(e["detail"])), max_width=90)
