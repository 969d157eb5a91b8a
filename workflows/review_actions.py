"""What a person's decision on a review item does (``cme review resolve ID --accept``).

A review item made by the trust rules says in ``detail["action"]`` what
accepting it means (workflows/trust.py):

- ``accept_update``: the update from someone not on the case is applied as
  the email would have been, its clocks met (or the case closed) as of the
  day the mail arrived;
- ``accept_message``: a message whose authentication failed is applied as a
  person-vouched one, and its sender's address counts as confirmed;
- ``confirm_sender``: the unknown sender is confirmed (``--confirm-sender``):
  their address becomes a confirmed one, what their message said about an
  already open case joins its details, the contacts it named are filed, and
  once no sender of the case waits for confirmation the case's held letters
  are released to the outbox, their recipients decided again;
- ``update_contact``: the contact's email or phone becomes the one the
  message gave, as confirmed by a person;
- ``confirm_fields``: the fields a person was asked to check are confirmed as
  read, and the case's letters that waited only for them are released
  (workflows/unconfirmed.py).

A ``complete_details`` item is done with ``cme review complete`` instead
(workflows/completion.py): accepting it as it stands would open a case for a
child nobody has named.

Every other item is resolved with a note only.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from register.models import Case, Contact, Event, Letter, ReviewItem
from register.states import EmailSource, LetterState
from workflows import cases, trust, unconfirmed, updates
from workflows.completion import COMPLETE_DETAILS
from workflows.directory import confirm_address, file_case_contacts
from workflows.recipients import choose_recipients

if TYPE_CHECKING:
    from workflows.apply import Workflow

log = logging.getLogger(__name__)


class NothingToAccept(Exception):
    """The review item has no action to accept, or not the one asked for."""

    def __init__(self, item_id: int, message: str) -> None:
        super().__init__(f"review item {item_id}: {message}")
        self.item_id = item_id


def accept(item: ReviewItem, workflow: Workflow, now: datetime, note: str) -> str:
    """Do what accepting ``item`` means, resolve it, and say what was done."""
    action = (item.detail or {}).get("action")
    if item.resolved_at is not None:
        raise NothingToAccept(item.id, "already resolved")
    if action == trust.CONFIRM_SENDER:
        return confirm_sender(item, workflow, now, note)
    if action == unconfirmed.CONFIRM_FIELDS:
        return confirm_fields(item, workflow, now, note)
    if action == COMPLETE_DETAILS:
        raise NothingToAccept(item.id, "the child's details are needed first: cme review "
                                       "complete ID --forenames ... --surname ... --dob ...")
    if action not in (trust.ACCEPT_UPDATE, trust.ACCEPT_MESSAGE, trust.UPDATE_CONTACT):
        raise NothingToAccept(item.id, "nothing to accept: resolve it with --note")
    # Resolved first: what it does then is no longer held back by the item itself.
    done = {trust.ACCEPT_UPDATE: f"update accepted: {item.detail.get('outcome')}",
            trust.ACCEPT_MESSAGE: "message accepted and applied",
            trust.UPDATE_CONTACT: f"new {item.detail.get('field')} accepted"}[action]
    _resolve(item, now, done, note)
    message = item.message
    if action == trust.ACCEPT_UPDATE:
        sender = replace(trust.sender_of(message, workflow.senders), vouched=True)
        updates.apply_update(workflow, item.case, message, dict(message.fields or {}), sender,
                             now, actor="team", effective=message.received_at)
    elif action == trust.ACCEPT_MESSAGE:
        workflow.apply(message, vouched=True)
        # "check it with the sender, then accept it": the person has, so its address holds,
        # and the letters it just wrote are addressed again knowing that
        confirm_address(message.sender, EmailSource.PERSON)
        written = list(Letter.select().where((Letter.source == message)
                                             & (Letter.state == LetterState.PENDING)))
        for case_id in {row.case_id for row in written}:
            _address_again(Case.get_by_id(case_id),
                           [row for row in written if row.case_id == case_id], workflow)
    else:
        contact = Contact.get_by_id(item.detail["contact"])
        setattr(contact, item.detail["field"], item.detail["proposed"])
        if item.detail["field"] == "email":
            contact.email_source = EmailSource.PERSON
        contact.save()
    return done


def confirm_sender(item: ReviewItem, workflow: Workflow, now: datetime, note: str) -> str:
    """The sender of ``item``'s message is who they say: file, confirm, release."""
    if (item.detail or {}).get("action") != trust.CONFIRM_SENDER:
        raise NothingToAccept(item.id, "not a sender waiting for confirmation")
    if item.resolved_at is not None:
        raise NothingToAccept(item.id, "already resolved")
    message, case = item.message, item.case
    sender = replace(trust.sender_of(message, workflow.senders), vouched=True)
    if case is not None:
        if item.detail.get("merge_fields"):  # news added to an open case: it counts now
            case.details = {**(case.details or {}), **(message.fields or {})}
            case.save()
            if case.child is not None:
                cases.update_child(case.child, dict(message.fields or {}), now, message)
        file_case_contacts(case, dict(message.fields or {}), sender, now, message)
    confirm_address(sender.address, EmailSource.PERSON)
    _resolve(item, now, "sender confirmed", note)
    released = release_letters(case, workflow, now) if case is not None else 0
    return f"sender confirmed; {released} held letters released"


