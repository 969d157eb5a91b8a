"""A mailbox backend's memory in the register: small opaque tokens by name.

The EWS backend keeps its sync state here and the Graph backend its delta
link, so that a restart goes on from where the last run had filed everything.
"""

from __future__ import annotations

from cme.clock import Clock, SystemClock
from register.models import MailboxState as Row


class MailboxState:
    def __init__(self, mailbox: str, clock: Clock | None = None) -> None:
        self.mailbox = mailbox
        self.clock = clock or SystemClock()

    def get(self, key: str) -> str | None:
        row = Row.get_or_none((Row.mailbox == self.mailbox) & (Row.key == key))
        return row.value if row is not None else None

    def put(self, key: str, value: str) -> None:
        now = self.clock.now()
        (Row.insert(mailbox=self.mailbox, key=key, value=value, updated_at=now)
         .on_conflict(conflict_target=[Row.mailbox, Row.key],
                      update={Row.value: value, Row.updated_at: now})
         .execute())

    def forget(self, key: str) -> None:
        Row.delete().where((Row.mailbox == self.mailbox) & (Row.key == key)).execute()
