"""A cell that names a person, split into name, title, relationship and contacts.

"Mrs Jo Bloggs (mother) 07700 900123" is one cell on many forms; FIELDS.md
("Reading conventions") wants ``parent_name`` "Jo Bloggs" and ``parent_phone``
from it, and titles and relationship words are never part of a name. The
words are data: the tables below. ``nameparser`` then splits the cleaned name
into forenames and surname (it knows "de la Cruz", "Jr" and nicknames), with
no titles of its own: its list counts "King", "Major" and "Sister" as titles
and has no "PC". Surname-first order ("SMITH, John", "BLOGGS Jo") is read here,
not by nameparser, which takes "Martin Fry, Headteacher" for a first name
"Headteacher".

Parts are read by their separators: brackets, commas, colons, spaced dashes,
new lines. A relationship word is taken when it stands apart ("Mum - Kerry
Ward", "(dad)") or leads or ends the name ("mum Kerry Ward"), except the words
that are also given names ("Nan Jones" is a name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nameparser import HumanName
from nameparser.config import Constants

from parsers.clean import any_of, find_emails, find_phones, is_placeholder, strip_bidi
from parsers.validate import collapse_space

__all__ = ["Person", "split_person"]

TITLES = (
    "Mr", "Mrs", "Miss", "Ms", "Mx", "Master", "Dr", "Doctor", "Prof", "Professor",
    "Rev", "Revd", "Reverend", "Fr", "Sir", "Dame", "Lady", "Lord",
    "Sgt", "Sergeant", "Insp", "Inspector", "Constable", "Det Sgt", "Det Con", "Supt",
    "Cllr", "Councillor",
    # Parents write in their own language too: "Mme Amélie Dufresne", "Pani Nowak".
    "Mme", "Mlle", "Madame", "Monsieur", "Herr", "Frau", "Sra", "Srta", "Señora", "Señor",
    "Signora", "Signor", "Pani", "Dona",
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
# Parts that only label what follows ("Name:", "Tel."), as in a cell that holds
# a whole label/value block.
LABELS = (
    "name", "full name", "parent name", "parent/carer", "parent/guardian", "parent or carer",
    "parent/carer name", "contact", "contact name", "contact details", "relationship",
    "relationship to child", "relationship to pupil", "role", "job title", "position",
    "team", "service", "team/service", "organisation", "agency", "tel", "telephone",
    "phone", "mob", "mobile", "t", "m", "e", "email", "e-mail", "number", "no", "on",
)  # fmt: skip
# A label that starts another person's details in the same cell.
SECOND_PERSON_LABELS = (
    "second parent", "second parent/carer", "second carer", "parent 2", "carer 2",
    "other parent", "other parent/carer",
)  # fmt: skip


@dataclass(frozen=True)
class Person:
    """What a person cell says. Every part is ``None`` when the cell does not say it.

    ``name`` is the name as written without title, relationship, role or contacts
    ("SMITH, John" reads "John SMITH"); ``forenames`` and ``surname`` split it
    where that is clear (a lone word is a surname only after a title).
    ``relationship`` is lower case as written ("dad", "foster carer"); ``phone``
    and ``email`` are the first found, in FIELDS.md form. ``couple`` says the
    cell names two people; the other parts are then the first one's, as
    FIELDS.md's ``parent_name`` is the first named ("Mr and Mrs Patel": "Patel";
    "Hannah and Rob Fairweather": "Hannah Fairweather"; "Jo Bloggs (mum), Lee
    Dunn (dad)": "Jo Bloggs", "mum").
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
_SLASH = r"\s*/\s*"
_LABEL = re.compile(rf"(?:{any_of(LABELS).replace('/', _SLASH)})\.?", re.I)
_SECOND_PERSON = re.compile(rf"(?:{any_of(SECOND_PERSON_LABELS).replace('/', _SLASH)})", re.I)
_LABEL_AT_END = re.compile(rf"\b(?:{any_of(LABELS)}|mailto)\.?\s*[:\-]?\s*$", re.I)
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


def _without_labels_at_end(text: str) -> str:
    """``text`` without the labels ending it ("Contact tel.:") that a contact follows."""
    for _ in range(3):  # one label at a time: a repeated group would backtrack exponentially
        match = _LABEL_AT_END.search(text)
        if match is None:
            break
        text = text[: match.start()]
    return text


@dataclass
class _Reading:
    """What the parts of a cell said, in order, up to a second person."""

    names: list[str] = field(default_factory=list)
    facts: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    title_after: str | None = None
    second_person: bool = False

    def add(self, kind: str, value: str) -> None:
        self.facts.setdefault(kind, []).append(collapse_space(value))

    def first(self, kind: str) -> str | None:
        return self.facts.get(kind, [None])[0]

    def starts_second_person(self, kind: str, value: str) -> bool:
        """A second relationship after a name ("Jo (mum), Lee (dad)") is someone else."""
        known = {r.lower() for r in self.facts.get("relationship", ())}
        return kind == "relationship" and bool(self.names) and bool(known - {value.lower()})


