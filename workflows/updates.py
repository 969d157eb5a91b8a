"""News about a case the LA holds (``case_update``), and mail that is not to be believed.

An update changes its case only when ``workflows/trust.py`` says its sender
may: otherwise it waits as a review item, "update from someone not on the
case", with the outcome it claims, and nothing is met, cancelled or closed
until a person accepts it (``accept`` applies it then, its clocks stopped as
of the day the mail arrived). A quoted reference whose check character is
wrong is a mistyped one and goes to review too (workflows/references.py).
Mail whose authentication failed changes nothing at all (``refuse``).

News that came by phone or in person (``cme case REF outcome ...``) is
``by_hand``: the same ``apply_update`` as the email saying it, so it meets the
same clocks and writes the same letters, with the person as its actor.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz

from register.models import Case, InboundMessage, ReviewItem
from workflows import cases, rules, trust
from workflows.clocks import local_day, start_of
from workflows.deadlines import meet
from workflows.directory import file_case_contacts
from workflows.references import Shape, canonical, shape
from workflows.trust import Sender

if TYPE_CHECKING:
    from workflows.apply import Workflow

log = logging.getLogger(__name__)

# What a person records by hand, as the outcome an emailed update names.
BY_HAND = {"located": "located", "confirmed_missing": "confirmed_missing",
           "removal_advised": "removal_advised", "file_received": "file_transferred",
           "info": "info"}


class OutcomeRefused(ValueError):
    """An outcome typed by a person that cannot be recorded as given."""


def refuse(message: InboundMessage, kind: str, fields: dict[str, Any], sender: Sender,
           now: datetime) -> ReviewItem:
    """Authentication failed for the From domain: taken in and read, then left to a person."""
    case = _quoted_case(fields) if kind == "case_update" else None
    cases.event(case, "held_for_review", now, message=message,
                detail={"why": "authentication failed", "kind": kind,
                        "sender_domain": sender.domain})
    log.info("message %d: authentication failed for %s: to review, nothing applied",
             message.id, sender.domain or "no domain")
    return cases.review(
        f"authentication failed for the sender's domain ({sender.domain or 'none'}): this "
        f"{kind.replace('_', ' ')} changed nothing and no letter was written; check it with "
        "the sender, then accept it or dismiss it", now, case=case, message=message,
        detail={"action": trust.ACCEPT_MESSAGE, "kind": kind, "sender_domain": sender.domain,
                "outcome": fields.get("update_outcome")})


def update(workflow: Workflow, message: InboundMessage, fields: dict[str, Any], sender: Sender,
           now: datetime) -> None:
    """A ``case_update``: applied, or held for a person, as its sender may."""
    reference = fields.get("case_reference")
    if reference and shape(reference) is Shape.BAD_CHECK:
        cases.event(None, "update_unmatched", now, message=message,
                    detail={"reference": reference, "why": "bad check character"})
        cases.review(f"an update quotes {reference}, whose check character is wrong: a "
                     "mistyped reference; attach it to its case", now, message=message,
                     detail={"reference": reference})
        return
    case = _quoted_case(fields)
    if case is None:
        cases.event(None, "update_unmatched", now, message=message,
                    detail={"reference": reference})
        cases.review("an update that quotes no case we hold: attach it to its case", now,
                     message=message, detail={"reference": reference})
        return
    if not _same_child(case, fields):
        cases.event(case, "update_unmatched", now, message=message,
                    detail={"why": "another child"})
        cases.review("an update quotes a case about another child: check the reference",
                     now, case=case, message=message, detail={"reference": case.reference})
        return
    outcome = fields.get("update_outcome") or "info"
    if case.status == "closed":
        # A closed case is the team's decision: later news is read by a person, never
        # applied to it (it may mean the case should be opened again).
        cases.event(case, "update_after_close", now, message=message,
                    detail={"outcome": outcome, "sender_domain": sender.domain})
        cases.review(f"an update for {case.reference}, closed on {case.closed:%-d %b %Y}: it "
                     f"says '{outcome}'; nothing was changed", now, case=case, message=message,
                     detail={"reference": case.reference, "outcome": outcome})
        log.info("case %s: update (%s) after the case closed: to review", case.reference,
                 outcome)
        return
    if not trust.may_update(case, sender):
        cases.event(case, "update_held_for_review", now, message=message,
                    detail={"outcome": outcome, "sender_domain": sender.domain})
        cases.review(f"update from someone not on the case: it says '{outcome}'; nothing is "
                     "met, cancelled or closed until a person accepts it (cme review resolve "
                     "ID --accept)", now, case=case, message=message,
                     detail={"action": trust.ACCEPT_UPDATE, "outcome": outcome,
                             "reference": case.reference, "sender_domain": sender.domain})
        log.info("case %s: update (%s) from %s, not on the case: to review", case.reference,
                 outcome, sender.domain or "no domain")
        return
    vouched = sender.vouched  # a person accepted it: its clocks stop as of its arrival
    apply_update(workflow, case, message, fields, sender, now, actor="team" if vouched else "cme",
                 effective=message.received_at if vouched else None)


def by_hand(workflow: Workflow, case: Case, outcome: str, note: str, now: datetime, *,
            actor: str, school: str | None = None, on: date | None = None) -> None:
    """News by phone or in person, done as the emailed update saying it would be.

    ``outcome``: a key of ``BY_HAND``; ``school``: where a located child now is;
    ``on``: the day it happened (today when None), when its clocks stop.
    Raises ``OutcomeRefused`` and ``cases.CaseClosed``.
    """
    if outcome not in BY_HAND:
        raise OutcomeRefused(f"unknown outcome {outcome!r}: one of {', '.join(BY_HAND)}")
    if not note.strip():
        raise OutcomeRefused("an outcome needs --note TEXT: what was said, and by whom")
    cases.refuse_if_closed(case)
    today = local_day(now)
    if on is not None and on > today:
        raise OutcomeRefused(f"--date {on:%-d %b %Y} is after today ({today:%-d %b %Y})")
    if on is not None and on < case.opened:
        raise OutcomeRefused(f"--date {on:%-d %b %Y} is before {case.reference} was opened "
                             f"({case.opened:%-d %b %Y})")
    fields = {"update_outcome": BY_HAND[outcome]}
    if school and school.strip():
        fields["destination_school"] = school.strip()
    effective = start_of(on) if on is not None and on < today else None
    apply_update(workflow, case, None, fields, trust.team(), now, actor=actor,
                 effective=effective, said={"note": note.strip(),
                                            "on": (on or today).isoformat()})


def apply_update(workflow: Workflow, case: Case, message: InboundMessage | None,
                 fields: dict[str, Any], sender: Sender, now: datetime, *,
                 actor: str = "cme", effective: datetime | None = None,
                 said: dict[str, Any] | None = None) -> None:
    """What the update says, done: details, contacts, clocks met, the case closed.

    ``message``: None for news recorded by hand (``by_hand``), whose note and day
    are ``said``, kept on its event. ``effective``: when the clocks stop (a
    person's acceptance: the day the mail arrived; a day typed by hand);
    ``now`` otherwise.
    """
    at = effective or now
    outcome = fields.get("update_outcome") or "info"
    case.details = {**(case.details or {}), **{k: v for k, v in fields.items()
                                               if k not in ("update_outcome",)}}
    case.save()
    cases.event(case, f"update_{outcome}", now, message=message, actor=actor,
                detail={"outcome": outcome, **(said or {})})
    file_case_contacts(case, fields, sender, now, message, referrer_role=_writer_role(fields))
    met = meet(case, rules.MET_BY.get(outcome, ()), at)
    if met:
        cases.event(case, "deadlines_met", now, message=message, actor=actor,
                    detail={"purposes": [d.purpose for d in met]})
    if outcome in rules.CLOSES and case.status == "open":
        workflow.close(case, rules.CLOSES[outcome], now, message=message, actor=actor,
                       effective=effective)
    log.info("case %s: update %s applied from %s", case.reference, outcome,
             f"message {message.id}" if message is not None else "a person, by hand")


def _quoted_case(fields: dict[str, Any]) -> Case | None:
    reference = fields.get("case_reference")
    if not reference or shape(reference) is Shape.BAD_CHECK:
        return None
    return Case.get_or_none(Case.reference == canonical(reference))


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
