"""Importing term dates and INSET days from an iCalendar (.ics) feed.

LAs and schools publish their dates as calendars meant for people, so events
are recognised by their SUMMARY (case-insensitive), by the first rule that
matches:

1. "bank holiday": ignored; bank holidays come from the ``holidays`` package.
2. "half term" / "half-term": a half term (all the event's days), see 6.
3. "INSET", "training day", "staff development", "professional development",
   "non-pupil", "teacher day", "closure", "closed": INSET days / closures.
4. "term" with "starts"/"begins"/"opens"/"commences" ("Term 1 starts", "Start
   of spring term"): a term starts on the event's first day; with
   "ends"/"finishes"/"closes" ("Term 1 ends", "Last day of term"): a term ends
   on the event's last day. Each start is paired with the nearest end after
   it, unless another term begins in between.
5. "term" on an event spanning several days ("Autumn term"): the whole term.
6. "holiday", "break", "vacation" ("Christmas holiday"): a holiday. A half
   term or holiday inside a term is subtracted from it; one between terms adds
   nothing (six-term calendars end "Term 1" before the October half term) and
   is dropped; one across the edge of a term is reported. When the feed has no
   terms at all, half terms are kept and holidays reported.

An all-day event's DTEND is exclusive (RFC 5545), so a "Half term" from
2026-02-16 with DTEND 2026-02-21 covers 16-20 February; a timed event covers
the days it touches. Recurring events, unpaired term starts or ends and
anything else not recognised are listed in ``ImportedCalendar.skipped`` for the
administrator instead of being guessed at. Days are grouped into school years
(August to July).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from workflows.calendar_spec import (
    CalendarError,
    CalendarSpec,
    DateRange,
    SchoolOverride,
    SchoolYear,
    check_spec,
    school_year_label,
)

if TYPE_CHECKING:
    import icalendar

# Order matters: the first matching rule wins (see the module docstring).
_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        ("bank_holiday", r"\bbank\s+holiday"),
        ("half_term", r"\bhalf[\s-]*term"),
        (
            "closure",
            r"\binset\b|\btraining\s+day|\b(staff|professional)\s+development"
            r"|\bnon[\s-]*pupil|\bteacher\s+day|\bclosure\b|\bclosed\b",
        ),
        (
            "term_start",
            r"\bterm\b.*\b(starts?|begins?|opens?|commences?)\b"
            r"|\b(start|beginning|first\s+day)\s+of\s+(the\s+)?(\w+\s+)?term\b",
        ),
        (
            "term_end",
            r"\bterm\b.*\b(ends?|finish(es)?|closes)\b"
            r"|\b(end|last\s+day)\s+of\s+(the\s+)?(\w+\s+)?term\b",
        ),
        ("term", r"\bterm\b"),
        ("holiday", r"\bholidays?\b|\bbreak\b|\bvacation\b"),
    )
)

# Where events of these kinds are collected, as attributes of ``_Found``.
_LISTS = {"half_term": "half_terms", "closure": "closures", "holiday": "holidays"}


@dataclass(frozen=True)
class ImportedCalendar:
    """What a feed said, by school year; a year's ``terms`` may be empty."""

    years: tuple[SchoolYear, ...]
    skipped: tuple[str, ...]  # events not imported, each with the reason


