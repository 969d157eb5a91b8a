"""One line of a signature block, piece by piece: what each piece is.

A line is split at "|", "•", "·" and tabs; each piece is read as an email, a
phone (not a fax), an address, a job title, an organisation or a person's
name, by the vocabularies of ``templates/signature.toml``
(``SignatureVocabulary``). ``parsers/signature.py`` finds the block and reads
its lines with ``read_piece``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from parsers.document import clean
from parsers.signature_words import SignatureVocabulary

EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\d+])(?:\+44\s?(?:\(0\)\s?)?|\(?0)\d[\d\s().-]{7,16}\d(?!\d)")
FAX = re.compile(r"\b(?:fax|f)\s*[:.]\s*$", re.IGNORECASE)
LABEL = re.compile(r"^[^\W\d][\w ./'-]{0,30}:")
# Labels of the writer's own contact lines ("T:", "Direct line:", "Ffôn / Tel:",
# "Mobile (work):"): a one-letter label, or one with a contact word in it.
CONTACT_LABEL = re.compile(
    r"(?:[a-z]\.?|.*\b(?:tel|telephone|phone|ph|mob|mobile|direct|dial|ddi|office|"
    r"switchboard|landline|line|email|e-mail|mail|web|website|ext|extension|working|hours|"
    r"days|pronouns|twitter|x|linkedin|facebook|instagram)\b.*)",
    re.IGNORECASE,
)
# A social media line ("Follow us @CollingfordHigh") is part of a signature.
SOCIAL = re.compile(r"(?:^|\s)@\w{2,}|\bfollow us\b", re.IGNORECASE)
FAX_LABEL = re.compile(r"(?:f|fax)", re.IGNORECASE)
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
STREET = re.compile(
    r"\b(?:road|street|lane|avenue|way|close|drive|court|crescent|grove|place|terrace|"
    r"gardens|row|walk|mews|square|rd|st|ave)\b",
    re.IGNORECASE,
)
PRONOUNS = re.compile(
    r"\(?\b(?:she|he|they|ze|xe)\s*/\s*(?:her|him|them|hers|his|theirs|zir)"
    r"(?:\s*/\s*\w+)?\b\)?",
    re.IGNORECASE,
)
PARENTHESES = re.compile(r"\s*\([^)]*\)")
PIECES = re.compile(r"\s*(?:\||•|·|\t)\s*")
ROLE_ORG = re.compile(r"^(?P<role>.+?)(?:,\s+|\s+at\s+)(?P<org>\S.*)$")
NAME_WORD = re.compile(r"^[^\W\d_][\w'’.-]*$")
PARTICLES = {"de", "da", "van", "von", "der", "den", "la", "le", "du", "di", "al", "el",
             "bin", "binti", "ap", "ni", "nic", "mac", "o", "y"}
GREETINGS = {"hi", "hello", "dear", "hey", "morning", "afternoon", "evening", "good", "to"}


@dataclass
class Reading:
    """What a block's pieces said so far; each kept with how surely it is one."""

    names: list[tuple[str, str | None]]  # (name, title) in order
    roles: list[tuple[float, str]]
    organisations: list[tuple[float, str]]
    phone: str | None = None
    email: str | None = None
    after_role: bool = False  # the previous piece was a job title
    seen_details: bool = False  # a job title, organisation or contact already read


def read_piece(piece: str, reading: Reading, words: SignatureVocabulary, *,
                lowercase: bool) -> str:
    """Read one piece into ``reading``; its kind ("other" when no signature holds it)."""
    piece = _strip_symbols(piece)
    after_role, reading.after_role = reading.after_role, False
    label, _, value = piece.partition(":") if LABEL.match(piece) else ("", "", piece)
    if label and not CONTACT_LABEL.fullmatch(label.strip()):
        return "other"  # "Mum: Jo 07700 900 123" is no contact of the writer's
    if not value.strip() or FAX_LABEL.fullmatch(label.strip()):
        return "contact"
    if email := EMAIL.search(value):
        reading.email = reading.email or email.group(0).lower()
    elif phone := _phone(value):
        reading.phone = reading.phone or phone
    elif not (re.match(r"^(?:www\.|https?://)", value, re.IGNORECASE) or label
              or SOCIAL.search(value)):
        return _read_words(piece, after_role, reading, words, lowercase=lowercase)
    reading.seen_details = True
    return "contact"


def piece_kind(piece: str, words: SignatureVocabulary) -> str:
    """What ``piece`` is, read on its own."""
    return read_piece(piece, Reading([], [], []), words, lowercase=False)


