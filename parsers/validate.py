"""What the normalisers share: the error they raise, whitespace, UPN check letters.

Also the school-age check, which works on normalised dates.

``InvalidValue`` is the one exception every normaliser raises (``parsers/normalise.py``
re-exports it). It carries the value to keep anyway, so a caller can record an
invalid UPN or postcode as written and list the field under ``needs_review``
instead of dropping what the form said.
"""

from __future__ import annotations

import re
from datetime import date

# Letters used in UPNs: no I, O or S (too easily read as 1, 0 and 5). A=0 .. Z=22.
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"

# Outward code A9, A99, AA9, AA99, A9A or AA9A; inward code 9AA.
POSTCODE_SHAPE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})")

# Ages (completed years) at which no warning is given. Compulsory school age
# really starts the term after the 5th birthday and ends on the last Friday in
# June of the school year of the 16th; we warn only outside a wider band that
# also covers nursery/reception and the sixth form (education or training to 18),
# because the caller, not this check, decides what a warning means for the case.
SCHOOL_AGE_RANGE = (4, 18)

# Python's \s already covers the no-break spaces (U+00A0, U+202F, U+2007) that
# Word and PDF forms put between a label and its value; zero-width characters
# it does not cover are removed outright.
_SPACE = re.compile(r"\s+")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


class InvalidValue(Exception):
    """A field's text could not be brought to its normal form.

    ``kept`` is what to record anyway (an invalid UPN upper-cased without spaces,
    a postcode of the wrong shape), or ``None`` when nothing is worth keeping.
    """

    def __init__(self, field_type: str, text: str, reason: str, kept: str | None = None) -> None:
        # The message leaves the text out: it is personal data (a name, a date of
        # birth) and exception messages end up in logs. ``.text`` still has it.
        super().__init__(f"{field_type}: {reason}")
        self.field_type = field_type
        self.text = text
        self.reason = reason
        self.kept = kept


def collapse_space(text: str) -> str:
    """``text`` on one line: every run of whitespace one space, none at either end."""
    return _SPACE.sub(" ", _ZERO_WIDTH.sub("", text)).strip()


def upn_value(char: str) -> int:
    """A UPN character's value in the check sum: a digit its own, a letter its index."""
    if char.isdigit():
        return int(char)
    return UPN_LETTERS.index(char)


def upn_check_letter(upn: str) -> str:
    """The check letter for the 12 characters after it (``upn[1:13]``).

    Each character is weighted by its position, counting the check letter as 1.
    """
    total = sum(i * upn_value(c) for i, c in enumerate(upn[1:13], start=2))
    return UPN_LETTERS[total % 23]


def upn_problem(upn: str) -> str | None:
    """Why a cleaned (upper case, no spaces) UPN is not valid, or ``None`` if it is."""
    if len(upn) != 13:
        return f"a UPN has 13 characters, this has {len(upn)}"
    if upn[0] not in UPN_LETTERS:
        return "a UPN starts with a check letter (not I, O or S)"
    if not upn[1:12].isdigit():
        return "characters 2 to 12 of a UPN are digits"
    if not (upn[12].isdigit() or upn[12] in UPN_LETTERS):
        return "the last character of a UPN is a digit or a letter other than I, O, S"
    expected = upn_check_letter(upn)
    if upn[0] != expected:
        return f"check letter should be {expected}, not {upn[0]}"
    return None


def age_on(dob: date, on: date) -> int:
    """Completed years of age on ``on`` (a 29 February birthday counts from 1 March)."""
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def check_school_age(dob: date, on: date) -> str | None:
    """A warning when a child born on ``dob`` looks outside school age on ``on``.

    ``None`` means nothing to warn about: aged 4 to 18 inclusive. A date of birth
    after ``on`` is always a warning (usually a typed year).
    """
    if dob > on:
        return f"date of birth {dob.isoformat()} is after {on.isoformat()}"
    age = age_on(dob, on)
    low, high = SCHOOL_AGE_RANGE
    if age < low:
        return f"child would be {age} on {on.isoformat()}, younger than school age"
    if age > high:
        return f"child would be {age} on {on.isoformat()}, older than school age"
    return None