# Phones, emails and bracketed notes stand in the text as numbered tokens while
# it is split, so that their separators ("(works away – back Friday)") split
# nothing and each is read where it stands.
_TOKEN = re.compile("\x00(\\d+)\x00")


def _tokenised(text: str) -> tuple[str, list[tuple[str, str]]]:
    """``text`` with its contacts (and their labels) and bracketed notes as tokens."""
    pieces: list[tuple[str, str]] = []
    out, at = [], 0
    found = [("phone", f) for f in find_phones(text)] + [("email", f) for f in find_emails(text)]
    for kind, span in sorted(found, key=lambda kf: kf[1].start):
        if span.start >= at:
            out.append(_without_labels_at_end(text[at : span.start]))
            out.append(f" , \x00{len(pieces)}\x00 , ")
            pieces.append((kind, span.value))
        at = max(at, span.end)
    out.append(text[at:])
    rest = re.sub(r"<\s*>|\(\s*\)|\[\s*\]", " ", _FAX.sub(" ", "".join(out)))

    def bracketed(match: re.Match[str]) -> str:
        inner = collapse_space(_TOKEN.sub(" ", match.group(1)))
        kind = _kind(inner) or "note"
        pieces.append((kind, inner))
        tokens = "".join(f" , {t.group(0)} , " for t in _TOKEN.finditer(match.group(1)))
        # A note stays inside the name it interrupts ("Jonathan (Jon) Smith").
        token = (
            f" \x00{len(pieces) - 1}\x00 " if kind == "note" else f" , \x00{len(pieces) - 1}\x00 , "
        )
        return tokens + token

    return _BRACKETED.sub(bracketed, rest), pieces


def _read(text: str) -> _Reading:
    """Each part of ``text`` in order, until a second person starts."""
    tokenised, pieces = _tokenised(text)
    reading = _Reading()
    for raw in _SEPARATORS.split(tokenised):
        for kind, value in (pieces[int(t)] for t in _TOKEN.findall(raw)):
            if reading.starts_second_person(kind, value):
                reading.second_person = True
                return reading
            if value and kind != "note":
                reading.add(kind, value)
            elif value:
                reading.notes.append(value)
        part = collapse_space(_TOKEN.sub(" ", raw)).strip(_NAME_EDGES)
        if not part or _LABEL.fullmatch(part) or is_placeholder(part):
            continue
        if _SECOND_PERSON.fullmatch(part):
            reading.second_person = True
            return reading
        at = _AT_ORGANISATION.fullmatch(part)
        if at and _kind(at.group("organisation")) == "organisation":
            reading.add("role", at.group("role"))
            reading.add("organisation", at.group("organisation"))
            continue
        kind = _kind(part)
        if kind is not None and reading.starts_second_person(kind, part):
            reading.second_person = True
            return reading
        if kind is not None:
            reading.add(kind, part)
        elif not reading.names or (len(reading.names) == 1 and " " not in reading.names[0]):
            reading.names.append(part)  # the name, or the forenames after "SMITH,"
        elif title := _LEADING_TITLE.fullmatch(part):
            if _COLLAR_NUMBER.sub("", title.group("rest")):
                reading.second_person = True  # "Jo Bloggs, Mr Lee Bloggs"
                return reading
            reading.title_after = collapse_space(title.group("title"))  # "Tom Reed, PC 1234"
        elif _LEADING_RELATIONSHIP.fullmatch(part):
            reading.second_person = True  # "Mum Jo Bloggs, Dad Lee Bloggs"
            return reading
        else:
            reading.names.append(part)
    return reading


def _take_relationship(part: str, reading: _Reading) -> str:
    """``part`` without a relationship word leading or ending it ("mum Kerry Ward")."""
    for pattern in (_LEADING_RELATIONSHIP, _TRAILING_RELATIONSHIP):
        match = pattern.fullmatch(part)
        if match is None or match.group("word").lower() in ALSO_GIVEN_NAMES:
            continue
        # "Jo Cousin" is a name; "Jo Bloggs Mum" and "Kerry mum" are not.
        word, rest = match.group("word"), match.group("rest")
        if pattern is _LEADING_RELATIONSHIP or word.islower() or len(rest.split()) > 1:
            reading.facts.setdefault("relationship", []).insert(0, word)
            return rest
    return part


def _name_like(text: str) -> bool:
    """One to five capitalised words without digits: "Mrs Ann Hill", not "corporate parent"."""
    words = text.split()
    return 0 < len(words) <= 5 and all(w[0].isupper() and not re.search(r"\d", w) for w in words)


def _role_like(part: str) -> bool:
    """Could ``part``, after a name, be a job title ("Receptionist", "Lead for Attendance")?"""
    return part[:1].isupper() and len(part.split()) <= 6 and not re.search(r"\d", part)


