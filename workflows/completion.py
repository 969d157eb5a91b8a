""""Complete the details": a notification whose child was not read with confidence.

Such a message opens no case and writes no letter (``workflows/identity.py``
says when). It becomes one review item instead, whose ``detail`` holds what a
person needs to finish the job without opening the mail elsewhere: what was
read, what is in doubt and why, every warning (a damaged attachment, a scanned
page, a part not read), the original's attachments and where they are kept,
and the message itself (id, sender, subject, arrival).

``cme review complete ID --forenames ... --surname ... --dob ...`` then merges
what the person typed over what was read (typed values are confirmed: they
leave ``needs_review``), and applies the message as it would have been on
arrival: its case opened on its arrival day, its clocks counted from that day.
What was read stays in the item's ``detail["read"]``; the ledger row takes the
completed fields, so that whatever reads the message later (a sender's
confirmation, a retry) reads what the person confirmed.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from cme.clock import as_london
from parsers.normalise import FIELD_TYPES, normalise
from register.models import Case, Document, Event, InboundMessage, ReviewItem
from workflows import cases
from workflows.identity import Doubt, describe, identity_doubts, not_names

if TYPE_CHECKING:
    from workflows.apply import Workflow

log = logging.getLogger(__name__)

COMPLETE_DETAILS = "complete_details"  # ReviewItem.detail["action"] of these items
REASON = ("complete the details: the child was not read with confidence, so no case was "
          "opened and no letter written (cme review show ID; cme review complete ID "
          "--forenames ... --surname ... --dob ...)")


class CannotComplete(Exception):
    """The item is not one to complete, is done, or the details are still not enough."""

    def __init__(self, item_id: int, message: str) -> None:
        super().__init__(f"review item {item_id}: {message}")
        self.item_id = item_id


def doubts_for(workflow: Workflow, fields: dict[str, Any],
               needs_review: list[str]) -> list[Doubt]:
    """What keeps ``fields`` from naming the child with confidence, by the site's words."""
    words = not_names(workflow.outbox.config.templates.file("prose.toml"))
    return identity_doubts(fields, needs_review, not_names=words)


def hold_for_details(message: InboundMessage, kind: str, doubts: list[Doubt], now: datetime,
                     *, vouched: bool) -> ReviewItem:
    """No case: one review item (and the event that marks the message as handled)."""
    detail = {
        "action": COMPLETE_DETAILS,
        "kind": kind,
        "doubts": [{"field": d.field, "why": d.why} for d in doubts],
        "read": dict(message.fields or {}),
        "needs_review": list(message.needs_review or []),
        "warnings": warnings_of(message),
        "attachments": attachments_of(message),
        "message": summary_of(message),
        "vouched": vouched,  # a person had accepted the message already (trust.py)
    }
    cases.event(None, "details_incomplete", now, message=message,
                detail={"kind": kind, "doubts": detail["doubts"]})
    log.info("message %d (%s): child not read with confidence, no case: %s", message.id,
             kind, ", ".join(sorted({d.field for d in doubts})))
    return cases.review(REASON, now, message=message, detail=detail)


def complete(item: ReviewItem, workflow: Workflow, now: datetime, given: dict[str, Any],
             note: str, *, actor: str) -> str:
    """Merge ``given`` over what was read, apply the message as of its arrival, resolve."""
    detail = dict(item.detail or {})
    if detail.get("action") != COMPLETE_DETAILS:
        raise CannotComplete(item.id, "not a 'complete the details' item "
                                      "(resolve it with cme review resolve)")
    if item.resolved_at is not None:
        raise CannotComplete(item.id, "already resolved")
    message = item.message
    if message is None:
        raise CannotComplete(item.id, "its message is no longer on the ledger")
    fields = {**(message.fields or {}), **given}
    review = [name for name in (message.needs_review or []) if name not in given]
    doubts = doubts_for(workflow, fields, review)
    if doubts:
        raise CannotComplete(item.id, f"still not enough to open a case: {describe(doubts)}")
    message.fields, message.needs_review = fields, review
    message.save(only=[InboundMessage.fields, InboundMessage.needs_review])
    item.resolved_at = now
    item.resolution = f"details completed by {actor}" + (f": {note}" if note else "")
    item.save()
    workflow.apply(message, vouched=bool(detail.get("vouched")))
    touched = _cases_of(message)
    # Who gave what, over what was read: on the case's timeline, or the message's.
    read = detail.get("read") or {}
    for case in touched or [None]:
        cases.event(case, "details_completed", now, message=message, actor=actor,
                    detail={"review_item": item.id, "given": given,
                            "read": {name: read[name] for name in given if name in read}})
    opened = ", ".join(c.reference for c in touched)
    return f"details completed; case {opened}" if opened else "details completed; no case"


def read_again(message: InboundMessage, now: datetime) -> bool:
    """``message``, read again, had only waited for its child's details: its item is
    resolved (a newer reading replaces it) and it may be applied afresh."""
    waiting = [item for item in ReviewItem.select().where((ReviewItem.message == message)
                                                          & ReviewItem.resolved_at.is_null())
               if (item.detail or {}).get("action") == COMPLETE_DETAILS]
    if not waiting or _cases_of(message):
        return False
    for item in waiting:
        item.resolved_at, item.resolution = now, "the message was read again"
        item.save()
    return True


def typed_values(typed: dict[str, Any]) -> dict[str, Any]:
    """What a person typed, by canonical field, in its FIELDS.md form (dates as
    ``date``, already read); ``parsers.validate.InvalidValue`` names the problem."""
    out: dict[str, Any] = {}
    for name, value in typed.items():
        if value is None or value == "":
            continue
        if isinstance(value, date | bool):
            out[name] = value.isoformat() if isinstance(value, date) else value
            continue
        kind = FIELD_TYPES.get(name, "text")
        out[name] = normalise(kind, str(value))
    return out


def warnings_of(message: InboundMessage) -> list[str]:
    """Every warning about the mail and its parts, each once, the part named."""
    found = [str(w) for w in (message.warnings or [])]
    for doc in message.documents.order_by(Document.position):
        if doc.warning:
            found.append(f"{doc.filename or doc.part}: {doc.warning}")
    return list(dict.fromkeys(found))


def attachments_of(message: InboundMessage) -> list[dict[str, Any]]:
    """The original's attachments: name, types, size, and where the bytes are kept."""
    out = []
    for doc in message.documents.order_by(Document.position):
        if doc.part.startswith("body"):
            continue
        kept = (f"in the original mail, part {doc.position}" if doc.stored
                else "not kept (over the size limit)")
        out.append({"part": doc.part, "filename": doc.filename,
                    "declared_type": doc.declared_type, "sniffed_type": doc.sniffed_type,
                    "size": doc.size, "kept": kept, "warning": doc.warning})
    return out


def summary_of(message: InboundMessage) -> dict[str, Any]:
    return {"id": message.id, "sender": message.sender, "subject": message.subject,
            "received": as_london(message.received_at).isoformat(timespec="minutes"),
            "message_id": message.message_id, "archive_path": message.archive_path}


def _cases_of(message: InboundMessage) -> list[Case]:
    ids = {e.case_id for e in Event.select(Event.case).where(
        (Event.message == message) & Event.case.is_null(False))}
    return list(Case.select().where(Case.id.in_(ids)).order_by(Case.id)) if ids else []
