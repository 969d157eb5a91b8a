"""What one pass of the daemon did, as one line a person (or a log collector) reads.

Counts and row ids only: a summary never carries a name, a subject or an
address, so it can go to any log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from cme.clock import as_london


@dataclass(frozen=True)
class Activity:
    """What the register gained in a pass beyond the ledger (counted by workflows)."""

    letters: int = 0
    to_review: int = 0  # messages whose application raised review items


class ActivityMeter(Protocol):
    """Counts the letters and review items a pass created (workflows/activity.py)."""

    def mark(self) -> object: ...

    def since(self, mark: object) -> Activity: ...


@dataclass(frozen=True)
class Site:
    """Where the daemon works, as its start line names it (no password)."""

    mailbox: str
    register: str


@dataclass
class PassReport:
    taken: int = 0
    duplicates: int = 0
    left_in_inbox: int = 0
    processed: int = 0
    applied: int = 0
    failed: int = 0
    retrying: int = 0  # of the failed: to be tried again automatically
    to_review: int = 0
    letters: int = 0
    fired: int = 0
    next_due: datetime | None = None
    next_retry: datetime | None = None  # the earliest failed message due for another attempt
    # Why the pass could not finish (the register locked, a disk full): the
    # daemon backs off and tries again. None when it finished.
    stalled: str | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def idle(self) -> bool:
        """Nothing happened: no mail, no work, no failure. (A stall is logged on its
        own, once per episode, so it does not make a pass worth a line.)"""
        counts = (self.taken, self.duplicates, self.left_in_inbox, self.processed, self.failed,
                  self.letters, self.fired)
        return not any(counts)

    def summary(self) -> str:
        failed = f"failed {self.failed}" + (f" ({self.retrying} to retry)" if self.retrying else "")
        parts = [
            f"taken in {self.taken}",
            f"applied {self.applied}",
            f"to review {self.to_review}",
            failed,
            f"letters {self.letters}",
            f"deadlines fired {self.fired}",
            f"next deadline {_moment(self.next_due)}",
        ]
        if self.duplicates:
            parts.append(f"seen before {self.duplicates}")
        if self.left_in_inbox:
            parts.append(f"left in the inbox {self.left_in_inbox}")
        if self.errors:
            parts.append(f"problems {len(self.errors)} (see cme intake list)")
        line = ", ".join(parts)
        return line + (f"; waiting: {self.stalled}" if self.stalled else "")

    def as_fields(self) -> dict[str, Any]:
        """The counts as structured fields, for JSON logs."""
        return {
            "taken": self.taken, "duplicates": self.duplicates,
            "left_in_inbox": self.left_in_inbox, "processed": self.processed,
            "applied": self.applied, "failed": self.failed, "retrying": self.retrying,
            "to_review": self.to_review, "letters": self.letters, "fired": self.fired,
            "next_due": self.next_due.isoformat() if self.next_due else None,
            "stalled": self.stalled, "problems": len(self.errors),
        }


def _moment(moment: datetime | None) -> str:
    return as_london(moment).strftime("%Y-%m-%d %H:%M") if moment else "none"
