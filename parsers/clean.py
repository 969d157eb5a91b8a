"""The shared cleaning step: what every value goes through before normalising.

DESIGN.md, "Parsing": one step drops placeholders, joins address lines, finds
the typed values (phones, emails, UPNs) inside cells that hold more than one
thing, and strips the bidirectional controls that could reorder a value when it
is shown again. Splitting a person cell ("Mrs Jo Bloggs (mother) 07700 900123")
is in ``parsers/person.py``, which builds on this module.

Everything here is pure and never raises on text; names and addresses keep the
case they were written in, and the normalisers (``parsers/normalise.py``) then
bring each value to its FIELDS.md form. Finders return ``Found`` spans so that
a caller can cut a phone or an email out of a name cell (``cut_out``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import phonenumbers

from parsers.validate import POSTCODE_SHAPE, collapse_space, upn_problem

__all__ = [
    "Found",
    "any_of",
    "cut_out",
    "find_emails",
    "find_phones",
    "find_upn",
    "is_placeholder",
    "join_address",
    "placeholder_reason",
    "strip_bidi",
]

# --- bidirectional controls --------------------------------------------------

# Embeddings and overrides (U+202A..U+202E) and isolates (U+2066..U+2069): they
# reorder the text around them when shown, so "gpj.exe" can read as "exe.jpg".
_BIDI = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def strip_bidi(text: str) -> str:
    """``text`` without bidirectional embedding, override and isolate controls."""
    return text.translate(_BIDI)


# --- placeholders ------------------------------------------------------------

# What forms write in a box to say there is no value, by the reason it gives.
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "not known": (
        "not known", "unknown", "n/k", "nk", "n.k", "not yet known", "none known",
        "nothing known", "whereabouts unknown", "not stated", "not recorded",
        "not available", "not given", "not provided", "not supplied", "none given",
        "not allocated", "unallocated", "not yet allocated", "awaiting allocation",
        "not in contact", "no contact", "no longer in contact", "dk", "d/k", "don't know",
        "do not know",
    ),
    "not applicable": ("not applicable", "n/a", "n.a", "na", "none", "nil", "no"),
    "withheld": (
        "withheld", "not disclosed", "undisclosed", "refused", "declined", "refused to give",
        "declined to give", "refused to say", "prefer not to say", "confidential",
    ),
    "to be confirmed": (
        "tbc", "tba", "tbd", "to be confirmed", "to be advised", "to follow", "awaiting",
    ),
    # The prompts Word and PDF forms show in a box nobody filled in.
    "form prompt": (
        "click or tap here to enter text", "click here to enter text",
        "click or tap to enter a date", "click here to enter a date", "choose an item",
        "enter text here", "type here",
    ),
    "given elsewhere": (
        "see above", "as above", "same as above", "see below", "see attached", "see notes",
        "ditto", "same", "same as child", "same as pupil",
    ),
}  # fmt: skip
# What the placeholder may be about: "address not disclosed", "no email".
_SUBJECTS = (
    "address", "home address", "current address", "new address", "forwarding address",
    "phone", "phone number", "telephone", "telephone number", "tel", "mobile", "number",
    "contact number", "email", "email address", "e-mail", "upn", "dob", "date of birth",
    "name", "school", "new school", "destination", "details", "contact details",
)  # fmt: skip
# Short forms that are placeholders alone only in capitals or lower case ("Na" is
# a surname, "NA" is not applicable; "Dk" is not "DK", don't know); "no" is one only
# with a subject ("no email").
_CASE_SENSITIVE = {"na", "nk", "no", "dk"}

_PHRASE = {p: reason for reason, phrases in PLACEHOLDERS.items() for p in phrases}


def any_of(phrases: Iterable[str]) -> str:
    """A regex alternation of ``phrases``, longest first, any whitespace between words."""
    longest_first = sorted(phrases, key=len, reverse=True)
    return "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in longest_first)


_SUBJECT = rf"(?:{any_of(_SUBJECTS)})"
_PLACEHOLDER = re.compile(
    rf"(?:(?P<subject>{_SUBJECT})\s*:?\s*(?:is\s+|are\s+)?)?"
    r"(?:(?:currently|still|as\s+yet|presently|at\s+present)\s+)?"
    rf"(?P<core>{any_of(_PHRASE)})"
    rf"(?:\s+(?P<about>{_SUBJECT}))?"
    r"(?:\s+(?:at\s+(?:this|the)\s+(?:time|moment|stage)|at\s+present|currently|yet|as\s+yet"
    r"|so\s+far|to\s+(?:us|me|school|the\s+school|the\s+la)))?"
    # Then nothing, or an explanation after a separator: "n/a (continuous cruiser)".
    # A dash needs a space beside it: "NA-YOUNG KIM" is a name, not "NA".
    r"(?P<rest>(?:\s*[(\[,;:.]|\s+[-–—]|[-–—]\s)(?P<note>.*))?",
    re.IGNORECASE | re.DOTALL,
)


# A form's own instructions left in a box: "[Enter surname]", "<insert date>",
# "Describe the circumstances...", "Enter the child's name".
_PROMPT = re.compile(
    r"[\[<{](?:[^\]>}]*)[\]>}]|(?:please\s+)?(?:enter|insert|type|describe|give|provide|state|"
    r"list|write|add|select|choose)\s+(?:the|a|an|your|any|all|here|details|name|date|reason|"
    r"text)\b.*",
    re.IGNORECASE | re.DOTALL,
)
# "Duty team – not allocated": who would hold it, then the placeholder.
_AFTER_OWNER = re.compile(r"^[^-–—:]{1,30}\s[-–—:]\s*(?=\S)")


def placeholder_reason(text: str) -> str | None:
    """Why ``text`` is a placeholder rather than a value, or ``None`` for a value.

    Reasons: ``"empty"``, ``"no letters or digits"`` (only punctuation: "-", "?",
    "--"; a tick-box symbol such as "☒" or "✓" is a value), and the keys of
    ``PLACEHOLDERS``. A placeholder may carry an explanation after a separator
    ("None - not on a school roll"), but not one with a digit in it: "Not known -
    temporary UPN X…" or "Unknown, last seen at 12 Nash Road" hold a value.
    "Nash Road" and "None Go Bye Farm" are values: the word must end the phrase.
    """
    cleaned = collapse_space(strip_bidi(text)).strip(" *_.")
    if not cleaned:
        return "empty"
    # Dashes and question marks say nothing; a tick box's symbol (☒, ✓) does.
    if all(unicodedata.category(c).startswith(("P", "Z")) for c in cleaned):
        return "no letters or digits"
    if _PROMPT.fullmatch(cleaned):
        return "form prompt"
    match = _PLACEHOLDER.fullmatch(cleaned) or _PLACEHOLDER.fullmatch(_AFTER_OWNER.sub("", cleaned))
    if match is None:
        return None
    core = match.group("core")
    if core.lower() in _CASE_SENSITIVE and not (match.group("subject") or match.group("about")):
        if core.lower() == "no":
            return None  # "No" alone answers a question; "no email" says there is none
        if not (core.isupper() or core.islower()):
            return None  # "Na" is a surname, "NA" and "na" are not applicable
    if match.group("note") and re.search(r"\d", match.group("note")):
        return None
    return _PHRASE[re.sub(r"\s+", " ", core.lower())]


def is_placeholder(text: str) -> bool:
    """Does ``text`` fill a box without giving a value? (``placeholder_reason`` says why.)"""
    return placeholder_reason(text) is not None


# --- spans -------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """A typed value found in a text: its normal form and where it was written.

    ``text[start:end]`` is what was written (a phone with its extension),
    ``value`` its normal form.
    """

    value: str
    start: int
    end: int


def cut_out(text: str, found: Iterable[Found]) -> str:
    """``text`` without the found spans, each replaced by a space, whitespace collapsed."""
    pieces, at = [], 0
    for span in sorted(found, key=lambda f: f.start):
        if span.start >= at:
            pieces.append(text[at : span.start])
        at = max(at, span.end)  # overlapping spans cut as one
    pieces.append(text[at:])
    return collapse_space(" ".join(pieces))


# --- emails and phones -------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![\w.+-])[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}(?![\w-])",
    re.IGNORECASE,
)


def find_emails(text: str) -> list[Found]:
    """Every email address in ``text``, lower-cased, in order."""
    return [Found(m.group(0).lower(), m.start(), m.end()) for m in _EMAIL.finditer(text)]


# A fax label just before a number ("F: 01632 960002", "Fax no."), unless the
# label says the number is a phone too ("Tel/Fax").
_FAX_LABEL = re.compile(r"\b(?:fax|f)\b\s*(?:no\.?|number)?\s*[:.\-]?\s*\(?\s*$", re.IGNORECASE)
_TEL_AND_FAX = re.compile(
    r"\b(?:tel(?:ephone)?|phone|t)\s*(?:/|&|and|\+)\s*(?:fax|f)\b", re.IGNORECASE
)


def _is_phone(number: phonenumbers.PhoneNumber, written: str) -> bool:
    """A number a person could ring, written in full (with its 0 or country code).

    Ofcom's ranges for drama (07700 900xxx, 01632 960xxx) are invalid in
    libphonenumber's metadata, so a full-length UK number counts too, as in
    ``parsers.normalise``.
    """
    if not written.lstrip("([").startswith(("0", "+")):
        return False
    if phonenumbers.is_valid_number(number):
        return True
    return number.country_code == 44 and len(str(number.national_number)) == 10


def find_phones(text: str) -> list[Found]:
    """Every phone number in ``text`` (UK unless written with a country code), in order.

    ``value`` is the number as FIELDS.md writes it: digits, ``+`` and the
    country code if it was written with one ("+44 (0)1632 960001" ->
    "+441632960001"), otherwise the national number with its 0. An extension
    ("ext 234", "x12") is inside the span but not the value. Numbers labelled
    as a fax are left out, and so are a local number without its area code
    and digits inside an email address.
    """
    out: list[Found] = []
    emails = find_emails(text)  # "07700900123@sms.example" is no phone number
    previous_end = 0
    matcher = phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.POSSIBLE)
    for match in matcher:
        before = text[previous_end : match.start].rsplit("\n", 1)[-1]
        previous_end = match.end
        if _FAX_LABEL.search(before) and not _TEL_AND_FAX.search(before):
            continue
        if any(e.start < match.end and match.start < e.end for e in emails):
            continue
        # libphonenumber keeps an opening bracket whose closing one it left out:
        # "(07700 900123)" gives "(07700 900123".
        written, start = match.raw_string, match.start
        if written[0] in "([" and ")]"[("([").index(written[0])] not in written:
            written, start = written[1:], start + 1
        if not _is_phone(match.number, written):
            continue
        if written.startswith(("+", "00")):
            value = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        else:
            value = "0" + str(match.number.national_number)
        out.append(Found(value, start, match.end))
    return out


# --- UPNs --------------------------------------------------------------------

# A letter (not I, O or S), eleven digits, then a digit or a letter (a temporary
# UPN), with at most one space or dash between characters ("B801 2000 05001").
_UPN_TOKEN = re.compile(
    r"(?<![A-Za-z0-9])(?<!\d[ -])[A-HJ-NP-RT-Z](?:[ -]?\d){11}[ -]?[0-9A-HJ-NP-RT-Z]"
    r"(?![A-Za-z0-9])(?![ -]\d)",
    re.IGNORECASE,
)


def find_upn(text: str) -> str | None:
    """The UPN written in ``text``, upper case without spaces, or ``None``.

    A 13-character token (DOMAIN.md): a letter, eleven digits, then a digit or
    (temporary UPN) a letter. Written without spaces and in capitals, the shape
    is enough, and an invalid check letter is left for the validator to flag.
    Written with spaces or dashes, or in lower case, the check letter must be
    right, so that "T 01632 960123 E" (a phone between two labels) is no UPN.
    Phones, LAESTABs and URNs have no leading letter and so are never taken.
    With several, the first valid one wins, then the first by shape.
    """
    shaped: list[str] = []
    for match in _UPN_TOKEN.finditer(text):
        written = match.group(0)
        upn = re.sub(r"[ -]", "", written).upper()
        if upn_problem(upn) is None:
            return upn
        if written == upn:
            shaped.append(upn)
    return shaped[0] if shaped else None


# --- addresses ---------------------------------------------------------------

_POSTCODE_IN = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z]{1,2}\d[A-Za-z\d]?)\s*(\d[A-Za-z]{2})(?![A-Za-z0-9])"
)
_POSTCODE_LABEL = re.compile(r"(?:post\s*code|pc)\s*[:.]?", re.IGNORECASE)
# A line that is only a house number ("12", "12a", "12-14", "No. 3") belongs to
# the street line after it: "12" + "Nash Road" is "12 Nash Road".
_HOUSE_NUMBER = re.compile(r"(?:no\.?\s*)?\d+[a-z]?(?:\s*[-/]\s*\d+[a-z]?)?", re.IGNORECASE)
_PART_EDGES = " ,;:|•·-–—"


def _postcode(part: str) -> tuple[str, str] | None:
    """``(part without its postcode, postcode)`` when ``part`` holds a UK postcode."""
    for match in reversed(list(_POSTCODE_IN.finditer(part))):
        outward, inward = match.group(1).upper(), match.group(2).upper()
        if POSTCODE_SHAPE.fullmatch(outward + inward):
            rest = part[: match.start()] + " " + part[match.end() :]
            return collapse_space(rest).strip(_PART_EDGES), f"{outward} {inward}"
    return None


def _address_parts(lines: str | Iterable[str]) -> list[str]:
    """The address's parts: split on newlines and commas, trimmed, placeholders dropped."""
    texts = [lines] if isinstance(lines, str) else list(lines)
    parts = []
    for text in texts:
        for piece in re.split(r"[\n\r,]+", strip_bidi(text)):
            part = collapse_space(piece).strip(_PART_EDGES).rstrip(".").strip(_PART_EDGES)
            if part and not is_placeholder(part):
                parts.append(part)
    return parts


