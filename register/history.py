"""One child's whole history, as ``cme child ID`` shows it: a fixed number of queries.

The history of a child holds that of every record merged into it (its cases
and addresses moved already; its own events stay on it, and are read here).
"""

from __future__ import annotations

from typing import Any

from register.models import Case, Child, ChildAddress, Event, InboundMessage, Letter
from register.queries import iso


def child_as_dict(child: Child) -> dict[str, Any]:
    """The child's details, without its history."""
    latest = (child.addresses
              .order_by(ChildAddress.recorded_at.desc(), ChildAddress.id.desc()).first())
    return {"id": child.id, "forenames": child.forenames, "surname": child.surname,
            "dob": child.dob.isoformat() if child.dob else None, "upn": child.upn,
            "gender": child.gender, "address": latest.address if latest else None,
            "postcode": latest.postcode if latest else None, "created": iso(child.created_at),
            "merged_into": child.merged_into_id}


def child_history(child: Child) -> dict[str, Any]:
    """Details, addresses, cases, messages, letters and events of ``child``, oldest first."""
    merged = _merged_into(child)
    ids = [child.id, *merged]
    cases = list(Case.select().where(Case.child.in_(ids)).order_by(Case.opened, Case.id))
    case_ids = [c.id for c in cases]
    reference = {c.id: c.reference for c in cases}
    events = list(Event.select().where(Event.case.in_(case_ids) | Event.child.in_(ids))
                  .order_by(Event.at, Event.id))
    addresses = list(ChildAddress.select().where(ChildAddress.child.in_(ids))
                     .order_by(ChildAddress.recorded_at, ChildAddress.id))
    letters = list(Letter.select().where(Letter.case.in_(case_ids)).order_by(Letter.id))
    message_case: dict[int, int | None] = {}
    for c in cases:
        if c.source_id is not None:
            message_case.setdefault(c.source_id, c.id)
    for e in events:
        if e.message_id is not None:
            message_case.setdefault(e.message_id, e.case_id)
    for a in addresses:
        if a.source_id is not None:
            message_case.setdefault(a.source_id, None)
    messages = list(InboundMessage.select(
        InboundMessage.id, InboundMessage.received_at, InboundMessage.sender,
        InboundMessage.subject, InboundMessage.kind, InboundMessage.status)
        .where(InboundMessage.id.in_(list(message_case))).order_by(InboundMessage.received_at))
    return {
        **child_as_dict(child),
        "merged_from": merged,
        "addresses": [{"address": a.address, "postcode": a.postcode,
                       "recorded": iso(a.recorded_at), "message": a.source_id}
                      for a in addresses],
        "cases": [{"reference": c.reference, "kind": c.kind, "status": c.status,
                   "state": c.state, "opened": c.opened.isoformat(),
                   "closed": c.closed.isoformat() if c.closed else None,
                   "close_reason": c.close_reason} for c in cases],
        "messages": [{"id": m.id, "received": iso(m.received_at), "sender": m.sender,
                      "subject": m.subject, "kind": m.kind, "status": m.status,
                      "case": reference.get(message_case[m.id])} for m in messages],
        "letters": [{"id": x.id, "case": reference[x.case_id], "template": x.template,
                     "state": x.state, "created": iso(x.created_at),
                     "recipients": x.recipients} for x in letters],
        "events": [{"at": iso(e.at), "case": reference.get(e.case_id), "kind": e.kind,
                    "actor": e.actor, "message": e.message_id, "detail": e.detail or {}}
                   for e in events],
    }


def _merged_into(child: Child) -> list[int]:
    """Every child merged into ``child``, directly or through another merged one."""
    found: list[int] = []
    frontier = [child.id]
    while frontier:
        frontier = [row[0] for row in Child.select(Child.id)
                    .where(Child.merged_into.in_(frontier)).tuples() if row[0] not in found]
        found += frontier
    return found
