"""The daily digest: each officer's overdue work, what falls due, what waits for review.

It is a reminder to the team, recorded as a ``DailyDigest`` row (not a Letter)
at the first pass after ``letters.digest_hour`` each day, one row a day however
often the daemon restarts (the day is unique), and mailed after the commit by
the sender, as every letter is (``workflows/sender.py``), to the team's own
address only: it names children, so it never goes to a school or an agency,
and the log line saying it was recorded carries counts, never names.

Work is listed per officer (the case's Lead Professional, or ``unallocated``):
overdue deadlines oldest first, with the child's name and the school days
overdue (``workflows/overdue.py``); what is due today and in the next seven
days; review items still open, and how long each has waited.
"""

from __future__ import annotations

import logging
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import peewee

from cme.clock import Clock, as_london
from cme.config import Config
from register.models import Case, DailyDigest, Deadline, Event, ReviewItem
from register.states import LetterState
from workflows.calendar import SchoolCalendar
from workflows.clocks import local_day, start_of
from workflows.outbox import long_date
from workflows.overdue import UNALLOCATED, Overdue, as_overdue, officer_of, pending_deadlines

log = logging.getLogger(__name__)

LOOKAHEAD_DAYS = 7
REASON_WIDTH = 100


def digest_message_id(day: date) -> str:
    """``<digest-YYYY-MM-DD.RANDOM@cme>``; random for the reason letters' are."""
    return f"<digest-{day.isoformat()}.{secrets.token_hex(8)}@cme>"


@dataclass
class Workload:
    """One officer's part of the digest."""

    overdue: list[Overdue] = field(default_factory=list)
    today: list[Overdue] = field(default_factory=list)
    soon: list[Overdue] = field(default_factory=list)
    review: list[str] = field(default_factory=list)


@dataclass
class Digest:
    config: Config
    clock: Clock
    calendar: SchoolCalendar

    def tick(self) -> int:
        now = as_london(self.clock.now())
        today = now.date()
        if now.hour < self.config.letters.digest_hour or self.recorded_on(today):
            return 0
        if self.recorded_after(today):
            return 0  # the clock is behind the last pass (watcher/lastpass.py warns)
        work = self.workloads(today)
        try:
            DailyDigest.create(day=today, text=self.render(today, work),
                               state=LetterState.PENDING, message_id=digest_message_id(today),
                               created_at=now)
        except peewee.IntegrityError:
            return 0  # another daemon on the same register recorded today's first
        log.info("daily digest for %s recorded: %d officers, %d overdue, %d due today",
                 today.isoformat(), len(work), sum(len(w.overdue) for w in work.values()),
                 sum(len(w.today) for w in work.values()))
        return 0

    @staticmethod
    def recorded_on(day: date) -> bool:
        return DailyDigest.select().where(DailyDigest.day == day).exists()

    @staticmethod
    def recorded_after(day: date) -> bool:
        return DailyDigest.select().where(DailyDigest.day > day).exists()

    def text(self, today: date) -> str:
        return self.render(today, self.workloads(today))

    def workloads(self, today: date) -> dict[str, Workload]:
        """Each officer's deadlines and review items on ``today``, named officers first."""
        work: dict[str, Workload] = defaultdict(Workload)
        horizon = today + timedelta(days=LOOKAHEAD_DAYS)
        for deadline in pending_deadlines().where(Deadline.due <= horizon):
            item = as_overdue(deadline, today, self.calendar)
            bucket = work[item.officer]
            (bucket.overdue if item.due < today else bucket.today if item.due == today
             else bucket.soon).append(item)
        waiting = (ReviewItem.select(ReviewItem, Case).join(Case, peewee.JOIN.LEFT_OUTER)
                   .where(ReviewItem.resolved_at.is_null()).order_by(ReviewItem.created_at))
        for review in waiting:
            officer = officer_of(review.case) if review.case_id else UNALLOCATED
            work[officer].review.append(_review_line(review, today))
        return dict(sorted(work.items(), key=lambda kv: (kv[0] == UNALLOCATED, kv[0].lower())))

    def render(self, today: date, work: dict[str, Workload]) -> str:
        lines = [f"Daily digest for {long_date(today)}", ""]
        totals = (("Overdue", "overdue"), ("Due today", "today"),
                  (f"Due in the next {LOOKAHEAD_DAYS} days", "soon"),
                  ("Review items waiting", "review"))
        lines += [f"{title}: {sum(len(getattr(w, name)) for w in work.values())}"
                  for title, name in totals]
        lines.append("")
        if not work:
            lines += ["Nothing overdue, nothing due this week, nothing to review.", ""]
        for officer, load in work.items():
            lines += [f"== {officer} ==", ""]
            lines += _section("Overdue, oldest first", [_overdue_line(i) for i in load.overdue])
            lines += _section("Due today", [_due_line(i) for i in load.today])
            lines += _section(f"Due in the next {LOOKAHEAD_DAYS} days",
                              [_due_line(i) for i in load.soon])
            lines += _section("Review items waiting", load.review)
        since = start_of(today - timedelta(days=1))
        reminders = list(Event.select().where((Event.kind == "reminder") & (Event.at >= since))
                         .order_by(Event.at))
        lines += _section("Reminders since yesterday",
                          [f"{e.case.reference if e.case else '-'}: {e.detail['text']}"
                           for e in reminders])
        return "\n".join(lines).rstrip() + "\n"


def _overdue_line(item: Overdue) -> str:
    days = ("school days overdue unknown (no term dates)" if item.school_days is None
            else f"{item.school_days} school day{'s' if item.school_days != 1 else ''} overdue")
    return f"{_due_line(item)}, {days}"


def _due_line(item: Overdue) -> str:
    child = item.child or "child not named"
    return (f"{item.reference}  {child}: {item.purpose.replace('_', ' ')}, due "
            f"{long_date(item.due)}")


def _review_line(review: ReviewItem, today: date) -> str:
    waited = (today - local_day(review.created_at)).days
    reason = " ".join(review.reason.split())
    if len(reason) > REASON_WIDTH:
        reason = reason[:REASON_WIDTH - 1] + "…"
    where = review.case.reference if review.case_id else "no case"
    return (f"item {review.id} ({where}): {reason}; waiting {waited} "
            f"day{'s' if waited != 1 else ''}")


def _section(title: str, items: list[str]) -> list[str]:
    if not items:
        return []
    return [f"{title}: {len(items)}", *(f"  - {item}" for item in items), ""]
