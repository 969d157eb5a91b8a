"""Letters and reminders leaving the team: rendered, recorded, then mailed.

By default every letter goes to the tracking team's own address for review,
with the DOCX (and PDF where LibreOffice is installed) attached. Sending straight
to recipients is a setting, and then only to addresses in the register's
contacts, never to whoever sent the mail, and never while the case has review
items open (nothing under review goes outside the LA).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cme.clock import as_london
from cme.config import Config
from register.models import Case, Deadline, InboundMessage, Letter, ReviewItem
from watcher.mailbox import Attachment, MailboxError, OutboundMail
from workflows.cases import contact_of, event
from workflows.letters import blank_context, read_text, render_letter, to_pdf

log = logging.getLogger(__name__)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
Send = Callable[[OutboundMail], None]


def long_date(value: date | str | None) -> str:
    """``Monday 9 February 2026``: how the team writes dates in letters."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return f"{value:%A} {value.day} {value:%B %Y}" if value else ""


@dataclass
class Outbox:
    config: Config
    send_mail: Send | None = None

    @property
    def letters_dir(self) -> Path:
        return self.config.outbox.path / "letters"

    def letter(self, case: Case, stem: str, role: str, at: datetime, *,
               deadline: Deadline | None = None, message: InboundMessage | None = None
               ) -> Letter:
        """Render ``stem`` for ``case``, record it, and mail it for review (or out)."""
        context = self.context(case, role, at, deadline)
        stamp = as_london(at).strftime("%Y%m%d-%H%M%S")
        count = Letter.select().where(Letter.case == case).count() + 1
        path = self.letters_dir / case.reference / f"{stamp}-{count:02d}-{stem}.docx"
        render_letter(self.config.templates.sub("letters"), stem, context, path)
        pdf = to_pdf(path, self.config.letters.pdf_timeout_seconds) if self.config.letters.pdf \
            else None
        recipients = self._recipients(case, context["recipient"])
        row = Letter.create(case=case, template=stem, recipients=recipients, path=str(path),
                            created_at=at, deadline=deadline)
        event(case, "letter", at, message=message,
              detail={"letter": row.id, "template": stem, "to": role,
                      "recipients": recipients})
        self._mail(case, stem, path, pdf, recipients, context, at)
        return row

    def reminder(self, case: Case, text: str, at: datetime, *,
                 deadline: Deadline | None = None) -> None:
        """For the team only: an event on the case, listed in the daily digest."""
        event(case, "reminder", at, detail={"text": text,
                                            "deadline": deadline.id if deadline else None,
                                            "purpose": deadline.purpose if deadline else None})

    def _recipients(self, case: Case, recipient: dict[str, str]) -> list[str]:
        team = [self.config.team.email]
        if not self.config.letters.send_direct:
            return team
        under_review = ReviewItem.select().where(
            (ReviewItem.case == case) & ReviewItem.resolved_at.is_null()).exists()
        if under_review or not recipient.get("email"):
            return team  # a person checks first; the letter still reaches the team
        return [recipient["email"], *team]

    def _mail(self, case: Case, stem: str, path: Path, pdf: Path | None,
              recipients: list[str], context: dict[str, Any], at: datetime) -> None:
        if self.send_mail is None:
            return
        attachments = [Attachment(path.name, DOCX, path.read_bytes())]
        if pdf is not None:
            attachments.append(Attachment(pdf.name, "application/pdf", pdf.read_bytes()))
        title = stem.replace("_", " ")
        body = (f"Letter for review: {title}, case {case.reference}.\n"
                f"Recipient: {context['recipient']['name']} "
                f"{context['recipient']['organisation']}\n\n" + read_text(path))
        try:
            self.send_mail(OutboundMail(tuple(recipients), f"[{case.reference}] {title}", body,
                                        tuple(attachments), self.config.team.email))
        except MailboxError as exc:
            # The letter is in the outbox and on the register; only the email failed.
            event(case, "letter_not_mailed", at, detail={"template": stem, "error": str(exc)})

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
        return ctx

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
