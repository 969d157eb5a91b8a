"""School-day arithmetic: the calendar deadlines are counted in.

Counting convention (DOMAIN.md, "Time and calendars"): "N school days after D"
is the Nth school day strictly after D. D itself is never counted, whether it is
a school day, a weekend or a holiday; ``n == 0`` returns D unchanged and a
negative ``n`` is a ``ValueError``. A school day is a weekday inside a term, not
in a half term, not an England bank holiday, not an LA-wide closure and not an
INSET day or closure of the school asked about. A school without an override
follows the LA's dates.

Outside its terms the calendar knows nothing, so a count that would need a day
before the first or after the last known term raises ``CalendarRangeError``
naming that boundary, instead of guessing or looping forever; ``is_school_day``
refuses such days the same way. The fix is always to add the missing year.

Everything here is pure: a calendar is built once (``load_calendar``) and then
only answers questions about explicit dates; nothing reads the clock.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from types import MappingProxyType

import holidays

from workflows.calendar_ics import ImportedCalendar, import_ics, merge_import
from workflows.calendar_spec import (
    CalendarError,
    CalendarRangeError,
    CalendarSpec,
    DateRange,
    SchoolOverride,
    SchoolYear,
    check_spec,
    school_key,
)
from workflows.calendar_toml import dump_spec, read_spec, write_spec

__all__ = [
    "CalendarError",
    "CalendarRangeError",
    "CalendarSpec",
    "DateRange",
    "ImportedCalendar",
    "SchoolCalendar",
    "SchoolOverride",
    "SchoolYear",
    "add_calendar_days",
    "dump_spec",
    "import_ics",
    "load_calendar",
    "merge_import",
    "read_spec",
    "write_spec",
]

_DAY = timedelta(days=1)


@dataclass(frozen=True)
class _Timeline:
    """The school days of the LA default or of one school, in order."""

    days: tuple[date, ...]
    first: date  # first and last day of the known terms: the edge of knowledge
    last: date
    own_terms_of: str = ""  # the school whose own terms these are, for error hints


# eq=False: calendars compare (and hash) by identity; comparing every school
# day of two calendars is never what a caller means.
@dataclass(frozen=True, eq=False)
class SchoolCalendar:
    """An LA's school days, with per-school overrides. Build with ``from_spec``."""

    name: str
    spec: CalendarSpec = field(repr=False)
    source: Path | None
    _default: _Timeline = field(repr=False)
    _schools: Mapping[str, _Timeline] = field(repr=False)  # by school_key() of ident and name

    @classmethod
    def from_spec(cls, spec: CalendarSpec, *, source: Path | None = None) -> SchoolCalendar:
        """Check ``spec`` and work out every school day it describes."""
        check_spec(spec)
        la_terms = [term for year in spec.years for term in year.terms]
        la_half_terms = [half for year in spec.years for half in year.half_terms]
        la_closures = [day for year in spec.years for day in year.closures]
        every_term = la_terms + [
            term for school in spec.schools.values() for term in school.terms or ()
        ]
        bank = _bank_holidays(every_term)
        schools: dict[str, _Timeline] = {}
        for ident, school in spec.schools.items():
            own = school.inset + school.closures
            if school.terms is None:
                timeline = _timeline(la_terms, la_half_terms, [*la_closures, *own], bank)
            else:
                timeline = _timeline(school.terms, school.half_terms, own, bank, owner=ident)
            for alias in filter(None, (ident, school.name)):
                schools[school_key(alias)] = timeline
        default = _timeline(la_terms, la_half_terms, la_closures, bank)
        return cls(spec.name, spec, source, default, MappingProxyType(schools))

    def is_school_day(self, day: date, school: str | None = None) -> bool:
        """Whether ``school`` (or the LA default) holds sessions on ``day``."""
        timeline = self._timeline(school)
        self._check_known(timeline, _as_date(day), day, school)
        index = bisect_right(timeline.days, day)
        return index > 0 and timeline.days[index - 1] == day

    def add_school_days(self, start: date, n: int, school: str | None = None) -> date:
        """The ``n``-th school day strictly after ``start`` (``start`` if ``n == 0``)."""
        start = _as_date(start)
        if n < 0:
            raise ValueError(f"cannot count {n} school days: n must be 0 or more")
        if n == 0:
            return start
        timeline = self._timeline(school)
        self._check_known(timeline, start + _DAY, start + _DAY, school)
        index = bisect_right(timeline.days, start) + n - 1
        if index >= len(timeline.days):
            raise self._unknown(timeline, "after", school)
        return timeline.days[index]

    def school_days_between(self, a: date, b: date, school: str | None = None) -> int:
        """School days strictly after ``a`` up to and including ``b``.

        Negative when ``b`` is before ``a``, so that
        ``school_days_between(a, b) == -school_days_between(b, a)``.
        """
        a, b = _as_date(a), _as_date(b)
        if b < a:
            return -self.school_days_between(b, a, school)
        if a == b:
            return 0
        timeline = self._timeline(school)
        self._check_known(timeline, a + _DAY, b, school)
        return bisect_right(timeline.days, b) - bisect_right(timeline.days, a)

    @staticmethod
    def add_calendar_days(start: date, n: int) -> date:
        """``start`` plus ``n`` days, nothing skipped (calendar-day clocks)."""
        return add_calendar_days(start, n)

    def known_terms(self, school: str | None = None) -> DateRange:
        """First to last day of the known terms, to warn before a count runs out."""
        timeline = self._timeline(school)
        return DateRange(timeline.first, timeline.last)

    def _timeline(self, school: str | None) -> _Timeline:
        if school is None:
            return self._default
        return self._schools.get(school_key(school), self._default)

    def _check_known(
        self, timeline: _Timeline, first: date, last: date, school: str | None
    ) -> None:
        if first < timeline.first:
            raise self._unknown(timeline, "before", school)
        if last > timeline.last:
            raise self._unknown(timeline, "after", school)

    def _unknown(self, timeline: _Timeline, side: str, school: str | None) -> CalendarRangeError:
        whose = f"the {self.name} calendar" + (f" (school {school})" if school else "")
        boundary, year = (
            (timeline.first, "earlier") if side == "before" else (timeline.last, "next")
        )
        where = self.source or "the calendar file"
        fix = (
            f'add the school\'s {year} terms to [schools."{timeline.own_terms_of}"] in {where}'
            if timeline.own_terms_of
            else f"add the {year} school year to {where}"
        )
        return CalendarRangeError(
            f"{whose} has no term dates {side} {boundary}: {fix}",
            boundary=boundary,
            side=side,
        )


