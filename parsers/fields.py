"""From candidates to one normalised value per field, with its confidence.

Several candidates may offer the same field (two readings of a table, a form
and its cover email). The strongest label match that normalises wins; a value
that does not normalise but is worth keeping (an invalid UPN) is kept and put
on review; a weaker value that disagrees is remembered for review too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from parsers.clean import find_upn, is_placeholder, strip_bidi
from parsers.mapping import Candidate
from parsers.normalise import FIELD_TYPES, InvalidValue, normalise
from parsers.person import split_person

POSTCODE_AT_END = re.compile(r",?\s*([A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2})\s*$", re.IGNORECASE)
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
    return [_with(candidate, candidate.field, raw)]


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
            forenames, surname = " ".join(words[:-1]), words[-1]
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
    if candidate.field == "child_address":
        found = POSTCODE_AT_END.search(candidate.raw)
        if found:
            address = candidate.raw[: found.start()].strip(" ,")
            return [
                Candidate(
                    "child_address", address, candidate.score, candidate.where, candidate.label
                ),
                Candidate(
                    "child_postcode",
                    found.group(1),
                    candidate.score * 0.95,
                    candidate.where,
                    candidate.label,
                ),
            ]
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
