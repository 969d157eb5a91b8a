"""The Deadline table is the truth; firing is claiming a row, exactly once.

A due deadline is claimed by moving it from ``open`` to ``fired`` with a
conditional UPDATE in the same transaction as what firing does (the letter, the
reminder). A crash before the commit leaves it open, so it fires on the next
sweep; a second daemon, or a repeated wake-up, finds nothing left to claim.
On PostgreSQL the candidates are read ``FOR UPDATE SKIP LOCKED`` so several
daemons share the work without waiting on each other.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime

import peewee

from register.models import Case, Deadline, InboundMessage
from watcher.faults import classify
from workflows.clocks import start_of

log = logging.getLogger(__name__)

OPEN, FIRED, MET, CANCELLED = "open", "fired", "met", "cancelled"


def set_deadline(case: Case, purpose: str, due: date, at: datetime, *,
                 message: InboundMessage | None = None) -> Deadline:
    """One open deadline per case and purpose: setting it again keeps the first."""
    existing = Deadline.get_or_none((Deadline.case == case) & (Deadline.purpose == purpose)
                                    & (Deadline.state == OPEN))
    if existing is not None:
        return existing
    return Deadline.create(case=case, purpose=purpose, due=due, due_at=start_of(due),
                           state=OPEN, created_at=at, message=message)


# Waiting for news: not yet due, or fired (chased, reminded) and still overdue.
# Only the news it waits for (``meet``) or a person (closing the case, or
# ``done_by_hand``: ``cme deadlines done ID --note``) ends one.
PENDING = (OPEN, FIRED)


def meet(case: Case, purposes: tuple[str, ...], at: datetime) -> list[Deadline]:
    """The awaited news arrived: these clocks stop, as met, whether or not they fired."""
    met = list(Deadline.select().where((Deadline.case == case)
                                       & Deadline.state.in_(list(PENDING))
                                       & Deadline.purpose.in_(list(purposes))))
    for deadline in met:
        deadline.state, deadline.closed_at = MET, at
        deadline.save()
    return met


class NotPending(Exception):
    """The deadline is no longer waiting (met, cancelled) or its case is closed."""


def done_by_hand(deadline: Deadline, at: datetime, *, actor: str, note: str) -> Deadline:
    """A person says what the deadline waited for was done (a reminder acted on, news
    that came another way): it stops, as met, with an event saying who and why."""
    from workflows.cases import event

    if deadline.state not in PENDING:
        raise NotPending(f"deadline {deadline.id} is already {deadline.state}")
    if deadline.case.status == "closed":
        raise NotPending(f"{deadline.case.reference} is closed; its deadlines ended with it")
    deadline.state, deadline.closed_at = MET, at
    deadline.save()
    event(deadline.case, "deadline_done", at, actor=actor,
          detail={"deadline": deadline.id, "purpose": deadline.purpose,
                  "due": deadline.due.isoformat(), "note": note})
    log.info("%s: deadline %s (%s) done by hand", deadline.case.reference, deadline.id,
             deadline.purpose)
    return deadline


def next_due() -> datetime | None:
    """When the earliest open deadline falls due (index on state, due_at)."""
    row = (Deadline.select(Deadline.due_at).where(Deadline.state == OPEN)
           .order_by(Deadline.due_at).first())
    return row.due_at if row else None


def fire_due(now: datetime, on_due: Callable[[Deadline, datetime], None], *,
             limit: int = 500) -> int:
    """Fire every deadline due at ``now``, late ones included, each exactly once."""
    fired = 0
    failed: set[int] = set()
    while True:
        batch = [i for i in _due_ids(now, limit + len(failed)) if i not in failed][:limit]
        if not batch:
            return fired
        for deadline_id in batch:
            try:
                fired += _fire_one(deadline_id, now, on_due)
            except Exception as exc:  # one deadline fails alone; it stays open for the next sweep
                if classify(exc).transient:
                    raise  # a locked register or a full outbox: the daemon waits for it
                failed.add(deadline_id)
                log.error("deadline %d could not fire: %s: %s", deadline_id,
                          type(exc).__name__, exc)
        if len(batch) < limit:
            return fired


def _due_ids(now: datetime, limit: int) -> list[int]:
    query = (Deadline.select(Deadline.id)
             .where((Deadline.state == OPEN) & (Deadline.due_at <= now))
             .order_by(Deadline.due_at, Deadline.id).limit(limit))
    return [row.id for row in query]


def _fire_one(deadline_id: int, now: datetime,
              on_due: Callable[[Deadline, datetime], None]) -> int:
    database = Deadline._meta.database  # the register, however the model is bound
    with database.atomic():
        query = Deadline.select().where((Deadline.id == deadline_id) & (Deadline.state == OPEN))
        if isinstance(getattr(database, "obj", database), peewee.PostgresqlDatabase):
            query = query.for_update("FOR UPDATE SKIP LOCKED")
        deadline = query.first()
        if deadline is None:
            return 0  # claimed by another daemon, or met meanwhile
        claimed = (Deadline.update(state=FIRED, closed_at=now)
                   .where((Deadline.id == deadline_id) & (Deadline.state == OPEN)).execute())
        if claimed != 1:
            return 0
        deadline.state, deadline.closed_at = FIRED, now
        on_due(deadline, now)
    log.info("deadline %d fired (%s, case %s, due %s)", deadline.id, deadline.purpose,
             deadline.case.reference, deadline.due)
    return 1
