"""A cell that names a person, split into name, title, relationship and contacts.

"Mrs Jo Bloggs (mother) 07700 900123" is one cell on many forms; FIELDS.md
("Reading conventions") wants ``parent_name`` "Jo Bloggs" and ``parent_phone``
from it, and titles and relationship words are never part of a name. The
words are data: the tables below. ``nameparser`` then splits the name into
forenames and surname (it knows "de la Cruz" and "SMITH, John"), with our
titles rather than its own, which count "King", "Major" and "Dean" as titles.

Parts are read by their separators: brackets, commas, colons, spaced dashes,
new lines. A relationship word is taken when it stands apart ("Mum - Kerry
Ward", "(dad)") or leads or ends the name ("mum Kerry Ward"), except the words
that are also given names ("Nan Jones" is a name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nameparser import HumanName
from nameparser.config import Constants

from parsers.clean import any_of, cut_out, find_emails, find_phones, is_placeholder, strip_bidi
from parsers.validate import collapse_space

__all__ = ["Person", "split_person"]

TITLES = (
    "Mr", "Mrs", "Miss", "Ms", "Mx", "Master", "Dr", "Doctor", "Prof", "Professor",
    "Rev", "Revd", "Reverend", "Fr", "Sir", "Dame", "Lady", "Lord",
    "Sgt", "Sergeant", "Insp", "Inspector", "Constable", "Det Sgt", "Det Con", "Supt",
)  # fmt: skip
# Police ranks read only in capitals: "Di" and "Ds" are given names.
TITLES_IN_CAPITALS = ("PC", "WPC", "DC", "DS", "DI", "DCI", "PCSO", "DSgt")
# Ranks that a collar number may follow ("Sgt 1234 Tom Reed"): not part of the name.
POLICE_TITLES = ("Sgt", "Sergeant", "Insp", "Inspector", "Constable", "Det Sgt", "Det Con",
                 "Supt", *TITLES_IN_CAPITALS)  # fmt: skip

RELATIONSHIPS = (
    "mother", "mum", "mummy", "mom", "father", "dad", "daddy", "parent", "parents",
    "stepfather", "step-father", "step father", "stepdad", "step-dad", "step dad",
    "stepmother", "step-mother", "step mother", "stepmum", "step-mum", "step mum",
    "birth mother", "birth father", "adoptive mother", "adoptive father", "adoptive parent",
    "carer", "foster carer", "foster mother", "foster father", "foster parent",
    "kinship carer", "guardian", "legal guardian", "special guardian",
    "grandmother", "grandma", "gran", "granny", "nan", "nana", "nanny",
    "grandfather", "grandad", "granddad", "grandpa", "grandparent", "grandparents",
    "aunt", "auntie", "aunty", "uncle", "sister", "brother", "half-sister", "half-brother",
    "stepsister", "stepbrother", "cousin", "partner", "mother's partner", "mum's partner",
    "father's partner", "dad's partner",
)  # fmt: skip
# Relationship words that are also given names: taken only when they stand apart.
ALSO_GIVEN_NAMES = {"nan", "nana", "nanny", "sister", "brother"}

# Words that make a part a job title ("Attendance Officer") or an organisation
# ("Oakwood Primary School"). A part ending in a role word is a role ("School
# Nurse"); otherwise one with an organisation word is an organisation.
ROLE_WORDS = (
    "headteacher", "head teacher", "head", "principal", "deputy", "teacher", "officer",
    "manager", "worker", "visitor", "nurse", "coordinator", "co-ordinator", "lead", "leader",
    "dsl", "ddsl", "senco", "secretary", "administrator", "admin", "clerk", "receptionist",
    "director", "adviser", "advisor", "practitioner", "consultant", "caseworker", "mentor",
    "tutor", "assistant", "therapist", "psychologist", "midwife", "gp", "esw", "ewo",
    "head of year", "head of school", "pastoral", "attendance", "safeguarding", "welfare",
)  # fmt: skip
ORGANISATION_WORDS = (
    "school", "academy", "college", "primary", "secondary", "infants",
    "nursery", "council", "trust", "police", "constabulary", "nhs", "hospital", "surgery",
    "practice", "centre", "center", "service", "services", "team", "department",
    "partnership", "federation", "association", "housing", "ltd", "limited", "plc",
    "charity", "foundation", "social care", "mash", "cc",
)  # fmt: skip
# Role words that are also surnames: a role only alone or after another role word.
ALSO_SURNAMES = {"head", "nurse", "clerk"}
# Parts that only label what follows ("Name:", "Tel.").
LABELS = (
    "name", "full name", "parent name", "parent/carer", "parent/guardian", "parent or carer",
    "parent/carer name", "contact", "contact name",
    "contact details", "tel", "telephone", "phone", "mob", "mobile", "t", "m", "e",
    "email", "e-mail", "number", "no", "on",
)  # fmt: skip


@dataclass(frozen=True)
class Person:
    """What a person cell says. Every part is ``None`` when the cell does not say it.

    ``name`` is the name as written without title, relationship, role or contacts
    ("SMITH, John" reads "John SMITH"); ``forenames`` and ``surname`` split it
    where that is clear (a lone word is a surname only after a title).
    ``relationship`` is lower case as written ("dad", "foster carer"); ``phone``
    and ``email`` are the first found, in FIELDS.md form. ``couple`` says the
    cell names two people ("Mr and Mrs Patel": ``name`` "Patel"; "Jo Bloggs
    and Lee Dunn": the first one).
    """

    name: str | None = None
    title: str | None = None
    relationship: str | None = None
    phone: str | None = None
    email: str | None = None
    role: str | None = None
    organisation: str | None = None
    forenames: str | None = None
    surname: str | None = None
    couple: bool = False


_RELATIONSHIP = any_of(RELATIONSHIPS)
_TITLE = rf"(?:(?i:{any_of(TITLES)})|{any_of(TITLES_IN_CAPITALS)})\.?"
_LEADING_TITLE = re.compile(
    rf"(?P<title>{_TITLE}(?:\s*(?:and|&|/)\s*{_TITLE})?)(?=[\s\d]|$)\s*(?P<rest>.*)"
)
_COLLAR_NUMBER = re.compile(r"\d{2,6}[A-Z]{0,2}\b\s*")
_IS_RELATIONSHIP = re.compile(rf"(?:(?:the\s+)?child'?s\s+)?(?P<word>{_RELATIONSHIP})", re.I)
_LEADING_RELATIONSHIP = re.compile(rf"(?P<word>{_RELATIONSHIP})\s+(?P<rest>.+)", re.I)
_TRAILING_RELATIONSHIP = re.compile(rf"(?P<rest>.+?)\s+(?P<word>{_RELATIONSHIP})", re.I)
_ROLE = re.compile(rf"\b(?:{any_of(ROLE_WORDS)})\b", re.I)
_ROLE_AT_END = re.compile(
    rf"(?:(?:head|deputy|assistant)\s+of\b.*|.*\b(?:{any_of(ROLE_WORDS)}))", re.I
)
_ORGANISATION = re.compile(rf"\b(?:{any_of(ORGANISATION_WORDS)})\b", re.I)
_LABEL = re.compile(rf"(?:{any_of(LABELS)})\.?", re.I)
_LABEL_BEFORE = re.compile(rf"(?:\b(?:{any_of(LABELS)}|mailto)\.?\s*[:\-]?\s*)+$", re.I)
_FAX = re.compile(r"\b(?:fax|f)\s*(?:no\.?|number)?\s*[:.]?\s*\+?[\d(][\d\s()-]{6,}\d", re.I)
_BRACKETED = re.compile(r"[(\[]([^()\[\]]*)[)\]]")
_SEPARATORS = re.compile(r"\s*[,;:|]\s*|\s+[-–—/]\s+|\s*[–—]\s*")
_AT_ORGANISATION = re.compile(r"(?P<role>.+?)\s+(?:at|@)\s+(?P<organisation>.+)", re.I)
_COUPLE = re.compile(r"\s+(?:and|&)\s+", re.I)
_NAME_EDGES = " ,;:|/-–—'\"“”‘’`«»<>"
_NAME_CONSTANTS = Constants(titles=(), first_name_titles=())


def _kind(part: str) -> str | None:
    """``"role"``, ``"organisation"`` or ``"relationship"`` for a part that is one."""
    if _IS_RELATIONSHIP.fullmatch(part):
        return "relationship"
    *before, last = part.split() or [""]
    qualified = _ROLE.search(" ".join(before)) or _ORGANISATION.search(" ".join(before))
    if before and last.lower() in ALSO_SURNAMES and not qualified:
        return None  # "Martin Head", but "Deputy Head" and "School Nurse"
    if _ROLE_AT_END.fullmatch(part):
        return "role"
    if _ORGANISATION.search(part):
        return "organisation"
    if _ROLE.search(part):
        return "role"
    return None


def _without_contacts(text: str) -> tuple[str, str | None, str | None]:
    """``text`` without its phones, emails and faxes (and their labels), the first of each."""
    phones, emails = find_phones(text), find_emails(text)
    found = sorted(phones + emails, key=lambda f: f.start)
    pieces, at = [], 0
    for span in found:
        if span.start >= at:
            pieces.append(_LABEL_BEFORE.sub("", text[at : span.start]))
        at = max(at, span.end)
    pieces.append(text[at:])
    rest = _FAX.sub(" ", " ".join(pieces))
    rest = re.sub(r"<\s*>|\(\s*\)|\[\s*\]", " ", rest)
    phone = phones[0].value if phones else None
    email = emails[0].value if emails else None
    return cut_out(rest, ()), phone, email


def _parts(text: str, facts: dict[str, list[str]]) -> list[str]:
    """The parts that may be names, in order, recording the others in ``facts``."""

    def bracketed(match: re.Match[str]) -> str:
        inner = collapse_space(match.group(1))
        kind = _kind(inner)
        if kind is not None:
            facts.setdefault(kind, []).append(inner)
            return " , "
        return match.group(0)

    text = _BRACKETED.sub(bracketed, text)
    names = []
    for part in _SEPARATORS.split(text):
        part = part.strip(_NAME_EDGES)
        if not part or _LABEL.fullmatch(part) or is_placeholder(part):
            continue
        at = _AT_ORGANISATION.fullmatch(part)
        if at and _kind(at.group("organisation")) == "organisation":
            facts.setdefault("role", []).append(at.group("role"))
            facts.setdefault("organisation", []).append(at.group("organisation"))
            continue
        kind = _kind(part)
        if kind is None:
            names.append(part)
        else:
            facts.setdefault(kind, []).append(part)
    return names


def _take_relationship(part: str, facts: dict[str, list[str]]) -> str:
    """``part`` without a relationship word leading or ending it ("mum Kerry Ward")."""
    for pattern in (_LEADING_RELATIONSHIP, _TRAILING_RELATIONSHIP):
        match = pattern.fullmatch(part)
        if match is None or match.group("word").lower() in ALSO_GIVEN_NAMES:
            continue
        # "Jo Cousin" is a name; "Jo Bloggs Mum" and "Kerry mum" are not.
        word, rest = match.group("word"), match.group("rest")
        if pattern is _LEADING_RELATIONSHIP or word.islower() or len(rest.split()) > 1:
            facts.setdefault("relationship", []).insert(0, word)
            return rest
    return part


def _after_name(parts: list[str], facts: dict[str, list[str]]) -> tuple[str | None, bool]:
    """A title written after the name ("Tom Reed, PC 1234"), and whether a second
    person follows (a part with a title, or a second relationship).

    Otherwise the part after the name is the role, as in a signature ("Jo Bloggs,
    Receptionist").
    """
    relationships = {r.lower() for r in facts.get("relationship", ())}
    title, second_person = None, len(relationships) > 1
    for part in parts:
        match = _LEADING_TITLE.fullmatch(part)
        rest = match.group("rest") if match else part
        if match and not _COLLAR_NUMBER.sub("", rest):
            title = title or collapse_space(match.group("title"))
        elif match or second_person or _LEADING_RELATIONSHIP.fullmatch(part):
            second_person = True
        else:
            facts.setdefault("role", []).append(part)
    return title, second_person


def _surname_first(parts: list[str]) -> list[str]:
    """``["SMITH", "John", ...]`` and ``["SMITH John"]`` in reading order, "John SMITH"."""
    if len(parts) >= 2 and len(parts[0].split()) == 1 and len(parts[1].split()) <= 3:
        return [f"{parts[1]} {parts[0]}", *parts[2:]]
    words = parts[0].split() if parts else []
    if words and _LEADING_TITLE.fullmatch(parts[0]):  # "PC Amy Lowe", "MRS Jo Bloggs"
        return parts
    capitals = [w.isupper() and len(w) > 1 for w in words]
    if len(words) >= 2 and capitals[0] and not all(capitals):
        surname = [w for w, c in zip(words, capitals, strict=True) if c]
        if capitals == [True] * len(surname) + [False] * (len(words) - len(surname)):
            given = words[len(surname) :]
            return [" ".join(given + surname), *parts[1:]]
    return parts


def _name_parts(name: str, *, titled: bool, couple: bool) -> tuple[str | None, str | None]:
    """``(forenames, surname)`` of a cleaned name, by nameparser, where clear."""
    if couple and _COUPLE.search(name):  # "John and Mary Patel": a shared surname
        return None, name.split()[-1]
    if len(name.split()) == 1:
        return (None, name) if titled or couple else (None, None)
    parsed = HumanName(name, constants=_NAME_CONSTANTS)
    forenames = " ".join(p for p in (parsed.first, parsed.middle) if p)
    return forenames or None, parsed.last or None


def split_person(text: str) -> Person:
    """The parts of a cell that names a person; see ``Person``. Never raises.

    "Mrs Jo Bloggs (mother) 07700 900123" -> name "Jo Bloggs", title "Mrs",
    relationship "mother", phone "07700900123"; "Martin Fry, Headteacher" ->
    name and role; "Sgt 1234 Tom Reed" -> title "Sgt", name "Tom Reed" (a collar
    number is not a name). A placeholder name ("Mother - not known") is ``None``.
    """
    flat = collapse_space(re.sub(r"\s*[\r\n]+\s*", " , ", strip_bidi(text)))
    rest, phone, email = _without_contacts(flat)
    facts: dict[str, list[str]] = {}
    parts = _surname_first(_parts(rest, facts))
    name = _take_relationship(parts[0], facts) if parts else ""
    title_after, couple = _after_name(parts[1:], facts)
    # A note in brackets is not part of the name ("Jo Bloggs (nee Smith)"), unless
    # it is all there is: "Grandmother (Mrs Ann Hill)".
    bare = collapse_space(_BRACKETED.sub(" ", name))
    name = bare if any(c.isalpha() for c in bare) else name.strip(" ()[]")
    title = title_after
    if match := _LEADING_TITLE.fullmatch(name):
        title, name = collapse_space(match.group("title")), match.group("rest")
        if re.sub(r"\.$", "", title) in POLICE_TITLES and name[:1].isdigit():
            name = _COLLAR_NUMBER.sub("", name, count=1)
    couple = couple or (title is not None and bool(_COUPLE.search(title)))
    halves = _COUPLE.split(name, maxsplit=1)
    if len(halves) == 2:
        couple = True
        if len(halves[0].split()) > 1:  # "Jo Bloggs and Lee Dunn": the first named
            name = halves[0]
    name = name.strip(_NAME_EDGES)
    if not any(c.isalpha() for c in name) or is_placeholder(name):
        name = ""
    forenames, surname = (
        _name_parts(name, titled=title is not None, couple=couple) if name else (None, None)
    )
    relationship = facts.get("relationship", [None])[0]
    return Person(
        name=name or None,
        title=title,
        relationship=collapse_space(relationship).lower() if relationship else None,
        phone=phone,
        email=email,
        role=facts.get("role", [None])[0],
        organisation=facts.get("organisation", [None])[0],
        forenames=forenames,
        surname=surname,
        couple=couple,
    )
