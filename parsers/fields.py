"""From candidates to one normalised value per field, with its confidence.

Several candidates may offer the same field (two readings of a table, a form
and its cover email). The strongest label match that normalises wins; a value
that does not normalise but is worth keeping (an invalid UPN) is kept and put
on review; a weaker value that disagrees is remembered for review too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from parsers.clean import find_upn, is_placeholder, join_address, strip_bidi
from parsers.mapping import Candidate
from parsers.normalise import FIELD_TYPES, InvalidValue, normalise
from parsers.person import forenames_and_surname, split_person

PHONE_IN_TEXT = re.compile(r"(?:\+44\s?|\(?0)[\d\s()\-]{9,14}\d")
REVIEW_BELOW = 0.6


@dataclass
class FieldValue:
    value: str | bool
    confidence: float
    where: str
    problem: str | None = None


@dataclass
class Fields:
    values: dict[str, FieldValue] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def plain(self) -> dict[str, str | bool]:
        return {name: fv.value for name, fv in sorted(self.values.items())}

    def review(self) -> list[str]:
        return sorted(
            n for n, fv in self.values.items() if fv.problem or fv.confidence < REVIEW_BELOW
        )


# A person cell and the fields its parts go to: name, phone, email, role, organisation.
PERSON_FIELDS: dict[str, tuple[str, str | None, str | None, str | None, str | None]] = {
    "parent_name": ("parent_name", "parent_phone", "parent_email", None, None),
    "parent_name_phone": ("parent_name", "parent_phone", "parent_email", None, None),
    "referrer_name": ("referrer_name", "referrer_phone", "referrer_email", "referrer_role",
                      "referrer_organisation"),
    "social_worker": ("social_worker", None, None, None, None),
}
# What a person cell gives besides the name ranks below a field of its own.
BESIDE_THE_NAME = 0.9


def clean(candidate: Candidate) -> list[Candidate]:
    """The shared cleaning step (parsers/clean.py) on one candidate: placeholders
    go, person cells are split, a UPN is taken out of noisy text."""
    raw = strip_bidi(candidate.raw)
    if is_placeholder(raw):
        return []
    if candidate.field in PERSON_FIELDS:
        return _person(candidate, raw)
    if candidate.field == "child_upn":
        found = find_upn(raw)
        return [_with(candidate, "child_upn", found or raw)]
    if candidate.field in ORGANISATION_FIELDS:
        return [_with(candidate, candidate.field, organisation_name(raw))]
    if candidate.field == "child_address":
        return _address(candidate, raw)
    if candidate.field == "reason" and _QUESTION.fullmatch(raw.strip()):
        return []  # the form's question printed in the box, not an answer
    return [_with(candidate, candidate.field, raw)]


# One short sentence that asks: "What do you know about the pupil's education history?"
_QUESTION = re.compile(r"[^.?!\n]{3,160}\?")
ORGANISATION_FIELDS = ("school_name", "destination_school", "referrer_organisation")
_NOTE = re.compile(r"\s*\([^)]*\)?|\s*\[[^\]]*\]?")
# A label run into the value: "Oakfield Lane Primary DfE No. 921/2240 To: ..."
_RUN_ON = re.compile(r"\s+(?:DfE|URN|LAESTAB|Estab|Ofsted|Tel|Telephone|Phone|Email|E-mail|To|"
                     r"From|Fax|Address)\b\.?\s*(?:no\.?|number)?\s*[:.]?\s.*$", re.IGNORECASE)
_SCHOOL_THEN_PLACE = re.compile(
    r"^(?P<name>.*?\b(?:School|Academy|College|Primary|Secondary|Infants?|Juniors?|Nursery|"
    r"Federation))(?:(?:,\s*[A-Z][\w' -]*)+|\s+[-–—]\s+.+)$")
_SCHOOL_WORD = re.compile(r"\b(?:School|Academy|College)\b")
_ADDRESSEE = re.compile(r"^(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+\S.*|c/o\s*)$", re.IGNORECASE)


def organisation_name(raw: str) -> str:
    """A school's or agency's name alone: notes in brackets, labels run on after it
    and the town after a school's name go ("Eastwick Academy (Year 10)")."""
    text = _NOTE.sub("", raw.split("\n")[0]).strip(" ,;")
    text = _RUN_ON.sub("", text)
    parts = [p.strip() for p in text.split(",")]
    schools = [p for p in parts if _SCHOOL_WORD.search(p)]
    if len(parts) > 1 and len(schools) == 1:
        # "Brook Lane Primary School, Kestrelford"; "Attendance, Nettlebed Vale Academy"
        return schools[0]
    school = _SCHOOL_THEN_PLACE.match(text)
    return school.group("name") if school else text