def _read_words(piece: str, after_role: bool, reading: Reading, words: SignatureVocabulary,
                *, lowercase: bool) -> str:
    """A piece without contacts: an address, a job title, an organisation or a name."""
    plain = plain_text(piece)
    if not plain:
        return "contact"  # pronouns alone ("he/him")
    if POSTCODE.search(plain) or (plain[0].isdigit() and STREET.search(plain)):
        return "address"
    split = ROLE_ORG.match(plain)
    kind = "other"
    if split and _role(split.group("role"), words) and _organisation(
            split.group("org"), words, proper_noun=True):
        reading.roles.append((_role(split.group("role"), words), split.group("role")))
        _add_organisation(split.group("org"), reading, words, proper_noun=True)
        kind = "role"
    elif _organisation(plain, words) >= 1:
        _add_organisation(plain, reading, words)
        kind = "organisation"
    elif _role(plain, words):
        reading.roles.append((_role(plain, words), _without_pronouns(piece)))
        kind = "role"
    elif _organisation(plain, words):
        _add_organisation(plain, reading, words)
        kind = "organisation"
    elif reading.names and not reading.seen_details and all(
            _generic(w, words) for w in plain.split()):
        reading.roles.append((0.5, plain))  # the writer's post below their name: "School Office"
        kind = "role"
    elif (found := person_name(piece, words, lowercase=lowercase)) and not reading.seen_details:
        reading.names.append(found)
        return "name"
    elif after_role and _proper_noun(plain):
        reading.organisations.append((0.5, plain))  # the line below a job title
        return "organisation"
    else:
        return "other"
    reading.after_role = kind == "role"
    reading.seen_details = True
    return kind


def _add_organisation(text: str, reading: Reading, words: SignatureVocabulary, *,
                      proper_noun: bool = False) -> None:
    """The organisation as written, as strong as its strongest part: "Inclusion
    Service, North Marsh Council" is a council's."""
    parts = [p.strip() for p in text.split(",")]
    strength = max(_organisation(p, words, proper_noun=proper_noun) for p in [*parts, text])
    if strength:
        reading.organisations.append((strength, text))


def _organisation(text: str, words: SignatureVocabulary, *, proper_noun: bool = False) -> float:
    """How surely ``text`` names an organisation: 3 a school or council, 1 a team, 0 not."""
    if not text or not (text[0].isupper() or text[0].isdigit()):
        return 0.0
    if all(_generic(w, words) for w in text.split()):
        return 0.0  # a team named only by what it does ("School Office") says not whose
    p = words.patterns
    if p["job_word_end"].search(text):
        return 0.0
    if p["org_end"].search(text):
        return 3.0
    if p["org_start"].search(text):
        return 2.5
    if p["unit_end"].search(text):
        return 1.0
    if p["org_word"].search(text) and not p["job_word"].search(text):
        return 0.8
    if p["unit_word"].search(text) and not p["job_word"].search(text):
        return 0.6
    return 0.5 if proper_noun and _proper_noun(text) else 0.0


def _role(text: str, words: SignatureVocabulary) -> float:
    """2 a known job title, 1 a line with a job word, 0 not a job title."""
    if words.patterns["job_title"].search(text):
        return 2.0
    return 1.0 if words.patterns["job_word"].search(text) else 0.0


def person_name(text: str, words: SignatureVocabulary, *,
          lowercase: bool) -> tuple[str, str | None] | None:
    """(name, title) when ``text`` is a person's name: titles, post-nominals,
    pronouns and a note in brackets ("(mother)") are not part of it."""
    bare = plain_text(text)
    title = None
    found = words.patterns["title"].match(bare)
    if found:
        title, bare = found.group(0).strip().rstrip("."), bare[found.end():]
    bare = words.patterns["post_nominal"].sub("", bare).strip(" ,")
    parts = bare.split()
    if not 1 <= len(parts) <= 4 or not all(NAME_WORD.match(w) for w in parts):
        return None
    if parts[0].lower() in GREETINGS or all(_generic(w, words) for w in parts):
        return None
    if len(parts) == 1 and (parts[0].lower() in words.not_names or parts[0].isupper()):
        return None
    if words.patterns["sign_off"].match(bare) or all(w.isupper() for w in parts):
        return None
    capitalised = all(w[0].isupper() or w.lower() in PARTICLES for w in parts)
    if not capitalised and not (lowercase and all(w.islower() for w in parts)):
        return None
    if any(w.lower() in words.not_names for w in parts) and not capitalised:
        return None
    return bare, title


def _generic(word: str, words: SignatureVocabulary) -> bool:
    """A word that names what a team does, not a person ("School", "Office")."""
    p = words.patterns
    return (word.lower() in words.not_names or bool(p["unit_word"].fullmatch(word))
            or bool(p["org_word"].fullmatch(word)))


def _proper_noun(text: str) -> bool:
    parts = text.split()
    return 1 <= len(parts) <= 8 and all(w[0].isupper() or not w[0].isalpha() or len(w) <= 3
                                        for w in parts) and not any(c.isdigit() for c in text)


def _phone(piece: str) -> str | None:
    for found in PHONE.finditer(piece):
        if FAX.search(piece[: found.start()]):
            continue
        digits = re.sub(r"\D", "", found.group(0).replace("(0)", ""))
        if 10 <= len(digits) <= 12:
            return found.group(0).strip()
    return None


def plain_text(text: str) -> str:
    """Without pronouns and notes in brackets."""
    return clean(PARENTHESES.sub(" ", _without_pronouns(text))).strip(" ,;-–")


def _without_pronouns(text: str) -> str:
    return clean(PRONOUNS.sub(" ", text)).strip(" ,;-–")


def _strip_symbols(piece: str) -> str:
    """Without leading emoji, bullets and dashes ("📞 01632 960 947"); a "+" stays."""
    start = 0
    while start < len(piece) and (
        unicodedata.category(piece[start]) in ("So", "Sk", "Zs", "Cc", "Cf")
        or piece[start] in "-–—•*>~"
    ):
        start += 1
    return piece[start:].strip()