def add_calendar_days(start: date, n: int) -> date:
    """``start`` plus ``n`` days, nothing skipped (calendar-day clocks)."""
    return _as_date(start) + timedelta(days=n)


def load_calendar(path: Path) -> SchoolCalendar:
    """The calendar in ``path`` (see ``workflows.calendar_toml`` for the format).

    Every problem with the file is a ``CalendarError`` naming the file and key.
    """
    return SchoolCalendar.from_spec(read_spec(path), source=path)


def _timeline(
    terms: Iterable[DateRange],
    half_terms: Iterable[DateRange],
    closures: Iterable[DateRange],
    bank: frozenset[date],
    *,
    owner: str = "",
) -> _Timeline:
    terms = sorted(terms)
    closed = {day for days in (*half_terms, *closures) for day in days.days()} | bank
    days = tuple(
        day for term in terms for day in term.days() if day.weekday() < 5 and day not in closed
    )
    return _Timeline(days, terms[0].start, terms[-1].end, owner)


def _bank_holidays(terms: list[DateRange]) -> frozenset[date]:
    years = range(min(t.start.year for t in terms), max(t.end.year for t in terms) + 1)
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=years))


def _as_date(day: date) -> date:
    # A datetime would compare wrongly with dates, and which local day an
    # instant falls on is the caller's decision (DOMAIN.md: the day the message
    # arrived in the mailbox), so it is refused rather than truncated here.
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(f"expected a datetime.date, got {day!r}")
    return day
