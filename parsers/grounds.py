"""Deletion grounds, to the 2024 Regulations' ``9(1)(a)`` .. ``9(1)(o)``.

Forms cite the 2024 Regulations (``9(1)(f)``), the 2006 ones (``8(1)(d)``), a
letter ("Ground F", read as a 2024 letter), a number (the 2006 grounds numbered
1..15 in order), or describe the ground in words. A code anywhere in the text
outranks words; a 2024 code outranks a 2006 one. Two different grounds at the
same rank are ``InvalidValue``: the team decides, not this function.
"""

from __future__ import annotations

import re
from string import ascii_lowercase

from parsers.validate import InvalidValue, collapse_space

GROUND_LETTERS = ascii_lowercase[: ascii_lowercase.index("o") + 1]  # 9(1)(a) .. 9(1)(o)

# 2006 reg 8(1) letter -> 2024 reg 9(1) letter (DOMAIN.md). 2006 grounds not
# listed here have no 2024 equivalent and cannot be converted.
FROM_2006 = {"a": "a", "c": "g", "d": "f", "f": "h", "h": "i"}

_CODE_2024 = re.compile(r"(?<!\d)9\s*\(\s*1\s*\)\s*\(?\s*([a-z])\s*\)?(?![a-z])")
_CODE_2006 = re.compile(r"(?<!\d)8\s*\(\s*1\s*\)\s*\(?\s*([a-z])\s*\)?(?![a-z])")
# "Ground F", "grounds: (f)"; only a..o, so "grounds s..." is not read as a letter.
_GROUND_LETTER = re.compile(r"\bgrounds?\b\s*[:\-]?\s*\(?\s*([a-o])\s*\)?(?![a-z])")
# A letter on its own, or in brackets opening the text: "f", "(f) parent notified".
_BARE_LETTER = re.compile(r"\(?([a-z])\)?|\(([a-z])\)\s.*")
_NUMBER_2006 = re.compile(r"(?:ground\s*)?(?:no\.?\s*)?(\d{1,2})")

# Plain wording -> 2024 letter. Kept to phrases that name one ground only.
_PHRASES: dict[str, tuple[str, ...]] = {
    "a": (
        r"(?<!not )(?:registered|enrolled|admitted|on roll) (?:at|to) (?:another|a new) school",
        r"(?:joined|transferred to) (?:another|a new) school",
    ),
    "b": (r"did not (?:continue|transfer) (?:from|after) (?:the )?nursery",),
    "c": (r"dual(?:ly)? regist",),
    "d": (r"attendance order (?:amended|changed|varied)",),
    "e": (r"attendance order (?:revoked|withdrawn)",),
    "f": (
        r"home[ -]?educat",
        r"educat\w* at home",
        r"elective home",
        r"\behe\b",
        r"education otherwise than at school",
        r"home[ -]?school",
    ),
    "g": (
        r"mov(?:ed|ing) (?:away|abroad)",
        r"reasonable distance",
        r"emigrat",
        r"left the country",
        r"moved out of (?:the )?area",
    ),
    "h": (
        r"(?:did not|failed to|not) return(?:ed)? (?:after|from) (?:a |an |the )?"
        r"(?:extended )?(?:leave of absence|holiday|leave)",
    ),
    "i": (
        r"continuous(?:ly)? absen",
        r"20 (?:school )?days'? (?:of )?(?:continuous )?absen",
        r"absent for 20",
    ),
    "j": (r"\bdetained\b", r"custodial", r"\bin custody\b"),
    "k": (r"\bdied\b", r"\bdeceased\b", r"\bdeath\b"),
    "l": (r"(?:over|beyond|past|ceased to be of) compulsory school age",),
    "m": (r"fees? (?:unpaid|not paid)", r"boarding fees"),
    "o": (r"permanent(?:ly)? exclu",),
}
WORDING: list[tuple[re.Pattern[str], str]] = [
    (re.compile("|".join(phrases)), letter) for letter, phrases in _PHRASES.items()
]


def _code(letter: str) -> str:
    return f"9(1)({letter})"


def _convert_2006(text: str, letter: str) -> str:
    if letter not in FROM_2006:
        raise InvalidValue(
            "deletion_ground", text, f"2006 ground 8(1)({letter}) has no 2024 equivalent"
        )
    return FROM_2006[letter]


def _one(text: str, letters: set[str], what: str) -> str | None:
    """The single letter found, ``None`` if none, ``InvalidValue`` if several."""
    if len(letters) > 1:
        listed = ", ".join(_code(x) for x in sorted(letters))
        raise InvalidValue("deletion_ground", text, f"several grounds {what}: {listed}")
    return next(iter(letters), None)


def _check_2024(text: str, letter: str) -> str:
    if letter not in GROUND_LETTERS:
        raise InvalidValue("deletion_ground", text, f"there is no ground 9(1)({letter})")
    return letter


def _from_codes(text: str, lowered: str) -> str | None:
    cited = {_check_2024(text, m) for m in _CODE_2024.findall(lowered)}
    cited |= set(_GROUND_LETTER.findall(lowered))
    bare = _BARE_LETTER.fullmatch(lowered)
    if bare:
        cited.add(_check_2024(text, bare.group(1) or bare.group(2)))
    letter = _one(text, cited, "cited")
    if letter is not None:
        return letter
    old = {_convert_2006(text, m) for m in _CODE_2006.findall(lowered)}
    number = _NUMBER_2006.fullmatch(lowered)
    if number:
        n = int(number.group(1))
        if not 1 <= n <= len(GROUND_LETTERS):
            raise InvalidValue("deletion_ground", text, f"no 2006 ground numbered {n}")
        old.add(_convert_2006(text, GROUND_LETTERS[n - 1]))
    return _one(text, old, "cited")


def normalise_deletion_ground(text: str) -> str:
    """The 2024 code: ``"reg 8(1)(d)"`` -> ``"9(1)(f)"``, ``"moving abroad"`` -> ``"9(1)(g)"``."""
    lowered = collapse_space(text).lower()
    if not lowered:
        raise InvalidValue("deletion_ground", text, "empty")
    letter = _from_codes(text, lowered)
    if letter is None:
        described = {letter for pattern, letter in WORDING if pattern.search(lowered)}
        letter = _one(text, described, "described")
    if letter is None:
        raise InvalidValue("deletion_ground", text, "no deletion ground recognised")
    return _code(letter)
