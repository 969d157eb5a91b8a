"""The states a ledger row moves through (no database import: the CLI lists them cheaply)."""

from __future__ import annotations


class MessageStatus:
    RECEIVED = "received"
    PARSED = "parsed"
    APPLIED = "applied"
    FAILED = "failed"
    QUARANTINED = "quarantined"

    ALL = (RECEIVED, PARSED, APPLIED, FAILED, QUARANTINED)