def _address(candidate: Candidate, raw: str) -> list[Candidate]:
    """An address and its postcode; an addressee line ("Ms M. Cole") and notes in
    brackets are not part of it."""
    lines = [line for line in re.split(r"\n|,\s*", _NOTE.sub("", raw)) if line.strip()]
    while lines and _ADDRESSEE.match(lines[0].strip()):
        lines.pop(0)
    if lines:
        lines[0] = re.sub(r"^c/o\s+", "", lines[0].strip(), flags=re.IGNORECASE)
    address, postcode = join_address(lines)
    out = [_with(candidate, "child_address", address)] if address else []
    if postcode:
        out.append(Candidate("child_postcode", postcode, candidate.score * 0.95,
                             candidate.where, candidate.label))
    return out


def _person(candidate: Candidate, raw: str) -> list[Candidate]:
    person = split_person(raw)
    targets = PERSON_FIELDS[candidate.field]
    parts = (person.name, person.phone, person.email, person.role, person.organisation)
    out = []
    for n, (target, value) in enumerate(zip(targets, parts, strict=True)):
        if target and value:
            score = candidate.score * (1.0 if n == 0 else BESIDE_THE_NAME)
            out.append(Candidate(target, value, score, candidate.where, candidate.label))
    return out


def _with(candidate: Candidate, field: str, raw: str) -> Candidate:
    return Candidate(field, raw, candidate.score, candidate.where, candidate.label)


def expand(candidate: Candidate) -> list[Candidate]:
    """A full name into forenames and surname; an address into address and postcode."""
    if candidate.field == "child_full_name":
        words = candidate.raw.replace(",", " ").split()
        if len(words) == 1:  # "Child's name: Kai" with the surname on its own line
            return [
                Candidate(
                    "child_forenames",
                    words[0],
                    candidate.score * 0.9,
                    candidate.where,
                    candidate.label,
                )
            ]
        if not words:
            return []
        if candidate.raw.count(",") == 1:  # "SURNAME, Forenames"
            surname, forenames = (p.strip() for p in candidate.raw.split(","))
        else:
            forenames, surname = forenames_and_surname(" ".join(words))
        return [
            Candidate(
                "child_forenames", forenames, candidate.score, candidate.where, candidate.label
            ),
            Candidate("child_surname", surname, candidate.score, candidate.where, candidate.label),
        ]
    if candidate.field == "parent_name_phone":
        found = PHONE_IN_TEXT.search(candidate.raw)
        if not found:
            return [
                Candidate(
                    "parent_name", candidate.raw, candidate.score, candidate.where, candidate.label
                )
            ]
        name = (candidate.raw[: found.start()] + candidate.raw[found.end() :]).strip(" -,/;:")
        out = [
            Candidate(
                "parent_phone", found.group(0), candidate.score, candidate.where, candidate.label
            )
        ]
        if name:
            out.append(
                Candidate("parent_name", name, candidate.score, candidate.where, candidate.label)
            )
        return out
    return [candidate]


def choose(candidates: list[Candidate]) -> Fields:
    """One value per field: highest score first, then document order."""
    out = Fields()
    expanded = [c for cand in candidates for cleaned in clean(cand) for c in expand(cleaned)]
    ranked = sorted(enumerate(expanded), key=lambda ic: (-ic[1].score, ic[0]))
    kept: dict[str, FieldValue] = {}
    for _, cand in ranked:
        if cand.field in kept and not kept[cand.field].problem:
            continue
        field_type = FIELD_TYPES.get(cand.field)
        if field_type is None:
            continue
        try:
            value = normalise(field_type, cand.raw)
        except InvalidValue as exc:
            if exc.kept is not None and cand.field not in kept:
                kept[cand.field] = FieldValue(exc.kept, cand.score * 0.5, cand.where, exc.reason)
            continue
        if isinstance(value, str) and not value:
            continue
        kept[cand.field] = FieldValue(value, cand.score, cand.where)
    out.values = kept
    return out
