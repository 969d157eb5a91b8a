"""Dates as people write them in sentences, with or without a year.

"Tuesday 18th November", "the 9th of march", "21.3.16", "2012-05-30",
"April 3rd, 2014". A date written without a year takes the year of the email
it is in (FIELDS.md, "Reading conventions"): of the years around the email's,
the one its weekday fits, else the one nearest the email's date, so "Friday
19 December" written on 19 January is last December. Relative dates ("on
Friday", "the 20th", "today") are not dates here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from parsers.ukdates import expand_year

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}  # fmt: skip
WEEKDAYS = {
    name: number
    for number, names in enumerate(
        [("monday", "mon"), ("tuesday", "tue", "tues"), ("wednesday", "wed"),
         ("thursday", "thu", "thur", "thurs"), ("friday", "fri"), ("saturday", "sat"),
         ("sunday", "sun")]
    )
    for name in names
}  # fmt: skip

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_ORDINAL = r"(?:st|nd|rd|th)?"
_LEAD = rf"(?:(?P<wd>{_WEEKDAY})\.?,?\s+(?:the\s+)?)?"
_PATTERNS = [
    re.compile(r"(?<![\d/.\-])(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?![\d\-])"),
    re.compile(
        rf"{_LEAD}(?<![\d/.\-])(?P<d>\d{{1,2}})\s*(?P<sep>[/.\-])\s*(?P<m>\d{{1,2}})\s*(?P=sep)\s*"
        r"(?P<y>\d{4}|\d{2})(?![\d/.\-]\d)",
        re.IGNORECASE,
    ),
    re.compile(
        rf"{_LEAD}(?<![\d:])(?:the\s+)?(?P<d>\d{{1,2}}){_ORDINAL}(?:\s+of)?[\s\-]+"
        rf"(?P<mn>{_MONTH})\b\.?(?:,?[\s\-]+(?P<y>\d{{4}})(?!\d))?",
        re.IGNORECASE,
    ),
    # "April 3rd, 2014", "March 9": the month word in capitals, as "may" and
    # "march" are words too.
    re.compile(
        rf"{_LEAD}\b(?P<mn>(?-i:[A-Z])[a-z]{{2,8}})\.?\s+(?P<d>\d{{1,2}}){_ORDINAL}\b"
        r"(?:,?\s+(?P<y>\d{4})(?!\d))?(?![:.]\d)",
        re.IGNORECASE,
    ),
]


@dataclass(frozen=True)
class WrittenDate:
    """A date as written: where it is, its parts, and the year if it has one."""

    start: int
    end: int
    day: int
    month: int
    year: int | None
    weekday: int | None = None

    def resolve(self, sent: date | None) -> date | None:
        """The date meant, using ``sent`` (the email's date) for a missing year."""
        if self.year is not None:
            return _make(self.year, self.month, self.day)
        if sent is None:
            return None
        options = [d for y in (sent.year - 1, sent.year, sent.year + 1)
                   if (d := _make(y, self.month, self.day)) is not None]
        if self.weekday is not None:
            options = [d for d in options if d.weekday() == self.weekday]
        if not options:
            return None
        return min(options, key=lambda d: abs((d - sent).days))


def _make(year: int, month: int, day: int) -> date | None:
    if not 1900 <= year <= 2099:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def find_dates(text: str) -> list[WrittenDate]:
    """Every date written in ``text``, in order; overlapping readings keep the first pattern's."""
    found: list[WrittenDate] = []
    taken: list[tuple[int, int]] = []
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            written = _written(match)
            if written is not None:
                found.append(written)
                taken.append((match.start(), match.end()))
    return sorted(found, key=lambda d: d.start)


def _written(match: re.Match[str]) -> WrittenDate | None:
    parts = match.groupdict()
    if parts.get("mn") is not None:
        month = MONTHS.get(parts["mn"].lower().rstrip("."))
        if month is None:
            return None
    else:
        month = int(parts["m"])
    day = int(parts["d"])
    year = int(parts["y"]) if parts.get("y") else None
    if year is not None and year < 100:
        year = expand_year(year)
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    weekday = WEEKDAYS.get(parts["wd"].lower()) if parts.get("wd") else None
    return WrittenDate(match.start(), match.end(), day, month, year, weekday)


def first_date(text: str, sent: date | None = None) -> date | None:
    """The first date in ``text`` that resolves (a header's ``Date:`` line)."""
    for written in find_dates(text):
        resolved = written.resolve(sent)
        if resolved is not None:
            return resolved
    return None
