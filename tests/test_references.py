"""Case references ``CME-YYYY-XXXXX-C``: random serials, and a check character that
catches every single-character typo and every swap of two adjacent characters."""

from __future__ import annotations

import random
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from workflows.references import (
    ALPHABET,
    Shape,
    canonical,
    check_character,
    new_reference,
    shape,
)

YEAR = st.integers(min_value=2000, max_value=2099)
SERIAL = st.text(alphabet=ALPHABET, min_size=5, max_size=5)


def reference(year: int, serial: str) -> str:
    return f"CME-{year}-{serial}-{check_character(f'{year}{serial}')}"


YEAR_AT = range(4, 8)  # CME-YYYY-XXXXX-C: where the year's digits are
CHECKED_AT = [*YEAR_AT, *range(9, 14), 15]  # every character the check covers


def typos(text: str) -> list[str]:
    """Every reference one character away from ``text``: a digit for a year digit, any
    character of the alphabet for a serial or check character."""
    found = []
    for at in CHECKED_AT:
        choices = "0123456789" if at in YEAR_AT else ALPHABET
        found += [text[:at] + other + text[at + 1 :] for other in choices if other != text[at]]
    return found


def swaps(text: str) -> list[str]:
    """Every reference with two neighbouring, different characters swapped (across a
    hyphen too, as a reader skips it), as long as the year stays digits."""
    found = []
    for left, right in pairwise(CHECKED_AT):
        if text[left] != text[right]:
            chars = list(text)
            chars[left], chars[right] = chars[right], chars[left]
            if "".join(chars)[4:8].isdigit():
                found.append("".join(chars))
    return found


@given(YEAR, SERIAL)
def test_a_reference_checks_and_every_typo_or_swap_does_not(year, serial):
    written = reference(year, serial)
    assert shape(written) is Shape.CHECKED
    wrong = typos(written) + swaps(written)
    assert wrong and all(shape(typo) is Shape.BAD_CHECK for typo in wrong)


def test_exhaustively_on_a_sample_of_references():
    rng = random.Random(9)
    for _ in range(300):
        written = reference(rng.randint(2020, 2040), "".join(rng.choices(ALPHABET, k=5)))
        for typo in typos(written) + swaps(written):
            assert shape(typo) is Shape.BAD_CHECK, (written, typo)


def test_swapping_the_year_and_serial_across_a_hyphen_is_caught():
    written = reference(2026, "7K3QX")
    swapped = written.replace("2026-7", "2027-6")  # '6' and '7' exchanged over the hyphen
    assert shape(swapped) is Shape.BAD_CHECK


def test_crockford_reads_o_as_zero_and_i_l_as_one_and_refuses_u():
    written = reference(2026, "10K0X")
    assert shape(written.replace("10K0X", "IOKOX")) is Shape.CHECKED
    assert canonical(written.replace("10K0X", "L0K0X").lower()) == written
    assert shape(written.replace("10K0X", "U0K0X")) is Shape.BAD_CHECK


def test_earlier_references_keep_their_shape():
    assert shape("CME-2026-00001") is Shape.LEGACY
    assert shape("cme-2026-00042") is Shape.LEGACY
    assert shape("CME/2025/1187") is Shape.UNKNOWN


def test_new_references_are_random_unique_and_never_all_digits():
    draws = iter("00000" "00000" "7K3QX" "7K3QX" "AB12Z")
    taken = {reference(2026, "7K3QX")}
    made = new_reference(2026, taken.__contains__, choose=lambda _alphabet: next(draws))
    assert made == reference(2026, "AB12Z")  # all digits skipped twice, a clash drawn again
    many = {new_reference(2026, lambda _ref: False) for _ in range(200)}
    assert len(many) == 200 and all(shape(ref) is Shape.CHECKED for ref in many)
    assert all(not ref.split("-")[2].isdigit() for ref in many)
