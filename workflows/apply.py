"""Applying a parsed message to the register: the ``parsed -> applied`` stage.

One transaction per message (the Processor opens it), keyed by the message: a
message that already left events on the register is not applied twice. The
child is matched, a case opened or updated, contacts filed, clocks started and
the first letters written, as ``workflows/rules.py`` says for its kind, and as
far as its sender may (``workflows/trust.py``): mail whose authentication
failed only goes to review, an unknown sender's letters are held, and case
updates are ``workflows/updates.py``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from cme.clock import Clock
from register.models import Case, Deadline, Event, InboundMessage, Letter, MessageStatus
from register.states import EmailSource, LetterState
from watcher.senders import SenderPolicy
from workflows import cases, chases, completion, rules, trust, unconfirmed, updates
from workflows.calendar import SchoolCalendar
from workflows.clocks import ClockRule, due_date, local_day
from workflows.deadlines import fire_due, meet, next_due, set_deadline
from workflows.directory import confirm_address, file_case_contacts, file_contact
from workflows.match import find_child
from workflows.outbox import Outbox
from workflows.overdue import school_of
from workflows.trust import Sender

log = logging.getLogger(__name__)


@dataclass
class Workflow:
    calendar: SchoolCalendar
    clocks: dict[str, ClockRule]
    outbox: Outbox
    clock: Clock

    # -- the stage -------------------------------------------------------
    def __call__(self, message: InboundMessage) -> None:
        # A message read again (``cme intake retry``) that had opened no case for want
        # of the child's details is applied afresh; any other is applied once only.
        if (completion.read_again(message, self.clock.now())
                or not Event.select().where(Event.message == message).exists()):
            self.apply(message)
        message.status = MessageStatus.APPLIED

    @property
    def senders(self) -> SenderPolicy:
        return SenderPolicy.from_config(self.outbox.config)

    def apply(self, message: InboundMessage, *, vouched: bool = False) -> None:
        """Apply ``message``; ``vouched``: a person accepted it (``cme review resolve``)."""
        kind, fields = message.kind or "other", dict(message.fields or {})
        now = self.clock.now()
        sender = trust.sender_of(message, self.senders)
        if vouched:
            sender = replace(sender, vouched=True)
        if kind == "other":
            cases.event(None, "ignored", now, message=message, detail={"kind": kind})
            return
        if trust.refused(sender):
            updates.refuse(message, kind, fields, sender, now)
            return
        if sender.authenticated:
            confirm_address(sender.address, EmailSource.AUTHENTICATED)
        if kind == "case_update":
            updates.update(self, message, fields, sender, now)
            return
        if kind in rules.OPENING:
            # Only a child read with confidence opens a case (workflows/identity.py).
            doubts = completion.doubts_for(self, fields, list(message.needs_review or []))
            if doubts:
                completion.hold_for_details(message, kind, doubts, now, vouched=sender.vouched)
                return
        self._notification(message, kind, fields, now, sender)

    # -- notifications -----------------------------------------------------
    def _notification(self, message: InboundMessage, kind: str, fields: dict[str, Any],
                      now: datetime, sender: Sender) -> None:
        found = find_child(fields)
        child = found.child or cases.new_child(fields, now)
        if found.child is None or not trust.holds_letters(sender):
            cases.update_child(child, fields, now, message)  # else once a person confirms
        # The same news again updates the open case; other news about the child
        # (a school's notification, then an agency's referral) opens a linked case.
        open_case = (Case.select().where((Case.child == child) & (Case.status == "open")
                                         & (Case.kind == kind))
                     .order_by(Case.id.desc()).first())
        if found.child is not None and open_case is not None:
            self._add_to_case(open_case, message, kind, fields, now, sender)
            return
        case = self._open(child, message, kind, fields, now, sender)
        if found.uncertain:
            cases.review(
                "possible match with a child already on the register: check and link",
                now, case=case, message=message,
                detail={"child": child.id, "candidates": [c.id for c in found.uncertain],
                        "cases": [c.reference for u in found.uncertain for c in u.cases]})

    def _open(self, child: Any, message: InboundMessage, kind: str, fields: dict[str, Any],
              now: datetime, sender: Sender) -> Case:
        arrived = local_day(message.received_at)
        details = {**fields, "notified": arrived.isoformat()}
        case = Case.create(reference=cases.next_reference(arrived.year), kind=kind,
                           status="open", state="open", child=child, opened=arrived,
                           source=message, details=details)
        earlier = [c.reference for c in child.cases if c.id != case.id]
        cases.event(case, "case_opened", now, message=message,
                    detail={"kind": kind, "linked_cases": earlier})
        self._hold_for_sender(case, message, now, sender)
        file_case_contacts(case, fields, sender, now, message)
        self._flag_review(case, message, now)
        opening = rules.OPENING.get(kind, rules.OnOpen())
        school = fields.get("school_laestab") or fields.get("school_name")
        for purpose, clock_name in opening.clocks:
            name = "esw_chase_vulnerable" if purpose == "esw_chase" and rules.vulnerable(
                fields) else clock_name
            due = due_date(arrived, self.clocks[name], self.calendar, school)
            set_deadline(case, purpose, due, now, message=message)
        if kind == "cme_notification":
            self._absence_clocks(case, fields, now, message, school)
            self._removed_before_advice(case, fields, now, message)
        for stem, role in opening.letters:
            self.letter(case, stem, role, now, message=message)
        if fields.get("cp_plan"):
            self.letter(case, "keyworker_notification", "keyworker", now, message=message)
        if kind == "ehe_notification":
            self._late_ehe(case, fields, arrived, now, message, school)
        log.info("case %s opened (%s) from message %d", case.reference, kind, message.id)
        return case

    def _add_to_case(self, case: Case, message: InboundMessage, kind: str,
                     fields: dict[str, Any], now: datetime, sender: Sender) -> None:
        before = dict(case.details or {})
        # An unknown sender's news waits for the person confirming them (review_actions).
        held = trust.holds_letters(sender)
        if not held:
            case.details = {**before, **fields}
            case.save()
        cases.event(case, "message_added", now, message=message, detail={"kind": kind})
        self._hold_for_sender(case, message, now, sender, merge=held)
        file_case_contacts(case, fields, sender, now, message)
        self._flag_review(case, message, now)
        if fields.get("cp_plan") and not before.get("cp_plan"):
            self.letter(case, "keyworker_notification", "keyworker", now, message=message)
        self._removed_before_advice(case, fields, now, message)

    def _hold_for_sender(self, case: Case, message: InboundMessage, now: datetime,
                         sender: Sender, *, merge: bool = False) -> None:
        """An unknown sender: the case's letters are held until a person confirms them
        (``merge``: and what their message says joins the case's details then)."""
        if not trust.holds_letters(sender):
            return
        cases.event(case, "letters_held", now, message=message,
                    detail={"sender_domain": sender.domain})
        cases.review("a sender not yet known to the register: its case's letters are held "
                     "until a person confirms the sender (cme review resolve ID "
                     "--confirm-sender)", now, case=case, message=message,
                     detail={"action": trust.CONFIRM_SENDER, "sender_domain": sender.domain,
                             "merge_fields": merge})
        log.info("case %s: letters held until the sender (%s) is confirmed", case.reference,
                 sender.domain or "no domain")

    def letter(self, case: Case, stem: str, role: str, at: datetime, *,
               deadline: Deadline | None = None, message: InboundMessage | None = None
               ) -> Letter:
        """Record a letter through the outbox; held while the case waits for a confirmation
        of its sender, or of a field the letter would say (workflows/unconfirmed.py)."""
        row = self.outbox.letter(case, stem, role, at, deadline=deadline, message=message)
        waiting = unconfirmed.waits_for(case, stem, self.outbox.config.templates.sub("letters"))
        if trust.letters_held(case) or waiting:
            row.state = LetterState.HELD
            row.save(only=[Letter.state])
        if waiting:
            cases.event(case, "letter_held", at, message=message,
                        detail={"letter": row.id, "template": stem, "waits_for": waiting})
        return row

    # -- closing and allocating ----------------------------------------------
    def close(self, case: Case, reason: str, now: datetime, *,
              message: InboundMessage | None = None, actor: str = "cme",
              effective: datetime | None = None) -> None:
        """Close ``case``; ``effective``: when its clocks stopped, if not ``now``."""
        cases.close_case(case, reason, now, message=message, actor=actor, effective=effective)
        for role in ("school", "referrer"):
            if cases.contact_of(case, role) is not None or role == "school":
                self.letter(case, "case_closed", role, now, message=message)
                break

    def allocate(self, case: Case, name: str, email: str | None, now: datetime, *,
                 actor: str = "team") -> None:
        """A Lead Professional for ``case``; ``cases.CaseClosed`` when it is closed."""
        cases.refuse_if_closed(case)
        person = file_contact("lead_professional", trust.team(), now, case=case, name=name,
                              email=email)
        cases.attach(case, person, "lead_professional")
        case.lead_professional = person
        case.save()
        cases.event(case, "lead_professional_allocated", now, detail={"contact": person.id},
                    actor=actor)
        meet(case, rules.MET_BY["lead_professional_allocated"], now)
        self.letter(case, "lead_professional_allocation", "lead_professional", now)

    # -- deadlines -----------------------------------------------------------
    def next_due(self) -> datetime | None:
        return next_due()

    def tick(self) -> int:
        """Fire every deadline due now (late ones too): the daemon's ticker."""
        return fire_due(self.clock.now(), self.on_due)

    def on_due(self, deadline: Deadline, now: datetime) -> None:
        action = rules.DUE.get(deadline.purpose)
        case = deadline.case
        cases.event(case, "deadline_fired", now,
                    detail={"deadline": deadline.id, "purpose": deadline.purpose,
                            "due": deadline.due.isoformat()})
        if action is None:
            return
        if action.letter:
            stem, role = action.letter
            row = self.letter(case, stem, role, now, deadline=deadline)
            # The due day is past: the letter asks a reply by a new date (workflows/chases.py).
            chases.ask_reply_by(row, chases.reply_by(local_day(now), self.clocks["chase_reply"],
                                                     self.calendar, school_of(case)))
        if action.reminder:
            self.outbox.reminder(case, action.reminder, now, deadline=deadline)

    # -- helpers -------------------------------------------------------------
    def _absence_clocks(self, case: Case, fields: dict[str, Any], now: datetime,
                        message: InboundMessage, school: str | None) -> None:
        last = fields.get("date_last_attended")
        if not last:
            return
        for purpose, clock_name in rules.ABSENCE_CLOCKS:
            due = due_date(date.fromisoformat(last), self.clocks[clock_name], self.calendar,
                           school)
            set_deadline(case, purpose, due, now, message=message)

    def _removed_before_advice(self, case: Case, fields: dict[str, Any], now: datetime,
                               message: InboundMessage) -> None:
        if not fields.get("date_removed_from_roll") or case.kind != "cme_notification":
            return
        advised = Event.select().where((Event.case == case)
                                       & (Event.kind == "update_removal_advised")).exists()
        if not advised:
            cases.event(case, "removed_before_esw_advice", now, message=message,
                        detail={"removed": fields["date_removed_from_roll"]})
            cases.review("the school removed the pupil from roll before the ESW advised it "
                         "(compliance breach)", now, case=case, message=message)

    def _late_ehe(self, case: Case, fields: dict[str, Any], arrived: date, now: datetime,
                  message: InboundMessage, school: str | None) -> None:
        removed = fields.get("date_removed_from_roll")
        if not removed:
            return
        expected_by = due_date(date.fromisoformat(removed), self.clocks["ehe_notification_due"],
                               self.calendar, school)
        if arrived > expected_by:
            cases.event(case, "ehe_notified_late", now, message=message,
                        detail={"removed": removed, "expected_by": expected_by.isoformat()})
            self.letter(case, "ehe_late_notification", "school", now, message=message)

    def _flag_review(self, case: Case, message: InboundMessage, now: datetime) -> None:
        if message.needs_review:
            cases.review("check these fields against the original: "
                         + ", ".join(message.needs_review)
                         + " (cme review resolve ID --accept confirms them as read)",
                         now, case=case, message=message,
                         detail={"action": unconfirmed.CONFIRM_FIELDS,
                                 "fields": message.needs_review})

