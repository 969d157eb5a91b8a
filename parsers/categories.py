"""Free text to a closed set of codes: year group, gender, case-update outcome."""

from __future__ import annotations

import re

from parsers.ticks import tick_options, ticked_label
from parsers.validate import InvalidValue, collapse_space

_NUMBER_WORDS = [
    "one", "two", "three", "four", "five", "six", "seven",
    "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen",
]  # fmt: skip
_NUMBER = r"(\d{1,2}|" + "|".join(_NUMBER_WORDS) + ")"
# "Year 7", "Y7", "yr 7", "Yr7", "NC year 07", "year seven", "7", each optionally
# followed by a bracketed note ("Year 7 (KS3)").
_YEAR = re.compile(rf"(?:nc\s*)?(?:year|yr|y)?\s*(?:group\s*)?{_NUMBER}")
_RECEPTION = re.compile(r"(?:year\s*)?(?:r|rec|reception|yr|fs2|f2|foundation stage 2)")
_NURSERY = re.compile(r"(?:nursery|n)\s*([12])")
_SIXTH = {"lower sixth": "12", "upper sixth": "13"}
_TRAILING_NOTE = re.compile(r"\s*\([^)]*\)$")


def normalise_year_group(text: str) -> str:
    """``N1``, ``N2``, ``R`` or ``1``..``14``: ``"Year 7"`` -> ``"7"``, ``"Rec"`` -> ``"R"``."""
    cleaned = _TRAILING_NOTE.sub("", collapse_space(text).lower()).strip(" .,;:")
    if not cleaned:
        raise InvalidValue("year_group", text, "empty")
    if _RECEPTION.fullmatch(cleaned):
        return "R"
    if nursery := _NURSERY.fullmatch(cleaned):
        return f"N{nursery.group(1)}"
    if cleaned in _SIXTH:
        return _SIXTH[cleaned]
    year = _YEAR.fullmatch(cleaned)
    if year is None:
        raise InvalidValue("year_group", text, "not a year group")
    word = year.group(1)
    number = int(word) if word.isdigit() else _NUMBER_WORDS.index(word) + 1
    if not 1 <= number <= 14:
        raise InvalidValue("year_group", text, f"year {number} is outside 1..14")
    return str(number)


_GENDERS = {
    "M": {"m", "male", "boy", "man", "son"},
    "F": {"f", "female", "girl", "woman", "daughter"},
    # FIELDS.md: X is other, or not stated explicitly as M or F.
    "X": {
        "x", "other", "non-binary", "nonbinary", "non binary", "prefer not to say",
        "not stated", "not known", "unknown", "u", "indeterminate",
    },
}  # fmt: skip


def normalise_gender(text: str) -> str:
    """``M``, ``F`` or ``X``; a tick-box row (``"Male ☐ Female ☒"``) gives the ticked one."""
    cleaned = collapse_space(text)
    options = tick_options(cleaned)
    if options is not None:
        cleaned = ticked_label("gender", text, options)
    word = cleaned.lower().strip(" .,;:")
    if not word:
        raise InvalidValue("gender", text, "empty")
    for code, words in _GENDERS.items():
        if word in words:
            return code
    raise InvalidValue("gender", text, "not a gender")


OUTCOMES = ("located", "confirmed_missing", "removal_advised", "file_transferred", "info")

# Checked in this order, and each match is blanked before the next outcome is
# tried, so "could not be located" counts as confirmed missing, not located.
_OUTCOME_PHRASES: list[tuple[str, re.Pattern[str]]] = [
    (outcome, re.compile(pattern))
    for outcome, pattern in [
        ("confirmed_missing",
         r"confirmed_?\s*missing|officially missing|(?:could|can)\s*not (?:be )?"
         r"(?:found|located|traced)|not (?:been )?(?:found|located|traced)"
         r"|whereabouts (?:still |remain |are still )*unknown|still missing"),
        ("removal_advised",
         r"removal_?\s*advised|advis\w* (?:the )?removal|(?:can|may|should) (?:now )?be removed"
         r"|remove (?:\w+ )?from (?:the )?roll|ok to remove|removal (?:from (?:the )?roll )?"
         r"(?:is )?advised"),
        ("file_transferred",
         r"file_?\s*transferred|files? (?:has been |have been |was |were )?(?:transferred|sent)"),
        ("located",
         r"\blocated\b|\bfound\b|\btraced\b|whereabouts (?:are |now )*known|now attending"),
        ("info", r"\binfo\b|\binformation\b|\bupdate\b|no change"),
    ]
]  # fmt: skip


def normalise_update_outcome(text: str) -> str:
    """One of ``OUTCOMES``; a text naming two of the first four is ``InvalidValue``."""
    lowered = collapse_space(text).lower()
    if not lowered:
        raise InvalidValue("update_outcome", text, "empty")
    found: list[str] = []
    for outcome, pattern in _OUTCOME_PHRASES:
        lowered, count = pattern.subn(" ", lowered)
        if count:
            found.append(outcome)
    decisive = [outcome for outcome in found if outcome != "info"]
    if len(decisive) > 1:
        raise InvalidValue("update_outcome", text, f"several outcomes: {', '.join(decisive)}")
    if decisive:
        return decisive[0]
    if found:
        return "info"
    raise InvalidValue("update_outcome", text, "no outcome recognised")
