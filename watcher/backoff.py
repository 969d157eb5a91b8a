"""Capped exponential backoff, and the episodes of waiting it measures.

An episode starts when a pass cannot finish for a transient reason (the
register is locked, a disk is full) and ends at the first pass that finishes.
It is logged twice, once at each end, however many attempts it takes: a lock
held for an hour is two log lines, not three hundred.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from cme.clock import Clock

log = logging.getLogger("watcher.daemon")  # episode lines are the daemon's own


@dataclass(frozen=True)
class Backoff:
    first_seconds: float = 5.0
    max_seconds: float = 300.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (attempt 1 waits ``first``)."""
        exponent = min(max(attempt, 1) - 1, 32)  # 2**32 is past any sensible cap
        return min(self.max_seconds, self.first_seconds * 2**exponent)


class Episode:
    """The current stretch of waiting, if any: what for, since when, how many attempts."""

    def __init__(self, clock: Clock, backoff: Backoff) -> None:
        self.clock = clock
        self.backoff = backoff
        self.reason: str | None = None
        self.started: datetime | None = None
        self.attempts = 0

    @property
    def waiting(self) -> bool:
        return self.reason is not None

    def failed(self, reason: str) -> float:
        """A pass could not finish for ``reason``: log if this starts an episode;
        return the seconds to wait before the next attempt."""
        self.attempts += 1
        delay = self.backoff.delay(self.attempts)
        if self.reason is None:
            self.started = self.clock.now()
            log.warning(
                "waiting: %s; retrying with backoff (at most every %gs)",
                reason, self.backoff.max_seconds,
                extra={"waiting_for": reason},
            )
        elif reason != self.reason:
            log.warning("still waiting, now for: %s", reason, extra={"waiting_for": reason})
        else:
            log.debug("still waiting (attempt %d): %s; next in %gs", self.attempts, reason, delay)
        self.reason = reason
        return delay

    def succeeded(self) -> None:
        """A pass finished: log the end of the episode, if one was running."""
        if self.reason is None:
            return
        waited = (self.clock.now() - self.started).total_seconds() if self.started else 0.0
        log.info(
            "recovered after %.0fs and %d attempts: %s",
            waited, self.attempts, self.reason,
            extra={"recovered_from": self.reason, "waited_seconds": waited,
                   "attempts": self.attempts},
        )
        self.reason, self.started, self.attempts = None, None, 0
