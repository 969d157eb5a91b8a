"""The states a ledger row moves through (no database import: the CLI lists them cheaply)."""

from __future__ import annotations

from typing import ClassVar


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


class Trust:
    """How far an inbound message's sender is to be believed (issue 9), on the ledger.

    ``authenticated``: the LA's mail server found DMARC, or an aligned SPF or
    DKIM, passing for the From domain; ``known``: the From address is a
    directory contact, or its domain is a trusted one (the LA's own always is);
    ``unknown``: neither; ``failed``: authentication failed for the From domain.
    What each level may do is workflows/trust.py.
    """

    AUTHENTICATED = "authenticated"
    KNOWN = "known"
    UNKNOWN = "unknown"
    FAILED = "failed"

    ALL = (AUTHENTICATED, KNOWN, UNKNOWN, FAILED)


class EmailSource:
    """Where a directory contact's email address came from: only the first two are sent to.

    ``person``: typed or confirmed by the team; ``authenticated``: the From of
    authenticated mail; ``sender``: the From of mail that was not authenticated;
    ``read``: read from a form or a signature, a proposal (also every address
    recorded before sources were kept).
    """

    PERSON = "person"
    AUTHENTICATED = "authenticated"
    SENDER = "sender"
    READ = "read"

    RANK: ClassVar[dict[str, int]] = {READ: 0, SENDER: 1, AUTHENTICATED: 2, PERSON: 3}
    SENDABLE = (PERSON, AUTHENTICATED)
