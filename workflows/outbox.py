"""Letters and reminders leaving the team: decided and recorded, for the sender.

``Outbox.letter`` runs inside the transaction that applies a message (or closes
a case, or fires a deadline): it takes what the letter will say, decides its
recipients and records it as a pending ``Letter`` row. Nothing is rendered or
mailed here. After the commit, ``workflows/sender.py`` renders and mails each
pending letter once; a rollback takes the letter with it, so no letter is ever
mailed for work the register does not hold (STYLE.md 16).

By default every letter goes to the tracking team's own address for review,
with the DOCX (and PDF where LibreOffice is installed) attached. Sending straight
to recipients is a setting, and then only to addresses in the register's
contacts, never to whoever sent the mail, and never while the case has review
items open (nothing under review goes outside the LA).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cme.clock import as_london
from cme.config import Config
from parsers.clean import strip_bidi
from register.models import Case, Deadline, InboundMessage, Letter
from register.states import LetterState
from workflows.cases import contact_of, event
from workflows.letters import blank_context
from workflows.recipients import choose_recipients

log = logging.getLogger(__name__)


def long_date(value: date | str | None) -> str:
    """``Monday 9 February 2026``: how the team writes dates in letters."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return f"{value:%A} {value.day} {value:%B %Y}" if value else ""


def letter_message_id(row_id: int) -> str:
    """The Message-ID a letter is mailed under: ``<letter-ROWID.RANDOM@cme>``.

    Stable because it is stored on the row with the letter, in the same
    transaction. The random part makes it unique beyond this register: the row
    id alone, even with a site-wide id, repeats when a register is rebuilt or
    restored from a backup, while the sent folder still holds the old mail, which
    would then pass for the new letter's and the new letter would never leave.
    """
    return f"<letter-{row_id}.{secrets.token_hex(8)}@cme>"


def unbidi(value: Any) -> Any:
    """``value`` with bidirectional controls stripped from every string in it."""
    if isinstance(value, str):
        return strip_bidi(value)
    if isinstance(value, dict):
        return {key: unbidi(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [unbidi(item) for item in value]
    return value


@dataclass
class Outbox:
    config: Config

    @property
    def letters_dir(self) -> Path:
        return self.config.outbox.path / "letters"

    def letter(self, case: Case, stem: str, role: str, at: datetime, *,
               deadline: Deadline | None = None, message: InboundMessage | None = None
               ) -> Letter:
        """Record ``stem`` for ``case``, pending, in the caller's transaction."""
        context = self.context(case, role, at, deadline)
        stamp = as_london(at).strftime("%Y%m%d-%H%M%S")
        count = Letter.select().where(Letter.case == case).count() + 1
        folder = self.letters_dir / strip_bidi(case.reference)
        path = folder / f"{stamp}-{count:02d}-{stem}.docx"
        recipients = choose_recipients(self.config, case, role, context["recipient"])
        row = Letter.create(case=case, template=stem, recipients=recipients, path=str(path),
                            created_at=at, deadline=deadline, source=message, context=context,
                            state=LetterState.PENDING)
        row.message_id = letter_message_id(row.id)
        row.save(only=[Letter.message_id])
        event(case, "letter", at, message=message,
              detail={"letter": row.id, "template": stem, "to": role,
                      "recipients": recipients})
        return row

    def reminder(self, case: Case, text: str, at: datetime, *,
                 deadline: Deadline | None = None) -> None:
        """For the team only: an event on the case, listed in the daily digest."""
        event(case, "reminder", at, detail={"text": text,
                                            "deadline": deadline.id if deadline else None,
                                            "purpose": deadline.purpose if deadline else None})

    def context(self, case: Case, role: str, at: datetime,
                deadline: Deadline | None = None) -> dict[str, Any]:
        details: dict[str, Any] = case.details or {}
        ctx = blank_context()
        team = self.config.team
        ctx["team"].update(name=team.name, officer=team.officer, role=team.role,
                           email=team.email, phone=team.phone, address=team.address)
        ctx["today"] = long_date(as_london(at).date())
        ctx["case"].update(reference=case.reference, kind=case.kind.replace("_", " "),
                           opened=long_date(case.opened), close_reason=case.close_reason or "")
        child = case.child
        if child is not None:
            ctx["child"].update(
                forenames=child.forenames, surname=child.surname,
                full_name=f"{child.forenames} {child.surname}".strip(),
                dob=long_date(child.dob), upn=child.upn or "",
                year_group=_text(details.get("child_year_group")),
                address=_text(details.get("child_address")),
                postcode=_text(details.get("child_postcode")))
        ctx["school"].update(name=_text(details.get("school_name")),
                             laestab=_text(details.get("school_laestab")),
                             email=_email_of(case, "school"))
        ctx["parent"].update(name=_text(details.get("parent_name")),
                             email=_text(details.get("parent_email")),
                             phone=_text(details.get("parent_phone")),
                             address=_text(details.get("child_address")))
        ctx["referrer"].update(name=_text(details.get("referrer_name")),
                               role=_text(details.get("referrer_role")),
                               organisation=_text(details.get("referrer_organisation")),
                               email=_text(details.get("referrer_email")))
        for key in ("esw", "keyworker", "lead_professional"):
            person = contact_of(case, key)
            if person is not None:
                ctx[key].update(name=person.name or person.organisation or "",
                                email=person.email or "")
        if not ctx["keyworker"]["name"]:
            ctx["keyworker"]["name"] = _text(details.get("social_worker"))
        if deadline is not None:
            ctx["deadline"].update(purpose=deadline.purpose.replace("_", " "),
                                   due=long_date(deadline.due))
        ctx["dates"].update(notified=long_date(_text(details.get("notified"))),
                            last_attended=long_date(_text(details.get("date_last_attended"))),
                            removed_from_roll=long_date(
                                _text(details.get("date_removed_from_roll"))),
                            ehe_start=long_date(_text(details.get("ehe_start_date"))))
        ctx["reason"] = _text(details.get("reason"))
        for flag in ctx["flags"]:
            ctx["flags"][flag] = details.get(flag) is True
        ctx["recipient"].update(self._recipient(case, role, ctx))
        return unbidi(ctx)

    def _recipient(self, case: Case, role: str, ctx: dict[str, Any]) -> dict[str, str]:
        team = self.config.team
        if role == "esw":
            return {"name": ctx["esw"]["name"] or team.esw_name, "organisation": team.esw_name,
                    "role": "Education Social Worker",
                    "email": ctx["esw"]["email"] or team.esw_email}
        if role == "esw_manager":
            return {"name": team.esw_manager_name, "organisation": team.esw_name,
                    "role": "Service Manager", "email": team.esw_manager_email}
        person = contact_of(case, role)
        if person is not None:
            return {"name": person.name or "", "organisation": person.organisation or "",
                    "role": role.replace("_", " "), "email": person.email or ""}
        if role == "school":
            return {"name": "The Head Teacher", "organisation": ctx["school"]["name"],
                    "role": "Head Teacher", "email": ctx["school"]["email"]}
        if role == "parent":
            return {"name": ctx["parent"]["name"], "organisation": "", "role": "Parent/carer",
                    "email": ctx["parent"]["email"]}
        return {"name": "", "organisation": "", "role": role.replace("_", " "), "email": ""}


def _text(value: Any) -> str:
    return "" if value is None or isinstance(value, bool) else str(value)


def _email_of(case: Case, role: str) -> str:
    person = contact_of(case, role)
    return (person.email or "") if person else ""
