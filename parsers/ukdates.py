"""Dates as English forms write them, to ``YYYY-MM-DD``.

Day first whenever the order is ambiguous (``03/04/2014`` is 3 April), year first
only when the year comes first (``2014-04-03``). Text around a date is ignored
(``03/04/2014 (age 11)``) provided exactly one date can be found in it.

Numeric dates are read by pattern; dates with a month name go to
python-dateutil, which knows month and weekday names, ordinals and "of". A
two-digit year is expanded by ``expand_year`` in both paths (dateutil's own rule
reads the clock), so the result never depends on the day the code runs.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from dateutil.parser import ParserError, parse, parserinfo

from parsers.validate import InvalidValue, collapse_space

# Two-digit years 00..40 are 20xx, 41..99 are 19xx. A fixed pivot rather than one
# computed from today: the dates we read are pupils' births and recent school
# events, so 1941..1999 are only ever 19xx and 2000..2040 20xx, and a fixed rule
# keeps normalising pure. Revisit before 2040.
TWO_DIGIT_YEAR_PIVOT = 40

# Earliest and latest years accepted; outside is a typing error ("0214").
YEAR_RANGE = (1900, 2099)

_ISO = re.compile(r"(?<!\d)(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?!\d)")
_NUMERIC = re.compile(r"(?<![\d.])(\d{1,2})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})(?!\d)")
_ORDINAL = r"(?:st|nd|rd|th)?"
_MONTH_WORD = r"[A-Za-z]{3,9}\.?"
_YEAR = r"['\u2019]?(\d{4}|\d{2})(?![\d:])"  # "3 April '14"
# "3rd April 2014", "3rd of April 2014", "3 Apr 14", "03-Apr-2014", with a weekday
# in front or not (dateutil checks nothing about the weekday, and neither do we).
_DAY_MONTH_YEAR = re.compile(
    rf"(?<![\d:])(\d{{1,2}}){_ORDINAL}(?:\s+of)?[\s\-/.,]*({_MONTH_WORD})[\s\-/.,]*{_YEAR}",
    re.IGNORECASE,
)
# "April 3rd, 2014", "April 3 2014".
_MONTH_DAY_YEAR = re.compile(
    rf"\b({_MONTH_WORD})\s+(\d{{1,2}}){_ORDINAL},?\s+{_YEAR}", re.IGNORECASE
)


def expand_year(year: int) -> int:
    """A written year as four digits, by ``TWO_DIGIT_YEAR_PIVOT`` when it has two."""
    if year >= 100:
        return year
    return 2000 + year if year <= TWO_DIGIT_YEAR_PIVOT else 1900 + year


class _UKParserInfo(parserinfo):
    """dateutil's vocabulary, day first, with our two-digit-year rule."""

    def __init__(self) -> None:
        super().__init__(dayfirst=True)

    # dateutil calls this positionally, so the flag cannot be keyword-only.
    def convertyear(self, year: int, century_specified: bool = False) -> int:
        return year if century_specified else expand_year(year)


_INFO = _UKParserInfo()
# Two defaults that differ in every part: a part dateutil filled in from the
# default (a date with no day, say) shows up as a difference between the results.
_DEFAULTS = (datetime(2001, 1, 1), datetime(2002, 2, 2))


def _make(text: str, year: int, month: int, day: int) -> date:
    low, high = YEAR_RANGE
    if not low <= year <= high:
        raise InvalidValue("date", text, f"year {year} is not plausible")
    try:
        return date(year, month, day)
    except ValueError as e:
        raise InvalidValue("date", text, f"no such date: {e}") from e


def _with_month_name(text: str, candidate: str) -> date:
    """Read a date with a month name via dateutil, requiring day, month and year."""
    results = []
    for default in _DEFAULTS:
        try:
            results.append(parse(candidate, parserinfo=_INFO, dayfirst=True, default=default))
        except (ParserError, ValueError, OverflowError) as e:
            raise InvalidValue("date", text, f"not a date: {candidate!r}") from e
    first, second = results
    if (first.year, first.month, first.day) != (second.year, second.month, second.day):
        raise InvalidValue("date", text, "day, month and year are not all given")
    return _make(text, first.year, first.month, first.day)


def _found_dates(text: str) -> list[tuple[int, date]]:
    """Every date in ``text`` with its position, by the first pattern that fits there."""
    found: list[tuple[int, date]] = []
    taken: list[range] = []

    def free(match: re.Match[str]) -> bool:
        return not any(match.start() in span or match.end() - 1 in span for span in taken)

    for match in _ISO.finditer(text):
        year, _, month, day = match.groups()
        found.append((match.start(), _make(text, int(year), int(month), int(day))))
        taken.append(range(match.start(), match.end()))
    for match in _NUMERIC.finditer(text):
        if free(match):
            day, _, month, year = match.groups()
            year_value = expand_year(int(year))
            found.append((match.start(), _make(text, year_value, int(month), int(day))))
            taken.append(range(match.start(), match.end()))
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        for match in pattern.finditer(text):
            month_word = match.group(2 if pattern is _DAY_MONTH_YEAR else 1)
            if free(match) and _INFO.month(month_word.rstrip(".")) is not None:
                candidate = re.sub("['\u2019]", "", match.group(0))
                found.append((match.start(), _with_month_name(text, candidate)))
                taken.append(range(match.start(), match.end()))
    return sorted(found, key=lambda item: item[0])


def parse_uk_date(text: str) -> date:
    """The one date written in ``text``; ``InvalidValue`` if none, several or impossible."""
    cleaned = collapse_space(text)
    if not cleaned:
        raise InvalidValue("date", text, "empty")
    found = _found_dates(cleaned)
    if not found:
        raise InvalidValue("date", text, "no day, month and year found")
    dates = {value for _, value in found}
    if len(dates) > 1:
        listed = ", ".join(sorted(d.isoformat() for d in dates))
        raise InvalidValue("date", text, f"several dates: {listed}")
    return found[0][1]


def normalise_date(text: str) -> str:
    """``text`` as ``YYYY-MM-DD`` (see the module docstring for what is accepted)."""
    return parse_uk_date(text).isoformat()
