"""Reading and writing ``calendars/*.toml``, the file an administrator edits.

Format (dates may be TOML dates or ``"YYYY-MM-DD"`` strings; a range is a
two-item list, both days included; a closure is a date or a range)::

    name = "Oxfordshire"

    [[year]]
    label = "2025-26"
    source = "where the dates were copied from"      # optional
    terms = [[2025-09-02, 2025-12-19], ...]
    half_terms = [[2025-10-27, 2025-10-31], ...]     # subtracted from terms
    closures = [2025-11-14, ...]                     # LA-wide INSET days, closures

    [schools."9312001"]                              # LAESTAB or a school name
    name = "Example Primary School"                  # optional second identifier
    inset = [2025-09-01, ...]
    closures = [[2026-01-06, 2026-01-07]]
    terms = [...]            # optional: the school's own terms replace the LA's
    half_terms = [...]       # only with the school's own terms

Unknown keys are errors, so a misspelt ``insets`` cannot be silently ignored.
The writer emits the same format, without the administrator's comments.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from workflows.calendar_spec import (
    CalendarError,
    CalendarSpec,
    DateRange,
    SchoolOverride,
    SchoolYear,
    check_spec,
)

_TOP_KEYS = frozenset({"name", "year", "schools"})
_YEAR_KEYS = frozenset({"label", "source", "terms", "half_terms", "closures"})
_SCHOOL_KEYS = frozenset({"name", "inset", "closures", "terms", "half_terms"})
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def read_spec(path: Path) -> CalendarSpec:
    """Read and check a calendar file; every failure is a ``CalendarError`` naming it."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as error:
        raise CalendarError(f"cannot read the file: {error.strerror}", source=path) from error
    except tomllib.TOMLDecodeError as error:
        raise CalendarError(f"not valid TOML: {error}", source=path) from error
    try:
        spec = spec_from_toml(data)
        check_spec(spec)
    except CalendarError as error:
        raise error.in_file(path) from None
    return spec


def spec_from_toml(data: Mapping[str, Any]) -> CalendarSpec:
    """The spec described by parsed TOML (not yet checked for consistency)."""
    _only(data, _TOP_KEYS, "")
    name = _text(data, "name", "", required=True)
    years = data.get("year")
    if not isinstance(years, list) or not years:
        raise CalendarError("at least one [[year]] table is needed", key="year")
    schools = data.get("schools", {})
    if not isinstance(schools, dict):
        raise CalendarError('must be a table of [schools."ID"] tables', key="schools")
    return CalendarSpec(
        name=name,
        years=tuple(_year(raw, index) for index, raw in enumerate(years)),
        schools={str(ident): _school(raw, f'schools."{ident}"') for ident, raw in schools.items()},
    )


def _year(raw: object, index: int) -> SchoolYear:
    if not isinstance(raw, dict):
        raise CalendarError("must be a [[year]] table", key=f"year[{index}]")
    label = _text(raw, "label", f"year[{index}]", required=True)
    key = f'year."{label}"'
    _only(raw, _YEAR_KEYS, key)
    return SchoolYear(
        label=label,
        terms=_ranges(raw.get("terms"), f"{key}.terms", required=True),
        half_terms=_ranges(raw.get("half_terms", []), f"{key}.half_terms"),
        closures=_days(raw.get("closures", []), f"{key}.closures"),
        source=_text(raw, "source", key),
    )


def _school(raw: object, key: str) -> SchoolOverride:
    if not isinstance(raw, dict):
        raise CalendarError("must be a table", key=key)
    _only(raw, _SCHOOL_KEYS, key)
    terms = raw.get("terms")
    return SchoolOverride(
        name=_text(raw, "name", key),
        inset=_days(raw.get("inset", []), f"{key}.inset"),
        closures=_days(raw.get("closures", []), f"{key}.closures"),
        terms=None if terms is None else _ranges(terms, f"{key}.terms", required=True),
        half_terms=_ranges(raw.get("half_terms", []), f"{key}.half_terms"),
    )


