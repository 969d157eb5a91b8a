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
from datetime import datetime
from pathlib import Path
from typing import Any

from cme.clock import as_london
from cme.config import Config
from parsers.clean import strip_bidi
from register.models import Case, Deadline, InboundMessage, Letter
from register.states import LetterState
from workflows.cases import contact_of, event
from workflows.letter_context import CaseFacts, Party, letter_context, long_date
from workflows.recipients import choose_recipients

log = logging.getLogger(__name__)

__all__ = ["Outbox", "case_facts", "letter_message_id", "long_date", "unbidi"]


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
        self._known_to_siblings(row)
        event(case, "letter", at, message=message,
              detail={"letter": row.id, "template": stem, "to": role,
                      "recipients": recipients})
        return row

    @staticmethod
    def _known_to_siblings(row: Letter) -> None:
        """Letters written together know of each other: the acknowledgement written
        just before the ESW's request may say that the ESW was asked."""
        waiting = (LetterState.PENDING, LetterState.HELD)
        siblings = Letter.select().where((Letter.case == row.case) & (Letter.id != row.id)
                                         & (Letter.created_at == row.created_at)
                                         & Letter.state.in_(waiting))
        for sibling in siblings:
            context = dict(sibling.context or {})
            if "letters" in context and not context["letters"].get(row.template):
                context["letters"] = {**context["letters"], row.template: True}
                sibling.context = context
                sibling.save(only=[Letter.context])

    def reminder(self, case: Case, text: str, at: datetime, *,
                 deadline: Deadline | None = None) -> None:
        """For the team only: an event on the case, listed in the daily digest."""
        event(case, "reminder", at, detail={"text": text,
                                            "deadline": deadline.id if deadline else None,
                                            "purpose": deadline.purpose if deadline else None})

    def context(self, case: Case, role: str, at: datetime,
                deadline: Deadline | None = None) -> dict[str, Any]:
        """The letter's values (workflows/letter_context.py), from the register."""
        return unbidi(letter_context(self.config.team, case_facts(case, deadline), role,
                                     as_london(at).date()))


def case_facts(case: Case, deadline: Deadline | None = None) -> CaseFacts:
    """What the register knows of ``case`` that a letter may say."""
    child = case.child
    parties = {}
    for role in ("school", "previous_school", "referrer", "esw", "keyworker",
                 "lead_professional", "parent"):
        person = contact_of(case, role)
        if person is not None:
            parties[role] = Party(name=person.name or "", organisation=person.organisation or "",
                                  email=person.email or "")
    written = {letter.template for letter in Letter.select(Letter.template)
               .where(Letter.case == case)}
    return CaseFacts(
        reference=case.reference, kind=case.kind, opened=case.opened,
        close_reason=case.close_reason or "",
        forenames=child.forenames if child else "", surname=child.surname if child else "",
        dob=child.dob if child else None, upn=(child.upn or "") if child else "",
        details=case.details or {}, parties=parties, letters=frozenset(written),
        deadline_purpose=deadline.purpose if deadline else "",
        deadline_due=deadline.due if deadline else None)
