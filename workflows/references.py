"""Case references that cannot be guessed or mistyped: ``CME-YYYY-XXXXX-C``.

``XXXXX`` is a random serial over Crockford's base-32 alphabet (digits and
letters without I, L, O and U), so a reference tells nothing about the cases
before or after it, and one cannot be found by counting. At least one of its
five characters is a letter, so a new reference with its check character left
off never looks like an earlier ``CME-YYYY-NNNNN``.

``C`` is a check character computed with the Damm algorithm over the nine
characters ``YYYYXXXXX``, in the quasigroup ``x * y = 2x + y`` of the field
GF(32) (polynomial x^5 + x^2 + 1). That quasigroup is totally anti-symmetric,
so the check catches every single-character error and every transposition of
two adjacent characters, the check character included (Damm, 2004). Reading a
reference back, ``O`` is taken for ``0`` and ``I`` or ``L`` for ``1``, as
Crockford's alphabet intends; a ``U`` is no character of it.

References issued before this scheme (``CME-YYYY-NNNNN``, sequential) keep
working unchanged: they have no check character to verify.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from enum import Enum

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {char: n for n, char in enumerate(ALPHABET)}
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_POLYNOMIAL = 0b100101  # x^5 + x^2 + 1
_CHECKED = re.compile(r"CME-(\d{4})-([0-9A-Z]{5})-([0-9A-Z])")
_LEGACY = re.compile(r"CME-\d{4}-\d{5}")


class Shape(Enum):
    CHECKED = "checked"  # CME-YYYY-XXXXX-C with a right check character
    BAD_CHECK = "bad check"  # the checked shape, but the check character is wrong
    LEGACY = "legacy"  # CME-YYYY-NNNNN, issued before check characters
    UNKNOWN = "unknown"


def _times_two(value: int) -> int:
    value <<= 1
    return value ^ _POLYNOMIAL if value & 0b100000 else value


def _step(interim: int, value: int) -> int:
    """The quasigroup operation: 2 * interim + value in GF(32) (addition is XOR)."""
    return _times_two(interim) ^ value


def check_character(body: str) -> str:
    """The check character of ``body`` (e.g. ``2026`` + ``7K3QX``), Crockford characters only."""
    interim = 0
    for char in body:
        interim = _step(interim, _VALUE[char])
    # the character c with interim * c == 0: 2 * interim, since -x == x here
    return ALPHABET[_times_two(interim)]


def canonical(reference: str) -> str:
    """A reference as the register stores it: upper case, O read as 0 and I, L as 1
    in a checked reference's serial and check character."""
    text = reference.strip().upper()
    found = re.fullmatch(r"CME-(\d{4})-([0-9A-Z]{5})-([0-9A-Z])", text)
    if found is None:
        return text
    year, serial, check = found.groups()
    return f"CME-{year}-{serial.translate(_READ_AS)}-{check.translate(_READ_AS)}"


def shape(reference: str) -> Shape:
    """Whether ``reference`` is one of ours, and whether its check character is right."""
    text = canonical(reference)
    if _LEGACY.fullmatch(text):
        return Shape.LEGACY
    found = _CHECKED.fullmatch(text)
    if found is None:
        return Shape.UNKNOWN
    year, serial, check = found.groups()
    if any(char not in _VALUE for char in serial + check):
        return Shape.BAD_CHECK  # a U: no reference of ours has one
    return Shape.CHECKED if check_character(year + serial) == check else Shape.BAD_CHECK


def new_reference(year: int, taken: Callable[[str], bool], *,
                  choose: Callable[[str], str] = secrets.choice) -> str:
    """A fresh ``CME-YYYY-XXXXX-C`` that ``taken`` says the register does not hold yet.

    32^5 serials a year (about 33 million): a clash is rare, and is simply drawn again.
    """
    for _ in range(100):
        serial = "".join(choose(ALPHABET) for _ in range(5))
        if serial.isdigit():
            continue  # could pass for an earlier CME-YYYY-NNNNN without its check
        reference = f"CME-{year:04d}-{serial}-{check_character(f'{year:04d}{serial}')}"
        if not taken(reference):
            return reference
    raise RuntimeError("no free case reference after 100 draws: is the random source broken?")
