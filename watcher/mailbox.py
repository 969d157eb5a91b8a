"""The one small contract every mailbox backend keeps.

Call order and guarantees, for every backend:

1. ``fetch_new()`` yields each mail waiting in the inbox once per call, as an
   ``InboundMail`` whose ``uid`` is stable for the life of that mail in that
   mailbox (Maildir key, IMAP UIDVALIDITY:UID, EWS item id, Graph immutable id)
   and whose ``received_at`` is when the mailbox received it (never the
   sender's Date header).
2. The caller commits the mail to the intake ledger, and only then calls
   ``acknowledge(uid, outcome)``, which moves it out of the inbox into the
   Processed or Quarantine folder. A mail not acknowledged stays in the inbox
   and is fetched again by the next ``fetch_new()``; the ledger deduplicates it.
3. ``wait(timeout)`` returns when new mail may be there or the timeout has
   passed, or as soon as ``interrupt()`` is called from a signal handler.
4. ``send(outbound)`` delivers a letter or reminder, under its stable
   ``message_id`` when it has one. ``was_sent(message_id)`` says whether a mail
   with that Message-ID has already left (the server's Sent folder, where the
   backend can tell): the outbox asks it before sending again after a restart,
   so that a letter is not mailed twice.
5. ``waiting()`` counts the mails in the inbox now, cheaply: for the daemon's
   start line and its progress bar, never for deciding what to take.

Library errors are wrapped once, here at the adapter: ``MailboxError``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


class MailboxError(Exception):
    """The mailbox could not be read or written."""


class Outcome(enum.Enum):
    PROCESSED = "processed"
    QUARANTINED = "quarantined"


@dataclass(frozen=True)
class InboundMail:
    uid: str
    raw_bytes: bytes
    received_at: datetime


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class OutboundMail:
    to: tuple[str, ...]
    subject: str
    body: str
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)
    sender: str = ""
    # The stable Message-ID ("<...@...>") the outbox gave this letter, so that
    # ``was_sent`` can find it after a restart; empty: the backend makes one.
    message_id: str = ""


class Mailbox(Protocol):
    name: str

    def fetch_new(self) -> Iterator[InboundMail]: ...

    def acknowledge(self, uid: str, outcome: Outcome) -> None: ...

    def wait(self, timeout: float) -> bool:
        """True when woken by new mail or an interrupt, False on timeout."""
        ...

    def interrupt(self) -> None:
        """Make a pending or the next ``wait`` return at once (signal-safe)."""
        ...

    def send(self, outbound: OutboundMail) -> None: ...

    def was_sent(self, message_id: str) -> bool:
        """True when a mail with Message-ID ``message_id`` has already been sent.

        IMAP looks in the Sent folder (each mail sent over SMTP is appended
        there), EWS and Graph in Sent Items. False means "not found": the
        caller sends. Raises ``MailboxError`` when the server cannot be asked,
        so that an unknown answer is never taken for "not sent".
        """
        ...

    def waiting(self) -> int:
        """How many mails are in the inbox (a count for people; may be a moment stale)."""
        ...

    def close(self) -> None: ...
