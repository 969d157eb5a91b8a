"""A chase letter's "reply by" date: a new date, counted from the letter's own date.

A deadline that falls due writes its letter (the ESW chase, the escalation,
the file and previous-school chases). The day it fell due is already past, or
today, so it cannot be the date the letter asks a reply by: that is
``clocks.chase_reply`` (default 5 school days) after the letter's date, in the
calendar of the case's school. The letter's ``deadline.due`` says it.

A reply that is missed again does not start another clock: the deadline stays
overdue (``workflows/overdue.py``) and the escalation rules of
``workflows/rules.py`` go on as they are (the ESW escalation after 20 school
days from the notification).
"""

from __future__ import annotations

import logging
from datetime import date

from register.models import Letter
from workflows.calendar import SchoolCalendar
from workflows.calendar_spec import CalendarRangeError
from workflows.clocks import ClockRule, due_date
from workflows.outbox import long_date

log = logging.getLogger(__name__)


def reply_by(letter_day: date, rule: ClockRule, calendar: SchoolCalendar,
             school: str | None = None) -> date | None:
    """The day a letter dated ``letter_day`` asks a reply by; None past the calendar."""
    try:
        return due_date(letter_day, rule, calendar, school)
    except CalendarRangeError as exc:
        log.warning("no reply-by date: %s", exc)
        return None


def ask_reply_by(letter: Letter, day: date | None) -> None:
    """Put the reply-by ``day`` in ``letter``'s context (None: "as soon as possible")."""
    context = dict(letter.context or {})
    context["deadline"] = {**context.get("deadline", {}), "due": long_date(day)}
    letter.context = context
    letter.save(only=[Letter.context])