def _surname_first(parts: list[str]) -> list[str]:
    """``["SMITH", "John", ...]`` and ``["SMITH John"]`` in reading order, "John SMITH"."""
    if len(parts) >= 2 and len(parts[0].split()) == 1 and len(parts[1].split()) <= 3:
        return [f"{parts[1]} {parts[0]}", *parts[2:]]
    words = parts[0].split() if parts else []
    if words and _LEADING_TITLE.fullmatch(parts[0]):  # "PC Amy Lowe", "MRS Jo Bloggs"
        return parts
    capitals = [w.isupper() and sum(c.isalpha() for c in w) > 1 for w in words]
    if len(words) >= 2 and capitals[0] and not all(capitals):
        surname = [w for w, c in zip(words, capitals, strict=True) if c]
        if capitals == [True] * len(surname) + [False] * (len(words) - len(surname)):
            given = words[len(surname) :]
            return [" ".join(given + surname), *parts[1:]]
    return parts


def forenames_and_surname(name: str) -> tuple[str, str]:
    """A full name of two words or more as (forenames, surname), by nameparser: a
    surname's particles stay with it ("Pieter van der Berg", "Ana de la Cruz",
    "Saoirse Ní Bhriain", "Joshua VAN DER BERG")."""
    parsed = HumanName(name, constants=_NAME_CONSTANTS)
    forenames = " ".join(p for p in (parsed.first, parsed.middle) if p)
    if not forenames or not parsed.last:
        words = name.split()
        return " ".join(words[:-1]), words[-1]
    return forenames, parsed.last


def _name_parts(name: str, *, titled: bool, couple: bool) -> tuple[str | None, str | None]:
    """``(forenames, surname)`` of a cleaned name, by nameparser, where clear."""
    if len(name.split()) == 1:
        return (None, name) if titled or couple else (None, None)
    parsed = HumanName(name, constants=_NAME_CONSTANTS)
    forenames = " ".join(p for p in (parsed.first, parsed.middle) if p)
    return forenames or None, parsed.last or None


def _without_title(name: str, title: str | None) -> tuple[str, str | None]:
    """``(name, title)`` with a leading title taken off (and a collar number after a rank)."""
    match = _LEADING_TITLE.fullmatch(name)
    if match is None:
        return name, title
    title, name = collapse_space(match.group("title")), match.group("rest")
    if re.sub(r"\.$", "", title) in POLICE_TITLES and name[:1].isdigit():
        name = _COLLAR_NUMBER.sub("", name, count=1)  # "Sgt 1234 Tom Reed"
    return name, title


def _first_of_two(name: str) -> tuple[str, bool]:
    """The first person of "A and B" and whether there were two ("Hannah and Rob Fairweather")."""
    halves = [h.strip(_NAME_EDGES) for h in _COUPLE.split(name, maxsplit=1)]
    if len(halves) != 2 or not all(halves):
        return name, False
    if len(halves[0].split()) > 1:  # "Jo Bloggs and Lee Dunn"
        return halves[0], True
    shared = HumanName(halves[1], constants=_NAME_CONSTANTS).last
    if len(halves[1].split()) > 1 and shared:  # a shared surname: "Hannah Fairweather"
        return f"{halves[0]} {shared}", True
    return name, True


def split_person(text: str) -> Person:
    """The parts of a cell that names a person; see ``Person``. Never raises.

    "Mrs Jo Bloggs (mother) 07700 900123" -> name "Jo Bloggs", title "Mrs",
    relationship "mother", phone "07700900123"; "Martin Fry, Headteacher" ->
    name and role; "Sgt 1234 Tom Reed" -> title "Sgt", name "Tom Reed" (a collar
    number is not a name). A placeholder name ("Mother - not known") is ``None``.
    With two people, the parts are the first one's; a phone or email written
    only after the second person is taken when the first has none.
    """
    flat = collapse_space(re.sub(r"\s*[\r\n]+\s*", " , ", strip_bidi(text).replace("\x00", " ")))
    reading = _read(flat)
    names = _surname_first(reading.names)
    # A note in brackets is not part of the name ("Jo Bloggs (nee Smith)"), unless
    # it is all there is: "Grandmother (Mrs Ann Hill)".
    notes = [n for n in reading.notes if _name_like(n)]
    name = _take_relationship(names[0] if names else (notes[0] if notes else ""), reading)
    if len(names) > 1 and "role" not in reading.facts and _role_like(names[1]):
        reading.add("role", names[1])  # "Jo Bloggs, Receptionist", as signatures read
    name, title = _without_title(name, reading.title_after)
    name, two = _first_of_two(name)
    couple = two or reading.second_person or bool(title and _COUPLE.search(title))
    name = name.strip(_NAME_EDGES)
    if not any(c.isalpha() for c in name) or is_placeholder(name):
        name = ""
    forenames, surname = (
        _name_parts(name, titled=title is not None, couple=couple) if name else (None, None)
    )
    if reading.second_person:  # the first person's contacts, else any in the cell
        for kind, found in (("phone", find_phones(flat)), ("email", find_emails(flat))):
            if found and not reading.first(kind):
                reading.add(kind, found[0].value)
    relationship = reading.first("relationship")
    return Person(
        name=name or None,
        title=title,
        relationship=relationship.lower() if relationship else None,
        phone=reading.first("phone"),
        email=reading.first("email"),
        role=reading.first("role"),
        organisation=reading.first("organisation"),
        forenames=forenames,
        surname=surname,
        couple=couple,
    )
