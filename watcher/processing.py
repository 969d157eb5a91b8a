"""Moving ledger rows through their stages, one message at a time.

A stage consumes messages in one status and leaves them in the next
(``received -> parsed -> applied``). Stages are registered by the status they
consume, so the same code drives the daemon, ``cme intake retry`` and the tests.
A stage that raises marks its message ``failed`` with the error; the others go on.

What a failure means is decided by ``watcher.faults``: a transient one (a full
or read-only disk) gives the row a time for its next attempt and the status
to resume from, and ends the run of pending messages, since the next message
would meet the same disk; a permanent one leaves the row failed until a
person retries it. When the register itself is locked or unreachable nothing
can be recorded: the error goes up to the daemon, which waits for it.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cme.clock import Clock
from register.db import db
from register.models import InboundMessage, MessageStatus
from watcher.backoff import Backoff
from watcher.faults import Fault, classify, explain

log = logging.getLogger(__name__)

# A stage updates the message in place (status, results) inside a transaction.
Stage = Callable[[InboundMessage], None]


@dataclass
class Tally:
    """What ``process_pending`` did: final statuses, and why it stopped early."""

    processed: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    retrying: int = 0
    stalled: str | None = None


class Processor:
    """Runs messages through ``stages``; ``after_commit`` runs once a message's
    stages have committed, outside any transaction: the outbox's sender, which
    mails what the message's transaction recorded (STYLE.md 16)."""

    def __init__(self, stages: Mapping[str, Stage], clock: Clock,
                 retry: Backoff | None = None, *,
                 after_commit: Callable[[], object] | None = None) -> None:
        self.stages = dict(stages)
        self.clock = clock
        self.retry = retry or Backoff()
        self.after_commit = after_commit

    def _waiting(self) -> object:
        """Rows to move: those in a stage's status, and transient failures now due."""
        due = ((InboundMessage.status == MessageStatus.FAILED)
               & InboundMessage.retry_from.in_(list(self.stages))
               & (InboundMessage.next_attempt_at <= self.clock.now()))
        return InboundMessage.status.in_(list(self.stages)) | due

    def pending(self) -> list[int]:
        if not self.stages:
            return []
        query = (InboundMessage.select(InboundMessage.id).where(self._waiting())
                 .order_by(InboundMessage.id))
        return [row.id for row in query]

    def count_pending(self) -> int:
        return InboundMessage.select().where(self._waiting()).count() if self.stages else 0

    def next_retry(self) -> datetime | None:
        """When the earliest transient failure falls due for its next attempt."""
        row = (InboundMessage.select(InboundMessage.next_attempt_at)
               .where((InboundMessage.status == MessageStatus.FAILED)
                      & InboundMessage.next_attempt_at.is_null(False))
               .order_by(InboundMessage.next_attempt_at).first())
        return row.next_attempt_at if row else None

    def process_pending(self, *, should_stop: Callable[[], bool] = lambda: False) -> Tally:
        """Run every waiting message through its stages; stop at a transient failure."""
        tally = Tally()
        for message_id in self.pending():
            if should_stop():
                break
            message, transient = self._process(message_id)
            tally.processed += 1
            tally.outcomes[message.status] += 1
            if transient is not None:
                tally.retrying += 1
                tally.stalled = transient
                break
            tally.stalled = self._after_commit()
            if tally.stalled is not None:
                break
        return tally

    def process(self, message_id: int) -> InboundMessage:
        """Run one message through every stage it can go through, then ``after_commit``
        (whose errors go up to the caller); return the message."""
        message = self._process(message_id)[0]
        if self.after_commit is not None:
            self.after_commit()
        return message

    def _after_commit(self) -> str | None:
        """Run the hook; the reason when a full or read-only disk stopped it.

        The message is applied by then; what the hook does (mailing its
        letters) waits, pending, and the run ends, as for a transient failure
        of a stage. A locked register and a bug go up, as they do from a stage.
        """
        if self.after_commit is None:
            return None
        try:
            self.after_commit()
        except Exception as exc:
            if classify(exc) is not Fault.STORAGE:
                raise
            log.debug("after the commit: %s; tried again in the next pass", explain(exc))
            return explain(exc)
        return None

    def _process(self, message_id: int) -> tuple[InboundMessage, str | None]:
        """The message, and the reason when it failed for a transient one."""
        message = InboundMessage.get_by_id(message_id)
        if message.status == MessageStatus.FAILED and message.retry_from in self.stages:
            # A transient failure come due: resume where it stopped. Saved by
            # the stage's transaction, so a crash here changes nothing.
            message.status, message.error = message.retry_from, None
            message.retry_from = message.next_attempt_at = None
        while message.status in self.stages:
            stage = self.stages[message.status]
            before = message.status
            try:
                with db.atomic():
                    stage(message)
                    message.updated_at = self.clock.now()
                    message.save()
            except Exception as exc:  # the per-message fault boundary
                fault = classify(exc)
                if fault is Fault.REGISTER:
                    raise  # nothing can be written: the daemon waits for the register
                failed = self._failed(message_id, before, exc, fault)
                return failed, explain(exc) if fault.transient else None
            if message.status == before:
                raise RuntimeError(f"stage for {before!r} left message {message.id} unchanged")
        return message, None

    def _failed(self, message_id: int, stage: str, exc: Exception,
                fault: Fault) -> InboundMessage:
        message = InboundMessage.get_by_id(message_id)
        now = self.clock.now()
        message.status = MessageStatus.FAILED
        message.error = f"{stage}: {describe(exc)}"
        message.attempts += 1
        message.updated_at = now
        if fault.transient:
            message.retry_from = stage
            message.next_attempt_at = now + timedelta(seconds=self.retry.delay(message.attempts))
            log.warning("message %d failed in %s: %s; attempt %d, next at %s", message.id, stage,
                        explain(exc), message.attempts, message.next_attempt_at.isoformat(),
                        extra={"row_id": message.id, "fault": fault.value})
        else:
            message.retry_from = message.next_attempt_at = None
            log.warning("message %d failed in %s: %s", message.id, stage, type(exc).__name__,
                        extra={"row_id": message.id, "fault": fault.value})
        message.save()
        return message


def describe(exc: BaseException) -> str:
    """One line a person can read: the error's own words, or its type."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
