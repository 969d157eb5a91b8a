"""The states a ledger row moves through (no database import: the CLI lists them cheaply)."""

from __future__ import annotations


class MessageStatus:
    RECEIVED = "received"
    PARSED = "parsed"
    APPLIED = "applied"
    FAILED = "failed"
    QUARANTINED = "quarantined"

    ALL = (RECEIVED, PARSED, APPLIED, FAILED, QUARANTINED)


class LetterState:
    """Where a letter (or the daily digest) is on its way out: the outbox's states.

    ``pending``: recorded by the transaction that decided it, waiting for the sender;
    ``sent``: mailed, and marked so; ``held``: kept back until a person releases it
    (the sender never mails it); ``failed``: could not be rendered, with the reason
    on the row, until ``cme letters retry`` or ``cme intake retry`` makes it pending.
    """

    PENDING = "pending"
    SENT = "sent"
    HELD = "held"
    FAILED = "failed"

    ALL = (PENDING, SENT, HELD, FAILED)
