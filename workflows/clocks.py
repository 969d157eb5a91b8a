"""Clock rules ("10 school days") and the pure arithmetic of due dates.

A clock started by a message runs from the day the message arrived in the
mailbox, in Europe/London time. "N school days after D" is the Nth school day
strictly after D, due at the start of that day (00:00 London time).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from cme.clock import LONDON, as_london
from workflows.calendar import SchoolCalendar, add_calendar_days

RULE = re.compile(r"^\s*(\d{1,3})\s+(school|calendar)\s+days?\s*$", re.IGNORECASE)


class ClockRuleError(ValueError):
    pass


@dataclass(frozen=True)
class ClockRule:
    days: int
    school_days: bool

    def __str__(self) -> str:
        return f"{self.days} {'school' if self.school_days else 'calendar'} days"


def parse_rule(text: str) -> ClockRule:
    """``"10 school days"`` or ``"14 calendar days"``."""
    found = RULE.match(text)
    if not found:
        raise ClockRuleError(f"{text!r} is not like '10 school days' or '14 calendar days'")
    return ClockRule(int(found.group(1)), found.group(2).lower() == "school")


def local_day(moment: datetime) -> date:
    """The London calendar day a moment falls on (what "arrived on" means)."""
    return as_london(moment).date()


def due_date(start: date, rule: ClockRule, calendar: SchoolCalendar,
             school: str | None = None) -> date:
    """The day a clock started on ``start`` falls due."""
    if rule.school_days:
        return calendar.add_school_days(start, rule.days, school)
    return add_calendar_days(start, rule.days)


def start_of(day: date) -> datetime:
    """00:00 London time on ``day``: when a deadline on that day falls due."""
    return datetime.combine(day, time(0, 0), tzinfo=LONDON)
