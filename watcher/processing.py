"""Moving ledger rows through their stages, one message at a time.

A stage consumes messages in one status and leaves them in the next
(``received -> parsed -> applied``). Stages are registered by the status they
consume, so the same code drives the daemon, ``cme intake retry`` and the tests.
A stage that raises marks its message ``failed`` with the error; the others go on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from cme.clock import Clock
from register.db import db
from register.models import InboundMessage, MessageStatus

log = logging.getLogger(__name__)

# A stage updates the message in place (status, results) inside a transaction.
Stage = Callable[[InboundMessage], None]


class Processor:
    def __init__(self, stages: Mapping[str, Stage], clock: Clock) -> None:
        self.stages = dict(stages)
        self.clock = clock

    def pending(self) -> list[int]:
        if not self.stages:
            return []
        query = (
            InboundMessage.select(InboundMessage.id)
            .where(InboundMessage.status.in_(list(self.stages)))
            .order_by(InboundMessage.id)
        )
        return [row.id for row in query]

    def process_pending(self, *, should_stop: Callable[[], bool] = lambda: False) -> int:
        """Run every waiting message through its stages; return how many moved."""
        done = 0
        for message_id in self.pending():
            if should_stop():
                break
            self.process(message_id)
            done += 1
        return done

    def process(self, message_id: int) -> InboundMessage:
        message = InboundMessage.get_by_id(message_id)
        while message.status in self.stages:
            stage = self.stages[message.status]
            before = message.status
            try:
                with db.atomic():
                    stage(message)
                    message.updated_at = self.clock.now()
                    message.save()
            except Exception as exc:  # the per-message fault boundary
                log.warning("message %d failed in %s: %s", message.id, before, type(exc).__name__)
                message = InboundMessage.get_by_id(message_id)
                message.status = MessageStatus.FAILED
                message.error = f"{before}: {describe(exc)}"
                message.attempts += 1
                message.updated_at = self.clock.now()
                message.save()
                break
            if message.status == before:
                raise RuntimeError(f"stage for {before!r} left message {message.id} unchanged")
        return message


def describe(exc: BaseException) -> str:
    """One line a person can read: the error's own words, or its type."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