@dataclass
class _Found:
    """Events sorted by kind while reading a feed."""

    terms: list[DateRange] = field(default_factory=list)
    half_terms: list[DateRange] = field(default_factory=list)
    closures: list[DateRange] = field(default_factory=list)
    holidays: list[DateRange] = field(default_factory=list)
    starts: list[tuple[date, str]] = field(default_factory=list)  # (day, event label)
    ends: list[tuple[date, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def classify(summary: str) -> str | None:
    """The rule an event SUMMARY matches, or ``None``."""
    return next((kind for kind, rule in _RULES if rule.search(summary)), None)


def import_ics(source: Path | bytes, *, note: str = "") -> ImportedCalendar:
    """Read a feed (a file or its bytes) by the rules above.

    ``note`` is stored as each year's ``source`` so a reviewer knows where the
    dates came from; it defaults to the file name.
    """
    import icalendar  # here, not above: counting school days must not load it (cme cases)

    name = str(source) if isinstance(source, Path) else "the iCalendar data"
    try:
        data = source.read_bytes() if isinstance(source, Path) else source
        feed = icalendar.Calendar.from_ical(data)
    except OSError as error:
        raise CalendarError(f"cannot read the file: {error.strerror}", source=name) from error
    except ValueError as error:
        raise CalendarError(f"not an iCalendar file: {error}", source=name) from error
    found = _Found()
    for event in feed.walk("VEVENT"):
        _sort_event(event, found)
    found.terms += _pair_terms(found)
    _place_holidays(found)
    default_note = f"imported from {source.name}" if isinstance(source, Path) else "imported"
    return ImportedCalendar(_by_year(found, note or default_note), tuple(found.skipped))


def _sort_event(event: icalendar.Event, found: _Found) -> None:
    summary = " ".join(str(event.get("SUMMARY", "")).split())
    try:
        days = _event_days(event)
    except (ValueError, KeyError, TypeError) as error:
        found.skipped.append(f"{summary!r}: no usable dates ({error})")
        return
    label = f"{summary!r} on {days.start}"
    kind = classify(summary)
    if "RRULE" in event:
        found.skipped.append(f"{label}: recurring events are not expanded")
    elif kind in _LISTS:
        getattr(found, _LISTS[kind]).append(days)
    elif kind == "term_start":
        found.starts.append((days.start, label))
    elif kind == "term_end":
        found.ends.append((days.end, label))
    elif kind == "term" and days.end > days.start:
        found.terms.append(days)
    elif kind == "term":
        found.skipped.append(f"{label}: a one-day term event that neither starts nor ends a term")
    elif kind is None:
        found.skipped.append(f"{label}: not recognised")


def _event_days(event: icalendar.Event) -> DateRange:
    start, end = event.start, event.end
    if isinstance(start, datetime):
        # A timed event touches the days up to the instant before it ends.
        last = end - timedelta(microseconds=1) if end > start else start
        return DateRange(start.date(), last.date())
    # All-day: DTEND is the first day after the event.
    return DateRange(start, max(start, end - timedelta(days=1)))


def _pair_terms(found: _Found) -> list[DateRange]:
    """Pair each term start with the nearest end, unless another term begins first."""
    ends = sorted(found.ends)
    # A whole-term event also begins a term, so an end after it is not this start's.
    beginnings = sorted([start for start, _ in found.starts] + [t.start for t in found.terms])
    terms: list[DateRange] = []
    used: set[int] = set()
    for start, label in sorted(found.starts):
        limit = next((day for day in beginnings if day > start), date.max)
        match = next((i for i, (end, _) in enumerate(ends) if start <= end < limit), None)
        if match is None:
            found.skipped.append(f"{label}: no term end after it")
        else:
            terms.append(DateRange(start, ends[match][0]))
            used.add(match)
    found.skipped += [
        f"{label}: no term start before it" for i, (_, label) in enumerate(ends) if i not in used
    ]
    return terms


def _place_holidays(found: _Found) -> None:
    """Keep the half terms and holidays that fall inside the feed's terms.

    Six-term calendars put half terms between "Term 1" and "Term 2", where the
    terms already stop; only a break inside a term removes school days.
    """
    if not found.terms:
        # Nothing to place them against: half terms are kept for the LA year
        # they will be merged into, holidays cannot be told from half terms.
        found.skipped += [
            f"holiday {h.start}..{h.end}: no terms in the feed" for h in found.holidays
        ]
        return
    breaks, found.half_terms = [*found.half_terms, *found.holidays], []
    for days in breaks:
        if any(days.start in term and days.end in term for term in found.terms):
            found.half_terms.append(days)
        elif any(days.start <= term.end and term.start <= days.end for term in found.terms):
            found.skipped.append(f"holiday {days.start}..{days.end}: overlaps the edge of a term")


def _by_year(found: _Found, note: str) -> tuple[SchoolYear, ...]:
    groups: dict[str, dict[str, list[DateRange]]] = defaultdict(lambda: defaultdict(list))
    for kind in ("terms", "half_terms", "closures"):
        for days in getattr(found, kind):
            groups[school_year_label(days.start)][kind].append(days)
    return tuple(
        SchoolYear(
            label=label,
            terms=tuple(sorted(set(group["terms"]))),
            half_terms=tuple(sorted(set(group["half_terms"]))),
            closures=tuple(sorted(set(group["closures"]))),
            source=note,
        )
        for label, group in sorted(groups.items())
    )


def merge_import(
    spec: CalendarSpec,
    imported: ImportedCalendar,
    *,
    school: str | None = None,
    own_terms: bool = False,
) -> CalendarSpec:
    """``spec`` with the imported dates added, checked; the input is not changed.

    For the LA (``school=None``) an imported year that has terms replaces that
    year's terms and half terms; its closures are added to the year's. A year
    not yet in ``spec`` is added, which needs its terms. For a school, the
    imported INSET days and closures are added to its ``inset``; the feed's
    terms and half terms become the school's own only with ``own_terms=True``
    (academies setting their own dates), otherwise the LA's still apply.
    """
    if school is None:
        years = {year.label: year for year in spec.years}
        for year in imported.years:
            years[year.label] = _merge_year(years.get(year.label), year)
        ordered = sorted(years.values(), key=lambda year: min(year.terms))
        merged = replace(spec, years=tuple(ordered))
    else:
        existing = spec.schools.get(school, SchoolOverride())
        override = _merge_school(existing, imported, own_terms=own_terms)
        merged = replace(spec, schools={**spec.schools, school: override})
    check_spec(merged)
    return merged


def _merge_year(existing: SchoolYear | None, new: SchoolYear) -> SchoolYear:
    if existing is None:
        if not new.terms:
            raise CalendarError(
                f"the feed has days in {new.label} but no term dates: add that year's terms first",
                key=f'year."{new.label}"',
            )
        return new
    closures = tuple(sorted({*existing.closures, *new.closures}))
    if not new.terms:
        half_terms = tuple(sorted({*existing.half_terms, *new.half_terms}))
        return replace(existing, half_terms=half_terms, closures=closures)
    return replace(new, closures=closures)


def _merge_school(
    existing: SchoolOverride, imported: ImportedCalendar, *, own_terms: bool
) -> SchoolOverride:
    closures = [days for year in imported.years for days in year.closures]
    merged = replace(existing, inset=tuple(sorted({*existing.inset, *closures})))
    if not own_terms:
        return merged
    return replace(
        merged,
        terms=tuple(term for year in imported.years for term in year.terms),
        half_terms=tuple(half for year in imported.years for half in year.half_terms),
    )
