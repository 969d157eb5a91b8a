"""The editable description of a school calendar, before any arithmetic.

A ``CalendarSpec`` is what an administrator writes in ``calendars/*.toml`` and
what an iCalendar import produces: the LA's school years (terms, half terms,
LA-wide closures) and per-school overrides. It is plain frozen data, checked by
``check_spec`` so that a typo (a half term outside every term, a missing school
year) is reported when the file is loaded rather than as a wrong deadline.
``workflows.calendar.SchoolCalendar`` turns a spec into school days.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path
from types import MappingProxyType

# The English summer holiday is about six weeks; a longer gap between two terms
# almost always means a school year was not entered, and counting across it
# would silently produce a deadline months late.
MAX_GAP_BETWEEN_TERMS = timedelta(days=70)

_LAESTAB = re.compile(r"^(\d{3})[\s/-]?(\d{4})$")


class CalendarError(Exception):
    """A calendar cannot be read or cannot answer.

    ``source`` is the file (when there is one) and ``key`` the offending key,
    in dotted TOML style such as ``year."2025-26".terms[1]``.
    """

    def __init__(
        self, message: str, *, source: Path | str | None = None, key: str | None = None
    ) -> None:
        where = ": ".join(str(part) for part in (source, key) if part)
        super().__init__(f"{where}: {message}" if where else message)
        self.message = message
        self.source = source
        self.key = key

    def in_file(self, source: Path | str) -> CalendarError:
        """The same error, naming the file it came from."""
        return CalendarError(self.message, source=source, key=self.key)


class CalendarRangeError(CalendarError):
    """A count needs days the calendar has no term dates for.

    ``boundary`` is the first (``side="before"``) or last (``side="after"``)
    day of the known terms; the fix is to add the missing school year.
    """

    def __init__(self, message: str, *, boundary: date, side: str) -> None:
        super().__init__(message)
        self.boundary = boundary
        self.side = side


@dataclass(frozen=True, order=True)
class DateRange:
    """Days ``start`` to ``end``, both included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise CalendarError(f"range ends ({self.end}) before it starts ({self.start})")

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def days(self) -> Iterator[date]:
        day = self.start
        while day <= self.end:
            yield day
            day += timedelta(days=1)


@dataclass(frozen=True)
class SchoolYear:
    """One LA school year. Half terms are subtracted from the terms."""

    label: str
    terms: tuple[DateRange, ...]
    half_terms: tuple[DateRange, ...] = ()
    closures: tuple[DateRange, ...] = ()  # LA-wide INSET days and closures
    source: str = ""  # where the dates were copied from, for the next reviewer


@dataclass(frozen=True)
class SchoolOverride:
    """How one school differs from the LA.

    ``terms``, when given, replace the LA's terms for every year, and then the
    school takes nothing from the LA but bank holidays (an academy sets its own
    dates, INSET days included).
    """

    name: str = ""
    inset: tuple[DateRange, ...] = ()
    closures: tuple[DateRange, ...] = ()
    terms: tuple[DateRange, ...] | None = None
    half_terms: tuple[DateRange, ...] = ()


@dataclass(frozen=True)
class CalendarSpec:
    name: str
    years: tuple[SchoolYear, ...]
    schools: Mapping[str, SchoolOverride] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A read-only view keeps the spec immutable however it was built.
        object.__setattr__(self, "schools", MappingProxyType(dict(self.schools)))


def school_key(identifier: str) -> str:
    """The lookup form of a school identifier.

    LAESTAB numbers are often written ``931/2001``; names differ in case and
    spacing between a form and the calendar file.
    """
    text = " ".join(identifier.split())
    match = _LAESTAB.match(text)
    return match.group(1) + match.group(2) if match else text.casefold()


def school_year_label(day: date) -> str:
    """``2025-26`` for any day from August 2025 to July 2026."""
    first = day.year if day.month >= 8 else day.year - 1
    return f"{first}-{(first + 1) % 100:02d}"


def check_terms(terms: Iterable[DateRange], half_terms: Iterable[DateRange], key: str) -> None:
    """Terms in order without overlaps or missing years; half terms inside terms.

    ``key`` is the prefix of the keys named in errors, e.g. ``year."2025-26".``.
    """
    ordered = sorted(terms)
    if not ordered:
        raise CalendarError("no terms given", key=f"{key}terms")
    _check_order(ordered, f"{key}terms")
    for half in half_terms:
        if not any(half.start in term and half.end in term for term in ordered):
            raise CalendarError(
                f"half term {half.start}..{half.end} is not inside a term",
                key=f"{key}half_terms",
            )


def _check_order(ordered: list[DateRange], key: str) -> None:
    for before, after in pairwise(ordered):
        if after.start <= before.end:
            raise CalendarError(
                f"term {after.start}..{after.end} overlaps {before.start}..{before.end}", key=key
            )
        if after.start - before.end > MAX_GAP_BETWEEN_TERMS:
            raise CalendarError(
                f"no term between {before.end} and {after.start}: is a school year missing?",
                key=key,
            )


def check_spec(spec: CalendarSpec) -> None:
    """Raise ``CalendarError`` naming the key of the first inconsistency."""
    if not spec.years:
        raise CalendarError("no school years given", key="year")
    labels: set[str] = set()
    for year in spec.years:
        if year.label in labels:
            raise CalendarError(f"school year {year.label} is given twice", key="year")
        labels.add(year.label)
        check_terms(year.terms, year.half_terms, f'year."{year.label}".')
    # Years are checked one by one above for precise keys; this catches a
    # year missing between two others or two years overlapping.
    _check_order(sorted(term for year in spec.years for term in year.terms), "year")
    seen: dict[str, str] = {}
    for identifier, school in spec.schools.items():
        key = f'schools."{identifier}"'
        if school.terms is not None:
            check_terms(school.terms, school.half_terms, f"{key}.")
        elif school.half_terms:
            raise CalendarError("half terms need the school's own terms", key=f"{key}.half_terms")
        for alias in filter(None, (identifier, school.name)):
            other = seen.setdefault(school_key(alias), identifier)
            if other != identifier:
                raise CalendarError(f"{alias!r} also names school {other!r}", key=key)
