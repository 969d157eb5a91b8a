"""The daily digest: what is due and overdue, mailed to the team once a day.

It is a reminder to the team, recorded as a ``DailyDigest`` row (not a Letter)
at the first pass after ``letters.digest_hour`` each day, one row a day however
often the daemon restarts (the day is unique), and mailed after the commit by
the sender, as every letter is (``workflows/sender.py``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

import peewee

from cme.clock import Clock, as_london
from cme.config import Config
from register.models import DailyDigest, Deadline, Event
from register.states import LetterState
from workflows.clocks import start_of
from workflows.outbox import long_date

LOOKAHEAD_DAYS = 7


def digest_message_id(day: date) -> str:
    """``<digest-YYYY-MM-DD.RANDOM@cme>``; random for the reason letters' are."""
    return f"<digest-{day.isoformat()}.{secrets.token_hex(8)}@cme>"


@dataclass
class Digest:
    config: Config
    clock: Clock

    def tick(self) -> int:
        now = as_london(self.clock.now())
        today = now.date()
        if now.hour < self.config.letters.digest_hour or self.recorded_on(today):
            return 0
        try:
            DailyDigest.create(day=today, text=self.text(today), state=LetterState.PENDING,
                               message_id=digest_message_id(today), created_at=now)
        except peewee.IntegrityError:
            pass  # another daemon on the same register recorded today's first
        return 0

    @staticmethod
    def recorded_on(day: date) -> bool:
        return DailyDigest.select().where(DailyDigest.day == day).exists()

    def text(self, today: date) -> str:
        # due_at, not due: (state, due_at) is the index the sweep uses too
        tomorrow = start_of(today + timedelta(days=1))
        overdue = list(Deadline.select().where((Deadline.state == "open")
                                               & (Deadline.due_at < tomorrow))
                       .order_by(Deadline.due_at))
        horizon = start_of(today + timedelta(days=LOOKAHEAD_DAYS + 1))
        soon = list(Deadline.select().where((Deadline.state == "open")
                                            & (Deadline.due_at >= tomorrow)
                                            & (Deadline.due_at < horizon))
                    .order_by(Deadline.due_at))
        since = start_of(today - timedelta(days=1))
        reminders = list(Event.select().where((Event.kind == "reminder") & (Event.at >= since))
                         .order_by(Event.at))
        lines = [f"Daily digest for {long_date(today)}", ""]
        lines += _section("Due today or overdue", [_line(d) for d in overdue])
        lines += _section(f"Due in the next {LOOKAHEAD_DAYS} days", [_line(d) for d in soon])
        lines += _section("Reminders since yesterday",
                          [f"{e.case.reference if e.case else '-'}: {e.detail['text']}"
                           for e in reminders])
        return "\n".join(lines)


def _line(deadline: Deadline) -> str:
    return (f"{deadline.case.reference}: {deadline.purpose.replace('_', ' ')}, due "
            f"{long_date(deadline.due)}")


def _section(title: str, items: list[str]) -> list[str]:
    return [f"{title}: {len(items)}", *(f"  - {item}" for item in items), ""]


