"""Overdue work: what fell due and is not done, and for how many school days.

A deadline is overdue from its due day until the news it waits for meets it,
or a person ends it (closing the case): firing it (the chase letter, the
reminder) does not. So an overdue deadline is one that is ``fired``, or still
``open`` past its due moment (the daemon has not swept it yet). Days overdue are
school days counted in the school calendar of the case's school: school days
strictly after the due day, up to and including today (0 on the due day).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import peewee

from register.models import Case, Child, Contact, Deadline
from workflows.calendar_spec import CalendarRangeError
from workflows.deadlines import FIRED, OPEN

if TYPE_CHECKING:  # the calendar loads holidays: a read command loads it only to count
    from workflows.calendar import SchoolCalendar

UNALLOCATED = "unallocated"


@dataclass(frozen=True)
class Overdue:
    """One overdue deadline, as a list shows it (the child's name is for the team only)."""

    deadline_id: int
    reference: str
    purpose: str
    due: date
    state: str
    child: str
    officer: str
    school_days: int | None  # None: the calendar has no terms for these days

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.deadline_id, "case": self.reference, "purpose": self.purpose,
                "due": self.due.isoformat(), "state": self.state, "child": self.child,
                "officer": self.officer, "school_days_overdue": self.school_days}

    @property
    def days_text(self) -> str:
        return "?" if self.school_days is None else str(self.school_days)


def school_of(case: Case) -> str | None:
    """The school whose calendar a case's clocks count in (as the workflow started them)."""
    details = case.details or {}
    return details.get("school_laestab") or details.get("school_name")


def officer_of(case: Case) -> str:
    """Who has the case: its Lead Professional's name, or ``unallocated``."""
    person = case.lead_professional
    if person is None:
        return UNALLOCATED
    return person.name or person.organisation or person.email or UNALLOCATED


def child_name(case: Case) -> str:
    child = case.child
    return f"{child.forenames} {child.surname}".strip() if child is not None else ""


def pending_deadlines() -> peewee.ModelSelect:
    """Open and fired deadlines of open cases, oldest first, with case, child and officer."""
    return (Deadline.select(Deadline, Case, Child, Contact)
            .join(Case).join(Child, peewee.JOIN.LEFT_OUTER).switch(Case)
            .join(Contact, peewee.JOIN.LEFT_OUTER, on=(Case.lead_professional == Contact.id))
            .where((Case.status == "open") & Deadline.state.in_([OPEN, FIRED]))
            .order_by(Deadline.due, Deadline.id))


def overdue_deadlines(now: datetime) -> peewee.ModelSelect:
    """Deadlines overdue at ``now``: fired and not met, or open and past their due moment."""
    return pending_deadlines().where((Deadline.state == FIRED) | (Deadline.due_at <= now))


def school_days_overdue(due: date, today: date, calendar: SchoolCalendar,
                        school: str | None = None) -> int | None:
    """School days after ``due`` up to ``today`` (never negative); None past the calendar."""
    if today <= due:
        return 0
    try:
        return calendar.school_days_between(due, today, school)
    except CalendarRangeError:
        return None


def overdue(now: datetime, today: date, calendar: SchoolCalendar) -> list[Overdue]:
    """Every overdue deadline at ``now`` (``today`` its London day), oldest first."""
    return [as_overdue(d, today, calendar) for d in overdue_deadlines(now)]


def as_overdue(deadline: Deadline, today: date, calendar: SchoolCalendar) -> Overdue:
    """``deadline`` (from ``pending_deadlines``) as a list shows it on ``today``."""
    case = deadline.case
    return Overdue(deadline.id, case.reference, deadline.purpose, deadline.due, deadline.state,
                   child_name(case), officer_of(case),
                   school_days_overdue(deadline.due, today, calendar, school_of(case)))
