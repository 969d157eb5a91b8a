"""Field values to the normal forms of FIELDS.md, by field type.

``normalise(field_type, text)`` is the one entry point; ``FIELD_TYPES`` says which
type each canonical field has, and ``NORMALISERS`` holds one function per type,
each taking the text as written and returning the normal form (a ``bool`` for
``bool``, a ``str`` otherwise). Every failure is an ``InvalidValue`` carrying the
text, the reason and, where FIELDS.md says to keep it anyway, ``kept``.

Normalisers are pure: no clock, no configuration, no network. Longer families
live beside this module: dates (``parsers/ukdates.py``), tick boxes
(``parsers/ticks.py``), deletion grounds (``parsers/grounds.py``) and the coded
values (``parsers/categories.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import phonenumbers

from parsers.categories import (
    normalise_gender,
    normalise_update_outcome,
    normalise_year_group,
)
from parsers.grounds import normalise_deletion_ground
from parsers.ticks import normalise_bool
from parsers.ukdates import normalise_date
from parsers.validate import POSTCODE_SHAPE, InvalidValue, collapse_space, upn_problem

__all__ = ["FIELD_TYPES", "NORMALISERS", "InvalidValue", "normalise"]

# Characters trimmed from either end of a text value: list punctuation and
# bullets left over from layout. Full stops stay ("St. Mary's C.E.").
_EDGE_PUNCTUATION = " ,;:|•·*_-–—"
_QUOTES = "\"'“”‘’`«»"
# Values that fill a box without saying anything; the field is then absent.
_PLACEHOLDERS = re.compile(
    r"n/?a|not applicable|none|nil|-+|\?+|tbc|tba|not known|unknown", re.IGNORECASE
)


def normalise_text(text: str) -> str:
    """Whitespace collapsed (no-break spaces too), list punctuation trimmed."""
    cleaned = collapse_space(text).strip(_EDGE_PUNCTUATION)
    if not cleaned:
        raise InvalidValue("text", text, "empty")
    if _PLACEHOLDERS.fullmatch(cleaned):
        raise InvalidValue("text", text, "a placeholder, not a value")
    return cleaned


def normalise_address(text: str) -> str:
    """Lines joined with ", " (a form's box or a letter's address block), commas tidied."""
    lines = [collapse_space(line).strip(" ,;") for line in text.split("\n")]
    joined = ", ".join(line for line in lines if line)
    joined = re.sub(r"\s*,(?:\s*,)+\s*", ", ", joined)
    try:
        return normalise_text(joined)
    except InvalidValue as exc:
        raise InvalidValue("address", text, exc.reason) from None


def normalise_name(text: str) -> str:
    """A name as written (case kept, titles kept), without surrounding quotes."""
    cleaned = collapse_space(text).strip(_EDGE_PUNCTUATION + _QUOTES)
    if not cleaned:
        raise InvalidValue("name", text, "empty")
    if _PLACEHOLDERS.fullmatch(cleaned):
        raise InvalidValue("name", text, "a placeholder, not a value")
    if not any(c.isalpha() for c in cleaned):
        raise InvalidValue("name", text, "a name has letters")
    if _reads_as_words(cleaned):
        raise InvalidValue("name", text, "reads as words, not a name")
    return cleaned


MAX_NAME_WORDS = 6
# Lower-case words of four letters or more are not name particles ("van", "de la",
# "bin", "ní"), bar these two.
_LONG_PARTICLES = {"della", "binti"}


def _reads_as_words(name: str) -> bool:
    """"please see the attached letter from Mrs Amberley", "provision on roll": a
    sentence or a phrase read where a name was expected. A name in lower case alone
    ("chantelle d'arcy", as a parent may sign) is still a name."""
    words = name.split()
    common = [w for w in words if w.isalpha() and w.islower() and len(w) >= 4
              and w not in _LONG_PARTICLES]
    return len(words) > MAX_NAME_WORDS or (len(words) >= 3 and len(common) >= 2)


_UNKNOWN_UPN = re.compile(r"UN[1-5]")
_UPN_REMOVE = re.compile(r"[\s\-‐‑–—]+")


def normalise_upn(text: str) -> str:
    """13 characters, upper case, check letter verified (DOMAIN.md).

    An invalid UPN is kept upper-cased without spaces for review. ``UN1``..``UN5``
    say the UPN is not known, which is not a UPN at all.
    """
    cleaned = _UPN_REMOVE.sub("", text).upper()
    if not cleaned:
        raise InvalidValue("upn", text, "empty")
    if _UNKNOWN_UPN.fullmatch(cleaned):
        raise InvalidValue("upn", text, f"UPN not known ({cleaned})")
    problem = upn_problem(cleaned)
    if problem is not None:
        raise InvalidValue("upn", text, problem, kept=cleaned)
    return cleaned


def normalise_postcode(text: str) -> str:
    """``OX1 1AA`` form: upper case, one space before the inward code."""
    upper = collapse_space(text).strip(_EDGE_PUNCTUATION + ".").upper()
    if not upper:
        raise InvalidValue("postcode", text, "empty")
    match = POSTCODE_SHAPE.fullmatch(upper.replace(" ", ""))
    if match is None:
        raise InvalidValue("postcode", text, "not the shape of a UK postcode", kept=upper)
    return f"{match.group(1)} {match.group(2)}"


# The first number as written: optional +, then digits with the separators people
# type. What follows it (an extension, a second number) is not part of it.
_PHONE = re.compile(r"\+?\s*\(?\d[\d\s().\-‐–]*\d\)?")
_TRUNK_ZERO = re.compile(r"^(\+\d{1,3})\s*\(0\)")  # "+44 (0)1865 ..." dials no 0


def _plausible(number: phonenumbers.PhoneNumber) -> bool:
    """Valid by libphonenumber's metadata, or a full-length UK number.

    The fallback is for Ofcom's ranges reserved for drama and examples (07700
    900xxx, 01632 960xxx), which the metadata marks invalid but which are what
    test forms and training material use.
    """
    if phonenumbers.is_valid_number(number):
        return True
    possible = phonenumbers.is_possible_number_with_reason(number)
    return (
        number.country_code == 44
        and possible == phonenumbers.ValidationResult.IS_POSSIBLE
        and len(str(number.national_number)) == 10
    )


def normalise_phone(text: str) -> str:
    """Digits only, a leading ``+`` kept: ``"(01865) 123 456"`` -> ``"01865123456"``.

    The first number in the text is taken, without any extension. A number without
    a country code must be a UK number written with its leading 0; one with a
    country code is checked against that country's plan.
    """
    cleaned = collapse_space(text)
    match = _PHONE.search(cleaned)
    everything = re.sub(r"\D", "", cleaned)
    if match is None:
        raise InvalidValue("phone", text, "no phone number", kept=everything or None)
    written = _TRUNK_ZERO.sub(r"\1", match.group(0).strip())
    digits = ("+" if written.startswith("+") else "") + re.sub(r"\D", "", written)
    try:
        number = phonenumbers.parse(digits, "GB")
    except phonenumbers.NumberParseException as e:
        raise InvalidValue("phone", text, f"not a phone number: {e}", kept=digits) from e
    if not digits.startswith(("+", "0")) or not _plausible(number):
        raise InvalidValue("phone", text, "not a plausible phone number", kept=digits)
    return digits


_EMAIL = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}",
    re.IGNORECASE,
)


def normalise_email(text: str) -> str:
    """The first address in the text, lower case (``"Ann <A@x.org>"`` -> ``"a@x.org"``)."""
    cleaned = re.sub(r"mailto:", " ", collapse_space(text), flags=re.IGNORECASE)
    match = _EMAIL.search(cleaned)
    if match is None:
        raise InvalidValue("email", text, "no email address")
    return match.group(0).lower()


# A label some forms put in the value ("DfE 931-2417", "URN: 123456").
_NUMBER_LABEL = re.compile(
    r"^(?:dfe|laestab|la\s*estab|estab(?:lishment)?|urn|school|number|no\.?|ref\.?|[:#\s])*",
    re.IGNORECASE,
)


def _code_digits(field_type: str, text: str, shape: re.Pattern[str]) -> str:
    """The digits of a number of fixed shape, with a label or a note around it."""
    cleaned = _NUMBER_LABEL.sub("", collapse_space(text))
    match = shape.match(cleaned)
    rest = cleaned[match.end() :] if match else cleaned
    if match is None or re.search(r"\d", rest):
        raise InvalidValue(field_type, text, f"not a {field_type.upper()}")
    return re.sub(r"\D", "", match.group(0))


def normalise_laestab(text: str) -> str:
    """Seven digits, LA (3) then establishment (4): ``"931/2417"`` -> ``"9312417"``."""
    return _code_digits("laestab", text, re.compile(r"\d{3}\s*[/\-.\s]?\s*\d{4}(?!\d)"))


def normalise_urn(text: str) -> str:
    """Six digits."""
    return _code_digits("urn", text, re.compile(r"\d{6}(?!\d)"))


_CHECKED_REFERENCE = re.compile(
    r"\bCME[-‐–](\d{4})[-‐–]([0-9A-Z]{5})[-‐–]([0-9A-Z])\b", re.IGNORECASE)
_CASE_REFERENCE = re.compile(r"\bCME\s*[-/_]?\s*(\d{4})\s*[-/_\s]\s*(\d{1,5})(?!\d)", re.I)


def normalise_case_reference(text: str) -> str:
    """``CME-YYYY-XXXXX-C`` as written, upper case; or an earlier ``CME-YYYY-NNNNN``,
    serial zero-padded: ``"cme/2026/12"`` -> ``"CME-2026-00012"``."""
    checked = {"-".join(m).upper() for m in _CHECKED_REFERENCE.findall(collapse_space(text))}
    if len(checked) == 1:
        return "CME-" + checked.pop()
    if checked:
        raise InvalidValue("case_reference", text, "several case references")
    found = {(year, int(serial)) for year, serial in _CASE_REFERENCE.findall(collapse_space(text))}
    if not found:
        raise InvalidValue("case_reference", text, "no CME-YYYY-NNNNN reference")
    if len(found) > 1:
        raise InvalidValue("case_reference", text, "several case references")
    year, serial = found.pop()
    if serial == 0:
        raise InvalidValue("case_reference", text, "serial number 0 is never issued")
    return f"CME-{year}-{serial:05d}"


NORMALISERS: dict[str, Callable[[str], str | bool]] = {
    "text": normalise_text,
    "address": normalise_address,
    "name": normalise_name,
    "date": normalise_date,
    "upn": normalise_upn,
    "postcode": normalise_postcode,
    "phone": normalise_phone,
    "email": normalise_email,
    "year_group": normalise_year_group,
    "gender": normalise_gender,
    "bool": normalise_bool,
    "deletion_ground": normalise_deletion_ground,
    "laestab": normalise_laestab,
    "urn": normalise_urn,
    "case_reference": normalise_case_reference,
    "update_outcome": normalise_update_outcome,
}

FIELD_TYPES: dict[str, str] = {
    "child_surname": "name",
    "child_forenames": "name",
    "child_dob": "date",
    "child_gender": "gender",
    "child_upn": "upn",
    "child_year_group": "year_group",
    "child_address": "address",
    "child_postcode": "postcode",
    "parent_name": "name",
    "parent_phone": "phone",
    "parent_email": "email",
    "school_name": "text",
    "school_laestab": "laestab",
    "school_urn": "urn",
    "date_last_attended": "date",
    "date_removed_from_roll": "date",
    "deletion_ground": "deletion_ground",
    "destination_school": "text",
    "ehe_start_date": "date",
    "cp_plan": "bool",
    "looked_after": "bool",
    "known_to_social_care": "bool",
    "sen": "bool",
    "traveller": "bool",
    "social_worker": "name",
    "referrer_name": "name",
    "referrer_role": "text",
    "referrer_organisation": "text",
    "referrer_phone": "phone",
    "referrer_email": "email",
    "reason": "text",
    "case_reference": "case_reference",
    "update_outcome": "update_outcome",
}


def normalise(field_type: str, text: str) -> str | bool:
    """``text`` in the normal form of ``field_type``.

    Raises ``InvalidValue`` when the text cannot be normalised, and ``ValueError``
    naming the type when ``field_type`` is not in ``NORMALISERS``.
    """
    normaliser = NORMALISERS.get(field_type)
    if normaliser is None:
        known = ", ".join(sorted(NORMALISERS))
        raise ValueError(f"unknown field type {field_type!r} (known: {known})")
    return normaliser(text)
