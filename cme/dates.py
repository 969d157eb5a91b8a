"""Dates typed on the command line: ISO (``2026-12-05``) and the UK forms
(``05/12/2026``, ``5.12.26``, ``5 Dec 2026``), always day first.

The reading itself is the parsers' (``parsers/ukdates.py``: numeric forms by
pattern, month names through python-dateutil with ``dayfirst``), so a date
typed by a person and one read from a form mean the same day.
"""

from __future__ import annotations

from datetime import date

import click

from parsers.ukdates import parse_uk_date as _read
from parsers.validate import InvalidValue


class DateError(ValueError):
    """Not one date a person could mean; the message says why, for one line on stderr."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"not a date: {text!r} ({reason})")
        self.text = text


def parse_uk_date(text: str) -> date:
    """The date ``text`` names, day first; ``DateError`` when it names none or several."""
    try:
        return _read(text)
    except InvalidValue as exc:
        raise DateError(text, str(exc).removeprefix("date: ")) from None


class UKDate(click.ParamType):
    """A ``click`` option that takes a date as :func:`parse_uk_date` reads it."""

    name = "date"

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return parse_uk_date(str(value))
        except DateError as exc:
            self.fail(f"{exc}; write it as 2026-12-05, 05/12/2026 or 5 Dec 2026", param, ctx)
