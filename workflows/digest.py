"""The daily digest: what is due and overdue, mailed to the team once a day.

It is a reminder to the team, recorded as an event (not a Letter). It goes out
at the first pass after ``letters.digest_hour`` each day, and never twice in a
day, however often the daemon restarts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from cme.clock import Clock, as_london
from cme.config import Config
from register.models import Deadline, Event
from watcher.mailbox import MailboxError, OutboundMail
from workflows.clocks import start_of
from workflows.outbox import Outbox, long_date

LOOKAHEAD_DAYS = 7


@dataclass
class Digest:
    config: Config
    outbox: Outbox
    clock: Clock

    def tick(self) -> int:
        now = as_london(self.clock.now())
        today = now.date()
        if now.hour < self.config.letters.digest_hour or self.sent_on(today):
            return 0
        body = self.text(today)
        Event.create(case=None, kind="digest", at=now, detail={"date": today.isoformat(),
                                                                "text": body})
        if self.outbox.send_mail is not None:
            try:
                self.outbox.send_mail(OutboundMail(
                    (self.config.team.email,), f"CME daily digest {long_date(today)}", body,
                    sender=self.config.team.email))
            except MailboxError:
                pass  # the digest is on the register; tomorrow's goes out as usual
        return 0

    @staticmethod
    def sent_on(day: date) -> bool:
        return Event.select().where((Event.kind == "digest") & (Event.case.is_null())
                                    & (Event.at >= start_of(day))
                                    & (Event.at < start_of(day + timedelta(days=1)))).exists()

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


