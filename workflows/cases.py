"""Cases, their children, contacts and timeline: the register's write side."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from cme.clock import as_london
from register.models import (
    Case,
    CaseContact,
    Child,
    ChildAddress,
    Contact,
    Deadline,
    Event,
    InboundMessage,
    ReviewItem,
)
from workflows.references import canonical, new_reference


class CaseNotFound(Exception):
    def __init__(self, reference: str) -> None:
        super().__init__(f"no case {reference}")
        self.reference = reference


class CaseClosed(Exception):
    """News or work for a case already closed: refused, with when and why it closed."""

    def __init__(self, case: Case) -> None:
        closed = f"{case.closed:%-d %b %Y}" if case.closed else "an unknown day"
        super().__init__(f"{case.reference} is closed (on {closed}: "
                         f"{case.close_reason or 'no reason given'}); a closed case takes no "
                         "outcome or allocation")
        self.reference = case.reference


def refuse_if_closed(case: Case) -> None:
    """``CaseClosed`` unless ``case`` is open."""
    if case.status != "open":
        raise CaseClosed(case)


def next_reference(year: int) -> str:
    """A new ``CME-YYYY-XXXXX-C``, random and checked (workflows/references.py), unique
    in the register (inside the caller's transaction)."""
    return new_reference(year, lambda ref: Case.select().where(Case.reference == ref).exists())


def get_case(reference: str) -> Case:
    case = Case.get_or_none(Case.reference == canonical(reference))
    if case is None:
        raise CaseNotFound(reference)
    return case


def event(case: Case | None, kind: str, at: datetime, *, message: InboundMessage | None = None,
          detail: dict[str, Any] | None = None, actor: str = "cme") -> Event:
    return Event.create(case=case, kind=kind, at=at, message=message, detail=detail, actor=actor)


def new_child(fields: dict[str, Any], at: datetime) -> Child:
    return Child.create(
        upn=fields.get("child_upn"), surname=fields.get("child_surname") or "(unknown)",
        forenames=fields.get("child_forenames") or "", dob=_date(fields.get("child_dob")),
        gender=fields.get("child_gender"), created_at=at,
    )


def update_child(child: Child, fields: dict[str, Any], at: datetime,
                 message: InboundMessage | None) -> None:
    """Fill what the register did not know; record a new address in the history."""
    if not child.upn and fields.get("child_upn"):
        child.upn = fields["child_upn"]
    if not child.gender and fields.get("child_gender"):
        child.gender = fields["child_gender"]
    if child.dob is None and fields.get("child_dob"):
        child.dob = _date(fields["child_dob"])
    child.save()
    address = fields.get("child_address")
    if address:
        latest = child.addresses.order_by(ChildAddress.id.desc()).first()
        if latest is None or latest.address != address:
            ChildAddress.create(child=child, address=address,
                                postcode=fields.get("child_postcode"), recorded_at=at,
                                source=message)


def contact(role: str, at: datetime, *, name: str | None = None,
            organisation: str | None = None, email: str | None = None,
            phone: str | None = None, laestab: str | None = None,
            urn: str | None = None) -> Contact | None:
    """The directory entry for this person or school, created on first sight."""
    if not (name or organisation or email):
        return None
    found = None
    if email:
        found = Contact.get_or_none((Contact.email == email) & (Contact.role == role))
    if found is None and laestab:
        found = Contact.get_or_none((Contact.laestab == laestab) & (Contact.role == role))
    if found is None and (name or organisation):
        found = Contact.get_or_none((Contact.role == role) & (Contact.name == name)
                                    & (Contact.organisation == organisation))
    if found is None:
        return Contact.create(role=role, name=name, organisation=organisation, email=email,
                              phone=phone, laestab=laestab, urn=urn, created_at=at)
    for attr, value in (("email", email), ("phone", phone), ("laestab", laestab), ("urn", urn),
                        ("name", name), ("organisation", organisation)):
        if value and not getattr(found, attr):
            setattr(found, attr, value)
    found.save()
    return found


def attach(case: Case, person: Contact | None, role: str) -> None:
    if person is None:
        return
    exists = CaseContact.get_or_none((CaseContact.case == case) & (CaseContact.contact == person)
                                     & (CaseContact.role == role))
    if exists is None:
        CaseContact.create(case=case, contact=person, role=role)


def contact_of(case: Case, role: str) -> Contact | None:
    link = (CaseContact.select().where((CaseContact.case == case) & (CaseContact.role == role))
            .order_by(CaseContact.id.desc()).first())
    return link.contact if link else None


def review(reason: str, at: datetime, *, case: Case | None = None,
           message: InboundMessage | None = None, detail: dict[str, Any] | None = None
           ) -> ReviewItem:
    return ReviewItem.create(case=case, message=message, reason=reason, detail=detail,
                             created_at=at)


def note_review(item: ReviewItem, note: str, at: datetime, *, actor: str) -> bool:
    """A person's note on ``item``: the first resolves it, each later one is added after it.

    ``resolution`` keeps the first decision; every note, with its day and its
    actor, is in ``detail["notes"]``, oldest first, so none is ever overwritten.
    Returns True when this note resolved the item.
    """
    first = item.resolved_at is None
    detail = dict(item.detail or {})
    detail["notes"] = [*detail.get("notes", []),
                       {"at": at.isoformat(), "by": actor, "note": note}]
    item.detail = detail
    if first:
        item.resolved_at, item.resolution = at, note
    item.save()
    event(item.case, "review_resolved" if first else "review_note", at, message=item.message,
          actor=actor, detail={"review_item": item.id, "note": note})
    return first


def close_case(case: Case, reason: str, at: datetime, *,
               message: InboundMessage | None = None, actor: str = "cme",
               effective: datetime | None = None) -> None:
    """Closed: every open or fired clock is cancelled and the timeline says why.

    ``effective``: when the case ended, when that is earlier than ``at`` (an
    update a person accepted later counts from the day its mail arrived).
    """
    stopped = effective or at
    case.status = "closed"
    case.state = "closed"
    case.closed = as_london(stopped).date()
    case.close_reason = reason
    case.save()
    # Fired ones too: a closed case has nothing left overdue.
    (Deadline.update(state="cancelled", closed_at=stopped)
     .where((Deadline.case == case) & Deadline.state.in_(["open", "fired"])).execute())
    event(case, "case_closed", at, message=message, detail={"reason": reason}, actor=actor)


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None