def confirm_fields(item: ReviewItem, workflow: Workflow, now: datetime, note: str) -> str:
    """The fields of ``item`` are right as read: the letters that waited for them go."""
    fields = ", ".join((item.detail or {}).get("fields") or [])
    _resolve(item, now, f"fields confirmed as read: {fields}", note)
    released = release_letters(item.case, workflow, now) if item.case is not None else 0
    return f"fields confirmed ({fields}); {released} held letters released"


def letters_waiting(item: ReviewItem) -> int:
    """How many of the case's letters an unresolved item of confirming holds back."""
    action = (item.detail or {}).get("action")
    if item.resolved_at is not None or item.case is None or action not in (
            trust.CONFIRM_SENDER, unconfirmed.CONFIRM_FIELDS):
        return 0
    return (Letter.select().where((Letter.case == item.case)
                                  & (Letter.state == LetterState.HELD)).count())


def release_letters(case: Case, workflow: Workflow, now: datetime) -> int:
    """The case's held letters go to the outbox, once no sender of it waits for a person,
    each once no field it says waits for one (workflows/unconfirmed.py)."""
    if trust.letters_held(case):
        return 0
    letters = workflow.outbox.config.templates.sub("letters")
    held = [row for row in Letter.select().where((Letter.case == case)
                                                 & (Letter.state == LetterState.HELD))
            if not unconfirmed.waits_for(case, row.template, letters)]
    _address_again(case, held, workflow)
    if held:
        cases.event(case, "letters_released", now, actor="team",
                    detail={"letters": [row.id for row in held]})
        log.info("case %s: %d held letters released", case.reference, len(held))
    return len(held)


def _address_again(case: Case, rows: list[Letter], workflow: Workflow) -> None:
    """Letters not mailed yet, said and addressed as the register stands now, pending."""
    roles = _roles(case)
    for row in rows:
        role = roles.get(row.id, "")
        context = workflow.outbox.context(case, role, row.created_at, row.deadline)
        row.context = context
        row.recipients = choose_recipients(workflow.outbox.config, case, role,
                                           context["recipient"])
        row.state = LetterState.PENDING
        row.save()


def _roles(case: Case) -> dict[int, str]:
    """Each letter's recipient role, from the timeline's ``letter`` events."""
    roles = {}
    for item in Event.select().where((Event.case == case) & (Event.kind == "letter")):
        detail = item.detail or {}
        if "letter" in detail:
            roles[detail["letter"]] = detail.get("to", "")
    return roles


def _resolve(item: ReviewItem, now: datetime, done: str, note: str) -> None:
    item.resolved_at = now
    item.resolution = f"{done}: {note}" if note else done
    item.save()
    cases.event(item.case, "review_accepted", now, message=item.message, actor="team",
                detail={"review_item": item.id, "action": (item.detail or {}).get("action")})
