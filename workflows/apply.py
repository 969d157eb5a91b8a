"""Applying a parsed message to the register: the ``parsed -> applied`` stage.

One transaction per message (the Processor opens it), keyed by the message: a
message that already left events on the register is not applied twice. The
child is matched, a case opened or updated, contacts filed, clocks started and
the first letters written, as ``workflows/rules.py`` says for its kind.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from rapidfuzz import fuzz

from cme.clock import Clock
from register.models import Case, Deadline, Event, InboundMessage, MessageStatus
from workflows import cases, rules
from workflows.calendar import SchoolCalendar
from workflows.clocks import ClockRule, due_date, local_day
from workflows.deadlines import fire_due, meet, next_due, set_deadline
from workflows.match import find_child
from workflows.outbox import Outbox

log = logging.getLogger(__name__)


@dataclass
class Workflow:
    calendar: SchoolCalendar
    clocks: dict[str, ClockRule]
    outbox: Outbox
    clock: Clock

    # -- the stage -------------------------------------------------------
    def __call__(self, message: InboundMessage) -> None:
        if not Event.select().where(Event.message == message).exists():
            self.apply(message)
        message.status = MessageStatus.APPLIED

    def apply(self, message: InboundMessage) -> None:
        kind, fields = message.kind or "other", dict(message.fields or {})
        now = self.clock.now()
        if kind == "other":
            cases.event(None, "ignored", now, message=message, detail={"kind": kind})
            return
        if kind == "case_update":
            self._update(message, fields, now)
            return
        self._notification(message, kind, fields, now)

    # -- notifications -----------------------------------------------------
    def _notification(self, message: InboundMessage, kind: str, fields: dict[str, Any],
                      now: datetime) -> None:
        found = find_child(fields)
        child = found.child or cases.new_child(fields, now)
        cases.update_child(child, fields, now, message)
        # The same news again updates the open case; other news about the child
        # (a school's notification, then an agency's referral) opens a linked case.
        open_case = (Case.select().where((Case.child == child) & (Case.status == "open")
                                         & (Case.kind == kind))
                     .order_by(Case.id.desc()).first())
        if found.child is not None and open_case is not None:
            self._add_to_case(open_case, message, kind, fields, now)
            return
        case = self._open(child, message, kind, fields, now)
        if found.uncertain:
            cases.review(
                "possible match with a child already on the register: check and link",
                now, case=case, message=message,
                detail={"child": child.id, "candidates": [c.id for c in found.uncertain],
                        "cases": [c.reference for u in found.uncertain for c in u.cases]})

    def _open(self, child: Any, message: InboundMessage, kind: str, fields: dict[str, Any],
              now: datetime) -> Case:
        arrived = local_day(message.received_at)
        details = {**fields, "notified": arrived.isoformat()}
        case = Case.create(reference=cases.next_reference(arrived.year), kind=kind,
                           status="open", state="open", child=child, opened=arrived,
                           source=message, details=details)
        earlier = [c.reference for c in child.cases if c.id != case.id]
        cases.event(case, "case_opened", now, message=message,
                    detail={"kind": kind, "linked_cases": earlier})
        self._file_contacts(case, fields, now)
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
            self.outbox.letter(case, stem, role, now, message=message)
        if fields.get("cp_plan"):
            self.outbox.letter(case, "keyworker_notification", "keyworker", now, message=message)
        if kind == "ehe_notification":
            self._late_ehe(case, fields, arrived, now, message, school)
        log.info("case %s opened (%s) from message %d", case.reference, kind, message.id)
        return case

    def _add_to_case(self, case: Case, message: InboundMessage, kind: str,
                     fields: dict[str, Any], now: datetime) -> None:
        before = dict(case.details or {})
        case.details = {**before, **fields}
        case.save()
        cases.event(case, "message_added", now, message=message, detail={"kind": kind})
        self._file_contacts(case, fields, now)
        self._flag_review(case, message, now)
        if fields.get("cp_plan") and not before.get("cp_plan"):
            self.outbox.letter(case, "keyworker_notification", "keyworker", now, message=message)
        self._removed_before_advice(case, fields, now, message)

    # -- updates -----------------------------------------------------------
    def _update(self, message: InboundMessage, fields: dict[str, Any], now: datetime) -> None:
        reference = fields.get("case_reference")
        case = Case.get_or_none(Case.reference == reference) if reference else None
        if case is None:
            cases.review("an update that quotes no case we hold: attach it to its case", now,
                         message=message, detail={"reference": reference})
            return
        if not _same_child(case, fields):
            cases.review("an update quotes a case about another child: check the reference",
                         now, case=case, message=message,
                         detail={"reference": reference})
            return
        outcome = fields.get("update_outcome") or "info"
        case.details = {**(case.details or {}), **{k: v for k, v in fields.items()
                                                   if k not in ("update_outcome",)}}
        case.save()
        cases.event(case, f"update_{outcome}", now, message=message, detail={"outcome": outcome})
        self._file_contacts(case, fields, now, referrer_role=_writer_role(fields))
        met = meet(case, rules.MET_BY.get(outcome, ()), now)
        if met:
            cases.event(case, "deadlines_met", now, message=message,
                        detail={"purposes": [d.purpose for d in met]})
        if outcome in rules.CLOSES and case.status == "open":
            self.close(case, rules.CLOSES[outcome], now, message=message)

    def close(self, case: Case, reason: str, now: datetime, *,
              message: InboundMessage | None = None, actor: str = "cme") -> None:
        cases.close_case(case, reason, now, message=message, actor=actor)
        for role in ("school", "referrer"):
            if cases.contact_of(case, role) is not None or role == "school":
                self.outbox.letter(case, "case_closed", role, now, message=message)
                break

    def allocate(self, case: Case, name: str, email: str | None, now: datetime) -> None:
        person = cases.contact("lead_professional", now, name=name, email=email)
        cases.attach(case, person, "lead_professional")
        case.lead_professional = person
        case.save()
        cases.event(case, "lead_professional_allocated", now, detail={"contact": person.id},
                    actor="team")
        meet(case, rules.MET_BY["lead_professional_allocated"], now)
        self.outbox.letter(case, "lead_professional_allocation", "lead_professional", now)

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
            self.outbox.letter(case, stem, role, now, deadline=deadline)
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
            self.outbox.letter(case, "ehe_late_notification", "school", now, message=message)

    def _file_contacts(self, case: Case, fields: dict[str, Any], now: datetime, *,
                       referrer_role: str = "referrer") -> None:
        school = cases.contact("school", now, organisation=fields.get("school_name"),
                               laestab=fields.get("school_laestab"), urn=fields.get("school_urn"))
        cases.attach(case, school, "school")
        if school is not None and case.school is None:
            case.school = school
            case.save()
        referrer = cases.contact(referrer_role, now, name=fields.get("referrer_name"),
                                 organisation=fields.get("referrer_organisation"),
                                 email=fields.get("referrer_email"),
                                 phone=fields.get("referrer_phone"))
        cases.attach(case, referrer, referrer_role)
        if referrer is not None and referrer_role == "referrer" and _is_school(fields):
            cases.attach(case, referrer, "school")
        keyworker = cases.contact("keyworker", now, name=fields.get("social_worker"))
        cases.attach(case, keyworker, "keyworker")

    def _flag_review(self, case: Case, message: InboundMessage, now: datetime) -> None:
        if message.needs_review:
            cases.review("check these fields against the original: "
                         + ", ".join(message.needs_review), now, case=case, message=message,
                         detail={"fields": message.needs_review})


def _writer_role(fields: dict[str, Any]) -> str:
    """An update from an Education Social Worker files its writer as the case's ESW."""
    role = str(fields.get("referrer_role") or "").lower()
    return "esw" if "esw" in role or "social worker" in role else "referrer"


def _same_child(case: Case, fields: dict[str, Any]) -> bool:
    """An update that names a child must name the case's child (a mistyped reference
    must not close someone else's case)."""
    surname = fields.get("child_surname")
    if not surname or case.child is None:
        return True
    return fuzz.ratio(str(surname).lower(), case.child.surname.lower()) >= 85


def _is_school(fields: dict[str, Any]) -> bool:
    organisation = str(fields.get("referrer_organisation") or "")
    return organisation == fields.get("school_name") or any(
        word in organisation.lower() for word in ("school", "academy", "college"))