def _only(table: Mapping[str, Any], allowed: frozenset[str], key: str) -> None:
    for name in table:
        if name not in allowed:
            known = ", ".join(sorted(allowed))
            raise CalendarError(f"unknown key (expected one of {known})", key=_join(key, name))


def _text(table: Mapping[str, Any], name: str, key: str, *, required: bool = False) -> str:
    value = table.get(name, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise CalendarError("must be a non-empty string", key=_join(key, name))
    return value.strip()


def _ranges(value: object, key: str, *, required: bool = False) -> tuple[DateRange, ...]:
    if not isinstance(value, list) or (required and not value):
        raise CalendarError("must be a list of [start, end] date pairs", key=key)
    ranges = []
    for index, item in enumerate(value):
        if not isinstance(item, list):
            raise CalendarError(f"{item!r} is not a [start, end] pair", key=f"{key}[{index}]")
        ranges.append(_range(item, f"{key}[{index}]"))
    return tuple(ranges)


def _days(value: object, key: str) -> tuple[DateRange, ...]:
    """Closures: each item a single date or a [start, end] range."""
    if not isinstance(value, list):
        raise CalendarError("must be a list of dates or [start, end] pairs", key=key)
    days = []
    for index, item in enumerate(value):
        if isinstance(item, list):
            days.append(_range(item, f"{key}[{index}]"))
        else:
            day = _date(item, f"{key}[{index}]")
            days.append(DateRange(day, day))
    return tuple(days)


def _range(item: list[Any], key: str) -> DateRange:
    if len(item) != 2:
        raise CalendarError(f"{item!r} is not a [start, end] pair", key=key)
    start, end = _date(item[0], f"{key}[0]"), _date(item[1], f"{key}[1]")
    if end < start:
        raise CalendarError(f"range ends ({end}) before it starts ({start})", key=key)
    return DateRange(start, end)


def _date(value: object, key: str) -> date:
    # tomllib gives datetime for values with a time; a deadline calendar has none.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError as error:
            raise CalendarError(f"{value!r} is not a date: {error}", key=key) from None
    raise CalendarError(f"{value!r} is not a date (write YYYY-MM-DD)", key=key)


def _join(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


def dump_spec(spec: CalendarSpec) -> str:
    """The spec in the file format above, for an administrator to review."""
    lines = [f"name = {_quote(spec.name)}"]
    for year in spec.years:
        lines += ["", "[[year]]", f"label = {_quote(year.label)}"]
        if year.source:
            lines.append(f"source = {_quote(year.source)}")
        lines += _list("terms", year.terms, pairs=True)
        lines += _list("half_terms", year.half_terms, pairs=True)
        lines += _list("closures", year.closures, pairs=False)
    for ident in sorted(spec.schools):
        school = spec.schools[ident]
        lines += ["", f"[schools.{_quote(ident)}]"]
        if school.name:
            lines.append(f"name = {_quote(school.name)}")
        lines += _list("inset", school.inset, pairs=False)
        lines += _list("closures", school.closures, pairs=False)
        if school.terms is not None:
            lines += _list("terms", school.terms, pairs=True)
            lines += _list("half_terms", school.half_terms, pairs=True)
    return "\n".join(lines) + "\n"


def write_spec(spec: CalendarSpec, path: Path) -> None:
    """Write ``dump_spec(spec)`` to ``path`` (replacing it)."""
    path.write_text(dump_spec(spec), encoding="utf-8")


def _list(name: str, ranges: tuple[DateRange, ...], *, pairs: bool) -> list[str]:
    if not ranges:
        return []
    items = [
        f"{r.start.isoformat()}"
        if r.start == r.end and not pairs
        else f"[{r.start.isoformat()}, {r.end.isoformat()}]"
        for r in sorted(ranges)
    ]
    return [f"{name} = [", *(f"    {item}," for item in items), "]"]


def _quote(text: str) -> str:
    # JSON string escapes (\", \\, \n, \uXXXX) are all valid TOML basic strings.
    return json.dumps(text, ensure_ascii=False)