def join_address(lines: str | Iterable[str]) -> tuple[str | None, str | None]:
    """An address as FIELDS.md writes it, and its postcode: ``(address, postcode)``.

    ``lines`` are the lines as written (a form's Address 1..4 boxes), or one text
    with its line breaks. Parts are joined with ", "; empty parts, doubled commas,
    placeholders and trailing punctuation go; a line that is only a house number
    joins the street after it ("12" + "Nash Road"). The last UK postcode, in
    any case and spacing ("ox284jd", "OX1  1AA"), is taken out in ``OX1 1AA``
    form. Either is ``None`` when absent.
    """
    parts = _address_parts(lines)
    postcode = None
    for i in reversed(range(len(parts))):
        found = _postcode(parts[i])
        if found is not None:
            rest, postcode = found
            parts[i] = "" if _POSTCODE_LABEL.fullmatch(rest) else rest
            break
    joined: list[str] = []
    pending_number = ""
    for part in filter(None, parts):
        if _HOUSE_NUMBER.fullmatch(part):
            pending_number = f"{pending_number} {part}".strip()
            continue
        part = f"{pending_number} {part}".strip()
        pending_number = ""
        if not joined or joined[-1].lower() != part.lower():
            joined.append(part)
    if pending_number:
        joined.append(pending_number)
    return (", ".join(joined) or None), postcode
