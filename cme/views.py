"""One case or one child on the screen: titled blocks of plain columns, not JSON.

``cme case REF`` and ``cme child ID`` print through here; ``--json`` prints the
same dicts whole. Light imports only: these are read commands.
"""

from __future__ import annotations

import json
from typing import Any

import click

from cme.columns import print_columns


def show_case(case: Any, as_json: bool) -> None:
    """The case, its child, school and people, deadlines, letters and timeline."""
    row = case_view(case)
    if as_json:
        click.echo(json.dumps(row, indent=2, ensure_ascii=False))
        return
    click.echo(f"{row['reference']}  {words(row['kind'])}  {row['status']}"
               f"  opened {row['opened']}" + (f", closed {row['closed']}" if row["closed"]
                                             else ""))
    if row["close_reason"]:
        click.echo(f"  closed because: {row['close_reason']}")
    if row["linked_cases"]:
        click.echo(f"  linked cases: {', '.join(row['linked_cases'])}")
    child = row["child_details"]
    if child:
        name = f"{child['forenames']} {child['surname']}".strip()
        click.echo(f"\nchild {child['id']}: {name}  (cme child {child['id']})")
        lines(("born", child["dob"]), ("UPN", child["upn"]), ("gender", child["gender"]),
              ("address", join(child["address"], child["postcode"])))
    else:
        click.echo("\nchild: not known")
    school = row["school_details"]
    click.echo("\nschool: " + (school["name"] or "not known"))
    lines(("LAESTAB", school["laestab"]), ("email", school["email"]))
    if row["people"]:
        section("people", row["people"], "", ("role", "name", "email"),
                lambda p: (words(p["role"]), p["name"], p["email"]))
    section("deadlines", row["deadlines"], "none", ("purpose", "due", "state"),
            lambda d: (words(d["purpose"]), d["due"], d["state"]))
    section("letters", row["letters"], "none", ("id", "letter", "state", "to", "created"),
            lambda x: (str(x["id"]), words(x["template"]), x["state"],
                       ", ".join(x["recipients"] or []), minute(x["created"])))
    timeline = sorted(row["timeline"] + row["child_events"], key=lambda e: e["at"] or "")
    section("timeline", timeline, "empty", ("at", "what", "by", "detail"),
            lambda e: (minute(e["at"]), words(e["kind"]), e["actor"], describe(e["detail"])),
            max_width=90)


def case_view(case: Any) -> dict[str, Any]:
    """What ``cme case REF --json`` prints: the case as ``cme cases`` has it, with its
    timeline, deadlines and letters, and the child, school and people in full."""
    from register.history import child_as_dict
    from register.models import CaseContact, Contact, Deadline
    from register.queries import case_as_dict, deadline_as_dict, letter_as_dict, timeline

    details = case.details or {}
    people = [{"role": link.role, "name": person.name or person.organisation or "",
               "email": person.email or "", "organisation": person.organisation or ""}
              for link, person in ((link, link.contact) for link in
                                   CaseContact.select(CaseContact, Contact).join(Contact)
                                   .where(CaseContact.case == case).order_by(CaseContact.id))]
    school = next((p for p in reversed(people) if p["role"] == "school"), None)
    child_events = []
    if case.child_id is not None:
        child_events = [{"at": e["at"], "kind": e["kind"], "actor": e["actor"],
                         "message": None, "detail": e["detail"]}
                        for e in _child_events(case.child_id)]
    return {**case_as_dict(case), "close_reason": case.close_reason,
            "timeline": timeline(case),
            "deadlines": [deadline_as_dict(d) for d in case.deadlines.order_by(Deadline.due)],
            "letters": [letter_as_dict(letter) for letter in case.letters],
            "child_details": child_as_dict(case.child) if case.child_id is not None else None,
            "school_details": {"name": details.get("school_name")
                               or (school["organisation"] or school["name"] if school else None),
                               "laestab": details.get("school_laestab"),
                               "email": school["email"] if school else None},
            "people": [p for p in people if p["role"] != "school"],
            "child_events": child_events}


def _child_events(child_id: int) -> list[dict[str, Any]]:
    """Corrections and merges of the child's record (events on the child, no case)."""
    from register.models import Event
    from register.queries import iso

    query = (Event.select().where((Event.child == child_id) & Event.case.is_null())
             .order_by(Event.at, Event.id))
    return [{"at": iso(e.at), "kind": e.kind, "actor": e.actor, "detail": e.detail or {}}
            for e in query]


def section(title: str, rows: list, empty: str, header: tuple[str, ...], cells: Any,
            *, max_width: int = 60) -> None:
    """A titled block of columns, or one line saying there is nothing."""
    click.echo("")
    if not rows:
        click.echo(f"{title}: {empty}")
        return
    click.echo(f"{title}:")
    print_columns(header, (cells(row) for row in rows), max_width=max_width)


def lines(*pairs: tuple[str, Any]) -> None:
    """``  label: value`` for each pair whose value is known."""
    for label, value in pairs:
        if value:
            click.echo(f"  {label}: {value}")


def describe(detail: dict[str, Any]) -> str:
    """An event's detail as words: ``changes: surname Smyth -> Smith; reason: located``."""
    parts = []
    for key, value in detail.items():
        if value is None or value is False or value in ("", [], {}):
            continue
        if key == "changes" and isinstance(value, dict):
            value = ", ".join(f"{name} {(c or {}).get('old') or '(none)'} -> "
                              f"{(c or {}).get('new')}" for name, c in value.items())
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items() if v not in (None, ""))
        elif value is True:
            value = "yes"
        parts.append(f"{words(key)}: {value}")
    return "; ".join(parts)


def words(name: str) -> str:
    return name.replace("_", " ")


def join(*parts: str | None) -> str:
    return ", ".join(part for part in parts if part)


def minute(moment: str | None) -> str:
    return moment[:16].replace("T", " ") if moment else ""


def day(moment: str | None) -> str:
    return moment[:10] if moment else ""
